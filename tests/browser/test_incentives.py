"""Incentives in the browser, in English: an inspector nominates a citizen from a phone, the
district commission awards and pays it, and a visitor finds the award in the public register,
where a citizen without consent to publication is never named."""

import re
import struct
import zlib
from datetime import timedelta

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date as date_format
from django.utils import timezone
from django.utils.translation import override
from playwright.sync_api import Page, expect

from core.demo import DEMO_PASSWORD
from core.i18n import localized

DISTRICT = "1726266"  # Yunusobod tumani, where the demo inspector and commission member work
NOMINEE = "Qodirov Anvar Baxtiyorovich"
DOCUMENT = "AC7654321"
FACTS = "Mahalla yoshlari bilan har hafta huquqiy suhbatlar oʻtkazgan."
SECRET_NOMINEE = "Yashirinov Sirojiddin Maxfiyevich"
SECRET_DOCUMENT = "AD9990001"
PHONE_VIEWPORT = {"width": 360, "height": 740}


def png(width: int = 2, height: int = 2) -> bytes:
    """A valid PNG of red pixels, built here: evidence is checked by content, not by name."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("user-menu")).to_have_count(1)


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= 360")


def field_errors(page: Page, field_id: str):
    """The error messages of a field, found as a screen reader finds them: through the
    field's aria-describedby."""
    described_by = page.locator(f"#{field_id}").get_attribute("aria-describedby") or ""
    assert f"{field_id}_error" in described_by.split()
    return page.locator(f"#{field_id}_error > .invalid-feedback")


def mahalla_choices(form):
    return form.locator("#id_mahalla option:not([value=''])")


def reload_mahallas(page: Page, change) -> None:
    """Makes the district change and waits until htmx has put a new mahalla select in place."""
    page.locator("#id_mahalla").evaluate("select => { select.dataset.stale = 'yes'; }")
    with page.expect_response(re.compile(r"/incentives/mahallas/\?")) as response:
        change()
    assert response.value.status == 200
    expect(page.locator("#id_mahalla")).to_have_count(1)
    expect(page.locator("#id_mahalla[data-stale]")).to_have_count(0)


def inspector_mahalla():
    from accounts.models import User

    return User.objects.get(username="inspector").memberships.get(role="inspector").territory


def en(obj) -> str:
    return localized(obj, "name", "en")


def award_without_consent():
    """An award in the inspector's mahalla to a citizen who did not agree to be named, made
    through the services, as the nominator and the commission would."""
    from accounts.models import User
    from incentives.models import IncentiveGround, IncentiveType, Nomination
    from incentives.services import nomination_approve, nomination_submit

    today = timezone.localdate()
    nomination = nomination_submit(
        by=User.objects.get(username="inspector"),
        kind=Nomination.Kind.CITIZEN,
        full_name=SECRET_NOMINEE,
        document_number=SECRET_DOCUMENT,
        address="Maxfiy koʻcha, 7-uy",
        ground=IncentiveGround.objects.get(code="hidden_items"),
        facts="Yashirilgan pichoqni topshirgan.",
        event_date=today - timedelta(days=4),
        mahalla=inspector_mahalla(),
        consent_to_publish=False,
    )
    return nomination_approve(
        nomination=nomination,
        by=User.objects.get(username="commission"),
        incentive_type=IncentiveType.objects.get(code="gift"),
        amount=0,
        decision_number="K-SIR-1",
        decision_date=today - timedelta(days=1),
    )


def fill_citizen_nomination(form, *, full_name: str) -> None:
    """Everything of a citizen's nomination but the kind (citizen is the default) and files."""
    from incentives.models import IncentiveGround

    form.locator("#id_full_name").fill(full_name)
    form.locator("#id_document_number").fill(DOCUMENT)
    ground = IncentiveGround.objects.get(code="prevention")
    form.locator("#id_ground").select_option(label=en(ground))
    form.locator("#id_event_date").fill((timezone.localdate() - timedelta(days=2)).isoformat())
    form.locator("#id_facts").fill(FACTS)
    form.locator("#id_proposed_amount").fill("800000")
    form.locator("#id_consent_to_publish").check()


def test_a_citizen_is_nominated_awarded_paid_and_published(new_page):
    from incentives.models import Commission, IncentiveGround, Nomination
    from incentives.services import amount_cap
    from mahalla.models import Territory

    # given: an earlier award to a citizen who did not consent to publication
    secret = award_without_consent()
    mahalla = inspector_mahalla()
    district = Territory.objects.get(code=DISTRICT)
    assert mahalla.parent_id == district.pk
    region_name = en(district.parent)
    commission = Commission.objects.get(level="district", territory=district)
    before = Nomination.objects.count()

    # The inspector nominates a citizen from a phone.
    page = new_page(phone=True)
    sign_in(page, "inspector")
    page.goto("/incentives/nominations/")
    page.get_by_test_id("new-nomination").click()
    expect(page).to_have_url(re.compile(r"/incentives/nominations/new/$"))
    form = page.get_by_test_id("nomination-form")
    citizen = form.locator("fieldset[data-nominee-kind=citizen]")
    organisation = form.locator("fieldset[data-nominee-kind=organisation]")
    expect(citizen).to_be_visible()
    expect(organisation).to_be_hidden()

    # Choosing an organisation swaps the fieldsets; back to the citizen.
    form.get_by_label("An organisation").check()
    expect(citizen).to_be_hidden()
    expect(citizen).to_have_attribute("hidden", "")
    expect(organisation).to_be_visible()
    form.get_by_label("A citizen").check()
    expect(citizen).to_be_visible()
    expect(organisation).to_be_hidden()

    # The inspector's only district is chosen already, with its one mahalla to pick; choosing
    # the district again reloads the mahallas with htmx.
    district_select = form.locator("#id_district")
    expect(district_select).to_have_value(str(district.pk))
    expect(mahalla_choices(form)).to_have_text([en(mahalla)])
    reload_mahallas(page, lambda: district_select.select_option(""))
    reload_mahallas(page, lambda: district_select.select_option(str(district.pk)))
    expect(mahalla_choices(form)).to_have_text([en(mahalla)])
    form.locator("#id_mahalla").select_option(str(mahalla.pk))

    fill_citizen_nomination(form, full_name=NOMINEE)
    form.locator("#id_files").set_input_files(
        files=[{"name": "dalil.png", "mimeType": "image/png", "buffer": png()}]
    )
    assert no_horizontal_overflow(page)
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/incentives/nominations/\d+/$"))
    nomination_url = page.url
    expect(page.get_by_test_id("nomination-state")).to_have_text("Submitted")
    expect(page.get_by_test_id("commission")).to_have_text(f"{en(district)} (District (city))")
    expect(page.locator("main")).to_contain_text(
        f"The nomination has been sent to the {en(district)} commission."
    )
    expect(page.get_by_test_id("full-name")).to_have_text(NOMINEE)
    expect(page.get_by_test_id("evidence").locator("img")).to_have_count(1)
    assert no_horizontal_overflow(page)

    assert Nomination.objects.count() == before + 1
    nomination = Nomination.objects.get(pk=int(nomination_url.rstrip("/").rsplit("/", 1)[1]))
    assert (nomination.full_name, nomination.document_number) == (NOMINEE, DOCUMENT)
    assert (nomination.mahalla, nomination.commission) == (mahalla, commission)
    assert nomination.proposed_amount == 800_000
    assert nomination.consent_to_publish is True
    evidence = nomination.evidence.get()
    assert evidence.content_type == "image/png"
    assert "dalil" not in evidence.file.name

    # The district commission member reviews, awards and pays it.
    member = new_page()
    sign_in(member, "commission")
    member.goto(nomination_url)
    expect(member.get_by_test_id("full-name")).to_have_text(NOMINEE)
    photo = member.get_by_test_id("evidence").locator("img")
    expect(photo).to_have_count(1)
    served = member.request.get(photo.get_attribute("src"))
    assert (served.status, served.headers["content-type"]) == (200, "image/png")
    assert served.body() == png()
    cap = amount_cap(
        ground=IncentiveGround.objects.get(code="prevention"),
        gravity="",
        level="district",
        day=timezone.localdate(),
    )
    with override("en"):
        cap_text = intcomma(cap)
    expect(member.get_by_test_id("cap")).to_have_text(
        f"The cap for this case at this level is {cap_text} so'm at today's base calculation value."
    )

    comments = member.get_by_test_id("comments")
    comment_form = member.get_by_test_id("comment-form")
    comment_form.locator("textarea").fill("Dalillar yetarli, rag'batlantirish mumkin.")
    comment_form.locator("button[type=submit]").click()
    expect(comments.locator("li")).to_have_count(1)
    expect(comments).to_contain_text("Dalillar yetarli, rag'batlantirish mumkin.")

    decision = member.get_by_test_id("decision-form")
    decision.get_by_label("Award as proposed").check()
    decision.locator("#id_incentive_type").select_option(label="Cash bonus")
    expect(decision.locator("#id_amount")).to_have_value("800000")
    expect(decision.locator("#id_decision_date")).to_have_value(timezone.localdate().isoformat())
    decision.locator("#id_decision_number").fill("K-77")
    decision.locator("button[type=submit]").click()
    expect(member.get_by_test_id("nomination-state")).to_have_text("Approved")
    expect(member.get_by_test_id("amount")).to_have_text("800,000 so'm")
    expect(member.get_by_test_id("decision-form")).to_have_count(0)

    payment = member.get_by_test_id("payment-form")
    payment.locator("#id_reference").fill("PP-2024-0042")
    payment.locator("#id_reference").press("Enter")  # by keyboard: Enter submits the form
    expect(member.get_by_test_id("nomination-state")).to_have_text("Paid")
    expect(member.get_by_test_id("decision")).to_contain_text("PP-2024-0042")
    expect(member.get_by_test_id("payment-form")).to_have_count(0)

    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.PAID
    assert (nomination.amount, nomination.decision_number) == (800_000, "K-77")
    assert nomination.payment_reference == "PP-2024-0042"
    assert nomination.comments.count() == 1

    # A visitor, not signed in, finds both awards in the public register: on a computer one
    # column per detail; on a phone whatever the layout, every detail in the row's text.
    with override("en"):
        month = date_format(timezone.localdate(), "YEAR_MONTH_FORMAT")
        secret_month = date_format(secret.decision_date, "YEAR_MONTH_FORMAT")
    published = {
        NOMINEE: [NOMINEE, en(nomination.ground), "Cash bonus", month, region_name],
        "Handing over hidden criminal items": [
            f"A resident of {en(mahalla)}",
            en(secret.ground),
            "Valuable gift",
            secret_month,
            region_name,
        ],
    }
    assert en(secret.ground) == "Handing over hidden criminal items"
    for phone in (False, True):
        visitor = new_page(phone=phone)
        response = visitor.goto("/incentives/awards/register/")
        assert response.status == 200
        expect(visitor.locator("html")).to_have_attribute("lang", "en")
        rows = visitor.get_by_test_id("register-row")
        for key, cells in published.items():
            row = rows.filter(has_text=key)
            expect(row).to_have_count(1)
            if phone:
                for text in cells:
                    expect(row).to_contain_text(text, use_inner_text=True)
            else:
                expect(row.locator("td")).to_have_text(cells, use_inner_text=True)
        html = visitor.content()
        for private in (SECRET_NOMINEE, "Yashirinov", SECRET_DOCUMENT, DOCUMENT, "800,000"):
            assert private not in html, private
        if phone:
            assert no_horizontal_overflow(visitor)


def test_a_nomination_without_the_citizens_name_is_refused_on_the_form(new_page):
    from incentives.models import Nomination

    before = Nomination.objects.count()
    page = new_page(phone=True)
    sign_in(page, "inspector")
    page.goto("/incentives/nominations/new/")
    form = page.get_by_test_id("nomination-form")
    form.locator("#id_mahalla").select_option(str(inspector_mahalla().pk))
    fill_citizen_nomination(form, full_name="")
    with page.expect_response(re.compile(r"/incentives/nominations/new/$")) as response:
        form.locator("#id_document_number").press("Enter")  # by keyboard
    assert response.value.status == 400

    expect(page).to_have_url(re.compile(r"/incentives/nominations/new/$"))
    expect(page.get_by_test_id("nomination-form").locator(".invalid-feedback")).to_have_count(1)
    expect(field_errors(page, "id_full_name")).to_have_text("Needed for a citizen.")
    expect(page.locator("#id_full_name")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_full_name")).to_have_attribute("aria-invalid", "true")
    # What was typed is kept, so only the name needs writing.
    expect(page.locator("#id_document_number")).to_have_value(DOCUMENT)
    expect(page.locator("#id_facts")).to_have_value(FACTS)
    expect(page.locator("#id_consent_to_publish")).to_be_checked()
    assert no_horizontal_overflow(page)

    assert Nomination.objects.count() == before
    assert not Nomination.objects.filter(document_number=DOCUMENT).exists()


def test_the_mahallas_reloaded_for_a_district_are_not_marked_as_an_error(new_page):
    from mahalla.models import Territory

    district = Territory.objects.get(code=DISTRICT)
    page = new_page(phone=True)
    sign_in(page, "inspector")
    page.goto("/incentives/nominations/new/")
    district_select = page.locator("#id_district")
    reload_mahallas(page, lambda: district_select.select_option(""))
    reload_mahallas(page, lambda: district_select.select_option(str(district.pk)))
    mahalla = page.locator("#id_mahalla")
    expect(mahalla_choices(page)).to_have_count(1)
    # The district's only mahalla is chosen for the user, and nothing is marked as an error.
    assert mahalla.input_value() != ""
    assert "is-invalid" not in mahalla.get_attribute("class").split()
    assert mahalla.get_attribute("aria-invalid") is None
