"""Who sees and does what in the partnership (DESIGN.md §1, §4).

NGO staff see their own organisations' records; MIA users see their territory (an officer
the subtree of its unit, an inspector the activities in its mahallas); administrators see
everything. The public sees verified organisations and public active agreements only.
"""

from django.db.models import Q, QuerySet

from accounts.models import MIA_ROLES, ORGANISATION_ROLES, Role
from accounts.permissions import (
    has_role,
    is_portal_admin,
    organisation_ids,
    territory_scope_q,
)
from mahalla.models import Territory
from partnership.models import (
    Agreement,
    InformationRequest,
    JointActivity,
    Obligation,
    Organisation,
)
from prevention.models import Unit
from prevention.permissions import is_unit_officer_over


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _mia(user, field: str) -> Q:
    return territory_scope_q(user, field=field, roles=MIA_ROLES)


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """Administrators: all; NGO staff: their own; MIA users: those registered in their
    territory."""
    if is_portal_admin(user):
        return Organisation.objects.all()
    if not _signed_in(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(pk__in=organisation_ids(user)) | _mia(user, "territory__path")
    )


def organisations_public() -> QuerySet[Organisation]:
    return Organisation.objects.filter(verification=Organisation.Verification.VERIFIED)


def agreements_visible_to(user) -> QuerySet[Agreement]:
    """NGO staff: their organisations' agreements; MIA users: those of the units in their
    territory."""
    if is_portal_admin(user):
        return Agreement.objects.all()
    if not _signed_in(user):
        return Agreement.objects.none()
    own = organisation_ids(user)
    return Agreement.objects.filter(
        Q(pk__in=Agreement.objects.filter(organisations__in=own).values("pk"))
        | _mia(user, "unit__territory__path")
    )


def agreements_public() -> QuerySet[Agreement]:
    """The public registry: active agreements their parties marked public."""
    return Agreement.objects.filter(is_public=True, status=Agreement.Status.ACTIVE)


def obligations_visible_to(user) -> QuerySet[Obligation]:
    """Obligations of the agreements the user sees."""
    return Obligation.objects.filter(agreement__in=agreements_visible_to(user))


def takes_part_in_partnership(user) -> bool:
    """Drafting agreements and sending requests is for the parties: NGO staff, unit officers
    and administrators."""
    return is_portal_admin(user) or has_role(user, Role.UNIT_OFFICER, *ORGANISATION_ROLES)


def activities_visible_to(user) -> QuerySet[JointActivity]:
    """NGO staff: their organisations' activities; MIA users: those held in their territory
    or with a unit of it."""
    if is_portal_admin(user):
        return JointActivity.objects.all()
    if not _signed_in(user):
        return JointActivity.objects.none()
    # The territory and unit conditions as lists of ids (subqueries), not as conditions on
    # joined rows: with millions of activities, an OR over joined tables' paths leads the
    # planner to join every territory to every unit; ids leave it free to start from the
    # filters' indexes (place and date, organisation and date).
    places = Territory.objects.filter(_mia(user, "path")).values("pk")
    units = Unit.objects.filter(_mia(user, "territory__path")).values("pk")
    return JointActivity.objects.filter(
        Q(organisation__in=organisation_ids(user)) | Q(place__in=places) | Q(unit__in=units)
    )


def requests_visible_to(user) -> QuerySet[InformationRequest]:
    if is_portal_admin(user):
        return InformationRequest.objects.all()
    if not _signed_in(user):
        return InformationRequest.objects.none()
    return InformationRequest.objects.filter(
        Q(organisation__in=organisation_ids(user)) | _mia(user, "unit__territory__path")
    )


def acts_for_organisation(user, organisation: Organisation, *, admin_only: bool = False) -> bool:
    """The user works for the organisation (as its administrator, when asked)."""
    roles = {Role.NGO_ADMIN} if admin_only else set(ORGANISATION_ROLES)
    return organisation.pk in organisation_ids(user, roles=roles)


def can_verify_organisation(user, organisation: Organisation) -> bool:
    """A unit officer above the organisation's territory, or an administrator."""
    return is_unit_officer_over(user, organisation.territory)


def can_manage_staff(user, organisation: Organisation) -> bool:
    return is_portal_admin(user) or acts_for_organisation(user, organisation, admin_only=True)


def can_act_for_unit(user, unit) -> bool:
    """Signing and answering for a unit: its officers and those above."""
    return is_unit_officer_over(user, unit.territory)


def can_review_activity(user, activity: JointActivity) -> bool:
    """The named MIA counterpart: officers over the unit, or the inspectors of the mahalla."""
    if can_act_for_unit(user, activity.unit):
        return True
    return has_role(user, Role.INSPECTOR) and (
        type(activity.place)
        .objects.filter(territory_scope_q(user, roles={Role.INSPECTOR}), pk=activity.place_id)
        .exists()
    )


def can_edit_agreement(user, agreement: Agreement) -> bool:
    """Its parties: staff of one of its organisations, or officers of its unit."""
    return can_act_for_unit(user, agreement.unit) or any(
        acts_for_organisation(user, org) for org in agreement.organisations.all()
    )


def can_edit_activity(user, activity: JointActivity) -> bool:
    """The organisation's staff, until the activity is confirmed."""
    return activity.status != JointActivity.Status.CONFIRMED and acts_for_organisation(
        user, activity.organisation
    )


def can_answer_request(user, request: InformationRequest) -> bool:
    """The receiving side: the organisation's staff for a request to it, the unit's officers
    (and those above) for a request to the unit."""
    if request.direction == InformationRequest.Direction.TO_ORGANISATION:
        return acts_for_organisation(user, request.organisation)
    return can_act_for_unit(user, request.unit)
