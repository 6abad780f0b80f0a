"""Roll-ups and reports across boundary changes: a period follows the tree as it was at its
end, with the populations in force then; a merge changes no record and no past report."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.measures import MEASURES, measure_rows_under, measure_values
from accountability.models import PeriodKind, PublicReport, RollUp
from accountability.periods import Period
from accountability.services import report_generate, rollup_refresh
from mahalla.models import Territory
from mahalla.services import mahalla_move, mahallas_merge, territory_counts_refresh
from prevention.models import Inspector, PeriodApproval, PreventionRecord
from tests.mahalla.factories import MahallaFactory
from tests.prevention.factories import PreventionRecordFactory

pytestmark = pytest.mark.django_db

# A past year: no period of it is locked unless a test approves it.
JANUARY = Period(PeriodKind.MONTH, date(2019, 1, 1))
FEBRUARY = Period(PeriodKind.MONTH, date(2019, 2, 1))
APRIL = Period(PeriodKind.MONTH, date(2019, 4, 1))
Q1 = Period(PeriodKind.QUARTER, date(2019, 1, 1))
ACT = {"act_number": "PQ-77", "act_date": date(2019, 2, 25)}
RECORDS = "records_general_per_10k"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def yunusobod() -> Territory:
    return Territory.objects.get(code="1726266")


@pytest.fixture
def andijon_district() -> Territory:
    """A district of another region."""
    return Territory.objects.get(code="1703202")


@pytest.fixture
def inspector() -> Inspector:
    return Inspector.objects.first()


def _mahalla(district: Territory, population: int) -> Territory:
    mahalla = MahallaFactory(parent=district, population=population)
    territory_counts_refresh()
    return mahalla


def _rollup(code: str, node: Territory, period: Period) -> RollUp:
    return RollUp.objects.get(
        indicator__code=code, territory=node, period_kind=period.kind, period_start=period.start
    )


def _others(node: Territory, period: Period, mahalla: Territory) -> int:
    """The general records of the period under the node, the moved mahalla's left out."""
    return (
        PreventionRecord.objects.filter(
            kind=PreventionRecord.Kind.GENERAL,
            date__gte=period.start,
            date__lte=period.end,
            mahalla__path__startswith=node.path,
        )
        .exclude(mahalla=mahalla)
        .count()
    )


def test_a_mahalla_moved_in_march_counts_under_its_old_district_before_and_its_new_one_after(
    yunusobod, andijon_district, inspector
):
    # given a mahalla of 10,000 residents with a record in January and one in April
    mahalla = _mahalla(yunusobod, 10_000)
    for day in (date(2019, 1, 15), date(2019, 4, 10)):
        PreventionRecordFactory(mahalla=mahalla, inspector=inspector, date=day)
    old_side = [yunusobod, yunusobod.parent]
    new_side = [andijon_district, andijon_district.parent]
    for node in [*old_side, *new_side]:
        node.refresh_from_db()
    populations = {node.pk: node.population for node in [*old_side, *new_side]}
    # when it moves to a district of another region from 1 March
    mahalla_move(mahalla=mahalla, district=andijon_district, effective_on=date(2019, 3, 1), **ACT)
    for period in (JANUARY, APRIL, Q1):
        rollup_refresh(period=period)
    # then January follows the old tree, April and the first quarter (at its end) the new one
    for period, here, away in ((JANUARY, old_side, new_side), (APRIL, new_side, old_side)):
        for node in here:
            row = _rollup(RECORDS, node, period)
            assert row.numerator == _others(node, period, mahalla) + 1, (node, period)
        for node in away:
            row = _rollup(RECORDS, node, period)
            assert row.numerator == _others(node, period, mahalla), (node, period)
    assert (
        _rollup(RECORDS, andijon_district, Q1).numerator
        == _others(andijon_district, Q1, mahalla) + 1
    )
    assert _rollup(RECORDS, yunusobod, Q1).numerator == _others(yunusobod, Q1, mahalla)
    country = yunusobod.parent.parent
    assert _rollup(RECORDS, country, JANUARY).numerator == _others(country, JANUARY, mahalla) + 1
    # the mahalla's own figures are its own records, wherever it was
    assert _rollup(RECORDS, mahalla, JANUARY).numerator == 1
    assert _rollup(RECORDS, mahalla, APRIL).numerator == 1
    # the residents per 10,000 are those in force in the period
    for node in old_side:
        assert _rollup(RECORDS, node, JANUARY).denominator == populations[node.pk]
        assert _rollup(RECORDS, node, APRIL).denominator == populations[node.pk] - 10_000
    for node in new_side:
        assert _rollup(RECORDS, node, JANUARY).denominator == populations[node.pk]
        assert _rollup(RECORDS, node, APRIL).denominator == populations[node.pk] + 10_000
    row = _rollup(RECORDS, yunusobod, JANUARY)
    assert row.value == (row.numerator / row.denominator * 10_000).quantize(Decimal("0.0001"))
    # the mahallas counted under a district are those of the tree at the period's end
    mahallas = MEASURES["mahallas"]
    counted_before = yunusobod.mahalla_count  # read before the move, the mahalla with them
    assert measure_values(mahallas, JANUARY)[yunusobod.path] == counted_before
    assert measure_values(mahallas, APRIL).get(yunusobod.path, 0) == counted_before - 1
    # and a report's counts use the same tree as the roll-ups
    for period, node in ((JANUARY, yunusobod), (APRIL, andijon_district)):
        rows = measure_rows_under("records_general", period, node)
        assert rows.count() == _rollup(RECORDS, node, period).numerator
    assert measure_rows_under("records_general", JANUARY, mahalla).count() == 1
    assert (
        measure_rows_under("records_general", JANUARY, andijon_district)
        .filter(mahalla=mahalla)
        .count()
        == 0
    )


def test_roll_ups_cost_the_same_number_of_queries_with_moved_mahallas(
    yunusobod, andijon_district, django_assert_num_queries
):
    # given the number of queries of a month's roll-up before any move
    with CaptureQueriesContext(connection) as before:
        rollup_refresh(period=JANUARY)
    # when two mahallas have moved since
    for _ in range(2):
        mahalla_move(
            mahalla=_mahalla(yunusobod, 1000),
            district=andijon_district,
            effective_on=date(2019, 3, 1),
            **ACT,
        )
    # then the moved mahallas' rows are placed in the same queries: no join, no query per node
    with django_assert_num_queries(len(before)):
        rollup_refresh(period=JANUARY)


def _approve(district: Territory, *months: date) -> None:
    """The region has approved the district's months: their figures are published."""
    for month in months:
        PeriodApproval.objects.update_or_create(
            district=district, month=month, defaults={"state": PeriodApproval.State.ACCEPTED}
        )


def _record_ids(mahalla: Territory) -> set[int]:
    return set(PreventionRecord.objects.filter(mahalla=mahalla).values_list("pk", flat=True))


def _reports() -> list[tuple]:
    return list(
        PublicReport.objects.order_by("pk").values_list(
            "pk", "territory", "version", "html_sha256", "pdf_sha256", "csv_sha256"
        )
    )


def _rollups(*periods: Period) -> list[tuple]:
    return list(
        RollUp.objects.filter(
            period_kind__in=[p.kind for p in periods],
            period_start__in=[p.start for p in periods],
        )
        .order_by("indicator", "territory", "period_kind", "period_start")
        .values_list("indicator", "territory", "period_kind", "numerator", "denominator", "value")
    )


def test_a_merge_keeps_every_record_and_every_past_report(yunusobod, inspector):
    # given two mahallas with records in February, and the published reports of the month
    # (each mahalla) and of the first quarter (their district)
    a, b = _mahalla(yunusobod, 3000), _mahalla(yunusobod, 5000)
    for mahalla, count in ((a, 3), (b, 2)):
        for _ in range(count):
            PreventionRecordFactory(mahalla=mahalla, inspector=inspector, date=date(2019, 2, 12))
    _approve(yunusobod, date(2019, 1, 1), date(2019, 2, 1), date(2019, 3, 1))
    for period in (FEBRUARY, Q1):
        rollup_refresh(period=period)
    reports = [
        report_generate(territory=a, period=FEBRUARY),
        report_generate(territory=b, period=FEBRUARY),
        report_generate(territory=yunusobod, period=Q1),
    ]
    published, figures = _reports(), _rollups(FEBRUARY, Q1)
    records = {mahalla.pk: _record_ids(mahalla) for mahalla in (a, b)}
    # when they merge from April
    mahallas_merge(mahallas=[a, b], into=b, effective_on=date(2019, 4, 1), **ACT)
    # then every record is still on its mahalla
    assert {mahalla.pk: _record_ids(mahalla) for mahalla in (a, b)} == records
    # the published reports are as they were
    assert _reports() == published
    # the past periods' figures computed again are the same
    for period in (FEBRUARY, Q1):
        rollup_refresh(period=period)
    assert _rollups(FEBRUARY, Q1) == figures
    # and the reports made again are the same ones: nothing new
    again = [
        report_generate(territory=a, period=FEBRUARY),
        report_generate(territory=b, period=FEBRUARY),
        report_generate(territory=yunusobod, period=Q1),
    ]
    assert [r.pk for r in again] == [r.pk for r in reports]
    assert _reports() == published
    assert _rollup(RECORDS, a, FEBRUARY).numerator == 3
    assert _rollup(RECORDS, b, FEBRUARY).denominator == 5000


def test_the_dashboard_lists_the_children_of_the_period_and_notes_the_change_in_the_trend(
    client, demo_user, yunusobod, andijon_district
):
    # given a mahalla of Yunusobod moved to a district of Andijan from 1 March
    mahalla = _mahalla(yunusobod, 10_000)
    mahalla_move(mahalla=mahalla, district=andijon_district, effective_on=date(2019, 3, 1), **ACT)
    client.force_login(demo_user("officer.republic"))

    def ranked(node: Territory, period: Period) -> str:
        response = client.get(
            "/accountability/dashboard/",
            {"node": node.code, "kind": "month", "period": f"{period.start:%Y-%m}"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        return response.content.decode()

    # then January's ranking of Yunusobod lists it, April's lists it under the new district
    january = ranked(yunusobod, JANUARY)
    assert f'data-code="{mahalla.code}"' in january
    assert f'data-code="{mahalla.code}"' not in ranked(yunusobod, APRIL)
    april = ranked(andijon_district, APRIL)
    assert f'data-code="{mahalla.code}"' in april
    assert f'data-code="{mahalla.code}"' not in ranked(andijon_district, JANUARY)
    # and the trends holding March note the change, with its legal act, on both sides
    for page in (april, ranked(yunusobod, APRIL)):
        assert 'data-testid="boundary-change"' in page
        assert "PQ-77" in page
        assert "†" in page
    assert 'data-testid="boundary-change"' not in ranked(yunusobod, FEBRUARY)
