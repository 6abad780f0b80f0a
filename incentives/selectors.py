"""Reads of the incentives, with relations loaded so lists cost a fixed number of queries,
and the module's reports (fund use; awards by ground and region) as grouped aggregates."""

from django.db.models import BigIntegerField, Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from incentives.models import Commission, Fund, Nomination, SocialProtectionCase

AWARDED = [Nomination.State.APPROVED, Nomination.State.PAID]


def nomination_list(*, queryset: QuerySet[Nomination]) -> QuerySet[Nomination]:
    """Nominations with what a list row and the personal-data check need."""
    return queryset.select_related(
        "ground",
        "incentive_type",
        "organisation",
        "mahalla__parent__parent",
        "commission__territory",
        "nominated_by",
    ).order_by("-created_at", "-id")


def nomination_detail(*, queryset: QuerySet[Nomination]) -> QuerySet[Nomination]:
    return nomination_list(queryset=queryset).select_related("fund", "decided_by")


def award_register_list(*, queryset: QuerySet[Nomination]) -> QuerySet[Nomination]:
    """Published awards, newest decision first, with the names the register shows."""
    return queryset.select_related(
        "ground", "incentive_type", "organisation", "mahalla__parent__parent"
    ).order_by("-decision_date", "-id")


def social_case_list(*, queryset: QuerySet[SocialProtectionCase]) -> QuerySet[SocialProtectionCase]:
    return queryset.select_related(
        "mahalla__parent__parent", "commission__territory", "opened_by", "fund"
    ).order_by("-created_at", "-id")


def commission_list(*, queryset: QuerySet[Commission]) -> QuerySet[Commission]:
    return queryset.select_related("territory").order_by("territory__path")


def fund_list(*, queryset: QuerySet[Fund]) -> QuerySet[Fund]:
    return queryset.select_related("commission__territory").order_by("-year", "commission")


def _sum_per_fund(rows: QuerySet, field: str = "amount", *, count: bool = False) -> Coalesce:
    """A correlated total per fund: two sums over two relations in one join would multiply
    each other's rows."""
    totals = (
        rows.filter(fund=OuterRef("pk"))
        .order_by()
        .values("fund")
        .annotate(v=Count("pk") if count else Sum(field))
        .values("v")
    )
    return Coalesce(Subquery(totals, output_field=BigIntegerField()), 0)


def fund_use(*, queryset: QuerySet[Fund]) -> QuerySet[Fund]:
    """Each fund with its budget, committed (approved awards and decided support), paid and
    remaining amounts. A reversal frees the committed amount and leaves the paid total."""
    paid_awards = Nomination.objects.filter(state=Nomination.State.PAID)
    paid_support = SocialProtectionCase.objects.filter(state=SocialProtectionCase.State.PAID)
    return fund_list(queryset=queryset).annotate(
        awards_count=_sum_per_fund(Nomination.objects.filter(state__in=AWARDED), count=True),
        paid=_sum_per_fund(paid_awards) + _sum_per_fund(paid_support),
    )


def awards_by_ground_and_region(*, queryset: QuerySet[Nomination]) -> QuerySet:
    """Awards (approved or paid) grouped by ground and first-level unit: their number and
    total amount."""
    return (
        queryset.filter(state__in=AWARDED)
        .values(
            "ground__code",
            "ground__name_uz",
            "ground__name_uz_cyrl",
            "ground__name_ru",
            "ground__name_en",
            "mahalla__parent__parent__code",
            "mahalla__parent__parent__name_uz",
            "mahalla__parent__parent__name_uz_cyrl",
            "mahalla__parent__parent__name_ru",
            "mahalla__parent__parent__name_en",
        )
        .annotate(awards=Count("pk"), total=Coalesce(Sum("amount"), 0))
        .order_by("mahalla__parent__parent__code", "ground__code")
    )
