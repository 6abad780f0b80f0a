"""Additions to the OpenAPI schema for what the portal does around every view."""

from django.conf import settings
from django.utils.translation import gettext

from core.middleware import HEADER, REPLAYED_HEADER, WRITE_METHODS


def idempotency_key_postprocess(result, generator, request, public):
    """Documents the Idempotency-Key header of core.middleware on every write operation.

    A drf-spectacular postprocessing hook: the middleware works outside the views, so no
    view's schema knows of it.
    """
    parameter = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "format": "uuid"},
        "description": gettext(
            "A UUID made by the client for this submission. A request sent again with the "
            "same key (after a lost answer) is applied once: the retry gets the first "
            "answer, marked with the %(header)s: true header. Keys are kept for %(hours)s hours."
        )
        % {"header": REPLAYED_HEADER, "hours": settings.IDEMPOTENCY_KEY_TTL_HOURS},
    }
    conflict = {
        "description": gettext(
            "The idempotency key was used for a different request, or a request with it is "
            "still being processed (then try again after Retry-After seconds)."
        )
    }
    malformed = {
        "description": gettext("Invalid input, or the Idempotency-Key header is not a UUID.")
    }
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method.upper() not in WRITE_METHODS:
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("in") == "header" and p.get("name") == HEADER for p in parameters):
                parameters.append(parameter)
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", malformed)
            responses.setdefault("409", conflict)
    return result
