import pytest

from partnership.models import Agreement, JointActivity, Organisation


@pytest.fixture
def org_a(demo_user) -> Organisation:
    """The demo organisation of `ngo.admin` and `ngo.staff`, in Yunusobod (1726266)."""
    return demo_user("ngo.staff").memberships.get().organisation


@pytest.fixture
def org_b(db) -> Organisation:
    """A generated organisation in Andijon region (1703), outside Tashkent's officers' scope."""
    return (
        Organisation.objects.filter(territory__path__startswith="17/1703/").order_by("pk").first()
    )


@pytest.fixture
def agreement_a(org_a) -> Agreement:
    """An active agreement of the demo organisation with the Yunusobod district department."""
    return org_a.agreements.filter(status=Agreement.Status.ACTIVE).first() or _activate(org_a)


@pytest.fixture
def agreement_b(org_b) -> Agreement:
    return org_b.agreements.order_by("pk").first()


@pytest.fixture
def activity_b(org_b) -> JointActivity:
    return JointActivity.objects.filter(organisation=org_b).order_by("pk").first()


def _activate(organisation: Organisation) -> Agreement:
    agreement = organisation.agreements.order_by("pk").first()
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.ACTIVE)
    agreement.refresh_from_db()
    return agreement
