from django.core.paginator import Paginator
from django.utils.functional import cached_property
from simple_history.admin import SimpleHistoryAdmin

# The admin's lists of the large tables count their rows up to this many, no further.
COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """The admin's paginator for tables of millions of rows: it counts at most COUNT_CAP + 1
    rows (an index scan that stops there) instead of COUNT(*) over the whole table, which
    the admin's change list asks for on every page. Past the cap the list pages up to it;
    a filter narrows the rest."""

    @cached_property
    def count(self) -> int:
        return len(self.object_list.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])


class ScopedReadAdmin(SimpleHistoryAdmin):
    """Domain rows are written through the portal's pages and services (which check dates,
    assignments, locks and states); the admin shows them within the administrator's scope.
    `scope` is the app's `<entities>_visible_to` function."""

    scope = None

    def get_queryset(self, request):
        return type(self).scope(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
