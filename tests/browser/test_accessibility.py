"""axe-core on the key pages of every role, on a computer's screen and on a phone's: no serious
or critical finding is acceptable. Each page is a subtest, so a failure names the page and
lists each finding (rule, impact, help, elements); run with -s to see the moderate and minor
findings too, which are printed, not failed.

Pages are visited in one test per audience because every browser test reloads the demo set;
the Swagger UI (/api/docs/) and the Django admin are third-party pages, left out.
"""

import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accountability.models import PeriodKind
from accountability.periods import Period
from tests.browser.a11y import BLOCKING_IMPACTS, axe_findings, describe
from tests.browser.session import sign_in

DISTRICT = "1726266"  # Yunusobod, the demo officers' and inspector's district
REGION = "1726"  # Tashkent city
# Menu links to third-party pages, whose markup the portal does not write.
THIRD_PARTY = re.compile(r"^/(api|admin)/")

# Demo user -> pages beyond the home page and the main menu: forms, and details found by
# following the first link of a list whose address matches the pattern.
ROLE_PAGES: dict[str, list[str | tuple[str, str]]] = {
    "admin": [],
    "council": [],
    "officer.republic": [  # the tiny demo's activities and requests lie outside Yunusobod
        ("/partnership/activities/", r"^/partnership/activities/\d+/$"),
        ("/partnership/requests/", r"^/partnership/requests/\d+/$"),
    ],
    "officer.region": [],
    "officer.district": [
        ("/prevention/records/", r"^/prevention/records/\d+/$"),
        ("/prevention/register/", r"^/prevention/register/\d+/$"),
        ("/prevention/meetings/", r"^/prevention/meetings/\d+/$"),
        ("/prevention/inspectors/", r"^/prevention/inspectors/\d+/$"),
        ("/partnership/agreements/", r"^/partnership/agreements/\d+/$"),
        ("/partnership/organisations/", r"^/partnership/organisations/\d+/$"),
        "/prevention/performance/",
    ],
    "inspector": [
        "/prevention/records/new/",
        "/prevention/register/new/",
        "/prevention/meetings/new/",
        "/incentives/nominations/new/",
        "/incentives/social-cases/new/",
        "/outbox/",
    ],
    "commission": [
        ("/incentives/nominations/", r"^/incentives/nominations/\d+/$"),
        ("/incentives/social-cases/", r"^/incentives/social-cases/\d+/$"),
    ],
    "ngo.admin": [
        "/partnership/requests/new/",
        "/partnership/agreements/new/",
        "/notifications/",
        "/accounts/password/",
    ],
    "ngo.staff": ["/partnership/activities/new/"],
}

# Pages whose layout changes most on a 360 px phone.
PHONE_PAGES: dict[str, list[str]] = {
    "inspector": ["/", "/prevention/records/new/", "/incentives/nominations/new/"],
    "ngo.staff": ["/partnership/activities/new/"],
    "officer.district": ["/prevention/approvals/", "/prevention/records/"],
    "council": ["/accountability/dashboard/"],
}


@pytest.fixture
def axe_page(new_page) -> Callable[..., Page]:
    """Pages in Uzbek (the default language). bypass_csp: axe is injected as an inline
    script, which the portal's policy refuses; the portal never serves it to a user's page."""

    def make(*, phone: bool = False) -> Page:
        return new_page(phone=phone, locale="uz-UZ", bypass_csp=True)

    return make


@pytest.fixture
def public_report(settings, tmp_path, demo_data):
    from accountability.services import report_generate
    from mahalla.models import Territory

    # The live server runs in this process, so it writes the PDF to the same media folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    last_quarter = Period.containing(PeriodKind.QUARTER, timezone.localdate()).previous
    return report_generate(territory=Territory.objects.get(code=REGION), period=last_quarter)


def wait_until_drawn(page: Page) -> None:
    """Charts are drawn after the page loads; axe must see them as a user does."""
    page.wait_for_load_state("load")
    charts = page.locator("[data-testid^=dashboard-][data-drawn]")
    for index in range(charts.count()):
        expect(charts.nth(index)).to_have_attribute("data-drawn", "true")


def menu_paths(page: Page) -> list[str]:
    hrefs = page.evaluate(
        "[...document.querySelectorAll('#main-nav a[href]')].map((a) => a.getAttribute('href'))"
    )
    return [h for h in dict.fromkeys(hrefs) if h.startswith("/") and not THIRD_PARTY.match(h)]


def first_link(page: Page, pattern: str) -> str | None:
    hrefs = page.evaluate(
        "[...document.querySelectorAll('main a[href]')].map((a) => a.getAttribute('href'))"
    )
    return next((h for h in hrefs if re.match(pattern, h)), None)


def check_page(page: Page, path: str, label: str, subtests, *, status: int = 200) -> None:
    with subtests.test(msg=label, path=path):
        response = page.goto(path)
        assert response.status == status, f"{label} ({path}): HTTP {response.status}"
        wait_until_drawn(page)
        findings = axe_findings(page)
        blocking = [f for f in findings if f["impact"] in BLOCKING_IMPACTS]
        others = [f for f in findings if f["impact"] not in BLOCKING_IMPACTS]
        if others:
            print(f"\n{label} ({path}), not blocking:\n{describe(others)}")
        assert not blocking, f"{label} ({path}):\n{describe(blocking)}"


def test_public_pages_have_no_serious_findings(axe_page, public_report, subtests):
    from prevention.models import Unit

    mahalla = (
        Unit.objects.filter(kind=Unit.Kind.POST, territory__code=DISTRICT)
        .values_list("mahallas__code", flat=True)
        .order_by("mahallas__code")
        .first()
    )
    for phone in (False, True):
        page = axe_page(phone=phone)
        screen = "phone" if phone else "desktop"
        pages = [
            ("/", "public home"),
            ("/accounts/login/", "login"),
            ("/partnership/registry/", "public agreements"),
            ("/incentives/awards/register/", "award register"),
            ("/accountability/dashboard/", "public dashboard"),
            (f"/accountability/reports/{public_report.pk}/", "public report"),
            (f"/prevention/mahallas/{mahalla}/", "public mahalla page"),
        ]
        if not phone:  # the same templates again, their layout no different on a phone
            pages += [
                ("/accounts/reset/", "password reset"),
                ("/territories/", "territories"),
                (f"/territories/{DISTRICT}/", "territory detail"),
                ("/partnership/organisations/apply/", "organisation application"),
                ("/accountability/reports/", "public reports"),
                ("/accountability/reports/verify/", "report verification"),
            ]
        for path, label in pages:
            check_page(page, path, f"{label}, {screen}", subtests)
        page.goto("/partnership/registry/")
        agreement = first_link(page, r"^/partnership/registry/\d+/$")
        check_page(page, agreement, f"public agreement, {screen}", subtests)
        page.goto(f"/prevention/mahallas/{mahalla}/")
        feedback = first_link(page, r"^/prevention/posts/[-\w]+/feedback/$")
        check_page(page, feedback, f"resident feedback form, {screen}", subtests)
        check_page(page, "/no-such-page/", f"not found (404), {screen}", subtests, status=404)


def test_every_roles_pages_have_no_serious_findings(axe_page, subtests):
    seen: set[str] = set()  # a menu page shared by several roles is checked for the first
    for username, extra in ROLE_PAGES.items():
        page = axe_page()
        sign_in(page, username)
        check_page(page, "/", f"home of {username}", subtests)
        for path in menu_paths(page):
            if path != "/" and path not in seen:
                seen.add(path)
                check_page(page, path, f"{path} as {username}", subtests)
        for entry in extra:
            if isinstance(entry, str):
                check_page(page, entry, f"{entry} as {username}", subtests)
                continue
            list_path, detail_pattern = entry
            page.goto(list_path)
            detail = first_link(page, detail_pattern)
            with subtests.test(msg=f"a detail of {list_path} as {username}"):
                assert detail, f"{list_path} as {username}: no link matching {detail_pattern}"
            if detail:
                check_page(page, detail, f"{detail} as {username}", subtests)
        page.context.close()


def test_phone_pages_have_no_serious_findings(axe_page, subtests):
    for username, paths in PHONE_PAGES.items():
        page = axe_page(phone=True)
        sign_in(page, username)
        for path in paths:
            check_page(page, path, f"{path} as {username}, phone", subtests)
        page.context.close()
