"""Who sees what of the accountability figures (DESIGN.md §1, §6).

Everything here is aggregate: roll-ups and published reports carry no personal data. The
dashboard is for the Advisory Council and the officials who answer to it; published reports,
their archive and the roll-ups behind them are public. Counts derived from personal records
(register entries, nominees) below SMALL_COUNT are shown as "<5" to everyone outside the MIA,
so that a small mahalla's figure never points at a person.
"""

from decimal import Decimal

from accountability.models import ReportRun
from accounts.models import MIA_ROLES, Role
from accounts.permissions import has_role, is_portal_admin

SMALL_COUNT = 5
DASHBOARD_ROLES = frozenset(
    {Role.COUNCIL_MEMBER, Role.UNIT_OFFICER, Role.COMMISSION_MEMBER, Role.ADMIN}
)


def can_view_dashboard(user) -> bool:
    """Everyone: outside the MIA the dashboard shows approved figures only."""
    return True


def can_manage_report_runs(user) -> bool:
    """Report runs (their progress, a re-run) are the portal administrators'."""
    return is_portal_admin(user)


def report_runs_visible_to(user):
    """Every run for those who manage them, none for anyone else."""
    if can_manage_report_runs(user):
        return ReportRun.objects.all()
    return ReportRun.objects.none()


def sees_small_counts(user) -> bool:
    """MIA users and administrators see exact small counts; everyone else "<5"."""
    return is_portal_admin(user) or has_role(user, *MIA_ROLES)


def sees_provisional_figures(user) -> bool:
    """Figures not yet approved up the hierarchy are the MIA's working figures, shown to its
    users (marked provisional) and to administrators; never to the council or the public."""
    return is_portal_admin(user) or has_role(user, *MIA_ROLES)


def is_suppressed(indicator, numerator: Decimal | None) -> bool:
    """A count from personal records that is under five (and not zero) is not shown in
    public: the one rule for the dashboard, the reports and the API."""
    return bool(
        indicator.from_personal_records and numerator is not None and 0 < numerator < SMALL_COUNT
    )


def hidden_parts(indicator, numerator: Decimal | None, denominator) -> set[str]:
    """The parts of a roll-up ("numerator", "denominator", "value") not shown outside the
    MIA: a small count of people, and whatever would let it be worked out (a value beside a
    small denominator, unless the numerator is zero)."""
    hidden = set()
    if is_suppressed(indicator, numerator):
        hidden |= {"numerator", "value"}
    if is_suppressed(indicator, denominator):
        hidden.add("denominator")
        if numerator:
            hidden |= {"numerator", "value"}
    return hidden
