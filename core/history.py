"""Change history of domain objects (django-simple-history) as each object's page shows it:
who changed it, when, how, and which fields.

A changed field is named, and for choice and yes/no fields its old and new values are given
too, and for the foreign keys the page names (`shown`), read with the history in one query.
Other values are not repeated: free text and personal data (a nominee's name, a register
entry's address) stay where the page's own permission checks show them.
"""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import zip_longest

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

# How many changes an object's page shows, newest first.
HISTORY_ROWS = 20

# Kept up to date by the model itself on every save: a change of these alone says nothing.
BOOKKEEPING_FIELDS = frozenset({"created_at", "updated_at"})


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    user: object  # the accounts.User who made the change, None for the system
    action: str
    reason: str = ""
    changes: list[str] = field(default_factory=list)


def _value_label(model_field: models.Field, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else _("no")
    return str(dict(model_field.flatchoices).get(value, value))


def _change_label(model: type[models.Model], change, newer, older, shown) -> str:
    model_field = model._meta.get_field(change.field)
    label = capfirst(model_field.verbose_name)
    if change.field in shown:
        old, new = getattr(older, change.field), getattr(newer, change.field)
        return f"{label}: {old or '—'} → {new or '—'}"
    if model_field.choices or isinstance(model_field, models.BooleanField):
        old, new = _value_label(model_field, change.old), _value_label(model_field, change.new)
        return f"{label}: {old} → {new}"
    return str(label)


def change_history(
    obj: models.Model, *, shown: dict[str, str] | None = None, rows: int = HISTORY_ROWS
) -> list[HistoryRow]:
    """The object's latest changes, newest first, in one query whatever their number.

    `shown` maps foreign keys whose values the rows give to the relations to read with them
    (e.g. {"commission": "commission__territory"}). Each row is diffed against the one before
    it (one more record is read for the oldest shown); many-to-many fields are left out of
    the diff, which would query once per row.
    """
    model = type(obj)
    shown = shown or {}
    records = list(
        obj.history.select_related("history_user", *shown.values()).order_by(
            "-history_date", "-history_id"
        )[: rows + 1]
    )
    if not records:
        return []
    many_to_many = {item.name for item in records[0]._history_m2m_fields}
    excluded = BOOKKEEPING_FIELDS | many_to_many
    actions = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
    history = []
    for newer, older in zip_longest(records[:rows], records[1:]):
        changes = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older, excluded_fields=excluded)
            changes = [
                _change_label(model, change, newer, older, shown) for change in delta.changes
            ]
        history.append(
            HistoryRow(
                at=newer.history_date,
                user=newer.history_user,
                action=actions.get(newer.history_type, newer.history_type),
                reason=newer.history_change_reason or "",
                changes=changes,
            )
        )
    return history
