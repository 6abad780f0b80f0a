from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role
from accounts.permissions import active_memberships, user_roles
from mahalla.models import Territory

# The order role sections appear in on a home page of someone holding several roles.
ROLE_ORDER = [
    Role.INSPECTOR,
    Role.UNIT_OFFICER,
    Role.COMMISSION_MEMBER,
    Role.COUNCIL_MEMBER,
    Role.NGO_ADMIN,
    Role.NGO_STAFF,
    Role.ADMIN,
]


@dataclass
class HomeSection:
    role: str
    title: str
    memberships: list[Membership]
    places: list = field(default_factory=list)
    children: list[Territory] = field(default_factory=list)

    @property
    def template(self) -> str:
        return f"accounts/home/{self.role}.html"


def home_sections(user) -> list[HomeSection]:
    """One section of the home page per role the user holds today, in ROLE_ORDER."""
    memberships = active_memberships(user)
    roles = user_roles(user)
    sections = []
    for role in ROLE_ORDER:
        if role not in roles:
            continue
        held = [m for m in memberships if m.role == role]
        places = [m.organisation or m.territory for m in held]
        section = HomeSection(role=role, title=Role(role).label, memberships=held, places=places)
        if role in (Role.UNIT_OFFICER, Role.COMMISSION_MEMBER) and places:
            section.children = list(
                Territory.objects.filter(parent__in=places).order_by("parent_id", "name_uz")
            )
        elif role == Role.COUNCIL_MEMBER:
            section.children = list(
                Territory.objects.filter(kind=Territory.Kind.REGION).order_by("name_uz")
            )
        sections.append(section)
    return sections


def navigation_items(user) -> list[tuple[str, str]]:
    """(label, URL name) of the main menu for the user's roles."""
    items = [(_("Home"), "accounts:home"), (_("Territories"), "mahalla:territory-list")]
    if getattr(user, "is_authenticated", False):
        items.append((_("API"), "api-docs"))
    if Role.ADMIN in user_roles(user) and user.is_staff:
        items.append((_("Administration"), "admin:index"))
    return items
