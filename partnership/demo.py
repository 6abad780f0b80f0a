"""Demo partnership: organisations with staff, agreements with obligations, joint activities
in every state and information requests. The activities are written in bulk (core.bulk)."""

from datetime import timedelta

from django.utils import timezone

from accounts.demo import DEMO_DISTRICT, demo_user
from accounts.models import Role, User
from core.bulk import RowWriter, indexes_deferred
from core.demo import DemoContext
from mahalla.models import Territory
from partnership.models import (
    Agreement,
    InformationRequest,
    JointActivity,
    Obligation,
    Organisation,
    PartnershipArea,
)
from partnership.services import areas_ensure, working_days_after
from prevention.models import Unit

DEMO_REGISTRATION = "NNT-2019-0415"
# Organisations per district, agreements per organisation, activities per agreement in force:
# at the national scale ~10,000 organisations, ~30,000 agreements, ~2 million activities.
VOLUMES = {"tiny": (1, 1, 3), "small": (3, 2, 10), "national": (48, 3, 110)}
# Agreements start up to this many days back and run for one of these terms (days).
AGREEMENT_STARTS = {"tiny": 600, "small": 600, "national": 5 * 365}
AGREEMENT_TERMS = {"tiny": [365, 730], "small": [365, 730], "national": [730, 1095, 1825]}
ACTIVITY_COLUMNS = [
    "agreement_id",
    "organisation_id",
    "unit_id",
    "place_id",
    "kind",
    "date",
    "participants_youth",
    "participants_women",
    "participants_minors",
    "participants_others",
    "description",
    "outcome",
    "status",
    "dispute_reason",
    "reviewed_by_id",
]
MEMORANDUM_TITLE = "Huquqbuzarliklar profilaktikasi boʻyicha hamkorlik memorandumi"
REQUEST_TEXT = "Joriy chorak uchun birgalikdagi tadbirlar rejasini yuborishingizni soʻraymiz."
NAMES = [
    "Yoshlar kelajagi",
    "Mehr-oqibat",
    "Oila va jamiyat",
    "Huquqiy madaniyat",
    "Sogʻlom avlod",
    "Tinch mahalla",
    "Ezgu niyat",
    "Nuroniy",
    "Ishonch",
    "Kamalak",
]


def seed(ctx: DemoContext) -> None:
    areas_ensure()
    today = timezone.localdate()
    district = Territory.objects.get(code=DEMO_DISTRICT)
    organisation, _created = Organisation.objects.get_or_create(
        registration_number=DEMO_REGISTRATION,
        defaults={
            "name": "“Yoshlar kelajagi” nodavlat notijorat tashkiloti",
            "kind": Organisation.Kind.NGO,
            "territory": district,
            "email": "info@yoshlar-kelajagi.demo.uz",
        },
    )
    if organisation.verification != Organisation.Verification.VERIFIED:
        organisation.verification = Organisation.Verification.VERIFIED
        organisation.verified_at = timezone.now()
        organisation.save(update_fields=["verification", "verified_at"])
    organisation.areas.set(PartnershipArea.objects.filter(code__in=["youth", "offence_prevention"]))
    for username, role, first_name, last_name in [
        ("ngo.admin", Role.NGO_ADMIN, "Nodira", "Qodirova"),
        ("ngo.staff", Role.NGO_STAFF, "Otabek", "Saidov"),
    ]:
        demo_user(
            ctx,
            username=username,
            role=role,
            first_name=first_name,
            last_name=last_name,
            organisation=organisation,
        )
    if Agreement.objects.exists():
        ctx.log("Partnership data already present; not added again.")
        return
    per_district, per_organisation, per_agreement = VOLUMES[ctx.scale]
    rng = ctx.rng
    areas = list(PartnershipArea.objects.all())
    units = {u.territory_id: u for u in Unit.objects.filter(kind=Unit.Kind.DISTRICT)}
    mahallas_by_district: dict[int, list[Territory]] = {}
    for mahalla in Territory.objects.filter(kind=Territory.Kind.MAHALLA).only("id", "parent_id"):
        mahallas_by_district.setdefault(mahalla.parent_id, []).append(mahalla)
    districts = list(Territory.objects.filter(kind=Territory.Kind.DISTRICT).order_by("code"))
    organisations = [organisation]
    for district_node in districts:
        for number in range(per_district):
            code = f"NNT-{district_node.code}-{number + 1:02d}"
            if code == DEMO_REGISTRATION:
                continue
            organisations.append(
                Organisation(
                    name=f"“{rng.choice(NAMES)}” NNT ({district_node.name_uz})",
                    kind=rng.choice(Organisation.Kind.values),
                    registration_number=code,
                    territory=district_node,
                    verification=Organisation.Verification.VERIFIED,
                    verified_at=timezone.now(),
                )
            )
    Organisation.objects.bulk_create(organisations[1:], batch_size=1000)
    officer = User.objects.get(username="officer.district")
    agreements, obligations, requests = [], [], []
    statuses = [Agreement.Status.ACTIVE] * 3 + [Agreement.Status.PROPOSED, Agreement.Status.DRAFT]
    links = []
    for org in organisations:
        unit = units[org.territory_id]
        for number in range(per_organisation):
            start = today - timedelta(days=rng.randint(30, AGREEMENT_STARTS[ctx.scale]))
            agreement = Agreement(
                number=f"M-{org.registration_number}-{number + 1}",
                title=f"{MEMORANDUM_TITLE} {number + 1}",
                unit=unit,
                valid_from=start,
                valid_to=start + timedelta(days=rng.choice(AGREEMENT_TERMS[ctx.scale])),
                signed_on=start,
                status=rng.choice(statuses),
                is_public=rng.random() < 0.7,
            )
            if agreement.valid_to < today and agreement.status == Agreement.Status.ACTIVE:
                agreement.status = Agreement.Status.EXPIRED
            agreements.append(agreement)
            links.append((agreement, org))
    Agreement.objects.bulk_create(agreements, batch_size=1000)
    Agreement.organisations.through.objects.bulk_create(
        [
            Agreement.organisations.through(agreement_id=a.pk, organisation_id=o.pk)
            for a, o in links
        ],
        batch_size=2000,
    )
    Agreement.areas.through.objects.bulk_create(
        [
            Agreement.areas.through(agreement_id=a.pk, partnershiparea_id=rng.choice(areas).pk)
            for a, _org in links
        ],
        batch_size=2000,
    )
    activities = RowWriter(JointActivity, ACTIVITY_COLUMNS)
    with indexes_deferred(JointActivity, when=ctx.scale == "national"):
        for agreement, org in links:
            obligations.extend(_obligations(ctx, agreement, org, today))
            if agreement.status not in (Agreement.Status.ACTIVE, Agreement.Status.EXPIRED):
                continue
            places = mahallas_by_district.get(agreement.unit.territory_id) or [
                agreement.unit.territory
            ]
            _activities(ctx, activities, agreement, org, places, per_agreement, officer, today)
            requests.append(
                InformationRequest(
                    direction=rng.choice(InformationRequest.Direction.values),
                    organisation=org,
                    unit=agreement.unit,
                    subject="Mahalladagi profilaktika tadbirlari rejasi",
                    text=REQUEST_TEXT,
                    due_date=working_days_after(today - timedelta(days=10), 15),
                )
            )
        activities.flush()
    Obligation.objects.bulk_create(obligations, batch_size=2000)
    InformationRequest.objects.bulk_create(requests, batch_size=2000)
    ctx.log(
        f"Partnership: {len(organisations)} organisations, {len(agreements)} agreements, "
        f"{len(obligations)} obligations, {activities.written} joint activities, "
        f"{len(requests)} information requests."
    )


def _obligations(ctx, agreement, org, today) -> list[Obligation]:
    """The organisation's and the unit's quarterly obligations of an agreement."""
    obligations = []
    for number in range(2):
        due = agreement.valid_from + timedelta(days=90 * (number + 1))
        done = due < today and ctx.rng.random() < 0.7
        obligations.append(
            Obligation(
                agreement=agreement,
                text="Har chorakda yoshlar bilan huquqiy targʻibot tadbiri oʻtkazish.",
                party=Obligation.Party.ORGANISATION if number == 0 else Obligation.Party.UNIT,
                organisation=org if number == 0 else None,
                due_date=due,
                state=(
                    Obligation.State.DONE
                    if done
                    else Obligation.State.OVERDUE
                    if due < today
                    else Obligation.State.OPEN
                ),
                done_on=due if done else None,
                evidence="Tadbir oʻtkazildi, fotosuratlar ilova qilingan." if done else "",
            )
        )
    return obligations


STATUSES = [JointActivity.Status.CONFIRMED] * 3 + [
    JointActivity.Status.SUBMITTED,
    JointActivity.Status.DISPUTED,
]


def _activities(ctx, writer, agreement, org, places, count, officer, today) -> None:
    """An agreement's joint activities, on days while it was in force, into the writer."""
    rng = ctx.rng
    span = max(0, (min(today, agreement.valid_to) - agreement.valid_from).days)
    kinds = JointActivity.Kind.values
    for _ in range(count):
        status = rng.choice(STATUSES)
        day = agreement.valid_from + timedelta(days=rng.randint(0, span))
        # Drawn in this order, so the same seed gives the same activities.
        place = rng.choice(places)
        kind = rng.choice(kinds)
        youth, women, minors = rng.randint(0, 60), rng.randint(0, 40), rng.randint(0, 30)
        others = rng.randint(0, 20)
        writer.add(
            agreement.pk,
            org.pk,
            agreement.unit_id,
            place.pk,
            kind,
            day,
            youth,
            women,
            minors,
            others,
            "Mahallada yoshlar bilan huquqiy targʻibot uchrashuvi.",
            "Ishtirokchilar huquqiy maslahat oldi.",
            status,
            "Ishtirokchilar soni tasdiqlanmadi." if status == JointActivity.Status.DISPUTED else "",
            officer.pk if status != JointActivity.Status.SUBMITTED else None,
        )
