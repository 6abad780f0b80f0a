"""Writes sent with an Idempotency-Key header are applied once (core.middleware)."""

import re
import uuid
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import encode_multipart
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from core.demo import DEMO_PASSWORD
from core.models import IdempotencyKey
from core.tasks import idempotency_keys_purge_task
from partnership.models import ActivityEvidence, Agreement, JointActivity
from prevention.models import Inspector, PreventionRecord
from tests.partnership.factories import JointActivityFactory
from tests.partnership.test_activities import PNG

pytestmark = pytest.mark.django_db

API = "/api/v1"
RECORDS_CREATE = f"{API}/records/create/"
RECORD_FORM = "prevention:record-create"
ACTIVITY_FORM = "partnership:activity-create"
CSRF_VALUE = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def _key() -> dict:
    return {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}


@pytest.fixture
def mahalla(demo_user):
    """The demo inspector's mahalla, in Yunusobod."""
    return demo_user("inspector").memberships.get(role=Role.INSPECTOR).territory


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def page_client() -> Client:
    """Pages in English, so that messages can be compared."""
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def token_client(api_client) -> APIClient:
    response = api_client.post(
        f"{API}/auth/token/", {"username": "inspector", "password": DEMO_PASSWORD}
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return api_client


@pytest.fixture
def session_client(api_client, demo_user) -> APIClient:
    api_client.force_login(demo_user("inspector"))
    return api_client


def _record(place, **changes) -> dict:
    return {
        "kind": "general",
        "measure": "preventive_talk",
        "mahalla": place.pk,
        "date": timezone.localdate().isoformat(),
        "summary": "Yoshlar bilan suhbat.",
        "people_reached": 12,
        **changes,
    }


@pytest.fixture
def agreement(demo_user) -> Agreement:
    """The demo organisation's active agreement with Yunusobod, valid around today."""
    organisation = demo_user("ngo.staff").memberships.get().organisation
    agreement = organisation.agreements.order_by("pk").first()
    today = timezone.localdate()
    Agreement.objects.filter(pk=agreement.pk).update(
        status=Agreement.Status.ACTIVE,
        valid_from=today - timedelta(days=100),
        valid_to=today + timedelta(days=100),
    )
    agreement.refresh_from_db()
    return agreement


def _activity_form(agreement, place) -> dict:
    return {
        "organisation": agreement.organisations.get().pk,
        "agreement": agreement.pk,
        "unit": agreement.unit_id,
        "district": place.parent_id,
        "mahalla": place.pk,
        "kind": JointActivity.Kind.LEGAL_AWARENESS,
        "date": timezone.localdate().isoformat(),
        "participants_youth": 12,
        "participants_women": 5,
        "participants_minors": 3,
        "participants_others": 1,
        "description": "Legal-awareness meeting with the youth of the mahalla.",
        "outcome": "",
    }


def _multipart(client, path, data, boundary, method="post", **extra):
    """The form as a browser sends it: each sending has a boundary of its own."""
    send = getattr(client, method)
    return send(
        path,
        encode_multipart(boundary, data),
        content_type=f"multipart/form-data; boundary={boundary}",
        **extra,
    )


# --- The same write twice -------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["token", "session"])
def test_an_api_write_retried_with_its_key_is_applied_once(request, auth, mahalla):
    # given
    client = request.getfixturevalue(f"{auth}_client")
    key = _key()
    before = PreventionRecord.objects.count()
    # when
    first = client.post(RECORDS_CREATE, _record(mahalla), format="json", **key)
    again = client.post(RECORDS_CREATE, _record(mahalla), format="json", **key)
    # then
    assert first.status_code == 201, first.content
    assert PreventionRecord.objects.count() == before + 1
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first


def test_a_used_key_with_another_body_is_refused_with_409(session_client, mahalla):
    key = _key()
    session_client.post(RECORDS_CREATE, _record(mahalla), format="json", **key)
    before = PreventionRecord.objects.count()
    response = session_client.post(
        RECORDS_CREATE,
        _record(mahalla, people_reached=13),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
        **key,
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "This idempotency key was used for a different request."}
    assert PreventionRecord.objects.count() == before


def test_a_record_form_sent_twice_files_one_record(page_client, demo_user, mahalla):
    page_client.force_login(demo_user("inspector"))
    key = _key()
    before = PreventionRecord.objects.count()
    first = page_client.post(reverse(RECORD_FORM), _record(mahalla), **key)
    again = page_client.post(reverse(RECORD_FORM), _record(mahalla), **key)
    assert first.status_code == 302
    record = PreventionRecord.objects.latest("id")
    assert first.url == reverse("prevention:record-detail", args=[record.pk])
    assert (again.status_code, again["Location"]) == (302, first.url)
    assert again["Idempotent-Replayed"] == "true"
    assert PreventionRecord.objects.count() == before + 1


def test_an_activity_form_with_a_photo_sent_again_with_a_new_boundary_is_replayed(
    page_client, demo_user, agreement, mahalla, media
):
    # given: the same form and photo, encoded twice as a browser would
    staff = demo_user("ngo.staff")
    page_client.force_login(staff)
    key = _key()
    before = (JointActivity.objects.count(), ActivityEvidence.objects.count())

    def send(boundary: str):
        photo = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
        data = {**_activity_form(agreement, mahalla), "files": [photo]}
        return _multipart(page_client, reverse(ACTIVITY_FORM), data, boundary, **key)

    # when
    first = send("----first-boundary-1a2b")
    again = send("----second-boundary-9z8y")
    # then
    assert first.status_code == 302, first.content
    assert (again.status_code, again["Location"]) == (302, first.url)
    assert again["Idempotent-Replayed"] == "true"
    after = (JointActivity.objects.count(), ActivityEvidence.objects.count())
    assert after == (before[0] + 1, before[1] + 1)


def test_another_photo_under_the_same_key_is_refused(
    page_client, demo_user, agreement, mahalla, media
):
    page_client.force_login(demo_user("ngo.staff"))
    key = _key()
    data = _activity_form(agreement, mahalla)
    photo = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    assert page_client.post(reverse(ACTIVITY_FORM), {**data, "files": [photo]}, **key).status_code
    other = SimpleUploadedFile("photo.png", PNG + b"\x00", content_type="image/png")
    response = page_client.post(reverse(ACTIVITY_FORM), {**data, "files": [other]}, **key)
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "This idempotency key was used for a different request."


def test_a_multipart_api_patch_is_parsed_once_and_replayed(
    api_client, demo_user, agreement, mahalla, media
):
    # given: a multipart PATCH, which Django itself does not parse
    staff = demo_user("ngo.staff")
    activity = JointActivityFactory(
        created_by=staff,
        organisation=agreement.organisations.get(),
        agreement=agreement,
        unit=agreement.unit,
        place=mahalla,
        date=timezone.localdate(),
    )
    api_client.force_login(staff)
    url = f"{API}/activities/{activity.pk}/update/"
    key = _key()

    def send(boundary: str):
        photo = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
        data = {"outcome": "Done.", "files": [photo]}
        return _multipart(api_client, url, data, boundary, method="patch", **key)

    # when
    first = send("boundary-one")
    again = send("boundary-two")
    # then: the view read the fields and the file the middleware parsed
    assert first.status_code == 200, first.content
    activity.refresh_from_db()
    assert activity.outcome == "Done."
    assert activity.evidence.count() == 1
    assert (again.status_code, again.content) == (200, first.content)
    assert again["Idempotent-Replayed"] == "true"


# --- Requests in flight, refused or failed --------------------------------------------------


def test_a_key_still_being_processed_is_a_409_to_try_again(session_client, mahalla):
    # given: the first request's row, as it is while that request runs
    key = _key()
    session_client.post(RECORDS_CREATE, _record(mahalla), format="json", **key)
    IdempotencyKey.objects.update(state=IdempotencyKey.State.PROCESSING)
    before = PreventionRecord.objects.count()
    # when
    response = session_client.post(
        RECORDS_CREATE, _record(mahalla), format="json", HTTP_ACCEPT_LANGUAGE="en", **key
    )
    # then
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "A request with this key is still being processed; try again shortly."
    )
    assert int(response["Retry-After"]) > 0
    assert PreventionRecord.objects.count() == before


def test_a_key_left_processing_by_a_dead_worker_is_taken_over(session_client, mahalla, settings):
    # given: a worker that died after taking the key, before its write was committed
    key = _key()
    session_client.post(RECORDS_CREATE, _record(mahalla), format="json", **key)
    PreventionRecord.objects.filter(pk=PreventionRecord.objects.latest("id").pk).delete()
    long_ago = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_ABANDONED_SECONDS + 1)
    IdempotencyKey.objects.update(state=IdempotencyKey.State.PROCESSING, created_at=long_ago)
    before = PreventionRecord.objects.count()
    # when
    response = session_client.post(RECORDS_CREATE, _record(mahalla), format="json", **key)
    # then
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert PreventionRecord.objects.count() == before + 1
    assert IdempotencyKey.objects.get().state == IdempotencyKey.State.DONE


def test_a_form_refused_by_csrf_is_applied_when_sent_again_with_a_token(demo_user, mahalla):
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_user("inspector"))
    key = _key()
    before = PreventionRecord.objects.count()
    # when: the first sending has no token, the second one has
    refused = client.post(reverse(RECORD_FORM), _record(mahalla), **key)
    client.get(reverse(RECORD_FORM))
    token = {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    applied = client.post(reverse(RECORD_FORM), {**_record(mahalla), **token}, **key)
    again = client.post(reverse(RECORD_FORM), {**_record(mahalla), **token}, **key)
    # then
    assert refused.status_code == 403
    assert applied.status_code == 302
    assert "Idempotent-Replayed" not in applied
    assert (again.status_code, again["Location"]) == (302, applied.url)
    assert PreventionRecord.objects.count() == before + 1


def test_an_api_write_refused_by_csrf_is_applied_when_sent_again_with_a_token(demo_user, mahalla):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(demo_user("inspector"))
    key = _key()
    before = PreventionRecord.objects.count()
    refused = client.post(RECORDS_CREATE, _record(mahalla), format="json", **key)
    client.get(reverse(RECORD_FORM))
    token = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
    applied = client.post(RECORDS_CREATE, _record(mahalla), format="json", **key, **token)
    assert refused.status_code == 403
    assert applied.status_code == 201
    assert "Idempotent-Replayed" not in applied
    assert PreventionRecord.objects.count() == before + 1


def test_a_form_sent_with_an_expired_session_is_applied_after_signing_in(
    page_client, demo_user, mahalla
):
    # given: the session has expired, so the form is sent anonymously
    key = _key()
    before = PreventionRecord.objects.count()
    # when
    refused = page_client.post(reverse(RECORD_FORM), _record(mahalla), **key)
    page_client.force_login(demo_user("inspector"))
    applied = page_client.post(reverse(RECORD_FORM), _record(mahalla), **key)
    # then
    assert refused.status_code == 302
    assert refused.url.startswith(reverse("accounts:login"))
    assert applied.status_code == 302
    assert applied.url.startswith("/prevention/records/")
    assert PreventionRecord.objects.count() == before + 1


def test_an_api_write_without_valid_credentials_is_not_stored(token_client, mahalla):
    key = _key()
    anonymous, wrong = APIClient(), APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    for client in (anonymous, wrong):
        response = client.post(RECORDS_CREATE, _record(mahalla), format="json", **key)
        assert response.status_code in (401, 403)
    assert not IdempotencyKey.objects.exists()
    response = token_client.post(RECORDS_CREATE, _record(mahalla), format="json", **key)
    assert response.status_code == 201


def test_a_refused_form_is_stored_and_shows_the_same_message(page_client, demo_user, mahalla):
    # given
    page_client.force_login(demo_user("inspector"))
    key = _key()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    before = PreventionRecord.objects.count()
    # when
    first = page_client.post(reverse(RECORD_FORM), _record(mahalla, date=tomorrow), **key)
    again = page_client.post(reverse(RECORD_FORM), _record(mahalla, date=tomorrow), **key)
    # then: the same page, with a CSRF token of this request's own
    assert first.status_code == again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"
    assert CSRF_VALUE.sub(b"", again.content) == CSRF_VALUE.sub(b"", first.content)
    tokens = re.findall(rb'name="csrfmiddlewaretoken" value="([^"]+)"', again.content)
    assert tokens and all(len(token) == 64 for token in tokens)
    stored = bytes(IdempotencyKey.objects.get().body)
    assert b'name="csrfmiddlewaretoken" value=""' in stored
    assert PreventionRecord.objects.count() == before


def test_a_refused_api_write_is_replayed(session_client, mahalla):
    key = _key()
    payload = _record(mahalla, people_reached=-1)
    first = session_client.post(RECORDS_CREATE, payload, format="json", **key)
    again = session_client.post(RECORDS_CREATE, payload, format="json", **key)
    assert first.status_code == 400
    assert (again.status_code, again.json()) == (400, first.json())
    assert again["Idempotent-Replayed"] == "true"


def test_a_server_error_is_not_stored_and_the_retry_runs(demo_user, mahalla):
    # given
    client = Client(raise_request_exception=False)
    client.force_login(demo_user("inspector"))
    key = _key()
    before = PreventionRecord.objects.count()
    # when
    with patch("prevention.views.records.record_create", side_effect=RuntimeError("disk full")):
        failed = client.post(reverse(RECORD_FORM), _record(mahalla), **key)
    retried = client.post(reverse(RECORD_FORM), _record(mahalla), **key)
    # then
    assert failed.status_code == 500
    assert retried.status_code == 302
    assert "Idempotent-Replayed" not in retried
    assert PreventionRecord.objects.count() == before + 1


def test_users_do_not_see_each_others_answers(api_client, demo_user, mahalla):
    # given: the same key, sent by two inspectors for their own mahallas
    key = _key()
    other = (
        Inspector.objects.filter(post__territory__path__startswith="17/1703/")
        .select_related("user")
        .first()
        .user
    )
    other_mahalla = other.memberships.get(role=Role.INSPECTOR).territory
    api_client.force_login(demo_user("inspector"))
    mine = api_client.post(RECORDS_CREATE, _record(mahalla), format="json", **key)
    # when
    api_client.force_login(other)
    theirs = api_client.post(RECORDS_CREATE, _record(other_mahalla), format="json", **key)
    # then
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json()["id"] != mine.json()["id"]
    assert IdempotencyKey.objects.count() == 2


# --- Keys and their absence -----------------------------------------------------------------


def test_a_malformed_key_is_a_400(session_client, page_client, demo_user, mahalla):
    before = PreventionRecord.objects.count()
    bad = {"HTTP_IDEMPOTENCY_KEY": "not-a-uuid", "HTTP_ACCEPT_LANGUAGE": "en"}
    api = session_client.post(RECORDS_CREATE, _record(mahalla), format="json", **bad)
    page_client.force_login(demo_user("inspector"))
    page = page_client.post(reverse(RECORD_FORM), _record(mahalla), **bad)
    assert api.status_code == page.status_code == 400
    assert api.json() == {"detail": "The Idempotency-Key header must be a UUID."}
    assert page.content.decode() == "The Idempotency-Key header must be a UUID."
    assert PreventionRecord.objects.count() == before


def test_without_a_key_each_write_is_applied(session_client, mahalla):
    before = PreventionRecord.objects.count()
    for _ in range(2):
        response = session_client.post(RECORDS_CREATE, _record(mahalla), format="json")
        assert response.status_code == 201
    assert PreventionRecord.objects.count() == before + 2
    assert not IdempotencyKey.objects.exists()


def test_reads_ignore_the_key(session_client):
    response = session_client.get(f"{API}/records/", HTTP_IDEMPOTENCY_KEY="not-a-uuid")
    assert response.status_code == 200
    assert not IdempotencyKey.objects.exists()


def test_the_purge_deletes_old_keys_only(settings):
    # given
    now = timezone.now()
    ttl = timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    old, recent = (
        IdempotencyKey.objects.create(
            owner="user:1", key=uuid.uuid4(), fingerprint="0" * 64, created_at=created_at
        )
        for created_at in (now - ttl - timedelta(minutes=1), now - ttl + timedelta(minutes=1))
    )
    # when
    idempotency_keys_purge_task()
    # then
    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [recent.pk]
    assert settings.CELERY_BEAT_SCHEDULE["idempotency-keys-purge"]["task"] == (
        "core.tasks.idempotency_keys_purge_task"
    )


def test_the_schema_documents_the_header_on_writes(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    def header(path: str, method: str) -> dict | None:
        parameters = schema["paths"][path][method].get("parameters", [])
        return next((p for p in parameters if p["name"] == "Idempotency-Key"), None)

    create = header("/api/v1/records/create/", "post")
    assert create["in"] == "header" and create["required"] is False
    assert create["schema"] == {"type": "string", "format": "uuid"}
    assert "409" in schema["paths"]["/api/v1/records/create/"]["post"]["responses"]
    assert header("/api/v1/activities/{id}/update/", "patch")
    assert header("/api/v1/records/", "get") is None
