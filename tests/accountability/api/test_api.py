"""The accountability API: the indicator catalogue, the roll-ups (their values, filters, the
approved ones alone outside the MIA and the suppression of small counts), the report runs
(administrators only) and the published reports with their files, their query counts and the
schema."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation

from accountability.measures import MEASURES
from accountability.models import (
    ApprovedPeriod,
    Indicator,
    PeriodKind,
    PublicReport,
    ReportRun,
    RollUp,
)
from accountability.periods import Period
from accountability.tasks import report_run_batch_task
from core.models import OutboxTask
from mahalla.models import Territory

pytestmark = pytest.mark.django_db

API = "/api/v1"
TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CSV = b"indicator;value\nmahalla_coverage;42.5\n"
# A month no demo data reaches, for roll-up rows made by the tests themselves.
EMPTY_MONTH = Period(PeriodKind.MONTH, date(2000, 1, 1))
PERSONAL = "register_exits_ngo"  # counted from personal records, with a denominator
NOT_PERSONAL = "mahalla_coverage"


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _all_rows(client, url: str, params: dict | None = None) -> list[dict]:
    """Every row of a list, following the cursor through all its pages."""
    response = client.get(url, {"page_size": 200, **(params or {})})
    rows = []
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = client.get(body["next"])


def _approved(queryset):
    """The roll-ups whose node's period is approved: all that reach callers outside the MIA."""
    return queryset.filter(
        Exists(
            ApprovedPeriod.objects.filter(
                territory=OuterRef("territory"),
                period_kind=OuterRef("period_kind"),
                period_start=OuterRef("period_start"),
            )
        )
    )


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _download(response) -> bytes:
    content = b"".join(response.streaming_content)
    response.close()
    return content


@pytest.fixture
def as_user(api_client, demo_user):
    """Signs the API client in as a demo account (or leaves it anonymous for None); answers
    come in English."""

    def login(username: str | None):
        api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        if username is not None:
            api_client.force_login(demo_user(username))
        return api_client

    return login


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def district() -> Territory:
    """Yunusobod, the demo officer's district."""
    return Territory.objects.get(code="1726266")


@pytest.fixture
def mahallas(district) -> list[Territory]:
    """The district's mahalla (the tiny demo set has one) and two elsewhere."""
    mahallas = Territory.objects.filter(kind=Territory.Kind.MAHALLA).order_by("path")
    return [*mahallas.filter(parent=district)[:1], *mahallas.exclude(parent=district)[:2]]


# --- Indicators -----------------------------------------------------------------------------


def test_indicators_are_public_and_only_those_in_use(as_user):
    retired = Indicator.objects.get(code="average_rating")
    retired.is_active = False
    retired.save(update_fields=["is_active"])

    rows = _results(as_user(None).get(f"{API}/indicators/", {"page_size": 200}))

    expected = Indicator.objects.filter(is_active=True).order_by("order", "code")
    assert [row["code"] for row in rows] == [i.code for i in expected]
    assert "average_rating" not in {row["code"] for row in rows}
    assert as_user(None).get(f"{API}/indicators/average_rating/").status_code == 404


def test_an_indicator_in_the_request_language_with_its_measures(as_user):
    indicator = Indicator.objects.get(code=PERSONAL)
    indicator.description_en = "People taken off the register after work with an NGO."
    indicator.description_ru = "Снятые с учёта после работы с ННО."
    indicator.save(update_fields=["description_en", "description_ru"])
    client = as_user(None)

    english = client.get(f"{API}/indicators/{PERSONAL}/").json()
    russian = client.get(f"{API}/indicators/{PERSONAL}/", HTTP_ACCEPT_LANGUAGE="ru").json()

    assert english == {
        "code": PERSONAL,
        "name": indicator.name_en,
        "description": "People taken off the register after work with an NGO.",
        "numerator": indicator.numerator,
        "numerator_label": _english(MEASURES[indicator.numerator].label),
        "denominator": indicator.denominator,
        "denominator_label": _english(MEASURES[indicator.denominator].label),
        "factor": f"{indicator.factor:.2f}",
        "unit": "percent",
        "unit_label": "%",
        "better": indicator.better,
        "from_personal_records": True,
    }
    assert (russian["name"], russian["description"]) == (
        indicator.name_ru,
        "Снятые с учёта после работы с ННО.",
    )
    with translation.override("ru"):
        assert russian["numerator_label"] == str(MEASURES[indicator.numerator].label)
    assert russian["numerator_label"] != english["numerator_label"]


def _english(text) -> str:
    # The test client leaves the last request's language active in this thread.
    with translation.override("en"):
        return str(text)


def test_a_count_has_no_denominator(as_user):
    indicator = Indicator.objects.get(code="incentive_amount")
    row = as_user(None).get(f"{API}/indicators/incentive_amount/").json()
    assert indicator.denominator == ""
    assert (row["denominator"], row["denominator_label"]) == (None, None)
    assert row["unit"] == indicator.unit


# --- Roll-ups: values and filters -----------------------------------------------------------


@pytest.mark.parametrize("username", [None, "officer.republic"])
def test_rollups_are_public_and_equal_the_rows(as_user, district, username):
    # when
    rows = _all_rows(
        as_user(username),
        f"{API}/rollups/",
        {"node": district.pk, "indicator": NOT_PERSONAL},
    )
    # then the public receives the approved rows, the MIA every row, marked provisional where
    # it is not approved (the demo leaves last month and the current periods unapproved)
    stored = RollUp.objects.filter(territory=district, indicator__code=NOT_PERSONAL)
    approved = set(_approved(stored).values_list("pk", flat=True))
    assert 0 < len(approved) < stored.count()
    if username is None:
        assert sorted(row["id"] for row in rows) == sorted(approved)
    else:
        assert len(rows) == stored.count()
    assert {row["id"]: row["provisional"] for row in rows} == {
        row["id"]: row["id"] not in approved for row in rows
    }
    by_id = {rollup.pk: rollup for rollup in stored}
    for row in rows:
        rollup = by_id[row["id"]]
        assert row["indicator"] == NOT_PERSONAL
        assert row["territory"] == {
            "id": district.pk,
            "code": "1726266",
            "kind": "district",
            "name": district.name_en,
        }
        assert (row["period_kind"], row["period_start"]) == (
            rollup.period_kind,
            rollup.period_start.isoformat(),
        )
        assert row["period_label"] == Period(rollup.period_kind, rollup.period_start).label
        assert (
            _decimal(row["numerator"]),
            _decimal(row["denominator"]),
            _decimal(row["value"]),
        ) == (rollup.numerator, rollup.denominator, rollup.value)
        assert row["suppressed"] is False


def test_period_labels_in_words(as_user, district, approve):
    client = as_user(None)
    quarter = Period.containing(PeriodKind.QUARTER, TODAY)
    approve(quarter)
    params = {"node": district.pk, "indicator": NOT_PERSONAL, "kind": "quarter"}
    [row] = _results(client.get(f"{API}/rollups/", {**params, "period": quarter.start}))
    assert row["period_label"] == f"Q{(quarter.start.month - 1) // 3 + 1} {quarter.start.year}"


def test_rollups_of_an_indicator_no_longer_in_use_are_not_served(as_user, district):
    # Quarters: the demo's accepted months hold two approved ones at least.
    query = {"node": district.pk, "kind": "quarter"}
    before = {row["indicator"] for row in _all_rows(as_user(None), f"{API}/rollups/", query)}
    Indicator.objects.filter(code=NOT_PERSONAL).update(is_active=False)

    after = {row["indicator"] for row in _all_rows(as_user(None), f"{API}/rollups/", query)}

    assert NOT_PERSONAL in before
    assert after == before - {NOT_PERSONAL}


MONTH = Period.containing(PeriodKind.MONTH, TODAY)
LAST_QUARTER = Period.containing(PeriodKind.QUARTER, TODAY).previous
YEAR = Period.containing(PeriodKind.YEAR, TODAY)


def _periods(*periods: Period) -> Q:
    condition = Q(pk__in=[])
    for period in periods:
        condition |= Q(period_kind=period.kind, period_start=period.start)
    return condition


# filter name: (the query, the rows expected), given the demo district
FILTERS = {
    "indicator, kind and period": (
        lambda d: {"indicator": NOT_PERSONAL, "kind": "month", "period": f"{MONTH.start:%Y-%m}"},
        lambda d: Q(indicator__code=NOT_PERSONAL) & _periods(MONTH),
    ),
    "node and kind": (
        lambda d: {"node": d.pk, "kind": "quarter"},
        lambda d: Q(territory=d, period_kind="quarter"),
    ),
    "under, indicator and kind": (
        lambda d: {"under": d.pk, "indicator": NOT_PERSONAL, "kind": "year"},
        lambda d: (
            Q(territory__in=[d, *d.children.all()], indicator__code=NOT_PERSONAL)
            & Q(period_kind="year")
        ),
    ),
    "level and indicator": (
        lambda d: {"level": "region", "indicator": "records_general_per_10k"},
        lambda d: Q(territory__depth=1, indicator__code="records_general_per_10k"),
    ),
    "node and a day: the month, quarter and year holding it": (
        lambda d: {"node": d.pk, "period": LAST_QUARTER.end.isoformat()},
        lambda d: (
            Q(territory=d)
            & _periods(
                Period.containing(PeriodKind.MONTH, LAST_QUARTER.end),
                LAST_QUARTER,
                Period.containing(PeriodKind.YEAR, LAST_QUARTER.end),
            )
        ),
    ),
    "node, kind and a day: the quarter holding it": (
        lambda d: {"node": d.pk, "kind": "quarter", "period": LAST_QUARTER.end.isoformat()},
        lambda d: Q(territory=d) & _periods(LAST_QUARTER),
    ),
    "node, indicator and a range": (
        lambda d: {
            "node": d.pk,
            "indicator": NOT_PERSONAL,
            "period_from": f"{LAST_QUARTER.start:%Y-%m}",
            "period_to": LAST_QUARTER.end.isoformat(),
        },
        lambda d: (
            Q(territory=d, indicator__code=NOT_PERSONAL)
            & Q(period_start__gte=LAST_QUARTER.start, period_start__lte=LAST_QUARTER.end)
        ),
    ),
}


@pytest.mark.parametrize("username", [None, "officer.republic"])
@pytest.mark.parametrize("name", FILTERS)
def test_rollup_filters_return_exactly_the_rows(as_user, district, name, username):
    query, keeps = FILTERS[name]

    rows = _all_rows(as_user(username), f"{API}/rollups/", query(district))

    matching = RollUp.objects.filter(keeps(district))
    assert matching.exists()
    # The MIA receives every row, the public the approved ones.
    expected = list((matching if username else _approved(matching)).values_list("pk", flat=True))
    # All of them and no others, in the cursor's order (by id).
    assert [row["id"] for row in rows] == sorted(expected)
    assert len(expected) < RollUp.objects.count() / 20


def test_a_level_of_the_whole_country(as_user, approve):
    approve(YEAR)
    query = {"level": "country", "kind": "year", "period": f"{YEAR.start:%Y-%m}"}

    rows = _all_rows(as_user(None), f"{API}/rollups/", query)

    expected = RollUp.objects.filter(
        territory__depth=0, period_kind="year", period_start=YEAR.start
    )
    assert [row["id"] for row in rows] == sorted(expected.values_list("pk", flat=True))
    assert {row["territory"]["code"] for row in rows} == {"17"}
    assert len(rows) == Indicator.objects.filter(rollups__in=expected).distinct().count() > 5


@pytest.mark.parametrize(
    "period", ["2026", "abc", "2026-13", "2026-1", "2026-02-30", "2026-11-01T00:00", "26-11"]
)
def test_a_malformed_period_is_a_400_with_a_message(as_user, period):
    client = as_user(None)
    for name in ("period", "period_from", "period_to"):
        response = client.get(f"{API}/rollups/", {name: period})
        assert response.status_code == 400, (name, period)
        assert "YYYY-MM" in response.json()[name][0]
    reports = client.get(f"{API}/reports/", {"period": period})
    assert reports.status_code == 400


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"indicator": "no_such_thing"}, "indicator", "There is no indicator “no_such_thing”"),
        ({"node": 987654321}, "node", "There is no territory with id 987654321"),
        ({"under": "abc"}, "under", "There is no territory with id abc"),
        ({"level": "planet"}, "level", "Select a valid choice"),
        ({"kind": "week"}, "kind", "Select a valid choice"),
    ],
)
def test_unknown_filter_values_are_a_400(as_user, query, field, message):
    response = as_user(None).get(f"{API}/rollups/", query)
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_an_indicator_no_longer_in_use_is_refused_as_a_filter(as_user):
    Indicator.objects.filter(code=NOT_PERSONAL).update(is_active=False)
    response = as_user(None).get(f"{API}/rollups/", {"indicator": NOT_PERSONAL})
    assert response.status_code == 400


# --- Roll-ups: small counts -----------------------------------------------------------------


@pytest.fixture
def small_counts(district, mahallas):
    """Roll-ups of a month of their own, approved: a personal count of 3 (suppressed in
    public), of 7 and of 0 (shown), and a count of 3 that is not personal (shown)."""
    personal = Indicator.objects.get(code=PERSONAL)
    other = Indicator.objects.get(code=NOT_PERSONAL)
    rows = {
        "three": (personal, district, "3", "10", "30"),
        "seven": (personal, mahallas[0], "7", "10", "70"),
        "zero": (personal, mahallas[1], "0", "4", "0"),
        "not personal": (other, district, "3", "5", "60"),
    }
    for node in (district, *mahallas[:2]):
        ApprovedPeriod.objects.create(
            territory=node,
            period_kind=EMPTY_MONTH.kind,
            period_start=EMPTY_MONTH.start,
            approved_at=timezone.now(),
        )
    return {
        name: RollUp.objects.create(
            indicator=indicator,
            territory=node,
            period_kind=EMPTY_MONTH.kind,
            period_start=EMPTY_MONTH.start,
            numerator=Decimal(numerator),
            denominator=Decimal(denominator),
            value=Decimal(value),
            computed_at=timezone.now(),
        )
        for name, (indicator, node, numerator, denominator, value) in rows.items()
    }


def _figures(row) -> tuple:
    return (
        _decimal(row["numerator"]),
        _decimal(row["denominator"]),
        _decimal(row["value"]),
        row["suppressed"],
    )


EXACT = {
    "three": (Decimal(3), Decimal(10), Decimal(30), False),
    "seven": (Decimal(7), Decimal(10), Decimal(70), False),
    "zero": (Decimal(0), Decimal(4), Decimal(0), False),
    "not personal": (Decimal(3), Decimal(5), Decimal(60), False),
}
# A small denominator of people (4 on the register) is hidden too.
SUPPRESSED = {
    **EXACT,
    "three": (None, None, None, True),
    "zero": (Decimal(0), None, Decimal(0), True),
}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        (None, SUPPRESSED),
        ("council", SUPPRESSED),
        ("commission", SUPPRESSED),
        ("ngo.staff", SUPPRESSED),
        ("officer.district", EXACT),
        ("inspector", EXACT),
        ("admin", EXACT),
    ],
)
def test_small_personal_counts_only_for_the_mia(as_user, small_counts, username, expected):
    client = as_user(username)

    rows = _results(client.get(f"{API}/rollups/", {"period": "2000-01", "kind": "month"}))
    detail = client.get(f"{API}/rollups/{small_counts['three'].pk}/").json()

    names = {rollup.pk: name for name, rollup in small_counts.items()}
    assert {names[row["id"]]: _figures(row) for row in rows} == expected
    assert _figures(detail) == expected["three"]


# --- Report runs ----------------------------------------------------------------------------


@pytest.fixture
def runs() -> list[ReportRun]:
    """Five runs: one half done, one just queued, three done."""
    made = [
        ReportRun.objects.create(
            period_kind="month",
            period_start=date(2026, 11, 1),
            level="mahalla",
            state=ReportRun.State.RUNNING,
            total=209,
            done=104,
        ),
        ReportRun.objects.create(
            period_kind="quarter", period_start=date(2026, 10, 1), level="region"
        ),
    ]
    for level in ("country", "region", "district"):
        made.append(
            ReportRun.objects.create(
                period_kind="month",
                period_start=date(2026, 11, 1),
                level=level,
                state=ReportRun.State.DONE,
                total=14,
                done=14,
                finished_at=timezone.now(),
            )
        )
    return made


def test_an_administrator_follows_the_runs(as_user, runs):
    client = as_user("admin")

    rows = _results(client.get(f"{API}/report-runs/"))
    detail = client.get(f"{API}/report-runs/{runs[0].pk}/").json()

    assert [row["id"] for row in rows] == sorted((run.pk for run in runs), reverse=True)
    assert {key: detail[key] for key in ("state", "total", "done", "progress", "level")} == {
        "state": "running",
        "total": 209,
        "done": 104,
        "progress": 49,
        "level": "mahalla",
    }
    assert detail["period_label"] == "November 2026"
    queued = client.get(f"{API}/report-runs/{runs[1].pk}/").json()
    assert (queued["state"], queued["progress"]) == ("queued", 0)
    assert rows[0]["progress"] == 100


@pytest.mark.parametrize("username", ["council", "officer.republic", "commission", "ngo.admin"])
def test_report_runs_are_closed_to_everyone_else(as_user, runs, username):
    client = as_user(username)
    assert _results(client.get(f"{API}/report-runs/")) == []
    assert client.get(f"{API}/report-runs/{runs[0].pk}/").status_code == 404


def test_report_runs_need_a_sign_in(as_user, runs):
    client = as_user(None)
    assert client.get(f"{API}/report-runs/").status_code == 403
    assert client.get(f"{API}/report-runs/{runs[0].pk}/").status_code == 403


@pytest.fixture
def batches(outbox_sent):
    """The background batches of a run sent by the outbox (held by the test suite), not run:
    only their enqueuing is checked."""
    return outbox_sent[report_run_batch_task.name]


def test_an_administrator_starts_a_run(
    as_user, batches, approve, django_capture_on_commit_callbacks
):
    # given the quarter approved: a run makes the reports of approved nodes
    approve(Period.parse(PeriodKind.QUARTER, "2026-11"))
    client = as_user("admin")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{API}/report-runs/start/",
            {"kind": "quarter", "period": "2026-11", "level": "district"},
            format="json",
        )

    assert response.status_code == 202, response.content
    run = ReportRun.objects.get(pk=response.json()["id"])
    assert (run.period_kind, run.period_start, run.level, run.state) == (
        "quarter",
        date(2026, 10, 1),
        "district",
        ReportRun.State.QUEUED,
    )
    assert run.total == Territory.objects.filter(kind="district").count() > 0
    assert response.json()["progress"] == 0
    assert batches == [(run.pk,)]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "month", "period": "2026-13", "level": "mahalla"}, "period"),
        ({"kind": "month", "period": "", "level": "mahalla"}, "period"),
        ({"kind": "week", "period": "2026-11", "level": "mahalla"}, "kind"),
        ({"kind": "month", "period": "2026-11", "level": "planet"}, "level"),
    ],
)
def test_a_run_start_with_bad_input_is_a_400(as_user, batches, payload, field):
    response = as_user("admin").post(f"{API}/report-runs/start/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ReportRun.objects.exists()
    assert not OutboxTask.objects.filter(task=report_run_batch_task.name).exists()


@pytest.mark.parametrize("username", [None, "council", "officer.republic", "ngo.admin"])
def test_only_administrators_start_runs(as_user, batches, username):
    response = as_user(username).post(
        f"{API}/report-runs/start/",
        {"kind": "month", "period": "2026-11", "level": "mahalla"},
        format="json",
    )
    assert response.status_code == 403
    assert not ReportRun.objects.exists()
    assert not OutboxTask.objects.filter(task=report_run_batch_task.name).exists()


# --- Published reports ----------------------------------------------------------------------


def _publish(
    territory, kind="month", start=date(2026, 11, 1), version=1, reason=""
) -> PublicReport:
    pdf = PDF + f"% {territory.code} v{version}\n".encode()
    csv = CSV + f"{territory.code};{version}\n".encode()
    html = f"<h1>{territory.code}</h1>"
    return PublicReport.objects.create(
        territory=territory,
        period_kind=kind,
        period_start=start,
        version=version,
        reason=reason,
        html=html,
        pdf=ContentFile(pdf, name="report.pdf"),
        csv=ContentFile(csv, name="report.csv"),
        html_sha256=hashlib.sha256(html.encode()).hexdigest(),
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        csv_sha256=hashlib.sha256(csv).hexdigest(),
    )


@pytest.fixture
def reports(media, district, mahallas) -> dict[str, PublicReport]:
    region = district.parent
    elsewhere = Territory.objects.get(code="1703")  # Andijan region
    return {
        "district": _publish(district),
        "district v2": _publish(district, version=2, reason="Late records of November."),
        "mahalla": _publish(mahallas[0]),
        "region quarter": _publish(region, kind="quarter", start=date(2026, 10, 1)),
        "elsewhere year": _publish(elsewhere, kind="year", start=date(2025, 1, 1)),
        "country": _publish(region.parent),
    }


def test_reports_are_public_newest_first_with_digests_and_links(as_user, reports, district):
    rows = _results(as_user(None).get(f"{API}/reports/"))

    assert [row["id"] for row in rows] == sorted((r.pk for r in reports.values()), reverse=True)
    row = next(row for row in rows if row["id"] == reports["district v2"].pk)
    report = reports["district v2"]
    assert row == {
        "id": report.pk,
        "territory": {
            "id": district.pk,
            "code": "1726266",
            "kind": "district",
            "name": district.name_en,
        },
        "period_kind": "month",
        "period_start": "2026-11-01",
        "period_label": "November 2026",
        "version": 2,
        "reason": "Late records of November.",
        "published_at": row["published_at"],
        "html_sha256": report.html_sha256,
        "pdf_sha256": report.pdf_sha256,
        "csv_sha256": report.csv_sha256,
        "page_url": "http://testserver" + reverse("accountability:report-detail", args=[report.pk]),
        "pdf_url": f"http://testserver{API}/reports/{report.pk}/pdf/",
        "csv_url": f"http://testserver{API}/reports/{report.pk}/csv/",
    }


def test_report_files_download_with_their_type_and_digest(as_user, reports):
    client = as_user(None)
    report = reports["district v2"]
    row = client.get(f"{API}/reports/{report.pk}/").json()

    pdf = client.get(row["pdf_url"])
    csv = client.get(row["csv_url"])

    assert pdf.status_code == csv.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert pdf["Content-Disposition"] == 'attachment; filename="hamkorlik-1726266-2026-11-v2.pdf"'
    assert csv["Content-Disposition"] == 'attachment; filename="hamkorlik-1726266-2026-11-v2.csv"'
    assert hashlib.sha256(_download(pdf)).hexdigest() == row["pdf_sha256"]
    assert hashlib.sha256(_download(csv)).hexdigest() == row["csv_sha256"]


def test_a_missing_report_file_is_a_404(as_user, reports):
    client = as_user(None)
    report = reports["mahalla"]
    report.pdf.storage.delete(report.pdf.name)
    assert client.get(f"{API}/reports/{report.pk}/pdf/").status_code == 404
    assert client.get(f"{API}/reports/{report.pk}/csv/").status_code == 200
    PublicReport.objects.filter(pk=report.pk).update(csv="")
    assert client.get(f"{API}/reports/{report.pk}/csv/").status_code == 404
    assert client.get(f"{API}/reports/987654321/pdf/").status_code == 404


REPORT_FILTERS = {
    "node": (lambda d: {"node": d.pk}, {"district", "district v2"}),
    "under": (
        lambda d: {"under": d.parent.pk},
        {"district", "district v2", "mahalla", "region quarter"},
    ),
    "level": (lambda d: {"level": "region"}, {"region quarter", "elsewhere year"}),
    "kind": (lambda d: {"kind": "year"}, {"elsewhere year"}),
    "period": (
        lambda d: {"period": "2026-11"},
        {"district", "district v2", "mahalla", "region quarter", "country"},
    ),
    "period of a kind": (lambda d: {"period": "2026-11", "kind": "quarter"}, {"region quarter"}),
    "range": (lambda d: {"period_to": "2025-12"}, {"elsewhere year"}),
}


@pytest.mark.parametrize("name", REPORT_FILTERS)
def test_report_filters(as_user, reports, district, name):
    query, expected = REPORT_FILTERS[name]
    rows = _results(as_user(None).get(f"{API}/reports/", query(district)))
    assert {row["id"] for row in rows} == {reports[key].pk for key in expected}


# --- Query counts ---------------------------------------------------------------------------
# Signed in: the session, the user, then the memberships where the right depends on them
# (small counts, report runs); then the one query of the page, whatever its size.

LIST_QUERIES = {
    # case: (resource, user, queries, the two page sizes)
    "indicators, anonymous": ("indicators", None, 1, (2, 5)),
    "indicators, signed in": ("indicators", "council", 3, (2, 5)),
    "rollups, anonymous": ("rollups", None, 1, (2, 50)),
    "rollups, signed in": ("rollups", "council", 4, (2, 50)),  # ... the memberships
    "reports, anonymous": ("reports", None, 1, (2, 5)),
    "reports, signed in": ("reports", "council", 3, (2, 5)),
    "report runs": ("report-runs", "admin", 4, (2, 5)),  # ... the memberships
}


@pytest.mark.parametrize("size", [0, 1])
@pytest.mark.parametrize("case", LIST_QUERIES)
def test_list_query_count_is_fixed(as_user, django_assert_num_queries, reports, runs, case, size):
    resource, username, queries, sizes = LIST_QUERIES[case]
    client = as_user(username)
    with django_assert_num_queries(queries):
        rows = _results(client.get(f"{API}/{resource}/", {"page_size": sizes[size]}))
    assert len(rows) == sizes[size]


def test_a_later_rollup_page_costs_the_same(as_user, django_assert_num_queries):
    client = as_user(None)
    first = client.get(f"{API}/rollups/", {"page_size": 50}).json()
    with django_assert_num_queries(1):
        rows = _results(client.get(first["next"]))
    assert len(rows) == 50
    assert rows[0]["id"] > first["results"][-1]["id"]


# --- Schema ---------------------------------------------------------------------------------


def test_the_openapi_schema_is_valid_without_warnings(tmp_path):
    call_command(
        "spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "schema.yaml")
    )
    schema = (tmp_path / "schema.yaml").read_text()
    for path in (
        "/api/v1/indicators/{code}/",
        "/api/v1/rollups/",
        "/api/v1/report-runs/{id}/",
        "/api/v1/report-runs/start/",
        "/api/v1/reports/",
        "/api/v1/reports/{id}/pdf/",
        "/api/v1/reports/{id}/csv/",
    ):
        assert path in schema
