from django.contrib import admin

from accountability.models import Indicator, PublicReport, ReportRun
from core.admin import HistoryAdmin, ReadOnlyAdmin


@admin.register(Indicator)
class IndicatorAdmin(HistoryAdmin):
    """The catalogue: an indicator of the form measure ÷ measure × factor is added here,
    with no change to the dashboard or the reports (Indicator.clean checks the measures)."""

    list_display = ["code", "name_uz", "numerator", "denominator", "factor", "unit", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["unit", "better", "is_active"]


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    """Written only by the report runs."""

    list_display = ["level", "period_kind", "period_start", "state", "done", "total", "updated_at"]
    list_filter = ["state", "level", "period_kind"]


@admin.register(PublicReport)
class PublicReportAdmin(ReadOnlyAdmin):
    """Written only by the report runs: a published report is never edited, only followed by
    a new version."""

    list_display = ["territory", "period_kind", "period_start", "version", "created_at"]
    list_filter = ["period_kind", "territory__kind"]
    list_select_related = ["territory"]
    search_fields = ["territory__code", "pdf_sha256", "csv_sha256"]
    exclude = ["html"]
    raw_id_fields = ["territory", "run"]
