"""Idempotent writes: a write sent with an Idempotency-Key header is applied once.

A phone that loses the answer to a submission sends it again with the same key (a UUID it
made); the second request gets the first one's answer instead of a second record. Requests
without the header are untouched.
"""

import hashlib
import json
import re
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import get_token
from django.shortcuts import resolve_url
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from core.models import IdempotencyKey
from core.net import client_ip
from core.services import (
    idempotency_key_complete,
    idempotency_key_release,
    idempotency_key_reserve,
)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
# Answers that mean "not you" or "not now" rather than answering the write: a retry after
# signing in again, or later, must run it.
UNSTORED_STATUSES = frozenset({401, 403, 408, 429})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Answers to writes are small; a larger one keeps its status and Location but not its body.
MAX_STORED_BODY = 1024 * 1024
RETRY_AFTER_SECONDS = 5
# The hidden input that {% csrf_token %} renders. Its value is taken out of a stored page and
# a fresh one put back when replaying, so that a replayed form can be sent again after the
# user signed in anew (which rotates the token), and no token is kept in the database.
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')

MALFORMED_KEY = _("The Idempotency-Key header must be a UUID.")
KEY_REUSED = _("This idempotency key was used for a different request.")
KEY_IN_PROGRESS = _("A request with this key is still being processed; try again shortly.")
UNREADABLE_FORM = _("The form data could not be read.")


class IdempotencyMiddleware:
    """Runs a keyed write once per owner and key, and replays its answer to every retry.

    Placed after the CSRF and authentication middleware: process_view runs only for a request
    that passed the CSRF check, and knows its session user. API views check CSRF inside DRF,
    after this; a browser can only send the custom header from the portal's own pages
    (cross-site it needs a CORS preflight, which the portal never grants), so a replay never
    answers a forged request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except BaseException:
            # Exceptions reach here only when the worker is being stopped (inner layers turn
            # the others into 500 answers): the write may not have been applied.
            _release(request)
            raise
        record = getattr(request, "idempotency_key", None)
        if record is not None:
            if _storable(request, response):
                _store(record, response)
            else:
                _release(request)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in WRITE_METHODS or HEADER not in request.headers:
            return None
        try:
            key = uuid.UUID(request.headers[HEADER].strip())
        except ValueError:
            return _refusal(request, 400, MALFORMED_KEY)
        try:
            fingerprint = _fingerprint(request)
        except MultiPartParserError:
            return _refusal(request, 400, UNREADABLE_FORM)
        record, reserved = idempotency_key_reserve(
            owner=_owner(request), key=key, fingerprint=fingerprint
        )
        if reserved:
            request.idempotency_key = record
            # A view that signs the user in or out changes the session key; its answer
            # cannot be replayed, since the replay would not sign anyone in or out.
            request.idempotency_session_key = request.session.session_key
            return None
        if record.fingerprint != fingerprint:
            return _refusal(request, 409, KEY_REUSED)
        if record.state == IdempotencyKey.State.PROCESSING:
            return _refusal(request, 409, KEY_IN_PROGRESS, retry_after=RETRY_AFTER_SECONDS)
        return _replay(request, record)


def _owner(request) -> str:
    """Whose key it is: the session's user, else the token, the session or the address.

    Token users are authenticated inside the API view, after this runs, so a token stands for
    its user by a digest (the token itself is never stored).
    """
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    if authorization := request.headers.get("Authorization"):
        return f"authorization:{_digest(authorization.encode())}"
    if request.session.session_key:
        return f"session:{_digest(request.session.session_key.encode())}"
    return f"address:{client_ip(request)}"


def _fingerprint(request) -> str:
    """A digest of what the write asks for, the same for the same submission sent again.

    Forms are compared by their fields and files, not their bytes: a browser sends a
    multipart form again with a new random boundary, and a form sent after a new sign-in
    carries a new CSRF token.
    """
    parts = [request.method, request.path, request.META.get("QUERY_STRING", "")]
    if request.content_type in FORM_TYPES:
        data, files = _form_data(request)
        fields = sorted(
            (name, value)
            for name, values in data.lists()
            if name != "csrfmiddlewaretoken"
            for value in values
        )
        uploads = sorted(
            (name, upload.name, upload.size, _file_digest(upload))
            for name, uploads in files.lists()
            for upload in uploads
        )
        parts += ["form", fields, uploads]
    else:
        parts += [request.content_type, _digest(request.body)]
    return _digest(json.dumps(parts, ensure_ascii=False).encode())


def _form_data(request) -> tuple[QueryDict, MultiValueDict]:
    if request.method == "POST":
        return request.POST, request.FILES
    if request.content_type == "multipart/form-data":
        # Django parses the forms of POST only. Parsed here as Django parses POST (so files
        # are streamed to disk, not read into memory), and kept where DRF looks for them once
        # the stream has been read (rest_framework.request.Request._parse).
        request._post, request._files = request.parse_file_upload(request.META, request)
        return request._post, request._files
    return QueryDict(request.body, encoding="utf-8"), MultiValueDict()


def _file_digest(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _storable(request, response) -> bool:
    if response.status_code >= 500 or response.status_code in UNSTORED_STATUSES:
        return False
    if request.session.session_key != request.idempotency_session_key:
        return False
    return not _is_login_redirect(response)


def _is_login_redirect(response) -> bool:
    """A page behind login_required sends an expired session to the sign-in page: the write
    was not applied, and its retry after signing in must be."""
    if response.status_code not in REDIRECT_STATUSES:
        return False
    return urlsplit(response.get("Location", "")).path == resolve_url(settings.LOGIN_URL)


def _store(record: IdempotencyKey, response) -> None:
    if response.streaming or len(response.content) > MAX_STORED_BODY:
        body, content_type = b"", ""
    else:
        body, content_type = response.content, response.get("Content-Type", "")
        if content_type.startswith("text/html"):
            body = CSRF_INPUT.sub(rb"\1\2", body)
    idempotency_key_complete(
        record=record,
        status_code=response.status_code,
        content_type=content_type,
        location=response.get("Location", ""),
        body=body,
    )


def _release(request) -> None:
    if (record := getattr(request, "idempotency_key", None)) is not None:
        idempotency_key_release(record=record)


def _replay(request, record: IdempotencyKey) -> HttpResponse:
    body = bytes(record.body)
    if record.content_type.startswith("text/html"):
        body = CSRF_INPUT.sub(lambda match: match[1] + get_token(request).encode() + match[2], body)
    response = HttpResponse(
        body, status=record.status_code, content_type=record.content_type or None
    )
    if record.location:
        response["Location"] = record.location
    response[REPLAYED_HEADER] = "true"
    return response


def _refusal(request, status: int, message, retry_after: int | None = None) -> HttpResponse:
    """The error in the shape of its surroundings: the API's {"detail": ...}, else text."""
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": str(message)}, status=status)
    else:
        response = HttpResponse(
            str(message), status=status, content_type="text/plain; charset=utf-8"
        )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


# --- Query counts for the benchmarks ----------------------------------------------------------

QUERY_COUNT_HEADER = "X-Query-Count"


class QueryCountHeaderMiddleware:
    """Sets X-Query-Count, the number of database queries a request ran, so the benchmarks
    (bench/) can read it over HTTP. Listed in MIDDLEWARE only when settings.QUERY_COUNT_HEADER
    is on, first so that the other middleware's queries count too; it also checks the setting
    per request, so listing it by mistake reveals nothing.

    A streamed response's body is produced after this returns: only the queries run before
    the body count (an export's rows are not in its figure).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.QUERY_COUNT_HEADER:
            return self.get_response(request)
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response[QUERY_COUNT_HEADER] = str(count)
        return response
