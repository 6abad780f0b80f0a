"""The public accountability reports: one per node and period in HTML, PDF and CSV, small
counts from personal records as "<5" in all three, the SHA-256 digests and their check, a
re-run that changes nothing, a new version when the figures change; the archive, a report's
page and files, and the newest report on the mahalla's and the region's public pages. Reports
are made only of approved figures: the periods reported on here are approved first (refusals
and re-made reports of corrected periods: tests/accountability/test_approved_figures.py)."""

import csv
import hashlib
import io
import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accountability.models import Indicator, PeriodKind, PublicReport, RollUp, report_upload_path
from accountability.periods import Period
from accountability.services import report_body, report_generate
from mahalla.models import Territory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_MONTH = Period.containing(PeriodKind.MONTH, TODAY).previous
LAST_QUARTER = Period.containing(PeriodKind.QUARTER, TODAY).previous
DISTRICT = "1726266"  # Yunusobod tumani
REGION = "1726"  # Toshkent shahri
# Columns of the report's CSV.
CODE, NUMERATOR, DENOMINATOR, VALUE, PREVIOUS = 2, 5, 6, 7, 8


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def approved(approve):
    """Last month and last quarter approved everywhere, whatever day the tests run on (the
    demo leaves last month waiting for its region)."""
    approve(LAST_MONTH, LAST_QUARTER)


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def mahalla() -> Territory:
    return Territory.objects.filter(parent__code=DISTRICT).order_by("code").first()


def node(kind: str) -> Territory:
    """The demo's node of a level: the republic, Tashkent, Yunusobod, its first mahalla."""
    if kind == Territory.Kind.COUNTRY:
        return Territory.objects.get(kind=kind)
    if kind == Territory.Kind.MAHALLA:
        return Territory.objects.filter(parent__code=DISTRICT).order_by("code").first()
    return Territory.objects.get(code=REGION if kind == Territory.Kind.REGION else DISTRICT)


def pdf_text(data: bytes) -> str:
    """The text of a PDF as poppler's pdftotext reads it, one line per printed line."""
    executable = shutil.which("pdftotext")
    if executable is None:
        pytest.fail("pdftotext not found: install Debian's poppler-utils package.")
    done = subprocess.run(  # noqa: S603 - a fixed program and arguments
        [executable, "-layout", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM, for spreadsheets
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def file_bytes(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- The report in its three formats ------------------------------------------------------


@pytest.mark.parametrize("kind", ["mahalla", "district", "region", "country"])
def test_a_report_in_html_pdf_and_csv(kind):
    # given a node with roll-ups for the period (the demo set has them)
    territory = node(kind)
    period = LAST_MONTH if kind == Territory.Kind.MAHALLA else LAST_QUARTER
    # when
    report = report_generate(territory=territory, period=period)
    # then the HTML is a whole document naming the node and the period
    assert report.version == 1
    assert report.html.startswith("<!doctype html>")
    assert f'<h1 data-testid="report-territory">{escape(territory.name_uz)}</h1>' in report.html
    assert "generated" not in report.html.lower()
    # the PDF is a PDF whose text names the node
    pdf = file_bytes(report.pdf)
    assert pdf.startswith(b"%PDF")
    assert territory.name_uz in pdf_text(pdf)
    # and the CSV holds one row per active indicator with the roll-up's figures
    rows = csv_rows(file_bytes(report.csv))
    indicators = {i.code: i for i in Indicator.objects.filter(is_active=True)}
    assert [row[CODE] for row in rows[1:]] == [
        i.code for i in Indicator.objects.filter(is_active=True).order_by("order", "code")
    ]
    rollups = {
        r.indicator.code: r
        for r in RollUp.objects.filter(
            territory=territory, period_kind=period.kind, period_start=period.start
        ).select_related("indicator")
    }
    assert rollups, "the demo set should have roll-ups for the period"
    checked = 0
    for row in rows[1:]:
        assert row[0] == territory.code and row[1] == period.slug
        rollup = rollups.get(row[CODE])
        if rollup is None:
            assert row[VALUE] == row[NUMERATOR] == ""
        elif indicators[row[CODE]].from_personal_records and 0 < rollup.numerator < 5:
            assert row[VALUE] == row[NUMERATOR] == "<5"
        else:
            assert Decimal(row[NUMERATOR]) == rollup.numerator
            assert (Decimal(row[VALUE]) if row[VALUE] else None) == rollup.value
            checked += 1
    assert checked


def test_the_report_counts_the_periods_partnership_meetings_and_awards():
    territory = node(Territory.Kind.REGION)
    report = report_generate(territory=territory, period=LAST_QUARTER)
    # the figures come from the same definitions as the roll-ups
    joint = RollUp.objects.get(
        indicator__code="joint_events_per_10k",
        territory=territory,
        period_kind=LAST_QUARTER.kind,
        period_start=LAST_QUARTER.start,
    )
    shown = re.search(r'data-testid="report-activities">(\d+)<', report.html).group(1)
    assert Decimal(shown) == joint.numerator
    for testid in ("report-agreements", "report-obligations", "report-meetings", "report-awards"):
        assert f'data-testid="{testid}"' in report.html


# --- Small counts from personal records -------------------------------------------------


@pytest.fixture
def small_count(mahalla):
    """A count of people, from personal records, at the mahalla for last month."""
    indicator = Indicator.objects.create(
        code="test_small",
        numerator="register_exits_rehab",
        unit="people",
        from_personal_records=True,
        name_uz="Sinov",
        name_uz_cyrl="Синов",
        name_ru="Тест",
        name_en="Test",
        order=0,
    )

    def make(numerator: int) -> Indicator:
        RollUp.objects.create(
            indicator=indicator,
            territory=mahalla,
            period_kind=LAST_MONTH.kind,
            period_start=LAST_MONTH.start,
            numerator=numerator,
            value=numerator,
            computed_at=timezone.now(),
        )
        return indicator

    return make


def _html_row(report: PublicReport, code: str) -> str:
    start = report.html.index(f'data-indicator="{code}"')
    return report.html[start : report.html.index("</tr>", start)]


def _pdf_line(report: PublicReport) -> str:
    lines = [line for line in pdf_text(file_bytes(report.pdf)).splitlines() if "Sinov" in line]
    assert len(lines) == 1
    return lines[0]


def _csv_row(report: PublicReport, code: str) -> list[str]:
    return next(row for row in csv_rows(file_bytes(report.csv)) if row[CODE] == code)


def test_a_count_of_three_people_is_shown_as_under_five_in_all_three_formats(mahalla, small_count):
    # given
    indicator = small_count(3)
    # when
    report = report_generate(territory=mahalla, period=LAST_MONTH)
    # then
    html = _html_row(report, indicator.code)
    assert "<strong>&lt;5</strong>" in html
    assert ">3<" not in html and " 3 " not in html
    line = _pdf_line(report)
    assert "<5" in line and "3" not in line
    row = _csv_row(report, indicator.code)
    assert row[NUMERATOR] == row[VALUE] == row[-1] == "<5"
    assert "3" not in row[NUMERATOR:]


@pytest.mark.parametrize("numerator", [0, 5, 7])
def test_zero_and_five_or_more_people_are_shown_exactly(mahalla, small_count, numerator):
    indicator = small_count(numerator)
    report = report_generate(territory=mahalla, period=LAST_MONTH)
    assert f"<strong>{numerator}</strong>" in _html_row(report, indicator.code)
    line = _pdf_line(report)
    assert str(numerator) in line and "<5" not in line
    row = _csv_row(report, indicator.code)
    assert row[NUMERATOR] == row[VALUE] == row[-1] == str(numerator)


def test_a_small_denominator_from_personal_records_is_not_published(mahalla):
    # given: of the 3 people on the register, none left it with an NGO's help
    indicator = Indicator.objects.get(code="register_exits_ngo")
    RollUp.objects.update_or_create(
        indicator=indicator,
        territory=mahalla,
        period_kind=LAST_MONTH.kind,
        period_start=LAST_MONTH.start,
        defaults={"numerator": 0, "denominator": 3, "value": 0, "computed_at": timezone.now()},
    )
    # when
    row = _csv_row(report_generate(territory=mahalla, period=LAST_MONTH), indicator.code)
    # then
    assert (row[NUMERATOR], row[DENOMINATOR], row[VALUE]) == ("0", "<5", "0")


def test_a_small_count_not_from_personal_records_is_shown(mahalla, small_count):
    indicator = small_count(3)
    Indicator.objects.filter(pk=indicator.pk).update(from_personal_records=False)
    report = report_generate(territory=mahalla, period=LAST_MONTH)
    assert "<strong>3</strong>" in _html_row(report, indicator.code)
    assert _csv_row(report, indicator.code)[VALUE] == "3"


# --- Digests, re-runs and versions --------------------------------------------------------


def test_the_stored_digests_are_those_of_the_files():
    report = report_generate(territory=node(Territory.Kind.DISTRICT), period=LAST_QUARTER)
    assert report.pdf_sha256 == sha256(file_bytes(report.pdf))
    assert report.csv_sha256 == sha256(file_bytes(report.csv))
    assert report.html_sha256 == sha256(report.html.encode())


def test_files_left_by_a_worker_killed_before_its_commit_are_replaced(media):
    # given the files of version 1 written by a worker killed before it committed the row
    territory = node(Territory.Kind.DISTRICT)
    unsaved = PublicReport(
        territory=territory, period_kind=LAST_QUARTER.kind, period_start=LAST_QUARTER.start
    )
    left = [report_upload_path(unsaved, f"{LAST_QUARTER.slug}.{kind}") for kind in ("pdf", "csv")]
    for name in left:
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(b"half-written")
    # when the run is resumed and the report generated
    report = report_generate(territory=territory, period=LAST_QUARTER)
    # then the report's files take those names, with the right content, and nothing else stays
    assert [report.pdf.name, report.csv.name] == left
    assert report.pdf_sha256 == sha256(file_bytes(report.pdf))
    assert report.csv_sha256 == sha256(file_bytes(report.csv))
    stored = sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())
    assert stored == sorted(left)


def test_generating_again_changes_nothing():
    # given a published report
    territory = node(Territory.Kind.REGION)
    first = report_generate(territory=territory, period=LAST_QUARTER)
    digests = (first.html_sha256, first.pdf_sha256, first.csv_sha256)
    # when it is generated again from the same figures
    again = report_generate(territory=territory, period=LAST_QUARTER, reason="re-run")
    # then it is the same report, with the same files
    assert again.pk == first.pk
    reports = PublicReport.objects.filter(territory=territory)
    assert reports.count() == 1
    stored = reports.get()
    assert (stored.html_sha256, stored.pdf_sha256, stored.csv_sha256) == digests
    assert stored.reason == "" and stored.version == 1


def test_changed_figures_make_a_second_version_listed_with_its_reason(client, mahalla, small_count):
    # given version 1
    indicator = small_count(7)
    first = report_generate(territory=mahalla, period=LAST_MONTH)
    # when a figure changes and the report is made again
    RollUp.objects.filter(indicator=indicator).update(numerator=9, value=9)
    second = report_generate(territory=mahalla, period=LAST_MONTH)
    # then
    assert second.version == 2 and second.pk != first.pk
    assert second.reason and "1" in second.reason
    assert second.html_sha256 != first.html_sha256
    assert second.pdf_sha256 != first.pdf_sha256
    assert second.csv_sha256 != first.csv_sha256
    first.refresh_from_db()
    assert first.version == 1 and first.pdf_sha256 == sha256(file_bytes(first.pdf))
    # and the archive lists both, the second with its reason
    response = client.get(reverse("accountability:report-archive"), {"territory": mahalla.code})
    assert [r.version for r in response.context["page"].items] == [2, 1]
    assert second.reason in response.content.decode()
    # the first version's page points to the newer one
    response = client.get(reverse("accountability:report-detail", args=[first.pk]))
    assert response.context["newer"] == second
    assert [v.version for v in response.context["versions"]] == [2, 1]
    # a given reason is kept
    RollUp.objects.filter(indicator=indicator).update(numerator=11, value=11)
    third = report_generate(territory=mahalla, period=LAST_MONTH, reason="Late records")
    assert (third.version, third.reason) == (3, "Late records")


# --- The report's page and files --------------------------------------------------------


@pytest.fixture
def report() -> PublicReport:
    return report_generate(territory=node(Territory.Kind.REGION), period=LAST_QUARTER)


def test_the_report_page_shows_the_report_its_digests_and_downloads(client, report):
    response = client.get(reverse("accountability:report-detail", args=[report.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert report.pdf_sha256 in content and report.csv_sha256 in content
    assert report.html_sha256 in content
    assert report_body(report) and report_body(report) in content
    assert "<html" not in report_body(report) and "<head>" not in report_body(report)
    for name in ("report-pdf", "report-csv", "report-html"):
        assert reverse(f"accountability:{name}", args=[report.pk]) in content
    assert response.context["newer"] is None


def test_an_unknown_report_is_a_404(client):
    assert client.get(reverse("accountability:report-detail", args=[999999])).status_code == 404
    assert client.get(reverse("accountability:report-pdf", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("name", "content_type", "extension"),
    [
        ("report-pdf", "application/pdf", "pdf"),
        ("report-csv", "text/csv; charset=utf-8", "csv"),
        ("report-html", "text/html; charset=utf-8", "html"),
    ],
)
def test_the_files_are_served_as_published(client, report, name, content_type, extension):
    response = client.get(reverse(f"accountability:{name}", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="hamkorlik-{REGION}-{LAST_QUARTER.slug}-v1.{extension}"'
    )
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert sha256(body) == getattr(report, f"{extension}_sha256")


def test_a_file_lost_from_storage_is_a_404(client, report, media):
    (media / report.pdf.name).unlink()
    assert client.get(reverse("accountability:report-pdf", args=[report.pk])).status_code == 404


# --- Verifying a copy -----------------------------------------------------------------------

VERIFY = "accountability:report-verify"


def _upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.parametrize("extension", ["pdf", "csv"])
def test_the_verify_page_finds_a_downloaded_file(client, report, extension):
    data = file_bytes(getattr(report, extension))
    response = client.post(reverse(VERIFY), {"file": _upload(data, f"copy.{extension}")})
    assert response.status_code == 200
    assert response.context["match"] == report
    assert response.context["match_format"] == extension.upper()
    content = response.content.decode()
    assert 'data-match="yes"' in content
    tashkent = Territory.objects.get(code=REGION).name_en
    assert f"{extension.upper()} file of the report of {tashkent}" in content
    assert "version 1" in content


def test_the_verify_page_finds_the_html_and_a_pasted_digest(client, report):
    response = client.post(reverse(VERIFY), {"file": _upload(report.html.encode(), "r.html")})
    assert response.context["match_format"] == "HTML"
    spaced = " ".join(re.findall("........", report.pdf_sha256.upper()))
    response = client.post(reverse(VERIFY), {"digest": spaced})
    assert response.status_code == 200
    assert response.context["match"] == report and response.context["match_format"] == "PDF"


def test_the_verify_page_rejects_a_file_with_one_byte_changed(client, report):
    data = bytearray(file_bytes(report.pdf))
    data[len(data) // 2] ^= 0x01
    response = client.post(reverse(VERIFY), {"file": _upload(bytes(data), "copy.pdf")})
    assert response.status_code == 200
    assert response.context["match"] is None
    content = response.content.decode()
    assert 'data-match="no"' in content
    assert "No published report has this digest." in content
    assert sha256(bytes(data)) in content


def test_the_verify_page_says_when_a_newer_version_exists(client, mahalla, small_count):
    indicator = small_count(7)
    first = report_generate(territory=mahalla, period=LAST_MONTH)
    RollUp.objects.filter(indicator=indicator).update(numerator=8, value=8)
    report_generate(territory=mahalla, period=LAST_MONTH)
    response = client.post(reverse(VERIFY), {"digest": first.csv_sha256})
    assert response.context["match"] == first
    assert "A newer version (2) has been published since." in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [{}, {"digest": "abc"}, {"digest": "z" * 64}, {"digest": "a" * 65}],
)
def test_the_verify_page_refuses_bad_input_with_a_400(client, data):
    response = client.post(reverse(VERIFY), data)
    assert response.status_code == 400
    assert response.context["form"].errors


def test_the_verify_page_refuses_a_file_over_the_limit(client, monkeypatch):
    from accountability.views import public

    monkeypatch.setattr(public, "VERIFY_MAX_BYTES", 10)
    response = client.post(reverse(VERIFY), {"file": _upload(b"x" * 11, "big.pdf")})
    assert response.status_code == 400
    assert "file" in response.context["form"].errors


def test_the_verify_page_is_public_and_needs_the_csrf_token(report):
    strict = Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"})
    assert strict.get(reverse(VERIFY)).status_code == 200
    assert strict.post(reverse(VERIFY), {"digest": report.pdf_sha256}).status_code == 403


# --- The archive ----------------------------------------------------------------------------

ARCHIVE = "accountability:report-archive"


def _fake_reports(territories, periods) -> list[PublicReport]:
    """Archive rows without files (the archive never opens them)."""
    rows = [
        PublicReport(
            territory=territory,
            period_kind=period.kind,
            period_start=period.start,
            html="<p>fake</p>",
            pdf="reports/fake.pdf",
            csv="reports/fake.csv",
            html_sha256="0" * 64,
            pdf_sha256=f"{territory.pk:032x}{period.start:%Y%m%d}".ljust(64, "0"),
            csv_sha256="1" * 64,
        )
        for territory in territories
        for period in periods
    ]
    return PublicReport.objects.bulk_create(rows)


def test_the_archive_is_public_newest_period_first(client):
    regions = list(Territory.objects.filter(kind="region").order_by("path")[:2])
    _fake_reports(regions, [LAST_QUARTER, LAST_QUARTER.previous])
    response = client.get(reverse(ARCHIVE))
    assert response.status_code == 200
    starts = [r.period_start for r in response.context["page"].items]
    assert starts == sorted(starts, reverse=True) and len(starts) == 4
    assert 'data-testid="archive-row"' in response.content.decode()


def test_the_archive_filters_by_level_region_kind_period_and_territory(client, mahalla):
    tashkent = Territory.objects.get(code=REGION)
    andijan = Territory.objects.get(code="1703")
    district = Territory.objects.get(code=DISTRICT)
    _fake_reports([tashkent, andijan, district], [LAST_QUARTER, LAST_QUARTER.previous])
    _fake_reports([mahalla], [LAST_MONTH])

    def shown(**params) -> set[tuple[str, str]]:
        response = client.get(reverse(ARCHIVE), params)
        assert response.status_code == 200
        return {
            (r.territory.code, r.period_start.isoformat()) for r in response.context["page"].items
        }

    assert {code for code, _ in shown(level="region")} == {REGION, "1703"}
    assert {code for code, _ in shown(region=REGION)} == {REGION, DISTRICT, mahalla.code}
    assert shown(kind="month") == {(mahalla.code, LAST_MONTH.start.isoformat())}
    assert {code for code, _ in shown(period=LAST_QUARTER.slug)} == {REGION, "1703", DISTRICT}
    assert shown(territory="1703", period=LAST_QUARTER.previous.slug) == {
        ("1703", LAST_QUARTER.previous.start.isoformat())
    }


@pytest.mark.parametrize(
    "params",
    [{"period": "2026-q5"}, {"period": "last year"}, {"level": "planet"}, {"region": "nope"}],
)
def test_the_archive_refuses_bad_filters_with_a_400(client, params):
    response = client.get(reverse(ARCHIVE), params)
    assert response.status_code == 400
    assert response.context["form"].errors


def test_a_malformed_page_token_is_a_400(client):
    assert client.get(reverse(ARCHIVE), {"after": "yesterday"}).status_code == 400


# A visitor without a session: the regions offered and the page of rows; one more to look up
# a chosen region.
ARCHIVE_QUERIES = 2


def test_archive_pages_cost_the_same_whatever_their_length(client, django_assert_num_queries):
    regions = list(Territory.objects.filter(kind="region").order_by("path"))
    _fake_reports(regions[:1], [LAST_QUARTER])
    with django_assert_num_queries(ARCHIVE_QUERIES):
        small = client.get(reverse(ARCHIVE))
    _fake_reports(regions, [LAST_QUARTER.shift(-steps) for steps in range(1, 4)])
    with django_assert_num_queries(ARCHIVE_QUERIES):
        first = client.get(reverse(ARCHIVE))
    assert len(small.context["page"].items) == 1
    assert len(first.context["page"].items) == 30 and first.context["page_query"]
    # the next page, as htmx asks for it: the rows only, without the form
    with django_assert_num_queries(ARCHIVE_QUERIES - 1):
        second = client.get(
            f"{reverse(ARCHIVE)}?{first.context['page_query']}", headers={"HX-Request": "true"}
        )
    assert "<html" not in second.content.decode()
    seen = {r.pk for r in first.context["page"].items}
    assert seen.isdisjoint(r.pk for r in second.context["page"].items)
    assert len(seen) + len(second.context["page"].items) == 1 + 14 * 3
    with django_assert_num_queries(ARCHIVE_QUERIES + 1):
        client.get(reverse(ARCHIVE), {"region": REGION})


# --- The newest report on the public pages ----------------------------------------------


def test_the_mahalla_page_shows_its_newest_report(client, mahalla, approve):
    approve(LAST_MONTH.previous)
    older = report_generate(territory=mahalla, period=LAST_MONTH.previous)
    newest = report_generate(territory=mahalla, period=LAST_MONTH)
    response = client.get(reverse("prevention:mahalla-public", args=[mahalla.code]))
    content = response.content.decode()
    assert 'data-testid="latest-report"' in content
    assert reverse("accountability:report-detail", args=[newest.pk]) in content
    assert reverse("accountability:report-detail", args=[older.pk]) not in content
    response = client.get(reverse("mahalla:territory-detail", args=[mahalla.code]))
    assert reverse("accountability:report-detail", args=[newest.pk]) in response.content.decode()


def test_the_region_page_shows_its_newest_quarter_and_year(client, approve):
    region = node(Territory.Kind.REGION)
    last_year = Period.containing("year", TODAY).previous
    approve(last_year)
    quarter = report_generate(territory=region, period=LAST_QUARTER)
    year = report_generate(territory=region, period=last_year)
    content = client.get(reverse("mahalla:territory-detail", args=[REGION])).content.decode()
    assert reverse("accountability:report-detail", args=[quarter.pk]) in content
    assert reverse("accountability:report-detail", args=[year.pk]) in content


def test_a_district_page_shows_no_report_and_nothing_shows_before_one_exists(client):
    report_generate(territory=node(Territory.Kind.DISTRICT), period=LAST_QUARTER)
    for code in (DISTRICT, REGION):
        content = client.get(reverse("mahalla:territory-detail", args=[code])).content.decode()
        assert 'data-testid="latest-report"' not in content


def test_reports_are_rendered_in_the_default_language_whatever_the_request(mahalla):
    from django.utils import translation

    with translation.override("en"):
        english = report_generate(territory=mahalla, period=LAST_MONTH)
    with translation.override("ru"):
        russian = report_generate(territory=mahalla, period=LAST_MONTH)
    assert english.pk == russian.pk
    assert mahalla.name_uz in english.html


def test_old_territories_get_no_report_in_a_run_after_they_ended(mahalla, approve):
    from accountability.services import _report_nodes

    approve(LAST_MONTH.shift(-2))
    Territory.objects.filter(pk=mahalla.pk).update(
        valid_from=LAST_MONTH.start - timedelta(days=400), valid_to=LAST_MONTH.start - timedelta(1)
    )
    assert mahalla not in _report_nodes([Territory.Kind.MAHALLA], LAST_MONTH)
    assert mahalla in _report_nodes([Territory.Kind.MAHALLA], LAST_MONTH.shift(-2))
