import pytest

from accounts.models import Role
from mahalla.models import Territory
from prevention.models import Inspector
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
