"""Reads of the incentives, with relations loaded so lists cost a fixed number of queries,
and the module's reports (fund use; awards by ground and region) as grouped aggregates."""

from datetime import date

from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, Coalesce, Floor
from django.utils.translation import gettext as _

from incentives.models import (
    AmountRule,
    BaseCalculationValue,
    Commission,
    Fund,
    Nomination,
    SocialProtectionCase,
)

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


def fund_use_in_period(*, queryset: QuerySet[Fund], start: date, end: date) -> QuerySet[Fund]:
    """Each fund with the money approved and paid between `start` and `end` (both included),
    beside its budget and its committed total for the year to date.

    Approved: awards decided in the period and not reversed, plus social support decided in
    it; paid: awards paid in the period and still standing, plus support paid in it. A
    reversal gives the amount back to the fund, so a reversed award counts in neither (as in
    `committed`). Every figure is a correlated subquery: one query however many funds.
    """
    awards = Nomination.objects.filter(state__in=AWARDED)
    support = SocialProtectionCase.objects.filter(
        state__in=[SocialProtectionCase.State.DECIDED, SocialProtectionCase.State.PAID]
    )
    decided = {"decision_date__range": (start, end)}
    paid = {"paid_on__range": (start, end)}
    return (
        fund_list(queryset=queryset)
        .annotate(
            approved_in_period=_sum_per_fund(awards.filter(**decided))
            + _sum_per_fund(support.filter(**decided)),
            paid_in_period=_sum_per_fund(awards.filter(state=Nomination.State.PAID, **paid))
            + _sum_per_fund(support.filter(state=SocialProtectionCase.State.PAID, **paid)),
        )
        .order_by("-year", "commission__territory__path")
    )


def award_public_name(nomination: Nomination) -> str:
    """The nominee as the public register names them: an organisation by its name; a citizen
    by full name only with consent to publication, otherwise as a resident of the mahalla.

    Needs `organisation` and `mahalla` loaded (award_register_list does), so a page of the
    register costs no query per row.
    """
    if nomination.kind == Nomination.Kind.ORGANISATION:
        return nomination.organisation.name
    if nomination.consent_to_publish:
        return nomination.full_name
    return _("A resident of %(mahalla)s") % {"mahalla": nomination.mahalla.name}


def award_list(*, queryset: QuerySet[Nomination]) -> QuerySet[Nomination]:
    """Decided awards (approved, paid, or paid and then reversed), newest decision first,
    with what a list row and the personal-data check need."""
    decided = [*AWARDED, Nomination.State.REVERSED]
    return nomination_list(queryset=queryset.filter(state__in=decided)).order_by(
        "-decision_date", "-id"
    )


def amount_rule_list(*, queryset: QuerySet[AmountRule], day: date) -> QuerySet[AmountRule]:
    """Amount rules with their ground and `cap`: the largest amount in so'm at the BCV in
    force on `day` (None when none is), rounded down like incentives.services.amount_cap."""
    bcv = (
        BaseCalculationValue.objects.filter(valid_from__lte=day)
        .order_by("-valid_from")
        .values("amount")[:1]
    )
    product = F("max_bcv") * Subquery(bcv, output_field=DecimalField())
    return (
        queryset.select_related("ground")
        .annotate(cap=Cast(Floor(product), output_field=BigIntegerField()))
        .order_by("id")
    )
