from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, PersonalDataRead, Role
from accounts.permissions import active_memberships, personal_data_reads_visible_to, user_roles
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
# How many reads of one object's personal data its page lists, newest first.
READS_SHOWN = 20


def personal_data_reads_of(user, obj: models.Model) -> list[PersonalDataRead]:
    """Who has read the object's personal data, for those who may see the read log (unit
    officers over its territory and admins); an empty list for everybody else."""
    content_type = ContentType.objects.get_for_model(obj)
    return list(
        personal_data_reads_visible_to(user)
        .filter(content_type=content_type, object_id=obj.pk)
        .select_related("user")[:READS_SHOWN]
    )


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


@dataclass
class MenuEntry:
    label: str
    url_name: str = ""
    children: list["MenuEntry"] = field(default_factory=list)


@cache
def _nav_modules() -> list:
    """The <app>/nav.py modules of the domain apps, in INSTALLED_APPS order.

    Found by name, like Django finds admin modules, so that accounts imports no higher app.
    """
    return [
        import_module(f"{config.name}.nav")
        for config in apps.get_app_configs()
        if "." not in config.name and find_spec(f"{config.name}.nav") is not None
    ]


def _app_menus() -> list[tuple[str, list[tuple[str, str, set[str]]]]]:
    """The menus that apps declare in <app>/nav.py (GROUP, ITEMS)."""
    return [(module.GROUP, module.ITEMS) for module in _nav_modules()]


def offline_forms(user) -> list[MenuEntry]:
    """The forms the user can fill in with no network (OFFLINE_FORMS of each <app>/nav.py).

    The phone keeps a copy of each, so that an inspector or NGO staff member can file an entry
    in a mahalla without a signal; the outbox sends it later.
    """
    roles = user_roles(user)
    return [
        MenuEntry(label, url_name)
        for module in _nav_modules()
        for label, url_name, allowed in getattr(module, "OFFLINE_FORMS", [])
        if roles & allowed
    ]


def offline_url_names() -> dict[str, list[str]]:
    """Every URL name the service worker may keep a copy of: the offline form pages, and the
    fragments they load (OFFLINE_LOOKUPS, e.g. a district's mahallas). Each copy holds only what
    the server showed the user, so nothing outside the user's scope reaches the phone."""
    modules = _nav_modules()
    return {
        "forms": [url_name for m in modules for _, url_name, _ in getattr(m, "OFFLINE_FORMS", [])],
        "lookups": [url_name for m in modules for url_name in getattr(m, "OFFLINE_LOOKUPS", [])],
    }


def navigation_items(user) -> list[MenuEntry]:
    """The main menu for the user's roles: links, and one drop-down per app."""
    roles = user_roles(user)
    items = [
        MenuEntry(_("Home"), "accounts:home"),
        MenuEntry(_("Territories"), "mahalla:territory-list"),
    ]
    for group, entries in _app_menus():
        children = [MenuEntry(label, url) for label, url, allowed in entries if roles & allowed]
        if len(children) == 1:
            items.append(children[0])
        elif children:
            items.append(MenuEntry(group, children=children))
    if getattr(user, "is_authenticated", False):
        items.append(MenuEntry(_("API"), "api-docs"))
    if Role.ADMIN in roles and user.is_staff:
        items.append(MenuEntry(_("Administration"), "admin:index"))
    return items
