from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from accounts.permissions import memberships_visible_to, users_visible_to
from core.admin import HistoryAdmin, PlainTextInlineMixin


class MembershipInline(PlainTextInlineMixin, admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["territory", "organisation"]


@admin.register(User)
class UserAdmin(HistoryAdmin, DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "is_active", "last_login"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Contact"), {"fields": ("patronymic", "phone", "preferred_language")}),
    )

    def get_queryset(self, request):
        return users_visible_to(request.user)


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = ["user", "role", "territory", "organisation", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__last_name"]
    autocomplete_fields = ["user", "territory", "organisation"]
    list_select_related = ["user", "territory", "organisation"]

    def get_queryset(self, request):
        return memberships_visible_to(request.user)
