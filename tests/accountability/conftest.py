"""Fixtures shared by the accountability tests: figures approved up the hierarchy.

Only approved figures reach the council and the public (accountability.services, "Approved
figures"). The demo approves every month before last (accountability.demo); a test that needs
another period approved, whatever the day it runs on, approves it here.
"""

import pytest

from accountability.periods import Period
from accountability.services import approved_periods_refresh
from mahalla.models import Territory
from prevention.models import PeriodApproval


@pytest.fixture
def approve(db):
    """Approves periods everywhere: each of their months accepted by the republic in every
    district, then the periods' approved marks refreshed (as the end of their roll-ups'
    refresh does, without computing the roll-ups again)."""

    def run(*periods: Period) -> None:
        districts = list(Territory.objects.filter(kind=Territory.Kind.DISTRICT))
        for period in periods:
            PeriodApproval.objects.bulk_create(
                [
                    PeriodApproval(
                        district=district, month=month, state=PeriodApproval.State.ACCEPTED
                    )
                    for district in districts
                    for month in period.months
                ],
                update_conflicts=True,
                unique_fields=["district", "month"],
                update_fields=["state"],
            )
            approved_periods_refresh(period=period)

    return run
