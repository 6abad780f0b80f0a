"""The flows of the other browser tests done with the keyboard alone: Tab and Shift+Tab to move,
typing, Enter, Space and the arrow keys to act. No click and no fill: a control the keyboard
cannot reach fails `tab_to`, which names the element where the focus stopped.

Selects are operated as a keyboard user does: Alt+ArrowDown opens the list, the arrows move in
it, Enter chooses. The language switcher applies a language reached with the arrows only on Enter
or its button (WCAG 3.2.2).
"""

import re
from datetime import date, timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from core.demo import DEMO_PASSWORD
from tests.browser.offline import (
    RECORD_FORM,
    back_online_each_sent_once,
    go_offline,
    outbox,
    wait_until_kept,
)
from tests.browser.test_incentives import DOCUMENT as NOMINATION_DOCUMENT
from tests.browser.test_incentives import FACTS as NOMINATION_FACTS
from tests.browser.test_incentives import field_errors, inspector_mahalla
from tests.browser.test_login import LOGIN_PATH
from tests.browser.test_offline import page_text
from tests.browser.test_territory_browser import assert_no_horizontal_overflow, territory_link

DISTRICT = "1726266"  # Yunusobod, the demo officers' and inspector's district
REGION = "1726"  # Tashkent city
MESSAGE = "Dalolatnomani ilova qiling"
CORRECTED = "Klaviatura tuzatgan suhbat"

FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return "the page itself";
    const name = (e.getAttribute("aria-label") || e.innerText || e.value || "").trim();
    return `${e.tagName.toLowerCase()}#${e.id} [${e.getAttribute("data-testid") || ""}] `
        + name.slice(0, 40);
}"""


def focused(page: Page) -> str:
    return page.evaluate(FOCUSED)


def has_focus(page: Page, selector: str) -> bool:
    return page.evaluate(
        "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def tab_to(page: Page, selector: str, *, limit: int = 150, backwards: bool = False) -> int:
    """Presses Tab (or Shift+Tab) until the element matching `selector` has the focus."""
    for presses in range(limit):
        if has_focus(page, selector):
            return presses
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{selector} not reached in {limit} presses; focus on {focused(page)}")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)


def choose(page: Page, selector: str, *, value: str | None = None, label: str | None = None):
    """Picks an option of a select: opens its list, moves to the option, chooses it."""
    tab_to(page, selector)
    target = page.evaluate(
        """([value, label]) => [...document.activeElement.options].findIndex(
            (o) => (value !== null && o.value === value)
                || (label !== null && o.label === label))""",
        [value, label],
    )
    assert target >= 0, f"{selector} has no option {value or label}"
    page.keyboard.press("Alt+ArrowDown")
    page.keyboard.press("Home")
    for _ in range(target):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator(selector)).to_have_value(
        value or page.evaluate("(i) => document.activeElement.options[i].value", target)
    )


def type_date(page: Page, selector: str, day: date) -> None:
    """Types a date into a date field segment by segment, in the order the browser's locale
    shows them (month first in English)."""
    tab_to(page, selector)
    page.keyboard.type(f"{day:%m%d%Y}")
    expect(page.locator(selector)).to_have_value(day.isoformat())


def press_and_wait(page: Page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    type_into(page, "#id_username", username)
    type_into(page, "#id_password", DEMO_PASSWORD)
    press_and_wait(page)
    expect(page.get_by_test_id("user-menu")).to_have_count(1)


def follow(page: Page, selector: str) -> None:
    tab_to(page, selector)
    press_and_wait(page)


def test_skip_link_sign_in_menu_and_sign_out(new_page, live_server):
    page = new_page()
    page.goto("/")
    # The first Tab shows the skip link; Enter moves the focus to the main content.
    page.keyboard.press("Tab")
    skip = page.locator("a[href='#main']")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")

    sign_in(page, "officer.district")
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + "/$"))
    expect(page.locator('section[data-role="unit_officer"]')).to_be_visible()

    # The user menu opens with Enter; the arrows reach "Sign out".
    tab_to(page, "[data-testid=user-menu]")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("user-menu")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("form[data-logout-form] button")).to_be_focused()
    press_and_wait(page)
    expect(page.locator('[data-role="public"]')).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)

    # On a phone the menu folds behind its toggler, which the keyboard opens.
    phone = new_page(phone=True)
    phone.goto("/")
    toggler = phone.locator("button.navbar-toggler")
    tab_to(phone, "button.navbar-toggler")
    phone.keyboard.press("Enter")
    expect(toggler).to_have_attribute("aria-expanded", "true")
    follow(phone, '#main-nav a.nav-link[href="/territories/"]')
    expect(phone).to_have_url(re.compile(r"/territories/$"))


def test_inspector_files_a_record_and_a_register_entry_by_keyboard(new_page, browser):
    from prevention.models import PreventionRecord, RegisterEntry

    page = new_page(phone=True)
    sign_in(page, "inspector")
    follow(page, "[data-testid=new-record]")
    expect(page.get_by_test_id("record-form")).to_be_visible()
    expect(page.locator("#id_date")).to_have_value(timezone.localdate().isoformat())
    choose(page, "#id_kind", value="individual")
    choose(page, "#id_measure", value="official_warning")
    type_into(page, "#id_summary", "Klaviaturadan kiritilgan ogohlantirish")
    type_into(page, "#id_people_reached", "3")
    press_and_wait(page)  # Enter in a text field sends the form
    expect(page).to_have_url(re.compile(r"/prevention/records/\d+/$"))
    expect(page.locator("main")).to_contain_text("Klaviaturadan kiritilgan ogohlantirish")
    record = PreventionRecord.objects.get(summary="Klaviaturadan kiritilgan ogohlantirish")
    assert (record.kind, record.measure, record.people_reached) == (
        "individual",
        "official_warning",
        3,
    )

    page.goto("/prevention/register/new/")
    type_into(page, "#id_full_name", "Klaviaturov Tugma")
    type_date(page, "#id_birth_date", date(1995, 4, 12))
    type_into(page, "#id_address", "Yunusobod, 9-uy")
    type_into(page, "#id_document_number", "AB7654321")
    tab_to(page, "#id_category")
    page.keyboard.press("Alt+ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    type_into(page, "#id_grounds", "Maʼmuriy huquqbuzarlik")
    type_date(page, "#id_registered_on", timezone.localdate())
    tab_to(page, "[data-testid=register-form] button[type=submit]")
    press_and_wait(page)
    expect(page.get_by_test_id("person-name")).to_have_text("Klaviaturov Tugma")
    assert RegisterEntry.objects.filter(full_name="Klaviaturov Tugma").count() == 1


def test_ngo_logs_an_activity_and_the_officer_confirms_by_keyboard(new_page):
    from mahalla.models import Territory
    from partnership.models import JointActivity
    from prevention.models import Unit

    district = Territory.objects.get(code=DISTRICT)
    unit = Unit.objects.get(kind=Unit.Kind.DISTRICT, territory=district)

    page = new_page(phone=True)
    sign_in(page, "ngo.staff")
    follow(page, "[data-testid=new-activity]")
    choose(page, "#id_unit", value=str(unit.pk))
    # The organisation's district may be chosen already; another one reloads the mahallas.
    choose(page, "#id_district", value="")
    with page.expect_response(re.compile(r"/partnership/activities/mahallas/")):
        choose(page, "#id_district", value=str(district.pk))
    expect(page.locator("#id_mahalla option")).not_to_have_count(1)  # loaded by htmx
    choose(page, "#id_kind", value="youth_work")
    type_date(page, "#id_date", timezone.localdate())
    type_into(page, "#id_participants_youth", "25")
    type_into(page, "#id_description", "Klaviatura bilan huquqiy viktorina")
    tab_to(page, "[data-testid=activity-form] button[type=submit]")
    press_and_wait(page)
    expect(page).to_have_url(re.compile(r"/partnership/activities/\d+/$"))
    activity_url = page.url

    officer = new_page()
    sign_in(officer, "officer.district")
    officer.goto(activity_url)
    tab_to(officer, "[data-testid=review-form] button[value=confirm]")
    officer.keyboard.press("Enter")
    expect(officer.get_by_test_id("review-form")).to_have_count(0)
    activity = JointActivity.objects.get(description="Klaviatura bilan huquqiy viktorina")
    assert activity.status == JointActivity.Status.CONFIRMED
    assert activity.participants_youth == 25


def test_a_citizen_is_nominated_awarded_and_paid_by_keyboard(new_page):
    from accounts.models import User
    from incentives.models import IncentiveGround, Nomination

    mahalla = User.objects.get(username="inspector").memberships.get(role="inspector").territory
    ground = IncentiveGround.objects.get(code="prevention")

    page = new_page(phone=True)
    sign_in(page, "inspector")
    page.goto("/incentives/nominations/")
    follow(page, "[data-testid=new-nomination]")
    form = page.get_by_test_id("nomination-form")
    citizen = form.locator("fieldset[data-nominee-kind=citizen]")
    organisation = form.locator("fieldset[data-nominee-kind=organisation]")
    # The arrows move between the radio buttons of the nominee's kind, swapping the fieldsets.
    tab_to(page, "input[name=kind]:checked")
    page.keyboard.press("ArrowRight")
    expect(organisation).to_be_visible()
    expect(citizen).to_be_hidden()
    page.keyboard.press("ArrowLeft")
    expect(citizen).to_be_visible()
    expect(organisation).to_be_hidden()

    type_into(page, "#id_full_name", "Tugmachiyev Anvar")
    type_into(page, "#id_document_number", "AC1122334")
    choose(page, "#id_ground", value=str(ground.pk))
    choose(page, "#id_mahalla", value=str(mahalla.pk))
    type_date(page, "#id_event_date", timezone.localdate() - timedelta(days=2))
    type_into(page, "#id_facts", "Mahalla yoshlari bilan suhbatlar oʻtkazgan.")
    type_into(page, "#id_proposed_amount", "800000")
    tab_to(page, "#id_consent_to_publish")
    page.keyboard.press("Space")
    expect(page.locator("#id_consent_to_publish")).to_be_checked()
    tab_to(page, "[data-testid=nomination-form] button[type=submit]")
    press_and_wait(page)
    expect(page).to_have_url(re.compile(r"/incentives/nominations/\d+/$"))
    expect(page.get_by_test_id("nomination-state")).to_have_text("Submitted")
    nomination_url = page.url

    member = new_page()
    sign_in(member, "commission")
    member.goto(nomination_url)
    type_into(member, "[data-testid=comment-form] textarea", "Dalillar yetarli.")
    tab_to(member, "[data-testid=comment-form] button[type=submit]")
    member.keyboard.press("Enter")
    expect(member.get_by_test_id("comments").locator("li")).to_have_count(1)

    decision = member.get_by_test_id("decision-form")
    award = decision.get_by_label("Award as proposed")
    tab_to(member, "[data-testid=decision-form] input[type=radio]")
    member.keyboard.press("Space")
    for _ in range(5):  # the arrows move through the outcomes until this one
        if award.is_checked():
            break
        member.keyboard.press("ArrowDown")
    expect(award).to_be_checked()
    choose(member, "#id_incentive_type", label="Cash bonus")
    type_into(member, "#id_decision_number", "K-88")
    tab_to(member, "[data-testid=decision-form] button[type=submit]")
    press_and_wait(member)
    expect(member.get_by_test_id("nomination-state")).to_have_text("Approved")

    type_into(member, "#id_reference", "PP-2024-0088")
    press_and_wait(member)
    expect(member.get_by_test_id("nomination-state")).to_have_text("Paid")
    nomination = Nomination.objects.get(full_name="Tugmachiyev Anvar")
    assert nomination.state == Nomination.State.PAID
    assert (nomination.decision_number, nomination.payment_reference) == ("K-88", "PP-2024-0088")


def test_a_month_is_submitted_returned_and_approved_by_keyboard(new_page):
    from prevention.models import PeriodApproval
    from prevention.selectors import period_previous_month

    State = PeriodApproval.State
    month = period_previous_month(timezone.localdate())

    district = new_page(phone=True)
    sign_in(district, "officer.district")
    district.goto("/prevention/approvals/")
    section = district.get_by_test_id("district-section")
    tab_to(district, "[data-testid=district-section] [data-testid=submit-period]")
    district.keyboard.press("Enter")
    expect(section.get_by_test_id("state")).to_have_attribute("data-state", State.SUBMITTED)

    region = new_page()
    sign_in(region, "officer.region")
    region.goto("/prevention/approvals/")
    row_selector = f"[data-testid=district-row][data-code='{DISTRICT}']"
    row = region.locator(row_selector)
    tab_to(region, f"{row_selector} summary")
    region.keyboard.press("Enter")  # opens the return form
    type_into(region, f"{row_selector} textarea[name=message]", MESSAGE)
    tab_to(region, f"{row_selector} [data-testid=return-form] button[type=submit]")
    region.keyboard.press("Enter")
    expect(row.get_by_test_id("state")).to_have_attribute("data-state", State.OPEN)

    # The district reads the message through the notification bell, then submits again.
    district.goto("/prevention/approvals/")
    follow(district, "[data-testid=notification-bell]")
    follow(district, "[data-testid=notification] a")
    expect(district).to_have_url(re.compile(rf"/prevention/approvals/\?month={month:%Y-%m}$"))
    expect(district.get_by_test_id("period-message")).to_contain_text(MESSAGE)
    tab_to(district, "[data-testid=district-section] [data-testid=submit-period]")
    district.keyboard.press("Enter")
    expect(section.get_by_test_id("state")).to_have_attribute("data-state", State.SUBMITTED)

    region.reload()
    tab_to(region, f"{row_selector} [data-testid=approve]")
    region.keyboard.press("Enter")
    expect(row.get_by_test_id("state")).to_have_attribute("data-state", State.APPROVED)
    approval = PeriodApproval.objects.get(district__code=DISTRICT, month=month)
    assert approval.state == State.APPROVED


def test_dashboard_drill_down_and_language_switch_by_keyboard(new_page):
    page = new_page()
    sign_in(page, "council")
    page.goto("/accountability/dashboard/")
    crumbs = page.get_by_test_id("breadcrumbs").locator("li")
    expect(crumbs).to_have_text(["Republic of Uzbekistan"])
    # The map is drawn on a canvas: the ranking table is the keyboard's way into a region.
    follow(page, f'[data-testid="ranking-row"][data-code="{REGION}"] a')
    expect(crumbs).to_have_text(["Republic of Uzbekistan", "Tashkent City"])
    follow(page, f'[data-testid="ranking-row"][data-code="{DISTRICT}"] a')
    expect(crumbs).to_have_text(["Republic of Uzbekistan", "Tashkent City", "Yunusobod District"])
    # Back up through the breadcrumbs.
    follow(page, "[data-testid=breadcrumbs] li:first-child a")
    expect(crumbs).to_have_text(["Republic of Uzbekistan"])
    # The scrolling tables can be focused, so the keyboard can scroll them.
    tab_to(page, "[role=region][aria-labelledby=ranking-caption]")

    # The language switcher: the arrows move to a language, the switcher's button applies it.
    # Not `choose`: whether Enter reaches the select depends on whether its list opened in time,
    # and on the closed select Enter applies the language too.
    tab_to(page, "#language-select", backwards=True)
    expect(page.locator("#language-select")).to_have_value("en")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#language-select")).to_have_value("ru")
    follow(page, "[data-testid=language-submit]")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(crumbs).to_have_text(["Республика Узбекистан"])


def test_the_arrows_alone_do_not_switch_the_language(new_page):
    """WCAG 3.2.2 (On Input): the arrows on the closed language select only move through the
    languages; the switcher's button, or Enter on the select, applies the one reached."""
    page = new_page(locale="uz-UZ")
    page.goto("/territories/")
    html = page.locator("html")
    select = page.locator("#language-select")
    expect(html).to_have_attribute("lang", "uz")
    # Every language form sent: a switch on an arrow would be one more than the keys asked for,
    # whenever its page arrived.
    sent = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.post_data)
            if request.method == "POST" and "/i18n/setlang/" in request.url
            else None
        ),
    )

    button = page.get_by_test_id("language-submit")
    expect(button).to_be_hidden()  # nothing to apply yet
    tab_to(page, "#language-select")
    page.keyboard.press("ArrowDown")
    expect(select).to_have_value("uz-cyrl")
    expect(button).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(select).to_have_value("ru")
    tab_to(page, "[data-testid=language-submit]")
    expect(html).to_have_attribute("lang", "uz")
    press_and_wait(page)
    expect(html).to_have_attribute("lang", "ru")
    expect(page.get_by_test_id("territory-name")).to_have_text("Республика Узбекистан")
    assert len(sent) == 1 and "language=ru" in sent[0]

    tab_to(page, "#language-select")
    page.keyboard.press("ArrowDown")
    expect(select).to_have_value("en")
    press_and_wait(page)  # Enter on the select itself
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("territory-name")).to_have_text("Republic of Uzbekistan")
    assert len(sent) == 2 and "language=en" in sent[1]


def test_a_visitor_searches_the_registry_and_verifies_a_report_by_keyboard(
    new_page, settings, tmp_path
):
    from accountability.models import PeriodKind
    from accountability.periods import Period
    from accountability.services import report_generate
    from mahalla.models import Territory
    from partnership.models import Agreement

    settings.MEDIA_ROOT = tmp_path / "media"
    last_quarter = Period.containing(PeriodKind.QUARTER, timezone.localdate()).previous
    report = report_generate(territory=Territory.objects.get(code=REGION), period=last_quarter)
    agreement = Agreement.objects.filter(is_public=True, status=Agreement.Status.ACTIVE).first()

    page = new_page(phone=True)
    page.goto("/")
    follow(page, "main a[href='/partnership/registry/']")
    if not page.get_by_test_id("registry-filters").locator("input[name=q]").is_visible():
        tab_to(page, "details summary")  # the filters fold away on small screens
        page.keyboard.press("Enter")
    type_into(page, "[data-testid=registry-filters] input[name=q]", agreement.number)
    press_and_wait(page)
    rows = page.get_by_test_id("registry-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(agreement.number)

    page.goto("/accountability/reports/")
    follow(page, "[data-testid=archive-row] a")
    expect(page).to_have_url(re.compile(rf"/accountability/reports/{report.pk}/$"))
    follow(page, "[data-testid=verify-link]")
    type_into(page, "[data-testid=verify-form] input[type=text]", report.csv_sha256)
    press_and_wait(page)
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-match", "yes")


def open_record_form_offline(page: Page) -> None:
    """The inspector's record form, kept on the phone, opened with the network gone."""
    sign_in(page, "inspector")
    page.goto(RECORD_FORM)
    wait_until_kept(page)
    go_offline(page.context, page, RECORD_FORM)


def type_talk(page: Page, summary: str, people: str) -> None:
    """A preventive talk typed into the record form by keyboard."""
    choose(page, "#id_kind", value="general")
    choose(page, "#id_measure", value="preventive_talk")
    type_into(page, "#id_summary", summary)
    type_into(page, "#id_people_reached", people)


def test_an_inspector_files_offline_by_keyboard_and_each_entry_is_sent_once(phone_page):
    """The offline record flow of test_offline.py with the keyboard alone. The NGO's offline
    activity is left out: its photo is picked in the system's file chooser, which a headless
    browser does not let the keyboard drive; the rest of that form is done by keyboard above,
    online."""
    from prevention.models import PreventionRecord

    # The offline tests' phone, with the browser's own language: a page kept by the service
    # worker under one Accept-Language is not found under the one a new_page sets.
    page = phone_page
    context = page.context
    open_record_form_offline(page)
    form = page.get_by_test_id("record-form")
    expect(form.locator("#id_date")).to_have_value(timezone.localdate().isoformat())
    type_talk(page, "Klaviaturadan oflayn suhbat", "5")
    page.keyboard.press("Enter")  # Enter in a text field sends the form: into the outbox
    expect(page.get_by_test_id("outbox-notice")).to_be_visible()
    expect(outbox(page)).to_have_attribute("data-pending", "1")
    expect(form.locator("#id_summary")).to_have_value("")  # cleared for the next entry

    # The next one is sent with Space on the form's button.
    choose(page, "#id_kind", value="individual")
    choose(page, "#id_measure", value="official_warning")
    type_into(page, "#id_summary", "Klaviaturadan oflayn ogohlantirish")
    type_into(page, "#id_people_reached", "1")
    tab_to(page, "[data-testid=record-form] button[type=submit]")
    page.keyboard.press("Space")
    expect(outbox(page)).to_have_attribute("data-pending", "2")
    expect(outbox(page).get_by_test_id("outbox-entry")).to_have_count(2)
    assert not PreventionRecord.objects.filter(summary__startswith="Klaviaturadan oflayn").exists()

    # Back online: each is sent, once.
    back_online_each_sent_once(context, page, 2)
    talk = PreventionRecord.objects.get(summary="Klaviaturadan oflayn suhbat")
    warning = PreventionRecord.objects.get(summary="Klaviaturadan oflayn ogohlantirish")
    assert (talk.kind, talk.measure, talk.people_reached) == ("general", "preventive_talk", 5)
    assert (warning.kind, warning.measure, warning.people_reached) == (
        "individual",
        "official_warning",
        1,
    )
    assert talk.date == timezone.localdate()

    # A sent entry's link to its record is reached by keyboard too.
    follow(page, f"[data-testid=outbox] a[href='/prevention/records/{warning.pk}/']")
    expect(page.locator("main")).to_contain_text("Klaviaturadan oflayn ogohlantirish")


def test_a_resident_rates_the_post_by_keyboard(new_page, settings):
    """The QR-code flow of test_prevention.py: the officer opens the post's poster, a resident
    rates the post (the arrows move through the ratings), the officer publishes the comment. The
    QR code itself is read by the phone's camera, not typed: its address is opened directly."""
    from mahalla.models import Territory
    from prevention.models import ResidentFeedback

    # The ratings are limited per client address, and every run comes from the same one.
    settings.FEEDBACK_RATE = "1000/h"
    mahalla = Territory.objects.filter(parent__code=DISTRICT).order_by("code").first()
    officer = new_page()
    sign_in(officer, "officer.district")
    officer.goto(f"/prevention/mahallas/{mahalla.code}/")
    follow(officer, "[data-testid=posts] a[href$='/poster/']")
    poster = officer.get_by_test_id("poster")
    feedback_url = re.search(r"(http\S+/feedback/)", poster.inner_text()).group(1)

    # Without motion the focus ring is drawn at once, not faded in.
    page = new_page(phone=True, reduced_motion="reduce")
    page.goto(feedback_url)
    rating = "[data-testid=feedback-form] input[name=rating]"
    tab_to(page, rating)  # with no rating chosen yet, Tab stops on the first one
    expect(page.locator(rating).first).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator(rating).first).to_be_checked()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(page.locator(f"{rating}[value='5']")).to_be_checked()
    expect(page.locator(f"{rating}[value='5']")).to_be_focused()
    # The radio buttons are hidden behind their labels: the label shows where the focus is,
    # with a ring the others do not have.
    rings = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].map(
            (input) => getComputedStyle(input.labels[0]).boxShadow)""",
        rating,
    )
    assert rings[4] != "none" and set(rings[:4]) == {"none"}, rings
    type_into(page, "[data-testid=feedback-form] textarea", "Klaviatura bilan baho berdim")
    tab_to(page, "[data-testid=feedback-form] button[type=submit]")
    press_and_wait(page, "Space")
    expect(page.get_by_test_id("feedback-thanks")).to_be_visible()
    feedback = ResidentFeedback.objects.get(comment="Klaviatura bilan baho berdim")
    assert (feedback.rating, feedback.mahalla) == (5, mahalla)
    assert feedback.moderation == ResidentFeedback.Moderation.PENDING

    officer.goto("/prevention/feedback/")
    publish = f"#feedback-{feedback.pk} button[value=approve]"
    tab_to(officer, publish)
    officer.keyboard.press("Enter")
    expect(officer.locator(publish)).to_have_count(0)
    feedback.refresh_from_db()
    assert feedback.moderation == ResidentFeedback.Moderation.APPROVED
    page.goto(f"/prevention/mahallas/{mahalla.code}/")
    expect(page.locator("main")).to_contain_text("Klaviatura bilan baho berdim")


def test_territories_are_drilled_down_to_a_mahalla_by_keyboard(new_page):
    """The drill-down of test_territory_browser.py, on a phone, each link reached by Tab and
    followed with Enter. The territory browser has no map: its tables are the only way down."""
    page = new_page(phone=True)
    breadcrumbs = page.locator("ol[data-testid=breadcrumbs] > li")
    heading = page.get_by_test_id("territory-name")
    children = "table[data-testid=children]"

    page.goto("/territories/")
    expect(breadcrumbs).to_have_count(1)
    steps = [
        (f"{children} {territory_link(REGION)}", rf"/territories/{REGION}/$"),
        (f"{children} {territory_link(DISTRICT)}", rf"/territories/{DISTRICT}/$"),
        # The district's first mahalla, whatever its generated name: the first link Tab reaches.
        (f"{children} tbody a", rf"/territories/{DISTRICT}\w+/$"),
    ]
    for depth, (link, url) in enumerate(steps, start=2):
        previous_name = heading.inner_text()
        follow(page, link)
        expect(page).to_have_url(re.compile(url))
        expect(breadcrumbs).to_have_count(depth)
        expect(breadcrumbs.nth(depth - 2).locator("a")).to_have_text(previous_name)
        expect(heading).not_to_have_text(previous_name)
        expect(breadcrumbs.last).to_have_text(heading.inner_text())
    expect(page.locator(children)).to_have_count(0)

    # And back up to the district through the breadcrumbs.
    follow(page, f"[data-testid=breadcrumbs] {territory_link(DISTRICT)}")
    expect(breadcrumbs).to_have_count(3)
    assert_no_horizontal_overflow(page)


def test_the_live_search_is_typed_and_its_result_opened_by_keyboard(new_page):
    """The live search of test_territory_browser.py: results come as the name is typed, in
    Cyrillic or Russian, Enter searches too, and neither loads the page again."""
    page = new_page(phone=True)
    page.goto("/territories/")
    # A marker on the window survives only if the results come without a full page load.
    page.evaluate("window.__sameDocument = true")
    results_heading = page.locator("#search-results h2")
    district = page.get_by_test_id("search-results").locator(territory_link(DISTRICT))
    # The results are a live region, so a screen reader reads them out as they come.
    expect(page.locator("#search-results")).to_have_attribute("aria-live", "polite")

    type_into(page, "#territory-q", "Юнусобод")  # Uzbek Cyrillic
    expect(results_heading).to_contain_text("Юнусобод")
    expect(district).to_be_visible()
    type_into(page, "#territory-q", "Юнусабад")  # the Russian spelling
    page.keyboard.press("Enter")
    expect(results_heading).to_contain_text("Юнусабад")
    expect(district).to_be_visible()
    expect(page.locator("#territory-q")).to_be_focused()  # typing can go on
    assert page.evaluate("window.__sameDocument === true"), "the search reloaded the page"

    follow(page, f"[data-testid=search-results] {territory_link(DISTRICT)}")
    expect(page).to_have_url(re.compile(rf"/territories/{DISTRICT}/$"))
    expect(page.get_by_test_id("territory-name")).not_to_be_empty()


def in_menu(page: Page) -> bool:
    return page.evaluate("document.querySelector('#main-nav').contains(document.activeElement)")


def test_the_phone_menu_opens_closes_and_is_followed_by_keyboard(new_page):
    """The menu of test_territory_browser.py on a phone: folded, its items are out of the Tab
    order; Space and Enter on the toggler open and fold it; a drop-down in it closes with Escape
    and leaves the focus on its own toggle."""
    page = new_page(phone=True)
    sign_in(page, "inspector")  # signed in, the menu holds the user's drop-down
    page.goto("/")
    toggler_selector = "button.navbar-toggler[data-bs-target='#main-nav']"
    toggler = page.locator(toggler_selector)
    menu = page.locator("#main-nav")
    user_menu = page.get_by_test_id("user-menu")

    tab_to(page, toggler_selector)
    expect(toggler).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Tab")
    assert not in_menu(page), f"the folded menu takes the focus: {focused(page)}"
    page.keyboard.press("Shift+Tab")
    expect(toggler).to_be_focused()

    page.keyboard.press("Space")
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu).to_have_class(re.compile(r"\bshow\b"))  # opened to the end of its animation
    page.keyboard.press("Tab")  # the menu follows its toggler
    assert in_menu(page), f"the open menu is not next after its toggler: {focused(page)}"
    expect(menu.locator("#language-select")).to_be_visible()

    tab_to(page, "[data-testid=user-menu]")
    page.keyboard.press("Enter")
    expect(user_menu).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('.dropdown-menu') !== null"), (
        f"the arrows do not enter the drop-down: {focused(page)}"
    )
    page.keyboard.press("Escape")
    expect(user_menu).to_have_attribute("aria-expanded", "false")
    expect(user_menu).to_be_focused()
    expect(toggler).to_have_attribute("aria-expanded", "true")  # Escape closed only the drop-down

    tab_to(page, toggler_selector, backwards=True)
    page.keyboard.press("Enter")
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    expect(toggler).to_be_focused()

    page.keyboard.press("Enter")
    expect(menu).to_have_class(re.compile(r"\bshow\b"))
    follow(page, '#main-nav a.nav-link[href="/territories/"]')
    expect(page).to_have_url(re.compile(r"/territories/$"))


def test_a_wrong_password_is_announced_and_corrected_by_keyboard(new_page, live_server):
    """The refusal of test_login.py: the error is an alert (read out by a screen reader) that
    the fields name, the user name is kept, and the focus is back in the form, where the
    keyboard corrects it."""
    page = new_page()
    page.goto(LOGIN_PATH)
    type_into(page, "#id_username", "officer.district")
    type_into(page, "#id_password", DEMO_PASSWORD + "-wrong")
    press_and_wait(page)
    expect(page).to_have_url(re.compile(re.escape(live_server.url + LOGIN_PATH)))
    error = page.locator("main [role=alert]")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    expect(page.locator("#id_username")).to_have_value("officer.district")
    expect(page.locator("#id_username")).to_be_focused()
    # The focused field names the error, which a screen reader reads with it.
    for field in ("#id_username", "#id_password"):
        expect(page.locator(field)).to_have_attribute("aria-describedby", "login-error")
        expect(page.locator(field)).to_have_attribute("aria-invalid", "true")
    expect(error).to_have_id("login-error")

    type_into(page, "#id_password", DEMO_PASSWORD)
    press_and_wait(page)
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + "/$"))
    expect(page.get_by_test_id("user-menu")).to_have_count(1)


def test_a_nomination_without_the_name_is_refused_and_corrected_by_keyboard(new_page):
    """The refusal of test_incentives.py: sent by keyboard without the citizen's name, the form
    comes back with the name field marked invalid, described by its error and focused; the
    keyboard writes the name, and the nomination is sent."""
    from incentives.models import IncentiveGround, Nomination

    before = Nomination.objects.count()
    ground = IncentiveGround.objects.get(code="prevention")
    page = new_page(phone=True)
    sign_in(page, "inspector")
    page.goto("/incentives/nominations/new/")
    type_into(page, "#id_document_number", NOMINATION_DOCUMENT)
    choose(page, "#id_ground", value=str(ground.pk))
    choose(page, "#id_mahalla", value=str(inspector_mahalla().pk))
    type_date(page, "#id_event_date", timezone.localdate() - timedelta(days=2))
    type_into(page, "#id_facts", NOMINATION_FACTS)
    type_into(page, "#id_proposed_amount", "800000")
    tab_to(page, "#id_consent_to_publish")
    page.keyboard.press("Space")
    tab_to(page, "[data-testid=nomination-form] button[type=submit]")
    with page.expect_response(re.compile(r"/incentives/nominations/new/$")) as response:
        press_and_wait(page)
    assert response.value.status == 400

    expect(page.get_by_test_id("nomination-form").locator(".invalid-feedback")).to_have_count(1)
    expect(field_errors(page, "id_full_name")).to_have_text("Needed for a citizen.")
    # the focus starts on the refused field, not at the top of the page
    expect(page.locator("#id_full_name")).to_be_focused()
    expect(page.locator("#id_full_name")).to_have_attribute("aria-invalid", "true")
    page.keyboard.type("Tuzatilgan Ism")
    tab_to(page, "[data-testid=nomination-form] button[type=submit]")
    press_and_wait(page)
    expect(page).to_have_url(re.compile(r"/incentives/nominations/\d+/$"))
    expect(page.get_by_test_id("full-name")).to_have_text("Tuzatilgan Ism")
    assert Nomination.objects.count() == before + 1
    nomination = Nomination.objects.get(document_number=NOMINATION_DOCUMENT)
    assert (nomination.full_name, nomination.facts) == ("Tuzatilgan Ism", NOMINATION_FACTS)
    assert nomination.consent_to_publish is True


def settle_outbox(page: Page, count: int) -> None:
    """Waits until the outbox holds `count` refused entries with their messages read from the
    server's answer: after that nothing changes the outbox until the user acts."""
    page.evaluate(
        """(count) => new Promise((resolve) => {
            const store = window.HamkorlikOutbox;
            const check = () => store.list().then((entries) => {
                if (entries.length === count && entries.every(
                    (e) => e.state === "refused" && !e.page && e.messages)) {
                    resolve();
                }
            });
            store.onChange(check);
            check();
        })""",
        count,
    )


def test_a_refused_offline_entry_is_corrected_by_keyboard(phone_page):
    """The refusal flow of test_offline.py with the keyboard alone: two records filed offline
    with a future date are refused by the server once online; one is opened back in the form,
    its date corrected and sent; sign-out warns of the other."""
    from prevention.models import PreventionRecord

    page = phone_page  # see test_an_inspector_files_offline_by_keyboard_and_each_entry_is_sent_once
    context = page.context
    sign_in(page, "inspector")
    page.goto(RECORD_FORM)
    wait_until_kept(page)

    go_offline(context, page, RECORD_FORM)
    for pending, (summary, day) in enumerate(
        [("Klaviatura kelajakdagi suhbat", date(2099, 1, 1)), (CORRECTED, date(2099, 2, 1))],
        start=1,
    ):
        type_date(page, "#id_date", day)
        choose(page, "#id_kind", value="general")
        choose(page, "#id_measure", value="preventive_talk")
        type_into(page, "#id_summary", summary)
        type_into(page, "#id_people_reached", "4")
        page.keyboard.press("Enter")
        expect(outbox(page)).to_have_attribute("data-pending", str(pending))
    context.set_offline(False)
    settle_outbox(page, 2)
    refused = outbox(page).locator("[data-testid=outbox-entry][data-state=refused]")
    expect(refused).to_have_count(2)
    expect(refused.first.get_by_test_id("outbox-messages")).to_contain_text(
        page_text(page, "The date cannot be in the future.")
    )
    assert not PreventionRecord.objects.filter(summary__startswith="Klaviatura").exists()

    position = page.evaluate(
        """(text) => [...document.querySelectorAll("[data-testid=outbox-entry]")]
            .findIndex((entry) => entry.textContent.includes(text))""",
        CORRECTED,
    )
    tab_to(page, f"[data-testid=outbox-list] > li:nth-child({position + 1}) .btn-outline-primary")
    page.keyboard.press("Enter")  # "Correct and send again": back in the form, focus in it
    form = page.get_by_test_id("record-form")
    expect(form.locator("#id_summary")).to_have_value(CORRECTED)
    expect(form.locator("#id_date")).to_have_value("2099-02-01")
    assert page.evaluate(
        "document.querySelector('[data-testid=record-form]').contains(document.activeElement)"
    ), f"the focus is not in the form: {focused(page)}"
    type_date(page, "#id_date", timezone.localdate())
    tab_to(page, "[data-testid=record-form] button[type=submit]")
    press_and_wait(page)
    expect(page).to_have_url(re.compile(r"/prevention/records/\d+/$"))
    assert PreventionRecord.objects.filter(summary=CORRECTED).count() == 1

    # Sign-out from the folded menu warns of the entry never sent.
    page.goto(RECORD_FORM)
    expect(refused).to_have_count(1)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    tab_to(page, "button.navbar-toggler")
    page.keyboard.press("Enter")
    tab_to(page, "[data-testid=user-menu]")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("form[data-logout-form] button")).to_be_focused()
    press_and_wait(page)
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    assert dialogs and "1" in dialogs[0]
    kept = page.evaluate("async () => (await indexedDB.databases()).map((db) => db.name)")
    assert "hamkorlik-outbox" not in kept


def test_the_focus_stays_in_the_outbox_when_an_entry_is_sent(phone_page):
    """A keyboard user on an entry's button when the network returns: the entry is sent and
    redrawn, and the focus must stay in the outbox, not fall back to the start of the page."""
    page = phone_page
    context = page.context
    open_record_form_offline(page)
    type_talk(page, "Fokus saqlanadigan suhbat", "2")
    page.keyboard.press("Enter")
    expect(outbox(page)).to_have_attribute("data-pending", "1")
    tab_to(page, "[data-testid=outbox-entry] .btn-outline-danger")  # its "Delete"

    context.set_offline(False)
    expect(outbox(page).locator("[data-testid=outbox-entry][data-state=sent]")).to_have_count(1)
    assert page.evaluate(
        "document.querySelector('[data-testid=outbox]').contains(document.activeElement)"
    ), f"the focus left the outbox: {focused(page)}"
