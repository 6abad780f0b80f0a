"""Fifty commission members approving at once against a fund with room for twenty: exactly
twenty are approved, and the committed total equals their sum and stays within the budget.

Real concurrency needs real connections: threads, each with its own PostgreSQL connection.
SQLite serialises writers on one file, so the test runs on PostgreSQL only (as in CI)."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from core.exceptions import ApplicationError
from incentives.models import Commission, Fund, IncentiveType, Nomination
from incentives.services import nomination_approve

APPROVERS = 50
ROOM = 20
AMOUNT = 400_000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_exceed_the_fund(demo_data, submit, demo_user):
    # given: 50 submitted nominations and a fund with room for exactly 20 of them
    commission = Commission.objects.get(level="district", territory__code="1726266")
    fund = Fund.objects.get(commission=commission, year=timezone.localdate().year)
    Fund.objects.filter(pk=fund.pk).update(budget=fund.committed + ROOM * AMOUNT)
    nominations = [submit(1000 + number, amount=AMOUNT) for number in range(APPROVERS)]
    member = demo_user("commission")
    cash = IncentiveType.objects.get(code="cash")
    start = threading.Barrier(APPROVERS)
    outcomes: list[str] = []

    def approve(nomination):
        try:
            start.wait()
            nomination_approve(
                nomination=nomination,
                by=member,
                incentive_type=cash,
                amount=AMOUNT,
                decision_number=f"K-{nomination.pk}",
                decision_date=timezone.localdate(),
            )
            outcomes.append("approved")
        except ApplicationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    # when: all of them decide at the same moment, each on its own connection
    threads = [threading.Thread(target=approve, args=(n,)) for n in nominations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    fund.refresh_from_db()
    approved = Nomination.objects.filter(pk__in=[n.pk for n in nominations], state="approved")
    assert outcomes.count("approved") == ROOM == approved.count()
    assert outcomes.count("refused") == APPROVERS - ROOM
    assert fund.committed <= fund.budget
    assert fund.committed - (fund.budget - ROOM * AMOUNT) == sum(n.amount for n in approved)
