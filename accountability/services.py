"""Writes of the accountability app: the indicator catalogue and the roll-ups.

A period's roll-ups are computed from the measures in a fixed number of grouped queries
(accountability.measures) and replace the period's rows as a whole in one transaction, so a
re-run replaces and never duplicates, and a reader sees either the old rows or the new.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accountability.measures import MEASURES, measure_values
from accountability.models import Indicator, RollUp
from accountability.periods import Period
from accountability.reference_data import INDICATORS
from mahalla.models import Territory

BATCH = 5000
# Four decimal places are stored; values are rounded once, here.
QUANTUM = Decimal("0.0001")


@transaction.atomic
def indicators_ensure() -> int:
    """Adds the default indicators that are missing; edits by admins stay."""
    created = 0
    for order, row in enumerate(INDICATORS, start=1):
        code, numerator, denominator, factor, unit, better, personal, uz, uz_cyrl, ru, en = row
        _indicator, was_created = Indicator.objects.get_or_create(
            code=code,
            defaults={
                "numerator": numerator,
                "denominator": denominator,
                "factor": factor,
                "unit": unit,
                "better": better,
                "from_personal_records": personal,
                "name_uz": uz,
                "name_uz_cyrl": uz_cyrl,
                "name_ru": ru,
                "name_en": en,
                "order": order,
            },
        )
        created += was_created
    return created


def indicator_value(
    indicator: Indicator, numerator: Decimal, denominator: Decimal | None
) -> Decimal | None:
    """numerator ÷ denominator × factor; None where the denominator is zero."""
    if not indicator.denominator:
        return (numerator * indicator.factor).quantize(QUANTUM)
    if not denominator:
        return None
    return (numerator / denominator * indicator.factor).quantize(QUANTUM)


def rollup_refresh(*, period: Period) -> int:
    """Recomputes every active indicator at every node for the period; returns the number
    of rows written. Nodes with neither a numerator nor a denominator get no row."""
    indicators = list(Indicator.objects.filter(is_active=True))
    needed = {code for i in indicators for code in (i.numerator, i.denominator) if code}
    values = {code: measure_values(MEASURES[code], period) for code in needed if code in MEASURES}
    node_ids = dict(Territory.objects.values_list("path", "id"))
    now = timezone.now()
    written = 0
    with transaction.atomic():
        RollUp.objects.filter(period_kind=period.kind, period_start=period.start).delete()
        for indicator in indicators:
            numerators = values.get(indicator.numerator, {})
            denominators = values.get(indicator.denominator) if indicator.denominator else None
            paths = set(numerators) | set(denominators or ())
            rows = []
            for path in paths:
                node_id = node_ids.get(path)
                if node_id is None:
                    continue
                numerator = numerators.get(path, Decimal(0))
                denominator = None if denominators is None else denominators.get(path, Decimal(0))
                rows.append(
                    RollUp(
                        indicator=indicator,
                        territory_id=node_id,
                        period_kind=period.kind,
                        period_start=period.start,
                        numerator=numerator.quantize(QUANTUM),
                        denominator=None if denominator is None else denominator.quantize(QUANTUM),
                        value=indicator_value(indicator, numerator, denominator),
                        computed_at=now,
                    )
                )
            RollUp.objects.bulk_create(rows, batch_size=BATCH)
            written += len(rows)
    return written
