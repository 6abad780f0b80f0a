"""Demo prevention service: units, an inspector on every mahalla, records, register entries,
meetings and resident feedback. Bulk inserts, so the national scale stays fast."""

from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Membership, Role, User
from core.demo import DEMO_PASSWORD, DemoContext
from mahalla.models import Territory
from prevention.models import (
    AccountabilityMeeting,
    Inspector,
    InspectorGrade,
    MeetingQuestion,
    PreventionRecord,
    RegisterCategory,
    RegisterEntry,
    ResidentFeedback,
    Unit,
)
from prevention.services import units_load

# Per mahalla: (records, register entries, meetings, feedback)
# The national set's ~10 million records need a faster loader than the ORM (bench/ and the
# national-scale work); until then the national scale gets 100 records per mahalla.
VOLUMES = {"tiny": (2, 1, 1, 2), "small": (100, 4, 3, 5), "national": (100, 8, 4, 10)}
# Rows are written every this many mahallas, so memory stays bounded at any scale.
MAHALLAS_PER_BATCH = 200
FIRST_NAMES = [
    "Alisher",
    "Bekzod",
    "Dilshod",
    "Farrux",
    "Gulnora",
    "Hulkar",
    "Iroda",
    "Jamshid",
    "Kamola",
    "Laziz",
    "Madina",
    "Nodir",
    "Oybek",
    "Sevara",
    "Temur",
    "Umida",
    "Zafar",
]
LAST_NAMES = [
    "Abdullayev",
    "Boboyev",
    "Davlatov",
    "Ergashev",
    "Fayziyev",
    "Gʻofurov",
    "Hasanov",
    "Ismoilov",
    "Jurayev",
    "Karimov",
    "Latipov",
    "Mirzayev",
    "Normatov",
    "Qodirov",
]
SUMMARIES = [
    "Yoshlar bilan huquqiy mavzuda suhbat oʻtkazildi.",
    "Oilaviy nizo boʻyicha profilaktik suhbat oʻtkazildi.",
    "Voyaga yetmaganlar bilan ishlash boʻyicha tadbir oʻtkazildi.",
    "Firibgarlikdan saqlanish boʻyicha aholiga tushuntirish berildi.",
    "Hisobda turgan shaxs bilan individual suhbat oʻtkazildi.",
]


def seed(ctx: DemoContext) -> None:
    created = units_load()
    ctx.log(f"Prevention units created: {created}.")
    today = timezone.localdate()
    grades = list(InspectorGrade.objects.order_by("order"))
    categories = list(RegisterCategory.objects.order_by("order"))
    posts = {
        m_id: post
        for post in Unit.objects.filter(kind=Unit.Kind.POST).prefetch_related("mahallas")
        for m_id in [m.pk for m in post.mahallas.all()]
    }
    inspectors = _ensure_inspectors(ctx, posts, grades, today)
    if PreventionRecord.objects.exists():
        ctx.log("Prevention activity already present; not added again.")
        return
    mahallas = list(Territory.objects.filter(kind=Territory.Kind.MAHALLA).order_by("code"))
    totals = dict.fromkeys(("records", "entries", "meetings", "feedback"), 0)
    for start in range(0, len(mahallas), MAHALLAS_PER_BATCH):
        batch = _activity(
            ctx, mahallas[start : start + MAHALLAS_PER_BATCH], inspectors, posts, categories, today
        )
        for name, rows in batch.items():
            totals[name] += len(rows)
    ctx.log(
        f"Prevention: {totals['records']} records, {totals['entries']} register entries, "
        f"{totals['meetings']} meetings, {totals['feedback']} ratings."
    )


def _activity(ctx, mahallas, inspectors, posts, categories, today) -> dict[str, list]:
    """Generates and writes the activity of a batch of mahallas."""
    records_n, register_n, meetings_n, feedback_n = VOLUMES[ctx.scale]
    rng = ctx.rng
    entries, records, meetings, feedback = [], [], [], []
    for mahalla in mahallas:
        inspector = inspectors[mahalla.pk]
        for _ in range(register_n):
            registered = today - timedelta(days=rng.randint(30, 900))
            removed = rng.random() < 0.3
            entries.append(
                RegisterEntry(
                    mahalla=mahalla,
                    inspector=inspector,
                    full_name=f"{rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)}",
                    birth_date=registered - timedelta(days=rng.randint(16 * 365, 60 * 365)),
                    address=f"{mahalla.name_uz} MFY, {rng.randint(1, 80)}-uy",
                    document_number=f"A{rng.choice('ABCDEF')}{rng.randint(1_000_000, 9_999_999)}",
                    category=rng.choice(categories),
                    grounds="Demo: hisobga olish asosi.",
                    registered_on=registered,
                    removed_on=registered + timedelta(days=365) if removed else None,
                    removal_reason="Tuzalish yoʻliga oʻtgan." if removed else "",
                    rehabilitation_support="Ishga joylashtirishda yordam." if removed else "",
                )
            )
        for _ in range(records_n):
            records.append(
                PreventionRecord(
                    kind=rng.choice(PreventionRecord.Kind.values),
                    measure=rng.choice(PreventionRecord.Measure.values),
                    mahalla=mahalla,
                    date=today - timedelta(days=rng.randint(0, 364)),
                    inspector=inspector,
                    summary=rng.choice(SUMMARIES),
                    people_reached=rng.randint(1, 60),
                )
            )
        for number in range(meetings_n):
            meetings.append(
                AccountabilityMeeting(
                    inspector=inspector,
                    mahalla=mahalla,
                    date=today - timedelta(days=30 + 90 * number),
                    status=AccountabilityMeeting.Status.HELD,
                    attendance=rng.randint(20, 150),
                    topics="Mahalladagi jinoyatchilik holati va profilaktika ishlari.",
                )
            )
        post = posts[mahalla.pk]
        for _ in range(feedback_n):
            feedback.append(
                # Ratings without a comment need no moderation (as feedback_submit decides).
                ResidentFeedback(
                    post=post,
                    mahalla=mahalla,
                    rating=rng.choice([3, 4, 4, 5, 5]),
                    moderation=ResidentFeedback.Moderation.APPROVED,
                )
            )
    RegisterEntry.objects.bulk_create(entries, batch_size=2000)
    PreventionRecord.objects.bulk_create(records, batch_size=5000)
    AccountabilityMeeting.objects.bulk_create(meetings, batch_size=2000)
    MeetingQuestion.objects.bulk_create(
        [
            MeetingQuestion(
                meeting=meeting,
                text="Koʻcha yoritilishini yaxshilash.",
                due_date=meeting.date + timedelta(days=30),
                state=MeetingQuestion.State.DONE,
                follow_up="Hokimlikka murojaat qilindi, chiroqlar oʻrnatildi.",
                done_on=meeting.date + timedelta(days=20),
            )
            for meeting in meetings
        ],
        batch_size=2000,
    )
    ResidentFeedback.objects.bulk_create(feedback, batch_size=2000)
    return {"records": records, "entries": entries, "meetings": meetings, "feedback": feedback}


def _ensure_inspectors(ctx, posts, grades, today) -> dict[int, Inspector]:
    """An inspector for every mahalla: the demo `inspector` account on its own mahalla, a
    generated account (which can sign in with the demo password) everywhere else."""
    demo_user = User.objects.get(username="inspector")
    demo_mahalla = demo_user.memberships.get(role=Role.INSPECTOR).territory
    Inspector.objects.get_or_create(
        user=demo_user, defaults={"grade": grades[0], "post": posts[demo_mahalla.pk]}
    )
    covered = {
        m.territory_id: m.user_id
        for m in Membership.objects.filter(role=Role.INSPECTOR).only("territory_id", "user_id")
    }
    missing = [
        m
        for m in Territory.objects.filter(kind=Territory.Kind.MAHALLA).order_by("code")
        if m.pk not in covered
    ]
    password = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        [
            User(
                username=f"insp.{m.code.lower()}",
                first_name=ctx.rng.choice(FIRST_NAMES),
                last_name=ctx.rng.choice(LAST_NAMES),
                password=password,
            )
            for m in missing
        ],
        batch_size=2000,
    )
    Inspector.objects.bulk_create(
        [
            Inspector(user=user, grade=ctx.rng.choice(grades), post=posts[m.pk])
            for user, m in zip(users, missing, strict=True)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                role=Role.INSPECTOR,
                territory=m,
                valid_from=today - timedelta(days=365 * 2),
            )
            for user, m in zip(users, missing, strict=True)
        ],
        batch_size=2000,
    )
    by_user = {i.user_id: i for i in Inspector.objects.all()}
    covered = {
        m.territory_id: by_user[m.user_id]
        for m in Membership.objects.filter(role=Role.INSPECTOR, user_id__in=by_user)
    }
    if missing:
        ctx.logins.append(
            (users[0].username, Role.INSPECTOR, f"one of {len(users)} generated inspectors")
        )
    return covered
