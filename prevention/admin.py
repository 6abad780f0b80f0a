from django.contrib import admin

from core.admin import CappedCountPaginator, HistoryAdmin, ScopedReadAdmin
from prevention.models import (
    AccountabilityMeeting,
    Inspector,
    InspectorGrade,
    MahallaContact,
    PreventionRecord,
    RegisterCategory,
    RegisterEntry,
    ResidentFeedback,
    Unit,
)
from prevention.permissions import (
    contacts_visible_to,
    feedback_visible_to,
    inspectors_visible_to,
    meetings_visible_to,
    records_visible_to,
    register_entries_visible_to,
    units_visible_to,
)


class ReferenceAdmin(HistoryAdmin):
    """Reference lists (grades, register categories) are edited here, with history."""

    list_display = ["code", "name_uz", "name_ru", "order", "is_active"]
    list_editable = ["order", "is_active"]


admin.site.register(InspectorGrade, ReferenceAdmin)
admin.site.register(RegisterCategory, ReferenceAdmin)


@admin.register(Unit)
class UnitAdmin(HistoryAdmin):
    list_display = ["code", "name_uz", "kind", "territory"]
    list_filter = ["kind"]
    search_fields = ["code", "name_uz", "name_ru"]
    raw_id_fields = ["parent", "territory", "mahallas"]
    list_select_related = ["territory"]

    def get_queryset(self, request):
        return units_visible_to(request.user)


@admin.register(Inspector)
class InspectorAdmin(HistoryAdmin):
    list_display = ["user", "grade", "post", "is_active"]
    list_filter = ["grade", "is_active"]
    search_fields = ["user__username", "user__last_name"]
    raw_id_fields = ["user", "post"]
    list_select_related = ["user", "grade", "post"]

    def get_queryset(self, request):
        return inspectors_visible_to(request.user)


@admin.register(PreventionRecord)
class PreventionRecordAdmin(ScopedReadAdmin):
    scope = staticmethod(records_visible_to)
    list_display = ["id", "date", "measure", "kind", "mahalla", "inspector"]
    # A date filter with fixed ranges, not date_hierarchy: that one reads the distinct years
    # of the whole table on every page.
    list_filter = ["kind", "measure", "date"]
    list_select_related = ["mahalla", "inspector__user"]
    show_full_result_count = False
    paginator = CappedCountPaginator


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ScopedReadAdmin):
    # Personal data stays out of the admin lists: the register pages log every read.
    scope = staticmethod(register_entries_visible_to)
    list_display = ["id", "category", "mahalla", "registered_on", "removed_on"]
    list_filter = ["category"]
    list_select_related = ["category", "mahalla"]
    exclude = ["full_name", "birth_date", "address", "document_number"]


@admin.register(AccountabilityMeeting)
class AccountabilityMeetingAdmin(ScopedReadAdmin):
    scope = staticmethod(meetings_visible_to)
    list_display = ["id", "date", "status", "mahalla", "inspector", "attendance"]
    list_select_related = ["mahalla", "inspector__user"]


@admin.register(MahallaContact)
class MahallaContactAdmin(ScopedReadAdmin):
    scope = staticmethod(contacts_visible_to)
    list_display = ["mahalla", "position", "full_name", "phone"]
    list_select_related = ["mahalla"]


@admin.register(ResidentFeedback)
class ResidentFeedbackAdmin(ScopedReadAdmin):
    scope = staticmethod(feedback_visible_to)
    list_display = ["id", "post", "rating", "moderation", "created_at"]
    list_filter = ["moderation", "rating"]
    list_select_related = ["post"]
