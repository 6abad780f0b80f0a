"""Bad files through every page and API endpoint that takes files: each refused with a message
saying why, nothing saved; names never reach the storage path; stored files served only as
the photo or PDF they were checked to be, never as something a browser runs."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from core.exceptions import ApplicationError
from core.uploads import UploadLimitHandler, stored_file_response, upload_check
from incentives.models import Nomination, NominationEvidence
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
    World,
    _forms_in,
    _payload,
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

# The pages that take files: the form table's name, its file field, and the stored files.
PAGE_UPLOADS = [
    ("activity-create", "files", JointActivity, ActivityEvidence),
    ("agreement-create", "documents", Agreement, AgreementDocument),
    ("obligation-complete", "evidence_file", Obligation, None),
    ("request-create", "files", InformationRequest, RequestAttachment),
    ("nomination-create", "files", Nomination, NominationEvidence),
]
SPECS = {spec.name: spec for spec in FORMS}
STORED_NAME = re.compile(
    r"^partnership/(activityevidence|agreementdocument|requestattachment|nominationevidence"
    r"|obligation)/[0-9a-f]{32}\.(pdf|png|jpg|jpeg|webp)$"
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


def _state(model, files_model, world):
    rows = [model.objects.count(), files_model.objects.count() if files_model else 0]
    if model is Obligation:  # completing writes the obligation itself
        rows.append(sorted(map(repr, Obligation.objects.values())))
    return rows


@pytest.mark.parametrize("bad", BAD_FILES, ids=list(BAD_FILES))
@pytest.mark.parametrize(
    ("form_name", "file_field", "model", "files_model"),
    PAGE_UPLOADS,
    ids=[row[0] for row in PAGE_UPLOADS],
)
def test_a_bad_file_is_refused_on_the_page_with_a_clear_message(
    form_name, file_field, model, files_model, bad, world, media
):
    # given
    name, content, words = BAD_FILES[bad]
    client, posted, form, data = _payload(SPECS[form_name], world)
    posted.files = {}
    before = _state(model, files_model, world)
    # when
    response = client.post(
        posted.post,
        {**data, form.add_prefix(file_field): SimpleUploadedFile(name, content)},
    )
    # then
    field_errors = [f for f in _forms_in(response) if f.is_bound and file_field in f.errors]
    assert response.status_code == 400 or (response.status_code == 200 and field_errors), (
        response.status_code
    )
    assert words.lower() in _messages(response).lower()
    assert _state(model, files_model, world) == before
    assert _stored_files(media) == []


def _api(role: str) -> APIClient:
    client = APIClient(headers={"Accept-Language": "en"})
    client.force_login(User.objects.get(username=role))
    return client


def _api_uploads(world):
    """(client, url, payload without the file, file field, rows) of each API that takes files."""
    agreement = world.agreement()
    today = timezone.localdate()
    yield (
        _api("ngo.staff"),
        "/api/v1/agreements/create/",
        {
            "number": "M-SEC-1",
            "title": "Memorandum",
            "unit": agreement.unit_id,
            "organisations": [world.org.pk],
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=365)).isoformat(),
        },
        "documents",
        lambda: (Agreement.objects.count(), AgreementDocument.objects.count()),
    )
    yield (
        _api("ngo.staff"),
        "/api/v1/activities/log/",
        {
            "agreement": agreement.pk,
            "unit": agreement.unit_id,
            "place": world.mahalla.pk,
            "kind": "legal_awareness",
            "date": (today - timedelta(days=1)).isoformat(),
            "participants_youth": 5,
            "description": "Huquqiy targʻibot",
        },
        "files",
        lambda: (JointActivity.objects.count(), ActivityEvidence.objects.count()),
    )


@pytest.mark.parametrize("bad", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_refused_by_the_api_with_a_clear_message(bad, world, media):
    name, content, words = BAD_FILES[bad]
    for client, url, payload, file_field, rows in _api_uploads(world):
        before = rows()
        response = client.post(
            url, {**payload, file_field: [SimpleUploadedFile(name, content)]}, format="multipart"
        )
        assert response.status_code == 400, (url, response.content)
        body = str(response.json()).lower()
        assert words.lower() in body or (bad == "empty" and "empty" in body), (url, body)
        assert rows() == before, url
    assert _stored_files(media) == []


@pytest.mark.parametrize(
    "given_name",
    ["../../etc/passwd.pdf", "..\\..\\x.pdf", "/etc/passwd.pdf", "C:\\Windows\\x.pdf", "x.html"],
    ids=["dot-dot", "backslashes", "absolute", "windows-absolute", "html-name"],
)
def test_the_uploaders_name_never_reaches_the_storage_path(given_name, world, media):
    # given
    client, posted, form, data = _payload(SPECS["activity-create"], world)
    # when
    response = client.post(posted.post, {**data, "files": SimpleUploadedFile(given_name, PDF)})
    # then
    assert response.status_code == 302, _messages(response)
    evidence = ActivityEvidence.objects.latest("pk")
    assert STORED_NAME.match(evidence.file.name), evidence.file.name
    assert evidence.file.name.endswith(".pdf")  # the checked content's extension
    [stored] = _stored_files(media)
    assert stored.resolve().is_relative_to(media.resolve())


def test_a_document_title_keeps_only_the_base_name(world, media):
    client, posted, form, data = _payload(SPECS["agreement-create"], world)
    response = client.post(
        posted.post, {**data, "documents": SimpleUploadedFile("../../etc/shartnoma.pdf", PDF)}
    )
    assert response.status_code == 302, _messages(response)
    document = AgreementDocument.objects.latest("pk")
    assert document.title == "shartnoma.pdf"
    assert STORED_NAME.match(document.file.name), document.file.name


def test_a_name_with_a_null_byte_is_refused_or_stored_under_a_generated_name(world, media):
    client, posted, form, data = _payload(SPECS["activity-create"], world)
    evidence_before = ActivityEvidence.objects.count()
    response = client.post(posted.post, {**data, "files": SimpleUploadedFile("a\x00.pdf", PDF)})
    assert response.status_code in (302, 400)
    for evidence in ActivityEvidence.objects.all()[evidence_before:]:
        assert STORED_NAME.match(evidence.file.name), evidence.file.name


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
    client, posted, form, data = _payload(SPECS["activity-create"], world)
    before = ActivityEvidence.objects.count()
    # when
    big = SimpleUploadedFile("katta.pdf", PDF + b"0" * (LIMIT * 3))
    response = client.post(posted.post, {**data, "files": big})
    # then
    assert response.status_code == 400
    assert "at most" in _messages(response)
    assert ActivityEvidence.objects.count() == before


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
