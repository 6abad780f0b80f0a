"""Nominations and social protection cases through the pages: who reaches what, what each
role reads of the personal data, and that every refusal is a 400 with nothing written."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import PersonalDataRead
from incentives.models import (
    Fund,
    IncentiveGround,
    IncentiveType,
    Nomination,
    NominationComment,
    NominationEvidence,
    SocialProtectionCase,
)
from incentives.services import nomination_comment_add
from tests.partnership.test_activities import PNG

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def signed_in(demo_user):
    """A client signed in as a demo user, with pages in English."""

    def make(username: str) -> Client:
        client = Client(headers={"Accept-Language": "en"})
        client.force_login(demo_user(username))
        return client

    return make


@pytest.fixture
def mahalla(demo_user):
    return demo_user("inspector").memberships.get(role="inspector").territory


def _form(place, **overrides) -> dict:
    data = {
        "kind": "citizen",
        "full_name": "Qodirov Aziz",
        "document_number": "AC7654321",
        "birth_date": "1990-05-17",
        "address": "Yunusobod, 4-uy",
        "phone": "+998 90 111 22 33",
        "ground": IncentiveGround.objects.get(code="prevention").pk,
        "gravity": "",
        "event_date": (timezone.localdate() - timedelta(days=4)).isoformat(),
        "district": place.parent_id,
        "mahalla": place.pk,
        "facts": "Told the inspector about a planned theft.",
        "proposed_amount": "800000",
        "consent_to_publish": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_an_inspector_nominates_a_resident_with_evidence(signed_in, mahalla):
    client = signed_in("inspector")
    assert client.get(reverse("incentives:nomination-create")).status_code == 200
    data = _form(mahalla, files=SimpleUploadedFile("photo.png", PNG, content_type="image/png"))
    response = client.post(reverse("incentives:nomination-create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    nomination = Nomination.objects.get(document_number="AC7654321")
    assert response["Location"] == reverse("incentives:nomination-detail", args=[nomination.pk])
    assert nomination.commission.level == "district"
    assert nomination.proposed_amount == 800_000
    assert NominationEvidence.objects.filter(nomination=nomination).count() == 1
    page = client.get(response["Location"])
    assert "Qodirov Aziz" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"full_name": ""}, "Needed for a citizen."),
        ({"document_number": ""}, "Needed for a citizen."),
        ({"proposed_amount": "-5"}, "greater than or equal to 0"),
        ({"proposed_amount": "1" + "0" * 15}, "less than or equal to"),
        ({"proposed_amount": "abc"}, "Enter a whole number."),
        ({"event_date": "2999-01-01"}, "The event cannot be in the future."),
        ({"birth_date": "2999-01-01"}, "The date of birth must be in the past."),
        ({"mahalla": "999999999"}, "Select a valid choice."),
        ({"facts": "x" * 4001}, "at most 4000 characters"),
        ({"kind": "organisation", "organisation": "NO-SUCH-NUMBER"}, "No verified organisation"),
        # 40 BCV is above every cap for this ground: no commission can award it.
        ({"proposed_amount": str(40 * 412_000)}, "No commission can award"),
        ({"full_name": "A\x00B"}, "Null characters are not allowed."),
    ],
)
def test_bad_nominations_are_refused_with_nothing_saved(
    signed_in, mahalla, overrides, field_message
):
    before = Nomination.objects.count()
    response = signed_in("inspector").post(
        reverse("incentives:nomination-create"), _form(mahalla, **overrides)
    )
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert Nomination.objects.count() == before


def test_a_file_that_is_not_a_photo_or_pdf_is_refused(signed_in, mahalla):
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = signed_in("inspector").post(
        reverse("incentives:nomination-create"), _form(mahalla, files=fake)
    )
    assert response.status_code == 400
    assert "is not a photo" in response.content.decode()
    assert not Nomination.objects.filter(document_number="AC7654321").exists()


def test_the_duplicate_is_shown_and_blocks_the_second_nomination(signed_in, mahalla):
    client = signed_in("inspector")
    assert client.post(reverse("incentives:nomination-create"), _form(mahalla)).status_code == 302
    first = Nomination.objects.get(document_number="AC7654321")
    # The same person written differently (spaces, lower case) is still the same person.
    again = client.post(
        reverse("incentives:nomination-create"), _form(mahalla, document_number="ac 7654321")
    )
    assert again.status_code == 400
    body = again.content.decode()
    assert f"nomination #{first.pk}" in body
    assert reverse("incentives:nomination-detail", args=[first.pk]) in body
    assert Nomination.objects.filter(person_key=first.person_key).count() == 1


def test_ngo_staff_nominate_but_never_read_the_personal_data_back(signed_in, mahalla):
    client = signed_in("ngo.staff")
    photo = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    response = client.post(reverse("incentives:nomination-create"), _form(mahalla, files=photo))
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    for secret in ("Qodirov Aziz", "AC7654321", "+998 90 111 22 33", "Yunusobod, 4-uy"):
        assert secret not in page
    # A photo of a citizen's case may show the citizen: it follows the same rule.
    evidence = NominationEvidence.objects.get(nomination__document_number="AC7654321")
    file_url = reverse("incentives:nomination-evidence", args=[evidence.nomination_id, evidence.pk])
    assert file_url not in page
    assert client.get(file_url).status_code == 404
    assert signed_in("commission").get(file_url).status_code == 200
    listing = client.get(reverse("incentives:nomination-list")).content.decode()
    assert "Qodirov Aziz" not in listing
    assert not PersonalDataRead.objects.filter(user__username="ngo.staff").exists()


def test_the_commission_reads_the_personal_data_and_the_read_is_logged(signed_in, submit):
    nomination = submit(501)
    client = signed_in("commission")
    before = PersonalDataRead.objects.filter(object_id=nomination.pk).count()
    page = client.get(reverse("incentives:nomination-detail", args=[nomination.pk]))
    assert "Sinov Shaxs 501" in page.content.decode()
    assert PersonalDataRead.objects.filter(object_id=nomination.pk).count() == before + 1


@pytest.mark.parametrize("username", ["council", "officer.district"])
def test_other_readers(signed_in, submit, username):
    """The council never sees a nomination; the district officer sees it with the data."""
    nomination = submit(502)
    response = signed_in(username).get(
        reverse("incentives:nomination-detail", args=[nomination.pk])
    )
    if username == "council":
        assert response.status_code == 404
    else:
        assert "Sinov Shaxs 502" in response.content.decode()


def test_out_of_scope_nominations_answer_404(signed_in, submit):
    nomination = submit(503)
    # ngo.admin nominated nothing and holds no MIA or commission role.
    for url_name in ("nomination-detail", "nomination-decide", "nomination-pay"):
        method = "get" if url_name == "nomination-detail" else "post"
        response = getattr(signed_in("ngo.admin"), method)(
            reverse(f"incentives:{url_name}", args=[nomination.pk])
        )
        assert response.status_code == 404
    anonymous = Client().get(reverse("incentives:nomination-detail", args=[nomination.pk]))
    assert anonymous.status_code == 302


def test_only_the_commission_decides(signed_in, submit):
    nomination = submit(504)
    response = signed_in("officer.district").post(
        reverse("incentives:nomination-decide", args=[nomination.pk]), {"decision": "reject"}
    )
    assert response.status_code == 403


def _decide(client, nomination, **data):
    payload = {
        "decision": "approve",
        "incentive_type": IncentiveType.objects.get(code="cash").pk,
        "amount": str(nomination.proposed_amount),
        "decision_number": "K-77",
        "decision_date": timezone.localdate().isoformat(),
        "reason": "",
    }
    payload.update(data)
    return client.post(reverse("incentives:nomination-decide", args=[nomination.pk]), payload)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision_number": ""}, "Give the decision number."),
        ({"decision": "reject"}, "Give the reason."),
        ({"decision": "reduce", "amount": "100000"}, "Give the reason."),
        ({"decision": "reduce", "amount": "900000", "reason": "x"}, "must be below the proposed"),
        ({"amount": "-1"}, "greater than or equal to 0"),
        ({"amount": str(10**15)}, "less than or equal to"),
        ({"amount": str(3 * 412_000 + 1)}, "above the cap"),
        ({"decision_date": "2999-01-01"}, "between the event and today"),
        ({"incentive_type": "999999"}, "Select a valid choice."),
    ],
)
def test_bad_decisions_are_refused_and_the_fund_is_untouched(
    signed_in, submit, fund, data, message
):
    nomination = submit(505, amount=500_000)
    committed = fund.committed
    response = _decide(signed_in("commission"), nomination, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.SUBMITTED
    assert Fund.objects.get(pk=fund.pk).committed == committed


def test_from_review_to_payment_and_reversal_in_the_browser(signed_in, submit, fund):
    nomination = submit(506, amount=600_000)
    client = signed_in("commission")
    detail = reverse("incentives:nomination-detail", args=[nomination.pk])
    comment = client.post(
        reverse("incentives:nomination-comment", args=[nomination.pk]), {"text": "Checked."}
    )
    assert comment.status_code == 302
    assert NominationComment.objects.get(nomination=nomination).text == "Checked."
    committed = fund.committed
    reduced = _decide(client, nomination, decision="reduce", amount="400000", reason="Partly.")
    assert reduced.status_code == 302
    nomination.refresh_from_db()
    assert (nomination.state, nomination.amount, nomination.decision_reason) == (
        "approved",
        400_000,
        "Partly.",
    )
    assert Fund.objects.get(pk=fund.pk).committed == committed + 400_000
    assert 'data-testid="payment-form"' in client.get(detail).content.decode()
    early = client.post(
        reverse("incentives:nomination-pay", args=[nomination.pk]),
        {"paid_on": "2000-01-01", "reference": "PP-1"},
    )
    assert early.status_code == 400
    paid = client.post(
        reverse("incentives:nomination-pay", args=[nomination.pk]),
        {"paid_on": timezone.localdate().isoformat(), "reference": "PP-1"},
    )
    assert paid.status_code == 302
    no_reason = client.post(reverse("incentives:nomination-reverse", args=[nomination.pk]), {})
    assert no_reason.status_code == 400
    reversed_ = client.post(
        reverse("incentives:nomination-reverse", args=[nomination.pk]), {"reason": "Mistake."}
    )
    assert reversed_.status_code == 302
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.REVERSED
    assert Fund.objects.get(pk=fund.pk).committed == committed


def test_forwarding_in_the_browser_moves_it_to_the_region(signed_in, submit):
    nomination = submit(507)
    response = _decide(signed_in("commission"), nomination, decision="forward")
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.commission.level == "region"


def test_the_list_costs_the_same_for_few_and_many_rows(
    signed_in, submit, django_assert_num_queries
):
    client = signed_in("commission")
    client.get(reverse("incentives:nomination-list"))  # warm the session and menus
    with django_assert_num_queries(9) as few:
        client.get(reverse("incentives:nomination-list"))
    for number in range(8):
        submit(600 + number)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(reverse("incentives:nomination-list"))
    rows = re.findall(r'href="/incentives/nominations/\d+/"', page.content.decode())
    assert len(rows) >= 8


def test_a_bad_list_filter_is_a_400_not_a_500(signed_in):
    client = signed_in("commission")
    assert client.get(reverse("incentives:nomination-list"), {"state": "nope"}).status_code == 400
    assert client.get(reverse("incentives:nomination-list"), {"after": "x"}).status_code == 400


def test_the_pages_do_not_exist_for_the_public(client):
    assert client.get(reverse("incentives:nomination-create")).status_code == 302


# --- Social protection ----------------------------------------------------------------------


def test_a_social_protection_case_from_opening_to_support(signed_in, mahalla, fund):
    inspector = signed_in("inspector")
    response = inspector.post(
        reverse("incentives:social-case-create"),
        {
            "full_name": "Zarar Koʻrgan",
            "document_number": "AA0000001",
            "district": mahalla.parent_id,
            "mahalla": mahalla.pk,
            "event_date": (timezone.localdate() - timedelta(days=2)).isoformat(),
            "harm": "Injured while holding a thief.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = SocialProtectionCase.objects.get(document_number="AA0000001")
    member = signed_in("commission")
    decide = reverse("incentives:social-case-decide", args=[case.pk])
    assert member.post(decide, {"decision": "support"}).status_code == 400
    assert inspector.post(decide, {"decision": "reject", "reason": "x"}).status_code == 403
    committed = fund.committed
    decided = member.post(
        decide,
        {
            "decision": "support",
            "support": "treatment",
            "amount": "1500000",
            "decision_number": "IH-9",
            "decision_date": timezone.localdate().isoformat(),
        },
    )
    assert decided.status_code == 302
    assert Fund.objects.get(pk=fund.pk).committed == committed + 1_500_000
    paid = member.post(
        reverse("incentives:social-case-pay", args=[case.pk]),
        {"paid_on": timezone.localdate().isoformat(), "reference": "PP-S9"},
    )
    assert paid.status_code == 302
    case.refresh_from_db()
    assert case.state == SocialProtectionCase.State.PAID


@pytest.mark.parametrize("username", ["ngo.staff", "council"])
def test_social_protection_is_closed_to_ngos_and_the_council(signed_in, username):
    case = SocialProtectionCase.objects.first()
    client = signed_in(username)
    assert client.get(reverse("incentives:social-case-list")).status_code == 404
    assert client.get(reverse("incentives:social-case-detail", args=[case.pk])).status_code == 404


def test_the_detail_costs_the_same_however_long_the_review(
    signed_in, submit, demo_user, django_assert_num_queries
):
    nomination = submit(700)
    client = signed_in("commission")
    url = reverse("incentives:nomination-detail", args=[nomination.pk])
    client.get(url)
    with django_assert_num_queries(14) as short:
        client.get(url)
    for number in range(5):
        nomination_comment_add(nomination=nomination, by=demo_user("commission"), text=f"c{number}")
    with django_assert_num_queries(len(short.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("border-start border-3") == 5
