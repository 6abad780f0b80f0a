from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from mahalla.models import MahallaCategoryChange, Territory
from mahalla.permissions import can_change_territory, territories_visible_to
from mahalla.services import territory_update


@admin.register(Territory)
class TerritoryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_uz", "kind", "population", "mahalla_count", "category"]
    list_filter = ["kind", "subtype", "category", "is_generated"]
    search_fields = ["search_text", "code"]
    # The place in the tree and the category change only through their services (loads,
    # imports, category changes), which keep paths, counts and history consistent.
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

    def save_model(self, request, obj, form, change):
        territory_update(territory=obj, data=form.cleaned_data)

    def get_queryset(self, request):
        return territories_visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        return can_change_territory(request.user)

    def has_add_permission(self, request):
        # Nodes come from loads and imports, which keep paths and counts consistent.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MahallaCategoryChange)
class MahallaCategoryChangeAdmin(admin.ModelAdmin):
    list_display = ["mahalla", "category", "effective_from", "changed_by"]
    list_filter = ["category"]
    raw_id_fields = ["mahalla", "changed_by"]
    list_select_related = ["mahalla", "changed_by"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(mahalla__in=territories_visible_to(request.user))
        )
