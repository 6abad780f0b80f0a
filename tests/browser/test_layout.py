"""The menu bar fits the screen at every width, for the longest menus in every language: the
page never scrolls sideways, every menu item lies on the screen, and the language select is
wide enough to show its language. On a phone's and a tablet's width the menu folds behind its
toggler, which opens it.

One sign-in per user; the language and the window's width change within that session. Each
(user, language, width) is a subtest, so a failure names all of those that fail.
"""

import re

from playwright.sync_api import Page, expect

from tests.browser.session import sign_in

# The demo users with the most entries in the main menu (accounts.selectors.navigation_items):
# the ones whose menu bar is the widest. The others are checked to have shorter menus.
CROWDED = ("admin", "officer.republic", "officer.region", "officer.district", "inspector")
OTHERS = ("council", "commission", "ngo.admin", "ngo.staff")
LANGUAGES = ("uz", "uz-cyrl", "ru", "en")
WIDTHS = (375, 768, 992, 1200, 1400, 1920)  # a phone, a tablet, then Bootstrap's lg, xl, xxl
HEIGHT = 800
MIN_SELECT_WIDTH = 100

MEASURE = """() => {
    const select = document.querySelector("#language-select");
    // The select's own width, unconstrained by the bar: the width that shows its text whole.
    const probe = select.cloneNode(true);
    probe.removeAttribute("id");
    probe.style.position = "absolute";
    probe.style.width = "auto";
    document.body.append(probe);
    const natural = probe.getBoundingClientRect().width;
    probe.remove();
    const toggler = document.querySelector("nav .navbar-toggler");
    const links = "#main-nav .navbar-nav > .nav-item > .nav-link";
    return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        collapsed: getComputedStyle(toggler).display !== "none",
        select: select.getBoundingClientRect().width,
        natural,
        items: [...document.querySelectorAll(links)].map((a) => {
            const box = a.getBoundingClientRect();
            return {label: a.innerText.trim(), left: box.left, right: box.right,
                    shown: a.checkVisibility() && box.width > 0};
        }),
    };
}"""


def use_language(page: Page, code: str) -> None:
    """Picks the language in the switcher as a pointer does, unless the page is in it already."""
    if page.locator("html").get_attribute("lang") != code:
        with page.expect_navigation():
            page.locator("#language-select").select_option(code)
    expect(page.locator("html")).to_have_attribute("lang", code)


def open_menu(page: Page) -> None:
    toggler = page.locator("nav .navbar-toggler")
    if toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))


def check_layout(page: Page) -> None:
    layout = page.evaluate(MEASURE)
    assert layout["scrollWidth"] <= layout["innerWidth"], (
        f"the page scrolls sideways: {layout['scrollWidth']} px wide "
        f"in a {layout['innerWidth']} px window"
    )
    if layout["collapsed"]:
        open_menu(page)
        layout = page.evaluate(MEASURE)
        assert layout["scrollWidth"] <= layout["innerWidth"], "the opened menu is too wide"
    off_screen = [
        item["label"]
        for item in layout["items"]
        if not item["shown"] or item["left"] < 0 or item["right"] > layout["innerWidth"]
    ]
    assert layout["items"] and not off_screen, f"menu items not on the screen: {off_screen}"
    assert layout["select"] >= MIN_SELECT_WIDTH, f"language select {layout['select']:.0f} px"
    assert layout["select"] >= layout["natural"] - 1, (
        f"language select {layout['select']:.0f} px, its text needs {layout['natural']:.0f} px"
    )


def test_the_checked_users_have_the_longest_menus(db):
    from accounts.models import User
    from accounts.selectors import navigation_items

    def entries(username: str) -> int:
        return len(navigation_items(User.objects.get(username=username)))

    shortest = min(entries(username) for username in CROWDED)
    as_long = [username for username in OTHERS if entries(username) >= shortest]
    assert not as_long, f"{as_long}: menus as long as the checked ones, add them to CROWDED"


def test_the_menu_bar_fits_every_width_in_every_language(new_page, subtests):
    for username in CROWDED:
        page = new_page(locale="uz-UZ", reduced_motion="reduce")
        sign_in(page, username)
        for code in LANGUAGES:
            # The switcher is in the bar itself on a wide screen, with no toggler to open.
            page.set_viewport_size({"width": WIDTHS[-1], "height": HEIGHT})
            use_language(page, code)
            for width in WIDTHS:
                with subtests.test(msg=f"{username}, {code}, {width} px"):
                    page.set_viewport_size({"width": width, "height": HEIGHT})
                    check_layout(page)
