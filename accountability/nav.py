"""Main-menu entries of the accountability app: (label, URL name, roles that see it)."""

from django.utils.translation import gettext_lazy as _

from accountability.permissions import DASHBOARD_ROLES
from accounts.models import Role

GROUP = _("Accountability")
ITEMS = [
    # Everyone's: outside the MIA it shows approved figures only.
    (_("Dashboard"), "accountability:dashboard", set(Role)),
    (_("Public reports"), "accountability:report-archive", set(DASHBOARD_ROLES) | {Role.INSPECTOR}),
    (_("Report runs"), "accountability:report-run-list", {Role.ADMIN}),
]
