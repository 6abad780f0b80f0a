"""Helpers of the browser tests that take a phone offline: the offline tests and their keyboard
variant share them."""

from playwright.sync_api import BrowserContext, Page, expect

RECORD_FORM = "/prevention/records/new/"


def wait_until_kept(page: Page) -> None:
    """Every offline form of the user has its copy on the phone."""
    # A selector, not wait_for_function: that evaluates its text with eval, which the
    # Content-Security-Policy refuses.
    expect(page.locator("html[data-offline-ready='true']")).to_have_count(1)


def go_offline(context: BrowserContext, page: Page, path: str) -> None:
    context.set_offline(True)
    page.goto(path)  # from the copy on the phone
    expect(page.locator("form[data-offline-form]")).to_have_count(1)


def outbox(page: Page):
    return page.get_by_test_id("outbox")


def back_online_each_sent_once(context: BrowserContext, page: Page, count: int) -> None:
    """Back online, the outbox sends its `count` entries; the next load sends none again."""
    context.set_offline(False)
    sent = outbox(page).locator("[data-testid=outbox-entry][data-state=sent]")
    expect(sent).to_have_count(count)
    expect(outbox(page)).to_have_attribute("data-pending", "0")
    page.reload()  # the page sends again what is pending at every load: nothing is
    expect(sent).to_have_count(count)
