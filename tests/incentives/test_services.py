from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from core.exceptions import ApplicationError
from incentives.models import BaseCalculationValue, Fund, IncentiveGround, Nomination
from incentives.services import (
    amount_cap,
    bcv_on,
    nomination_approve,
    nomination_forward,
    nomination_pay,
    nomination_reverse,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _approve(nomination, member, cash, amount, day=None, reason=""):
    return nomination_approve(
        nomination=nomination,
        by=member,
        incentive_type=cash,
        amount=amount,
        decision_number="K-1",
        decision_date=day or timezone.localdate(),
        reason=reason,
    )


def test_the_bcv_in_force_on_the_decision_date():
    assert bcv_on(date(2024, 1, 1)) == 340_000
    assert bcv_on(date(2025, 1, 1)) == 375_000
    assert bcv_on(date(2025, 9, 1)) == 412_000


def test_a_bcv_change_mid_year_applies_only_to_later_decisions(submit, demo_user, cash, fund):
    # given: a new BCV from today; a decision dated yesterday still uses the old one
    today = timezone.localdate()
    BaseCalculationValue.objects.create(valid_from=today, amount=500_000)
    ground = IncentiveGround.objects.get(code="prevention")
    old_cap = amount_cap(ground=ground, gravity="", level="district", day=today - timedelta(1))
    new_cap = amount_cap(ground=ground, gravity="", level="district", day=today)
    assert (old_cap, new_cap) == (3 * bcv_on(today - timedelta(1)), 3 * 500_000)
    member = demo_user("commission")
    # then: an amount between the caps is refused yesterday and accepted today
    with pytest.raises(ApplicationError, match="above the cap"):
        _approve(submit(1), member, cash, old_cap + 1, today - timedelta(days=1))
    approved = _approve(submit(2), member, cash, old_cap + 1, today)
    assert approved.state == Nomination.State.APPROVED


def test_an_amount_above_the_cap_is_refused_and_nothing_changes(submit, demo_user, cash, fund):
    nomination = submit(3)
    cap = amount_cap(
        ground=nomination.ground, gravity="", level="district", day=timezone.localdate()
    )
    with pytest.raises(ApplicationError, match="above the cap"):
        _approve(nomination, demo_user("commission"), cash, cap + 1)
    nomination.refresh_from_db()
    fund.refresh_from_db()
    assert nomination.state == Nomination.State.SUBMITTED
    assert fund.committed == Fund.objects.get(pk=fund.pk).committed


def test_the_fund_is_never_exceeded(submit, demo_user, cash, fund):
    Fund.objects.filter(pk=fund.pk).update(budget=fund.committed + 900_000)
    member = demo_user("commission")
    _approve(submit(4), member, cash, 600_000)
    with pytest.raises(ApplicationError, match="does not fit"):
        _approve(submit(5), member, cash, 600_000)
    fund.refresh_from_db()
    assert fund.committed == fund.budget - 300_000


def test_the_same_person_event_and_ground_is_blocked(submit):
    first = submit(6)
    with pytest.raises(ApplicationError, match="already been nominated") as error:
        submit(6)
    assert error.value.extra["duplicate"] == first.pk


def test_a_large_amount_goes_to_the_lowest_commission_that_may_award_it(submit):
    small = submit(7, amount=500_000)
    large = submit(8, amount=3 * 412_000 + 1)  # above the district cap, within the region's
    assert small.commission.level == "district"
    assert large.commission.level == "region"
    with pytest.raises(ApplicationError, match="No commission"):
        submit(9, amount=10**12)


def test_only_the_commission_decides(submit, demo_user, cash, fund):
    with pytest.raises(ApplicationError, match="Only members"):
        _approve(submit(10), demo_user("officer.district"), cash, 100_000)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": -5}, "positive amount"),
        ({"decision_number": " "}, "decision number"),
        ({"decision_date": date(2000, 1, 1)}, "between the event and today"),
    ],
)
def test_bad_decisions_are_refused(submit, demo_user, cash, fund, changes, message):
    nomination = submit(11)
    data = {
        "nomination": nomination,
        "by": demo_user("commission"),
        "incentive_type": cash,
        "amount": 100_000,
        "decision_number": "K-9",
        "decision_date": timezone.localdate(),
        **changes,
    }
    with pytest.raises(ApplicationError, match=message):
        nomination_approve(**data)
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.SUBMITTED


def test_payment_needs_approval_and_a_paid_award_is_only_reversed(submit, demo_user, cash, fund):
    member = demo_user("commission")
    nomination = submit(12)
    with pytest.raises(ApplicationError, match="Only an approved award"):
        nomination_pay(
            nomination=nomination, by=member, paid_on=timezone.localdate(), reference="P"
        )
    with pytest.raises(ApplicationError, match="reason for reducing"):
        _approve(nomination, member, cash, 200_000)
    _approve(nomination, member, cash, 200_000, reason="Dalillar qisman tasdiqlandi")
    committed = Fund.objects.get(pk=fund.pk).committed
    paid = nomination_pay(
        nomination=nomination, by=member, paid_on=timezone.localdate(), reference="PP-12"
    )
    with pytest.raises(ApplicationError, match="Only a submitted"):
        _approve(paid, member, cash, 100_000)
    with pytest.raises(ApplicationError, match="reason"):
        nomination_reverse(nomination=paid, by=member, reason="")
    nomination_reverse(nomination=paid, by=member, reason="Xato toʻlov")
    assert Fund.objects.get(pk=fund.pk).committed == committed - 200_000


def test_forwarding_goes_one_level_up(submit, demo_user):
    forwarded = nomination_forward(nomination=submit(13), by=demo_user("commission"))
    assert forwarded.commission.level == "region"
