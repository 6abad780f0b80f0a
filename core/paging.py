"""Keyset ("show more") pagination for pages over large tables: no COUNT(*), and the cost of
a page does not grow with how deep it is."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import SuspiciousOperation
from django.db.models import Q, QuerySet


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


def keyset_page(queryset: QuerySet, *, token: str | None, size: int, field: str) -> KeysetPage:
    """The `size` rows after `token`, ordered by (-field, -id); `field` is a date column.

    The token is "<ISO date>.<id>" of the last row shown; a malformed one is a 400.
    """
    queryset = queryset.order_by(f"-{field}", "-id")
    if token:
        try:
            day_text, id_text = token.split(".", 1)
            day, last_id = date.fromisoformat(day_text), int(id_text)
        except ValueError:
            raise SuspiciousOperation("Malformed page token.") from None
        queryset = queryset.filter(
            Q(**{f"{field}__lt": day}) | Q(**{field: day, "id__lt": last_id})
        )
    rows = list(queryset[: size + 1])
    items = rows[:size]
    next_token = None
    if len(rows) > size:
        last = items[-1]
        next_token = f"{getattr(last, field).isoformat()}.{last.pk}"
    return KeysetPage(items=items, next_token=next_token)
