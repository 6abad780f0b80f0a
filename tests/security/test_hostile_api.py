"""The API refuses the text the pages refuse: markup, text-direction controls and null bytes in
any text field of any operation that writes (core.serializers.PlainTextInputSerializer), with
a 400 that names the field, and nothing saved.

The table is the schema itself: every write operation is found by enumerating the API's
endpoints, so a new operation whose input serializer does not refuse such text fails here.
"""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from drf_spectacular.generators import EndpointEnumerator
from rest_framework import serializers
from rest_framework.test import APIClient, APIRequestFactory

from accounts.models import User
from core.serializers import PlainTextInputSerializer, _text_fields
from partnership.models import InformationRequest, Organisation
from prevention.models import PreventionRecord
from tests.security.test_hostile_forms import World

pytestmark = pytest.mark.django_db

# Each hostile text and the error code it must be refused with.
HOSTILE = {
    "script": ("<script>alert(1)</script>", "markup"),
    "img-onerror": ('<img src=x onerror="alert(1)">', "markup"),
    "closing-tag": ("matn </textarea><b>qalin</b>", "markup"),
    "rlo": ("hisobot\u202efdp.exe", "bidi_control"),
    "isolate": ("\u2067matn\u2069", "bidi_control"),
    "nul": ("matn\x00matn", "null_characters_not_allowed"),
}

WRITE_METHODS = {"POST", "PUT", "PATCH"}

# Write operations that read no body: nothing to refuse.
BODYLESS = {
    "ActivityConfirmApi": "confirming takes no input",
    "StaffDeactivateApi": "deactivating takes no input",
}


def _write_views() -> dict[str, type]:
    views = {}
    for _path, _regex, method, callback in EndpointEnumerator().get_api_endpoints():
        if method in WRITE_METHODS:
            views[callback.cls.__name__] = callback.cls
    return views


WRITE_VIEWS = _write_views()


def _text_field_cases():
    for view_name, view in sorted(WRITE_VIEWS.items()):
        if view_name in BODYLESS:
            continue
        fields = view.InputSerializer().fields
        for name, field in fields.items():
            if not any(True for _ in _text_fields(field)):
                continue
            for label, (value, code) in HOSTILE.items():
                yield pytest.param(view, name, value, code, id=f"{view_name}:{name}:{label}")


TEXT_FIELD_CASES = list(_text_field_cases())


def test_the_write_operations_are_found():
    # Guards the enumeration itself: an empty table would make every test below pass.
    assert len(WRITE_VIEWS) >= 40
    assert {"RecordCreateApi", "OrganisationApplyApi", "NominationSubmitApi"} <= set(WRITE_VIEWS)
    assert len(TEXT_FIELD_CASES) >= 60 * len(HOSTILE)  # 65 text fields today


@pytest.mark.parametrize("view_name", sorted(WRITE_VIEWS))
def test_every_write_operation_refuses_markup_in_its_input(view_name):
    view = WRITE_VIEWS[view_name]
    if view_name in BODYLESS:
        assert not hasattr(view, "InputSerializer"), f"{view_name} reads input now"
        return
    assert issubclass(view.InputSerializer, PlainTextInputSerializer), (
        f"{view_name}.InputSerializer must derive from PlainTextInputSerializer"
    )


def _codes(errors) -> set[str]:
    """Every error code in a field's errors, nested lists and dictionaries included."""
    if isinstance(errors, dict):
        return set().union(*map(_codes, errors.values())) if errors else set()
    if isinstance(errors, list):
        return set().union(*map(_codes, errors)) if errors else set()
    return {errors.code}


@pytest.mark.parametrize(("view", "name", "value", "code"), TEXT_FIELD_CASES)
def test_each_text_field_refuses_the_hostile_value(view, name, value, code):
    request = APIRequestFactory().post("/")
    request.user = User.objects.get(username="admin")
    field = view.InputSerializer().fields[name]
    given = [value] if isinstance(field, serializers.ListField) else value
    if isinstance(field, serializers.DictField):
        given = {"key": value}
    data = view.InputSerializer(data={name: given}, context={"request": request})
    assert not data.is_valid()
    assert code in _codes(data.errors.get(name, [])), data.errors.get(name)


def test_a_password_is_not_checked_for_markup():
    # A password may hold any character: it is compared, never shown.
    view = WRITE_VIEWS["TokenObtainApi"]
    data = view.InputSerializer(data={"username": "ngo.staff", "password": "<b>\u202e</b>"})
    assert data.is_valid(), data.errors


# --- Through the API, end to end ------------------------------------------------------------


def _api(username: str | None) -> APIClient:
    client = APIClient(headers={"Accept-Language": "en"})
    if username is not None:
        client.force_authenticate(User.objects.get(username=username))
    return client


def _record(world: World):
    return (
        "inspector",
        "/api/v1/records/create/",
        {
            "kind": "general",
            "measure": "preventive_talk",
            "mahalla": world.mahalla.pk,
            "date": world.today.isoformat(),
            "summary": "Yoshlar bilan suhbat",
        },
        "summary",
        lambda: PreventionRecord.objects.count(),
    )


def _organisation(world: World):
    return (
        None,
        "/api/v1/organisations/apply/",
        {
            "name": "Sinov jamoat birlashmasi",
            "kind": Organisation.Kind.choices[0][0],
            "registration_number": "HK-API-0001",
            "territory": world.mahalla.pk,
            "applicant_name": "Sinov Sinovov",
            "applicant_email": "sinov@example.uz",
        },
        "name",
        lambda: Organisation.objects.count(),
    )


def _request(world: World):
    return (
        "officer.district",
        "/api/v1/information-requests/create/",
        {
            "direction": InformationRequest.Direction.TO_ORGANISATION,
            "organisation": world.org.pk,
            "unit": world.agreement().unit_id,
            "subject": "Maʼlumot soʻrovi",
            "text": "Iltimos, maʼlumot bering",
            "due_date": (world.today + timedelta(days=15)).isoformat(),
        },
        "text",
        lambda: InformationRequest.objects.count(),
    )


ENDPOINTS = {"record-create": _record, "organisation-apply": _organisation, "request": _request}


@pytest.fixture
def world() -> Iterator[World]:
    # The public operations are throttled per address, and every post here comes from one.
    cache.clear()
    yield World()
    cache.clear()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_valid_payload_is_accepted(endpoint, world):
    """The payloads are right: a refusal below is that of the hostile value."""
    username, url, payload, _field, rows = ENDPOINTS[endpoint](world)
    before = rows()
    response = _api(username).post(url, payload, format="json")
    assert response.status_code == 201, response.content
    assert rows() == before + 1


@pytest.mark.parametrize("label", HOSTILE)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_hostile_text_is_refused_by_the_api_and_nothing_is_saved(endpoint, label, world):
    username, url, payload, field, rows = ENDPOINTS[endpoint](world)
    value, code = HOSTILE[label]
    before = rows()
    response = _api(username).post(url, {**payload, field: value}, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in str(errors), errors
    if code == "markup":
        assert "HTML markup" in str(errors), errors
    assert rows() == before
