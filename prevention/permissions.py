"""Who sees and changes what in the prevention service (DESIGN.md §1, §3).

MIA roles see their territory: an inspector its assigned mahallas, a unit officer its whole
subtree. The prevention register holds personal data: the same two roles only, never the
council, NGOs or the public. Out-of-scope objects are simply not in these querysets, so views
answer 404.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import MIA_ROLES, Role
from accounts.permissions import active_memberships, has_role, is_portal_admin, territory_scope_q
from mahalla.models import Territory
from mahalla.selectors import territory_in_force
from prevention.models import (
    AccountabilityMeeting,
    Inspector,
    MahallaContact,
    PeriodApproval,
    PreventionRecord,
    RegisterEntry,
    ResidentFeedback,
    Unit,
)


def _mia_scope(user, field: str) -> Q:
    if is_portal_admin(user):
        return Q()
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return territory_scope_q(user, field=field, roles=MIA_ROLES)


def can_use_prevention_pages(user) -> bool:
    """The service's working pages exist for MIA users and portal administrators only."""
    return is_portal_admin(user) or has_role(user, *MIA_ROLES)


def territories_in_scope(user, kind: str) -> QuerySet[Territory]:
    """Nodes of a kind in the user's MIA territory: an inspector's assigned mahallas, a unit
    officer's subtree (everything for administrators)."""
    return Territory.objects.filter(_mia_scope(user, "path"), kind=kind).order_by("name_uz")


def mahallas_in_scope(user) -> QuerySet[Territory]:
    return territories_in_scope(user, Territory.Kind.MAHALLA)


def mahallas_for_new_rows(user) -> QuerySet[Territory]:
    """The mahallas in scope that are in the tree today: those a new row is offered for (a
    mahalla closed by a merge keeps its rows but takes no new ones)."""
    return mahallas_in_scope(user).filter(territory_in_force(timezone.localdate()))


def units_visible_to(user) -> QuerySet[Unit]:
    """The structure of the service is public: every unit, to everyone."""
    return Unit.objects.all()


def _posts_serving_scope(user) -> QuerySet[Unit]:
    """Posts serving a mahalla in the user's MIA territory (an inspector's own post too)."""
    return Unit.objects.filter(
        kind=Unit.Kind.POST, mahallas__in=Territory.objects.filter(_mia_scope(user, "path"))
    ).values("pk")


def inspectors_visible_to(user) -> QuerySet[Inspector]:
    """Inspectors of the posts in the user's MIA territory, and the user's own profile."""
    if is_portal_admin(user):
        return Inspector.objects.all()
    own = Q(user_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    return Inspector.objects.filter(
        _mia_scope(user, "post__territory__path") | Q(post__in=_posts_serving_scope(user)) | own
    )


def records_visible_to(user) -> QuerySet[PreventionRecord]:
    """Prevention records of the mahallas in the user's MIA territory."""
    return PreventionRecord.objects.filter(_mia_scope(user, "mahalla__path"))


def register_entries_visible_to(user) -> QuerySet[RegisterEntry]:
    """Register entries (personal data): the inspectors of the mahalla and unit officers above."""
    return RegisterEntry.objects.filter(_mia_scope(user, "mahalla__path"))


def meetings_visible_to(user) -> QuerySet[AccountabilityMeeting]:
    return AccountabilityMeeting.objects.filter(_mia_scope(user, "mahalla__path"))


def contacts_visible_to(user) -> QuerySet[MahallaContact]:
    return MahallaContact.objects.filter(_mia_scope(user, "mahalla__path"))


def feedback_visible_to(user) -> QuerySet[ResidentFeedback]:
    """All feedback, pending included, of the posts in the user's MIA territory (for an
    inspector: the posts serving its mahallas)."""
    if is_portal_admin(user):
        return ResidentFeedback.objects.all()
    return ResidentFeedback.objects.filter(
        _mia_scope(user, "post__territory__path") | Q(post__in=_posts_serving_scope(user))
    )


def inspector_of(user) -> Inspector | None:
    """The user's active inspector profile, if any (read once per user object)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if "_inspector_profile" not in user.__dict__:
        user.__dict__["_inspector_profile"] = (
            Inspector.objects.select_related("post", "grade")
            .filter(user=user, is_active=True)
            .first()
        )
    return user.__dict__["_inspector_profile"]


def is_unit_officer_over(user, territory) -> bool:
    """A unit officer whose subtree holds `territory` (or a portal administrator)."""
    if is_portal_admin(user):
        return True
    return (
        has_role(user, Role.UNIT_OFFICER)
        and type(territory)
        .objects.filter(territory_scope_q(user, roles={Role.UNIT_OFFICER}), pk=territory.pk)
        .exists()
    )


def can_file_records(user) -> bool:
    """Inspectors file records, register entries and meetings for their mahallas."""
    return inspector_of(user) is not None


def record_is_locked(record: PreventionRecord) -> bool:
    """Past the edit window since filing, a record is corrected only from above."""
    window = timedelta(days=settings.PREVENTION_RECORD_EDIT_WINDOW_DAYS)
    return timezone.now() - record.created_at > window


def can_edit_record(user, record: PreventionRecord) -> bool:
    """Its inspector while the window is open; a unit officer above at any time."""
    if is_unit_officer_over(user, record.mahalla):
        return True
    own = record.inspector.user_id == getattr(user, "pk", None)
    return own and not record_is_locked(record)


def can_edit_meeting(user, meeting: AccountabilityMeeting) -> bool:
    """The inspectors of its mahalla and the unit officers above it."""
    return meetings_visible_to(user).filter(pk=meeting.pk).exists() and (
        can_file_records(user) or is_unit_officer_over(user, meeting.mahalla)
    )


def can_edit_register_entry(user, entry: RegisterEntry) -> bool:
    """The inspectors of its mahalla and the unit officers above it."""
    return register_entries_visible_to(user).filter(pk=entry.pk).exists()


def can_edit_contacts(user, mahalla) -> bool:
    """The mahalla "seven" is kept by the district unit (and the units above it)."""
    return is_unit_officer_over(user, mahalla)


def can_moderate_feedback(user, feedback: ResidentFeedback) -> bool:
    return is_unit_officer_over(user, feedback.post.territory)


# --- Period approval ------------------------------------------------------------------------
# Each level acts for its own node: the district unit submits and reopens its district's
# months, the region unit approves or returns its districts', the republic service accepts or
# returns the regions'. Officers are those with a unit_officer membership at that very node.


def is_officer_at(user, territory) -> bool:
    """A unit officer of the unit at exactly this node (or a portal administrator)."""
    if is_portal_admin(user):
        return True
    return any(
        m.role == Role.UNIT_OFFICER and m.territory_id == territory.pk
        for m in active_memberships(user)
    )


def can_use_approval_pages(user) -> bool:
    """The approvals pages are for unit officers and portal administrators."""
    return is_portal_admin(user) or has_role(user, Role.UNIT_OFFICER)


def can_submit_period(user, district) -> bool:
    return is_officer_at(user, district)


def can_approve_period(user, district) -> bool:
    return is_officer_at(user, district.parent)


def can_accept_period(user, district) -> bool:
    return is_officer_at(user, district.parent.parent)


def period_approvals_visible_to(user):
    """The months of the districts in the user's MIA subtree (or everything for admins)."""
    return PeriodApproval.objects.filter(_mia_scope(user, "district__path"))
