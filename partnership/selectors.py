"""Reads of the partnership, with relations loaded so lists cost a fixed number of queries."""

from django.db.models import Count, Prefetch, Q, QuerySet

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


def agreement_list(*, queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """Agreements with parties, areas and obligation progress (done / all) and the number of
    confirmed joint activities."""
    return (
        queryset.select_related("unit__territory")
        .prefetch_related("organisations", "areas")
        .annotate(
            obligations_total=Count("obligations", distinct=True),
            obligations_done=Count(
                "obligations", filter=Q(obligations__state=Obligation.State.DONE), distinct=True
            ),
            confirmed_activities=Count(
                "activities",
                filter=Q(activities__status=JointActivity.Status.CONFIRMED),
                distinct=True,
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
