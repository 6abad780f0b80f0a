from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from core.text import search_key
from mahalla.models import Territory


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
