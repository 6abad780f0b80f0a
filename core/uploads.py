"""Uploaded files: what is accepted (photos and PDFs, checked by their content, never by their
name), how they are received (never held whole once over the size limit), and how stored ones
are served back (never as something a browser would run)."""

import re

import filetype
from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

# What evidence, documents and attachments may be: photos and PDFs.
ALLOWED_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
# The extensions a stored file may have: those above, and ".jpeg" as people name photos.
ALLOWED_EXTENSIONS = frozenset([*ALLOWED_TYPES.values(), ".jpeg"])

# The `accept` attribute of file inputs: what the browser offers to pick.
ACCEPT = ",".join([*ALLOWED_TYPES, *sorted(ALLOWED_EXTENSIONS)])

# Shown by the browser in the page; PDFs are downloaded (a PDF viewer runs its scripts).
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})

# Markup that a browser runs scripts in, when it is sent as SVG, HTML or XML: named in its own
# refusal, because it is the kind people try to pass off as a picture.
_MARKUP_HEAD_RE = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:\?xml|!doctype|svg|html|script)", re.I)

# Nothing in the file may be run, framed or fetched: a stored file served by mistake as a
# page still has no scripts, no forms and no origin.
FILE_CONTENT_SECURITY_POLICY = "sandbox; default-src 'none'"


def upload_check(file, *, field: str = "files") -> str:
    """The file's real content type, or an ApplicationError saying why it is refused."""
    if not file.size:
        raise ApplicationError(
            _("“%(name)s” is empty: choose the file again, or another one.") % {"name": file.name},
            extra={"field": field},
        )
    if file.size > settings.UPLOAD_MAX_BYTES:
        raise ApplicationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {
                "name": file.name,
                "size": filesizeformat(file.size),
                "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            },
            extra={"field": field},
        )
    position = file.tell() if hasattr(file, "tell") else 0
    head = file.read(2048)
    file.seek(position)
    if _MARKUP_HEAD_RE.match(head) or (file.name or "").lower().endswith((".svg", ".svgz")):
        raise ApplicationError(
            _(
                "“%(name)s” is an SVG drawing or a web page, which can hold scripts: "
                "save it as a PNG or JPEG photo, or as a PDF."
            )
            % {"name": file.name},
            extra={"field": field},
        )
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ApplicationError(
            _("“%(name)s” is not a photo (JPEG, PNG, WebP) or a PDF document.")
            % {"name": file.name},
            extra={"field": field},
        )
    return kind.mime


def upload_name(file, content_type: str) -> str:
    """A name whose extension matches the checked content, whatever the uploader called it."""
    return f"upload{ALLOWED_TYPES[content_type]}"


class UploadLimitHandler(TemporaryFileUploadHandler):
    """Receives a file to a temporary file, but stops keeping its bytes once it is over
    UPLOAD_RECEIVE_MAX_BYTES: the disk never holds more than that of it, and its size, still
    counted to the end, makes upload_check (or the form) refuse it with its size in the
    message; a request cut off instead would tell the person nothing."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received <= max(settings.UPLOAD_RECEIVE_MAX_BYTES, settings.UPLOAD_MAX_BYTES):
            self.file.write(raw_data)


def stored_file_response(file_field, *, content_type: str, filename: str) -> FileResponse:
    """A stored upload, served under `filename` with the type checked when it was uploaded.

    Photos are shown inline, PDFs downloaded. A type that is not one of the accepted ones (a
    row older than the checks) goes out as bytes to download, never as a page or a drawing a
    browser would run. `X-Content-Type-Options: nosniff` keeps the browser from guessing
    otherwise, and the sandbox policy strips scripts from anything opened anyway.
    """
    if content_type not in ALLOWED_TYPES:
        content_type = "application/octet-stream"
    try:
        handle = file_field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=content_type not in INLINE_TYPES,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CONTENT_SECURITY_POLICY
    return response
