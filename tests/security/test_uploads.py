"""Bad files through every page and API operation that takes files: each refused with a
message on the file's field saying why, nothing saved; names never reach the storage path;
stored files served only as the photo or PDF they were checked to be, never as something a
browser runs.

Two guards keep the tables whole: every form of the portal with a file field has a page row,
and every operation of the API schema with a file in its body has an operation row, so a new
upload is tested here the day it appears.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from pathlib import PurePosixPath

import pytest
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accountability.views.public import VerifyForm
from accounts.models import User
from core.exceptions import ApplicationError
from core.forms import MultipleFileField
from core.uploads import UploadLimitHandler, stored_file_response, upload_check
from incentives import forms as incentive_forms
from incentives.models import IncentiveGround, Nomination, NominationEvidence
from partnership.models import (
    ActivityEvidence,
    Agreement,
    AgreementDocument,
    InformationRequest,
    JointActivity,
    Obligation,
    RequestAttachment,
)
from tests.security.test_hostile_forms import (
    FORMS,
    PNG,
    FormSpec,
    Posted,
    World,
    _count,
    _forms_in,
    _nomination,
    _payload,
    _rows,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
LIMIT = 4096  # UPLOAD_MAX_BYTES in these tests: an oversized file stays small

# Each bad file: its name, its bytes, and words the refusal must contain.
BAD_FILES = {
    "oversized": ("katta.pdf", PDF + b"0" * LIMIT, "at most"),
    "empty": ("bosh.pdf", b"", "empty"),
    "executable-as-pdf": ("hujjat.pdf", EXE, "not a photo"),
    "html-as-png": ("surat.png", HTML, "web page"),
    "svg-as-png": ("surat.png", SVG, "SVG"),
    "svg": ("chizma.svg", SVG, "SVG"),
    "text-as-jpg": ("surat.jpg", b"just some text, not a photo", "not a photo"),
}

# Names an uploader may give, with the content sent under each, whose type the stored
# extension must follow. They go in a multipart body written here: Django's test client keeps
# only the base name of a file, so through it no path would ever reach the server.
GIVEN_NAMES = {
    "dot-dot": ("../../etc/passwd.png", PNG),
    "backslashes": ("..\\..\\x.pdf", PDF),
    "absolute": ("/etc/passwd.pdf", PDF),
    "windows-absolute": ("C:\\Windows\\x.pdf", PDF),
    "drive-relative": ("C:x.pdf", PDF),
    "html-name": ("x.html", PDF),
}
EXTENSIONS = {PNG: ".png", PDF: ".pdf"}

STORED_NAME = re.compile(
    r"^partnership/(activityevidence|agreementdocument|requestattachment|nominationevidence"
    r"|obligation)/[0-9a-f]{32}(\.(pdf|png|jpg|jpeg|webp))?$"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_MAX_BYTES = LIMIT
    settings.RATELIMIT_ENABLE = False
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db) -> World:
    return World()


def _stored_files(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def _stored_names() -> set[str]:
    """The names of every stored upload the database refers to."""
    names = {
        name
        for model in (ActivityEvidence, AgreementDocument, RequestAttachment, NominationEvidence)
        for name in model.objects.values_list("file", flat=True)
    }
    return names | set(
        Obligation.objects.exclude(evidence_file="").values_list("evidence_file", flat=True)
    )


def _assert_generated(name: str, content: bytes) -> None:
    assert STORED_NAME.match(name), name
    assert PurePosixPath(name).suffix == EXTENSIONS[content], name


def _messages(response) -> str:
    """Every error the response shows: form errors of the page, or the API's JSON."""
    if response.get("Content-Type", "").startswith("application/json"):
        return str(response.json())
    return " ".join(
        str(message)
        for form in _forms_in(response)
        if form.is_bound
        for errors in form.errors.values()
        for message in errors
    )


def _field_errors(response, field: str) -> str:
    return " ".join(
        str(message)
        for form in _forms_in(response)
        if form.is_bound and field in form.errors
        for message in form.errors[field]
    )


BOUNDARY = "hamkorlik-upload-boundary-7MA4YWxkTrZu0gW"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def _multipart(fields: dict, file_field: str, filename: str, content: bytes) -> bytes:
    """A multipart body carrying `filename` exactly as given, path and all."""
    lines = []
    for name, value in fields.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            lines += [f"--{BOUNDARY}", f'Content-Disposition: form-data; name="{name}"', "", item]
    lines += [
        f"--{BOUNDARY}",
        f'Content-Disposition: form-data; name="{file_field}"; filename="{filename}"',
        "Content-Type: application/octet-stream",
        "",
    ]
    head = "".join(f"{line}\r\n" for line in map(str, lines)).encode()
    return head + content + f"\r\n--{BOUNDARY}--\r\n".encode()


# --- The pages that take files --------------------------------------------------------------


def _nomination_evidence_add(world) -> Posted:
    nomination = _nomination(world)
    return Posted(
        reverse("incentives:nomination-detail", args=[nomination.pk]),
        reverse("incentives:nomination-evidence-add", args=[nomination.pk]),
        _count(NominationEvidence),
    )


# Forms with no field but their files, which the table of test_hostile_forms has no value to
# try on; a row there of the same name takes the place of the one here.
UPLOAD_ONLY_FORMS = [
    FormSpec(
        "nomination-evidence-add",
        incentive_forms.EvidenceForm,
        "commission",
        _nomination_evidence_add,
    ),
]
SPECS = {spec.name: spec for spec in [*UPLOAD_ONLY_FORMS, *FORMS]}

# Each page that takes files: its form's row, its file field, and the rows of its files.
PAGE_UPLOADS = [
    ("activity-create", "files", ActivityEvidence),
    ("activity-edit", "files", ActivityEvidence),
    ("agreement-create", "documents", AgreementDocument),
    ("obligation-complete", "evidence_file", None),  # stored on the obligation's own row
    ("request-create", "files", RequestAttachment),
    ("nomination-create", "files", NominationEvidence),
    ("nomination-evidence-add", "files", NominationEvidence),
]

# Forms that take a file but keep none: the report check hashes the file it is given to find
# the published report (HTML, PDF or CSV) with that digest, and stores nothing.
STORES_NO_FILE = {VerifyForm}
PROJECT_APPS = {
    "accounts",
    "accountability",
    "core",
    "incentives",
    "mahalla",
    "partnership",
    "prevention",
}


def _page_state(posted: Posted, files_model) -> tuple:
    return posted.state(), files_model.objects.count() if files_model else 0


def _forms_with_file_fields() -> set[type]:
    import_module(settings.ROOT_URLCONF)  # imports every view, and so every form
    found, unseen = set(), [forms.BaseForm]
    while unseen:
        for form_class in unseen.pop().__subclasses__():
            unseen.append(form_class)
            if form_class.__module__.split(".")[0] in PROJECT_APPS and any(
                isinstance(field, forms.FileField) for field in form_class.base_fields.values()
            ):
                found.add(form_class)
    return found


def test_every_form_with_a_file_field_has_a_page_row():
    found = _forms_with_file_fields()
    assert VerifyForm in found  # the search itself works
    in_table = {SPECS[name].form_class for name, _field, _files in PAGE_UPLOADS}
    assert found - STORES_NO_FILE == in_table


@pytest.mark.parametrize("bad", BAD_FILES, ids=list(BAD_FILES))
@pytest.mark.parametrize(
    ("form_name", "file_field", "files_model"),
    PAGE_UPLOADS,
    ids=[row[0] for row in PAGE_UPLOADS],
)
def test_a_bad_file_is_refused_on_the_page_with_a_clear_message(
    form_name, file_field, files_model, bad, world, media
):
    # given
    name, content, words = BAD_FILES[bad]
    client, posted, form, data = _payload(SPECS[form_name], world)
    before = _page_state(posted, files_model)
    # when
    response = client.post(
        posted.post,
        {**data, form.add_prefix(file_field): SimpleUploadedFile(name, content)},
    )
    # then: the page again, with the refusal on the file's field
    errors = _field_errors(response, file_field)
    assert response.status_code in (200, 400), response.status_code
    assert words.lower() in errors.lower(), (errors, _messages(response))
    assert _page_state(posted, files_model) == before
    assert _stored_files(media) == []


@pytest.mark.parametrize("bad", BAD_FILES, ids=list(BAD_FILES))
def test_the_report_check_keeps_no_file_it_is_given(bad, media):
    name, content, _words = BAD_FILES[bad]
    response = Client().post(
        reverse("accountability:report-verify"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code in (200, 400)
    assert b"<script>alert(1)</script>" not in response.content
    assert _stored_files(media) == []


# --- The API operations that take files -----------------------------------------------------


@dataclass(frozen=True)
class ApiUpload:
    """One operation taking files: who calls it, and what it needs besides the file."""

    operation: str  # its operationId in the schema
    role: str
    file_field: str
    # The URL, the payload without the file, and the rows the operation writes.
    setup: Callable[[World], tuple[str, dict, Callable[[], object]]]
    method: str = "post"
    many: bool = True  # a list of files, or one


def _counts(*models) -> Callable[[], tuple]:
    return lambda: tuple(model.objects.count() for model in models)


def _agreement_create(world):
    agreement = world.agreement()
    payload = {
        "number": "M-SEC-1",
        "title": "Memorandum",
        "unit": agreement.unit_id,
        "organisations": [world.org.pk],
        "valid_from": world.today.isoformat(),
        "valid_to": (world.today + timedelta(days=365)).isoformat(),
    }
    return "/api/v1/agreements/create/", payload, _counts(Agreement, AgreementDocument)


def _obligation_complete(world):
    obligation = Obligation.objects.create(
        agreement=world.agreement(),
        text="Oylik tadbir",
        party=Obligation.Party.ORGANISATION,
        organisation=world.org,
        due_date=world.today + timedelta(days=30),
    )
    url = f"/api/v1/obligations/{obligation.pk}/complete/"
    return (
        url,
        {"evidence": "Tadbir oʻtkazildi"},
        _rows(Obligation.objects.filter(pk=obligation.pk)),
    )


def _activity_log(world):
    agreement = world.agreement()
    payload = {
        "agreement": agreement.pk,
        "unit": agreement.unit_id,
        "place": world.mahalla.pk,
        "kind": "legal_awareness",
        "date": (world.today - timedelta(days=1)).isoformat(),
        "participants_youth": 5,
        "description": "Huquqiy targʻibot",
    }
    return "/api/v1/activities/log/", payload, _counts(JointActivity, ActivityEvidence)


def _activity_update(world):
    activity = world.activity()
    activity_rows = _rows(JointActivity.objects.filter(pk=activity.pk))

    def rows():
        return activity_rows(), ActivityEvidence.objects.count()

    return f"/api/v1/activities/{activity.pk}/update/", {"outcome": "Dalillar qoʻshildi"}, rows


def _request_create(world):
    payload = {
        "direction": InformationRequest.Direction.TO_UNIT,
        "organisation": world.org.pk,
        "unit": world.agreement().unit_id,
        "subject": "Maʼlumot soʻrovi",
        "text": "Iltimos, maʼlumot bering",
    }
    url = "/api/v1/information-requests/create/"
    return url, payload, _counts(InformationRequest, RequestAttachment)


def _nomination_submit(world):
    payload = {
        "kind": "citizen",
        "ground": IncentiveGround.objects.get(code="prevention").pk,
        "facts": "Jinoyatning oldini oldi",
        "event_date": (world.today - timedelta(days=5)).isoformat(),
        "mahalla": world.mahalla.pk,
        "proposed_amount": 0,
        "full_name": "Sinov Sinovov",
        "document_number": "AB7654321",
    }
    return "/api/v1/nominations/submit/", payload, _counts(Nomination, NominationEvidence)


def _nomination_evidence_add_api(world):
    nomination = _nomination(world)
    url = f"/api/v1/nominations/{nomination.pk}/evidence/add/"
    return url, {}, _count(NominationEvidence)


API_UPLOADS = [
    ApiUpload("agreement_create", "ngo.staff", "documents", _agreement_create),
    ApiUpload(
        "obligation_complete", "ngo.staff", "evidence_file", _obligation_complete, many=False
    ),
    ApiUpload("activity_log", "ngo.staff", "files", _activity_log),
    ApiUpload("activity_update", "ngo.staff", "files", _activity_update, method="patch"),
    ApiUpload("request_create", "ngo.staff", "files", _request_create),
    ApiUpload("nomination_submit", "inspector", "files", _nomination_submit),
    ApiUpload("nomination_evidence_add", "commission", "files", _nomination_evidence_add_api),
]
API_IDS = [upload.operation for upload in API_UPLOADS]


def _api(role: str) -> APIClient:
    client = APIClient(headers={"Accept-Language": "en"})
    client.force_login(User.objects.get(username=role))
    return client


def _api_send(upload: ApiUpload, world, files: list, *, format="multipart"):
    url, payload, rows = upload.setup(world)
    before = rows()
    data = {**payload, upload.file_field: files if upload.many else files[0]}
    response = getattr(_api(upload.role), upload.method)(url, data, format=format)
    return response, before, rows


def _api_errors_on(body: dict, field: str) -> str:
    """The API's errors for one field: a service's refusal names its field beside the
    message, the serializer's are keyed by it."""
    if body.get("field") == field:
        return str(body.get("detail", ""))
    return str(body.get(field, ""))


def _is_binary(node) -> bool:
    return isinstance(node, dict) and (
        node.get("format") == "binary" or _is_binary(node.get("items"))
    )


def _operations_taking_files() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    found = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            for body in operation.get("requestBody", {}).get("content", {}).values():
                ref = body["schema"].get("$ref", "")
                body_schema = components[ref.rsplit("/", 1)[-1]] if ref else body["schema"]
                if any(map(_is_binary, body_schema.get("properties", {}).values())):
                    found.add(operation["operationId"])
    return found


def test_every_api_operation_taking_a_file_has_a_row():
    assert _operations_taking_files() == set(API_IDS)


@pytest.mark.parametrize("bad", BAD_FILES, ids=list(BAD_FILES))
@pytest.mark.parametrize("upload", API_UPLOADS, ids=API_IDS)
def test_a_bad_file_is_refused_by_the_api_with_a_clear_message(upload, bad, world, media):
    # given
    name, content, words = BAD_FILES[bad]
    # when
    response, before, rows = _api_send(upload, world, [SimpleUploadedFile(name, content)])
    # then
    assert response.status_code == 400, response.content
    body = response.json()
    assert words.lower() in _api_errors_on(body, upload.file_field).lower(), body
    assert rows() == before
    assert _stored_files(media) == []


@pytest.mark.parametrize("upload", API_UPLOADS, ids=API_IDS)
def test_a_big_upload_through_the_api_is_refused_by_its_size(upload, settings, world, media):
    # given: requests over 1 KB go to the limiting handler, which keeps at most LIMIT bytes
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.UPLOAD_RECEIVE_MAX_BYTES = LIMIT
    big = SimpleUploadedFile("katta.pdf", PDF + b"0" * (LIMIT * 3))
    # when
    response, before, rows = _api_send(upload, world, [big])
    # then
    assert response.status_code == 400, response.content
    assert "at most" in _api_errors_on(response.json(), upload.file_field)
    assert rows() == before
    assert _stored_files(media) == []


@pytest.mark.parametrize("upload", API_UPLOADS, ids=API_IDS)
def test_text_where_a_file_goes_is_refused_by_the_api(upload, world, media):
    response, before, rows = _api_send(upload, world, ["../../etc/passwd"], format="json")
    assert response.status_code == 400, response.content
    assert "not a file" in _api_errors_on(response.json(), upload.file_field)
    assert rows() == before
    assert _stored_files(media) == []


# Where several files go at once: the pages' rows and the operations taking a list.
MANY_FILES = [
    *[
        pytest.param("page", row, id=f"page:{row[0]}")
        for row in PAGE_UPLOADS
        if isinstance(SPECS[row[0]].form_class.base_fields[row[1]], MultipleFileField)
    ],
    *[pytest.param("api", u, id=f"api:{u.operation}") for u in API_UPLOADS if u.many],
]


@pytest.mark.parametrize(("kind", "target"), MANY_FILES)
def test_a_good_file_sent_with_a_bad_one_is_not_kept_either(kind, target, world, media):
    # given: a photo, then a drawing that is refused
    files = [SimpleUploadedFile("surat.png", PNG), SimpleUploadedFile("chizma.svg", SVG)]
    # when
    if kind == "page":
        form_name, file_field, files_model = target
        client, posted, form, data = _payload(SPECS[form_name], world)
        before = _page_state(posted, files_model)
        response = client.post(posted.post, {**data, form.add_prefix(file_field): files})
        errors, after = _field_errors(response, file_field), _page_state(posted, files_model)
    else:
        response, before, rows = _api_send(target, world, files)
        errors, after = _api_errors_on(response.json(), target.file_field), rows()
    # then: all refused for the one, and the photo not stored alone
    assert response.status_code in (200, 400) and "chizma.svg" in errors, errors
    assert after == before
    assert _stored_files(media) == []


# --- The names uploaders give ---------------------------------------------------------------

# A page storing its files as records of their own, and the one whose stored name keeps the
# given extension (an obligation's evidence).
NAME_PAGES = ("activity-create", "obligation-complete")

NAME_TARGETS = [
    *[pytest.param("page", name, id=f"page:{name}") for name in NAME_PAGES],
    *[pytest.param("api", upload, id=f"api:{upload.operation}") for upload in API_UPLOADS],
]


def _send_named(kind: str, target, world, filename: str, content: bytes):
    """Posts one good file under `filename` through a page (its row's name) or an API
    operation; the status it must answer with."""
    if kind == "page":
        file_field = {row[0]: row[1] for row in PAGE_UPLOADS}[target]
        client, posted, form, data = _payload(SPECS[target], world)
        body = _multipart(data, form.add_prefix(file_field), filename, content)
        return client.post(posted.post, body, content_type=MULTIPART), {302}
    url, payload, _written = target.setup(world)
    body = _multipart(payload, target.file_field, filename, content)
    client = _api(target.role)
    return getattr(client, target.method)(url, body, content_type=MULTIPART), {200, 201}


@pytest.mark.parametrize("given", GIVEN_NAMES, ids=list(GIVEN_NAMES))
@pytest.mark.parametrize(("kind", "target"), NAME_TARGETS)
def test_the_uploaders_name_never_reaches_the_storage_path(
    kind, target, given, world, media, tmp_path
):
    # given
    filename, content = GIVEN_NAMES[given]
    before = _stored_names()
    # when
    response, accepted = _send_named(kind, target, world, filename, content)
    # then: one file, under a generated name inside MEDIA_ROOT, and nothing anywhere else
    assert response.status_code in accepted, _messages(response)
    [name] = _stored_names() - before
    _assert_generated(name, content)
    [stored] = _stored_files(tmp_path)
    assert stored == media / name
    assert stored.resolve().is_relative_to(media.resolve())
    assert stored.read_bytes() == content


def test_a_document_title_keeps_only_the_base_name(world, media):
    client, posted, form, data = _payload(SPECS["agreement-create"], world)
    body = _multipart(data, "documents", "../../etc/shartnoma.pdf", PDF)
    response = client.post(posted.post, body, content_type=MULTIPART)
    assert response.status_code == 302, _messages(response)
    document = AgreementDocument.objects.latest("pk")
    assert document.title == "shartnoma.pdf"
    _assert_generated(document.file.name, PDF)


def test_a_name_with_a_null_byte_is_refused_or_stored_under_a_generated_name(world, media):
    client, posted, form, data = _payload(SPECS["activity-create"], world)
    before = _stored_names()
    body = _multipart(data, "files", "a\x00.pdf", PDF)
    response = client.post(posted.post, body, content_type=MULTIPART)
    assert response.status_code in (302, 400)
    for name in _stored_names() - before:
        _assert_generated(name, PDF)


# --- The checks themselves ------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_FILES, ids=list(BAD_FILES))
def test_upload_check_names_the_file_and_the_problem(bad):
    name, content, words = BAD_FILES[bad]
    with pytest.raises(ApplicationError) as refusal:
        upload_check(SimpleUploadedFile(name, content), field="files")
    assert name in refusal.value.message
    assert words.lower() in refusal.value.message.lower()
    assert refusal.value.extra == {"field": "files"}


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [("a.pdf", PDF, "application/pdf"), ("a.png", PNG, "image/png"), ("a.pdf", PNG, "image/png")],
)
def test_upload_check_reads_the_type_from_the_content(name, content, mime):
    assert upload_check(SimpleUploadedFile(name, content)) == mime


def test_an_oversized_file_is_not_kept_whole_while_it_is_received(settings):
    # given: a receive limit of 1 KB, and a file of 4 KB arriving in 1 KB chunks
    settings.UPLOAD_RECEIVE_MAX_BYTES = settings.UPLOAD_MAX_BYTES = 1024
    handler = UploadLimitHandler()
    handler.new_file("files", "katta.pdf", "application/pdf", 4096)
    # when
    for start in range(0, 4096, 1024):
        handler.receive_data_chunk(PDF[:8] + b"0" * 1016, start)
    received = handler.file_complete(4096)
    # then: the size is the real one (so the check refuses it), the bytes kept are not
    assert received.size == 4096
    assert len(received.read()) == 1024
    with pytest.raises(ApplicationError, match="at most"):
        upload_check(received)


def test_a_big_upload_through_the_page_is_refused_by_its_size(settings, world, media):
    # given: requests over 1 KB go to the limiting handler instead of memory
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.UPLOAD_RECEIVE_MAX_BYTES = LIMIT
    client, posted, form, data = _payload(SPECS["activity-create"], world)
    before = ActivityEvidence.objects.count()
    # when
    big = SimpleUploadedFile("katta.pdf", PDF + b"0" * (LIMIT * 3))
    response = client.post(posted.post, {**data, "files": big})
    # then
    assert response.status_code == 400
    assert "at most" in _field_errors(response, "files")
    assert ActivityEvidence.objects.count() == before
    assert _stored_files(media) == []


# --- Serving stored files -------------------------------------------------------------------


def _evidence(world, name: str, content: bytes) -> ActivityEvidence:
    client, posted, form, data = _payload(SPECS["activity-create"], world)
    response = client.post(posted.post, {**data, "files": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, _messages(response)
    return ActivityEvidence.objects.latest("pk")


def _assert_served_safely(response, content_type: str, disposition: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith(f"{disposition};")
    assert "sandbox" in response["Content-Security-Policy"]
    assert "html" not in response["Content-Type"] and "svg" not in response["Content-Type"]


@pytest.mark.parametrize(
    ("name", "content", "content_type", "disposition"),
    [
        ("surat.png", PNG, "image/png", "inline"),
        ("hujjat.pdf", PDF, "application/pdf", "attachment"),
        ("hujjat.png", PDF, "application/pdf", "attachment"),
    ],
    ids=["photo-inline", "pdf-attachment", "pdf-named-png"],
)
def test_stored_files_are_served_as_their_checked_type(
    name, content, content_type, disposition, world
):
    evidence = _evidence(world, name, content)
    for role, url in [
        (
            "ngo.staff",
            reverse("partnership:activity-evidence", args=[evidence.activity_id, evidence.pk]),
        ),
        ("ngo.staff", f"/api/v1/activities/{evidence.activity_id}/evidence/{evidence.pk}/"),
    ]:
        client = Client()
        client.force_login(User.objects.get(username=role))
        response = client.get(url)
        _assert_served_safely(response, content_type, disposition)
        assert b"".join(response.streaming_content) == content


def test_agreement_documents_and_obligation_evidence_are_served_safely(world):
    client, posted, form, data = _payload(SPECS["agreement-create"], world)
    response = client.post(
        posted.post, {**data, "documents": SimpleUploadedFile("memorandum.pdf", PDF)}
    )
    assert response.status_code == 302, _messages(response)
    document = AgreementDocument.objects.latest("pk")
    url = reverse("partnership:agreement-document", args=[document.agreement_id, document.pk])
    _assert_served_safely(client.get(url), "application/pdf", "attachment")
    api = f"/api/v1/agreements/{document.agreement_id}/documents/{document.pk}/"
    _assert_served_safely(client.get(api), "application/pdf", "attachment")


def test_a_stored_file_of_an_unchecked_type_goes_out_as_bytes_to_download(world, media):
    # given: a row written straight to the database, as before types were checked
    evidence = _evidence(world, "surat.png", PNG)
    ActivityEvidence.objects.filter(pk=evidence.pk).update(content_type="text/html")
    evidence.refresh_from_db()
    # when
    response = stored_file_response(
        evidence.file, content_type=evidence.content_type, filename="x.html"
    )
    # then
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_nomination_evidence_file_is_served_safely(world, settings):
    client, posted, form, data = _payload(SPECS["nomination-create"], world)
    response = client.post(posted.post, {**data, "files": SimpleUploadedFile("surat.png", PNG)})
    assert response.status_code == 302, _messages(response)
    evidence = NominationEvidence.objects.latest("pk")
    commission = Client()
    commission.force_login(User.objects.get(username="commission"))
    url = reverse("incentives:nomination-evidence", args=[evidence.nomination_id, evidence.pk])
    _assert_served_safely(commission.get(url), "image/png", "inline")
