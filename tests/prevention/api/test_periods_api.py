"""The period approval API (prevention.api.periods): the reads scoped to the caller's MIA
territory, and one endpoint per action. Out of scope is a 404, the wrong level a 403, a
refusal of the service a 400 with its message, and nothing is saved on any of them."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from accounts.models import Notification
from mahalla.models import Territory
from prevention.models import PeriodApproval
from prevention.services import month_start, period_submit

# The demo approves every month before last: these tests start from none.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_period_approvals")]

API = "/api/v1/periods"
YUNUSOBOD, TASHKENT, ANDIJON = "1726266", "1726", "1703"
State = PeriodApproval.State


@pytest.fixture
def as_user(api_client, demo_user):
    """Signs the API client in as a demo account (or anonymous for None); answers in English."""

    def login(username: str | None):
        api_client.logout()
        if username is not None:
            api_client.force_login(demo_user(username))
        api_client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return api_client

    return login


@pytest.fixture
def month():
    """The previous month, as a district submits it after its end."""
    return month_start(month_start(timezone.localdate()) - timedelta(days=1))


@pytest.fixture
def label(month) -> str:
    return f"{month:%Y-%m}"


@pytest.fixture
def district(db) -> Territory:
    return Territory.objects.get(code=YUNUSOBOD)


@pytest.fixture
def region(db) -> Territory:
    return Territory.objects.get(code=TASHKENT)


@pytest.fixture
def region_districts(region) -> list[Territory]:
    return list(region.children.filter(kind=Territory.Kind.DISTRICT).order_by("path"))


@pytest.fixture
def elsewhere(db) -> Territory:
    """A district of Andijon region, outside the Tashkent officers' territory."""
    return (
        Territory.objects.filter(kind=Territory.Kind.DISTRICT, parent__code=ANDIJON)
        .order_by("code")
        .first()
    )


def _rows(*, month, state, districts) -> None:
    PeriodApproval.objects.bulk_create(
        [PeriodApproval(district=d, month=month, state=state) for d in districts]
    )


def _state(district, month) -> str | None:
    row = PeriodApproval.objects.filter(district=district, month=month).first()
    return row.state if row else None


def _post(client, action: str, payload: dict):
    # The notifications of a return are sent once the action's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"{API}/{action}/", payload, format="json")


# --- Submit ---------------------------------------------------------------------------------


def test_the_district_officer_submits_and_gets_the_period(as_user, demo_user, district, label):
    # when
    response = _post(
        as_user("officer.district"), "submit", {"district": district.pk, "month": label}
    )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    period = PeriodApproval.objects.get(district=district)
    assert body["id"] == period.pk
    assert (body["district"], body["region"], body["month"]) == (
        district.pk,
        district.parent_id,
        label,
    )
    assert (body["state"], body["locked"]) == ("submitted", True)
    assert body["changed_by"] == demo_user("officer.district").pk
    assert body["changed_by_name"] == "Jasur Aliyev"
    assert [(e["state"], e["changed_by"]) for e in body["history"]] == [
        ("submitted", demo_user("officer.district").pk)
    ]


@pytest.mark.parametrize(
    ("username", "status"),
    [
        # in the territory, at another level
        ("officer.region", 403),
        ("officer.republic", 403),
        # outside the MIA subtree: the district does not exist for them
        ("inspector", 404),
        ("council", 404),
        ("commission", 404),
        ("ngo.staff", 404),
    ],
)
def test_submit_by_anyone_else_is_refused(as_user, district, label, username, status):
    response = _post(as_user(username), "submit", {"district": district.pk, "month": label})
    assert response.status_code == status, response.content
    assert not PeriodApproval.objects.filter(district=district).exists()


def test_anonymous_calls_are_refused(as_user, district, label):
    client = as_user(None)
    for action in ("submit", "reopen", "approve", "accept", "return"):
        response = _post(client, action, {"district": district.pk, "month": label})
        assert response.status_code in (401, 403)
    assert client.get(f"{API}/").status_code in (401, 403)
    assert not PeriodApproval.objects.exists()


def test_a_district_out_of_scope_or_not_a_district_is_404(as_user, district, elsewhere, label):
    client = as_user("officer.district")
    mahalla = district.children.order_by("code").first()
    for place in (elsewhere, mahalla, district.parent):
        response = _post(client, "submit", {"district": place.pk, "month": label})
        assert response.status_code == 404, place
    assert not PeriodApproval.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"month": "LABEL"}, "district"),
        ({"district": "DISTRICT"}, "month"),
        ({"district": "DISTRICT", "month": "2026-13"}, "month"),
        ({"district": "DISTRICT", "month": "2026-05-01"}, "month"),
        ({"district": "DISTRICT", "month": "May"}, "month"),
        ({"district": 10**20, "month": "LABEL"}, "district"),
        ({"district": "x", "month": "LABEL"}, "district"),
    ],
)
def test_bad_input_is_400(as_user, district, label, payload, field):
    values = {"DISTRICT": district.pk, "LABEL": label}
    payload = {key: values.get(value, value) for key, value in payload.items()}
    response = _post(as_user("officer.district"), "submit", payload)
    assert response.status_code == 400, response.content
    assert response.json()[field]
    assert not PeriodApproval.objects.exists()


def test_service_refusals_are_400_with_the_message(as_user, district, label):
    client = as_user("officer.district")
    next_month = month_start(timezone.localdate()) + timedelta(days=32)
    response = _post(client, "submit", {"district": district.pk, "month": f"{next_month:%Y-%m}"})
    assert response.status_code == 400
    assert response.json()["detail"] == "A month that has not begun cannot be submitted."
    assert _post(client, "submit", {"district": district.pk, "month": label}).status_code == 200
    response = _post(client, "submit", {"district": district.pk, "month": label})
    assert response.status_code == 400
    assert response.json()["detail"] == "Only an open month can be submitted."


# --- Reopen ---------------------------------------------------------------------------------


def test_reopen_with_a_reason(as_user, demo_user, district, month, label):
    # given
    period_submit(district=district, month=month, by=demo_user("officer.district"))
    client = as_user("officer.district")
    payload = {"district": district.pk, "month": label}
    # when without a reason, or a blank one
    for extra in ({}, {"reason": "  "}):
        response = _post(client, "reopen", {**payload, **extra})
        assert response.status_code == 400
        assert response.json()["reason"]
    assert _state(district, month) == State.SUBMITTED
    # when by the region
    response = _post(as_user("officer.region"), "reopen", {**payload, "reason": "Xato."})
    assert response.status_code == 403
    # when with one
    response = _post(as_user("officer.district"), "reopen", {**payload, "reason": "Xato topildi."})
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["locked"], body["message"]) == ("open", False, "Xato topildi.")
    assert [(e["state"], e["message"]) for e in body["history"]] == [
        ("open", "Xato topildi."),
        ("submitted", ""),
    ]
    # and a second reopen has nothing to take back
    response = _post(client, "reopen", {**payload, "reason": "Yana."})
    assert response.status_code == 400
    assert "Only a submitted month can be reopened" in response.json()["detail"]


# --- Approve --------------------------------------------------------------------------------


def test_the_region_approves_once_all_its_districts_submitted(
    as_user, demo_user, district, region_districts, month, label
):
    # given Yunusobod submitted, the others open
    period_submit(district=district, month=month, by=demo_user("officer.district"))
    client = as_user("officer.region")
    payload = {"district": district.pk, "month": label}
    # when
    response = _post(client, "approve", payload)
    # then
    assert response.status_code == 400
    assert response.json()["detail"].startswith("11 district")
    assert _state(district, month) == State.SUBMITTED
    # when the others submit
    _rows(
        month=month,
        state=State.SUBMITTED,
        districts=[d for d in region_districts if d != district],
    )
    response = _post(client, "approve", payload)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "approved"
    assert response.json()["history"][0]["changed_by"] == demo_user("officer.region").pk


@pytest.mark.parametrize(
    ("username", "status"),
    [("officer.district", 403), ("officer.republic", 403), ("inspector", 404), ("council", 404)],
)
def test_approve_by_another_level_is_refused(
    as_user, district, region_districts, month, label, username, status
):
    _rows(month=month, state=State.SUBMITTED, districts=region_districts)
    response = _post(as_user(username), "approve", {"district": district.pk, "month": label})
    assert response.status_code == status
    assert _state(district, month) == State.SUBMITTED


def test_a_region_officer_elsewhere_gets_404(api_client, officer_of, district, region, label):
    api_client.force_login(officer_of(ANDIJON))
    response = _post(api_client, "approve", {"district": district.pk, "month": label})
    assert response.status_code == 404
    response = _post(api_client, "approve", {"region": region.pk, "month": label})
    assert response.status_code == 404
    assert not PeriodApproval.objects.exists()


def test_bulk_approval_of_a_region(as_user, district, region, region_districts, month, label):
    client = as_user("officer.region")
    # given one district still open
    _rows(month=month, state=State.SUBMITTED, districts=region_districts[1:])
    # when
    response = _post(client, "approve", {"region": region.pk, "month": label})
    # then each district is refused, with its name
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["done"] == 0
    assert len(body["refused"]) == 12
    assert body["refused"][0].startswith(f"{region_districts[0].name_en}: ")
    assert all("has not submitted yet" in line for line in body["refused"][1:])
    # when it submits
    _rows(month=month, state=State.SUBMITTED, districts=region_districts[:1])
    response = _post(client, "approve", {"region": region.pk, "month": label})
    assert response.json() == {"done": 12, "refused": []}
    assert {_state(d, month) for d in region_districts} == {State.APPROVED}


def test_bulk_approval_of_listed_districts(as_user, district, region_districts, elsewhere, month):
    label = f"{month:%Y-%m}"
    client = as_user("officer.region")
    _rows(month=month, state=State.SUBMITTED, districts=region_districts[:-1])
    chosen = [region_districts[0].pk, region_districts[-1].pk]
    # when one of them lies outside the territory: nothing is done
    response = _post(client, "approve", {"districts": [*chosen, elsewhere.pk], "month": label})
    assert response.status_code == 404
    assert _state(region_districts[0], month) == State.SUBMITTED
    # when all are in it
    _rows(month=month, state=State.SUBMITTED, districts=region_districts[-1:])
    response = _post(client, "approve", {"districts": chosen, "month": label})
    assert response.json() == {"done": 2, "refused": []}
    assert _state(region_districts[0], month) == State.APPROVED
    assert _state(region_districts[1], month) == State.SUBMITTED


@pytest.mark.parametrize(
    "names", [(), ("district", "region"), ("district", "districts"), ("districts", "region")]
)
def test_approve_takes_exactly_one_of_district_districts_region(
    as_user, district, region, month, names
):
    values = {"district": district.pk, "districts": [district.pk], "region": region.pk}
    payload = {name: values[name] for name in names}
    response = _post(as_user("officer.region"), "approve", {**payload, "month": f"{month:%Y-%m}"})
    assert response.status_code == 400
    assert response.json()["district"] == ["Give exactly one of district, districts or region."]


def test_bulk_approval_by_the_wrong_level_is_403(as_user, region, region_districts, month, label):
    _rows(month=month, state=State.SUBMITTED, districts=region_districts)
    for username, action in [("officer.republic", "approve"), ("officer.region", "accept")]:
        response = _post(as_user(username), action, {"region": region.pk, "month": label})
        assert response.status_code == 403
        ids = [d.pk for d in region_districts]
        response = _post(as_user(username), action, {"districts": ids, "month": label})
        assert response.status_code == 403
    assert {_state(d, month) for d in region_districts} == {State.SUBMITTED}


# --- Accept ---------------------------------------------------------------------------------


def test_the_republic_accepts_once_the_whole_country_is_approved(
    as_user, district, region, region_districts, month, label
):
    # given every district approved but one of Tashkent's, submitted
    districts = list(Territory.objects.filter(kind=Territory.Kind.DISTRICT))
    last = region_districts[-1]
    _rows(month=month, state=State.APPROVED, districts=[d for d in districts if d != last])
    _rows(month=month, state=State.SUBMITTED, districts=[last])
    client = as_user("officer.republic")
    # when
    response = _post(client, "accept", {"district": district.pk, "month": label})
    # then
    assert response.status_code == 400
    assert response.json()["detail"].endswith(f"not approved yet: {last.name_en}.")
    response = _post(as_user("officer.region"), "accept", {"district": district.pk, "month": label})
    assert response.status_code == 403
    # when the region approves its last one, the republic accepts the whole region
    PeriodApproval.objects.filter(district=last, month=month).update(state=State.APPROVED)
    response = _post(as_user("officer.republic"), "accept", {"region": region.pk, "month": label})
    assert response.json() == {"done": 12, "refused": []}
    assert {_state(d, month) for d in region_districts} == {State.ACCEPTED}
    assert PeriodApproval.objects.filter(month=month, state=State.ACCEPTED).count() == 12


# --- Return ---------------------------------------------------------------------------------


def test_the_region_returns_a_submitted_month_with_a_message(
    as_user, demo_user, district, month, label
):
    period_submit(district=district, month=month, by=demo_user("officer.district"))
    payload = {"district": district.pk, "month": label}
    client = as_user("officer.region")
    # without a message
    for extra in ({}, {"message": ""}):
        response = _post(client, "return", {**payload, **extra})
        assert response.status_code == 400
        assert response.json()["message"]
    # by the district itself
    response = _post(as_user("officer.district"), "return", {**payload, "message": "X"})
    assert response.status_code == 403
    assert _state(district, month) == State.SUBMITTED
    # with one
    response = _post(as_user("officer.region"), "return", {**payload, "message": "Tuzating."})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["message"]) == ("open", "Tuzating.")
    notification = Notification.objects.get(user=demo_user("officer.district"))
    assert notification.params["message"] == "Tuzating."


def test_an_approved_month_goes_back_one_level_from_whoever_returns_it(
    as_user, demo_user, district, month, label
):
    payload = {"district": district.pk, "month": label, "message": "Tekshiring."}
    # the region takes back its approval: the month is open again for the district
    _rows(month=month, state=State.APPROVED, districts=[district])
    response = _post(as_user("officer.region"), "return", payload)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "open"
    assert Notification.objects.filter(user=demo_user("officer.district")).count() == 1
    # the republic sends it back to the region, which checks it again
    PeriodApproval.objects.filter(district=district).update(state=State.APPROVED)
    response = _post(as_user("officer.republic"), "return", payload)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    assert Notification.objects.filter(user=demo_user("officer.region")).count() == 1


# --- Reads ----------------------------------------------------------------------------------


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def periods(region_districts, elsewhere, month):
    """Tashkent's districts submitted in the month, one approved the month before; one
    district of Andijon submitted."""
    _rows(month=month, state=State.SUBMITTED, districts=region_districts)
    earlier = month_start(month - timedelta(days=1))
    _rows(month=earlier, state=State.APPROVED, districts=region_districts[:1])
    _rows(month=month, state=State.SUBMITTED, districts=[elsewhere])
    return earlier


@pytest.mark.parametrize(
    ("username", "count"),
    [
        ("officer.district", 1),
        ("officer.region", 13),
        ("officer.republic", 14),
        ("admin", 14),
        # an inspector's territory is its mahalla, below any district's month
        ("inspector", 0),
        ("council", 0),
        ("commission", 0),
        ("ngo.staff", 0),
    ],
)
def test_the_list_is_scoped_to_the_mia_subtree(as_user, periods, username, count):
    rows = _results(as_user(username).get(f"{API}/", {"page_size": 50}))
    assert len(rows) == count


def test_the_list_filters(as_user, periods, district, region, month, label):
    client = as_user("officer.republic")
    assert len(_results(client.get(f"{API}/", {"month": label}))) == 13
    assert len(_results(client.get(f"{API}/", {"month": label, "region": region.pk}))) == 12
    earlier = _results(client.get(f"{API}/", {"state": "approved"}))
    assert [(row["month"], row["state"]) for row in earlier] == [(f"{periods:%Y-%m}", "approved")]
    rows = _results(client.get(f"{API}/", {"district": district.pk}))
    assert {row["district"] for row in rows} == {district.pk}
    assert [row["month"] for row in rows] == [label]
    response = client.get(f"{API}/", {"month": "2026-5-1"})
    assert response.status_code == 400
    assert response.json()["month"] == ["Give the month as YYYY-MM."]
    assert client.get(f"{API}/", {"state": "lost"}).status_code == 400


def test_the_detail_carries_the_history(as_user, demo_user, district, elsewhere, month, label):
    # given a month submitted, returned and submitted again
    client = as_user("officer.district")
    payload = {"district": district.pk, "month": label}
    _post(client, "submit", payload)
    _post(as_user("officer.region"), "return", {**payload, "message": "Qayta koʻring."})
    response = _post(as_user("officer.district"), "submit", payload)
    period_id = response.json()["id"]
    # when
    body = as_user("officer.district").get(f"{API}/{period_id}/").json()
    # then newest first, who and why
    assert [(e["state"], e["changed_by_name"], e["message"]) for e in body["history"]] == [
        ("submitted", "Jasur Aliyev", ""),
        ("open", "Sardor Toshmatov", "Qayta koʻring."),
        ("submitted", "Jasur Aliyev", ""),
    ]
    assert all(entry["changed_at"] for entry in body["history"])
    # out of scope: not found
    _rows(month=month, state=State.SUBMITTED, districts=[elsewhere])
    other = PeriodApproval.objects.get(district=elsewhere)
    assert as_user("officer.region").get(f"{API}/{other.pk}/").status_code == 404
    assert as_user("council").get(f"{API}/{period_id}/").status_code == 404


def test_the_summary_gives_every_district_of_the_callers_level(
    as_user, periods, district, region, region_districts, month, label
):
    # given Yunusobod approved, the other eleven submitted
    PeriodApproval.objects.filter(district=district, month=month).update(state=State.APPROVED)
    # when
    body = as_user("officer.region").get(f"{API}/summary/", {"month": label}).json()
    # then
    assert body["month"] == label
    assert body["counts"] == {"open": 0, "submitted": 11, "approved": 1, "accepted": 0}
    assert [row["district"] for row in body["districts"]] == [d.pk for d in region_districts]
    yunusobod = next(row for row in body["districts"] if row["district"] == district.pk)
    assert (yunusobod["state"], yunusobod["region"]) == ("approved", region.pk)
    # The month before: one row, eleven districts with none, open.
    body = as_user("officer.region").get(f"{API}/summary/", {"month": f"{periods:%Y-%m}"}).json()
    assert body["counts"] == {"open": 11, "submitted": 0, "approved": 1, "accepted": 0}
    absent = [row for row in body["districts"] if row["period"] is None]
    assert len(absent) == 11
    assert {(row["state"], row["updated_at"]) for row in absent} == {("open", None)}


def test_the_summary_of_the_republic_and_its_region_filter(as_user, periods, region, label):
    client = as_user("officer.republic")
    body = client.get(f"{API}/summary/", {"month": label}).json()
    assert len(body["districts"]) == 209
    assert body["counts"] == {"open": 196, "submitted": 13, "approved": 0, "accepted": 0}
    body = client.get(f"{API}/summary/", {"month": label, "region": region.pk}).json()
    assert body["counts"]["submitted"] == 12
    assert len(body["districts"]) == 12
    # The current month by default.
    body = client.get(f"{API}/summary/").json()
    assert body["month"] == f"{timezone.localdate():%Y-%m}"
    assert body["counts"]["open"] == 209


def test_the_summary_outside_the_callers_territory(as_user, periods, elsewhere, label):
    response = as_user("officer.region").get(
        f"{API}/summary/", {"month": label, "region": elsewhere.parent_id}
    )
    assert response.status_code == 404
    body = as_user("council").get(f"{API}/summary/", {"month": label}).json()
    assert body["districts"] == []
    assert body["counts"] == {"open": 0, "submitted": 0, "approved": 0, "accepted": 0}
    district = as_user("officer.district").get(f"{API}/summary/", {"month": label}).json()
    assert [row["district_code"] for row in district["districts"]] == [YUNUSOBOD]
    response = as_user("officer.region").get(f"{API}/summary/", {"month": "12-2026"})
    assert response.status_code == 400
    assert response.json()["month"] == ["Give the month as YYYY-MM."]


# --- Query counts ---------------------------------------------------------------------------
# Session, user, memberships, then the page: the same for any page size.


@pytest.mark.parametrize("page_size", [3, 13])
def test_list_query_count_is_fixed(
    as_user, demo_user, periods, django_assert_num_queries, page_size
):
    # Each row names who changed it last: loaded with the page, not row by row.
    PeriodApproval.objects.update(changed_by=demo_user("officer.district"))
    client = as_user("officer.republic")
    with django_assert_num_queries(4):
        rows = _results(client.get(f"{API}/", {"page_size": page_size}))
    assert len(rows) == page_size


@pytest.mark.parametrize("username", ["officer.region", "officer.republic"])
def test_summary_query_count_is_fixed(as_user, periods, django_assert_num_queries, username):
    client = as_user(username)
    # ... the districts, and the month's rows among them
    with django_assert_num_queries(5):
        response = client.get(f"{API}/summary/")
    assert response.status_code == 200
