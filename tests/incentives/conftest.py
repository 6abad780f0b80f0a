from datetime import timedelta

import pytest
from django.utils import timezone

from incentives.models import Commission, Fund, IncentiveGround, IncentiveType, Nomination
from incentives.services import nomination_submit


@pytest.fixture
def district_commission(db) -> Commission:
    """The demo district commission (Yunusobod); `commission` is its member."""
    return Commission.objects.get(level="district", territory__code="1726266")


@pytest.fixture
def fund(district_commission) -> Fund:
    return Fund.objects.get(commission=district_commission, year=timezone.localdate().year)


@pytest.fixture
def cash(db) -> IncentiveType:
    return IncentiveType.objects.get(code="cash")


@pytest.fixture
def submit(demo_user):
    """Submits a citizen's nomination in the demo inspector's mahalla."""
    inspector = demo_user("inspector")
    mahalla = inspector.memberships.get(role="inspector").territory

    def make(number: int, *, amount: int = 500_000, ground: str = "prevention", **extra):
        return nomination_submit(
            by=inspector,
            kind=Nomination.Kind.CITIZEN,
            full_name=f"Sinov Shaxs {number}",
            document_number=f"TS{number:07d}",
            ground=IncentiveGround.objects.get(code=ground),
            facts="Faol ishtirok.",
            event_date=timezone.localdate() - timedelta(days=3),
            mahalla=mahalla,
            proposed_amount=amount,
            **extra,
        )

    return make
