"""Demo accountability data: the indicator catalogue, the months' approvals up the hierarchy,
the roll-ups the dashboard shows (the last 12 months, the last 8 quarters of its trend charts
and the last 2 years), and a few published reports (except at the tiny scale of the test
suite, whose report tests start from an empty archive): the latest approved month's for the
demo inspector's mahalla, last quarter's for the demo district, its region and the republic
(where that quarter is approved).

Every month before last is accepted in every district, so the history is public. Last month
waits: submitted by every district but the demo district, whose officer submits it, so that
the demo region officer can then approve it. The approvals are written here, after every
app's demo data, because an accepted month refuses new rows dated in it."""

from django.utils import timezone

from accountability.models import PeriodKind
from accountability.periods import Period
from accountability.services import indicators_ensure, report_generate, rollup_refresh
from accounts.demo import DEMO_DISTRICT, DEMO_REGION
from accounts.models import User
from core.bulk import statistics_refresh
from core.demo import DemoContext
from core.exceptions import ApplicationError
from mahalla.models import Territory
from mahalla.services import COUNTRY_CODE
from prevention.models import PeriodApproval

HISTORY = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 8, PeriodKind.YEAR: 2}
# Months approved back from the month before last: the national set's five years of records.
APPROVED_MONTHS = {"tiny": 12, "small": 12, "national": 60}


def seed(ctx: DemoContext) -> None:
    indicators_ensure()
    today = timezone.localdate()
    _seed_period_approvals(ctx, today)
    if ctx.scale != "tiny":
        # The roll-ups below read every table loaded so far.
        statistics_refresh()
    rows = 0
    for kind, count in HISTORY.items():
        current = Period.containing(kind, today)
        for steps in range(count):
            rows += rollup_refresh(period=current.shift(-steps))
    ctx.log(f"Accountability: {rows} roll-up values over {sum(HISTORY.values())} periods.")
    if ctx.scale != "tiny":
        # Again for the roll-ups and approval marks just written, which the dashboard reads.
        statistics_refresh()
    if ctx.scale != "tiny":
        _seed_reports(ctx, today)


def _seed_period_approvals(ctx: DemoContext, today) -> None:
    last_month = Period.containing(PeriodKind.MONTH, today).previous
    months = [last_month.shift(-steps).start for steps in range(1, APPROVED_MONTHS[ctx.scale])]
    districts = list(Territory.objects.filter(kind=Territory.Kind.DISTRICT))
    rows = [
        PeriodApproval(district=district, month=month, state=PeriodApproval.State.ACCEPTED)
        for district in districts
        for month in months
    ] + [
        PeriodApproval(
            district=district, month=last_month.start, state=PeriodApproval.State.SUBMITTED
        )
        for district in districts
        if district.code != DEMO_DISTRICT
    ]
    PeriodApproval.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    ctx.log(
        f"Accountability: {len(months)} months accepted in {len(districts)} districts; "
        f"{last_month.label} submitted by all but the demo district."
    )


def _seed_reports(ctx: DemoContext, today) -> None:
    inspector = User.objects.get(username="inspector")
    mahalla = inspector.memberships.get(role="inspector").territory
    # The latest month and quarter whose figures are approved.
    month = Period.containing(PeriodKind.MONTH, today).shift(-2)
    quarter = Period.containing(PeriodKind.QUARTER, today).previous
    codes = [DEMO_DISTRICT, DEMO_REGION, COUNTRY_CODE]
    nodes = [(mahalla, month)] + [
        (node, quarter) for node in Territory.objects.filter(code__in=codes).order_by("path")
    ]
    made = 0
    try:
        for territory, period in nodes:
            try:
                report_generate(territory=territory, period=period)
            except ApplicationError:
                continue  # not approved yet (last quarter holds last month)
            made += 1
    except OSError as error:
        # WeasyPrint needs the Pango library; without it the portal runs, reports wait.
        ctx.log(f"Accountability: no demo reports (PDF rendering unavailable: {error}).")
        return
    ctx.log(f"Accountability: {made} published reports.")
