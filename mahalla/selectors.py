from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.text import search_key
from mahalla.models import (
    BoundaryChange,
    BoundaryChangePart,
    MahallaPlacement,
    PopulationFigure,
    Territory,
)


def territory_list(*, queryset: QuerySet[Territory] | None = None) -> QuerySet[Territory]:
    """Territories in tree order, with their parent loaded for display."""
    queryset = Territory.objects.all() if queryset is None else queryset
    return queryset.select_related("parent").order_by("path")


def territory_search(*, queryset: QuerySet[Territory], text: str) -> QuerySet[Territory]:
    """Nodes whose name in any of the four languages contains `text`."""
    key = search_key(text)
    if not key:
        return queryset
    return queryset.filter(search_text__contains=key)


def territory_subtree(*, node: Territory, queryset: QuerySet[Territory] | None = None):
    """The node and everything under it: one indexed prefix query on the path."""
    queryset = Territory.objects.all() if queryset is None else queryset
    return queryset.filter(path__startswith=node.path)


def territory_ancestors(*, node: Territory) -> list[Territory]:
    """The node's ancestors from the root down, in one query (codes come from the path)."""
    codes = node.ancestor_codes
    by_code = {t.code: t for t in Territory.objects.filter(code__in=codes)}
    return [by_code[code] for code in codes if code in by_code]


def territory_children(*, node: Territory | None) -> QuerySet[Territory]:
    """The direct children of a node, by name; for None, the root (the country)."""
    if node is None:
        return Territory.objects.filter(kind=Territory.Kind.COUNTRY)
    return Territory.objects.filter(parent=node).order_by("name_uz")


def territory_country() -> Territory | None:
    return Territory.objects.filter(kind=Territory.Kind.COUNTRY).first()


def region_paths(paths) -> set[str]:
    """The paths of the first-level units (regions) holding the given paths."""
    return {"/".join(p.strip("/").split("/")[:2]) + "/" for p in paths}


def under(paths, field: str) -> Q:
    """Rows whose `field` path lies under one of `paths`; nothing when there are none."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in sorted(paths)))


# --- The tree as it was on a day ---------------------------------------------------------------
#
# Only moved mahallas sit elsewhere in a past tree than in the current one (MahallaPlacement);
# closed and new nodes stay in the tree with their dates (valid_from / valid_to).


def territory_in_force(day: date, prefix: str = "") -> Q:
    """Nodes in force on the day: begun by then (or since ever) and not closed before it.
    `prefix` names the territory field of other rows ("mahalla") to filter those instead."""
    field = f"{prefix}__" if prefix else ""
    return (Q(**{f"{field}valid_from__isnull": True}) | Q(**{f"{field}valid_from__lte": day})) & (
        Q(**{f"{field}valid_to__isnull": True}) | Q(**{f"{field}valid_to__gte": day})
    )


def _placements_on(day: date) -> QuerySet[MahallaPlacement]:
    return MahallaPlacement.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day), valid_to__gte=day
    )


def placement_paths_at(day: date) -> dict[int, str]:
    """The moved mahallas whose path on the day differs from their current one: id → the
    path they had then. Empty for today (and any day after the last move)."""
    return dict(
        _placements_on(day).exclude(path=F("mahalla__path")).values_list("mahalla_id", "path")
    )


def territory_path_at(*, node: Territory, day: date) -> str:
    """The node's path in the tree in force on the day."""
    if node.kind != Territory.Kind.MAHALLA:
        return node.path
    placed = _placements_on(day).filter(mahalla=node).values_list("path", flat=True).first()
    return placed or node.path


def territory_ancestors_at(*, node: Territory, day: date) -> list[Territory]:
    """The node's ancestors in the tree in force on the day, from the root down (a moved
    mahalla's former district for a day before its move): two queries at most."""
    codes = territory_path_at(node=node, day=day).strip("/").split("/")[:-1]
    by_code = {t.code: t for t in Territory.objects.filter(code__in=codes)}
    return [by_code[code] for code in codes if code in by_code]


def territory_children_at(*, node: Territory | None, day: date) -> list[Territory]:
    """The children of a node in the tree in force on the day, by name, in one query: its
    current children in force then that were not placed elsewhere that day, and the mahallas
    placed under it that day. For None, the root (the country)."""
    if node is None:
        return list(territory_children(node=None).filter(territory_in_force(day)))
    placed = _placements_on(day)
    elsewhere = placed.exclude(district=node).values("mahalla_id")
    here = placed.filter(district=node).values("mahalla_id")
    return list(
        Territory.objects.filter(territory_in_force(day))
        .filter((Q(parent=node) & ~Q(pk__in=elsewhere)) | Q(pk__in=here))
        .order_by("name_uz", "pk")
    )


def population_at(day: date) -> Coalesce:
    """An expression for a territory queryset: each node's population in force on the day,
    its latest figure dated then or before, else its current population."""
    figures = PopulationFigure.objects.filter(
        territory=OuterRef("pk"), valid_from__lte=day
    ).order_by("-valid_from")
    return Coalesce(Subquery(figures.values("population")[:1]), F("population"))


def _parts_prefetch() -> Prefetch:
    return Prefetch(
        "parts",
        queryset=BoundaryChangePart.objects.select_related(
            "territory", "from_district", "to_district"
        ),
    )


def boundary_changes_under(*, node: Territory, first: date, last: date) -> QuerySet:
    """The boundary changes effective from `first` to `last` that touch the node's subtree
    (a part now or once under it, or a district left or joined under it), in date order,
    with their parts (two queries)."""
    under_node = (
        Q(territory__path__startswith=node.path)
        | Q(territory__placements__path__startswith=node.path)
        | Q(from_district__path__startswith=node.path)
        | Q(to_district__path__startswith=node.path)
    )
    touching = BoundaryChangePart.objects.filter(under_node, change=OuterRef("pk"))
    return (
        BoundaryChange.objects.filter(
            Exists(touching), effective_on__gte=first, effective_on__lte=last
        )
        .prefetch_related(_parts_prefetch())
        .order_by("effective_on", "pk")
    )


# --- A node's history -------------------------------------------------------------------------


class TerritoryEventKind(models.TextChoices):
    CREATED = "created", _("Came into being")
    CLOSED = "closed", _("Closed")
    MOVED = "moved", _("Moved to another district")
    MAHALLA_MOVED_IN = "mahalla_moved_in", _("A mahalla moved in")
    MAHALLA_MOVED_OUT = "mahalla_moved_out", _("A mahalla moved out")
    MERGED_INTO = "merged_into", _("Merged into another mahalla")
    MERGED_WITH = "merged_with", _("Took in merged mahallas")
    SPLIT_FROM = "split_from", _("Split off from a mahalla")
    SPLIT_INTO = "split_into", _("New mahallas split off")


class TerritoryEventRole(models.TextChoices):
    """What another node named by an event was to it."""

    FROM = "from", _("from")
    TO = "to", _("to")
    INTO = "into", _("into")
    MAHALLA = "mahalla", _("mahalla")
    MERGED = "merged", _("merged")
    SOURCE = "source", _("split from")
    PART = "part", _("new")


@dataclass(frozen=True)
class TerritoryEventNode:
    role: str
    node: Territory

    @property
    def role_label(self) -> str:
        """ "from" and "to" for the districts of a move; the event's label says the rest."""
        if self.role in (TerritoryEventRole.FROM, TerritoryEventRole.TO):
            return TerritoryEventRole(self.role).label
        return ""


@dataclass(frozen=True)
class TerritoryEvent:
    """One event of a node's history; `change` holds the legal act (None for a node's own
    dates set by hand or by a load)."""

    day: date
    kind: str
    others: tuple[TerritoryEventNode, ...] = ()
    change: BoundaryChange | None = None

    @property
    def label(self) -> str:
        return TerritoryEventKind(self.kind).label


def _event(kind: str, change: BoundaryChange, *others: tuple[str, Territory]) -> TerritoryEvent:
    return TerritoryEvent(
        day=change.effective_on,
        kind=kind,
        others=tuple(TerritoryEventNode(role, node) for role, node in others if node is not None),
        change=change,
    )


def _change_events(node: Territory, change: BoundaryChange) -> list[TerritoryEvent]:
    parts = list(change.parts.all())
    own = next((part for part in parts if part.territory_id == node.pk), None)
    sources = [part.territory for part in parts if part.role == BoundaryChangePart.Role.SOURCE]
    results = [part.territory for part in parts if part.role == BoundaryChangePart.Role.RESULT]
    Kind, Role = TerritoryEventKind, TerritoryEventRole
    if change.kind == BoundaryChange.Kind.MOVE:
        move = parts[0]
        if own is not None:
            return [
                _event(
                    Kind.MOVED, change, (Role.FROM, move.from_district), (Role.TO, move.to_district)
                )
            ]
        left = move.from_district.path.startswith(node.path)
        joined = move.to_district.path.startswith(node.path)
        if left and not joined:
            return [
                _event(
                    Kind.MAHALLA_MOVED_OUT,
                    change,
                    (Role.MAHALLA, move.territory),
                    (Role.TO, move.to_district),
                )
            ]
        if joined and not left:
            return [
                _event(
                    Kind.MAHALLA_MOVED_IN,
                    change,
                    (Role.MAHALLA, move.territory),
                    (Role.FROM, move.from_district),
                )
            ]
        return []  # a move between two districts both under the node
    if own is None:
        return []
    if change.kind == BoundaryChange.Kind.MERGE:
        if own.role == BoundaryChangePart.Role.SOURCE:
            return [_event(Kind.MERGED_INTO, change, *((Role.INTO, n) for n in results))]
        return [_event(Kind.MERGED_WITH, change, *((Role.MERGED, n) for n in sources))]
    if own.role == BoundaryChangePart.Role.SOURCE:
        return [_event(Kind.SPLIT_INTO, change, *((Role.PART, n) for n in results))]
    return [_event(Kind.SPLIT_FROM, change, *((Role.SOURCE, n) for n in sources))]


def territory_history(*, node: Territory) -> list[TerritoryEvent]:
    """The node's history, newest first, in two queries: its boundary changes with their
    legal acts, and its own dates (came into being, closed) where no change explains them.
    A district's or region's history holds the mahallas that moved in or out of it."""
    if node.kind == Territory.Kind.MAHALLA:
        touching = BoundaryChangePart.objects.filter(territory=node)
    else:
        touching = BoundaryChangePart.objects.filter(
            Q(from_district__path__startswith=node.path)
            | Q(to_district__path__startswith=node.path),
            change__kind=BoundaryChange.Kind.MOVE,
        )
    changes = BoundaryChange.objects.filter(
        Exists(touching.filter(change=OuterRef("pk")))
    ).prefetch_related(_parts_prefetch())
    events = [event for change in changes for event in _change_events(node, change)]
    explained = {(event.kind, event.day) for event in events}
    Kind = TerritoryEventKind
    if node.valid_from and (Kind.SPLIT_FROM, node.valid_from) not in explained:
        events.append(TerritoryEvent(day=node.valid_from, kind=Kind.CREATED))
    if node.valid_to and (Kind.MERGED_INTO, node.closed_on) not in explained:
        events.append(TerritoryEvent(day=node.closed_on, kind=Kind.CLOSED))
    events.sort(key=lambda event: (event.day, event.change.pk if event.change else 0), reverse=True)
    return events
