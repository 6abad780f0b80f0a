"""Keyset ("show more") pagination for pages over large tables: no COUNT(*), and the cost of
a page does not grow with how deep it is."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import SuspiciousOperation
from django.db import models
from django.db.models import Q, QuerySet

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class KeysetPage:
    items: list
    next_token: str | None

    def next_query(self, params) -> str | None:
        """The query string of the next page: the current filters and the next token."""
        if self.next_token is None:
            return None
        query = params.copy()
        query["after"] = self.next_token
        return query.urlencode()


def _encode(value: date | datetime) -> str:
    if isinstance(value, datetime):
        # Microseconds since the epoch: exact, and without the "+", ":" and "." of ISO time.
        return str((value - _EPOCH) // timedelta(microseconds=1))
    return value.isoformat()


def _decode(text: str, is_datetime: bool) -> date | datetime:
    if is_datetime:
        return _EPOCH + timedelta(microseconds=int(text))
    return date.fromisoformat(text)


def keyset_page(queryset: QuerySet, *, token: str | None, size: int, field: str) -> KeysetPage:
    """The `size` rows after `token`, ordered by (-field, -id); `field` is a date or
    datetime column.

    The token is "<date or time>.<id>" of the last row shown; a malformed one is a 400.
    """
    is_datetime = isinstance(queryset.model._meta.get_field(field), models.DateTimeField)
    queryset = queryset.order_by(f"-{field}", "-id")
    if token:
        try:
            value_text, id_text = token.split(".", 1)
            value, last_id = _decode(value_text, is_datetime), int(id_text)
        except (ValueError, OverflowError):
            raise SuspiciousOperation("Malformed page token.") from None
        queryset = queryset.filter(
            Q(**{f"{field}__lt": value}) | Q(**{field: value, "id__lt": last_id})
        )
    rows = list(queryset[: size + 1])
    items = rows[:size]
    next_token = None
    if len(rows) > size:
        last = items[-1]
        next_token = f"{_encode(getattr(last, field))}.{last.pk}"
    return KeysetPage(items=items, next_token=next_token)
