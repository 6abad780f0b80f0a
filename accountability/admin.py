from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accountability.models import Indicator, PublicReport, ReportRun


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    """The catalogue: an indicator of the form measure ÷ measure × factor is added here,
    with no change to the dashboard or the reports (Indicator.clean checks the measures)."""

    list_display = ["code", "name_uz", "numerator", "denominator", "factor", "unit", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["unit", "better", "is_active"]


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Written only by the report runs: a published report is never edited, only followed by
    a new version."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportRun)
class ReportRunAdmin(_ReadOnlyAdmin):
    list_display = ["level", "period_kind", "period_start", "state", "done", "total", "updated_at"]
    list_filter = ["state", "level", "period_kind"]


@admin.register(PublicReport)
class PublicReportAdmin(_ReadOnlyAdmin):
    list_display = ["territory", "period_kind", "period_start", "version", "created_at"]
    list_filter = ["period_kind", "territory__kind"]
    list_select_related = ["territory"]
    search_fields = ["territory__code", "pdf_sha256", "csv_sha256"]
    exclude = ["html"]
    raw_id_fields = ["territory", "run"]
