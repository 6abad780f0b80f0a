"""Reads of the prevention service, with their relations loaded so lists cost a fixed number
of queries whatever their length."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Q, QuerySet, Sum

from accounts.models import Role
from mahalla.models import Territory
from prevention.models import (
    AccountabilityMeeting,
    Inspector,
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
