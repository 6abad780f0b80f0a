"""Signing in, shared by the browser tests."""

from playwright.sync_api import Page, expect

from core.demo import DEMO_PASSWORD


def sign_in(page: Page, username: str) -> None:
    """Signs a demo user in through the login page (the live server's address is the page's
    base URL)."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("user-menu")).to_have_count(1)
