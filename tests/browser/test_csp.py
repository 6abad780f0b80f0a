"""The Content-Security-Policy in the browser: key pages run with no violation reported (no
inline script, handler, style or eval left), and the behaviours moved out of the HTML into
static/js/portal.js still work: the language chooser, a 400 answer swapped in by htmx, the
progress bars' widths and the Swagger UI."""

import pytest
from playwright.sync_api import Page, expect

from mahalla.models import Territory
from partnership.models import Organisation
from partnership.services import organisation_apply
from tests.browser.session import sign_in

# Each violation the page reports, in the order they happen (before any page script runs).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""
PUBLIC_PAGES = ["/", "/accounts/login/", "/partnership/registry/", "/accountability/reports/"]
OFFICER_PAGES = [
    "/",
    "/accountability/dashboard/",
    "/partnership/organisations/verification/",
    "/partnership/agreements/",
    "/prevention/records/",
    "/outbox/",
]


@pytest.fixture
def watched_page(page: Page):
    """The page, with every CSP complaint of the console and every violation event kept."""
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    page.csp_console = console
    return page


def violations(page: Page) -> list[str]:
    return page.csp_console + page.evaluate("window.__cspViolations")


def visit(page: Page, path: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert violations(page) == [], path


def test_public_pages_run_under_the_policy(watched_page: Page):
    for path in PUBLIC_PAGES:
        visit(watched_page, path)


def test_the_language_chooser_switches_without_an_inline_handler(watched_page: Page):
    page = watched_page
    visit(page, "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "uz")
    page.locator("#language-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert violations(page) == []


def test_officer_pages_run_under_the_policy(watched_page: Page):
    page = watched_page
    sign_in(page, "officer.district")
    for path in OFFICER_PAGES:
        visit(page, path)
    # The dashboard's ECharts map and trend drew (canvas, no inline script or eval).
    page.goto("/accountability/dashboard/")
    expect(page.get_by_test_id("dashboard-map")).to_have_attribute("data-drawn", "true")
    page.get_by_test_id("dashboard-map").hover()
    assert violations(page) == []


def test_a_refused_htmx_form_is_swapped_in_with_its_error(watched_page: Page):
    organisation_apply(
        name="“Ezgu qadam” NNT",
        kind=Organisation.Kind.NGO,
        registration_number="NNT-CSP-0001",
        territory=Territory.objects.get(code="1726266"),  # Yunusobod, the officer's district
        applicant_name="Laylo Karimova",
        applicant_email="laylo@ezgu-qadam.uz",
    )
    page = watched_page
    sign_in(page, "officer.district")
    visit(page, "/partnership/organisations/verification/")
    application = page.get_by_test_id("application").first
    expect(application).to_be_visible()
    # A decision the server does not know: it answers 400 with the row and its error, which
    # portal.js lets htmx swap in (htmx alone would drop a 400).
    application.locator("button[name=decision]").first.evaluate("button => button.value = 'maybe'")
    with page.expect_response(lambda response: "/verify" in response.url) as answer:
        application.locator("button[name=decision]").first.click()
    assert answer.value.status == 400
    expect(page.get_by_test_id("application").first.get_by_role("alert")).to_be_visible()
    assert violations(page) == []


def test_api_docs_render_under_the_policy(watched_page: Page):
    page = watched_page
    sign_in(page, "officer.district")
    visit(page, "/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert violations(page) == []
