"""The territory browser on a 360 px phone: drilling down, live search and the menu.

The phone context sets no locale, so links are found by their territory code, never by name.
"""

import re

from playwright.sync_api import Page, expect

REGION = "1726"  # Toshkent shahri
DISTRICT = "1726266"  # Yunusobod tumani


def territory_link(code: str) -> str:
    return f'a[href="/territories/{code}/"]'


def assert_no_horizontal_overflow(page: Page) -> None:
    """The page is no wider than the phone's screen.

    Compared with the viewport width, not window.innerWidth: with is_mobile, Chromium zooms a
    too-wide page out and innerWidth grows with the content, so that comparison never fails.
    """
    page.wait_for_load_state("load")
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    inner_width = page.evaluate("window.innerWidth")
    assert scroll_width <= width + 1 and inner_width <= width + 1, (
        f"{page.url}: content is {scroll_width} px wide (innerWidth {inner_width}) "
        f"on a {width} px screen"
    )


def test_drill_down_from_the_country_to_a_mahalla_on_a_phone(phone_page: Page):
    """Country -> region -> district -> mahalla: breadcrumbs grow, heading changes, no overflow."""
    page = phone_page
    breadcrumbs = page.locator("ol[data-testid=breadcrumbs] > li")
    heading = page.get_by_test_id("territory-name")
    children = page.locator("table[data-testid=children]")

    page.goto("/territories/")
    expect(breadcrumbs).to_have_count(1)
    expect(heading).not_to_be_empty()
    assert_no_horizontal_overflow(page)

    steps = [
        (children.locator(territory_link(REGION)), rf"/territories/{REGION}/$"),
        (children.locator(territory_link(DISTRICT)), rf"/territories/{DISTRICT}/$"),
        # The district's first mahalla, whatever its generated name.
        (children.locator("tbody a").first, rf"/territories/{DISTRICT}\w+/$"),
    ]
    for depth, (link, url) in enumerate(steps, start=2):
        previous_name = heading.inner_text()
        link.click()
        expect(page).to_have_url(re.compile(url))
        expect(breadcrumbs).to_have_count(depth)
        # The page just left is now the last ancestor link, and the heading names the new node.
        expect(breadcrumbs.nth(depth - 2).locator("a")).to_have_text(previous_name)
        expect(heading).not_to_have_text(previous_name)
        expect(heading).not_to_be_empty()
        expect(breadcrumbs.last).to_have_text(heading.inner_text())
        assert_no_horizontal_overflow(page)

    # A mahalla is a leaf: nothing to drill into below it.
    expect(children).to_have_count(0)


def test_live_search_finds_a_district_by_its_cyrillic_and_russian_names(phone_page: Page):
    """Typing in the search box lists matches in place (htmx, no page load), in any script."""
    page = phone_page
    page.goto("/territories/")
    assert_no_horizontal_overflow(page)
    # A marker on the window survives only if the results come without a full page load.
    page.evaluate("window.__sameDocument = true")
    search = page.locator("#territory-q")
    results_heading = page.locator("#search-results h2")
    results = page.get_by_test_id("search-results")

    for query in ("Юнусобод", "Юнусабад"):  # Uzbek Cyrillic, then the Russian spelling
        search.fill(query)
        expect(results_heading).to_contain_text(query)
        expect(results.locator(territory_link(DISTRICT))).to_be_visible()

    assert page.evaluate("window.__sameDocument === true"), "the search reloaded the page"
    assert_no_horizontal_overflow(page)


def test_navbar_toggler_opens_the_menu_on_a_phone(phone_page: Page):
    """On a narrow screen the menu is folded behind the toggler, which opens it."""
    page = phone_page
    page.goto("/")
    menu = page.locator("#main-nav")
    toggler = page.locator("button.navbar-toggler[data-bs-target='#main-nav']")
    territories_item = menu.locator('a.nav-link[href="/territories/"]')

    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(territories_item).to_be_hidden()

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    expect(territories_item).to_be_visible()
    expect(menu.locator("#language-select")).to_be_visible()
    assert_no_horizontal_overflow(page)

    territories_item.click()
    expect(page).to_have_url(re.compile(r"/territories/$"))
