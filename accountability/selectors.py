"""Reads of the accountability figures (DESIGN.md §6).

The dashboard reads roll-ups, the indicator catalogue and the territory tree only, never the
domain tables, and each read here is one query whatever the number of records behind the
figures: a page costs the same at 10 million prevention records as at 10.
"""

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet, Value

from accountability.models import ApprovedPeriod, Indicator, RollUp
from accountability.periods import Period
from mahalla.models import Territory


def indicator_list(*, active_only: bool = True) -> QuerySet[Indicator]:
    """The indicator catalogue in its display order."""
    queryset = Indicator.objects.all()
    if active_only:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("order", "code")


def rollup_period_starts(*, node: Territory, kind: str) -> list[date]:
    """First days of the periods of a kind that have roll-ups at the node, latest first."""
    return list(
        RollUp.objects.filter(territory=node, period_kind=kind)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .distinct()
    )


def rollup_node_list(*, node: Territory, periods: list[Period]) -> QuerySet[RollUp]:
    """Every indicator's roll-ups at the node for the given periods (all of one kind)."""
    return RollUp.objects.filter(
        territory=node,
        period_kind=periods[0].kind,
        period_start__in=[period.start for period in periods],
    )


def rollup_children_list(
    *, children: list[Territory], indicator: Indicator, period: Period
) -> QuerySet[RollUp]:
    """One indicator's roll-ups at the given nodes (a node's children) in a period."""
    return RollUp.objects.filter(
        territory_id__in=[child.pk for child in children],
        indicator=indicator,
        period_kind=period.kind,
        period_start=period.start,
    )


def rollup_trend_list(
    *, node: Territory, indicator: Indicator, period: Period, length: int
) -> QuerySet[RollUp]:
    """One indicator's roll-ups at the node over `length` periods ending with `period`,
    oldest first."""
    return RollUp.objects.filter(
        territory=node,
        indicator=indicator,
        period_kind=period.kind,
        period_start__gte=period.shift(1 - length).start,
        period_start__lte=period.start,
    ).order_by("period_start")


def approved_period_set(
    *, nodes: list[Territory], kind: str, starts: list[date]
) -> frozenset[tuple[int, date]]:
    """(territory id, period start) of the given nodes' periods whose figures are approved."""
    return frozenset(
        ApprovedPeriod.objects.filter(
            territory_id__in=[node.pk for node in nodes], period_kind=kind, period_start__in=starts
        ).values_list("territory_id", "period_start")
    )


def rollup_list(*, queryset: QuerySet[RollUp], provisional: bool) -> QuerySet[RollUp]:
    """Roll-ups with their indicator and territory, for the API's lists (one query a page);
    only indicators in use: the catalogue's retired ones are not served. Figures not yet
    approved are included (marked `is_provisional`) only when `provisional` is true."""
    approved = ApprovedPeriod.objects.filter(
        territory=OuterRef("territory"),
        period_kind=OuterRef("period_kind"),
        period_start=OuterRef("period_start"),
    )
    queryset = queryset.filter(indicator__is_active=True).select_related("indicator", "territory")
    if not provisional:
        return queryset.filter(Exists(approved)).annotate(is_provisional=Value(False))
    return queryset.annotate(is_provisional=~Exists(approved))


def public_report_list(*, queryset: QuerySet) -> QuerySet:
    """Published reports with their territory, without the HTML body (the lists show the
    digests and links, not the report)."""
    return queryset.select_related("territory").defer("html")
