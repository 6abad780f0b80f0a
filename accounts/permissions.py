"""The territorial scope every app builds on (STYLE.md §4).

A membership at a territory node sees that node's whole subtree (vertical subordination). A
scope is expressed on the materialised path, so "everything under my nodes" is a handful of
indexed prefix conditions whatever the depth. Memberships are read once per request and kept
on the user object.
"""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import MIA_ROLES, Membership, PersonalDataRead, Role, User

_CACHE_ATTR = "_active_memberships_cache"


def active_memberships(user, *, on: date | None = None) -> list[Membership]:
    """The user's memberships valid on a day (today by default), with their places loaded."""
    if not getattr(user, "is_authenticated", False):
        return []
    day = on or timezone.localdate()
    cache = user.__dict__.setdefault(_CACHE_ATTR, {})
    if day not in cache:
        cache[day] = list(
            Membership.objects.filter(user=user, valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .select_related("territory", "organisation")
            .order_by("role", "pk")
        )
    return cache[day]


def user_roles(user) -> set[str]:
    """The roles the user holds today; superusers count as portal administrators."""
    roles = {membership.role for membership in active_memberships(user)}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    return roles


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def is_portal_admin(user) -> bool:
    """Portal administrators see everything (their reads of personal data are logged)."""
    return bool(getattr(user, "is_active", False)) and Role.ADMIN in user_roles(user)


def territory_scope_paths(user, *, roles: set[str] | None = None) -> list[str] | None:
    """Paths of the subtrees the user's memberships cover; None means the whole country.

    `roles` limits the memberships considered (e.g. only MIA roles for a page of theirs).
    Nested subtrees are folded into the outer one.
    """
    if is_portal_admin(user):
        return None
    paths = sorted(
        m.territory.path
        for m in active_memberships(user)
        if m.territory_id is not None and (roles is None or m.role in roles)
    )
    folded: list[str] = []
    for path in paths:
        if not any(path.startswith(outer) for outer in folded):
            folded.append(path)
    return folded


def territory_scope_q(user, *, field: str = "path", roles: set[str] | None = None) -> Q:
    """A condition keeping rows whose territory path (`field`) lies in the user's subtrees."""
    paths = territory_scope_paths(user, roles=roles)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def organisation_ids(user, *, roles: set[str] | None = None) -> set[int]:
    """Ids of the organisations the user acts for today."""
    return {
        m.organisation_id
        for m in active_memberships(user)
        if m.organisation_id is not None and (roles is None or m.role in roles)
    }


def users_visible_to(user) -> QuerySet[User]:
    """Administrators see every account; a unit officer the accounts held in its subtree; an
    NGO administrator its organisation's staff; anyone else only their own account."""
    if is_portal_admin(user):
        return User.objects.all()
    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    visible = Q(pk=user.pk)
    if has_role(user, Role.UNIT_OFFICER):
        scope = territory_scope_q(
            user, field="memberships__territory__path", roles={Role.UNIT_OFFICER}
        )
        visible |= Q(pk__in=User.objects.filter(scope).values("pk"))
    ngo_admin_of = organisation_ids(user, roles={Role.NGO_ADMIN})
    if ngo_admin_of:
        visible |= Q(pk__in=Membership.objects.filter(organisation__in=ngo_admin_of).values("user"))
    return User.objects.filter(visible)


def memberships_visible_to(user) -> QuerySet[Membership]:
    """Memberships of the accounts the user may see."""
    return Membership.objects.filter(user__in=users_visible_to(user).values("pk"))


def is_mia_user(user) -> bool:
    return has_role(user, *MIA_ROLES)


def personal_data_reads_visible_to(user) -> QuerySet[PersonalDataRead]:
    """The read log of personal data in the user's subtree: unit officers and admins only."""
    if is_portal_admin(user):
        return PersonalDataRead.objects.all()
    if not has_role(user, Role.UNIT_OFFICER):
        return PersonalDataRead.objects.none()
    return PersonalDataRead.objects.filter(
        territory_scope_q(user, field="territory__path", roles={Role.UNIT_OFFICER})
    )
