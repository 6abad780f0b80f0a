from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.forms import with_plain_text
from core.models import OutboxTask

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


class PlainTextAdminMixin:
    """The admin's forms refuse markup and text-direction controls as the portal's do
    (core.forms.PlainTextFormMixin): what an administrator types reaches the same pages,
    exports and reports."""

    def get_form(self, request, obj=None, **kwargs):
        return with_plain_text(super().get_form(request, obj, **kwargs))


class PlainTextInlineMixin:
    """PlainTextAdminMixin for the rows edited inline."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = with_plain_text(formset.form)  # a class made for this request
        return formset


class HistoryAdmin(PlainTextAdminMixin, SimpleHistoryAdmin):
    """The base of the domain models' admins: their history, and forms that refuse markup."""


class ScopedReadAdmin(HistoryAdmin):
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


class OutboxStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", _("Waiting to be sent")), ("sent", _("Sent"))]

    def queryset(self, request, queryset):
        if self.value() in ("pending", "sent"):
            return queryset.filter(sent_at__isnull=self.value() == "pending")
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows rows only: for logs and rows that the portal's services write."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    """The outbox, for an administrator to see what waits for the broker and why (its
    failed attempts and last error). Read-only: the relay sends the rows and purges the old
    sent ones; a row changed by hand could run a task twice or never."""

    list_display = ["task", "created_at", "sent_at", "attempts"]
    list_filter = [OutboxStateFilter]
    search_fields = ["task"]
    ordering = ["-created_at"]
    paginator = CappedCountPaginator
    show_full_result_count = False
