"""Reads of the partnership, with relations loaded so lists cost a fixed number of queries."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from partnership.models import (
    Agreement,
    InformationRequest,
    JointActivity,
    Obligation,
    Organisation,
)


def organisation_list(*, queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    return (
        queryset.select_related("territory__parent")
        .prefetch_related("areas")
        .order_by("name", "id")
    )


def _count_per_agreement(rows: QuerySet) -> Coalesce:
    """A correlated count: computed only for the agreements on the page, where joining and
    grouping would first total every matching agreement (and the millions of activities)."""
    counted = (
        rows.filter(agreement=OuterRef("pk"))
        .order_by()
        .values("agreement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def agreement_list(*, queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """Agreements with parties, areas and obligation progress (done / all) and the number of
    confirmed joint activities."""
    return (
        queryset.select_related("unit__territory")
        .prefetch_related("organisations", "areas")
        .annotate(
            obligations_total=_count_per_agreement(Obligation.objects.all()),
            obligations_done=_count_per_agreement(
                Obligation.objects.filter(state=Obligation.State.DONE)
            ),
            confirmed_activities=_count_per_agreement(
                JointActivity.objects.filter(status=JointActivity.Status.CONFIRMED)
            ),
        )
        .order_by("-valid_from", "-id")
    )


def agreement_detail(*, queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
    return agreement_list(queryset=queryset).prefetch_related(
        Prefetch("obligations", queryset=Obligation.objects.select_related("organisation")),
        "documents",
    )


def activity_list(*, queryset: QuerySet[JointActivity]) -> QuerySet[JointActivity]:
    return queryset.select_related(
        "organisation", "unit", "place__parent", "agreement", "reviewed_by"
    ).order_by("-date", "-id")


def request_list(*, queryset: QuerySet[InformationRequest]) -> QuerySet[InformationRequest]:
    return queryset.select_related("organisation", "unit").order_by("-created_at", "-id")
