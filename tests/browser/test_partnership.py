"""The civil society side in the browser: an NGO logs an activity from a phone, the police
counterpart confirms it, and a visitor finds the agreement in the public registry."""

import base64
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.session import sign_in

# A real 1×1 PNG: evidence photos are checked by content, not by name.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_ngo_logs_an_activity_with_a_photo_and_the_officer_confirms(
    phone_page: Page, browser, live_server
):
    from mahalla.models import Territory
    from prevention.models import Unit

    district = Territory.objects.get(code="1726266")
    unit = Unit.objects.get(kind=Unit.Kind.DISTRICT, territory=district)

    page = phone_page
    sign_in(page, "ngo.staff")
    page.get_by_test_id("new-activity").click()
    form = page.get_by_test_id("activity-form")
    form.locator("#id_unit").select_option(str(unit.pk))
    form.locator("#id_district").select_option(str(district.pk))
    expect(form.locator("#id_mahalla option")).not_to_have_count(1)  # loaded by htmx
    form.locator("#id_kind").select_option("youth_work")
    form.locator("#id_date").fill(timezone.localdate().isoformat())
    form.locator("#id_participants_youth").fill("25")
    form.locator("#id_description").fill("Yoshlar bilan huquqiy viktorina")
    form.locator("#id_files").set_input_files(
        files=[{"name": "rasm.png", "mimeType": "image/png", "buffer": PNG}]
    )
    assert page.evaluate("document.documentElement.scrollWidth <= 360")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/partnership/activities/\d+/$"))
    expect(page.get_by_test_id("evidence").locator("img, a")).not_to_have_count(0)
    activity_url = page.url

    officer = browser.new_context(base_url=live_server.url, locale="uz-UZ").new_page()
    sign_in(officer, "officer.district")
    officer.goto(activity_url)
    officer.get_by_test_id("review-form").locator("button[value=confirm]").click()
    expect(officer.get_by_test_id("review-form")).to_have_count(0)
    officer.context.close()

    from partnership.models import JointActivity

    activity = JointActivity.objects.get(pk=int(activity_url.rstrip("/").rsplit("/", 1)[1]))
    assert activity.status == JointActivity.Status.CONFIRMED
    assert activity.evidence.get().file.name.endswith(".png")
    assert "rasm" not in activity.evidence.get().file.name  # stored under a generated name


def test_a_visitor_finds_a_public_agreement_in_the_registry(page: Page, live_server):
    from partnership.models import Agreement

    agreement = Agreement.objects.filter(is_public=True, status=Agreement.Status.ACTIVE).first()
    hidden = Agreement.objects.filter(is_public=False).first()
    page.goto("/")
    page.get_by_role("link", name=re.compile("registry|reestr", re.I)).first.click()
    filters = page.get_by_test_id("registry-filters")
    if not filters.locator("input[name=q]").is_visible():
        page.locator("details summary").first.click()  # the filters fold away on small screens
    filters.locator("input[name=q]").fill(agreement.number)
    filters.locator("button[type=submit]").click()
    rows = page.get_by_test_id("registry-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(agreement.number)
    page.goto(f"/partnership/registry/?q={hidden.number}")
    expect(page.get_by_test_id("registry-row")).to_have_count(0)
