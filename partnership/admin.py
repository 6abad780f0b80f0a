from django.contrib import admin
from django.db import models
from import_export.admin import ImportExportMixin

from core.admin import CappedCountPaginator, HistoryAdmin, ScopedReadAdmin
from partnership.models import (
    Agreement,
    InformationRequest,
    JointActivity,
    Organisation,
    PartnershipArea,
)
from partnership.permissions import (
    activities_visible_to,
    agreements_visible_to,
    organisations_visible_to,
    requests_visible_to,
)
from partnership.resources import OrganisationResource


@admin.register(PartnershipArea)
class PartnershipAreaAdmin(HistoryAdmin):
    list_display = ["code", "name_uz", "name_ru", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(Organisation)
class OrganisationAdmin(ImportExportMixin, HistoryAdmin):
    """The registry, with import from CSV/XLSX (a preview and per-row errors before anything
    is written) and export of what the administrator may see."""

    resource_classes = [OrganisationResource]
    list_display = ["name", "kind", "registration_number", "territory", "verification"]
    list_filter = ["kind", "verification"]
    search_fields = ["name", "registration_number"]
    raw_id_fields = ["territory", "verified_by"]
    filter_horizontal = ["areas"]
    list_select_related = ["territory"]
    # A website typed without its scheme is taken as https, as on the portal's own form.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return organisations_visible_to(request.user)


@admin.register(Agreement)
class AgreementAdmin(ScopedReadAdmin):
    scope = staticmethod(agreements_visible_to)
    list_display = ["number", "title", "unit", "status", "valid_from", "valid_to", "is_public"]
    list_filter = ["status", "is_public"]
    search_fields = ["number", "title"]
    list_select_related = ["unit"]


@admin.register(JointActivity)
class JointActivityAdmin(ScopedReadAdmin):
    scope = staticmethod(activities_visible_to)
    list_display = ["id", "date", "kind", "organisation", "unit", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["organisation", "unit"]
    show_full_result_count = False
    paginator = CappedCountPaginator


@admin.register(InformationRequest)
class InformationRequestAdmin(ScopedReadAdmin):
    scope = staticmethod(requests_visible_to)
    list_display = ["subject", "direction", "organisation", "unit", "due_date", "state"]
    list_filter = ["state", "direction"]
    list_select_related = ["organisation", "unit"]
