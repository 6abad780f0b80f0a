from django.contrib import admin

from accountability.models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """The catalogue: an indicator of the form measure ÷ measure × factor is added here,
    with no change to the dashboard or the reports (Indicator.clean checks the measures)."""

    list_display = ["code", "name_uz", "numerator", "denominator", "factor", "unit", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["unit", "better", "is_active"]
