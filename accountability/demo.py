"""Demo accountability data: the indicator catalogue and the roll-ups the dashboard shows —
the last 12 months, the last 8 quarters (its trend charts) and the last 2 years."""

from django.utils import timezone

from accountability.models import PeriodKind
from accountability.periods import Period
from accountability.services import indicators_ensure, rollup_refresh
from core.demo import DemoContext

HISTORY = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 8, PeriodKind.YEAR: 2}


def seed(ctx: DemoContext) -> None:
    indicators_ensure()
    today = timezone.localdate()
    rows = 0
    for kind, count in HISTORY.items():
        current = Period.containing(kind, today)
        for steps in range(count):
            rows += rollup_refresh(period=current.shift(-steps))
    ctx.log(f"Accountability: {rows} roll-up values over {sum(HISTORY.values())} periods.")
