from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import HistoryAdmin, PlainTextAdminMixin, ReadOnlyAdmin
from core.exceptions import ApplicationError
from core.forms import add_service_error
from mahalla.forms import (
    BoundaryActForm,
    MahallaMoveForm,
    MahallasMergeForm,
    MahallaSplitPartFormSet,
)
from mahalla.models import (
    BoundaryChange,
    BoundaryChangePart,
    MahallaCategoryChange,
    Territory,
)
from mahalla.permissions import can_change_territory, territories_visible_to
from mahalla.selectors import territory_in_force, territory_list
from mahalla.services import (
    mahalla_move,
    mahalla_split,
    mahallas_merge,
    territory_update,
)

BOUNDARY_TEMPLATE = "admin/mahalla/boundary_change_form.html"


@admin.register(Territory)
class TerritoryAdmin(HistoryAdmin):
    list_display = [
        "code",
        "name_uz",
        "kind",
        "population",
        "mahalla_count",
        "category",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["kind", "subtype", "category", "is_generated"]
    search_fields = ["search_text", "code"]
    # The place in the tree and the category change only through their services (loads,
    # imports, category changes, boundary changes), which keep paths, counts and history
    # consistent.
    readonly_fields = [
        "kind",
        "subtype",
        "code",
        "parent",
        "path",
        "depth",
        "mahalla_count",
        "category",
        "is_generated",
    ]
    exclude = ["search_text"]
    list_select_related = ["parent"]
    actions = ["move_action", "merge_action", "split_action"]

    def save_model(self, request, obj, form, change):
        territory_update(territory=obj, data=form.cleaned_data)

    def get_queryset(self, request):
        return territories_visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        return can_change_territory(request.user)

    def has_boundary_permission(self, request):
        return can_change_territory(request.user)

    def has_add_permission(self, request):
        # Nodes come from loads and imports, which keep paths and counts consistent.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- Boundary changes: an action picks the mahallas, a page of its own asks the rest.

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("boundary/move/", view(self.move_view), name="mahalla_territory_move"),
            path("boundary/merge/", view(self.merge_view), name="mahalla_territory_merge"),
            path("boundary/split/", view(self.split_view), name="mahalla_territory_split"),
            *super().get_urls(),
        ]

    def _to_page(self, request, queryset, name: str, *, count_ok, count_error: str):
        mahallas = queryset.filter(kind=Territory.Kind.MAHALLA)
        if mahallas.count() != queryset.count():
            self.message_user(request, _("Choose mahallas only."), messages.ERROR)
            return None
        if not count_ok(mahallas.count()):
            self.message_user(request, count_error, messages.ERROR)
            return None
        ids = ",".join(str(pk) for pk in mahallas.order_by("pk").values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse(f'admin:mahalla_territory_{name}')}?ids={ids}")

    @admin.action(description=gettext_lazy("Move to another district"), permissions=["boundary"])
    def move_action(self, request, queryset):
        return self._to_page(
            request,
            queryset,
            "move",
            count_ok=lambda n: n == 1,
            count_error=_("Choose one mahalla to move."),
        )

    @admin.action(description=gettext_lazy("Merge"), permissions=["boundary"])
    def merge_action(self, request, queryset):
        return self._to_page(
            request,
            queryset,
            "merge",
            count_ok=lambda n: n >= 2,
            count_error=_("Choose at least two mahallas to merge."),
        )

    @admin.action(description=gettext_lazy("Split"), permissions=["boundary"])
    def split_action(self, request, queryset):
        return self._to_page(
            request,
            queryset,
            "split",
            count_ok=lambda n: n == 1,
            count_error=_("Choose one mahalla to split."),
        )

    def _chosen(self, request):
        """The mahallas named in the page's address, in force today; 403 for others."""
        if not can_change_territory(request.user):
            raise PermissionDenied
        ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk.isdigit()]
        return territory_list(
            queryset=territories_visible_to(request.user).filter(
                territory_in_force(timezone.localdate()), pk__in=ids, kind=Territory.Kind.MAHALLA
            )
        )

    def _page(self, request, *, title: str, mahallas, form, formset=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "mahallas": mahallas,
            "form": form,
            "formset": formset,
        }
        return TemplateResponse(request, BOUNDARY_TEMPLATE, context)

    def _done(self, request, change: BoundaryChange):
        self.message_user(
            request,
            _("Recorded: %(change)s.") % {"change": change},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:mahalla_territory_changelist"))

    def move_view(self, request):
        mahallas = list(self._chosen(request))
        if len(mahallas) != 1:
            self.message_user(request, _("Choose one mahalla in force to move."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:mahalla_territory_changelist"))
        mahalla = mahallas[0]
        form = MahallaMoveForm(request.POST or None, mahalla=mahalla)
        if request.method == "POST" and form.is_valid():
            try:
                change = mahalla_move(
                    mahalla=mahalla,
                    district=form.cleaned_data["district"],
                    by=request.user,
                    **form.act(),
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                return self._done(request, change)
        title = _("Move “%(name)s” to another district") % {"name": mahalla.name}
        return self._page(request, title=title, mahallas=mahallas, form=form)

    def merge_view(self, request):
        chosen = self._chosen(request)
        mahallas = list(chosen)
        if len(mahallas) < 2:
            self.message_user(
                request, _("Choose at least two mahallas in force to merge."), messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:mahalla_territory_changelist"))
        form = MahallasMergeForm(request.POST or None, mahallas=chosen)
        if request.method == "POST" and form.is_valid():
            try:
                change = mahallas_merge(
                    mahallas=mahallas,
                    into=form.cleaned_data["into"],
                    by=request.user,
                    **form.act(),
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                return self._done(request, change)
        return self._page(request, title=_("Merge mahallas"), mahallas=mahallas, form=form)

    def split_view(self, request):
        mahallas = list(self._chosen(request))
        if len(mahallas) != 1:
            self.message_user(request, _("Choose one mahalla in force to split."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:mahalla_territory_changelist"))
        mahalla = mahallas[0]
        form = BoundaryActForm(request.POST or None)
        formset = MahallaSplitPartFormSet(request.POST or None, prefix="parts")
        if request.method == "POST" and form.is_valid() and formset.is_valid():
            parts = [part for part in formset.cleaned_data if part]
            try:
                change = mahalla_split(mahalla=mahalla, parts=parts, by=request.user, **form.act())
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                return self._done(request, change)
        title = _("Split “%(name)s”") % {"name": mahalla.name}
        return self._page(request, title=title, mahallas=mahallas, form=form, formset=formset)


class BoundaryChangePartInline(admin.TabularInline):
    model = BoundaryChangePart
    fields = ["territory", "role", "from_district", "to_district"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BoundaryChange)
class BoundaryChangeAdmin(ReadOnlyAdmin):
    """The record of the changes: made only by the actions on the territories."""

    list_display = ["effective_on", "kind", "act_number", "act_date", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["act_number", "act_title", "parts__territory__search_text"]
    list_select_related = ["created_by"]
    date_hierarchy = "effective_on"
    inlines = [BoundaryChangePartInline]
    fields = [
        "kind",
        "effective_on",
        "act_number",
        "act_date",
        "act_title",
        "note",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return can_change_territory(request.user)

    def has_module_permission(self, request):
        return can_change_territory(request.user)


@admin.register(MahallaCategoryChange)
class MahallaCategoryChangeAdmin(PlainTextAdminMixin, admin.ModelAdmin):
    list_display = ["mahalla", "category", "effective_from", "changed_by"]
    list_filter = ["category"]
    raw_id_fields = ["mahalla", "changed_by"]
    list_select_related = ["mahalla", "changed_by"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(mahalla__in=territories_visible_to(request.user))
        )
