"""Demo prevention service: units, an inspector on every mahalla (two in the most populous
ones at the national scale), records, register entries, meetings and resident feedback.
Written in bulk (core.bulk), so the national scale's ten million records load in minutes."""

from datetime import timedelta

from django.utils import timezone

from accounts.demo import demo_password_hash
from accounts.models import Membership, Role, User
from core.bulk import RowWriter, indexes_deferred
from core.demo import DemoContext
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

# Per mahalla: (records, register entries, meetings, feedback), spread over YEARS years back.
# The national set: ~10 million records over five years, a meeting a quarter.
VOLUMES = {"tiny": (2, 1, 1, 2), "small": (100, 4, 3, 5), "national": (1_050, 8, 20, 10)}
YEARS = {"tiny": 1, "small": 1, "national": 5}
# A second inspector in this many of the most populous mahallas (~12,000 inspectors in all).
SECOND_INSPECTORS = {"tiny": 0, "small": 0, "national": 2_500}
# Rows are generated and written every this many mahallas, so memory stays bounded.
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
    second = _second_inspectors(ctx, mahallas, posts, grades, today)
    writers = {
        "records": RowWriter(PreventionRecord, RECORD_COLUMNS),
        "entries": RowWriter(RegisterEntry, ENTRY_COLUMNS),
        "questions": RowWriter(MeetingQuestion, QUESTION_COLUMNS),
        "feedback": RowWriter(ResidentFeedback, FEEDBACK_COLUMNS),
    }
    meetings = 0
    with indexes_deferred(
        PreventionRecord,
        RegisterEntry,
        MeetingQuestion,
        ResidentFeedback,
        when=ctx.scale == "national",
    ):
        for start in range(0, len(mahallas), MAHALLAS_PER_BATCH):
            meetings += _activity(
                ctx,
                mahallas[start : start + MAHALLAS_PER_BATCH],
                inspectors,
                second,
                posts,
                categories,
                today,
                writers,
            )
        for writer in writers.values():
            writer.flush()
    ctx.log(
        f"Prevention: {writers['records'].written} records, "
        f"{writers['entries'].written} register entries, {meetings} meetings, "
        f"{writers['feedback'].written} ratings."
    )


RECORD_COLUMNS = [
    "kind",
    "measure",
    "mahalla_id",
    "date",
    "inspector_id",
    "summary",
    "people_reached",
    "partner_organisation_id",
    "register_entry_id",
]
ENTRY_COLUMNS = [
    "mahalla_id",
    "inspector_id",
    "full_name",
    "birth_date",
    "address",
    "document_number",
    "category_id",
    "grounds",
    "registered_on",
    "removed_on",
    "removal_reason",
    "rehabilitation_support",
    "rehabilitation_partner_id",
]
QUESTION_COLUMNS = ["meeting_id", "text", "due_date", "state", "follow_up", "done_on"]
FEEDBACK_COLUMNS = ["post_id", "mahalla_id", "rating", "comment", "moderation", "moderated_by_id"]


def _activity(ctx, mahallas, inspectors, second, posts, categories, today, writers) -> int:
    """Generates the activity of a batch of mahallas into the writers; the meetings, whose
    questions need their ids, are written here. Returns the number of meetings."""
    records_n, register_n, meetings_n, feedback_n = VOLUMES[ctx.scale]
    days = 365 * YEARS[ctx.scale]
    rng = ctx.rng
    kinds, measures = PreventionRecord.Kind.values, PreventionRecord.Measure.values
    meetings = []
    for mahalla in mahallas:
        inspector = inspectors[mahalla.pk]
        staff = [inspector.pk] + ([second[mahalla.pk]] if mahalla.pk in second else [])
        for _ in range(register_n):
            registered = today - timedelta(days=rng.randint(30, 900))
            removed = rng.random() < 0.3
            writers["entries"].add(
                mahalla.pk,
                inspector.pk,
                f"{rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)}",
                registered - timedelta(days=rng.randint(16 * 365, 60 * 365)),
                f"{mahalla.name_uz} MFY, {rng.randint(1, 80)}-uy",
                f"A{rng.choice('ABCDEF')}{rng.randint(1_000_000, 9_999_999)}",
                rng.choice(categories).pk,
                "Demo: hisobga olish asosi.",
                registered,
                registered + timedelta(days=365) if removed else None,
                "Tuzalish yoʻliga oʻtgan." if removed else "",
                "Ishga joylashtirishda yordam." if removed else "",
                None,
            )
        add_record = writers["records"].add
        for number in range(records_n):
            add_record(
                rng.choice(kinds),
                rng.choice(measures),
                mahalla.pk,
                today - timedelta(days=rng.randint(0, days - 1)),
                staff[number % len(staff)],
                rng.choice(SUMMARIES),
                rng.randint(1, 60),
                None,
                None,
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
            # Ratings without a comment need no moderation (as feedback_submit decides).
            writers["feedback"].add(
                post.pk,
                mahalla.pk,
                rng.choice([3, 4, 4, 5, 5]),
                "",
                ResidentFeedback.Moderation.APPROVED,
                None,
            )
    AccountabilityMeeting.objects.bulk_create(meetings, batch_size=2000)
    for meeting in meetings:
        writers["questions"].add(
            meeting.pk,
            "Koʻcha yoritilishini yaxshilash.",
            meeting.date + timedelta(days=30),
            MeetingQuestion.State.DONE,
            "Hokimlikka murojaat qilindi, chiroqlar oʻrnatildi.",
            meeting.date + timedelta(days=20),
        )
    return len(meetings)


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
    users, _inspectors = _generated_inspectors(
        ctx, missing, posts, grades, username="insp.{code}", since=today - timedelta(days=730)
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


def _second_inspectors(ctx, mahallas, posts, grades, today) -> dict[int, int]:
    """A second generated inspector (id by mahalla id) in the most populous mahallas, made once
    with the first run's activity."""
    count = SECOND_INSPECTORS[ctx.scale]
    if not count:
        return {}
    busiest = sorted(mahallas, key=lambda m: (-(m.population or 0), m.code))[:count]
    busiest.sort(key=lambda m: m.code)
    _users, inspectors = _generated_inspectors(
        ctx, busiest, posts, grades, username="insp.{code}.2", since=today - timedelta(days=365)
    )
    return {m.pk: inspector.pk for m, inspector in zip(busiest, inspectors, strict=True)}


def _generated_inspectors(ctx, mahallas, posts, grades, *, username, since):
    """A generated account (which signs in with the demo password), its inspector profile at
    the mahalla's post and its membership since `since`, for each mahalla; returns the users
    and the inspectors, in the mahallas' order."""
    password = demo_password_hash()
    users = User.objects.bulk_create(
        [
            User(
                username=username.format(code=m.code.lower()),
                first_name=ctx.rng.choice(FIRST_NAMES),
                last_name=ctx.rng.choice(LAST_NAMES),
                password=password,
            )
            for m in mahallas
        ],
        batch_size=2000,
    )
    inspectors = Inspector.objects.bulk_create(
        [
            Inspector(user=user, grade=ctx.rng.choice(grades), post=posts[m.pk])
            for user, m in zip(users, mahallas, strict=True)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, role=Role.INSPECTOR, territory=m, valid_from=since)
            for user, m in zip(users, mahallas, strict=True)
        ],
        batch_size=2000,
    )
    return users, inspectors
