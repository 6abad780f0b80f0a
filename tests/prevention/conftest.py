import pytest
from django.test import override_settings

from accounts.models import Role
from mahalla.models import Territory
from prevention.models import Inspector, PeriodApproval
from tests.accounts.factories import MembershipFactory


@pytest.fixture
def inspector_a(demo_user) -> Inspector:
    """The demo inspector: its one mahalla is `mahalla_a` (in Yunusobod, Tashkent city)."""
    return demo_user("inspector").inspector


@pytest.fixture
def mahalla_a(inspector_a) -> Territory:
    return inspector_a.user.memberships.get(role=Role.INSPECTOR).territory


@pytest.fixture
def inspector_b(mahalla_a) -> Inspector:
    """A generated inspector of another mahalla, in another region (Andijon)."""
    return (
        Inspector.objects.filter(post__territory__path__startswith="17/1703/")
        .select_related("user")
        .first()
    )


@pytest.fixture
def mahalla_b(inspector_b) -> Territory:
    return inspector_b.user.memberships.get(role=Role.INSPECTOR).territory


@pytest.fixture
def officer_of(db):
    """A unit officer at the territory with the given code."""

    def make(code: str):
        return MembershipFactory(
            role=Role.UNIT_OFFICER, territory=Territory.objects.get(code=code)
        ).user

    return make


@pytest.fixture
def no_period_approvals(db):
    """Every district's every month open again: the demo approves months (accountability.demo),
    which the tests of the approval flow itself start without. Deleted without history rows
    (thousands of them), inside the test's transaction."""
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        PeriodApproval.objects.all().delete()
