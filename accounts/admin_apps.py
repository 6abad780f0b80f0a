from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's own site, open only to administrators
    (accounts.admin_site). Kept apart from accounts.apps, whose own config must stay the
    module's only default."""

    default_site = "accounts.admin_site.PortalAdminSite"
