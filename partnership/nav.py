"""Main-menu entries of the partnership: (label, URL name, roles that see it)."""

from django.utils.translation import gettext_lazy as _

from accounts.models import Role

NGO = {Role.NGO_STAFF, Role.NGO_ADMIN}
OFFICERS = {Role.UNIT_OFFICER, Role.ADMIN}

GROUP = _("Partnership")
ITEMS = [
    (_("Activities"), "partnership:activity-list", NGO | OFFICERS | {Role.INSPECTOR}),
    (_("Agreements"), "partnership:agreement-list", NGO | OFFICERS),
    (_("Requests"), "partnership:request-list", NGO | OFFICERS),
    (_("Organisations"), "partnership:organisation-list", OFFICERS),
    (_("Public registry"), "partnership:public-registry", {Role.COUNCIL_MEMBER}),
]

# Forms NGO staff can fill in with no network; the outbox sends them later (static/js/outbox.js).
OFFLINE_FORMS = [(_("Log a joint activity"), "partnership:activity-create", NGO)]
# Fragments those forms load with htmx, kept for offline use once fetched.
OFFLINE_LOOKUPS = ["partnership:activity-mahallas"]
