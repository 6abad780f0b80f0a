from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A business rule refused the operation; the message is shown to the user as it is."""

    def __init__(self, message, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


def api_exception_handler(exc, context):
    """Turns domain and Django errors into DRF's 4xx responses, one shape for all."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = drf_exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    elif isinstance(exc, ApplicationError):
        exc = drf_exceptions.ValidationError({"detail": exc.message, **exc.extra})
    return exception_handler(exc, context)
