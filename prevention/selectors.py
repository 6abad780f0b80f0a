"""Reads of the prevention service, with their relations loaded so lists cost a fixed number
of queries whatever their length."""

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    Avg,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role, User
from mahalla.models import Territory
from prevention.models import (
    AccountabilityMeeting,
    Inspector,
    PeriodApproval,
    PreventionRecord,
    RegisterEntry,
    ResidentFeedback,
    Unit,
)


def record_list(*, queryset: QuerySet[PreventionRecord]) -> QuerySet[PreventionRecord]:
    """Records newest first, with mahalla, district, inspector and partner loaded."""
    return queryset.select_related(
        "mahalla__parent", "inspector__user", "inspector__grade", "partner_organisation"
    ).order_by("-date", "-id")


# The export's columns: (title, field), in order.
RECORD_EXPORT_COLUMNS = [
    (_("Date"), "date"),
    (_("District"), "mahalla__parent__name_uz"),
    (_("Mahalla"), "mahalla__name_uz"),
    (_("Kind"), "kind"),
    (_("Measure"), "measure"),
    (_("People reached"), "people_reached"),
    (_("Summary"), "summary"),
    (_("Number"), "id"),
]


def record_export_rows(*, queryset: QuerySet[PreventionRecord]) -> tuple[list, Iterator[tuple]]:
    """The export's header and its rows, newest first, read from the database in chunks as
    they are consumed (one query per 2,000 rows, no model instances)."""
    kinds = dict(PreventionRecord.Kind.choices)
    measures = dict(PreventionRecord.Measure.choices)
    values = (
        queryset.order_by("-date", "-id")
        .values_list(*[field for _title, field in RECORD_EXPORT_COLUMNS])
        .iterator(chunk_size=2000)
    )
    rows = (
        (day, district, mahalla, kinds.get(kind, kind), measures.get(measure, measure), *rest)
        for day, district, mahalla, kind, measure, *rest in values
    )
    return [title for title, _field in RECORD_EXPORT_COLUMNS], rows


def register_entry_list(*, queryset: QuerySet[RegisterEntry]) -> QuerySet[RegisterEntry]:
    return queryset.select_related(
        "mahalla__parent", "inspector__user", "category", "rehabilitation_partner"
    ).order_by("-registered_on", "-id")


def meeting_list(*, queryset: QuerySet[AccountabilityMeeting]) -> QuerySet[AccountabilityMeeting]:
    return (
        queryset.select_related("mahalla", "inspector__user")
        .annotate(
            question_count=Count("questions", distinct=True),
            open_question_count=Count(
                "questions", filter=~Q(questions__state="done"), distinct=True
            ),
        )
        .order_by("-date", "-id")
    )


def inspector_list(*, queryset: QuerySet[Inspector]) -> QuerySet[Inspector]:
    return queryset.select_related("user", "grade", "post").order_by("user__last_name", "id")


def unit_list(*, queryset: QuerySet[Unit]) -> QuerySet[Unit]:
    return queryset.select_related("territory", "parent").order_by("code")


@dataclass
class PerformanceCard:
    """PQ-2896 criteria as figures over a period: work with residents and outcomes, never a
    quota of protocols."""

    meetings_held: int
    meeting_attendance: int
    records_by_kind: dict[str, int]
    register_added: int
    register_removed: int
    register_removed_with_rehabilitation: int
    rating_average: float | None
    rating_count: int


def performance_card(
    *,
    records: QuerySet[PreventionRecord],
    meetings: QuerySet[AccountabilityMeeting],
    entries: QuerySet[RegisterEntry],
    feedback: QuerySet[ResidentFeedback],
    date_from: date,
    date_to: date,
) -> PerformanceCard:
    """The card for whatever the querysets cover (one inspector, or a unit's territory), in
    four aggregate queries."""
    by_kind = dict(
        records.filter(date__range=(date_from, date_to))
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    held = meetings.filter(
        date__range=(date_from, date_to), status=AccountabilityMeeting.Status.HELD
    ).aggregate(n=Count("id"), people=Sum("attendance"))
    register = entries.aggregate(
        added=Count("id", filter=Q(registered_on__range=(date_from, date_to))),
        removed=Count("id", filter=Q(removed_on__range=(date_from, date_to))),
        rehabilitated=Count(
            "id",
            filter=Q(removed_on__range=(date_from, date_to)) & ~Q(rehabilitation_support=""),
        ),
    )
    ratings = feedback.filter(created_at__date__range=(date_from, date_to)).aggregate(
        average=Avg("rating"), n=Count("id")
    )
    return PerformanceCard(
        meetings_held=held["n"],
        meeting_attendance=held["people"] or 0,
        records_by_kind={kind: by_kind.get(kind, 0) for kind in PreventionRecord.Kind.values},
        register_added=register["added"],
        register_removed=register["removed"],
        register_removed_with_rehabilitation=register["rehabilitated"],
        rating_average=round(ratings["average"], 2) if ratings["average"] is not None else None,
        rating_count=ratings["n"],
    )


def mahalla_inspectors(mahalla: Territory, day):
    """Active inspectors holding an inspector membership on the mahalla on `day`."""
    # One filter() call, so that all conditions hold for the same membership row.
    assigned = Q(
        user__memberships__role=Role.INSPECTOR,
        user__memberships__territory=mahalla,
        user__memberships__valid_from__lte=day,
    ) & (Q(user__memberships__valid_to__isnull=True) | Q(user__memberships__valid_to__gte=day))
    return (
        Inspector.objects.filter(assigned, is_active=True)
        .select_related("user", "grade")
        .distinct()
        .order_by("user__last_name", "user__first_name", "id")
    )


def feedback_about_mahalla_q(mahalla: Territory) -> Q:
    """Feedback about the mahalla: given for it, or for one of its posts without a mahalla."""
    # A subquery, not a join through the posts' mahallas: a post serving several mahallas
    # would repeat each row and count it twice.
    posts = Unit.objects.filter(mahallas=mahalla).values("pk")
    return Q(mahalla=mahalla) | Q(mahalla__isnull=True, post__in=posts)


# --- Period approval ------------------------------------------------------------------------

# A month's data is expected in the first days of the following month: from this day on, a
# month still open is late (flagged on the approvals page, reminded by the daily task).
PERIOD_DUE_DAY = 5


def period_previous_month(day: date) -> date:
    """The first day of the month before `day`'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def period_due_date(month: date) -> date:
    """The day a month still open becomes late: the 5th of the following month."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following.replace(day=PERIOD_DUE_DAY)


def period_is_late(*, month: date, state: str, today: date) -> bool:
    """A month not submitted (never, or reopened or returned since) once its due day came."""
    return state == PeriodApproval.State.OPEN and today >= period_due_date(month)


def period_final_districts(*, first: date, last: date) -> dict[date, set[int]]:
    """The districts whose month is approved or accepted, by month, for the months that
    begin between `first` and `last`: one query, at most a row per district and month."""
    final: dict[date, set[int]] = defaultdict(set)
    rows = PeriodApproval.objects.filter(
        month__gte=first, month__lte=last, state__in=PeriodApproval.FINAL_STATES
    ).values_list("month", "district_id")
    for month, district_id in rows:
        final[month].add(district_id)
    return final


def period_district_list(*, districts: QuerySet[Territory], month: date) -> QuerySet[Territory]:
    """The districts by name, each with its month's `period_state` (open when no row exists)
    and `period_message`; region and country loaded for the permission predicates."""
    approval = PeriodApproval.objects.filter(district=OuterRef("pk"), month=month)
    return (
        districts.filter(kind=Territory.Kind.DISTRICT)
        .select_related("parent__parent")
        .annotate(
            period_state=Coalesce(
                Subquery(approval.values("state")[:1]),
                Value(PeriodApproval.State.OPEN),
                output_field=CharField(),
            ),
            period_message=Coalesce(
                Subquery(approval.values("message")[:1]), Value(""), output_field=TextField()
            ),
        )
        .order_by("name_uz", "code")
    )


@dataclass
class RegionPeriodSummary:
    """How far a region's districts have brought one month."""

    region: Territory
    total: int
    by_state: Counter = field(default_factory=Counter)

    @property
    def open(self) -> int:
        return self.total - self.submitted - self.approved - self.accepted

    @property
    def submitted(self) -> int:
        return self.by_state[PeriodApproval.State.SUBMITTED]

    @property
    def approved(self) -> int:
        return self.by_state[PeriodApproval.State.APPROVED]

    @property
    def accepted(self) -> int:
        return self.by_state[PeriodApproval.State.ACCEPTED]


def period_region_summaries(*, month: date) -> list[RegionPeriodSummary]:
    """Every region by name with its districts counted by the month's state (two queries)."""
    regions = (
        Territory.objects.filter(kind=Territory.Kind.REGION)
        .annotate(
            district_count=Count("children", filter=Q(children__kind=Territory.Kind.DISTRICT))
        )
        .order_by("name_uz", "code")
    )
    by_region: dict[int, Counter] = defaultdict(Counter)
    counts = (
        PeriodApproval.objects.filter(month=month, district__kind=Territory.Kind.DISTRICT)
        .values("district__parent_id", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in counts:
        by_region[row["district__parent_id"]][row["state"]] += row["n"]
    return [
        RegionPeriodSummary(region=r, total=r.district_count, by_state=by_region[r.pk])
        for r in regions
    ]


def period_late_districts(*, month: date) -> QuerySet[Territory]:
    """Districts whose month is still open: never submitted, reopened or returned."""
    reached = PeriodApproval.objects.filter(district=OuterRef("pk"), month=month).exclude(
        state=PeriodApproval.State.OPEN
    )
    return (
        Territory.objects.filter(kind=Territory.Kind.DISTRICT)
        .filter(~Exists(reached))
        .select_related("parent")
        .order_by("path")
    )


def unit_officers_by_territory(*, territory_ids, on: date) -> dict[int, list[User]]:
    """The active unit officers at each of the given nodes (exactly there, not above)."""
    memberships = (
        Membership.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
            role=Role.UNIT_OFFICER,
            territory_id__in=territory_ids,
            valid_from__lte=on,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("territory_id", "user_id")
    )
    officers: dict[int, list[User]] = defaultdict(list)
    for membership in memberships:
        officers[membership.territory_id].append(membership.user)
    return officers


PERIOD_EVENT_LABELS = {
    "submitted": _("Submitted"),
    "reopened": _("Reopened"),
    "returned": _("Returned"),
    "approved": _("Approved"),
    "accepted": _("Accepted"),
}


@dataclass
class PeriodEvent:
    """One change of a month's state, as its history recorded it."""

    at: datetime
    by: User | None
    state: str
    event: str
    message: str

    @property
    def label(self) -> str:
        return PERIOD_EVENT_LABELS[self.event]

    @property
    def state_label(self) -> str:
        return PeriodApproval.State(self.state).label


def period_history(*, district: Territory, month: date) -> list[PeriodEvent]:
    """A district's month, newest change first. A move back from submitted to open is a
    reopen when one of the district's own officers made it, a return otherwise; saves that
    left the state as it was (the row's creation as open) are left out."""
    records = list(
        PeriodApproval.history.filter(district=district, month=month)
        .select_related("changed_by", "history_user")
        .order_by("history_date", "history_id")
    )
    own_officers = set(
        Membership.objects.filter(role=Role.UNIT_OFFICER, territory=district).values_list(
            "user_id", flat=True
        )
    )
    order = [choice for choice, _label in PeriodApproval.State.choices]
    events = []
    previous_state = PeriodApproval.State.OPEN
    for record in records:
        if record.state == previous_state:
            continue
        by = record.changed_by or record.history_user
        if order.index(record.state) > order.index(previous_state):
            event = record.state
        elif (
            record.state == PeriodApproval.State.OPEN and by is not None and (by.pk in own_officers)
        ):
            event = "reopened"
        else:
            event = "returned"
        events.append(
            PeriodEvent(
                at=record.history_date,
                by=by,
                state=record.state,
                event=event,
                message=record.message,
            )
        )
        previous_state = record.state
    events.reverse()
    return events
