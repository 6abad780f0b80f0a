from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Membership, Notification, Role
from mahalla.models import Territory
from partnership.demo import DEMO_REGISTRATION
from partnership.models import (
    ActivityEvidence,
    Agreement,
    AgreementDocument,
    InformationRequest,
    JointActivity,
    Obligation,
    Organisation,
)
from partnership.services import working_days_after
from tests.accounts.factories import MembershipFactory
from tests.partnership.factories import JointActivityFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _today():
    return timezone.localdate()


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _all_ids(client, url: str, params: dict | None = None) -> set[int]:
    """Ids of every row of a list, following the cursor through all its pages."""
    response = client.get(url, {"page_size": 200, **(params or {})})
    ids = set()
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        ids |= {row["id"] for row in body["results"]}
        if not body["next"]:
            return ids
        response = client.get(body["next"])


def _pdf(name: str = "hisobot.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _files_under(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.fixture
def as_user(api_client, demo_user):
    """Signs the API client in as a demo account (or anonymous for None)."""

    def login(username: str | None):
        if username is not None:
            api_client.force_login(demo_user(username))
        return api_client

    return login


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a folder of this test's own, so that what is written can be seen."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def throttle_reset(settings, tmp_path):
    """Throttles count in the cache, which outlives each test's transaction."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("FileBasedCache"):
        # The on-disk cache is one folder for every test run on the machine.
        settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": str(tmp_path / "cache")}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mahalla_a(demo_user) -> Territory:
    """The demo inspector's mahalla, in Yunusobod."""
    return demo_user("inspector").memberships.get(role=Role.INSPECTOR).territory


@pytest.fixture
def unit_a(agreement_a):
    """The Yunusobod district department, the other party of `agreement_a`."""
    return agreement_a.unit


@pytest.fixture
def activity_a(demo_user, org_a, agreement_a, mahalla_a) -> JointActivity:
    """Logged by the demo organisation in the inspector's mahalla, awaiting confirmation."""
    return JointActivityFactory(
        created_by=demo_user("ngo.staff"),
        organisation=org_a,
        agreement=agreement_a,
        unit=agreement_a.unit,
        place=mahalla_a,
        date=max(agreement_a.valid_from, _today() - timedelta(days=1)),
    )


@pytest.fixture
def draft_a(org_a, unit_a) -> Agreement:
    agreement = Agreement.objects.create(
        number="T-DRAFT-1",
        title="Sinov memorandumi",
        unit=unit_a,
        valid_from=_today(),
        valid_to=_today() + timedelta(days=365),
    )
    agreement.organisations.add(org_a)
    return agreement


def _request_of(organisation, unit, **fields) -> InformationRequest:
    return InformationRequest.objects.create(
        organisation=organisation,
        unit=unit,
        direction=fields.pop("direction", InformationRequest.Direction.TO_UNIT),
        subject="Tadbirlar rejasi",
        text="Rejani yuboring.",
        due_date=_today() + timedelta(days=10),
        **fields,
    )


@pytest.fixture
def request_a(org_a, unit_a) -> InformationRequest:
    return _request_of(org_a, unit_a)


@pytest.fixture
def request_b(org_b, agreement_b) -> InformationRequest:
    return _request_of(org_b, agreement_b.unit)


@pytest.fixture
def obligation_a(agreement_a) -> Obligation:
    return agreement_a.obligations.order_by("pk").first()


@pytest.fixture
def obligation_b(agreement_b) -> Obligation:
    return agreement_b.obligations.order_by("pk").first()


@pytest.fixture
def andijon_officer(db):
    """A unit officer of Andijon region (1703): `org_b`'s side, outside Tashkent."""
    return MembershipFactory(
        role=Role.UNIT_OFFICER, territory=Territory.objects.get(code="1703")
    ).user


# --- Scope matrix ---------------------------------------------------------------------------

# resource: (fixture of an object of org_a's side, fixture of one of org_b's side)
RESOURCES = {
    "organisations": ("org_a", "org_b"),
    "agreements": ("agreement_a", "agreement_b"),
    "obligations": ("obligation_a", "obligation_b"),
    "activities": ("activity_a", "activity_b"),
    "information-requests": ("request_a", "request_b"),
}
EVERYTHING = set(RESOURCES)
# username: the resources in which it sees org_a's objects, and org_b's.
SCOPES = {
    "ngo.staff": (EVERYTHING, set()),
    "ngo.admin": (EVERYTHING, set()),
    # The inspector sees the activities held in its mahalla, not the district's agreements.
    "inspector": ({"activities"}, set()),
    "officer.district": (EVERYTHING, set()),
    # Tashkent city: org_b is in Andijon.
    "officer.region": (EVERYTHING, set()),
    "officer.republic": (EVERYTHING, EVERYTHING),
    "admin": (EVERYTHING, EVERYTHING),
    "council": (set(), set()),
    "commission": (set(), set()),
}


@pytest.mark.parametrize("username", SCOPES)
@pytest.mark.parametrize("resource", RESOURCES)
def test_read_endpoints_keep_to_the_scope(request, as_user, username, resource):
    # given
    object_a, object_b = (request.getfixturevalue(name) for name in RESOURCES[resource])
    sees_a, sees_b = (resource in scope for scope in SCOPES[username])
    client = as_user(username)
    # when
    ids = _all_ids(client, f"{API}/{resource}/")
    # then
    assert (object_a.pk in ids) is sees_a
    assert (object_b.pk in ids) is sees_b
    assert client.get(f"{API}/{resource}/{object_a.pk}/").status_code == (404, 200)[sees_a]
    assert client.get(f"{API}/{resource}/{object_b.pk}/").status_code == (404, 200)[sees_b]
    if not sees_a:
        assert ids == set()


@pytest.mark.parametrize(
    ("username", "subtree"),
    [
        ("ngo.staff", "17/1726/1726266/"),
        ("officer.district", "17/1726/1726266/"),
        ("officer.region", "17/1726/"),
    ],
)
def test_lists_hold_nothing_outside_the_subtree(as_user, activity_a, request_a, username, subtree):
    client = as_user(username)
    organisations = _all_ids(client, f"{API}/organisations/")
    agreements = _all_ids(client, f"{API}/agreements/")
    activities = _all_ids(client, f"{API}/activities/")
    requests = _all_ids(client, f"{API}/information-requests/")
    assert organisations
    assert agreements
    assert activities
    assert requests
    assert not Organisation.objects.filter(pk__in=organisations).exclude(
        territory__path__startswith=subtree
    )
    assert not Agreement.objects.filter(pk__in=agreements).exclude(
        unit__territory__path__startswith=subtree
    )
    assert not JointActivity.objects.filter(pk__in=activities).exclude(
        place__path__startswith=subtree
    )
    assert not InformationRequest.objects.filter(pk__in=requests).exclude(
        unit__territory__path__startswith=subtree
    )


def test_ngo_staff_sees_only_its_organisations_records(as_user, org_a, activity_a, request_a):
    client = as_user("ngo.staff")
    assert _all_ids(client, f"{API}/organisations/") == {org_a.pk}
    assert _all_ids(client, f"{API}/agreements/") == set(
        org_a.agreements.values_list("pk", flat=True)
    )
    assert _all_ids(client, f"{API}/activities/") == set(
        org_a.activities.values_list("pk", flat=True)
    )
    assert _all_ids(client, f"{API}/information-requests/") == set(
        org_a.information_requests.values_list("pk", flat=True)
    )


@pytest.mark.parametrize("resource", [*RESOURCES, "notifications"])
def test_anonymous_is_refused_the_internal_lists(api_client, resource):
    assert api_client.get(f"{API}/{resource}/").status_code in (401, 403)


def test_filtering_by_an_organisation_out_of_scope_is_refused_like_an_unknown_one(as_user, org_b):
    client = as_user("ngo.staff")
    out_of_scope = client.get(f"{API}/agreements/", {"organisation": org_b.pk})
    unknown = client.get(f"{API}/agreements/", {"organisation": 999_999_999})
    assert out_of_scope.status_code == unknown.status_code == 400
    assert out_of_scope.json().keys() == unknown.json().keys() == {"organisation"}


def test_filters_narrow_the_lists(as_user, org_a, agreement_a, activity_a, mahalla_a):
    client = as_user("officer.region")
    rows = _results(client.get(f"{API}/organisations/", {"q": "yoshlar kelajagi"}))
    assert org_a.pk in {row["id"] for row in rows}
    district = org_a.territory
    rows = _results(client.get(f"{API}/organisations/", {"territory": district.parent_id}))
    assert org_a.pk in {row["id"] for row in rows}
    rows = _results(
        client.get(f"{API}/agreements/", {"organisation": org_a.pk, "status": "active"})
    )
    assert agreement_a.pk in {row["id"] for row in rows}
    assert {row["status"] for row in rows} == {"active"}
    rows = _results(
        client.get(
            f"{API}/activities/",
            {
                "place": district.pk,
                "status": "submitted",
                "date_from": activity_a.date.isoformat(),
                "date_to": activity_a.date.isoformat(),
            },
        )
    )
    assert activity_a.pk in {row["id"] for row in rows}
    assert {row["date"] for row in rows} == {activity_a.date.isoformat()}
    rows = _results(client.get(f"{API}/obligations/", {"agreement": agreement_a.pk}))
    assert {row["agreement"] for row in rows} == {agreement_a.pk}
    assert client.get(f"{API}/activities/", {"status": "lost"}).status_code == 400


def test_agreement_detail_adds_obligations_and_documents(as_user, agreement_a):
    body = as_user("ngo.staff").get(f"{API}/agreements/{agreement_a.pk}/").json()
    assert {row["id"] for row in body["obligations"]} == set(
        agreement_a.obligations.values_list("pk", flat=True)
    )
    assert body["documents"] == []
    assert body["organisations"][0]["name"]


def test_notifications_are_the_callers_own(as_user, demo_user):
    staff, officer = demo_user("ngo.staff"), demo_user("officer.district")
    own = Notification.objects.create(user=staff, message="Salom", dedupe_key="t-1")
    other = Notification.objects.create(user=officer, message="Salom", dedupe_key="t-1")
    client = as_user("ngo.staff")
    assert _all_ids(client, f"{API}/notifications/") == {own.pk}
    assert client.get(f"{API}/notifications/{other.pk}/").status_code == 404
    # marking another user's notification read changes nothing
    response = client.post(
        f"{API}/notifications/mark-read/", {"ids": [own.pk, other.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"marked": 1}
    other.refresh_from_db()
    assert other.read_at is None
    assert _results(client.get(f"{API}/notifications/", {"unread": "true"})) == []
    assert [row["id"] for row in _results(client.get(f"{API}/notifications/"))] == [own.pk]


# --- Public registry ------------------------------------------------------------------------


def test_registry_lists_only_public_active_agreements_anonymously(api_client, draft_a):
    # given: the draft marked public must still not show
    Agreement.objects.filter(pk=draft_a.pk).update(is_public=True)
    # when
    ids = _all_ids(api_client, f"{API}/registry/")
    # then
    expected = set(
        Agreement.objects.filter(is_public=True, status=Agreement.Status.ACTIVE).values_list(
            "pk", flat=True
        )
    )
    assert ids
    assert ids == expected
    hidden = Agreement.objects.exclude(pk__in=expected).first()
    assert api_client.get(f"{API}/registry/{hidden.pk}/").status_code == 404
    assert api_client.get(f"{API}/registry/{draft_a.pk}/").status_code == 404


def test_registry_shows_no_internal_data(api_client):
    row = _results(api_client.get(f"{API}/registry/", {"page_size": 1}))[0]
    assert set(row) == {
        "id",
        "number",
        "title",
        "unit",
        "unit_name",
        "organisations",
        "areas",
        "signed_on",
        "valid_from",
        "valid_to",
    }
    assert set(row["organisations"][0]) == {"id", "name"}


# --- Organisations and staff ----------------------------------------------------------------


def _application(**changes) -> dict:
    return {
        "name": "“Tinch mahalla” NNT",
        "kind": "ngo",
        "registration_number": "NNT-2026-7777",
        "territory": Territory.objects.get(code="1726266").pk,
        "email": "info@tinch.uz",
        "applicant_name": "Zarina Olimova",
        "applicant_email": "Zarina@Tinch.uz",
        **changes,
    }


def test_anyone_may_apply_and_is_throttled(api_client, settings, throttle_reset):
    settings.ORGANISATION_APPLY_RATE = "2/hour"
    url = f"{API}/organisations/apply/"
    response = api_client.post(url, _application(), format="json")
    assert response.status_code == 201, response.content
    organisation = Organisation.objects.get(pk=response.json()["id"])
    assert organisation.verification == Organisation.Verification.PENDING
    assert organisation.applicant_email == "zarina@tinch.uz"
    assert set(response.json()) == {
        "id",
        "name",
        "registration_number",
        "verification",
        "created_at",
    }
    assert api_client.post(url, _application(registration_number="N-2")).status_code == 201
    assert api_client.post(url, _application(registration_number="N-3")).status_code == 429
    assert not Organisation.objects.filter(registration_number="N-3").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"registration_number": DEMO_REGISTRATION}, "field"),
        ({"registration_number": f" {DEMO_REGISTRATION.lower()} "}, "field"),
        ({"kind": "club"}, "kind"),
        ({"territory": 999_999_999}, "territory"),
        ({"applicant_email": "not-an-address"}, "applicant_email"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"name": "x" * 301}, "name"),
        ({"areas": [999_999_999]}, "areas"),
    ],
)
def test_bad_application_is_400_and_saves_nothing(api_client, throttle_reset, changes, field):
    before = Organisation.objects.count()
    response = api_client.post(
        f"{API}/organisations/apply/", _application(**changes), format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()[field]
    if field == "field":
        assert response.json()["field"] == "registration_number"
    assert Organisation.objects.count() == before


@pytest.fixture
def applicant(mahalla_a) -> Organisation:
    """A pending application from the inspector's mahalla."""
    return Organisation.objects.create(
        name="Ariza beruvchi",
        kind=Organisation.Kind.NGO,
        registration_number="NNT-APPLY-1",
        territory=mahalla_a,
        applicant_name="Zarina Olimova",
        applicant_email="zarina@tinch.uz",
    )


def test_officer_verifies_an_application_and_the_applicant_is_invited(
    as_user, applicant, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user("officer.district").post(
            f"{API}/organisations/{applicant.pk}/verify/", {"approve": True}, format="json"
        )
    # then
    assert response.status_code == 200, response.content
    assert response.json()["verification"] == "verified"
    membership = Membership.objects.get(organisation=applicant)
    assert (membership.role, membership.user.email) == (Role.NGO_ADMIN, "zarina@tinch.uz")
    assert [message.to for message in mail.outbox] == [["zarina@tinch.uz"]]


@pytest.mark.parametrize(
    ("username", "expected"),
    [("inspector", 403), ("ngo.admin", 404), ("council", 404), ("andijon", 404)],
)
def test_only_officers_above_verify(
    as_user, api_client, andijon_officer, applicant, username, expected
):
    if username == "andijon":
        api_client.force_login(andijon_officer)
        client = api_client
    else:
        client = as_user(username)
    response = client.post(
        f"{API}/organisations/{applicant.pk}/verify/", {"approve": True}, format="json"
    )
    assert response.status_code == expected
    applicant.refresh_from_db()
    assert applicant.verification == Organisation.Verification.PENDING


def test_verifying_twice_is_400(as_user, applicant):
    client = as_user("officer.region")
    url = f"{API}/organisations/{applicant.pk}/verify/"
    assert client.post(url, {"approve": False}, format="json").status_code == 200
    response = client.post(url, {"approve": True}, format="json")
    assert response.status_code == 400
    applicant.refresh_from_db()
    assert applicant.verification == Organisation.Verification.REJECTED


def test_ngo_admin_invites_staff(as_user, org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user("ngo.admin").post(
            f"{API}/organisations/{org_a.pk}/staff/invite/",
            {"email": "yangi@tinch.uz", "full_name": "Yangi Xodim"},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "ngo_staff"
    assert response.json()["username"] == "yangi@tinch.uz"
    membership = Membership.objects.get(pk=response.json()["id"])
    assert (membership.organisation, membership.role) == (org_a, Role.NGO_STAFF)
    assert [message.to for message in mail.outbox] == [["yangi@tinch.uz"]]


def test_ngo_admin_deactivates_staff(as_user, demo_user):
    staff = demo_user("ngo.staff").memberships.get()
    client = as_user("ngo.admin")
    response = client.post(f"{API}/staff/{staff.pk}/deactivate/")
    assert response.status_code == 200, response.content
    staff.refresh_from_db()
    assert staff.valid_to == _today() - timedelta(days=1)
    assert not staff.user.is_active
    # an ended membership is no longer there to deactivate
    assert client.post(f"{API}/staff/{staff.pk}/deactivate/").status_code == 404


@pytest.mark.parametrize(("username", "expected"), [("ngo.staff", 403), ("officer.district", 403)])
def test_only_the_organisations_admin_manages_staff(as_user, demo_user, org_a, username, expected):
    client = as_user(username)
    response = client.post(
        f"{API}/organisations/{org_a.pk}/staff/invite/",
        {"email": "yangi@tinch.uz", "full_name": "Yangi Xodim"},
        format="json",
    )
    assert response.status_code == expected
    staff = demo_user("ngo.staff").memberships.get()
    assert client.post(f"{API}/staff/{staff.pk}/deactivate/").status_code == expected
    staff.refresh_from_db()
    assert staff.valid_to is None
    assert not Membership.objects.filter(user__email="yangi@tinch.uz").exists()


def test_staff_of_another_organisation_is_404(as_user, org_b):
    client = as_user("ngo.admin")
    response = client.post(
        f"{API}/organisations/{org_b.pk}/staff/invite/",
        {"email": "yangi@tinch.uz", "full_name": "Yangi Xodim"},
        format="json",
    )
    assert response.status_code == 404


def test_admin_cannot_deactivate_itself(as_user, demo_user):
    own = demo_user("ngo.admin").memberships.get()
    response = as_user("ngo.admin").post(f"{API}/staff/{own.pk}/deactivate/")
    assert response.status_code == 400
    own.refresh_from_db()
    assert own.valid_to is None


# --- Agreements and obligations -------------------------------------------------------------


def _agreement_payload(org_, unit_, /, **changes) -> dict:
    return {
        "number": "M-TEST-2026-1",
        "title": "Yoshlar orasida huquqbuzarliklar profilaktikasi",
        "unit": unit_.pk,
        "organisations": [org_.pk],
        "valid_from": _today().isoformat(),
        "valid_to": (_today() + timedelta(days=365)).isoformat(),
        **changes,
    }


def test_ngo_drafts_an_agreement_with_documents(as_user, org_a, unit_a, media):
    # when
    response = as_user("ngo.staff").post(
        f"{API}/agreements/create/",
        {**_agreement_payload(org_a, unit_a), "documents": [_pdf("memorandum.pdf")]},
        format="multipart",
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["organisations"][0]["id"]) == ("draft", org_a.pk)
    [document] = body["documents"]
    assert document["content_type"] == "application/pdf"
    download = as_user("officer.district").get(document["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    # a reader outside the scope gets no file
    assert as_user("council").get(document["url"]).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"valid_to": "2020-01-01", "valid_from": "2020-02-01"}, "valid_to"),
        ({"number": "M-NNT-2019-0415-1"}, "number"),
        ({"documents": [SimpleUploadedFile("a.pdf", EXE)]}, "documents"),
        ({"documents": ["OVERSIZED"]}, "documents"),
    ],
    ids=["ends-before-it-starts", "duplicate-number", "executable-as-pdf", "oversized"],
)
def test_bad_agreement_is_400_and_saves_nothing(
    as_user, org_a, unit_a, media, settings, changes, field
):
    if changes.get("documents") == ["OVERSIZED"]:
        big = b"%PDF-1.4\n" + b"0" * (settings.UPLOAD_MAX_BYTES + 1 - len(b"%PDF-1.4\n"))
        changes = {"documents": [SimpleUploadedFile("big.pdf", big)]}
    agreements, documents = Agreement.objects.count(), AgreementDocument.objects.count()
    response = as_user("ngo.staff").post(
        f"{API}/agreements/create/",
        _agreement_payload(org_a, unit_a, **changes),
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert response.json()["detail"]
    assert Agreement.objects.count() == agreements
    assert AgreementDocument.objects.count() == documents
    assert _files_under(media.parent) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"organisations": []}, "organisations"),
        ({"organisations": ["ORG_B"]}, "organisations"),
        ({"unit": 999_999_999}, "unit"),
        ({"valid_from": "1 yanvar"}, "valid_from"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_agreement_fields_are_400_with_their_messages(
    as_user, org_a, org_b, unit_a, changes, field
):
    if changes.get("organisations") == ["ORG_B"]:
        changes = {"organisations": [org_b.pk]}
    before = Agreement.objects.count()
    response = as_user("ngo.staff").post(
        f"{API}/agreements/create/", _agreement_payload(org_a, unit_a, **changes), format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()[field]
    assert Agreement.objects.count() == before


@pytest.mark.parametrize("username", ["council", "inspector", "commission"])
def test_only_the_parties_draft_agreements(as_user, org_a, unit_a, username):
    response = as_user(username).post(
        f"{API}/agreements/create/", _agreement_payload(org_a, unit_a), format="json"
    )
    assert response.status_code == 403
    assert not Agreement.objects.filter(number="M-TEST-2026-1").exists()


def _transition(client, agreement, status):
    return client.post(
        f"{API}/agreements/{agreement.pk}/transition/", {"status": status}, format="json"
    )


def test_agreement_goes_from_draft_to_active(as_user, draft_a):
    ngo = as_user("ngo.staff")
    assert _transition(ngo, draft_a, "proposed").status_code == 200
    # only the unit signs it
    response = _transition(ngo, draft_a, "active")
    assert response.status_code == 400
    draft_a.refresh_from_db()
    assert draft_a.status == Agreement.Status.PROPOSED
    response = _transition(as_user("officer.district"), draft_a, "active")
    assert response.status_code == 200, response.content
    assert response.json()["signed_on"] == _today().isoformat()
    draft_a.refresh_from_db()
    assert draft_a.status == Agreement.Status.ACTIVE


@pytest.mark.parametrize(
    ("username", "status"),
    [("ngo.staff", "active"), ("officer.district", "active"), ("officer.district", "terminated")],
)
def test_disallowed_transitions_are_refused(as_user, draft_a, username, status):
    response = _transition(as_user(username), draft_a, status)
    assert response.status_code == 400
    assert response.json()["detail"]
    draft_a.refresh_from_db()
    assert draft_a.status == Agreement.Status.DRAFT
    assert draft_a.status_changed_at is None


@pytest.mark.parametrize(("username", "expected"), [("ngo.staff", 404), ("council", 404)])
def test_transitions_out_of_scope_are_404(as_user, agreement_b, username, expected):
    before = agreement_b.status
    assert _transition(as_user(username), agreement_b, "terminated").status_code == expected
    agreement_b.refresh_from_db()
    assert agreement_b.status == before


def test_transition_to_an_unknown_status_is_400(as_user, draft_a):
    response = _transition(as_user("ngo.staff"), draft_a, "signed")
    assert response.status_code == 400
    assert response.json()["status"]


def test_parties_add_and_complete_obligations(as_user, org_a, agreement_a, media):
    client = as_user("ngo.staff")
    due = (_today() + timedelta(days=30)).isoformat()
    response = client.post(
        f"{API}/agreements/{agreement_a.pk}/obligations/add/",
        {
            "text": "Har oy tadbir.",
            "party": "organisation",
            "organisation": org_a.pk,
            "due_date": due,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    obligation_id = response.json()["id"]
    url = f"{API}/obligations/{obligation_id}/complete/"
    # no evidence
    response = client.post(url, {"evidence": "  "}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "evidence"
    assert Obligation.objects.get(pk=obligation_id).state == Obligation.State.OPEN
    # with evidence
    response = client.post(
        url, {"evidence": "Tadbir oʻtkazildi.", "evidence_file": _pdf()}, format="multipart"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["done_on"]) == ("done", _today().isoformat())
    assert b"".join(client.get(body["evidence_file"]).streaming_content) == PDF


def test_obligation_of_an_organisation_outside_the_agreement_is_400(as_user, agreement_a, org_b):
    before = Obligation.objects.count()
    response = as_user("officer.district").post(
        f"{API}/agreements/{agreement_a.pk}/obligations/add/",
        {
            "text": "Har oy tadbir.",
            "party": "organisation",
            "organisation": org_b.pk,
            "due_date": _today().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["organisation"]
    assert Obligation.objects.count() == before


def test_obligations_out_of_scope_are_404(as_user, obligation_b, agreement_b):
    client = as_user("ngo.staff")
    response = client.post(
        f"{API}/obligations/{obligation_b.pk}/complete/", {"evidence": "Bajarildi."}
    )
    assert response.status_code == 404
    response = client.post(
        f"{API}/agreements/{agreement_b.pk}/obligations/add/",
        {"text": "x", "party": "unit", "due_date": _today().isoformat()},
    )
    assert response.status_code == 404


# --- Joint activities -----------------------------------------------------------------------


def _activity_payload(agreement_, place_, /, **changes) -> dict:
    return {
        "agreement": agreement_.pk,
        "unit": agreement_.unit_id,
        "place": place_.pk,
        "kind": "legal_awareness",
        "date": max(agreement_.valid_from, _today() - timedelta(days=2)).isoformat(),
        "participants_youth": 25,
        "description": "Maktabda huquqiy targʻibot.",
        **changes,
    }


def test_ngo_staff_logs_an_activity_with_evidence(as_user, org_a, agreement_a, mahalla_a, media):
    # when
    response = as_user("ngo.staff").post(
        f"{API}/activities/log/",
        {**_activity_payload(agreement_a, mahalla_a), "files": [_pdf(), _pdf("b.pdf")]},
        format="multipart",
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    activity = JointActivity.objects.get(pk=body["id"])
    assert (activity.organisation, activity.status) == (org_a, JointActivity.Status.SUBMITTED)
    assert (body["participants_total"], body["participants_women"]) == (25, 0)
    assert len(body["evidence"]) == 2
    download = as_user("inspector").get(body["evidence"][0]["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": "VALID_FROM-1"}, "date"),
        ({"date": "2999-01-01"}, "date"),
        ({"place": "MAHALLA_B"}, "place"),
        ({"files": [SimpleUploadedFile("a.pdf", EXE)]}, "files"),
        ({"files": ["OVERSIZED"]}, "files"),
    ],
    ids=["outside-validity", "future", "outside-unit", "executable-as-pdf", "oversized"],
)
def test_bad_activity_is_400_and_saves_nothing(
    as_user, agreement_a, mahalla_a, activity_b, media, settings, changes, field
):
    if changes.get("date") == "VALID_FROM-1":
        changes = {"date": (agreement_a.valid_from - timedelta(days=1)).isoformat()}
    if changes.get("place") == "MAHALLA_B":
        changes = {"place": activity_b.place_id}
    if changes.get("files") == ["OVERSIZED"]:
        big = b"%PDF-1.4" + b"\x00" * (settings.UPLOAD_MAX_BYTES + 1 - len(b"%PDF-1.4"))
        changes = {"files": [SimpleUploadedFile("big.pdf", big)]}
    activities, evidence = JointActivity.objects.count(), ActivityEvidence.objects.count()
    response = as_user("ngo.staff").post(
        f"{API}/activities/log/",
        _activity_payload(agreement_a, mahalla_a, **changes),
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert JointActivity.objects.count() == activities
    assert ActivityEvidence.objects.count() == evidence
    assert _files_under(media.parent) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "picnic"}, "kind"),
        ({"participants_youth": -1}, "participants_youth"),
        ({"description": ""}, "description"),
        ({"agreement": "AGREEMENT_B"}, "agreement"),
        ({"organisation": "ORG_B"}, "organisation"),
    ],
)
def test_bad_activity_fields_are_400(
    as_user, agreement_a, agreement_b, org_b, mahalla_a, changes, field
):
    replace = {"AGREEMENT_B": agreement_b.pk, "ORG_B": org_b.pk}
    changes = {key: replace.get(value, value) for key, value in changes.items()}
    before = JointActivity.objects.count()
    response = as_user("ngo.staff").post(
        f"{API}/activities/log/",
        _activity_payload(agreement_a, mahalla_a, **changes),
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()[field]
    assert JointActivity.objects.count() == before


@pytest.mark.parametrize("username", ["officer.district", "inspector", "council"])
def test_only_organisation_staff_log_activities(as_user, agreement_a, mahalla_a, username):
    before = JointActivity.objects.count()
    response = as_user(username).post(
        f"{API}/activities/log/", _activity_payload(agreement_a, mahalla_a), format="json"
    )
    assert response.status_code == 403
    assert JointActivity.objects.count() == before


def test_ngo_corrects_a_disputed_activity_and_it_goes_back_for_confirmation(as_user, activity_a):
    JointActivity.objects.filter(pk=activity_a.pk).update(
        status=JointActivity.Status.DISPUTED, dispute_reason="Soni notoʻgʻri."
    )
    response = as_user("ngo.admin").patch(
        f"{API}/activities/{activity_a.pk}/update/", {"participants_youth": 12}, format="json"
    )
    assert response.status_code == 200, response.content
    activity_a.refresh_from_db()
    assert (activity_a.status, activity_a.participants_youth) == ("submitted", 12)
    assert activity_a.dispute_reason == ""


def test_activity_update_rules(as_user, activity_a, activity_b):
    url = f"{API}/activities/{activity_a.pk}/update/"
    assert (
        as_user("officer.district").patch(url, {"outcome": "x"}, format="json").status_code == 403
    )
    assert (
        as_user("ngo.staff")
        .patch(f"{API}/activities/{activity_b.pk}/update/", {"outcome": "x"}, format="json")
        .status_code
        == 404
    )
    JointActivity.objects.filter(pk=activity_a.pk).update(status=JointActivity.Status.CONFIRMED)
    response = as_user("ngo.staff").patch(url, {"outcome": "Oʻzgardi."}, format="json")
    assert response.status_code == 400
    activity_a.refresh_from_db()
    assert activity_a.outcome != "Oʻzgardi."


# --- Mutual confirmation --------------------------------------------------------------------


@pytest.mark.parametrize("username", ["officer.district", "inspector", "officer.region"])
def test_the_counterpart_confirms(as_user, demo_user, activity_a, username):
    response = as_user(username).post(f"{API}/activities/{activity_a.pk}/confirm/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"
    activity_a.refresh_from_db()
    assert activity_a.status == JointActivity.Status.CONFIRMED
    assert activity_a.reviewed_by == demo_user(username)


@pytest.mark.parametrize(
    ("username", "expected"),
    [("ngo.staff", 403), ("ngo.admin", 403), ("council", 404), ("andijon", 404)],
)
@pytest.mark.parametrize("action", ["confirm", "dispute"])
def test_no_one_else_reviews(
    as_user, api_client, andijon_officer, activity_a, username, expected, action
):
    if username == "andijon":
        api_client.force_login(andijon_officer)
        client = api_client
    else:
        client = as_user(username)
    response = client.post(
        f"{API}/activities/{activity_a.pk}/{action}/", {"reason": "Yoʻq edi."}, format="json"
    )
    assert response.status_code == expected
    activity_a.refresh_from_db()
    assert activity_a.status == JointActivity.Status.SUBMITTED
    assert activity_a.reviewed_by is None


def test_an_officer_of_another_region_gets_404(as_user, activity_b):
    before = activity_b.status
    response = as_user("officer.region").post(f"{API}/activities/{activity_b.pk}/confirm/")
    assert response.status_code == 404
    activity_b.refresh_from_db()
    assert activity_b.status == before


def test_a_reviewed_activity_cannot_be_reviewed_again(as_user, activity_a):
    client = as_user("officer.district")
    assert client.post(f"{API}/activities/{activity_a.pk}/confirm/").status_code == 200
    reviewed_at = JointActivity.objects.get(pk=activity_a.pk).reviewed_at
    response = client.post(f"{API}/activities/{activity_a.pk}/confirm/")
    assert response.status_code == 400
    assert response.json()["detail"]
    response = client.post(
        f"{API}/activities/{activity_a.pk}/dispute/", {"reason": "Xato."}, format="json"
    )
    assert response.status_code == 400
    activity_a.refresh_from_db()
    assert (activity_a.status, activity_a.reviewed_at) == ("confirmed", reviewed_at)


def test_a_dispute_needs_its_reason(as_user, activity_a):
    client = as_user("inspector")
    url = f"{API}/activities/{activity_a.pk}/dispute/"
    for payload in ({}, {"reason": ""}, {"reason": "   "}):
        response = client.post(url, payload, format="json")
        assert response.status_code == 400
        assert response.json()["reason"]
    activity_a.refresh_from_db()
    assert activity_a.status == JointActivity.Status.SUBMITTED
    response = client.post(url, {"reason": "Ishtirokchilar kam edi."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["dispute_reason"] == "Ishtirokchilar kam edi."


# --- Information requests -------------------------------------------------------------------


def test_ngo_sends_a_request_and_the_unit_answers(as_user, org_a, unit_a):
    response = as_user("ngo.staff").post(
        f"{API}/information-requests/create/",
        {
            "direction": "to_unit",
            "organisation": org_a.pk,
            "unit": unit_a.pk,
            "subject": "Statistika",
            "text": "Mahalla boʻyicha maʼlumot bering.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["due_date"] == working_days_after(_today(), 15).isoformat()
    url = f"{API}/information-requests/{body['id']}/answer/"
    assert as_user("ngo.staff").post(url, {"answer": "Oʻzim."}, format="json").status_code == 403
    response = as_user("officer.district").post(url, {"answer": "Ilova qilindi."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "answered"
    response = as_user("officer.district").post(url, {"answer": "Yana."}, format="json")
    assert response.status_code == 400
    assert InformationRequest.objects.get(pk=body["id"]).answer == "Ilova qilindi."


def test_unit_sends_a_request_to_an_organisation(as_user, org_a, unit_a, media):
    response = as_user("officer.district").post(
        f"{API}/information-requests/create/",
        {
            "direction": "to_organisation",
            "organisation": org_a.pk,
            "unit": unit_a.pk,
            "subject": "Reja",
            "text": "Rejani yuboring.",
            "due_date": (_today() + timedelta(days=5)).isoformat(),
            "files": [_pdf()],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    [attachment] = response.json()["attachments"]
    assert as_user("ngo.staff").get(attachment["url"]).status_code == 200


@pytest.mark.parametrize(
    ("username", "changes", "expected"),
    [
        ("ngo.staff", {"direction": "to_organisation"}, 403),
        ("ngo.staff", {"organisation": "ORG_B"}, 400),
        ("ngo.staff", {"due_date": "2000-01-01"}, 400),
        ("ngo.staff", {"subject": ""}, 400),
        ("council", {}, 403),
    ],
)
def test_bad_requests_are_refused(as_user, org_a, org_b, unit_a, username, changes, expected):
    payload = {
        "direction": "to_unit",
        "organisation": org_a.pk,
        "unit": unit_a.pk,
        "subject": "Statistika",
        "text": "Maʼlumot bering.",
        **changes,
    }
    if payload["organisation"] == "ORG_B":
        payload["organisation"] = org_b.pk
    before = InformationRequest.objects.count()
    response = as_user(username).post(f"{API}/information-requests/create/", payload, format="json")
    assert response.status_code == expected, response.content
    assert InformationRequest.objects.count() == before


def test_the_unit_answers_a_request_without_a_recorded_creator(as_user, org_a, unit_a):
    # Demo and imported requests have no creator; answering them must still work.
    demo = InformationRequest.objects.create(
        direction="to_unit",
        organisation=org_a,
        unit=unit_a,
        subject="Reja",
        text="Rejani yuboring.",
        due_date=_today() + timedelta(days=10),
    )
    response = as_user("officer.district").post(
        f"{API}/information-requests/{demo.pk}/answer/",
        {"answer": "Reja ilova qilindi."},
        format="json",
    )
    assert response.status_code == 200, response.content


def test_answering_a_request_out_of_scope_is_404(as_user, request_b):
    response = as_user("officer.region").post(
        f"{API}/information-requests/{request_b.pk}/answer/", {"answer": "Ha."}, format="json"
    )
    assert response.status_code == 404
    request_b.refresh_from_db()
    assert request_b.answer == ""


# --- Query counts ---------------------------------------------------------------------------
# Session, user, memberships, then the page and its prefetches: the same for any page size.

LIST_QUERIES = {
    "organisations": 5,  # ... and the areas
    "agreements": 6,  # ... and the organisations and areas
    "obligations": 4,
    "activities": 5,  # ... and the evidence files
    "information-requests": 5,  # ... and the attachments
    "notifications": 3,  # no memberships needed
}


@pytest.mark.parametrize("page_size", [5, 50])
@pytest.mark.parametrize("resource", LIST_QUERIES)
def test_list_query_count_is_fixed(
    as_user, demo_user, django_assert_num_queries, resource, page_size
):
    user = demo_user("officer.republic")
    Notification.objects.bulk_create(
        Notification(user=user, message="Salom", dedupe_key=f"t-{n}") for n in range(60)
    )
    client = as_user("officer.republic")
    with django_assert_num_queries(LIST_QUERIES[resource]):
        rows = _results(client.get(f"{API}/{resource}/", {"page_size": page_size}))
    assert len(rows) == page_size


@pytest.mark.parametrize("page_size", [5, 50])
def test_registry_query_count_is_fixed(api_client, django_assert_num_queries, page_size):
    # The page, its organisations and its areas; nobody to look up.
    with django_assert_num_queries(3):
        rows = _results(api_client.get(f"{API}/registry/", {"page_size": page_size}))
    assert len(rows) == page_size


# --- Schema ---------------------------------------------------------------------------------


def test_the_openapi_schema_is_valid_without_warnings(tmp_path):
    call_command(
        "spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "schema.yaml")
    )
    schema = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/v1/registry/", "/api/v1/activities/{id}/confirm/"):
        assert path in schema
