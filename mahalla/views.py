from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from mahalla.models import Territory
from mahalla.permissions import territories_visible_to
from mahalla.selectors import (
    territory_ancestors,
    territory_children_at,
    territory_country,
    territory_history,
    territory_list,
    territory_search,
)

SEARCH_LIMIT = 50


def _render_node(request, node: Territory):
    query = request.GET.get("q", "").strip()[:100]
    results = None
    if query:
        found = territory_search(
            queryset=territory_list(queryset=territories_visible_to(request.user)), text=query
        )
        results = list(found[: SEARCH_LIMIT + 1])
    context = {
        "node": node,
        "ancestors": territory_ancestors(node=node),
        # The tree in force today; closed nodes are reached by search and by the history.
        "children": territory_children_at(node=node, day=timezone.localdate()),
        "history": territory_history(node=node),
        "query": query,
        "results": results[:SEARCH_LIMIT] if results is not None else None,
        "more_results": results is not None and len(results) > SEARCH_LIMIT,
    }
    template = "mahalla/territory_detail.html"
    if request.htmx and request.htmx.target == "search-results":
        template += "#search-results"
    return render(request, template, context)


def territory_list_view(request):
    """The tree from the top: the country and its first-level units, with a name search."""
    country = territory_country()
    if country is None:
        raise Http404("The territory tree is not loaded.")
    return _render_node(request, country)


def territory_detail_view(request, code: str):
    node = get_object_or_404(territories_visible_to(request.user), code=code)
    return _render_node(request, node)
