"""A month of a district on its way up: the district officer submits it on a phone, the
region officer returns it with a message, the district reads it, resubmits, and the region
approves; the public dashboard, which withheld the month's figures until then, shows them
once a worker has computed them."""

import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from playwright.sync_api import Page, expect

from accountability.models import ApprovedPeriod
from config.celery import app as celery_app
from core.demo import DEMO_PASSWORD
from mahalla.models import Territory
from prevention.models import PeriodApproval
from prevention.selectors import period_previous_month

DISTRICT = "1726266"  # Yunusobod, officer.district's
REGION = "1726"  # Tashkent city, officer.region's
MESSAGE = "Qoʻshma tadbirlar dalolatnomasini ilova qiling"
State = PeriodApproval.State


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("user-menu")).to_have_count(1)  # in the collapsed menu on phones


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= 360")


def _state(month) -> str:
    row = PeriodApproval.objects.filter(district__code=DISTRICT, month=month).first()
    return row.state if row else State.OPEN


def _approved(month) -> bool:
    return ApprovedPeriod.objects.filter(
        territory__code=DISTRICT, period_kind="month", period_start=month
    ).exists()


@pytest.mark.real_broker
def test_a_month_is_submitted_returned_resubmitted_and_approved(
    phone_page: Page, page: Page, browser, live_server
):
    # given: the 11 other districts of Tashkent city have submitted last month (the demo)
    month = period_previous_month(timezone.localdate())
    others = PeriodApproval.objects.filter(
        district__parent__code=REGION, month=month, state=State.SUBMITTED
    ).exclude(district__code=DISTRICT)
    assert others.count() == 11
    assert not Territory.objects.filter(code=DISTRICT, period_approvals__month=month).exists()

    # The public dashboard withholds the district's figures of the month: not approved.
    public = browser.new_context(base_url=live_server.url, locale="uz-UZ").new_page()
    dashboard = f"/accountability/dashboard/?node={DISTRICT}&kind=month&period={month:%Y-%m}"
    public.goto(dashboard)
    expect(public.get_by_test_id("withheld-note")).to_be_visible()
    values = public.get_by_test_id("indicator-row").get_by_test_id("value")
    expect(values.first).to_contain_text("…")

    # The district officer, on a phone, submits the month (last month is the default).
    district = phone_page
    sign_in(district, "officer.district")
    district.goto("/prevention/approvals/")
    section = district.get_by_test_id("district-section")
    expect(section.get_by_test_id("state")).to_have_attribute("data-state", State.OPEN)
    assert no_horizontal_overflow(district)
    section.get_by_test_id("submit-period").click()
    expect(section.get_by_test_id("state")).to_have_attribute("data-state", State.SUBMITTED)
    assert _state(month) == State.SUBMITTED

    # The region officer returns it with a message.
    region = page
    sign_in(region, "officer.region")
    region.goto("/prevention/approvals/")
    expect(region.get_by_test_id("submitted-count")).to_contain_text("12")
    row = region.locator(f"[data-testid=district-row][data-code='{DISTRICT}']")
    expect(row.get_by_test_id("state")).to_have_attribute("data-state", State.SUBMITTED)
    row.locator("summary").click()
    row.locator("textarea[name=message]").fill(MESSAGE)
    row.get_by_test_id("return-form").locator("button[type=submit]").click()
    expect(row.get_by_test_id("state")).to_have_attribute("data-state", State.OPEN)
    assert _state(month) == State.OPEN

    # The district officer reads the message on the page and in a notification.
    district.goto("/prevention/approvals/")
    expect(district.get_by_test_id("period-message")).to_contain_text(MESSAGE)
    expect(district.get_by_test_id("unread-count")).to_contain_text("1")
    district.get_by_test_id("notification-bell").click()
    notification = district.get_by_test_id("notification").filter(has_text=MESSAGE)
    expect(notification).to_have_count(1)
    notification.locator("a").click()
    expect(district).to_have_url(re.compile(rf"/prevention/approvals/\?month={month:%Y-%m}$"))
    assert no_horizontal_overflow(district)

    # Open again after the return: the district fixes its data and submits once more.
    section = district.get_by_test_id("district-section")
    expect(section.get_by_test_id("state")).to_have_attribute("data-state", State.OPEN)
    section.get_by_test_id("submit-period").click()
    expect(section.get_by_test_id("state")).to_have_attribute("data-state", State.SUBMITTED)
    expect(section.get_by_test_id("history-event")).to_have_count(3)
    assert _state(month) == State.SUBMITTED

    # Every district of the region has submitted: the region officer approves, and a worker
    # computes the month's figures again and publishes them.
    region.reload()
    approve = row.get_by_test_id("approve")
    expect(approve).to_be_enabled()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=60):
        approve.click()
        expect(row.get_by_test_id("state")).to_have_attribute("data-state", State.APPROVED)
        deadline = time.monotonic() + 120
        while not _approved(month) and time.monotonic() < deadline:
            time.sleep(0.5)
    assert _state(month) == State.APPROVED
    assert _approved(month)

    # The public dashboard now shows the district's figures of the month, none withheld.
    public.goto(dashboard)
    expect(public.get_by_test_id("dashboard-node")).to_have_count(1)
    expect(public.get_by_test_id("withheld-note")).to_have_count(0)
    expect(public.get_by_test_id("provisional-note")).to_have_count(0)
    expect(values.first).not_to_contain_text("…")
    expect(values.first).to_contain_text(re.compile(r"\d"))
    public.context.close()
    history = PeriodApproval.objects.get(district__code=DISTRICT, month=month).history
    assert [h.state for h in history.order_by("history_id")] == [
        State.OPEN,
        State.SUBMITTED,
        State.OPEN,
        State.SUBMITTED,
        State.APPROVED,
    ]
