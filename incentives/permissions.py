"""Who sees and does what in the incentives (DESIGN.md §1, §5).

Commission members see the nominations of their commission and of the commissions below it;
MIA users see those of their territory (an inspector its mahallas, an officer its subtree);
whoever nominated sees their own nominations. Personal data of citizens (name, birth date,
address, document, phone) is narrower still: commission members over the commission, and the
inspectors and unit officers over the mahalla; never NGO staff (even those who nominated),
council members or the public. The public sees the award register only.
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import MIA_ROLES, ORGANISATION_ROLES, Role
from accounts.permissions import (
    has_role,
    is_portal_admin,
    organisation_ids,
    territory_scope_paths,
    territory_scope_q,
)
from incentives.models import Commission, Fund, Nomination, SocialProtectionCase
from mahalla.models import Territory
from mahalla.selectors import region_paths, territory_in_force, under
from partnership.models import Organisation

COMMISSION_ROLES = frozenset({Role.COMMISSION_MEMBER})
# Who may put a citizen or an organisation forward (DESIGN.md §1): the inspector, unit
# officers, and NGO staff (a mahalla chairman nominates through a staff account).
NOMINATING_ROLES = frozenset({Role.INSPECTOR, Role.UNIT_OFFICER, *ORGANISATION_ROLES})


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _commission_scope(user, field: str) -> Q:
    return territory_scope_q(user, field=field, roles=COMMISSION_ROLES)


def _mia_scope(user, field: str) -> Q:
    return territory_scope_q(user, field=field, roles=MIA_ROLES)


def nominations_visible_to(user) -> QuerySet[Nomination]:
    """Administrators: all; commission members: their commission's and those below; MIA
    users: those for events in their territory; anyone: the nominations they made."""
    if is_portal_admin(user):
        return Nomination.objects.all()
    if not _signed_in(user):
        return Nomination.objects.none()
    visible = Q(nominated_by=user)
    if has_role(user, Role.COMMISSION_MEMBER):
        visible |= _commission_scope(user, "commission__territory__path")
    if has_role(user, *MIA_ROLES):
        visible |= _mia_scope(user, "mahalla__path")
    return Nomination.objects.filter(visible)


def awards_public() -> QuerySet[Nomination]:
    """The public award register: every award decided and not reversed. Which of its
    details may be shown is decided by the serializers (names only with consent)."""
    return Nomination.objects.filter(state__in=[Nomination.State.APPROVED, Nomination.State.PAID])


def awards_counted_for(user) -> QuerySet[Nomination]:
    """The nominations whose awards the report's second table counts.

    Council members count every award in the country: the table holds only the number and
    the total amount per ground and region, never a nominee, and DESIGN.md §1 gives the
    council exactly such aggregates (and no personal data). Everyone else counts the
    nominations they may see (`nominations_visible_to`), so a district commission does not
    learn another district's figures from its report.
    """
    if has_role(user, Role.COUNCIL_MEMBER):
        return Nomination.objects.all()
    return nominations_visible_to(user)


def _under(path: str, paths: list[str] | None) -> bool:
    return paths is None or any(path.startswith(outer) for outer in paths)


def personal_data_checker(user) -> Callable[[Nomination | SocialProtectionCase], bool]:
    """A test, made once per request, of whether the user may read the personal data of a
    nominee or a social protection case: administrators, commission members over its
    commission, the inspectors and unit officers over its mahalla.

    The objects must have `commission__territory` and `mahalla` loaded (the selectors do),
    so a whole page is checked without a query.
    """
    if is_portal_admin(user):
        return lambda obj: True
    if not _signed_in(user):
        return lambda obj: False
    commission_paths = territory_scope_paths(user, roles=COMMISSION_ROLES) or []
    mia_paths = territory_scope_paths(user, roles=MIA_ROLES) or []

    def may_read(obj) -> bool:
        return _under(obj.commission.territory.path, commission_paths) or _under(
            obj.mahalla.path, mia_paths
        )

    return may_read


def can_read_personal_data(user, obj: Nomination | SocialProtectionCase) -> bool:
    return personal_data_checker(user)(obj)


def can_see_nomination_evidence(user, nomination: Nomination) -> bool:
    """Evidence of a citizen's nomination (photos, scans of statements) may show the person
    and their documents, so it follows the personal-data rule; an organisation's evidence
    goes to whoever sees the nomination."""
    return nomination.kind == Nomination.Kind.ORGANISATION or can_read_personal_data(
        user, nomination
    )


def can_decide_for(user, commission: Commission) -> bool:
    """Members of the commission (or of one above it) and portal administrators decide its
    nominations, record its payments and keep its social protection cases."""
    if is_portal_admin(user):
        return True
    return (
        has_role(user, Role.COMMISSION_MEMBER)
        and Territory.objects.filter(
            _commission_scope(user, "path"), pk=commission.territory_id
        ).exists()
    )


def can_decide_nomination(user, nomination: Nomination) -> bool:
    return can_decide_for(user, nomination.commission)


def can_comment_nomination(user, nomination: Nomination) -> bool:
    """The review is the commission's: its members comment."""
    return can_decide_for(user, nomination.commission)


def can_nominate(user) -> bool:
    return is_portal_admin(user) or has_role(user, *NOMINATING_ROLES)


def _mahallas_in_force() -> QuerySet[Territory]:
    """New nominations and cases take place in the tree of today: no closed mahalla."""
    return Territory.objects.filter(
        territory_in_force(timezone.localdate()), kind=Territory.Kind.MAHALLA
    )


def nomination_mahallas(user) -> QuerySet[Territory]:
    """Mahallas in force today a user may nominate for: an MIA user's territory, an NGO's
    region (where its staff work with the police), everything for administrators."""
    mahallas = _mahallas_in_force()
    if is_portal_admin(user):
        return mahallas
    condition = Q(pk__in=[])
    if has_role(user, *MIA_ROLES):
        condition |= _mia_scope(user, "path")
    own = organisation_ids(user, roles=set(ORGANISATION_ROLES))
    if own:
        paths = Organisation.objects.filter(pk__in=own).values_list("territory__path", flat=True)
        condition |= under(region_paths(paths), "path")
    return mahallas.filter(condition)


def commissions_visible_to(user) -> QuerySet[Commission]:
    """Commissions (and so their funds): administrators and council members all of them
    (they are public bodies, their funds aggregates); commission members and MIA users those
    of their territory and below."""
    if is_portal_admin(user) or has_role(user, Role.COUNCIL_MEMBER):
        return Commission.objects.all()
    if not _signed_in(user):
        return Commission.objects.none()
    return Commission.objects.filter(
        _commission_scope(user, "territory__path") | _mia_scope(user, "territory__path")
    )


def funds_visible_to(user) -> QuerySet[Fund]:
    return Fund.objects.filter(commission__in=commissions_visible_to(user))


def social_cases_visible_to(user) -> QuerySet[SocialProtectionCase]:
    """Personal data throughout: commission members over the commission, MIA users over the
    mahalla, administrators."""
    if is_portal_admin(user):
        return SocialProtectionCase.objects.all()
    if not _signed_in(user):
        return SocialProtectionCase.objects.none()
    condition = Q(pk__in=[])
    if has_role(user, Role.COMMISSION_MEMBER):
        condition |= _commission_scope(user, "commission__territory__path")
    if has_role(user, *MIA_ROLES):
        condition |= _mia_scope(user, "mahalla__path")
    return SocialProtectionCase.objects.filter(condition)


def can_open_social_case(user) -> bool:
    """MIA users and commission members open a case for a harmed citizen."""
    return is_portal_admin(user) or has_role(user, *MIA_ROLES, Role.COMMISSION_MEMBER)


def social_case_mahallas(user) -> QuerySet[Territory]:
    """Mahallas in force today in the user's MIA or commission territory."""
    mahallas = _mahallas_in_force()
    if is_portal_admin(user):
        return mahallas
    return mahallas.filter(_mia_scope(user, "path") | _commission_scope(user, "path"))


def uses_incentive_pages(user) -> bool:
    """The signed-in pages of the module exist for those who nominate, decide or oversee."""
    return can_nominate(user) or has_role(user, Role.COMMISSION_MEMBER, Role.COUNCIL_MEMBER)


def can_add_nomination_evidence(user, nomination: Nomination) -> bool:
    """Whoever nominated, and the commission reviewing it, add evidence (while the review
    lasts, which incentives.services checks)."""
    return nomination.nominated_by_id == user.pk or can_decide_nomination(user, nomination)


def can_decide_social_case(user, case: SocialProtectionCase) -> bool:
    """The commission keeps its social protection cases: it decides them and records what
    was paid."""
    return can_decide_for(user, case.commission)
