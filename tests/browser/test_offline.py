"""Forms with no network on a phone: the outbox keeps what an inspector or NGO staff member files
offline, sends each entry once when the network returns, shows the server's refusals, and the
phone forgets it all at sign-out."""

import base64
import re

from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from core.demo import DEMO_PASSWORD
from tests.browser.offline import (
    RECORD_FORM,
    back_online_each_sent_once,
    go_offline,
    outbox,
    wait_until_kept,
)
from tests.browser.session import sign_in

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
REGISTER_FORM = "/prevention/register/new/"
ACTIVITY_FORM = "/partnership/activities/new/"


def sign_out(page: Page) -> None:
    page.get_by_role("button", name=re.compile("menu", re.I)).click()  # collapsed on phones
    page.get_by_test_id("user-menu").click()
    page.locator("form[data-logout-form] button").click()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)


def file_record(page: Page, summary: str, *, day: str | None = None) -> None:
    form = page.get_by_test_id("record-form")
    if day:
        form.locator("#id_date").fill(day)
    form.locator("#id_kind").select_option("general")
    form.locator("#id_measure").select_option("preventive_talk")
    form.locator("#id_summary").fill(summary)
    form.locator("#id_people_reached").fill("4")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("outbox-notice")).to_be_visible()
    # The form is cleared for the next entry.
    expect(form.locator("#id_summary")).to_have_value("")


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= 360")


def page_text(page: Page, message: str) -> str:
    """A server message as the page shows it, in the page's language."""
    language = page.evaluate("document.documentElement.lang")
    with translation.override(language):
        return str(translation.gettext(message))


def test_an_inspector_files_offline_and_each_entry_is_created_once(phone_page: Page):
    from prevention.models import PreventionRecord, RegisterEntry

    page = phone_page
    context = page.context
    today = timezone.localdate().isoformat()
    sign_in(page, "inspector")
    page.goto(RECORD_FORM)
    wait_until_kept(page)
    expect(page.get_by_test_id("offline-hint")).to_be_visible()

    # Offline: two records and a register entry wait in the outbox.
    go_offline(context, page, RECORD_FORM)
    expect(page.get_by_test_id("record-form").locator("#id_date")).to_have_value(today)
    file_record(page, "Oflayn suhbat birinchi")
    file_record(page, "Oflayn suhbat ikkinchi")
    expect(outbox(page)).to_have_attribute("data-pending", "2")
    assert no_horizontal_overflow(page)

    go_offline(context, page, REGISTER_FORM)
    form = page.get_by_test_id("register-form")
    form.locator("#id_full_name").fill("Oflaynov Oflayn")
    form.locator("#id_birth_date").fill("1990-02-03")
    form.locator("#id_address").fill("Yunusobod, 7-uy")
    form.locator("#id_document_number").fill("AC7654321")
    form.locator("#id_category").select_option(index=1)
    form.locator("#id_grounds").fill("Oflayn kiritilgan asos")
    form.locator("#id_registered_on").fill(today)
    form.locator("button[type=submit]").click()
    expect(outbox(page)).to_have_attribute("data-pending", "3")
    expect(page.get_by_test_id("outbox-status")).to_contain_text("3")
    expect(outbox(page).get_by_test_id("outbox-entry")).to_have_count(3)
    expect(outbox(page)).to_contain_text("Oflaynov Oflayn")
    assert no_horizontal_overflow(page)
    assert not PreventionRecord.objects.filter(summary__startswith="Oflayn suhbat").exists()
    assert not RegisterEntry.objects.filter(full_name="Oflaynov Oflayn").exists()

    # Back online: each is sent, once.
    back_online_each_sent_once(context, page, 3)
    assert PreventionRecord.objects.filter(summary="Oflayn suhbat birinchi").count() == 1
    assert PreventionRecord.objects.filter(summary="Oflayn suhbat ikkinchi").count() == 1
    assert RegisterEntry.objects.filter(full_name="Oflaynov Oflayn").count() == 1
    record = PreventionRecord.objects.get(summary="Oflayn suhbat birinchi")
    assert record.date == timezone.localdate()
    assert record.people_reached == 4

    # A sent entry links to what was created.
    outbox(page).locator("a[href^='/prevention/register/']").click()
    expect(page.get_by_test_id("person-name")).to_have_text("Oflaynov Oflayn")


def test_a_refused_entry_shows_the_server_message_and_is_corrected(phone_page: Page):
    from prevention.models import PreventionRecord

    page = phone_page
    context = page.context
    sign_in(page, "inspector")
    page.goto(RECORD_FORM)
    wait_until_kept(page)

    go_offline(context, page, RECORD_FORM)
    file_record(page, "Kelajakdagi suhbat", day="2099-01-01")
    file_record(page, "Yana kelajakdagi suhbat", day="2099-02-01")
    context.set_offline(False)
    refused = outbox(page).locator("[data-testid=outbox-entry][data-state=refused]")
    expect(refused).to_have_count(2)
    expect(refused.first.get_by_test_id("outbox-messages")).to_contain_text(
        page_text(page, "The date cannot be in the future.")
    )
    assert not PreventionRecord.objects.filter(summary__contains="kelajakdagi").exists()

    # Opened back in the form, corrected and sent.
    entry = refused.filter(has_text="Yana kelajakdagi suhbat")
    entry.get_by_role("button", name=re.compile(".")).first.click()
    form = page.get_by_test_id("record-form")
    expect(form.locator("#id_summary")).to_have_value("Yana kelajakdagi suhbat")
    expect(form.locator("#id_date")).to_have_value("2099-02-01")
    form.locator("#id_date").fill(timezone.localdate().isoformat())
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/prevention/records/\d+/$"))
    assert PreventionRecord.objects.filter(summary="Yana kelajakdagi suhbat").count() == 1

    # Sign-out warns of the entry never sent, then the phone forgets the pages and the outbox.
    page.goto(RECORD_FORM)
    expect(refused).to_have_count(1)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    sign_out(page)
    assert dialogs and "1" in dialogs[0]
    kept = page.evaluate(
        """async (path) => ({
            caches: await caches.keys(),
            form: !!(await caches.match(path)),
            databases: (await indexedDB.databases()).map((db) => db.name),
        })""",
        RECORD_FORM,
    )
    assert "hamkorlik-pages" not in kept["caches"]
    assert not kept["form"]
    assert "hamkorlik-outbox" not in kept["databases"]

    # With no network the form no longer opens: nothing of the user's is left to show.
    context.set_offline(True)
    try:
        response = page.goto(RECORD_FORM)
    except Exception:  # noqa: BLE001 - the browser's own "no network" error
        response = None
    assert response is None or page.locator("form[data-offline-form]").count() == 0


def test_an_entry_sent_after_the_session_ended_asks_to_sign_in_first(phone_page: Page):
    from prevention.models import PreventionRecord

    page = phone_page
    context = page.context
    sign_in(page, "inspector")
    page.goto(RECORD_FORM)
    wait_until_kept(page)
    go_offline(context, page, RECORD_FORM)
    file_record(page, "Sessiya tugagandan keyin")

    # The session expires while the phone is offline; back online the entry waits for a sign-in.
    context.clear_cookies(name="sessionid")
    context.set_offline(False)
    entry = outbox(page).locator("[data-testid=outbox-entry][data-state=signin]")
    expect(entry).to_have_count(1)
    assert not PreventionRecord.objects.filter(summary="Sessiya tugagandan keyin").exists()

    entry.get_by_role("link").click()
    page.locator("#id_username").fill("inspector")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(RECORD_FORM) + "$"))
    expect(outbox(page).locator("[data-testid=outbox-entry][data-state=sent]")).to_have_count(1)
    assert PreventionRecord.objects.filter(summary="Sessiya tugagandan keyin").count() == 1


def test_an_ngo_logs_an_activity_with_a_photo_offline(phone_page: Page):
    from partnership.models import JointActivity
    from prevention.models import Unit

    page = phone_page
    context = page.context
    sign_in(page, "ngo.staff")
    page.goto(ACTIVITY_FORM)
    wait_until_kept(page)

    go_offline(context, page, ACTIVITY_FORM)
    form = page.get_by_test_id("activity-form")
    district = form.locator("#id_district").input_value()
    unit = Unit.objects.filter(kind=Unit.Kind.DISTRICT, territory_id=district).first()
    form.locator("#id_unit").select_option(str(unit.pk))
    form.locator("#id_kind").select_option("youth_work")
    form.locator("#id_participants_youth").fill("12")
    form.locator("#id_description").fill("Oflayn yoshlar uchrashuvi")
    form.locator("#id_files").set_input_files(
        files=[{"name": "rasm.png", "mimeType": "image/png", "buffer": PNG}]
    )
    form.locator("button[type=submit]").click()
    expect(outbox(page)).to_have_attribute("data-pending", "1")
    assert not JointActivity.objects.filter(description="Oflayn yoshlar uchrashuvi").exists()

    context.set_offline(False)
    expect(outbox(page).locator("[data-testid=outbox-entry][data-state=sent]")).to_have_count(1)
    activity = JointActivity.objects.get(description="Oflayn yoshlar uchrashuvi")
    assert activity.participants_youth == 12
    assert activity.evidence.count() == 1
    assert activity.evidence.get().file.name.endswith(".png")


def test_an_answer_lost_on_the_way_back_does_not_make_a_second_record(phone_page: Page):
    """The server applies an entry but its answer never reaches the phone: the outbox sends the
    entry again with the same key, and the server answers it without a second record."""
    from prevention.models import PreventionRecord

    page = phone_page
    context = page.context
    sign_in(page, "inspector")
    page.goto(RECORD_FORM)
    wait_until_kept(page)
    go_offline(context, page, RECORD_FORM)
    file_record(page, "Javobi yoʻqolgan suhbat")

    keys = []
    lost = []

    def lose_the_first_answer(route):
        if route.request.method != "POST":
            return route.continue_()
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) > 1:
            return route.continue_()
        route.fetch()  # the server applies it...
        route.abort("connectionreset")  # ...and the answer is lost
        lost.append(True)

    context.route("**" + RECORD_FORM, lose_the_first_answer)
    context.set_offline(False)
    for _ in range(150):
        if lost:
            break
        page.wait_for_timeout(100)
    assert PreventionRecord.objects.filter(summary="Javobi yoʻqolgan suhbat").count() == 1
    # The entry waits again, with its key, for the next try (the page's, the worker's, or the
    # user's "Send now").
    entry = outbox(page).get_by_test_id("outbox-entry")
    expect(entry).not_to_have_attribute("data-state", "sending")
    if entry.get_attribute("data-state") == "waiting":
        outbox(page).locator("[data-outbox-send]").click()
    sent = outbox(page).locator("[data-testid=outbox-entry][data-state=sent]")
    expect(sent).to_have_count(1)
    assert len(keys) == 2 and keys[0] == keys[1]
    assert PreventionRecord.objects.filter(summary="Javobi yoʻqolgan suhbat").count() == 1
