"""The inspector's day on a phone, and the district officer above who sees it."""

import io
import re

import segno
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.demo import DEMO_PASSWORD
from prevention.views.residents import QR_SCALE


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("user-menu")).to_have_count(1)  # in the collapsed menu on phones


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= 360")


def test_inspector_files_a_record_and_a_register_entry_on_a_phone(
    phone_page: Page, browser, live_server
):
    page = phone_page
    sign_in(page, "inspector")

    # A record from the home page: mahalla and date are filled in already.
    page.get_by_test_id("new-record").click()
    form = page.get_by_test_id("record-form")
    expect(form.locator("#id_date")).to_have_value(timezone.localdate().isoformat())
    assert form.locator("#id_mahalla").input_value()
    form.locator("#id_kind").select_option("individual")
    form.locator("#id_measure").select_option("official_warning")
    form.locator("#id_summary").fill("Telefon orqali kiritilgan ogohlantirish")
    form.locator("#id_people_reached").fill("3")
    assert no_horizontal_overflow(page)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/prevention/records/\d+/$"))
    expect(page.locator("main")).to_contain_text("Telefon orqali kiritilgan ogohlantirish")

    # A register entry; a future registration date is refused first, then corrected.
    page.goto("/prevention/register/new/")
    form = page.get_by_test_id("register-form")
    form.locator("#id_full_name").fill("Sinovov Sinov")
    form.locator("#id_birth_date").fill("1995-04-12")
    form.locator("#id_address").fill("Yunusobod, 5-uy")
    form.locator("#id_document_number").fill("AB1234567")
    form.locator("#id_category").select_option(index=1)
    form.locator("#id_grounds").fill("Maʼmuriy huquqbuzarlik")
    form.locator("#id_registered_on").fill("2099-01-01")
    form.locator("button[type=submit]").click()
    expect(page.locator("#id_registered_on")).to_have_class(re.compile("is-invalid"))
    page.locator("#id_registered_on").fill(timezone.localdate().isoformat())
    page.get_by_test_id("register-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("person-name")).to_have_text("Sinovov Sinov")
    assert no_horizontal_overflow(page)

    # The district officer finds both; the council member sees no register at all.
    officer = browser.new_context(base_url=live_server.url, locale="uz-UZ").new_page()
    sign_in(officer, "officer.district")
    officer.goto("/prevention/records/?measure=official_warning")
    expect(officer.get_by_test_id("records")).to_contain_text(
        timezone.localdate().strftime("%d.%m.%Y")
    )
    officer.goto("/prevention/register/")
    expect(officer.get_by_test_id("register")).to_contain_text("Sinovov Sinov")
    officer.context.close()

    council = browser.new_context(base_url=live_server.url, locale="uz-UZ").new_page()
    sign_in(council, "council")
    response = council.goto("/prevention/register/")
    assert response.status == 404
    council.context.close()


def test_a_resident_rates_the_post_through_its_qr_code(phone_page: Page, browser, live_server):
    """The district officer prints the post's poster; its QR code carries the feedback
    address; a resident with no account rates the post on a phone; the comment is published
    after moderation."""
    from mahalla.models import Territory

    mahalla = Territory.objects.filter(parent__code="1726266").order_by("code").first()
    officer = browser.new_context(base_url=live_server.url, locale="uz-UZ").new_page()
    sign_in(officer, "officer.district")
    officer.goto(f"/prevention/mahallas/{mahalla.code}/")
    officer.get_by_role("link", name=re.compile("QR")).click()
    poster = officer.get_by_test_id("poster")
    expect(poster).to_be_visible()
    feedback_url = re.search(r"(http\S+/feedback/)", poster.inner_text()).group(1)

    # The QR image on the poster encodes exactly that address.
    qr_src = poster.locator("img").get_attribute("src")
    svg = officer.request.get(qr_src).text()
    expected = io.BytesIO()
    segno.make(feedback_url, error="m", micro=False).save(
        expected, kind="svg", scale=QR_SCALE, border=4, xmldecl=False
    )
    assert svg == expected.getvalue().decode()

    # A resident, not signed in, scans it and rates the post.
    page = phone_page
    page.goto(feedback_url)
    form = page.get_by_test_id("feedback-form")
    form.locator("label:has-text('5')").click()
    form.locator("textarea").fill("Inspektor har doim yordam beradi")
    assert no_horizontal_overflow(page)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("feedback-thanks")).to_be_visible()

    # The comment waits for moderation, then appears on the public mahalla page.
    officer.goto("/prevention/feedback/")
    item = officer.get_by_test_id("feedback-item").filter(has_text="Inspektor har doim yordam")
    item.locator("button[value=approve]").click()
    expect(item.locator("button[value=approve]")).to_have_count(0)
    page.goto(f"/prevention/mahallas/{mahalla.code}/")
    expect(page.locator("main")).to_contain_text("Inspektor har doim yordam beradi")
    officer.context.close()
