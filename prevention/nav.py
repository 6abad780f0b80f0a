"""Main-menu entries of the prevention service: (label, URL name, roles that see it)."""

from django.utils.translation import gettext_lazy as _

from accounts.models import Role

MIA = {Role.INSPECTOR, Role.UNIT_OFFICER, Role.ADMIN}

GROUP = _("Prevention")
ITEMS = [
    (_("Records"), "prevention:record-list", MIA),
    (_("Register"), "prevention:register-list", MIA),
    (_("Meetings"), "prevention:meeting-list", MIA),
    (_("Inspectors"), "prevention:inspector-list", {Role.UNIT_OFFICER, Role.ADMIN}),
    (_("Feedback"), "prevention:feedback-moderation", {Role.UNIT_OFFICER, Role.ADMIN}),
    (_("Approvals"), "prevention:approval-list", {Role.UNIT_OFFICER, Role.ADMIN}),
]

# Forms an inspector can fill in with no network; the outbox sends them later (static/js/outbox.js).
OFFLINE_FORMS = [
    (_("New prevention record"), "prevention:record-create", {Role.INSPECTOR}),
    (_("New register entry"), "prevention:register-create", {Role.INSPECTOR}),
    (_("Schedule a meeting"), "prevention:meeting-create", {Role.INSPECTOR}),
]
