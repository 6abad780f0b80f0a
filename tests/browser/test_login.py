"""Signing in and out through the real login form, for every demo account."""

import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from core.demo import DEMO_PASSWORD

# Demo user name -> the role whose home page section (`<section data-role=...>`) they get.
DEMO_ROLES = {
    "admin": "admin",
    "council": "council_member",
    "officer.republic": "unit_officer",
    "officer.region": "unit_officer",
    "officer.district": "unit_officer",
    "inspector": "inspector",
    "commission": "commission_member",
    "ngo.admin": "ngo_admin",
    "ngo.staff": "ngo_staff",
}
LOGIN_PATH = "/accounts/login/"


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto(LOGIN_PATH)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def home_url(base_url: str) -> re.Pattern:
    return re.compile(re.escape(base_url) + r"/$")


def test_every_demo_role_signs_in_to_its_home_section(browser, live_server, demo_data):
    """Each demo account signs in through the form and lands on "/" with its role's section."""
    failures = []
    for username, role in DEMO_ROLES.items():
        context = browser.new_context(base_url=live_server.url, locale="uz-UZ")
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            sign_in(page, username, DEMO_PASSWORD)
            expect(page).to_have_url(home_url(live_server.url))
            expect(page.locator(f'section[data-role="{role}"]')).to_be_visible()
            # Every demo account holds exactly one role, so no other section may show.
            expect(page.locator("section[data-role]")).to_have_count(1)
            expect(page.locator('[data-role="public"]')).to_have_count(0)
            expect(page.get_by_test_id("user-menu")).to_be_visible()
        except (AssertionError, PlaywrightError) as exc:
            failures.append(f"{username} ({role}): {exc}")
        finally:
            context.close()
    assert not failures, "\n\n".join(failures)


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(page: Page, live_server):
    """A wrong password is refused with a visible error; the visitor stays signed out."""
    sign_in(page, "officer.district", DEMO_PASSWORD + "-wrong")
    expect(page.locator("main .alert-danger")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(live_server.url + LOGIN_PATH)))
    expect(page.locator("#id_username")).to_have_value("officer.district")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)


def test_sign_out_from_the_user_menu_returns_to_the_public_home(page: Page, live_server):
    """Signing out through the user menu's POST form ends the session and shows the public home."""
    sign_in(page, "officer.district", DEMO_PASSWORD)
    expect(page.locator('section[data-role="unit_officer"]')).to_be_visible()

    page.get_by_test_id("user-menu").click()
    sign_out = page.locator("form[action$='/accounts/logout/'] button[type=submit]")
    expect(sign_out).to_be_visible()
    sign_out.click()

    expect(page).to_have_url(home_url(live_server.url))
    expect(page.locator('[data-role="public"]')).to_be_visible()
    expect(page.locator("section[data-role]")).to_have_count(0)
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    # The session is really gone: reloading keeps the visitor signed out.
    page.reload()
    expect(page.locator('[data-role="public"]')).to_be_visible()
