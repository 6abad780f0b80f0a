"""Demo accountability data: the indicator catalogue, the roll-ups the dashboard shows (the
last 12 months, the last 8 quarters of its trend charts and the last 2 years), and a few
published reports (except at the tiny scale of the test suite, whose report tests start from
an empty archive): last month's for the demo inspector's mahalla, last quarter's for the demo
district, its region and the republic."""

from django.utils import timezone

from accountability.models import PeriodKind
from accountability.periods import Period
from accountability.services import indicators_ensure, report_generate, rollup_refresh
from accounts.demo import DEMO_DISTRICT, DEMO_REGION
from accounts.models import User
from core.demo import DemoContext
from mahalla.models import Territory
from mahalla.services import COUNTRY_CODE

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
    if ctx.scale != "tiny":
        _seed_reports(ctx, today)


def _seed_reports(ctx: DemoContext, today) -> None:
    inspector = User.objects.get(username="inspector")
    mahalla = inspector.memberships.get(role="inspector").territory
    month = Period.containing(PeriodKind.MONTH, today).previous
    quarter = Period.containing(PeriodKind.QUARTER, today).previous
    codes = [DEMO_DISTRICT, DEMO_REGION, COUNTRY_CODE]
    nodes = [(mahalla, month)] + [
        (node, quarter) for node in Territory.objects.filter(code__in=codes).order_by("path")
    ]
    try:
        for territory, period in nodes:
            report_generate(territory=territory, period=period)
    except OSError as error:
        # WeasyPrint needs the Pango library; without it the portal runs, reports wait.
        ctx.log(f"Accountability: no demo reports (PDF rendering unavailable: {error}).")
        return
    ctx.log(f"Accountability: {len(nodes)} published reports.")
