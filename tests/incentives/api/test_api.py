from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.models import PersonalDataRead, Role
from incentives.models import (
    AmountRule,
    BaseCalculationValue,
    Commission,
    Fund,
    IncentiveGround,
    Nomination,
    NominationEvidence,
    SocialProtectionCase,
)
from incentives.services import (
    amount_cap,
    bcv_on,
    nomination_approve,
    nomination_pay,
    nomination_submit,
    social_case_open,
)
from mahalla.models import Territory
from partnership.demo import DEMO_REGISTRATION
from partnership.models import Organisation
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
PERSONAL = {"full_name", "birth_date", "address", "document_number", "phone"}
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


def _pdf(name: str = "dalil.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _reads() -> int:
    return PersonalDataRead.objects.count()


@pytest.fixture
def as_user(api_client, demo_user):
    """Signs the API client in as a demo account (or leaves it anonymous for None); answers
    come in English."""

    def login(username: str | None):
        api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        if username is not None:
            api_client.force_login(demo_user(username))
        return api_client

    return login


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def mahalla_a(demo_user) -> Territory:
    """The demo inspector's mahalla, in Yunusobod (the district commission's)."""
    return demo_user("inspector").memberships.get(role=Role.INSPECTOR).territory


@pytest.fixture
def mahalla_b(db) -> Territory:
    """A mahalla in Andijan region: no district or region commission works there."""
    return Territory.objects.filter(kind=Territory.Kind.MAHALLA, path__startswith="17/1703/")[0]


@pytest.fixture
def prevention(db) -> IncentiveGround:
    return IncentiveGround.objects.get(code="prevention")


@pytest.fixture
def district_cap(prevention) -> int:
    return amount_cap(ground=prevention, gravity="", level="district", day=_today())


@pytest.fixture
def nomination_a(submit) -> Nomination:
    """Before the district commission, in the inspector's mahalla."""
    return submit(101)


@pytest.fixture
def nomination_c(submit, district_cap) -> Nomination:
    """In the same mahalla, but too large for the district: before the region commission."""
    return submit(103, amount=district_cap + 1)


@pytest.fixture
def nomination_b(demo_user, mahalla_b, prevention) -> Nomination:
    """In Andijan, by the administrator: before the republic commission."""
    return nomination_submit(
        by=demo_user("admin"),
        kind=Nomination.Kind.CITIZEN,
        full_name="Andijon Fuqarosi",
        document_number="AB7777777",
        ground=prevention,
        facts="Faol ishtirok.",
        event_date=_today() - timedelta(days=2),
        mahalla=mahalla_b,
        proposed_amount=400_000,
    )


@pytest.fixture
def region_member(db):
    """A member of the Tashkent city commission (above the Yunusobod one)."""
    return MembershipFactory(
        role=Role.COMMISSION_MEMBER, territory=Territory.objects.get(code="1726")
    ).user


@pytest.fixture
def org_a(db) -> Organisation:
    return Organisation.objects.get(registration_number=DEMO_REGISTRATION)


def _submit_payload(mahalla, ground, /, **extra) -> dict:
    return {
        "kind": "citizen",
        "full_name": "Aliyev Vali",
        "birth_date": "1990-05-01",
        "address": "Yunusobod, 5-uy",
        "document_number": "AA1234567",
        "phone": "+998 90 123 45 67",
        "ground": ground.pk,
        "facts": "Qidiruvdagi shaxsni topishga yordam berdi.",
        "event_date": (_today() - timedelta(days=4)).isoformat(),
        "mahalla": mahalla.pk,
        "proposed_amount": 600_000,
        **extra,
    }


def _approval(cash, amount: int, **extra) -> dict:
    return {
        "decision": "approve",
        "incentive_type": cash.pk,
        "amount": amount,
        "decision_number": "K-77",
        "decision_date": _today().isoformat(),
        **extra,
    }


def _decide(client, nomination, data):
    return client.post(f"{API}/nominations/{nomination.pk}/decide/", data, format="json")


def _committed(fund) -> int:
    return Fund.objects.get(pk=fund.pk).committed


def _unchanged(nomination) -> None:
    """The nomination is still as submitted: no decision saved."""
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.SUBMITTED
    assert (nomination.amount, nomination.fund_id, nomination.decision_number) == (None, None, "")
    assert nomination.decision_date is None


# --- Reference data -------------------------------------------------------------------------

REFERENCE_LISTS = ["incentive-grounds", "incentive-types", "amount-rules", "bcv"]


@pytest.mark.parametrize("resource", REFERENCE_LISTS)
def test_reference_data_needs_a_sign_in(as_user, resource):
    assert as_user(None).get(f"{API}/{resource}/").status_code == 403


def test_grounds_and_types_in_the_request_language(as_user):
    client = as_user("council")
    grounds = _results(client.get(f"{API}/incentive-grounds/"))
    assert [(g["code"], g["name"], g["has_gravity"]) for g in grounds] == [
        (g.code, g.name_en, g.has_gravity) for g in IncentiveGround.objects.order_by("order")
    ]
    types = _results(client.get(f"{API}/incentive-types/", {"is_cash": "true"}))
    assert [(t["code"], t["name"]) for t in types] == [("cash", "Cash bonus")]


def test_amount_rules_carry_the_cap_at_todays_bcv(as_user):
    rows = _results(as_user("ngo.staff").get(f"{API}/amount-rules/", {"page_size": 200}))
    assert len(rows) == AmountRule.objects.count()
    bcv = bcv_on(_today())
    for row in rows:
        rule = AmountRule.objects.select_related("ground").get(pk=row["id"])
        expected = amount_cap(
            ground=rule.ground, gravity=rule.gravity, level=rule.level, day=_today()
        )
        assert row["cap"] == expected == int(rule.max_bcv * bcv)
        assert (row["ground_code"], row["gravity"], row["level"]) == (
            rule.ground.code,
            rule.gravity,
            rule.level,
        )
    prevention = [r for r in rows if r["ground_code"] == "prevention" and r["level"] == "district"]
    assert [r["cap"] for r in prevention] == [3 * bcv]


def test_a_new_bcv_changes_the_cap_shown(as_user, prevention):
    BaseCalculationValue.objects.create(valid_from=_today(), amount=500_000)
    client = as_user("inspector")
    rows = _results(
        client.get(f"{API}/amount-rules/", {"ground": prevention.pk, "level": "district"})
    )
    assert [row["cap"] for row in rows] == [1_500_000]
    assert _results(client.get(f"{API}/bcv/"))[0] == {
        "id": BaseCalculationValue.objects.get(valid_from=_today()).pk,
        "valid_from": _today().isoformat(),
        "amount": 500_000,
    }


# --- Commissions and funds ------------------------------------------------------------------

COMMISSION_SCOPES = {
    "commission": {"1726266"},
    "officer.district": {"1726266"},
    "officer.region": {"1726", "1726266"},
    "officer.republic": {"17", "1726", "1726266"},
    "council": {"17", "1726", "1726266"},
    "admin": {"17", "1726", "1726266"},
    "ngo.staff": set(),
    "inspector": set(),
}


@pytest.mark.parametrize("username", COMMISSION_SCOPES)
def test_commissions_and_funds_by_scope(as_user, username):
    client = as_user(username)
    codes = {row["territory_code"] for row in _results(client.get(f"{API}/commissions/"))}
    assert codes == COMMISSION_SCOPES[username]
    funds = _all_ids(client, f"{API}/funds/")
    expected = Fund.objects.filter(commission__territory__code__in=COMMISSION_SCOPES[username])
    assert funds == set(expected.values_list("pk", flat=True))


def test_fund_shows_budget_committed_paid_and_remaining(as_user, submit, demo_user, cash, fund):
    # given: one more award approved and paid from the district fund
    member = demo_user("commission")
    nomination = nomination_approve(
        nomination=submit(201, amount=450_000),
        by=member,
        incentive_type=cash,
        amount=450_000,
        decision_number="K-201",
        decision_date=_today(),
    )
    nomination_pay(nomination=nomination, by=member, paid_on=_today(), reference="PP-201")
    fund.refresh_from_db()
    paid = sum(
        model.objects.filter(fund=fund, state="paid").aggregate(s=Sum("amount"))["s"] or 0
        for model in (Nomination, SocialProtectionCase)
    )
    awards = Nomination.objects.filter(fund=fund, state__in=["approved", "paid"]).count()
    # when
    rows = _results(as_user("commission").get(f"{API}/funds/", {"level": "district"}))
    # then
    assert rows == [
        {
            "id": fund.pk,
            "commission": fund.commission_id,
            "level": "district",
            "territory": fund.commission.territory_id,
            "territory_name": fund.commission.territory.name_en,
            "year": _today().year,
            "budget": fund.budget,
            "committed": fund.committed,
            "paid": paid,
            "remaining": fund.budget - fund.committed,
            "awards_count": awards,
        }
    ]
    assert paid >= 450_000


def test_fund_filter_by_a_territory_subtree(as_user):
    client = as_user("admin")
    tashkent = Territory.objects.get(code="1726")
    ids = _all_ids(client, f"{API}/funds/", {"territory": tashkent.pk})
    assert ids == set(
        Fund.objects.filter(commission__territory__code__in=["1726", "1726266"]).values_list(
            "pk", flat=True
        )
    )
    assert client.get(f"{API}/funds/", {"territory": "x"}).status_code == 400


# --- Nominations: scope and personal data ---------------------------------------------------

# username: the nominations it sees among a (district commission), b (Andijan, republic
# commission) and c (Yunusobod, region commission). Each one seen is seen with personal data.
NOMINATION_SCOPES = {
    "admin": {"a", "b", "c"},
    "officer.republic": {"a", "b", "c"},
    "officer.region": {"a", "c"},
    "officer.district": {"a", "c"},
    "inspector": {"a", "c"},
    "commission": {"a"},
    "council": set(),
    "ngo.staff": set(),
    "ngo.admin": set(),
}


@pytest.mark.parametrize("username", NOMINATION_SCOPES)
def test_nomination_scope_matrix(as_user, username, nomination_a, nomination_b, nomination_c):
    client = as_user(username)
    objects = {"a": nomination_a, "b": nomination_b, "c": nomination_c}
    listed = _all_ids(client, f"{API}/nominations/")
    for key, nomination in objects.items():
        visible = key in NOMINATION_SCOPES[username]
        assert (nomination.pk in listed) is visible, key
        response = client.get(f"{API}/nominations/{nomination.pk}/")
        assert response.status_code == (200 if visible else 404), key
        if visible:
            body = response.json()
            assert set(body) >= PERSONAL
            assert body["document_number"] == nomination.document_number


def test_out_of_scope_nomination_is_404_for_every_action(as_user, nomination_c, cash, media):
    client = as_user("commission")
    base = f"{API}/nominations/{nomination_c.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert _decide(client, nomination_c, _approval(cash, 100_000)).status_code == 404
    for action, data in [
        ("comment", {"text": "Salom"}),
        ("pay", {"paid_on": _today().isoformat(), "reference": "PP"}),
        ("reverse", {"reason": "Xato"}),
    ]:
        assert client.post(f"{base}/{action}/", data, format="json").status_code == 404
    evidence = client.post(f"{base}/evidence/add/", {"files": [_pdf()]}, format="multipart")
    assert evidence.status_code == 404
    nomination_c.refresh_from_db()
    assert nomination_c.state == Nomination.State.SUBMITTED
    assert not nomination_c.evidence.exists()
    assert not nomination_c.comments.exists()


def test_ids_in_urls_are_numeric(as_user):
    client = as_user("admin")
    assert client.get(f"{API}/nominations/submit/").status_code == 405
    assert client.get(f"{API}/nominations/abc/").status_code == 404


def test_ngo_staff_who_nominated_sees_it_without_personal_data(
    as_user, mahalla_a, prevention, media
):
    # given
    client = as_user("ngo.staff")
    before = _reads()
    # when
    response = client.post(
        f"{API}/nominations/submit/",
        _submit_payload(mahalla_a, prevention, files=[_pdf()]),
        format="multipart",
    )
    # then: submitted and stored with the citizen's details ...
    assert response.status_code == 201, response.content
    body = response.json()
    nomination = Nomination.objects.get(pk=body["id"])
    assert (nomination.full_name, nomination.document_number) == ("Aliyev Vali", "AA1234567")
    assert nomination.commission.level == "district"
    # ... which are never shown back to the organisation's staff, in any response
    assert not PERSONAL & set(body)
    assert body["kind"] == "citizen"
    # the evidence of a citizen's case may show the person: it follows the same rule
    assert body["evidence"] == []
    assert NominationEvidence.objects.get(nomination=nomination).content_type == "application/pdf"
    evidence = NominationEvidence.objects.get(nomination=nomination)
    file_url = f"{API}/nominations/{nomination.pk}/evidence/{evidence.pk}/"
    assert client.get(file_url).status_code == 404
    detail = client.get(f"{API}/nominations/{nomination.pk}/").json()
    assert not PERSONAL & set(detail)
    rows = _results(client.get(f"{API}/nominations/"))
    assert nomination.pk in {row["id"] for row in rows}
    assert not any(PERSONAL & set(row) for row in rows)
    assert _reads() == before
    # the commission member sees them, and the read is logged
    member = as_user("commission")
    member_view = member.get(f"{API}/nominations/{nomination.pk}/").json()
    assert member_view["full_name"] == "Aliyev Vali"
    assert member_view["evidence"][0]["content_type"] == "application/pdf"
    assert member.get(file_url).status_code == 200
    assert member_view["phone"] == "+998 90 123 45 67"
    assert _reads() == before + 1


def test_organisation_nominee_shows_the_organisation_to_all_who_see_it(
    as_user, mahalla_a, prevention, org_a
):
    payload = _submit_payload(mahalla_a, prevention, kind="organisation", organisation=org_a.pk)
    response = as_user("ngo.staff").post(f"{API}/nominations/submit/", payload, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["organisation"] == {"id": org_a.pk, "name": org_a.name}
    before = _reads()
    body = as_user("commission").get(f"{API}/nominations/{pk}/").json()
    assert body["organisation"] == {"id": org_a.pk, "name": org_a.name}
    # no personal data to show, nothing logged; the citizen's fields given were not kept
    assert not PERSONAL & set(body)
    assert _reads() == before
    assert Nomination.objects.get(pk=pk).full_name == ""


def test_commission_member_reads_are_logged_one_row_per_nomination_shown(
    as_user, demo_user, submit
):
    # given
    for number in range(301, 304):
        submit(number)
    member = demo_user("commission")
    before = set(PersonalDataRead.objects.values_list("pk", flat=True))
    # when
    rows = _results(as_user("commission").get(f"{API}/nominations/", {"page_size": 3}))
    # then
    assert len(rows) == 3
    assert all(set(row) >= PERSONAL for row in rows)
    reads = PersonalDataRead.objects.exclude(pk__in=before)
    assert sorted(reads.values_list("object_id", flat=True)) == sorted(r["id"] for r in rows)
    assert {(read.user_id, read.via) for read in reads} == {(member.pk, "api")}
    assert {read.content_type.model for read in reads} == {"nomination"}
    assert sorted(reads.values_list("territory_id", flat=True)) == sorted(
        r["mahalla"] for r in rows
    )


def test_council_and_anonymous_never_get_personal_data(as_user, nomination_a):
    council = as_user("council")
    assert _results(council.get(f"{API}/nominations/")) == []
    assert _results(council.get(f"{API}/awards/")) == []
    assert council.get(f"{API}/nominations/{nomination_a.pk}/").status_code == 404
    assert _results(council.get(f"{API}/social-cases/")) == []
    for row in _results(council.get(f"{API}/award-register/", {"page_size": 200})):
        assert set(row) == {"id", "name", "ground", "incentive_type", "month", "region"}
    council.logout()
    assert as_user(None).get(f"{API}/nominations/").status_code == 403
    for row in _results(as_user(None).get(f"{API}/award-register/", {"page_size": 200})):
        assert set(row) == {"id", "name", "ground", "incentive_type", "month", "region"}
        assert set(row["ground"]) == set(row["incentive_type"]) == {"code", "name"}


def test_nomination_filters(as_user, nomination_a, nomination_c, prevention):
    client = as_user("officer.district")
    assert nomination_c.pk in _all_ids(client, f"{API}/nominations/", {"level": "region"})
    assert nomination_a.pk not in _all_ids(client, f"{API}/nominations/", {"level": "region"})
    ids = _all_ids(client, f"{API}/nominations/", {"territory": nomination_a.mahalla_id})
    assert {nomination_a.pk, nomination_c.pk} <= ids
    assert client.get(f"{API}/nominations/", {"state": "nonsense"}).status_code == 400
    # a commission out of the user's scope is refused like an unknown one
    republic = Commission.objects.get(level="republic")
    assert client.get(f"{API}/nominations/", {"commission": republic.pk}).status_code == 400


# --- Submitting -----------------------------------------------------------------------------


def test_submit_deciding_paying_and_the_public_register(as_user, mahalla_a, prevention, cash, fund):
    # given: two citizens nominated, one consenting to publication
    inspector = as_user("inspector")
    consenting = inspector.post(
        f"{API}/nominations/submit/",
        _submit_payload(mahalla_a, prevention, consent_to_publish=True),
        format="json",
    )
    assert consenting.status_code == 201, consenting.content
    assert consenting.json()["state"] == "submitted"
    assert consenting.json()["commission_level"] == "district"
    discreet = inspector.post(
        f"{API}/nominations/submit/",
        _submit_payload(mahalla_a, prevention, full_name="Yashirin Shaxs", document_number="AC1"),
        format="json",
    )
    assert discreet.status_code == 201, discreet.content
    committed = _committed(fund)
    member = as_user("commission")
    # when: both approved, the first one paid
    for body, amount in [(consenting.json(), 600_000), (discreet.json(), 500_000)]:
        nomination = Nomination.objects.get(pk=body["id"])
        reason = {"reason": "Dalillar kam."} if amount < 600_000 else {}
        response = _decide(member, nomination, _approval(cash, amount, **reason))
        assert response.status_code == 200, response.content
        assert (response.json()["state"], response.json()["amount"]) == ("approved", amount)
        assert response.json()["fund"] == fund.pk
    assert _committed(fund) == committed + 1_100_000
    paid = member.post(
        f"{API}/nominations/{consenting.json()['id']}/pay/",
        {"paid_on": _today().isoformat(), "reference": "PP-900"},
        format="json",
    )
    assert paid.status_code == 200, paid.content
    assert (paid.json()["state"], paid.json()["payment_reference"]) == ("paid", "PP-900")
    # then: both in the public register, by name only with consent, nothing else shown
    register = _results(as_user(None).get(f"{API}/award-register/", {"page_size": 200}))
    rows = {row["id"]: row for row in register}
    entry = {
        "ground": {"code": "prevention", "name": prevention.name_en},
        "incentive_type": {"code": "cash", "name": "Cash bonus"},
        "month": _today().strftime("%Y-%m"),
        "region": Territory.objects.get(code="1726").name_en,
    }
    assert rows[consenting.json()["id"]] == {
        "id": consenting.json()["id"],
        "name": "Aliyev Vali",
        **entry,
    }
    assert rows[discreet.json()["id"]] == {
        "id": discreet.json()["id"],
        "name": f"A resident of {mahalla_a.name_en}",
        **entry,
    }


def test_award_register_filters_and_detail(as_user, submit, demo_user, cash, mahalla_b):
    member = demo_user("commission")
    award = nomination_approve(
        nomination=submit(401, amount=300_000, consent_to_publish=True),
        by=member,
        incentive_type=cash,
        amount=300_000,
        decision_number="K-401",
        decision_date=_today(),
    )
    client = as_user(None)
    tashkent = Territory.objects.get(code="1726")
    andijan = Territory.objects.get(code="1703")
    assert award.pk in _all_ids(client, f"{API}/award-register/", {"region": tashkent.pk})
    assert award.pk not in _all_ids(client, f"{API}/award-register/", {"region": andijan.pk})
    this_month = {"year": _today().year, "month": _today().month}
    assert award.pk in _all_ids(client, f"{API}/award-register/", this_month)
    # only regions filter the register
    assert client.get(f"{API}/award-register/", {"region": mahalla_b.pk}).status_code == 400
    detail = client.get(f"{API}/award-register/{award.pk}/")
    assert detail.json()["name"] == "Sinov Shaxs 401"
    # a nomination not yet decided is not in the register
    assert client.get(f"{API}/award-register/{submit(402).pk}/").status_code == 404


def test_duplicate_submission_is_refused_and_only_one_row_kept(as_user, mahalla_a, prevention):
    client = as_user("inspector")
    payload = _submit_payload(mahalla_a, prevention)
    first = client.post(f"{API}/nominations/submit/", payload, format="json")
    assert first.status_code == 201, first.content
    # the same document written differently is the same person
    again = client.post(
        f"{API}/nominations/submit/", {**payload, "document_number": "aa 1234567"}, format="json"
    )
    assert again.status_code == 400
    assert "already been nominated" in again.json()["detail"]
    # in the caller's scope, the earlier nomination is named by id
    assert again.json()["duplicate"] == str(first.json()["id"])
    assert again.json()["field"] == "document_number"
    person_key = Nomination.objects.get(pk=first.json()["id"]).person_key
    assert Nomination.objects.filter(person_key=person_key).count() == 1


def test_duplicate_out_of_scope_does_not_name_the_earlier_nomination(
    as_user, mahalla_a, prevention
):
    payload = _submit_payload(mahalla_a, prevention)
    earlier = as_user("inspector").post(f"{API}/nominations/submit/", payload, format="json")
    assert earlier.status_code == 201
    response = as_user("ngo.staff").post(f"{API}/nominations/submit/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "This person has already been nominated for this event and ground.",
        "field": "document_number",
    }
    person_key = Nomination.objects.get(pk=earlier.json()["id"]).person_key
    assert Nomination.objects.filter(person_key=person_key).count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"proposed_amount": "abc"}, "proposed_amount", "whole number"),
        ({"proposed_amount": 12.5}, "proposed_amount", "whole number"),
        ({"proposed_amount": -5}, "proposed_amount", "cannot be negative"),
        ({"proposed_amount": 10**15}, "proposed_amount", "more than any fund"),
        ({"ground": 999_999}, "ground", "no ground for an incentive in use with id 999999"),
        ({"ground": "prevention"}, "ground", "numeric id"),
        ({"ground": {"id": 1}}, "ground", "numeric id"),
        ({"kind": "robot"}, "kind", "not a valid choice"),
        ({"event_date": "yesterday"}, "event_date", "wrong format"),
        ({"mahalla": "x"}, "mahalla", "numeric id"),
        ({"facts": ""}, "facts", "blank"),
        ({"birth_date": "2999-01-01"}, "birth_date", "in the past"),
        ({"document_number": ""}, "document_number", "document number is needed"),
        ({"kind": "organisation"}, "organisation", "organisation to reward"),
        ({"organisation": 999_999, "kind": "organisation"}, "organisation", "no verified"),
    ],
)
def test_submit_refuses_bad_input_clearly(as_user, mahalla_a, prevention, change, field, message):
    before = Nomination.objects.count()
    response = as_user("inspector").post(
        f"{API}/nominations/submit/",
        _submit_payload(mahalla_a, prevention, **change),
        format="json",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    if "detail" in body:  # a service refusal names its field
        assert body["field"] == field
        assert message in body["detail"]
    else:
        assert message in " ".join(map(str, body[field]))
    assert Nomination.objects.count() == before


def test_submit_in_a_mahalla_outside_the_territory(as_user, mahalla_b, prevention):
    before = Nomination.objects.count()
    response = as_user("inspector").post(
        f"{API}/nominations/submit/", _submit_payload(mahalla_b, prevention), format="json"
    )
    assert response.status_code == 400
    assert response.json()["mahalla"] == [
        f"There is no such mahalla for you (id {mahalla_b.pk}): choose one of your territory."
    ]
    assert Nomination.objects.count() == before


def test_submit_above_every_cap_is_refused(as_user, mahalla_a, prevention):
    republic_cap = amount_cap(ground=prevention, gravity="", level="republic", day=_today())
    response = as_user("inspector").post(
        f"{API}/nominations/submit/",
        _submit_payload(mahalla_a, prevention, proposed_amount=republic_cap + 1),
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"No commission can award {republic_cap + 1:,} so'm for this case.",
        "field": "proposed_amount",
    }


@pytest.mark.parametrize("username", ["council", "commission"])
def test_only_nominating_roles_submit(as_user, username, mahalla_a, prevention):
    before = Nomination.objects.count()
    response = as_user(username).post(
        f"{API}/nominations/submit/", _submit_payload(mahalla_a, prevention), format="json"
    )
    assert response.status_code == 403
    assert Nomination.objects.count() == before


def test_submit_refuses_an_executable_and_stores_nothing(as_user, mahalla_a, prevention, media):
    before = Nomination.objects.count()
    fake = SimpleUploadedFile("dalil.pdf", EXE, content_type="application/pdf")
    response = as_user("inspector").post(
        f"{API}/nominations/submit/",
        _submit_payload(mahalla_a, prevention, files=[_pdf(), fake]),
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "files"
    assert "not a photo" in response.json()["detail"]
    assert Nomination.objects.count() == before
    assert not [path for path in media.rglob("*") if path.is_file()]


# --- Deciding -------------------------------------------------------------------------------


def test_reduce_without_a_reason_changes_nothing(as_user, nomination_a, cash, fund):
    committed = _committed(fund)
    data = _approval(cash, 200_000, decision="reduce")
    response = _decide(as_user("commission"), nomination_a, data)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Give the reason for reducing the proposed amount.",
        "field": "reason",
    }
    _unchanged(nomination_a)
    assert _committed(fund) == committed


def test_reduce_needs_an_amount_below_the_proposed(as_user, nomination_a, cash, fund):
    committed = _committed(fund)
    data = _approval(cash, nomination_a.proposed_amount, decision="reduce", reason="Kam.")
    response = _decide(as_user("commission"), nomination_a, data)
    assert response.status_code == 400
    assert response.json()["field"] == "amount"
    assert "below the proposed 500,000 so'm" in response.json()["detail"]
    _unchanged(nomination_a)
    assert _committed(fund) == committed


def test_reduce_with_a_reason(as_user, nomination_a, cash, fund):
    committed = _committed(fund)
    data = _approval(cash, 200_000, decision="reduce", reason="Dalillar kam.")
    response = _decide(as_user("commission"), nomination_a, data)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["amount"], body["decision_reason"]) == (
        "approved",
        200_000,
        "Dalillar kam.",
    )
    assert _committed(fund) == committed + 200_000


def test_reject_needs_a_reason(as_user, nomination_a):
    client = as_user("commission")
    response = _decide(client, nomination_a, {"decision": "reject"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Give the reason for the refusal.", "field": "reason"}
    _unchanged(nomination_a)
    response = _decide(client, nomination_a, {"decision": "reject", "reason": "Asossiz."})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["decision_reason"]) == (
        "rejected",
        "Asossiz.",
    )


def test_decision_without_a_number_saves_nothing(as_user, nomination_a, cash, fund):
    committed = _committed(fund)
    response = _decide(
        as_user("commission"), nomination_a, _approval(cash, 500_000, decision_number="")
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Give the decision number.", "field": "decision_number"}
    _unchanged(nomination_a)
    assert _committed(fund) == committed


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (-1, "The amount cannot be negative."),
        (10**15, "more than any fund holds"),
        ("abc", "An amount is a whole number of so'm."),
        (None, "Give the amount."),
    ],
)
def test_bad_amounts_are_refused_and_nothing_saved(
    as_user, nomination_a, cash, fund, amount, message
):
    committed = _committed(fund)
    response = _decide(as_user("commission"), nomination_a, _approval(cash, amount))
    assert response.status_code == 400
    body = response.json()
    text = body["detail"] if "detail" in body else " ".join(body["amount"])
    assert message in text
    assert body.get("field", "amount") == "amount"
    _unchanged(nomination_a)
    assert _committed(fund) == committed


def test_amount_above_the_cap_is_refused_and_nothing_saved(
    as_user, submit, district_cap, cash, fund
):
    nomination = submit(501, amount=district_cap)
    committed = _committed(fund)
    response = _decide(as_user("commission"), nomination, _approval(cash, district_cap + 1))
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"{district_cap + 1:,} so'm is above the cap of {district_cap:,} so'm for "
        "this case at this level.",
        "field": "amount",
    }
    _unchanged(nomination)
    assert _committed(fund) == committed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"decision": None}, "decision"),
        ({"incentive_type": "cash"}, "incentive_type"),
        ({"incentive_type": 999_999}, "incentive_type"),
        ({"incentive_type": None}, "incentive_type"),
        ({"decision_date": "31.12.2024"}, "decision_date"),
        ({"decision_date": None}, "decision_date"),
        ({"decision_number": ["K", 1]}, "decision_number"),
    ],
)
def test_decide_refuses_wrong_types(as_user, nomination_a, cash, fund, change, field):
    committed = _committed(fund)
    data = {**_approval(cash, 500_000), **change}
    response = _decide(as_user("commission"), nomination_a, data)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body or body.get("field") == field
    _unchanged(nomination_a)
    assert _committed(fund) == committed


def test_decision_in_the_future_is_refused(as_user, nomination_a, cash):
    tomorrow = (_today() + timedelta(days=1)).isoformat()
    response = _decide(
        as_user("commission"), nomination_a, _approval(cash, 500_000, decision_date=tomorrow)
    )
    assert response.status_code == 400
    assert response.json()["field"] == "decision_date"
    _unchanged(nomination_a)


def test_payment_before_approval_is_refused(as_user, nomination_a):
    response = as_user("commission").post(
        f"{API}/nominations/{nomination_a.pk}/pay/",
        {"paid_on": _today().isoformat(), "reference": "PP-1"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Only an approved award can be paid."}
    nomination_a.refresh_from_db()
    assert (nomination_a.state, nomination_a.paid_on) == ("submitted", None)


@pytest.mark.parametrize("username", ["officer.district", "inspector", "officer.republic"])
def test_seeing_is_not_deciding(as_user, username, nomination_a, cash):
    client = as_user(username)
    assert client.get(f"{API}/nominations/{nomination_a.pk}/").json()["can_decide"] is False
    response = _decide(client, nomination_a, _approval(cash, 500_000))
    assert response.status_code == 403
    assert "Only members of the commission" in response.json()["detail"]
    comment = client.post(
        f"{API}/nominations/{nomination_a.pk}/comment/", {"text": "Salom"}, format="json"
    )
    assert comment.status_code == 403
    _unchanged(nomination_a)


def test_ngo_staff_cannot_decide_its_own_nomination(as_user, mahalla_a, prevention, cash):
    client = as_user("ngo.staff")
    pk = client.post(
        f"{API}/nominations/submit/", _submit_payload(mahalla_a, prevention), format="json"
    ).json()["id"]
    nomination = Nomination.objects.get(pk=pk)
    assert _decide(client, nomination, _approval(cash, 600_000)).status_code == 403
    _unchanged(nomination)


def test_forwarded_nomination_moves_to_the_region_commission(
    as_user, nomination_a, region_member, api_client
):
    # when
    response = _decide(as_user("commission"), nomination_a, {"decision": "forward"})
    # then: told where it went, without the personal data it no longer may read
    assert response.status_code == 200, response.content
    body = response.json()
    region = Commission.objects.get(level="region", territory__code="1726")
    assert (body["commission"], body["commission_level"], body["state"]) == (
        region.pk,
        "region",
        "submitted",
    )
    assert not PERSONAL & set(body)
    assert body["can_decide"] is False
    assert as_user("commission").get(f"{API}/nominations/{nomination_a.pk}/").status_code == 404
    # the region commission now has it and decides it
    api_client.force_login(region_member)
    detail = api_client.get(f"{API}/nominations/{nomination_a.pk}/").json()
    assert detail["can_decide"] is True
    assert detail["full_name"] == nomination_a.full_name
    nomination_a.refresh_from_db()
    assert nomination_a.commission == region


def test_comments_and_detail(as_user, nomination_a, demo_user):
    client = as_user("commission")
    response = client.post(
        f"{API}/nominations/{nomination_a.pk}/comment/", {"text": "  Tekshirildi.  "}, format="json"
    )
    assert response.status_code == 201, response.content
    member = demo_user("commission")
    assert response.json()["text"] == "Tekshirildi."
    assert response.json()["author"] == member.pk
    detail = client.get(f"{API}/nominations/{nomination_a.pk}/").json()
    assert [(c["text"], c["author_name"]) for c in detail["comments"]] == [
        ("Tekshirildi.", member.get_full_name())
    ]
    assert detail["can_decide"] is True
    blank = client.post(f"{API}/nominations/{nomination_a.pk}/comment/", {"text": ""})
    assert blank.status_code == 400


def test_paid_award_is_reversed_and_leaves_the_register(as_user, submit, demo_user, cash, fund):
    member = demo_user("commission")
    award = nomination_approve(
        nomination=submit(601, amount=400_000),
        by=member,
        incentive_type=cash,
        amount=400_000,
        decision_number="K-601",
        decision_date=_today(),
    )
    nomination_pay(nomination=award, by=member, paid_on=_today(), reference="PP-601")
    committed = _committed(fund)
    client = as_user("commission")
    url = f"{API}/nominations/{award.pk}/reverse/"
    assert client.post(url, {"reason": ""}, format="json").status_code == 400
    response = client.post(url, {"reason": "Soxta dalillar."}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["reversal_reason"]) == (
        "reversed",
        "Soxta dalillar.",
    )
    assert _committed(fund) == committed - 400_000
    assert award.pk not in _all_ids(as_user(None), f"{API}/award-register/")
    awards = _results(as_user("commission").get(f"{API}/awards/", {"state": "reversed"}))
    assert award.pk in {row["id"] for row in awards}


def test_awards_are_the_decided_nominations_newest_decision_first(as_user, submit, demo_user, cash):
    member = demo_user("commission")
    older = nomination_approve(
        nomination=submit(701, amount=100_000),
        by=member,
        incentive_type=cash,
        amount=100_000,
        decision_number="K-701",
        decision_date=_today() - timedelta(days=2),
    )
    newer = nomination_approve(
        nomination=submit(702, amount=100_000),
        by=member,
        incentive_type=cash,
        amount=100_000,
        decision_number="K-702",
        decision_date=_today(),
    )
    waiting = submit(703)
    rows = _results(as_user("commission").get(f"{API}/awards/", {"page_size": 200}))
    ids = [row["id"] for row in rows]
    assert ids.index(newer.pk) < ids.index(older.pk)
    assert waiting.pk not in ids
    assert {row["state"] for row in rows} <= {"approved", "paid", "reversed"}
    assert [row["decision_date"] for row in rows] == sorted(
        (row["decision_date"] for row in rows), reverse=True
    )
    # personal data with every citizen, none with an organisation
    assert all((set(row) >= PERSONAL) is (row["kind"] == "citizen") for row in rows)
    assert not any(PERSONAL & set(row) for row in rows if row["kind"] == "organisation")


def test_ngo_staff_sees_its_award_without_personal_data(
    as_user, mahalla_a, prevention, cash, api_client
):
    pk = (
        as_user("ngo.staff")
        .post(f"{API}/nominations/submit/", _submit_payload(mahalla_a, prevention), format="json")
        .json()["id"]
    )
    approved = _decide(
        as_user("commission"), Nomination.objects.get(pk=pk), _approval(cash, 600_000)
    )
    assert approved.status_code == 200
    rows = {row["id"]: row for row in _results(as_user("ngo.staff").get(f"{API}/awards/"))}
    assert rows[pk]["amount"] == 600_000
    assert set(rows) == set(
        Nomination.objects.filter(
            nominated_by__username="ngo.staff", state__in=["approved", "paid", "reversed"]
        ).values_list("pk", flat=True)
    )
    assert not any(PERSONAL & set(row) for row in rows.values())


# --- Evidence -------------------------------------------------------------------------------


def test_evidence_added_listed_and_downloaded_in_scope(as_user, nomination_a, media, demo_user):
    # the inspector who nominated adds a file
    response = as_user("inspector").post(
        f"{API}/nominations/{nomination_a.pk}/evidence/add/",
        {"files": [_pdf("surat.pdf")]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    [evidence] = response.json()["evidence"]
    stored = NominationEvidence.objects.get(nomination=nomination_a)
    assert evidence["id"] == stored.pk
    assert evidence["url"].endswith(f"/api/v1/nominations/{nomination_a.pk}/evidence/{stored.pk}/")
    # the commission downloads it; someone out of scope cannot
    download = as_user("commission").get(evidence["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].endswith(
        f'nomination-{nomination_a.pk}-{stored.pk}.pdf"'
    )
    assert as_user("council").get(evidence["url"]).status_code == 404
    wrong_parent = f"{API}/nominations/{nomination_a.pk + 1}/evidence/{stored.pk}/"
    assert as_user("commission").get(wrong_parent).status_code == 404


def test_evidence_add_needs_files_and_a_right(as_user, nomination_a, media):
    url = f"{API}/nominations/{nomination_a.pk}/evidence/add/"
    assert as_user("commission").post(url, {}, format="multipart").status_code == 400
    response = as_user("officer.district").post(url, {"files": [_pdf()]}, format="multipart")
    assert response.status_code == 403
    assert not nomination_a.evidence.exists()


def test_evidence_only_while_under_review(as_user, nomination_a, media, cash):
    client = as_user("commission")
    _decide(client, nomination_a, {"decision": "reject", "reason": "Asossiz."})
    response = client.post(
        f"{API}/nominations/{nomination_a.pk}/evidence/add/",
        {"files": [_pdf()]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "files"
    assert not nomination_a.evidence.exists()


# --- Social protection ----------------------------------------------------------------------


def _case_payload(mahalla, **extra) -> dict:
    return {
        "full_name": "Jabrlangan Fuqaro",
        "document_number": "AD5555555",
        "mahalla": mahalla.pk,
        "event_date": (_today() - timedelta(days=10)).isoformat(),
        "harm": "Jinoyatchini ushlashda jarohatlandi.",
        "phone": "+998 93 000 00 00",
        **extra,
    }


@pytest.fixture
def case_a(demo_user, mahalla_a) -> SocialProtectionCase:
    return social_case_open(
        by=demo_user("inspector"),
        full_name="Sinov Jabrlanuvchi",
        document_number="AE1000001",
        mahalla=mahalla_a,
        event_date=_today() - timedelta(days=8),
        harm="Jarohat.",
    )


def test_social_case_open_decide_pay(as_user, mahalla_a, fund, demo_user):
    # opened by the inspector, with its personal data shown and the read logged
    before = _reads()
    opened = as_user("inspector").post(
        f"{API}/social-cases/open/", _case_payload(mahalla_a), format="json"
    )
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert (body["full_name"], body["state"], body["commission_level"]) == (
        "Jabrlangan Fuqaro",
        "open",
        "district",
    )
    assert _reads() == before + 1
    pk = body["id"]
    committed = _committed(fund)
    member = as_user("commission")
    url = f"{API}/social-cases/{pk}/decide/"
    # support needs its kind and date; nothing saved without them
    missing = member.post(url, {"decision": "support"}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {
        "support": ["Choose the support."],
        "decision_date": ["Give the decision date."],
    }
    decided = member.post(
        url,
        {
            "decision": "support",
            "support": "treatment",
            "amount": 700_000,
            "decision_number": "SH-1",
            "decision_date": _today().isoformat(),
            "details": "Davolanish xarajatlari.",
        },
        format="json",
    )
    assert decided.status_code == 200, decided.content
    assert (decided.json()["state"], decided.json()["amount"], decided.json()["fund"]) == (
        "decided",
        700_000,
        fund.pk,
    )
    assert _committed(fund) == committed + 700_000
    paid = member.post(
        f"{API}/social-cases/{pk}/pay/",
        {"paid_on": _today().isoformat(), "reference": "PP-SH-1"},
        format="json",
    )
    assert paid.status_code == 200, paid.content
    assert paid.json()["state"] == "paid"


def test_social_case_refusal_needs_a_reason(as_user, case_a):
    client = as_user("commission")
    url = f"{API}/social-cases/{case_a.pk}/decide/"
    response = client.post(url, {"decision": "reject"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Give the reason for the refusal.", "field": "reason"}
    case_a.refresh_from_db()
    assert case_a.state == SocialProtectionCase.State.OPEN
    response = client.post(url, {"decision": "reject", "reason": "Asossiz."}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "rejected"


def test_social_case_payment_before_a_decision_is_refused(as_user, case_a):
    response = as_user("commission").post(
        f"{API}/social-cases/{case_a.pk}/pay/",
        {"paid_on": _today().isoformat(), "reference": "PP"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Only decided support can be paid."}


SOCIAL_SCOPES = {
    "admin": True,
    "officer.region": True,
    "officer.district": True,
    "inspector": True,
    "commission": True,
    "council": False,
    "ngo.staff": False,
}


@pytest.mark.parametrize("username", SOCIAL_SCOPES)
def test_social_case_scope_and_logged_reads(as_user, demo_user, username, case_a):
    client = as_user(username)
    before = set(PersonalDataRead.objects.values_list("pk", flat=True))
    rows = _results(client.get(f"{API}/social-cases/", {"page_size": 200}))
    ids = [row["id"] for row in rows]
    assert (case_a.pk in ids) is SOCIAL_SCOPES[username]
    detail = client.get(f"{API}/social-cases/{case_a.pk}/")
    assert detail.status_code == (200 if SOCIAL_SCOPES[username] else 404)
    reads = PersonalDataRead.objects.exclude(pk__in=before)
    if SOCIAL_SCOPES[username]:
        assert detail.json()["document_number"] == "AE1000001"
        # the page's rows, and the detail once more
        assert sorted(reads.values_list("object_id", flat=True)) == sorted([*ids, case_a.pk])
        assert {r.user_id for r in reads} == {demo_user(username).pk}
        assert {r.content_type.model for r in reads} == {"socialprotectioncase"}
    else:
        assert not reads.exists()


@pytest.mark.parametrize("username", ["officer.district", "inspector"])
def test_seeing_a_social_case_is_not_deciding_it(as_user, username, case_a):
    response = as_user(username).post(
        f"{API}/social-cases/{case_a.pk}/decide/",
        {"decision": "reject", "reason": "Asossiz."},
        format="json",
    )
    assert response.status_code == 403
    case_a.refresh_from_db()
    assert case_a.state == SocialProtectionCase.State.OPEN


def test_social_case_open_is_for_mia_and_commissions_in_their_territory(
    as_user, mahalla_a, mahalla_b
):
    before = SocialProtectionCase.objects.count()
    refused = as_user("ngo.staff").post(
        f"{API}/social-cases/open/", _case_payload(mahalla_a), format="json"
    )
    assert refused.status_code == 403
    elsewhere = as_user("commission").post(
        f"{API}/social-cases/open/", _case_payload(mahalla_b), format="json"
    )
    assert elsewhere.status_code == 400
    assert "no such mahalla for you" in elsewhere.json()["mahalla"][0]
    assert SocialProtectionCase.objects.count() == before


# --- Query counts ---------------------------------------------------------------------------
# Session, user, memberships, then the page (and its prefetches), and the one insert of the
# read log where personal data is shown: the same for any page size.


@pytest.fixture
def many(submit, demo_user, cash, mahalla_a):
    """Enough nominations, awards and social cases for pages of several sizes."""
    member = demo_user("commission")
    for number in range(801, 809):
        nomination = submit(number, amount=100_000)
        if number % 2:
            nomination_approve(
                nomination=nomination,
                by=member,
                incentive_type=cash,
                amount=100_000,
                decision_number=f"K-{number}",
                decision_date=_today(),
            )
        social_case_open(
            by=member,
            full_name=f"Jabrlanuvchi {number}",
            document_number=f"AF{number}",
            mahalla=mahalla_a,
            event_date=_today() - timedelta(days=1),
            harm="Jarohat.",
        )
    for model in (Nomination, SocialProtectionCase):
        ContentType.objects.get_for_model(model)  # the content-type cache is per process


LIST_QUERIES = {
    # resource: (user, queries, the two page sizes)
    "incentive-grounds": ("commission", 3, (2, 5)),
    "incentive-types": ("commission", 3, (2, 5)),
    "amount-rules": ("commission", 3, (3, 20)),  # the cap's BCV is a subquery of the page
    "bcv": ("commission", 3, (1, 3)),
    "commissions": ("admin", 4, (1, 3)),
    "funds": ("admin", 4, (1, 3)),
    "nominations": ("commission", 5, (2, 8)),  # ... and the read log
    "awards": ("commission", 5, (2, 4)),  # ... and the read log
    "social-cases": ("commission", 5, (2, 8)),  # ... and the read log
}


@pytest.mark.parametrize("size", [0, 1])
@pytest.mark.parametrize("resource", LIST_QUERIES)
def test_list_query_count_is_fixed(as_user, django_assert_num_queries, many, resource, size):
    username, queries, sizes = LIST_QUERIES[resource]
    client = as_user(username)
    with django_assert_num_queries(queries):
        rows = _results(client.get(f"{API}/{resource}/", {"page_size": sizes[size]}))
    assert len(rows) == sizes[size]


@pytest.mark.parametrize("page_size", [2, 5])
def test_award_register_query_count_is_fixed(
    api_client, django_assert_num_queries, many, page_size
):
    # The page alone: nobody to look up, nothing personal to log.
    with django_assert_num_queries(1):
        rows = _results(api_client.get(f"{API}/award-register/", {"page_size": page_size}))
    assert len(rows) == page_size


def test_nomination_detail_query_count(as_user, django_assert_num_queries, many, nomination_a):
    client = as_user("commission")
    # session, user, memberships, the nomination, its evidence, its comments, the decision
    # right, and the read log
    with django_assert_num_queries(8):
        response = client.get(f"{API}/nominations/{nomination_a.pk}/")
    assert response.status_code == 200


# --- Schema ---------------------------------------------------------------------------------


def test_the_openapi_schema_is_valid_without_warnings(tmp_path):
    call_command(
        "spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "schema.yaml")
    )
    schema = (tmp_path / "schema.yaml").read_text()
    for path in (
        "/api/v1/award-register/",
        "/api/v1/nominations/{id}/decide/",
        "/api/v1/social-cases/open/",
        "/api/v1/amount-rules/",
    ):
        assert path in schema
