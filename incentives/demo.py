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
    nomination_comment_add,
    nomination_forward,
    nomination_pay,
    nomination_reject,
    nomination_reverse,
    nomination_submit,
    reference_ensure,
    social_case_decide,
    social_case_open,
    social_case_pay,
)
from mahalla.models import Territory
from partnership.models import Organisation

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
    # Every state a nomination can be in, plus one forwarded to the region's commission.
    outcomes = ["submitted", "approved", "paid", "rejected", "submitted", "reversed", "forwarded"]
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
        if outcome == "submitted":
            nomination_comment_add(
                nomination=nomination, by=member, text="Dalillarni koʻrib chiqish kerak."
            )
        if outcome == "forwarded":
            nomination_forward(nomination=nomination, by=member, reason="Viloyat darajasi")
        if outcome in ("approved", "paid", "reversed"):
            nomination = nomination_approve(
                nomination=nomination,
                by=member,
                incentive_type=cash,
                amount=1_000_000,
                decision_number=f"K-{today.year}-{number}",
                decision_date=today - timedelta(days=5),
            )
        if outcome in ("paid", "reversed"):
            nomination = nomination_pay(
                nomination=nomination, by=member, paid_on=today, reference=f"PP-{number}"
            )
        if outcome == "reversed":
            nomination_reverse(nomination=nomination, by=member, reason="Toʻlov qaytarildi.")
        if outcome == "rejected":
            nomination_reject(nomination=nomination, by=member, reason="Dalillar yetarli emas.")
    organisation = (
        Organisation.objects.filter(
            verification=Organisation.Verification.VERIFIED,
            territory__path__startswith=mahalla.parent.path,
        )
        .order_by("pk")
        .first()
    )
    if organisation is not None:
        approved = nomination_submit(
            by=User.objects.get(username="ngo.staff"),
            kind=Nomination.Kind.ORGANISATION,
            organisation=organisation,
            ground=ground,
            facts="Yoshlar orasida huquqiy targʻibot tadbirlarini oʻtkazgan.",
            event_date=today - timedelta(days=40),
            mahalla=mahalla,
        )
        nomination_approve(
            nomination=approved,
            by=member,
            incentive_type=IncentiveType.objects.get(code="gratitude"),
            amount=0,
            decision_number=f"K-{today.year}-T1",
            decision_date=today - timedelta(days=3),
        )
    _seed_social_cases(today=today, inspector=inspector, member=member, mahalla=mahalla)
    ctx.log(f"Incentives: 3 commissions with funds, {len(outcomes) + 1} nominations, 2 cases.")


def _seed_social_cases(*, today, inspector, member, mahalla) -> None:
    """One case under review, one whose support was decided and paid."""
    for number in (1, 2):
        case = social_case_open(
            by=inspector,
            full_name=f"Jabrlangan Demo {number}",
            document_number=f"AB{2_000_000 + number}",
            mahalla=mahalla,
            event_date=today - timedelta(days=30 + number),
            harm="Jinoyatchini ushlashda yordam berib, jarohat olgan.",
        )
        if number == 2:
            case = social_case_decide(
                case=case,
                by=member,
                support="treatment",
                amount=2_000_000,
                decision_number=f"IH-{today.year}-{number}",
                decision_date=today - timedelta(days=2),
                details="Davolanish xarajatlari qoplanadi.",
            )
            social_case_pay(case=case, by=member, paid_on=today, reference=f"PP-S{number}")
