from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.utils import timezone

from accounts.models import PersonalDataRead
from prevention.models import (
    AccountabilityMeeting,
    MeetingQuestion,
    PreventionRecord,
    RegisterCategory,
    RegisterEntry,
    ResidentFeedback,
    Unit,
)
from tests.prevention.factories import PreventionRecordFactory, RegisterEntryFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
SCOPED_LISTS = ["records", "register-entries", "meetings"]
MIA_LISTS = [*SCOPED_LISTS, "inspectors", "feedback"]


def _today():
    return timezone.localdate()


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _post_of(mahalla) -> Unit:
    return Unit.objects.get(kind=Unit.Kind.POST, mahallas=mahalla)


@pytest.fixture
def as_user(api_client, demo_user):
    """Signs the API client in as a demo account (or anonymous for None)."""

    def login(username: str | None):
        if username is not None:
            api_client.force_login(demo_user(username))
        return api_client

    return login


@pytest.fixture
def record_b(mahalla_b) -> PreventionRecord:
    return PreventionRecord.objects.filter(mahalla=mahalla_b).first()


@pytest.fixture
def entry_a(inspector_a, mahalla_a) -> RegisterEntry:
    return RegisterEntryFactory(
        inspector=inspector_a, mahalla=mahalla_a, registered_on=_today() - timedelta(days=30)
    )


@pytest.fixture
def throttle_reset(settings, tmp_path):
    """The feedback throttle counts in the cache, which outlives each test's transaction."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("FileBasedCache"):
        # The on-disk cache is one folder for every test run on the machine, and other runs
        # clear it: this test's counts get a folder of their own.
        settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": str(tmp_path / "cache")}}
    cache.clear()
    yield
    cache.clear()


# --- Scope matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize("resource", SCOPED_LISTS)
def test_inspector_lists_only_its_mahalla(as_user, mahalla_a, resource):
    rows = _results(as_user("inspector").get(f"{API}/{resource}/", {"page_size": 200}))
    assert rows
    assert {row["mahalla"] for row in rows} == {mahalla_a.pk}


def test_inspector_gets_404_for_another_inspectors_objects(as_user, mahalla_b, record_b):
    client = as_user("inspector")
    entry_b = RegisterEntry.objects.filter(mahalla=mahalla_b).first()
    meeting_b = AccountabilityMeeting.objects.filter(mahalla=mahalla_b).first()
    assert client.get(f"{API}/records/{record_b.pk}/").status_code == 404
    assert client.get(f"{API}/register-entries/{entry_b.pk}/").status_code == 404
    assert client.get(f"{API}/meetings/{meeting_b.pk}/").status_code == 404
    response = client.patch(
        f"{API}/records/{record_b.pk}/update/", {"summary": "Oʻzgartirildi."}, format="json"
    )
    assert response.status_code == 404
    record_b.refresh_from_db()
    assert record_b.summary != "Oʻzgartirildi."
    response = client.patch(
        f"{API}/register-entries/{entry_b.pk}/update/", {"address": "Boshqa"}, format="json"
    )
    assert response.status_code == 404
    entry_b.refresh_from_db()
    assert entry_b.address != "Boshqa"


@pytest.mark.parametrize(
    ("username", "sees_a", "sees_b"),
    [
        ("inspector", True, False),
        ("officer.district", True, False),
        # Tashkent city: mahalla B is in Andijon.
        ("officer.region", True, False),
        ("officer.republic", True, True),
        ("admin", True, True),
    ],
)
@pytest.mark.parametrize("resource", SCOPED_LISTS)
def test_mia_roles_see_their_subtree(
    as_user, mahalla_a, mahalla_b, username, sees_a, sees_b, resource
):
    client = as_user(username)
    in_a = _results(client.get(f"{API}/{resource}/", {"mahalla": mahalla_a.pk}))
    in_b = _results(client.get(f"{API}/{resource}/", {"mahalla": mahalla_b.pk}))
    assert bool(in_a) is sees_a
    assert bool(in_b) is sees_b
    model = {
        "records": PreventionRecord,
        "register-entries": RegisterEntry,
        "meetings": AccountabilityMeeting,
    }[resource]
    object_b = model.objects.filter(mahalla=mahalla_b).first()
    expected = 200 if sees_b else 404
    assert client.get(f"{API}/{resource}/{object_b.pk}/").status_code == expected


@pytest.mark.parametrize("username", ["council", "commission", "ngo.staff", "ngo.admin"])
@pytest.mark.parametrize("resource", MIA_LISTS)
def test_roles_outside_the_mia_get_nothing(as_user, mahalla_a, username, resource):
    client = as_user(username)
    assert _results(client.get(f"{API}/{resource}/")) == []


@pytest.mark.parametrize("username", ["council", "commission", "ngo.staff", "ngo.admin"])
def test_roles_outside_the_mia_get_404_for_details(as_user, mahalla_a, username):
    client = as_user(username)
    record = PreventionRecord.objects.filter(mahalla=mahalla_a).first()
    entry = RegisterEntry.objects.filter(mahalla=mahalla_a).first()
    assert client.get(f"{API}/records/{record.pk}/").status_code == 404
    assert client.get(f"{API}/register-entries/{entry.pk}/").status_code == 404


@pytest.mark.parametrize("resource", MIA_LISTS)
def test_anonymous_is_refused(api_client, resource):
    assert api_client.get(f"{API}/{resource}/").status_code in (401, 403)


def test_officer_sees_inspectors_and_feedback_of_its_district(as_user, inspector_a, inspector_b):
    client = as_user("officer.district")
    inspectors = {row["id"] for row in _results(client.get(f"{API}/inspectors/"))}
    assert inspector_a.pk in inspectors
    assert inspector_b.pk not in inspectors
    feedback = _results(client.get(f"{API}/feedback/", {"post": inspector_a.post_id}))
    assert feedback
    assert {row["post"] for row in feedback} == {inspector_a.post_id}


def test_records_never_carry_register_personal_data(as_user, inspector_a, mahalla_a, entry_a):
    PreventionRecordFactory(inspector=inspector_a, mahalla=mahalla_a, register_entry=entry_a)
    rows = _results(as_user("officer.district").get(f"{API}/records/", {"mahalla": mahalla_a.pk}))
    linked = [row for row in rows if row["register_entry"] is not None]
    assert [row["register_entry"] for row in linked] == [entry_a.pk]
    for field in ("full_name", "birth_date", "address", "document_number"):
        assert all(field not in row for row in rows)
        assert entry_a.document_number not in str(rows)


def test_units_are_public(api_client):
    rows = _results(api_client.get(f"{API}/units/", {"kind": "region", "page_size": 50}))
    assert len(rows) == 14
    assert all("public_key" not in row for row in rows)
    republic = _results(api_client.get(f"{API}/units/", {"kind": "republic"}))
    children = _results(api_client.get(f"{API}/units/", {"parent": republic[0]["id"]}))
    assert {row["kind"] for row in children} == {"region"}


def test_unknown_filter_values_answer_400(as_user):
    response = as_user("officer.district").get(f"{API}/records/", {"kind": "planet"})
    assert response.status_code == 400
    assert response.json()["kind"]


# --- Prevention records ---------------------------------------------------------------------


def _record_payload(place, **changes) -> dict:
    return {
        "kind": "general",
        "measure": "preventive_talk",
        "mahalla": place.pk,
        "date": _today().isoformat(),
        "summary": "Yoshlar bilan suhbat.",
        "people_reached": 12,
        **changes,
    }


def test_inspector_files_a_record(as_user, inspector_a, mahalla_a, entry_a):
    # when
    response = as_user("inspector").post(
        f"{API}/records/create/",
        _record_payload(mahalla_a, register_entry=entry_a.pk),
        format="json",
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    record = PreventionRecord.objects.get(pk=body["id"])
    assert record.inspector == inspector_a
    assert record.register_entry == entry_a
    assert body["register_entry"] == entry_a.pk
    assert body["mahalla"] == mahalla_a.pk
    assert body["locked"] is False


@pytest.mark.parametrize("username", ["officer.district", "admin", "council", "ngo.staff"])
def test_only_inspectors_file_records(as_user, mahalla_a, username):
    before = PreventionRecord.objects.count()
    response = as_user(username).post(
        f"{API}/records/create/", _record_payload(mahalla_a), format="json"
    )
    assert response.status_code == 403
    assert PreventionRecord.objects.count() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": "2999-01-01"}, "detail"),
        ({"mahalla": 999_999_999}, "mahalla"),
        ({"mahalla": 10**20}, "mahalla"),
        ({"mahalla": "x"}, "mahalla"),
        ({"kind": "planet"}, "kind"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 4001}, "summary"),
        ({"people_reached": -1}, "people_reached"),
        ({"partner_organisation": 999_999_999}, "partner_organisation"),
    ],
)
def test_bad_record_input_is_400_and_saves_nothing(as_user, mahalla_a, changes, field):
    before = PreventionRecord.objects.count()
    response = as_user("inspector").post(
        f"{API}/records/create/",
        _record_payload(mahalla_a, **changes),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()[field]
    assert PreventionRecord.objects.count() == before


def test_record_for_a_mahalla_outside_the_territory_is_400(as_user, mahalla_b):
    before = PreventionRecord.objects.count()
    response = as_user("inspector").post(
        f"{API}/records/create/", _record_payload(mahalla_b), format="json"
    )
    assert response.status_code == 400
    assert response.json()["mahalla"]
    assert PreventionRecord.objects.count() == before


def test_record_cannot_link_a_register_entry_out_of_scope(as_user, mahalla_a, mahalla_b):
    entry_b = RegisterEntry.objects.filter(mahalla=mahalla_b).first()
    before = PreventionRecord.objects.count()
    response = as_user("inspector").post(
        f"{API}/records/create/",
        _record_payload(mahalla_a, register_entry=entry_b.pk),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["register_entry"]
    assert PreventionRecord.objects.count() == before


def test_inspector_corrects_its_record_within_the_window(as_user, inspector_a, mahalla_a):
    record = PreventionRecordFactory(inspector=inspector_a, mahalla=mahalla_a)
    response = as_user("inspector").patch(
        f"{API}/records/{record.pk}/update/", {"people_reached": 40}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["people_reached"] == 40
    record.refresh_from_db()
    assert record.people_reached == 40


def test_locked_record_is_corrected_only_from_above_with_a_reason(
    as_user, inspector_a, mahalla_a, settings
):
    # given
    record = PreventionRecordFactory(inspector=inspector_a, mahalla=mahalla_a, summary="Asl.")
    filed = timezone.now() - timedelta(days=settings.PREVENTION_RECORD_EDIT_WINDOW_DAYS + 1)
    PreventionRecord.objects.filter(pk=record.pk).update(created_at=filed)
    url = f"{API}/records/{record.pk}/update/"
    # when the inspector tries
    response = as_user("inspector").patch(
        url, {"summary": "Inspektor."}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    # then
    assert response.status_code == 400
    assert "locked" in response.json()["detail"]
    record.refresh_from_db()
    assert record.summary == "Asl."
    # when the district officer tries without a reason
    officer = as_user("officer.district")
    response = officer.patch(url, {"summary": "Tuman."}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "reason"
    record.refresh_from_db()
    assert record.summary == "Asl."
    # and with one
    response = officer.patch(
        url, {"summary": "Tuman.", "reason": "Sana xato kiritilgan."}, format="json"
    )
    assert response.status_code == 200, response.content
    record.refresh_from_db()
    assert record.summary == "Tuman."
    assert record.history.first().history_change_reason == "Sana xato kiritilgan."


def test_record_update_refuses_an_oversized_reason(as_user, inspector_a, mahalla_a):
    record = PreventionRecordFactory(inspector=inspector_a, mahalla=mahalla_a, summary="Asl.")
    response = as_user("officer.district").patch(
        f"{API}/records/{record.pk}/update/",
        {"summary": "Tuman.", "reason": "x" * 101},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["reason"]
    record.refresh_from_db()
    assert record.summary == "Asl."


def test_record_update_is_403_for_a_reader_who_cannot_edit(as_user, inspector_b, mahalla_a):
    # Filed in mahalla A by another inspector: A's inspector sees it but may not edit it.
    record = PreventionRecordFactory(inspector=inspector_b, mahalla=mahalla_a, summary="Asl.")
    response = as_user("inspector").patch(
        f"{API}/records/{record.pk}/update/", {"summary": "Boshqa."}, format="json"
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.summary == "Asl."


# --- Prevention register --------------------------------------------------------------------


def _entry_payload(place, **changes) -> dict:
    return {
        "mahalla": place.pk,
        "full_name": "Sinov Shaxs",
        "birth_date": "1990-05-01",
        "address": "Sinov koʻchasi, 5-uy",
        "document_number": "AA1234567",
        "category": RegisterCategory.objects.get(code="minor").pk,
        "grounds": "Sinov asosi.",
        "registered_on": (_today() - timedelta(days=10)).isoformat(),
        **changes,
    }


def test_inspector_registers_and_removes_a_person(as_user, inspector_a, mahalla_a):
    client = as_user("inspector")
    response = client.post(
        f"{API}/register-entries/create/", _entry_payload(mahalla_a), format="json"
    )
    assert response.status_code == 201, response.content
    entry = RegisterEntry.objects.get(pk=response.json()["id"])
    assert entry.inspector == inspector_a
    assert response.json()["full_name"] == "Sinov Shaxs"
    removal = {"removed_on": _today().isoformat(), "removal_reason": "Tuzalish yoʻliga oʻtdi."}
    response = client.patch(f"{API}/register-entries/{entry.pk}/update/", removal, format="json")
    assert response.status_code == 200, response.content
    entry.refresh_from_db()
    assert entry.removed_on == _today()
    assert entry.removal_reason == "Tuzalish yoʻliga oʻtdi."


def test_officer_corrects_a_register_entry(as_user, entry_a):
    response = as_user("officer.district").patch(
        f"{API}/register-entries/{entry_a.pk}/update/", {"address": "Yangi manzil"}, format="json"
    )
    assert response.status_code == 200, response.content
    entry_a.refresh_from_db()
    assert entry_a.address == "Yangi manzil"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"registered_on": "2999-01-01"}, "detail"),
        # A database constraint over two fields: reported for the whole entry.
        ({"birth_date": (_today() - timedelta(days=5)).isoformat()}, "__all__"),
        ({"mahalla": 999_999_999}, "mahalla"),
        ({"category": 999_999_999}, "category"),
        ({"document_number": "x" * 31}, "document_number"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_bad_register_input_is_400_and_saves_nothing(as_user, mahalla_a, changes, field):
    before = RegisterEntry.objects.count()
    response = as_user("inspector").post(
        f"{API}/register-entries/create/", _entry_payload(mahalla_a, **changes), format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()[field]
    assert RegisterEntry.objects.count() == before


@pytest.mark.parametrize(
    "removal",
    [
        pytest.param({"removed_on": "REGISTERED-1", "removal_reason": "Sabab."}, id="before"),
        pytest.param({"removed_on": "TODAY"}, id="no-reason"),
        pytest.param({"removed_on": "TODAY", "removal_reason": "  "}, id="blank-reason"),
        pytest.param({"removed_on": "2999-01-01", "removal_reason": "Sabab."}, id="future"),
    ],
)
def test_bad_removal_is_400_and_changes_nothing(as_user, entry_a, removal):
    dates = {
        "REGISTERED-1": (entry_a.registered_on - timedelta(days=1)).isoformat(),
        "TODAY": _today().isoformat(),
    }
    payload = {key: dates.get(value, value) for key, value in removal.items()}
    response = as_user("inspector").patch(
        f"{API}/register-entries/{entry_a.pk}/update/", payload, format="json"
    )
    assert response.status_code == 400, response.content
    entry_a.refresh_from_db()
    assert entry_a.removed_on is None
    assert entry_a.removal_reason == ""


def test_listing_register_entries_logs_exactly_the_rows_returned(
    as_user, demo_user, inspector_a, mahalla_a
):
    # given three entries in the district, of which a page shows two
    RegisterEntryFactory.create_batch(2, inspector=inspector_a, mahalla=mahalla_a)
    officer = demo_user("officer.district")
    before = set(PersonalDataRead.objects.values_list("pk", flat=True))
    # when
    rows = _results(as_user("officer.district").get(f"{API}/register-entries/", {"page_size": 2}))
    # then
    assert len(rows) == 2
    reads = PersonalDataRead.objects.exclude(pk__in=before)
    assert sorted(reads.values_list("object_id", flat=True)) == sorted(row["id"] for row in rows)
    assert {(read.user_id, read.via) for read in reads} == {(officer.pk, "api")}
    assert {read.content_type.model for read in reads} == {"registerentry"}
    assert sorted(reads.values_list("territory_id", flat=True)) == sorted(
        row["mahalla"] for row in rows
    )


def test_register_entry_detail_logs_its_read(as_user, entry_a):
    before = PersonalDataRead.objects.count()
    response = as_user("officer.region").get(f"{API}/register-entries/{entry_a.pk}/")
    assert response.status_code == 200
    assert response.json()["document_number"] == entry_a.document_number
    read = PersonalDataRead.objects.latest("id")
    assert PersonalDataRead.objects.count() == before + 1
    assert (read.object_id, read.via, read.territory_id) == (entry_a.pk, "api", entry_a.mahalla_id)


def test_other_lists_log_no_personal_data_reads(as_user):
    before = PersonalDataRead.objects.count()
    client = as_user("officer.district")
    for resource in ("records", "meetings", "inspectors", "feedback", "units"):
        _results(client.get(f"{API}/{resource}/"))
    assert PersonalDataRead.objects.count() == before


# --- Accountability meetings ----------------------------------------------------------------


def test_meeting_schedule_held_and_questions(as_user, inspector_a, mahalla_a):
    client = as_user("inspector")
    # scheduled
    response = client.post(
        f"{API}/meetings/schedule/",
        {"mahalla": mahalla_a.pk, "date": _today().isoformat(), "topics": "Xavfsizlik."},
        format="json",
    )
    assert response.status_code == 201, response.content
    meeting_id = response.json()["id"]
    assert response.json()["status"] == "scheduled"
    assert response.json()["questions"] == []
    # held
    response = client.post(f"{API}/meetings/{meeting_id}/held/", {"attendance": 45}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["attendance"]) == ("held", 45)
    assert response.json()["topics"] == "Xavfsizlik."
    # a question raised
    due = (_today() + timedelta(days=30)).isoformat()
    response = client.post(
        f"{API}/meetings/{meeting_id}/questions/add/",
        {"text": "Koʻcha chiroqlari.", "due_date": due},
        format="json",
    )
    assert response.status_code == 201, response.content
    question_id = response.json()["id"]
    # followed up
    response = client.patch(
        f"{API}/questions/{question_id}/update/",
        {"state": "done", "follow_up": "Oʻrnatildi."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["done_on"] == _today().isoformat()
    detail = client.get(f"{API}/meetings/{meeting_id}/").json()
    assert [q["id"] for q in detail["questions"]] == [question_id]
    assert (detail["question_count"], detail["open_question_count"]) == (1, 0)


def test_meeting_writes_are_for_the_mahallas_inspectors_and_officers_above(
    as_user, mahalla_a, mahalla_b
):
    # The same rule as the meeting pages (prevention.permissions.can_edit_meeting).
    meeting_a = AccountabilityMeeting.objects.filter(mahalla=mahalla_a).first()
    meeting_b = AccountabilityMeeting.objects.filter(mahalla=mahalla_b).first()
    held = {"attendance": 10, "topics": "Hisobot"}
    assert (
        as_user("inspector").post(f"{API}/meetings/{meeting_b.pk}/held/", held).status_code == 404
    )
    assert as_user("council").post(f"{API}/meetings/{meeting_a.pk}/held/", held).status_code == 404
    officer = as_user("officer.district")
    assert officer.post(f"{API}/meetings/{meeting_b.pk}/held/", held).status_code == 404
    assert officer.post(f"{API}/meetings/{meeting_a.pk}/held/", held).status_code == 200
    meeting_a.refresh_from_db()
    assert meeting_a.attendance == 10


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        ("schedule", {"mahalla": 999_999_999, "date": "2025-01-01"}),
        ("held", {"attendance": -5}),
        ("held-future", {"attendance": 5}),
        ("question", {"text": "Savol.", "due_date": "2000-01-01"}),
    ],
)
def test_bad_meeting_input_is_400_and_saves_nothing(as_user, inspector_a, mahalla_a, url, payload):
    future = AccountabilityMeeting.objects.create(
        inspector=inspector_a, mahalla=mahalla_a, date=_today() + timedelta(days=3)
    )
    path = {
        "schedule": f"{API}/meetings/schedule/",
        "held": f"{API}/meetings/{future.pk}/held/",
        "held-future": f"{API}/meetings/{future.pk}/held/",
        "question": f"{API}/meetings/{future.pk}/questions/add/",
    }[url]
    meetings, questions = AccountabilityMeeting.objects.count(), MeetingQuestion.objects.count()
    response = as_user("inspector").post(path, payload, format="json")
    assert response.status_code == 400, response.content
    assert AccountabilityMeeting.objects.count() == meetings
    assert MeetingQuestion.objects.count() == questions
    future.refresh_from_db()
    assert future.status == AccountabilityMeeting.Status.SCHEDULED


# --- Resident feedback ----------------------------------------------------------------------


def test_anonymous_feedback_is_accepted_then_throttled(
    api_client, mahalla_a, settings, throttle_reset
):
    settings.FEEDBACK_RATE = "5/h"
    url = f"{API}/posts/{_post_of(mahalla_a).public_key}/feedback/"
    before = ResidentFeedback.objects.count()
    for rating in range(1, 6):
        response = api_client.post(url, {"rating": rating, "mahalla": mahalla_a.pk})
        assert response.status_code == 201, response.content
    assert response.json()["moderation"] == "approved"
    assert api_client.post(url, {"rating": 5}).status_code == 429
    assert ResidentFeedback.objects.count() == before + 5


def test_feedback_is_anonymous_even_when_signed_in(as_user, mahalla_a, throttle_reset):
    url = f"{API}/posts/{_post_of(mahalla_a).public_key}/feedback/"
    response = as_user("council").post(url, {"rating": 4, "comment": "Yaxshi."}, format="json")
    assert response.status_code == 201, response.content
    feedback = ResidentFeedback.objects.get(pk=response.json()["id"])
    assert feedback.moderation == ResidentFeedback.Moderation.PENDING


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"rating": 4, "comment": "x" * 1001}, "comment"),
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({}, "rating"),
        ({"rating": 4, "mahalla": 999_999_999}, "mahalla"),
        ({"rating": 4, "mahalla": "MAHALLA_B"}, "detail"),
    ],
)
def test_bad_feedback_is_400_and_saves_nothing(
    api_client, mahalla_a, mahalla_b, throttle_reset, payload, field
):
    if payload.get("mahalla") == "MAHALLA_B":
        payload = {**payload, "mahalla": mahalla_b.pk}
    before = ResidentFeedback.objects.count()
    response = api_client.post(
        f"{API}/posts/{_post_of(mahalla_a).public_key}/feedback/",
        payload,
        format="json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    assert response.json()[field]
    assert ResidentFeedback.objects.count() == before


def test_feedback_to_an_unknown_post_is_404(api_client, throttle_reset):
    assert api_client.post(f"{API}/posts/nope/feedback/", {"rating": 5}).status_code == 404


def test_feedback_moderation(as_user, demo_user, mahalla_a, mahalla_b):
    feedback = ResidentFeedback.objects.create(
        post=_post_of(mahalla_a), mahalla=mahalla_a, rating=2, comment="Izoh."
    )
    url = f"{API}/feedback/{feedback.pk}/moderate/"
    assert as_user("council").post(url, {"approve": True}).status_code == 404
    assert as_user("officer.district").post(url, {}, format="json").status_code == 400
    response = as_user("officer.district").post(url, {"approve": False}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["moderation"] == "rejected"
    feedback.refresh_from_db()
    assert feedback.moderated_by == demo_user("officer.district")


# --- Query counts ---------------------------------------------------------------------------
# Session, user, memberships, then the page (and its prefetches): the same for any page size.


@pytest.mark.parametrize("page_size", [5, 50])
def test_record_list_query_count_is_fixed(as_user, django_assert_num_queries, page_size):
    client = as_user("officer.republic")
    with django_assert_num_queries(4):
        rows = _results(client.get(f"{API}/records/", {"page_size": page_size}))
    assert len(rows) == page_size


@pytest.mark.parametrize("page_size", [2, 20])
def test_register_entry_list_query_count_is_fixed(as_user, django_assert_num_queries, page_size):
    ContentType.objects.get_for_model(RegisterEntry)  # the content-type cache is per process
    client = as_user("officer.republic")
    # ... plus the one insert of the read log
    with django_assert_num_queries(5):
        rows = _results(client.get(f"{API}/register-entries/", {"page_size": page_size}))
    assert len(rows) == page_size


@pytest.mark.parametrize("page_size", [2, 20])
def test_meeting_list_query_count_is_fixed(as_user, django_assert_num_queries, page_size):
    client = as_user("officer.republic")
    # ... plus the questions' prefetch
    with django_assert_num_queries(5):
        rows = _results(client.get(f"{API}/meetings/", {"page_size": page_size}))
    assert len(rows) == page_size
    assert all(row["questions"] for row in rows)
