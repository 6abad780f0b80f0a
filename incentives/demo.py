"""Demo incentives: commissions over the demo district, its region and the republic, their
funds for this year, and nominations in every state; beyond the tiny scale, generated
nominations in every district as well."""

from datetime import timedelta

from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.demo import DEMO_DISTRICT, DEMO_REGION
from accounts.models import Membership, Role, User
from core.bulk import RowWriter
from core.demo import DemoContext
from core.text import search_key
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
# Generated nominations per mahalla over YEARS years, decided by the district's commission:
# ~100,000 at the national scale. The tiny set keeps only the hand-made ones above, which the
# tests know one by one.
GENERATED_PER_MAHALLA = {"tiny": 0, "small": 1, "national": 10}
YEARS = {"tiny": 1, "small": 1, "national": 5}
# Outcomes of the generated nominations, in proportion.
OUTCOMES = ["submitted"] * 2 + ["approved"] * 3 + ["paid"] * 4 + ["rejected"]
AMOUNTS = [500_000, 1_000_000, 1_500_000, 2_000_000]
GENERATED_FACTS = "Mahallada profilaktika ishlarida faol qatnashgan."
NOMINATION_COLUMNS = [
    "kind",
    "full_name",
    "birth_date",
    "address",
    "document_number",
    "organisation_id",
    "person_key",
    "ground_id",
    "facts",
    "event_date",
    "mahalla_id",
    "proposed_amount",
    "commission_id",
    "state",
    "consent_to_publish",
    "nominated_by_id",
    "incentive_type_id",
    "amount",
    "fund_id",
    "decision_number",
    "decision_date",
    "decision_reason",
    "decided_by_id",
    "paid_on",
    "payment_reference",
]


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
    generated = nominations_generate(ctx, today=today, member=member)
    if generated:
        ctx.log(f"Incentives: {generated} generated nominations in every district.")


def nominations_generate(ctx: DemoContext, *, today, member) -> int:
    """GENERATED_PER_MAHALLA nominations in every mahalla over the last YEARS years, each at
    its district's commission (made with its funds where missing), in every state; then the
    funds' committed totals set from the awards, with budgets that cover them."""
    per_mahalla = GENERATED_PER_MAHALLA[ctx.scale]
    if not per_mahalla:
        return 0
    rng = ctx.rng
    years = range(today.year - YEARS[ctx.scale], today.year + 1)
    districts = Territory.objects.filter(kind=Territory.Kind.DISTRICT).order_by("code")
    existing = {c.territory_id: c for c in Commission.objects.filter(territory__in=districts)}
    Commission.objects.bulk_create(
        [Commission(territory=d, level=Level.DISTRICT) for d in districts if d.pk not in existing]
    )
    commissions = {c.territory_id: c.pk for c in Commission.objects.filter(territory__in=districts)}
    Fund.objects.bulk_create(
        [
            Fund(commission_id=pk, year=year, budget=BUDGETS[Level.DISTRICT])
            for pk in commissions.values()
            for year in years
        ],
        ignore_conflicts=True,
    )
    funds = {
        (f.commission_id, f.year): f.pk
        for f in Fund.objects.filter(commission_id__in=commissions.values())
    }
    # Grounds graded by the gravity of a crime need a gravity; the generated ones do without.
    grounds = list(
        IncentiveGround.objects.filter(is_active=True, has_gravity=False).order_by("order", "code")
    )
    cash = IncentiveType.objects.get(code="cash")
    inspectors = dict(
        Membership.objects.filter(role=Role.INSPECTOR)
        .order_by("user_id")
        .values_list("territory_id", "user_id")
    )
    organisations: dict[int, list[int]] = {}
    for pk, territory_id in Organisation.objects.filter(
        verification=Organisation.Verification.VERIFIED
    ).values_list("pk", "territory_id"):
        organisations.setdefault(territory_id, []).append(pk)
    mahallas = Territory.objects.filter(kind=Territory.Kind.MAHALLA).order_by("code")
    days = 365 * YEARS[ctx.scale]
    number = 0
    taken: set[tuple] = set()  # (organisation, event date, ground) of organisation nominations
    with RowWriter(Nomination, NOMINATION_COLUMNS) as writer:
        for mahalla in mahallas.only("pk", "code", "parent_id", "name_uz").iterator(2000):
            commission = commissions[mahalla.parent_id]
            for _ in range(per_mahalla):
                number += 1
                writer.add(
                    *_generated_nomination(
                        rng,
                        number,
                        mahalla,
                        commission,
                        organisations.get(mahalla.parent_id, []),
                        grounds,
                        cash,
                        funds,
                        inspectors[mahalla.pk],
                        member,
                        today - timedelta(days=40 + rng.randint(0, days - 41)),
                        taken,
                    )
                )
    # Each fund's committed total is its awards' amounts, as nomination_approve keeps it.
    awards = Nomination.objects.filter(
        fund=OuterRef("pk"), state__in=[Nomination.State.APPROVED, Nomination.State.PAID]
    )
    committed = Coalesce(
        Subquery(awards.order_by().values("fund").annotate(total=Sum("amount")).values("total")),
        0,
    )
    # In one statement, so the budget covers the new total when the constraint is checked.
    Fund.objects.filter(pk__in=funds.values()).update(
        committed=committed, budget=Greatest(F("budget"), committed * 5 / 4)
    )
    return writer.written


def _generated_nomination(
    rng, number, mahalla, commission, organisations, grounds, cash, funds, by, member, event, taken
) -> tuple:
    """One generated nomination's columns, in NOMINATION_COLUMNS order."""
    outcome = rng.choice(OUTCOMES)
    ground = rng.choice(grounds)
    amount = rng.choice(AMOUNTS)
    organisation = rng.choice(organisations) if organisations and rng.random() < 0.1 else None
    # An organisation is nominated once for an event on a ground (nomination_no_double_award);
    # where that is taken, a citizen is nominated instead.
    if organisation is not None and (organisation, event, ground.pk) not in taken:
        taken.add((organisation, event, ground.pk))
        nominee = ("organisation", "", None, "", "", organisation, f"org:{organisation}")
    else:
        document = f"AN{number:07d}"
        nominee = (
            "citizen",
            f"{rng.choice(['Karimov', 'Yusupova', 'Rahimov', 'Saidova'])} Demo {number}",
            event.replace(year=event.year - rng.randint(20, 60), day=1),
            f"{mahalla.name_uz} MFY, {rng.randint(1, 80)}-uy",
            document,
            None,
            "doc:" + search_key(document),
        )
    decided = outcome != "submitted"
    decision_date = event + timedelta(days=rng.randint(10, 35)) if decided else None
    awarded = outcome in ("approved", "paid")
    return (
        *nominee,
        ground.pk,
        GENERATED_FACTS,
        event,
        mahalla.pk,
        amount,
        commission,
        outcome,
        rng.random() < 0.5,
        by,
        cash.pk if awarded else None,
        amount if awarded else None,
        funds[(commission, decision_date.year)] if awarded else None,
        f"K-{decision_date.year}-G{number}" if decided else "",
        decision_date,
        "Dalillar yetarli emas." if outcome == "rejected" else "",
        member.pk if decided else None,
        decision_date + timedelta(days=7) if outcome == "paid" else None,
        f"PP-G{number}" if outcome == "paid" else "",
    )


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
