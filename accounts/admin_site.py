"""The Django admin, open only to portal administrators.

Django lets any active `is_staff` account into the admin; here being staff is not enough: the
account must also hold an active admin membership (DESIGN.md §1), so that a staff flag set by
mistake, or left on an account whose admin role has ended, opens nothing.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from accounts.permissions import is_portal_admin


class PortalAdminAuthenticationForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not is_portal_admin(user):
            # The same answer as for a wrong password: the form does not tell who is staff.
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class PortalAdminSite(AdminSite):
    login_form = PortalAdminAuthenticationForm

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and is_portal_admin(request.user)
