from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partnership.models import Organisation
from partnership.permissions import organisations_visible_to


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "registration_number", "territory"]
    list_filter = ["kind"]
    search_fields = ["name", "registration_number"]
    raw_id_fields = ["territory"]
    list_select_related = ["territory"]

    def get_queryset(self, request):
        return organisations_visible_to(request.user)
