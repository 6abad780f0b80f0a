import csv
import io
import random
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership, Role, User
from core.demo import DEMO_PASSWORD
from mahalla.models import Territory
from partnership.models import Organisation, PartnershipArea
from partnership.resources import OrganisationResource
from partnership.services import organisation_apply
from partnership.views import organisations as views
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    # Messages are asserted in English; the portal's default language is Uzbek.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


YUNUSOBOD = "1726266"
ANDIJON_REGION = "1703"


@pytest.fixture
def fresh_client(client, settings, tmp_path):
    """A client with an address of its own and an empty cache, so that rate limits counted by
    other tests (or an earlier run sharing the cache) do not apply. The embedded on-disk cache
    is shared by every process on the machine: tests get a folder of their own instead."""
    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": str(tmp_path / "cache")}
        }
    cache.clear()
    client.defaults["REMOTE_ADDR"] = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.9"
    return client


@pytest.fixture
def yunusobod() -> Territory:
    return Territory.objects.get(code=YUNUSOBOD)


@pytest.fixture
def pending(yunusobod) -> Organisation:
    """An application waiting for verification in Yunusobod."""
    return organisation_apply(
        name="“Ezgu qadam” NNT",
        kind=Organisation.Kind.NGO,
        registration_number="NNT-TEST-0001",
        territory=yunusobod,
        applicant_name="Laylo Karimova",
        applicant_email="laylo@ezgu-qadam.uz",
    )


@pytest.fixture
def andijon_officer(db) -> User:
    """A unit officer of Andijon region: another region than the demo organisation's."""
    membership = MembershipFactory(
        role=Role.UNIT_OFFICER, territory=Territory.objects.get(code=ANDIJON_REGION)
    )
    return membership.user


def _application(district: Territory, /, **changes) -> dict:
    data = {
        "name": "“Ezgu qadam” nodavlat notijorat tashkiloti",
        "kind": Organisation.Kind.NGO,
        "registration_number": "NNT-TEST-0001",
        "territory": district.pk,
        "areas": list(PartnershipArea.objects.filter(is_active=True).values_list("pk", flat=True))[
            :2
        ],
        "address": "Yunusobod tumani, Amir Temur koʻchasi 1",
        "phone": "+998 71 200 00 00",
        "email": "info@ezgu-qadam.uz",
        "website": "ezgu-qadam.uz",
        "applicant_name": "Laylo Karimova",
        "applicant_email": "Laylo@Ezgu-Qadam.uz",
    }
    data.update(changes)
    return data


def _visible_numbers(username: str) -> set[str]:
    """What each demo user should see, written out independently of the scope functions."""
    organisations = Organisation.objects.all()
    if username == "officer.district":
        organisations = organisations.filter(territory__path__startswith="17/1726/1726266/")
    return set(organisations.values_list("registration_number", flat=True))


def _export(client, **params) -> tuple[object, list[list[str]]]:
    response = client.get(reverse("partnership:organisation-export"), params)
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return response, list(csv.reader(io.StringIO(text)))


# --- Public application ---------------------------------------------------------------------


def test_public_application_creates_a_pending_organisation(fresh_client, yunusobod):
    # given: a visitor, not signed in
    url = reverse("partnership:organisation-apply")
    page = fresh_client.get(url)
    assert page.status_code == 200
    assert "<optgroup" in page.content.decode()
    # when
    response = fresh_client.post(url, _application(yunusobod))
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("partnership:organisation-apply-done")
    organisation = Organisation.objects.get(registration_number="NNT-TEST-0001")
    assert organisation.verification == Organisation.Verification.PENDING
    assert organisation.territory == yunusobod
    assert organisation.areas.count() == 2
    assert organisation.applicant_email == "laylo@ezgu-qadam.uz"
    assert organisation.website == "https://ezgu-qadam.uz"
    assert fresh_client.get(response["Location"]).status_code == 200


def test_duplicate_registration_number_is_a_field_error(fresh_client, org_a, yunusobod):
    before = Organisation.objects.count()
    with translation.override("en"):
        response = fresh_client.post(
            reverse("partnership:organisation-apply"),
            _application(yunusobod, registration_number=org_a.registration_number.lower()),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["registration_number"]
    assert "already registered" in errors["registration_number"][0]
    assert Organisation.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"kind": "cartel"}, "kind"),
        ({"territory": "999999999"}, "territory"),
        ({"phone": "call me"}, "phone"),
        ({"applicant_email": "not-an-address"}, "applicant_email"),
        ({"areas": ["999999"]}, "areas"),
    ],
)
def test_invalid_application_is_refused_and_nothing_saved(fresh_client, yunusobod, change, field):
    before = Organisation.objects.count()
    response = fresh_client.post(
        reverse("partnership:organisation-apply"), _application(yunusobod, **change)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Organisation.objects.count() == before


def test_a_mahalla_is_not_offered_as_the_territory(fresh_client, yunusobod):
    mahalla = Territory.objects.filter(parent=yunusobod).first()
    response = fresh_client.post(
        reverse("partnership:organisation-apply"), _application(yunusobod, territory=mahalla.pk)
    )
    assert response.status_code == 400
    assert "territory" in response.context["form"].errors


def test_applications_are_rate_limited_per_address(fresh_client, settings, yunusobod):
    # given
    settings.ORGANISATION_APPLY_RATE = "2/h"
    url = reverse("partnership:organisation-apply")
    # when: two applications pass
    for number in range(2):
        data = _application(yunusobod, registration_number=f"NNT-RATE-{number}")
        assert fresh_client.post(url, data).status_code == 302
    # then the third is refused and not saved, while reading the form still works
    response = fresh_client.post(url, _application(yunusobod, registration_number="NNT-RATE-9"))
    assert response.status_code == 429
    assert 'data-testid="apply-limited"' in response.content.decode()
    assert not Organisation.objects.filter(registration_number="NNT-RATE-9").exists()
    assert fresh_client.get(url).status_code == 200
    # and another address may still apply
    fresh_client.defaults["REMOTE_ADDR"] = "10.255.255.2"
    data = _application(yunusobod, registration_number="NNT-RATE-9")
    assert fresh_client.post(url, data).status_code == 302


# --- Verification ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("officer.district", 302),
        ("officer.region", 302),
        ("officer.republic", 302),
        ("admin", 302),
        ("andijon", 404),
        ("inspector", 404),
        ("council", 404),
        ("commission", 404),
        ("ngo.admin", 404),
        ("ngo.staff", 404),
    ],
)
def test_only_officers_over_the_territory_verify(
    client, demo_user, andijon_officer, pending, username, expected
):
    user = andijon_officer if username == "andijon" else demo_user(username)
    client.force_login(user)
    response = client.post(
        reverse("partnership:organisation-verify", args=[pending.pk]), {"decision": "reject"}
    )
    assert response.status_code == expected
    pending.refresh_from_db()
    decided = pending.verification == Organisation.Verification.REJECTED
    assert decided == (expected == 302)
    queue = client.get(reverse("partnership:organisation-verification"))
    if username in ("officer.district", "officer.region", "officer.republic", "admin", "andijon"):
        assert queue.status_code == 200
    else:
        assert queue.status_code == 404


def test_queue_holds_the_pending_applications_of_the_officers_territory(
    client, demo_user, andijon_officer, pending, org_b
):
    other = organisation_apply(
        name="Andijon NNT",
        kind=Organisation.Kind.OTHER,
        registration_number="NNT-TEST-ANDIJON",
        territory=org_b.territory,
        applicant_name="Ali Valiyev",
        applicant_email="ali@example.uz",
    )
    client.force_login(demo_user("officer.district"))
    assert client.get(reverse("partnership:organisation-verification")).context["items"] == [
        pending
    ]
    client.force_login(andijon_officer)
    assert client.get(reverse("partnership:organisation-verification")).context["items"] == [other]
    client.force_login(demo_user("officer.republic"))
    items = client.get(reverse("partnership:organisation-verification")).context["items"]
    assert {pending, other} <= set(items)
    assert all(item.verification == Organisation.Verification.PENDING for item in items)


def test_approval_invites_the_applicant_who_sets_a_password_and_signs_in(
    client, demo_user, pending, django_capture_on_commit_callbacks
):
    # given
    client.force_login(demo_user("officer.district"))
    url = reverse("partnership:organisation-verify", args=[pending.pk])
    # when: the officer approves from the queue (htmx swaps the row)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve"}, HTTP_HX_REQUEST="true")
    # then
    assert response.status_code == 200
    assert f'id="application-{pending.pk}"' in response.content.decode()
    pending.refresh_from_db()
    assert pending.verification == Organisation.Verification.VERIFIED
    assert pending.verified_by == demo_user("officer.district")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["laylo@ezgu-qadam.uz"]
    link = re.search(r"https?://\S*/accounts/reset/\S+", message.body).group(0)
    applicant = User.objects.get(email="laylo@ezgu-qadam.uz")
    assert Membership.objects.filter(
        user=applicant, organisation=pending, role=Role.NGO_ADMIN, valid_to__isnull=True
    ).exists()
    # when the applicant follows the link and sets a password
    client.logout()
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get(path)
    assert form_page.status_code == 302
    password = "Kuchli-parol-2025!"
    saved = client.post(
        form_page["Location"], {"new_password1": password, "new_password2": password}
    )
    assert saved.status_code == 302
    # then they sign in and reach their organisation's staff page
    signed_in = client.post(
        reverse("accounts:login"), {"username": applicant.username, "password": password}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("partnership:staff-list", args=[pending.pk])).status_code == 200


def test_rejection_invites_no_one(client, demo_user, pending, django_capture_on_commit_callbacks):
    client.force_login(demo_user("officer.district"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partnership:organisation-verify", args=[pending.pk]),
            {"decision": "reject", "next": "detail"},
        )
    assert response["Location"] == reverse("partnership:organisation-detail", args=[pending.pk])
    pending.refresh_from_db()
    assert pending.verification == Organisation.Verification.REJECTED
    assert mail.outbox == []
    assert not User.objects.filter(email="laylo@ezgu-qadam.uz").exists()


def test_a_second_decision_is_refused_with_the_reason(client, demo_user, pending):
    client.force_login(demo_user("officer.district"))
    url = reverse("partnership:organisation-verify", args=[pending.pk])
    client.post(url, {"decision": "reject"})
    with translation.override("en"):
        htmx = client.post(url, {"decision": "approve"}, HTTP_HX_REQUEST="true")
        page = client.post(url, {"decision": "approve"})
    assert htmx.status_code == 400
    assert "already been reviewed" in htmx.content.decode()
    assert page.status_code == 400
    assert "already been reviewed" in page.content.decode()
    pending.refresh_from_db()
    assert pending.verification == Organisation.Verification.REJECTED


def test_a_decision_must_be_chosen(client, demo_user, pending):
    client.force_login(demo_user("officer.district"))
    url = reverse("partnership:organisation-verify", args=[pending.pk])
    assert client.post(url, {"decision": "maybe"}, HTTP_HX_REQUEST="true").status_code == 400
    assert client.get(url).status_code == 405
    pending.refresh_from_db()
    assert pending.verification == Organisation.Verification.PENDING


# --- Profile --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "sees_a", "sees_b", "sees_staff_a"),
    [
        ("ngo.staff", True, False, False),
        ("ngo.admin", True, False, True),
        ("officer.district", True, False, True),
        ("officer.region", True, False, True),
        ("officer.republic", True, True, True),
        ("admin", True, True, True),
        ("inspector", False, False, False),
        ("council", False, False, False),
    ],
)
def test_organisation_pages_follow_the_scope(
    client, demo_user, org_a, org_b, username, sees_a, sees_b, sees_staff_a
):
    client.force_login(demo_user(username))
    detail_a = client.get(reverse("partnership:organisation-detail", args=[org_a.pk]))
    detail_b = client.get(reverse("partnership:organisation-detail", args=[org_b.pk]))
    assert detail_a.status_code == (200 if sees_a else 404)
    assert detail_b.status_code == (200 if sees_b else 404)
    if sees_a:
        staff = detail_a.context["staff"]
        assert (staff is not None) == sees_staff_a
        if staff is not None:
            assert {m.user.username for m in staff} == {"ngo.admin", "ngo.staff"}
    listed = client.get(reverse("partnership:organisation-list"), {"q": org_a.registration_number})
    assert (org_a in listed.context["page"].items) == sees_a


def test_ngo_staff_list_and_export_hold_only_their_organisation(client, demo_user, org_a):
    client.force_login(demo_user("ngo.staff"))
    assert client.get(reverse("partnership:organisation-list")).context["page"].items == [org_a]
    _response, rows = _export(client)
    assert [row[0] for row in rows[1:]] == [org_a.registration_number]


def test_detail_links_the_agreements_the_user_sees(client, demo_user, org_a, agreement_a):
    client.force_login(demo_user("ngo.admin"))
    response = client.get(reverse("partnership:organisation-detail", args=[org_a.pk]))
    assert agreement_a in response.context["agreements"]
    assert response.context["can_edit"] and response.context["can_manage_staff"]


def test_ngo_admin_edits_the_profile_but_not_the_registration(client, demo_user, org_a):
    # given
    client.force_login(demo_user("ngo.admin"))
    url = reverse("partnership:organisation-edit", args=[org_a.pk])
    number, territory = org_a.registration_number, org_a.territory_id
    area = PartnershipArea.objects.filter(is_active=True).order_by("order").last()
    assert client.get(url).status_code == 200
    # when
    response = client.post(
        url,
        {
            "name": "“Yoshlar kelajagi” NNT",
            "areas": [area.pk],
            "address": "Yunusobod, 4-mavze",
            "phone": "+998 90 123 45 67",
            "email": "ofis@yoshlar.uz",
            "website": "https://yoshlar.uz",
            "registration_number": "HACKED-1",
            "territory": Territory.objects.get(code=ANDIJON_REGION).pk,
        },
    )
    # then
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert (org_a.name, org_a.phone, org_a.email) == (
        "“Yoshlar kelajagi” NNT",
        "+998 90 123 45 67",
        "ofis@yoshlar.uz",
    )
    assert list(org_a.areas.all()) == [area]
    assert (org_a.registration_number, org_a.territory_id) == (number, territory)
    assert org_a.history.count() >= 2


def test_invalid_profile_is_refused_and_nothing_saved(client, demo_user, org_a):
    client.force_login(demo_user("ngo.admin"))
    name = org_a.name
    response = client.post(
        reverse("partnership:organisation-edit", args=[org_a.pk]),
        {"name": "Yangi nom", "email": "not-an-address", "phone": "x"},
    )
    assert response.status_code == 400
    assert {"email", "phone"} <= set(response.context["form"].errors)
    org_a.refresh_from_db()
    assert org_a.name == name


@pytest.mark.parametrize(
    ("username", "status_a", "status_b"),
    [
        ("ngo.admin", 200, 404),
        ("ngo.staff", 403, 404),
        ("officer.district", 403, 404),
        ("officer.republic", 403, 403),
        ("admin", 200, 200),
        ("council", 404, 404),
    ],
)
def test_who_edits_profiles_and_manages_staff(
    client, demo_user, org_a, org_b, username, status_a, status_b
):
    client.force_login(demo_user(username))
    for name in ("partnership:organisation-edit", "partnership:staff-list"):
        assert client.get(reverse(name, args=[org_a.pk])).status_code == status_a, name
        assert client.get(reverse(name, args=[org_b.pk])).status_code == status_b, name


# --- Staff ----------------------------------------------------------------------------------


def test_ngo_admin_invites_a_member_of_staff(
    client, demo_user, org_a, django_capture_on_commit_callbacks
):
    client.force_login(demo_user("ngo.admin"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partnership:staff-invite", args=[org_a.pk]),
            {"full_name": "Kamola Yusupova", "email": "Kamola@Example.uz", "role": "ngo_staff"},
        )
    assert response.status_code == 302
    user = User.objects.get(email="kamola@example.uz")
    assert (user.first_name, user.last_name, user.has_usable_password()) == (
        "Kamola",
        "Yusupova",
        False,
    )
    assert Membership.objects.filter(user=user, organisation=org_a, role=Role.NGO_STAFF).exists()
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
    listed = client.get(reverse("partnership:staff-list", args=[org_a.pk])).context["current"]
    assert user in {membership.user for membership in listed}


@pytest.mark.parametrize(
    "data",
    [
        {"full_name": "Kamola Yusupova", "email": "not-an-address", "role": "ngo_staff"},
        {"full_name": "Kamola Yusupova", "email": "kamola@example.uz", "role": "admin"},
        {"full_name": "", "email": "kamola@example.uz", "role": "ngo_staff"},
    ],
)
def test_invalid_invitation_is_refused_and_nothing_saved(client, demo_user, org_a, data):
    client.force_login(demo_user("ngo.admin"))
    response = client.post(reverse("partnership:staff-invite", args=[org_a.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not User.objects.filter(email="kamola@example.uz").exists()


def test_no_staff_before_verification(client, demo_user, pending):
    client.force_login(demo_user("admin"))
    with translation.override("en"):
        response = client.post(
            reverse("partnership:staff-invite", args=[pending.pk]),
            {"full_name": "Kamola Yusupova", "email": "kamola@example.uz", "role": "ngo_staff"},
        )
    assert response.status_code == 400
    assert "once the organisation is verified" in response.content.decode()
    assert not User.objects.filter(email="kamola@example.uz").exists()


def test_staff_cannot_invite(client, demo_user, org_a):
    client.force_login(demo_user("ngo.staff"))
    response = client.post(
        reverse("partnership:staff-invite", args=[org_a.pk]),
        {"full_name": "Kamola Yusupova", "email": "kamola@example.uz", "role": "ngo_admin"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="kamola@example.uz").exists()


def test_deactivated_staff_cannot_sign_in(client, demo_user, org_a):
    # given
    staff = demo_user("ngo.staff")
    membership = Membership.objects.get(user=staff, organisation=org_a)
    client.force_login(demo_user("ngo.admin"))
    url = reverse("partnership:staff-deactivate", args=[org_a.pk, membership.pk])
    # when
    response = client.post(url, HTTP_HX_REQUEST="true")
    # then
    assert response.status_code == 200
    assert f'id="membership-{membership.pk}"' in response.content.decode()
    membership.refresh_from_db()
    assert membership.valid_to is not None and membership.valid_to < timezone.localdate()
    staff.refresh_from_db()
    assert not staff.is_active
    past = client.get(reverse("partnership:staff-list", args=[org_a.pk])).context["past"]
    assert membership in past
    client.logout()
    refused = client.post(
        reverse("accounts:login"), {"username": "ngo.staff", "password": DEMO_PASSWORD}
    )
    assert refused.status_code == 200
    assert not refused.wsgi_request.user.is_authenticated
    # and a second deactivation finds no current membership
    client.force_login(demo_user("ngo.admin"))
    assert client.post(url).status_code == 404


def test_an_administrator_cannot_deactivate_themselves(client, demo_user, org_a):
    admin = demo_user("ngo.admin")
    membership = Membership.objects.get(user=admin, organisation=org_a)
    client.force_login(admin)
    url = reverse("partnership:staff-deactivate", args=[org_a.pk, membership.pk])
    with translation.override("en"):
        response = client.post(url, HTTP_HX_REQUEST="true")
        page = client.post(url)
    assert response.status_code == 400
    assert "cannot deactivate your own account" in response.content.decode()
    assert page.status_code == 400
    membership.refresh_from_db()
    assert membership.valid_to is None


def test_staff_of_another_organisation_is_not_found(client, demo_user, org_a, org_b):
    membership = Membership.objects.get(user=demo_user("ngo.staff"), organisation=org_a)
    client.force_login(demo_user("admin"))
    url = reverse("partnership:staff-deactivate", args=[org_b.pk, membership.pk])
    assert client.post(url).status_code == 404
    client.force_login(demo_user("ngo.staff"))
    url = reverse("partnership:staff-deactivate", args=[org_a.pk, membership.pk])
    assert client.post(url).status_code == 403
    membership.refresh_from_db()
    assert membership.valid_to is None


# --- List and export ------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["officer.district", "officer.republic"])
def test_export_holds_exactly_the_visible_organisations(client, demo_user, username):
    client.force_login(demo_user(username))
    response, rows = _export(client)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert rows[0] == OrganisationResource().get_export_headers()
    numbers = [row[0] for row in rows[1:]]
    assert len(numbers) == len(set(numbers))
    assert set(numbers) == _visible_numbers(username)


def test_export_counts_differ_by_territory(client, demo_user):
    client.force_login(demo_user("officer.district"))
    district_rows = _export(client)[1]
    client.force_login(demo_user("officer.republic"))
    republic_rows = _export(client)[1]
    assert 1 < len(district_rows) < len(republic_rows)
    assert len(republic_rows) - 1 == Organisation.objects.count()


def test_export_applies_the_filters_and_writes_the_import_format(client, demo_user, org_a):
    client.force_login(demo_user("officer.republic"))
    _response, rows = _export(client, q=org_a.registration_number)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["registration_number"] == org_a.registration_number
    assert row["territory_code"] == YUNUSOBOD
    assert row["kind"] == org_a.kind
    assert set(row["areas"].split(";")) == set(org_a.areas.values_list("code", flat=True))
    _response, rows = _export(client, kind="media")
    assert {row[2] for row in rows[1:]} == {"media"}


def test_export_quotes_cells_a_spreadsheet_would_run(client, demo_user, org_a):
    Organisation.objects.filter(pk=org_a.pk).update(address="=HYPERLINK(1)", phone="+998 71 1")
    client.force_login(demo_user("ngo.staff"))
    row = dict(zip(*_export(client)[1], strict=True))
    assert row["address"] == "'=HYPERLINK(1)"
    assert row["phone"] == "+998 71 1"


def test_export_with_bad_filters_is_refused(client, demo_user, org_b):
    client.force_login(demo_user("officer.district"))
    response = client.get(
        reverse("partnership:organisation-export"), {"district": org_b.territory_id}
    )
    assert response.status_code == 400


def test_list_filters(client, demo_user, org_a, pending, yunusobod):
    client.force_login(demo_user("officer.region"))
    url = reverse("partnership:organisation-list")
    assert client.get(url, {"q": "ezgu qadam"}).context["page"].items == [pending]
    assert client.get(url, {"q": org_a.registration_number}).context["page"].items == [org_a]
    items = client.get(url, {"verification": "pending"}).context["page"].items
    assert items == [pending]
    items = client.get(url, {"district": yunusobod.pk}).context["page"].items
    assert {org.territory_id for org in items} == {yunusobod.pk}
    items = client.get(url, {"kind": org_a.kind, "district": yunusobod.pk}).context["page"].items
    assert org_a in items and all(org.kind == org_a.kind for org in items)


def test_list_refuses_filters_outside_the_scope(client, demo_user, org_b):
    client.force_login(demo_user("officer.district"))
    url = reverse("partnership:organisation-list")
    response = client.get(url, {"district": org_b.territory_id})
    assert response.status_code == 400
    assert "district" in response.context["filterset"].form.errors
    assert response.context["page"].items == []
    assert client.get(url, {"kind": "cartel"}).status_code == 400


def test_list_pages_by_name(client, demo_user, monkeypatch):
    # given three to a page
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    client.force_login(demo_user("officer.region"))
    url = reverse("partnership:organisation-list")
    expected = list(
        Organisation.objects.filter(territory__path__startswith="17/1726/")
        .order_by("name", "id")
        .values_list("pk", flat=True)
    )
    assert len(expected) > 3
    # when following "show more" to the end
    seen, params = [], {}
    while True:
        response = client.get(url, params, HTTP_HX_REQUEST="true" if params else None)
        assert response.status_code == 200
        seen += [organisation.pk for organisation in response.context["page"].items]
        if response.context["page"].next_token is None:
            break
        params = {"after": response.context["page"].next_token}
    # then every organisation came once, in order
    assert seen == expected


@pytest.mark.parametrize(
    "token",
    # garbage; []; ["a", "x"]; ["\u0000", 1]; not base64
    ["garbage", "W10", "WyJhIiwgIngiXQ", "WyJcdTAwMDAiLCAxXQ", "!!!"],
)
def test_malformed_page_token_is_a_bad_request(client, demo_user, token):
    client.force_login(demo_user("officer.district"))
    response = client.get(reverse("partnership:organisation-list"), {"after": token})
    assert response.status_code == 400


def test_list_query_count_does_not_grow(client, demo_user, yunusobod, django_assert_num_queries):
    def add(n: int, start: int) -> None:
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Sinov tashkiloti {number:03d}",
                kind=Organisation.Kind.NGO,
                registration_number=f"NNT-COUNT-{number:03d}",
                territory=yunusobod,
            )
            for number in range(start, start + n)
        )
        areas = list(PartnershipArea.objects.all()[:2])
        for organisation in organisations:
            organisation.areas.set(areas)

    # given five organisations
    add(5, 0)
    client.force_login(demo_user("officer.district"))
    url = reverse("partnership:organisation-list")
    client.get(url)  # warm up: the session and the content types are read once
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    # when there are thirty
    add(25, 5)
    # then the page costs the same
    with django_assert_num_queries(len(five)):
        response = client.get(url)
    assert len(response.context["page"].items) >= 30
