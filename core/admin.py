from simple_history.admin import SimpleHistoryAdmin


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
