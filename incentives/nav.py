"""Main-menu entries of the incentives: (label, URL name, roles that see it)."""

from django.utils.translation import gettext_lazy as _

from accounts.models import Role

NOMINATORS = {Role.INSPECTOR, Role.UNIT_OFFICER, Role.NGO_STAFF, Role.NGO_ADMIN}
COMMISSION = {Role.COMMISSION_MEMBER, Role.ADMIN}
MIA = {Role.INSPECTOR, Role.UNIT_OFFICER}

GROUP = _("Incentives")
ITEMS = [
    (_("Nominations"), "incentives:nomination-list", NOMINATORS | COMMISSION),
    (_("Social protection"), "incentives:social-case-list", MIA | COMMISSION),
    (
        _("Funds and reports"),
        "incentives:fund-report",
        COMMISSION | {Role.UNIT_OFFICER, Role.COUNCIL_MEMBER},
    ),
    (
        _("Award register"),
        "incentives:award-register",
        NOMINATORS | COMMISSION | {Role.COUNCIL_MEMBER},
    ),
]
