"""The dashboard in the browser, in English: a council member drills down Republic → Tashkent
city → Yunusobod through the ranking table and the breadcrumbs, opens a region by clicking it
on the map, and reads it all on a phone without sideways scrolling."""

import re

from playwright.sync_api import Page, expect

from tests.browser.session import sign_in

REGION = "1726"  # Tashkent city
DISTRICT = "1726266"  # Yunusobod
# A point inside Tashkent city (longitude, latitude), for a click on the map.
TASHKENT = [69.27, 41.31]
PHONE_VIEWPORT = {"width": 360, "height": 740}


def expect_breadcrumbs(page: Page, names: list[str]) -> None:
    crumbs = page.get_by_test_id("breadcrumbs").locator("li")
    expect(crumbs).to_have_text(names)
    expect(crumbs.last).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("breadcrumbs").locator("a")).to_have_count(len(names) - 1)


def expect_map_drawn(page: Page) -> None:
    chart = page.get_by_test_id("dashboard-map")
    expect(chart).to_have_attribute("data-drawn", "true")
    expect(chart.locator("canvas, svg").first).to_be_visible()
    regions = page.evaluate(
        "Object.keys(JSON.parse(document.getElementById('dashboard-map-data')"
        ".textContent).regions).length"
    )
    assert regions == 14


def open_row(page: Page, code: str) -> None:
    page.locator(f'[data-testid="ranking-row"][data-code="{code}"] a').click()
    expect(page).to_have_url(re.compile(rf"[?&]node={code}(&|$)"))


def test_council_member_drills_down_and_opens_the_map(new_page):
    page = new_page()
    sign_in(page, "council")

    # The Republic: the map of the 14 regions, the ranking and the trend.
    page.goto("/accountability/dashboard/")
    expect_breadcrumbs(page, ["Republic of Uzbekistan"])
    expect_map_drawn(page)
    expect(page.get_by_test_id("dashboard-trend")).to_have_attribute("data-drawn", "true")
    expect(page.get_by_test_id("ranking-row")).to_have_count(14)
    expect(page.get_by_test_id("trend-row")).to_have_count(8)
    expect(page.get_by_test_id("map-attribution")).to_contain_text("OpenStreetMap contributors")

    # Republic → Tashkent city → Yunusobod through the ranking table.
    open_row(page, REGION)
    expect_breadcrumbs(page, ["Republic of Uzbekistan", "Tashkent City"])
    expect(page.get_by_test_id("dashboard-map")).to_have_count(0)
    open_row(page, DISTRICT)
    expect_breadcrumbs(page, ["Republic of Uzbekistan", "Tashkent City", "Yunusobod District"])
    expect(page.get_by_test_id("ranking-row")).to_have_count(1)

    # Back up through the breadcrumbs, then into Tashkent city by a click on the map.
    page.get_by_test_id("breadcrumbs").get_by_role("link", name="Republic of Uzbekistan").click()
    expect_breadcrumbs(page, ["Republic of Uzbekistan"])
    expect_map_drawn(page)
    chart = page.get_by_test_id("dashboard-map")
    chart.scroll_into_view_if_needed()
    x, y = page.evaluate(
        "([el, point]) => echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, point)",
        [chart.element_handle(), TASHKENT],
    )
    box = chart.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page).to_have_url(re.compile(rf"[?&]node={REGION}(&|$)"))
    expect_breadcrumbs(page, ["Republic of Uzbekistan", "Tashkent City"])


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= 360")


def test_dashboard_fits_a_phone(new_page):
    page = new_page(phone=True)
    sign_in(page, "council")

    page.goto("/accountability/dashboard/")
    expect_map_drawn(page)
    box = page.get_by_test_id("dashboard-map").bounding_box()
    assert box["width"] <= 360 and box["height"] > 150
    assert no_horizontal_overflow(page)
    for code in (REGION, DISTRICT):
        open_row(page, code)
        expect(page.get_by_test_id("dashboard-trend")).to_have_attribute("data-drawn", "true")
        assert no_horizontal_overflow(page)
