"""The flows of the other browser tests done with the keyboard alone: Tab and Shift+Tab to move,
typing, Enter, Space and the arrow keys to act. No click and no fill: a control the keyboard
cannot reach fails `tab_to`, which names the element where the focus stopped.

Selects are operated as a keyboard user does: Alt+ArrowDown opens the list, the arrows move in
it, Enter chooses (one change event, as the language switcher needs).
"""

import re
from datetime import date, timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from core.demo import DEMO_PASSWORD

DISTRICT = "1726266"  # Yunusobod, the demo officers' and inspector's district
REGION = "1726"  # Tashkent city
MESSAGE = "Dalolatnomani ilova qiling"

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

    # The language switcher: its list opens with Alt+ArrowDown, Enter picks a language.
    tab_to(page, "#language-select", backwards=True)
    with page.expect_navigation():
        choose(page, "#language-select", value="ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(crumbs).to_have_text(["Республика Узбекистан"])


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
