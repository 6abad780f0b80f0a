"""The public reports in the browser, with no sign-in: a visitor finds a report in the
archive, downloads its PDF and checks the downloaded file on the verify page; on a 360 px
phone the archive, the report and the check fit the screen."""

import hashlib
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accountability.models import PeriodKind, PublicReport
from accountability.periods import Period
from accountability.services import report_generate
from mahalla.models import Territory

REGION = "1726"  # Toshkent shahri
LAST_QUARTER = Period.containing(PeriodKind.QUARTER, timezone.localdate()).previous


@pytest.fixture
def report(page_media) -> PublicReport:
    return report_generate(territory=Territory.objects.get(code=REGION), period=LAST_QUARTER)


@pytest.fixture
def page_media(settings, tmp_path, demo_data):
    # The live server runs in this process, so it reads and writes the same media folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def assert_no_horizontal_overflow(page: Page) -> None:
    page.wait_for_load_state("load")
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width + 1, f"{page.url}: {scroll_width} px wide on a {width} px screen"


def test_a_visitor_downloads_a_published_pdf_and_verifies_its_digest(
    page: Page, report: PublicReport, tmp_path
):
    # given the archive, with no sign-in
    page.goto("/accountability/reports/")
    rows = page.get_by_test_id("archive-row")
    expect(rows).to_have_count(1)
    # when the visitor opens the report
    rows.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/accountability/reports/{report.pk}/$"))
    expect(page.get_by_test_id("report-territory")).to_have_text(
        Territory.objects.get(code=REGION).name_uz
    )
    expect(page.get_by_test_id("pdf-sha256")).to_have_text(report.pdf_sha256)
    # and downloads its PDF
    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    download = download_info.value
    assert download.suggested_filename == f"hamkorlik-{REGION}-{LAST_QUARTER.slug}-v1.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == report.pdf_sha256
    # then, on the verify page, the downloaded file is found to be the published one
    page.get_by_test_id("verify-link").click()
    expect(page).to_have_url(re.compile(r"/accountability/reports/verify/$"))
    page.locator("#id_file").set_input_files(saved)
    page.get_by_test_id("verify-form").locator("button[type=submit]").click()
    result = page.get_by_test_id("verify-result")
    expect(result).to_have_attribute("data-match", "yes")
    expect(result).to_contain_text("PDF")
    expect(result).to_contain_text(Territory.objects.get(code=REGION).name_uz)
    expect(page.get_by_test_id("verify-digest")).to_have_text(report.pdf_sha256)
    # and a copy with one byte changed is not
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
    page.locator("#id_file").set_input_files(changed)
    page.get_by_test_id("verify-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-match", "no")


def test_the_public_report_pages_fit_a_phone(phone_page: Page, report: PublicReport):
    page = phone_page
    for url in (
        "/accountability/reports/",
        f"/accountability/reports/{report.pk}/",
        "/accountability/reports/verify/",
    ):
        page.goto(url)
        assert_no_horizontal_overflow(page)
    page.get_by_test_id("verify-form").locator("input[type=text]").fill(report.csv_sha256)
    page.get_by_test_id("verify-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-match", "yes")
    assert_no_horizontal_overflow(page)
