"""Checks of uploaded files: their size, and their type read from their content, never from
their name (an executable renamed .pdf is refused)."""

import filetype
from django.conf import settings
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


# The `accept` attribute of file inputs: what the browser offers to pick.
ACCEPT = ",".join([*ALLOWED_TYPES, *ALLOWED_TYPES.values(), ".jpeg"])


def upload_check(file, *, field: str = "files") -> str:
    """The file's real content type, or an ApplicationError saying why it is refused."""
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
