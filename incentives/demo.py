"""Demo incentives: commissions over the demo district, its region and the republic, their
funds for this year, and nominations in every state."""

from datetime import timedelta

from django.utils import timezone

from accounts.demo import DEMO_DISTRICT, DEMO_REGION
from accounts.models import User
from core.demo import DemoContext
from incentives.models import Commission, Fund, IncentiveGround, IncentiveType, Level, Nomination
from incentives.services import (
    nomination_approve,
    nomination_pay,
    nomination_reject,
    nomination_submit,
    reference_ensure,
)
from mahalla.models import Territory

BUDGETS = {Level.DISTRICT: 60_000_000, Level.REGION: 300_000_000, Level.REPUBLIC: 2_000_000_000}


def seed(ctx: DemoContext) -> None:
    reference_ensure()
    today = timezone.localdate()
    places = {
        Level.DISTRICT: Territory.objects.get(code=DEMO_DISTRICT),
        Level.REGION: Territory.objects.get(code=DEMO_REGION),
        Level.REPUBLIC: Territory.objects.get(kind=Territory.Kind.COUNTRY),
    }
    for level, territory in places.items():
        commission, _created = Commission.objects.get_or_create(
            territory=territory, defaults={"level": level}
        )
        Fund.objects.get_or_create(
            commission=commission, year=today.year, defaults={"budget": BUDGETS[level]}
        )
    if Nomination.objects.exists():
        return
    inspector = User.objects.get(username="inspector")
    member = User.objects.get(username="commission")
    mahalla = inspector.memberships.get(role="inspector").territory
    ground = IncentiveGround.objects.get(code="prevention")
    cash = IncentiveType.objects.get(code="cash")
    outcomes = ["submitted", "approved", "paid", "rejected", "submitted"]
    for number, outcome in enumerate(outcomes, start=1):
        nomination = nomination_submit(
            by=inspector,
            kind=Nomination.Kind.CITIZEN,
            full_name=f"{ctx.rng.choice(['Karimov', 'Yusupova', 'Rahimov'])} Demo {number}",
            birth_date=today.replace(year=today.year - 30 - number),
            address=f"{mahalla.name_uz} MFY, {number}-uy",
            document_number=f"AD{1_000_000 + number}",
            phone="+998 90 000 00 00",
            ground=ground,
            facts="Mahallada yoshlar bilan profilaktika ishlarida faol qatnashgan.",
            event_date=today - timedelta(days=20 + number),
            mahalla=mahalla,
            proposed_amount=1_000_000,
            consent_to_publish=number % 2 == 1,
        )
        if outcome in ("approved", "paid"):
            nomination = nomination_approve(
                nomination=nomination,
                by=member,
                incentive_type=cash,
                amount=1_000_000,
                decision_number=f"K-{today.year}-{number}",
                decision_date=today - timedelta(days=5),
            )
        if outcome == "paid":
            nomination_pay(
                nomination=nomination, by=member, paid_on=today, reference=f"PP-{number}"
            )
        if outcome == "rejected":
            nomination_reject(nomination=nomination, by=member, reason="Dalillar yetarli emas.")
    ctx.log(f"Incentives: 3 commissions with funds, {len(outcomes)} nominations.")
