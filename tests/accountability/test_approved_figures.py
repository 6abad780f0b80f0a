"""Only approved figures are public (DESIGN.md §6): which nodes' figures of a period are
approved, the marks that the roll-up refresh writes and that a return withdraws at once; the
dashboard and the roll-up API, which give the council and the public approved figures alone
and the MIA every figure, the unapproved ones marked provisional; and the reports, made only of
approved figures and made again, as a new version with its reason, when a period is reopened
and corrected."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from kombu.exceptions import OperationalError as BrokerError

from accountability import services
from accountability.models import ApprovedPeriod, Indicator, PeriodKind, PublicReport, RollUp
from accountability.periods import Period
from accountability.services import (
    approved_node_ids,
    approved_periods_refresh,
    report_generate,
    report_run_batch,
    report_run_start,
    rollup_refresh,
)
from accountability.tasks import period_figures_refresh_task
from core import outbox
from core.exceptions import ApplicationError
from core.models import OutboxTask
from mahalla.models import Territory
from prevention.models import PeriodApproval, PreventionRecord
from prevention.services import (
    period_accept,
    period_approve,
    period_reopen,
    period_return,
    period_submit,
    record_create,
)

pytestmark = pytest.mark.django_db

State = PeriodApproval.State
TODAY = timezone.localdate()
LAST_MONTH = Period.containing(PeriodKind.MONTH, TODAY).previous
LAST_QUARTER = Period.containing(PeriodKind.QUARTER, TODAY).previous
COUNTRY, REGION, DISTRICT = "17", "1726", "1726266"  # the republic, Tashkent, Yunusobod
NEIGHBOUR = "1726264"  # Bektemir, another district of Tashkent
ELSEWHERE = "1703"  # Andijan region
# A quarter and a month before any demo data: what is approved in them is what a test sets.
QUARTER = Period(PeriodKind.QUARTER, date(2019, 4, 1))
APRIL, MAY, JUNE = QUARTER.months
MONTH = Period(PeriodKind.MONTH, MAY)


def node(code: str) -> Territory:
    return Territory.objects.get(code=code)


def set_state(district: Territory, month: date, state: str) -> None:
    PeriodApproval.objects.update_or_create(
        district=district, month=month, defaults={"state": state}
    )


def marked(period: Period) -> set[int]:
    """The nodes whose figures for the period are marked approved."""
    return set(
        ApprovedPeriod.objects.filter(
            period_kind=period.kind, period_start=period.start
        ).values_list("territory_id", flat=True)
    )


@pytest.fixture(autouse=True)
def english():
    """Refusals, reasons and CSV statuses in English, so that their words can be compared."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def district() -> Territory:
    return node(DISTRICT)


@pytest.fixture
def mahalla(district) -> Territory:
    """Yunusobod's mahalla (the tiny demo set has one per district), the demo inspector's."""
    return district.children.get()


@pytest.fixture
def officers(demo_user):
    return {level: demo_user(f"officer.{level}") for level in ("district", "region", "republic")}


def work_off(queue: list[tuple]) -> None:
    """Runs the queued figure refreshes in order, as a worker would, and empties the queue."""
    while queue:
        period_figures_refresh_task(*queue.pop(0))


# --- Which nodes are approved -----------------------------------------------------------------


def test_a_district_is_approved_once_each_month_of_the_period_is_approved_or_accepted(
    approve, district
):
    # given every month of the quarter accepted everywhere, Yunusobod's May approved only
    approve(QUARTER)
    set_state(district, MAY, State.APPROVED)
    # then the district's quarter and each of its months are approved
    assert district.pk in approved_node_ids(period=QUARTER)
    for month in QUARTER.months:
        assert district.pk in approved_node_ids(period=Period(PeriodKind.MONTH, month))
    # when May waits for its region again
    set_state(district, MAY, State.SUBMITTED)
    # then neither May nor the quarter is approved there; April still is
    assert district.pk not in approved_node_ids(period=QUARTER)
    assert district.pk not in approved_node_ids(period=MONTH)
    assert district.pk in approved_node_ids(period=Period(PeriodKind.MONTH, APRIL))
    # and a month never submitted (no row: open) is not approved either
    PeriodApproval.objects.filter(district=district, month=MAY).delete()
    assert district.pk not in approved_node_ids(period=QUARTER)


def test_a_region_and_the_country_are_approved_only_when_all_their_districts_are(approve, district):
    # given the quarter accepted everywhere but in Yunusobod, whose May is submitted
    approve(QUARTER)
    set_state(district, MAY, State.SUBMITTED)
    # when
    ids = approved_node_ids(period=QUARTER)
    # then Tashkent and the republic wait for it; the other districts and regions do not
    assert node(REGION).pk not in ids and node(COUNTRY).pk not in ids
    assert {node(NEIGHBOUR).pk, node(ELSEWHERE).pk} <= ids
    other_regions = Territory.objects.filter(kind=Territory.Kind.REGION).exclude(code=REGION)
    assert set(other_regions.values_list("pk", flat=True)) <= ids
    # when Yunusobod's May is approved by the region
    set_state(district, MAY, State.APPROVED)
    # then so are Tashkent and the republic
    assert {district.pk, node(REGION).pk, node(COUNTRY).pk} <= approved_node_ids(period=QUARTER)


def test_mahallas_follow_their_district(approve, district, mahalla):
    # given
    approve(QUARTER)
    set_state(district, JUNE, State.SUBMITTED)
    neighbours_mahalla = node(NEIGHBOUR).children.get()
    # when
    ids = approved_node_ids(period=QUARTER)
    # then
    assert mahalla.pk not in ids
    assert neighbours_mahalla.pk in ids
    set_state(district, JUNE, State.ACCEPTED)
    assert mahalla.pk in approved_node_ids(period=QUARTER)


def test_a_district_that_did_not_exist_yet_does_not_hold_up_its_region(approve, district):
    # given a district of Tashkent created after the quarter, which has no months in it
    approve(QUARTER)
    neighbour = node(NEIGHBOUR)
    Territory.objects.filter(pk=neighbour.pk).update(valid_from=date(2019, 7, 1))
    PeriodApproval.objects.filter(district=neighbour, month__in=QUARTER.months).delete()
    # when
    ids = approved_node_ids(period=QUARTER)
    # then the region and the republic are approved without it; it has nothing approved
    assert {district.pk, node(REGION).pk, node(COUNTRY).pk} <= ids
    assert neighbour.pk not in ids
    # given it was created in May instead: only May and June count for it
    Territory.objects.filter(pk=neighbour.pk).update(valid_from=date(2019, 5, 10))
    assert node(REGION).pk not in approved_node_ids(period=QUARTER)
    set_state(neighbour, MAY, State.ACCEPTED)
    set_state(neighbour, JUNE, State.APPROVED)
    ids = approved_node_ids(period=QUARTER)
    assert {neighbour.pk, node(REGION).pk, node(COUNTRY).pk} <= ids


def test_the_roll_up_refresh_marks_exactly_the_approved_nodes(approve, district):
    # given the quarter approved, then Yunusobod's May returned to its region
    approve(QUARTER)
    set_state(district, MAY, State.SUBMITTED)
    assert district.pk in marked(QUARTER)  # not yet refreshed
    # when the quarter's roll-ups are computed
    rollup_refresh(period=QUARTER)
    # then the marks are those of the approved nodes, made with the roll-ups
    assert marked(QUARTER) == approved_node_ids(period=QUARTER)
    assert district.pk not in marked(QUARTER)
    computed = set(
        RollUp.objects.filter(period_kind=QUARTER.kind, period_start=QUARTER.start).values_list(
            "computed_at", flat=True
        )
    )
    approved_at = set(
        ApprovedPeriod.objects.filter(
            period_kind=QUARTER.kind, period_start=QUARTER.start
        ).values_list("approved_at", flat=True)
    )
    assert len(computed) == 1 and approved_at == computed
    # when May is approved again and the roll-ups computed again
    set_state(district, MAY, State.APPROVED)
    rollup_refresh(period=QUARTER)
    # then the marks are replaced as a whole, once per node
    assert marked(QUARTER) == approved_node_ids(period=QUARTER)
    assert {district.pk, node(REGION).pk, node(COUNTRY).pk} <= marked(QUARTER)
    assert ApprovedPeriod.objects.filter(
        period_kind=QUARTER.kind, period_start=QUARTER.start
    ).count() == len(marked(QUARTER))


# --- The dashboard and the API ----------------------------------------------------------------

# Figures of May 2019 that nothing else on the pages shows: Yunusobod's, Tashkent's and the
# republic's not yet approved (Yunusobod's May waits for its region), Bektemir's approved.
FIGURES = {
    DISTRICT: (734129, 918273),
    REGION: (624183, 815729),
    COUNTRY: (512347, 703961),
    NEIGHBOUR: (413597, 602851),
}
UNAPPROVED = (DISTRICT, REGION, COUNTRY)
INDICATOR = "mahalla_coverage"  # not from personal records: shown to everyone once approved
# Readers who see figures not yet approved (marked provisional), and those who do not.
MIA = ["officer.district", "officer.republic", "admin"]
OUTSIDE = [None, "council", "commission", "ngo.staff"]


def _tokens(code: str) -> list[str]:
    """How a node's figures appear in a page (grouped), a CSV and the API (plain)."""
    numerator, denominator = FIGURES[code]
    value = Decimal(numerator) / Decimal(denominator) * 100
    return [
        *(f"{number}" for number in (numerator, denominator)),
        *(f"{number:,}" for number in (numerator, denominator)),
        format(value.quantize(Decimal("0.0001")).normalize(), "f"),
    ]


@pytest.fixture
def may_figures(approve, district):
    """May 2019 accepted everywhere but in Yunusobod, whose month is submitted, and a roll-up
    of FIGURES at each of the four nodes."""
    approve(MONTH)
    set_state(district, MAY, State.SUBMITTED)
    approved_periods_refresh(period=MONTH)
    indicator = Indicator.objects.get(code=INDICATOR)
    rows = {}
    for code, (numerator, denominator) in FIGURES.items():
        rows[code] = RollUp.objects.create(
            indicator=indicator,
            territory=node(code),
            period_kind=MONTH.kind,
            period_start=MONTH.start,
            numerator=numerator,
            denominator=denominator,
            value=(Decimal(numerator) / Decimal(denominator) * 100).quantize(Decimal("0.0001")),
            computed_at=timezone.now(),
        )
    return rows


@pytest.fixture
def reader(client, api_client, demo_user):
    """The test client and the API client signed in as a demo account (anonymous for None),
    in English."""

    def sign_in(username: str | None):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        api_client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        if username is not None:
            client.force_login(demo_user(username))
            api_client.force_login(demo_user(username))
        return client, api_client

    return sign_in


def _dashboard(client, code: str) -> dict[str, tuple]:
    """The dashboard of May 2019 at a node: the page (its response and text) and its three
    CSV tables (their rows and text), by name."""
    params = {"node": code, "kind": "month", "period": "2019-05", "indicator": INDICATOR}
    with translation.override("en"):
        page = client.get(reverse("accountability:dashboard"), params)
        assert page.status_code == 200
        shown = {"page": (page, page.content.decode())}
        for table in ("indicators", "children", "trend"):
            response = client.get(
                reverse("accountability:dashboard-csv"), {**params, "table": table}
            )
            assert response.status_code == 200
            text = b"".join(response.streaming_content).decode("utf-8-sig")
            _header, *lines = csv.reader(io.StringIO(text))
            shown[table] = (lines, text)
    return shown


def _rollups(api_client) -> tuple[list[dict], str]:
    response = api_client.get("/api/v1/rollups/", {"kind": "month", "period": "2019-05"})
    assert response.status_code == 200
    return response.json()["results"], response.content.decode()


@pytest.mark.parametrize("username", OUTSIDE)
def test_provisional_figures_never_reach_council_or_public_responses(reader, may_figures, username):
    client, api_client = reader(username)
    # when the dashboards of the republic, Tashkent and Yunusobod are read
    bodies = {code: _dashboard(client, code) for code in (COUNTRY, REGION, DISTRICT)}
    # then no figure of Yunusobod, Tashkent or the republic is in any page or table
    for code, shown in bodies.items():
        for name, (_content, text) in shown.items():
            for withheld in UNAPPROVED:
                for token in _tokens(withheld):
                    assert token not in text, (code, name, withheld, token)
        page = shown["page"][0]
        assert 'data-testid="withheld-note"' in shown["page"][1]
        assert 'data-testid="provisional-note"' not in shown["page"][1]
        assert not page.context["board"].has_provisional
    # ... the withheld cells say so, and Bektemir's approved figure is there for all to see
    [indicator_line] = [line for line in bodies[DISTRICT]["indicators"][0] if line[0] == INDICATOR]
    assert indicator_line[-1] == "not yet approved" and indicator_line[3] == ""
    ranking = {line[1]: line for line in bodies[REGION]["children"][0]}
    assert ranking[DISTRICT][3:] == ["", "", "", "not yet approved"]
    assert ranking[NEIGHBOUR][4:] == [str(n) for n in FIGURES[NEIGHBOUR]] + ["approved"]
    assert "413,597" in bodies[REGION]["page"][1]
    # and the API serves Bektemir's roll-up alone; the others are not found
    rows, text = _rollups(api_client)
    assert [row["id"] for row in rows] == [may_figures[NEIGHBOUR].pk]
    assert rows[0]["provisional"] is False
    for withheld in UNAPPROVED:
        assert not any(token in text for token in _tokens(withheld))
        detail = api_client.get(f"/api/v1/rollups/{may_figures[withheld].pk}/")
        assert detail.status_code == 404


@pytest.mark.parametrize("username", MIA)
def test_the_mia_sees_figures_not_yet_approved_marked_provisional(reader, may_figures, username):
    client, api_client = reader(username)
    # when
    bodies = {code: _dashboard(client, code) for code in (COUNTRY, REGION, DISTRICT)}
    # then each node's figure is on its page, marked, with the note
    for code, shown in bodies.items():
        page, content = shown["page"]
        assert f"{FIGURES[code][0]:,}" in content
        assert 'data-testid="provisional-note"' in content
        (row,) = [r for r in page.context["board"].rows if r.indicator.code == INDICATOR]
        assert row.figure.provisional and row.figure.numerator == FIGURES[code][0]
        [line] = [line for line in shown["indicators"][0] if line[0] == INDICATOR]
        assert (line[6], line[-1]) == (str(FIGURES[code][0]), "provisional")
        assert shown["trend"][0][-1][-1] == "provisional"  # May, the last of the trend
    # ... Yunusobod's in Tashkent's ranking provisional, Bektemir's approved
    ranking = {line[1]: line for line in bodies[REGION]["children"][0]}
    assert ranking[DISTRICT][4:] == [str(n) for n in FIGURES[DISTRICT]] + ["provisional"]
    assert ranking[NEIGHBOUR][-1] == "approved"
    regions = {line[1]: line for line in bodies[COUNTRY]["children"][0]}
    assert regions[REGION][-1] == "provisional"
    # and the API serves all four, the three unapproved ones marked provisional
    rows, _text = _rollups(api_client)
    provisional = {row["territory"]["code"]: row["provisional"] for row in rows}
    assert provisional == {DISTRICT: True, REGION: True, COUNTRY: True, NEIGHBOUR: False}
    assert {row["territory"]["code"]: Decimal(row["numerator"]) for row in rows} == {
        code: Decimal(numerator) for code, (numerator, _denominator) in FIGURES.items()
    }


@pytest.mark.parametrize("username", OUTSIDE + MIA)
def test_once_approved_everyone_sees_the_figures_not_provisional(
    reader, may_figures, district, username
):
    # given Yunusobod's May approved by its region, and the month's marks refreshed
    set_state(district, MAY, State.APPROVED)
    approved_periods_refresh(period=MONTH)
    client, api_client = reader(username)
    # when
    bodies = {code: _dashboard(client, code) for code in (COUNTRY, REGION, DISTRICT)}
    # then
    for code, shown in bodies.items():
        page, content = shown["page"]
        assert f"{FIGURES[code][0]:,}" in content
        (row,) = [r for r in page.context["board"].rows if r.indicator.code == INDICATOR]
        assert not row.figure.provisional and not row.figure.withheld
        assert row.figure.numerator == FIGURES[code][0]
        [line] = [line for line in shown["indicators"][0] if line[0] == INDICATOR]
        assert (line[6], line[-1]) == (str(FIGURES[code][0]), "approved")
        assert shown["trend"][0][-1][-1] == "approved"
    ranking = {line[1]: line for line in bodies[REGION]["children"][0]}
    assert ranking[DISTRICT][4:] == [str(n) for n in FIGURES[DISTRICT]] + ["approved"]
    rows, _text = _rollups(api_client)
    assert {row["territory"]["code"]: row["provisional"] for row in rows} == dict.fromkeys(
        FIGURES, False
    )


# --- Returns and approvals --------------------------------------------------------------------


@pytest.fixture
def accepted_month(approve) -> date:
    """The first month of last quarter, accepted everywhere, with the quarter."""
    approve(Period(PeriodKind.MONTH, LAST_QUARTER.start), LAST_QUARTER)
    return LAST_QUARTER.start


def _chain(district: Territory) -> set[int]:
    """The district, its mahallas, its region and the republic."""
    return {
        district.pk,
        *district.children.values_list("pk", flat=True),
        district.parent_id,
        district.parent.parent_id,
    }


def test_a_returned_month_is_withdrawn_at_once_and_marked_again_once_approved(
    accepted_month,
    district,
    officers,
    figures_queue,
    api_client,
    django_capture_on_commit_callbacks,
):
    # given the month's and the quarter's figures approved along Yunusobod's chain
    month = Period(PeriodKind.MONTH, accepted_month)
    chain = _chain(district)
    untouched = {node(NEIGHBOUR).pk, node(ELSEWHERE).pk}
    for period in (month, LAST_QUARTER):
        assert chain | untouched <= marked(period)
    # when the republic returns the accepted month to the region
    with django_capture_on_commit_callbacks(execute=True):
        period_return(
            district=district, month=accepted_month, by=officers["republic"], message="Qayta."
        )
    # then, once committed, the chain's figures of the month and its quarter are withdrawn
    for period in (month, LAST_QUARTER):
        assert not chain & marked(period)
        assert untouched <= marked(period)
    rows = api_client.get(
        "/api/v1/rollups/", {"node": district.pk, "kind": "month", "period": f"{month.start:%Y-%m}"}
    ).json()["results"]
    assert rows == []
    # ... and one refresh of the district's month is queued
    [(district_id, queued_month, changed_at)] = figures_queue
    assert (district_id, queued_month) == (district.pk, accepted_month.isoformat())
    assert datetime.fromisoformat(changed_at) <= timezone.now()
    # when the region approves it again: queued, not yet public
    with django_capture_on_commit_callbacks(execute=True):
        period_approve(district=district, month=accepted_month, by=officers["region"])
    assert len(figures_queue) == 2
    assert not chain & marked(month)
    # ... until the queued refreshes run
    work_off(figures_queue)
    # then the month and the quarter are marked again along the chain
    for period in (month, LAST_QUARTER):
        assert chain | untouched <= marked(period)


def test_only_a_move_into_or_out_of_an_approved_state_queues_a_refresh(
    district, officers, figures_queue, django_capture_on_commit_callbacks
):
    # given last month open in Yunusobod and submitted by the rest of Tashkent
    month = LAST_MONTH.start
    PeriodApproval.objects.filter(district=district, month=month).delete()
    for other in node(REGION).children.exclude(pk=district.pk):
        set_state(other, month, State.SUBMITTED)

    def act(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            service(district=district, month=month, **kwargs)
        return len(figures_queue)

    # when the month is submitted, reopened, submitted again and returned by the region
    assert act(period_submit, by=officers["district"]) == 0
    assert act(period_reopen, by=officers["district"], reason="Xato.") == 0
    assert act(period_submit, by=officers["district"]) == 0
    assert act(period_return, by=officers["region"], message="Tuzating.") == 0
    assert act(period_submit, by=officers["district"]) == 0
    # then nothing is queued; once approved, accepted and returned, a refresh each time
    assert act(period_approve, by=officers["region"]) == 1
    PeriodApproval.objects.filter(month=month).exclude(district=district).update(
        state=State.APPROVED
    )
    for other in Territory.objects.filter(kind=Territory.Kind.DISTRICT).exclude(
        pk__in=PeriodApproval.objects.filter(month=month).values("district")
    ):
        set_state(other, month, State.APPROVED)
    assert act(period_accept, by=officers["republic"]) == 2
    assert act(period_return, by=officers["republic"], message="Tekshiring.") == 3
    # ... and the region's return of the month now submitted to it again queues nothing
    assert act(period_return, by=officers["region"], message="Yana.") == 3
    assert {args[:2] for args in figures_queue} == {(district.pk, month.isoformat())}


def test_a_broker_that_is_down_does_not_undo_the_return(
    accepted_month, district, officers, django_capture_on_commit_callbacks
):
    # given
    month = Period(PeriodKind.MONTH, accepted_month)
    # when the refresh cannot be sent to the broker
    with (
        patch.object(outbox, "_broker_send", side_effect=BrokerError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        period_return(
            district=district, month=accepted_month, by=officers["republic"], message="Qayta."
        )
    # then the month is returned and its figures withdrawn all the same
    assert PeriodApproval.objects.get(district=district, month=accepted_month).state == (
        State.SUBMITTED
    )
    assert not _chain(district) & marked(month)
    # ... and the refresh waits in the outbox for the relay
    waiting = OutboxTask.objects.get(task=period_figures_refresh_task.name, sent_at__isnull=True)
    assert waiting.args[:2] == [district.pk, accepted_month.isoformat()]
    assert (waiting.attempts, waiting.last_error) == (1, "OperationalError: down")


# --- Reports ----------------------------------------------------------------------------------


def test_a_report_of_figures_not_approved_is_refused(district, mahalla, media):
    # given last month waiting for the region in Yunusobod (open there in the demo)
    set_state(district, LAST_MONTH.start, State.SUBMITTED)
    approved_periods_refresh(period=LAST_MONTH)
    quarter = Period.containing(PeriodKind.QUARTER, LAST_MONTH.start)
    before = PublicReport.objects.count()
    # when / then
    for territory, period in ((mahalla, LAST_MONTH), (district, quarter), (district, LAST_MONTH)):
        with pytest.raises(ApplicationError, match="not approved yet"):
            report_generate(territory=territory, period=period)
    assert PublicReport.objects.count() == before
    assert not any(media.iterdir())


def test_a_report_run_makes_only_the_reports_of_approved_nodes(district):
    # given last month approved in two districts of Tashkent only
    month = LAST_MONTH.start
    PeriodApproval.objects.filter(month=month, state__in=PeriodApproval.FINAL_STATES).update(
        state=State.SUBMITTED
    )
    approved = [district, node(NEIGHBOUR)]
    for place in approved:
        set_state(place, month, State.ACCEPTED)
    approved_periods_refresh(period=LAST_MONTH)
    mahallas = Territory.objects.filter(parent__in=approved, kind=Territory.Kind.MAHALLA)
    # when the mahallas' run of the month is worked off
    run = report_run_start(period=LAST_MONTH, level=Territory.Kind.MAHALLA)
    assert run.total == mahallas.count() == 2
    while report_run_batch(run=run):
        run.refresh_from_db()
    # then only their reports are made
    reports = PublicReport.objects.filter(period_kind=LAST_MONTH.kind, period_start=month)
    assert set(reports.values_list("territory", flat=True)) == set(
        mahallas.values_list("pk", flat=True)
    )
    run.refresh_from_db()
    assert (run.state, run.done) == ("done", 2)


def test_a_report_of_a_period_reopened_and_changed_is_made_again_as_a_new_version(
    accepted_month,
    district,
    mahalla,
    officers,
    demo_user,
    figures_queue,
    client,
    django_capture_on_commit_callbacks,
):
    # given the month's report of Yunusobod's mahalla and the quarter's of Yunusobod
    month = Period(PeriodKind.MONTH, accepted_month)
    first = {
        "mahalla": report_generate(territory=mahalla, period=month),
        "district": report_generate(territory=district, period=LAST_QUARTER),
    }
    inspector = demo_user("inspector").inspector
    record = {
        "kind": PreventionRecord.Kind.GENERAL,
        "measure": PreventionRecord.Measure.PREVENTIVE_TALK,
        "mahalla": mahalla,
        "date": accepted_month.replace(day=15),
        "summary": "Kechikkan yozuv.",
        "people_reached": 12,
    }
    with pytest.raises(ApplicationError, match="locked"):
        record_create(inspector=inspector, **record)
    # when the month goes back to the district (the republic returns it to the region, the
    # region to the district), whose refreshes the worker runs
    for by in (officers["republic"], officers["region"]):
        with django_capture_on_commit_callbacks(execute=True):
            period_return(district=district, month=accepted_month, by=by, message="Qayta.")
    work_off(figures_queue)
    # then nothing is published meanwhile
    assert PublicReport.objects.filter(territory__in=[mahalla, district]).count() == 2
    # when a late record is filed in the reopened month, which is then submitted and approved
    record_create(inspector=inspector, **record)
    for service, by in ((period_submit, "district"), (period_approve, "region")):
        with django_capture_on_commit_callbacks(execute=True):
            service(district=district, month=accepted_month, by=officers[by])
    assert len(figures_queue) == 1
    work_off(figures_queue)
    # then each report has a second version, with another digest and the reason
    reason = gettext("The period was reopened and corrected: its figures changed.")
    for name, territory, period in (
        ("mahalla", mahalla, month),
        ("district", district, LAST_QUARTER),
    ):
        versions = list(
            PublicReport.objects.filter(
                territory=territory, period_kind=period.kind, period_start=period.start
            ).order_by("version")
        )
        assert [report.version for report in versions] == [1, 2], name
        old, new = versions
        assert old.pk == first[name].pk and old.html_sha256 == first[name].html_sha256
        assert new.html_sha256 != old.html_sha256 and new.csv_sha256 != old.csv_sha256
        assert new.reason == reason
    # ... and the archive lists both, the newer with its reason
    response = client.get(reverse("accountability:report-archive"), {"territory": mahalla.code})
    assert [report.version for report in response.context["page"].items] == [2, 1]
    assert escape(reason) in response.content.decode()


def test_a_refresh_that_failed_computes_the_roll_ups_when_retried(accepted_month, district):
    # given a refresh whose roll-up computation fails (a database error: the task retries)
    changed_at = timezone.now()
    calls = []

    def failing_once(*, period):
        calls.append(period)
        if len(calls) == 1:
            raise OperationalError("connection lost")
        return 0

    with patch.object(services, "rollup_refresh", side_effect=failing_once):
        with pytest.raises(OperationalError):
            services.period_figures_refresh(
                district=district, month=accepted_month, changed_at=changed_at
            )
        # when the task is retried with the same arguments
        services.period_figures_refresh(
            district=district, month=accepted_month, changed_at=changed_at
        )
    # then the month's roll-ups are computed on the retry
    assert calls.count(Period(PeriodKind.MONTH, accepted_month)) == 2
