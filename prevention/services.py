"""Every write of the prevention service. Atomic; rules that the database can hold are also
constraints in prevention.models."""

import secrets
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accounts.models import Membership, Role
from accounts.services import membership_create, notify
from core.exceptions import ApplicationError
from core.services import named_references_ensure
from core.text import latin_to_cyrillic
from mahalla.models import Territory
from mahalla.services import territory_in_force_check
from prevention.models import (
    AccountabilityMeeting,
    Inspector,
    InspectorGrade,
    MahallaContact,
    MeetingQuestion,
    PeriodApproval,
    PreventionRecord,
    RegisterCategory,
    RegisterEntry,
    ResidentFeedback,
    Unit,
)
from prevention.permissions import (
    can_accept_period,
    can_approve_period,
    can_edit_record,
    can_submit_period,
    is_unit_officer_over,
    record_is_locked,
)
from prevention.reference_data import CATEGORIES, GRADES
from prevention.selectors import (
    period_due_date,
    period_late_districts,
    period_previous_month,
    unit_officers_by_territory,
)
from prevention.signals import period_state_changed

# --- Structure ------------------------------------------------------------------------------

REPUBLIC_CODE = "R"
REPUBLIC_NAMES = {
    "name_uz": "Jamoat xavfsizligi departamenti Huquqbuzarliklar profilaktikasi xizmati",
    "name_uz_cyrl": "Жамоат хавфсизлиги департаменти Ҳуқуқбузарликлар профилактикаси хизмати",
    "name_ru": "Служба профилактики правонарушений Департамента общественной безопасности",
    "name_en": "Crime Prevention Service of the Department of Public Security",
}


def _unit_names(kind: str, territory: Territory) -> dict:
    if kind == Unit.Kind.REGION:
        return {
            "name_uz": f"{territory.name_uz} IIB profilaktika xizmati",
            "name_uz_cyrl": f"{territory.name_uz_cyrl} ИИБ профилактика хизмати",
            "name_ru": f"Служба профилактики ГУВД/УВД: {territory.name_ru}",
            "name_en": f"{territory.name_en}: prevention unit of the internal affairs department",
        }
    if kind == Unit.Kind.DISTRICT:
        return {
            "name_uz": f"{territory.name_uz} IIB",
            "name_uz_cyrl": f"{territory.name_uz_cyrl} ИИБ",
            "name_ru": f"ОВД: {territory.name_ru}",
            "name_en": f"{territory.name_en} internal affairs department",
        }
    return {
        "name_uz": f"{territory.name_uz} MFY huquq-tartibot maskani",
        "name_uz_cyrl": f"{territory.name_uz_cyrl} МФЙ ҳуқуқ-тартибот маскани",
        "name_ru": f"Пункт правопорядка махалли {latin_to_cyrillic(territory.name_uz)}",
        "name_en": f"{territory.name_en} law-and-order post",
    }


@transaction.atomic
def reference_lists_ensure() -> None:
    """Adds the default grades and register categories that are missing; edits are kept."""
    named_references_ensure(InspectorGrade, GRADES)
    named_references_ensure(RegisterCategory, CATEGORIES)


@transaction.atomic
def units_load() -> dict[str, int]:
    """Creates the service's units for the whole territory tree; a second run adds only what
    is missing (new districts, mahallas without a post). Returns counts of created units."""
    reference_lists_ensure()
    created = dict.fromkeys(Unit.Kind.values, 0)
    country = Territory.objects.get(kind=Territory.Kind.COUNTRY)
    republic, made = Unit.objects.get_or_create(
        code=REPUBLIC_CODE,
        defaults={"kind": Unit.Kind.REPUBLIC, "territory": country, **REPUBLIC_NAMES},
    )
    created[Unit.Kind.REPUBLIC] += made
    existing = {u.code: u for u in Unit.objects.exclude(kind=Unit.Kind.POST)}
    units_by_territory = {u.territory_id: u for u in existing.values()}

    def ensure(kind: str, prefix: str, territory: Territory, parent: Unit) -> Unit:
        code = f"{prefix}{territory.code}"
        if code in existing:
            return existing[code]
        unit = Unit.objects.create(
            code=code, kind=kind, territory=territory, parent=parent, **_unit_names(kind, territory)
        )
        created[kind] += 1
        existing[code] = units_by_territory[territory.pk] = unit
        return unit

    for region in Territory.objects.filter(kind=Territory.Kind.REGION).order_by("code"):
        ensure(Unit.Kind.REGION, "V", region, republic)
    for district in Territory.objects.filter(kind=Territory.Kind.DISTRICT).order_by("code"):
        ensure(Unit.Kind.DISTRICT, "T", district, units_by_territory[district.parent_id])

    # One post per mahalla that no post serves yet; merging posts is an edit afterwards.
    unserved = (
        Territory.objects.filter(kind=Territory.Kind.MAHALLA, posts__isnull=True)
        .select_related("parent")
        .order_by("code")
    )
    posts = []
    for mahalla in unserved.iterator(chunk_size=2000):
        posts.append(
            (
                Unit(
                    code=f"P{mahalla.code}",
                    kind=Unit.Kind.POST,
                    territory_id=mahalla.parent_id,
                    parent=units_by_territory[mahalla.parent_id],
                    public_key=secrets.token_urlsafe(9),
                    **_unit_names(Unit.Kind.POST, mahalla),
                ),
                mahalla,
            )
        )
    Unit.objects.bulk_create([post for post, _mahalla in posts], batch_size=1000)
    Unit.mahallas.through.objects.bulk_create(
        [Unit.mahallas.through(unit_id=post.pk, territory_id=m.pk) for post, m in posts],
        batch_size=2000,
    )
    created[Unit.Kind.POST] = len(posts)
    return created


@transaction.atomic
def inspector_create(
    *, user, grade: InspectorGrade, post: Unit, mahallas: list[Territory], valid_from: date
) -> Inspector:
    """Makes a user an inspector at a post, assigned to mahallas that the post serves."""
    if post.kind != Unit.Kind.POST:
        raise ApplicationError(_("Inspectors work at a mahalla law-and-order post."))
    inspector = Inspector(user=user, grade=grade, post=post)
    inspector.full_clean()
    inspector.save()
    for mahalla in mahallas:
        inspector_assign(inspector=inspector, mahalla=mahalla, valid_from=valid_from)
    return inspector


@transaction.atomic
def inspector_assign(*, inspector: Inspector, mahalla: Territory, valid_from: date) -> Membership:
    """Assigns a mahalla from a date: an `inspector` membership, so scopes follow at once."""
    if mahalla.kind != Territory.Kind.MAHALLA:
        raise ApplicationError(_("Inspectors are assigned to mahallas."))
    if not inspector.post.mahallas.filter(pk=mahalla.pk).exists():
        raise ApplicationError(_("This mahalla is not served by the inspector's post."))
    return membership_create(
        user=inspector.user, role=Role.INSPECTOR, territory=mahalla, valid_from=valid_from
    )


@transaction.atomic
def inspector_unassign(*, membership: Membership, valid_to: date) -> Membership:
    """Ends an assignment on a date; the history keeps from and to."""
    if membership.role != Role.INSPECTOR:
        raise ApplicationError(_("This is not an inspector's assignment."))
    membership.valid_to = valid_to
    membership.full_clean()
    membership.save(update_fields=["valid_to", "updated_at"])
    return membership


def inspector_mahallas(*, inspector: Inspector, on: date | None = None) -> list[Territory]:
    """The mahallas assigned to the inspector on a day (today by default)."""
    day = on or timezone.localdate()
    # All conditions on one membership row: a relation filter split over two .filter() calls
    # would match them against different memberships (an ended one and a later one).
    assigned = (
        Membership.objects.filter(
            user_id=inspector.user_id, role=Role.INSPECTOR, valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .values("territory_id")
    )
    return list(Territory.objects.filter(pk__in=assigned).order_by("name_uz"))


@transaction.atomic
def mahalla_contact_set(
    *, mahalla: Territory, position: str, full_name: str, phone: str, changed_by
) -> MahallaContact:
    """Sets (or replaces) a member of the mahalla "seven"."""
    if not is_unit_officer_over(changed_by, mahalla):
        raise ApplicationError(_("Only the district unit keeps the mahalla's contacts."))
    contact, _created = MahallaContact.objects.update_or_create(
        mahalla=mahalla, position=position, defaults={"full_name": full_name, "phone": phone}
    )
    return contact


# --- Prevention records ---------------------------------------------------------------------


def _check_not_future(day: date, label: str, field: str = "date") -> None:
    if day > timezone.localdate():
        raise ApplicationError(
            _("%(field)s cannot be in the future.") % {"field": label}, extra={"field": field}
        )


def _check_assigned(inspector: Inspector, mahalla: Territory, day: date) -> None:
    if mahalla not in inspector_mahallas(inspector=inspector, on=day):
        raise ApplicationError(
            _("%(mahalla)s was not assigned to you on %(date)s.")
            % {"mahalla": mahalla.name, "date": day.strftime("%d.%m.%Y")},
            extra={"field": "mahalla"},
        )


def _check_record_links(*, mahalla: Territory, register_entry: RegisterEntry | None) -> None:
    if register_entry is not None and register_entry.mahalla_id != mahalla.pk:
        raise ApplicationError(
            _("The register entry belongs to another mahalla."), extra={"field": "register_entry"}
        )


# The history keeps a change reason in a column of this size (django-simple-history).
REASON_MAX_LENGTH = 100

RECORD_FIELDS = (
    "kind",
    "measure",
    "mahalla",
    "date",
    "summary",
    "people_reached",
    "partner_organisation",
    "register_entry",
)


@transaction.atomic
def record_create(*, inspector: Inspector, **data) -> PreventionRecord:
    """Files a record for one of the inspector's mahallas, dated today or earlier."""
    _check_not_future(data["date"], _("The date"))
    _check_assigned(inspector, data["mahalla"], data["date"])
    territory_in_force_check(place=data["mahalla"], day=data["date"])
    period_lock_check(place=data["mahalla"], day=data["date"])
    _check_record_links(mahalla=data["mahalla"], register_entry=data.get("register_entry"))
    record = PreventionRecord(inspector=inspector, **{k: data.get(k) for k in RECORD_FIELDS})
    if record.people_reached is None:
        record.people_reached = 1
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def record_update(*, record: PreventionRecord, user, reason: str = "", **data) -> PreventionRecord:
    """Edits a record. Past the edit window only a unit officer above may, with a reason that
    the history keeps."""
    record = PreventionRecord.objects.select_for_update().get(pk=record.pk)
    if not can_edit_record(user, record):
        raise ApplicationError(
            _(
                "This record is locked: it was filed more than %(days)d days ago. "
                "A unit officer of the district can correct it."
            )
            % {"days": settings.PREVENTION_RECORD_EDIT_WINDOW_DAYS}
        )
    locked = record_is_locked(record)
    reason = reason.strip()
    if locked and not reason:
        raise ApplicationError(
            _("Give the reason for correcting a locked record."), extra={"field": "reason"}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(
            _("The reason may be at most %(n)d characters long.") % {"n": REASON_MAX_LENGTH},
            extra={"field": "reason"},
        )
    changes = {k: v for k, v in data.items() if k in RECORD_FIELDS}
    if "date" in changes:
        _check_not_future(changes["date"], _("The date"))
    # Neither the month it was in nor the month it moves to may be locked.
    period_lock_check(place=record.mahalla, day=record.date)
    if {"mahalla", "date"} & changes.keys():
        place, day = changes.get("mahalla", record.mahalla), changes.get("date", record.date)
        territory_in_force_check(place=place, day=day)
        period_lock_check(place=place, day=day)
    if record.inspector.user_id == user.pk and {"mahalla", "date"} & changes.keys():
        _check_assigned(
            record.inspector,
            changes.get("mahalla", record.mahalla),
            changes.get("date", record.date),
        )
    _check_record_links(
        mahalla=changes.get("mahalla", record.mahalla),
        register_entry=changes.get("register_entry", record.register_entry),
    )
    changed = [k for k, v in changes.items() if getattr(record, k) != v]
    for name in changed:
        setattr(record, name, changes[name])
    record.full_clean()
    record._change_reason = reason or None
    record.save(update_fields=[*changed, "updated_at"])
    return record


# --- Prevention register --------------------------------------------------------------------

REGISTER_FIELDS = (
    "mahalla",
    "full_name",
    "birth_date",
    "address",
    "document_number",
    "category",
    "grounds",
    "registered_on",
    "rehabilitation_support",
    "rehabilitation_partner",
)


def _check_register_dates(*, registered_on: date, removed_on: date | None, reason: str) -> None:
    _check_not_future(registered_on, _("The registration date"), "registered_on")
    if removed_on is None:
        return
    _check_not_future(removed_on, _("The removal date"), "removed_on")
    if removed_on < registered_on:
        raise ApplicationError(
            _("Removal cannot be dated before registration."), extra={"field": "removed_on"}
        )
    if not reason.strip():
        raise ApplicationError(_("A removal needs its reason."), extra={"field": "removal_reason"})


@transaction.atomic
def register_entry_create(*, inspector: Inspector, **data) -> RegisterEntry:
    """Places a person on the register of one of the inspector's mahallas."""
    _check_register_dates(registered_on=data["registered_on"], removed_on=None, reason="")
    _check_assigned(inspector, data["mahalla"], data["registered_on"])
    territory_in_force_check(place=data["mahalla"], day=data["registered_on"])
    entry = RegisterEntry(inspector=inspector, **{k: data.get(k) for k in REGISTER_FIELDS})
    for text_field in ("rehabilitation_support",):
        setattr(entry, text_field, getattr(entry, text_field) or "")
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def register_entry_update(*, entry: RegisterEntry, user, **data) -> RegisterEntry:
    """Edits an entry, or removes the person from the register (removed_on with a reason)."""
    entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
    allowed = (*REGISTER_FIELDS, "removed_on", "removal_reason")
    changes = {k: v for k, v in data.items() if k in allowed}
    for key in ("removal_reason", "rehabilitation_support"):
        if key in changes and changes[key] is None:
            changes[key] = ""
    merged = {name: changes.get(name, getattr(entry, name)) for name in allowed}
    _check_register_dates(
        registered_on=merged["registered_on"],
        removed_on=merged["removed_on"],
        reason=merged["removal_reason"],
    )
    changed = [k for k, v in changes.items() if getattr(entry, k) != v]
    for name in changed:
        setattr(entry, name, changes[name])
    entry.full_clean()
    entry.save(update_fields=[*changed, "updated_at"])
    return entry


# --- Accountability to residents ------------------------------------------------------------


@transaction.atomic
def meeting_schedule(*, inspector: Inspector, mahalla: Territory, date: date, topics: str = ""):
    """Schedules a meeting with the residents of one of the inspector's mahallas."""
    _check_assigned(inspector, mahalla, min(date, timezone.localdate()))
    territory_in_force_check(place=mahalla, day=date)
    period_lock_check(place=mahalla, day=date)
    meeting = AccountabilityMeeting(inspector=inspector, mahalla=mahalla, date=date, topics=topics)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_record_held(
    *, meeting: AccountabilityMeeting, attendance: int, topics: str
) -> AccountabilityMeeting:
    """Records that a meeting took place: attendance and the topics reported on."""
    meeting = AccountabilityMeeting.objects.select_for_update().get(pk=meeting.pk)
    _check_not_future(meeting.date, _("A held meeting's date"))
    period_lock_check(place=meeting.mahalla, day=meeting.date)
    if meeting.status == AccountabilityMeeting.Status.CANCELLED:
        raise ApplicationError(_("A cancelled meeting cannot be recorded as held."))
    meeting.status = AccountabilityMeeting.Status.HELD
    meeting.attendance = attendance
    meeting.topics = topics
    meeting.full_clean()
    meeting.save(update_fields=["status", "attendance", "topics", "updated_at"])
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: AccountabilityMeeting) -> AccountabilityMeeting:
    if meeting.status == AccountabilityMeeting.Status.HELD:
        raise ApplicationError(_("A held meeting cannot be cancelled."))
    meeting.status = AccountabilityMeeting.Status.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


@transaction.atomic
def question_add(
    *, meeting: AccountabilityMeeting, text: str, due_date: date, follow_up: str = ""
) -> MeetingQuestion:
    """A question residents raised; it gets a follow-up by its due date."""
    if due_date < meeting.date:
        raise ApplicationError(
            _("The due date cannot be before the meeting."), extra={"field": "due_date"}
        )
    question = MeetingQuestion(meeting=meeting, text=text, due_date=due_date, follow_up=follow_up)
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def question_update(*, question: MeetingQuestion, state: str, follow_up: str) -> MeetingQuestion:
    """Moves a question's follow-up along; done questions carry the day they were done."""
    question.state = state
    question.follow_up = follow_up
    if state == MeetingQuestion.State.DONE and question.done_on is None:
        question.done_on = timezone.localdate()
    elif state != MeetingQuestion.State.DONE:
        question.done_on = None
    question.full_clean()
    question.save(update_fields=["state", "follow_up", "done_on", "updated_at"])
    return question


@transaction.atomic
def feedback_submit(
    *, post: Unit, rating: int, comment: str = "", mahalla: Territory | None = None
) -> ResidentFeedback:
    """A resident's anonymous rating of a post. Comments wait for moderation; a rating without
    a comment needs none."""
    if post.kind != Unit.Kind.POST:
        raise ApplicationError(_("Feedback is given to a law-and-order post."))
    if mahalla is not None and not post.mahallas.filter(pk=mahalla.pk).exists():
        raise ApplicationError(_("This post does not serve that mahalla."))
    comment = comment.strip()
    feedback = ResidentFeedback(
        post=post,
        mahalla=mahalla,
        rating=rating,
        comment=comment,
        moderation=(
            ResidentFeedback.Moderation.PENDING if comment else ResidentFeedback.Moderation.APPROVED
        ),
    )
    feedback.full_clean()
    feedback.save()
    return feedback


@transaction.atomic
def feedback_moderate(
    *, feedback: ResidentFeedback, approve: bool, moderated_by
) -> ResidentFeedback:
    """Publishes or rejects a comment; the rating counts either way."""
    feedback.moderation = (
        ResidentFeedback.Moderation.APPROVED if approve else ResidentFeedback.Moderation.REJECTED
    )
    feedback.moderated_by = moderated_by
    feedback.save(update_fields=["moderation", "moderated_by"])
    return feedback


# --- Period approval ------------------------------------------------------------------------
# A district's month moves open → submitted → approved → accepted, one level at a time, and
# is locked from the moment it is submitted. A return goes one level down with a message the
# lower level reads (and is notified of); a reopen by the district unit, with a reason,
# unlocks a month it submitted that the region has not yet approved.

PERIOD_ORDER = [
    PeriodApproval.State.OPEN,
    PeriodApproval.State.SUBMITTED,
    PeriodApproval.State.APPROVED,
    PeriodApproval.State.ACCEPTED,
]


def month_start(day: date) -> date:
    return day.replace(day=1)


def _district_id_of(place: Territory) -> int | None:
    """The district (or city) holding a place: itself, or a mahalla's parent; None above."""
    if place.kind == Territory.Kind.DISTRICT:
        return place.pk
    if place.kind == Territory.Kind.MAHALLA:
        return place.parent_id
    return None


def _month_label(month: date) -> str:
    return month.strftime("%m.%Y")


def period_state(*, district: Territory, month: date) -> str:
    row = PeriodApproval.objects.filter(district=district, month=month_start(month)).first()
    return row.state if row else PeriodApproval.State.OPEN


def period_lock_check(*, place: Territory, day: date, field: str = "date") -> None:
    """Refuses a write dated in a month its district has submitted: the message names the
    month and who can unlock it. One query on every write of the district's data."""
    district_id = _district_id_of(place)
    if district_id is None:
        return
    row = (
        PeriodApproval.objects.filter(district_id=district_id, month=month_start(day))
        .select_related("district")
        .first()
    )
    if row is None or not row.is_locked:
        return
    state, district = row.state, row.district
    who = {
        PeriodApproval.State.SUBMITTED: _("the district unit can reopen it"),
        PeriodApproval.State.APPROVED: _("the region unit can return it to the district"),
        PeriodApproval.State.ACCEPTED: _("the republic service can return it"),
    }[state]
    raise ApplicationError(
        _("The data of %(district)s for %(month)s is %(state)s and locked: %(who)s.")
        % {
            "district": district.name,
            "month": _month_label(month_start(day)),
            "state": PeriodApproval.State(state).label.lower(),
            "who": who,
        },
        extra={"field": field, "locked_period": f"{month_start(day):%Y-%m}"},
    )


def _require_district(district: Territory) -> None:
    # Checked first: the level predicates look at the district's parent and grandparent.
    if district.kind != Territory.Kind.DISTRICT:
        raise ApplicationError(_("Periods are approved per district or city."))


def _period_locked_row(district: Territory, month: date) -> PeriodApproval:
    if month_start(month) > month_start(timezone.localdate()):
        raise ApplicationError(_("A month that has not begun cannot be submitted."))
    row, _created = PeriodApproval.objects.select_for_update().get_or_create(
        district=district, month=month_start(month)
    )
    return row


def _period_move(row: PeriodApproval, *, state: str, by, message: str = "") -> PeriodApproval:
    previous = row.state
    row.state = state
    row.message = message
    row.changed_by = by
    row._change_reason = message[:100] or None
    row.save(update_fields=["state", "message", "changed_by", "updated_at"])
    if PeriodApproval.FINAL_STATES & {previous, state}:
        # The month's figures may be published, or must be withdrawn: in this transaction, so
        # that the withdrawal and the queued refresh (core.outbox) commit with the state.
        period_state_changed.send(sender=PeriodApproval, district=row.district, month=row.month)
    return row


def _notify_return(row: PeriodApproval, *, to: Territory, message: str) -> None:
    officers = unit_officers_by_territory(territory_ids=[to.pk], on=timezone.localdate())
    notify(
        users=officers.get(to.pk, []),
        message=gettext_noop("The data of %(district)s for %(month)s was returned: %(message)s"),
        params={
            "district": row.district.name_uz,
            "month": _month_label(row.month),
            "message": message,
        },
        url=reverse("prevention:approval-list") + f"?month={row.month:%Y-%m}",
        dedupe_key=f"period-return:{row.pk}:{row.updated_at:%Y%m%d%H%M%S%f}",
    )


def _require(allowed: bool, message) -> None:
    if not allowed:
        raise ApplicationError(message)


@transaction.atomic
def period_submit(*, district: Territory, month: date, by) -> PeriodApproval:
    """The district unit submits its month: from now on its data for the month is locked."""
    _require_district(district)
    _require(can_submit_period(by, district), _("Only the district unit submits its data."))
    row = _period_locked_row(district, month)
    if row.state != PeriodApproval.State.OPEN:
        raise ApplicationError(_("Only an open month can be submitted."))
    return _period_move(row, state=PeriodApproval.State.SUBMITTED, by=by)


@transaction.atomic
def period_reopen(*, district: Territory, month: date, by, reason: str) -> PeriodApproval:
    """The district unit takes back a month it submitted, before the region approves it."""
    _require_district(district)
    _require(can_submit_period(by, district), _("Only the district unit reopens its data."))
    if not reason.strip():
        raise ApplicationError(_("Give the reason for reopening."), extra={"field": "reason"})
    row = _period_locked_row(district, month)
    if row.state != PeriodApproval.State.SUBMITTED:
        raise ApplicationError(
            _("Only a submitted month can be reopened; an approved one is returned by the region.")
        )
    return _period_move(row, state=PeriodApproval.State.OPEN, by=by, message=reason.strip())


def _districts_behind(month: date, state: str, parent: Territory) -> QuerySet[Territory]:
    """Districts under `parent` whose month has not reached `state` yet. The months that
    have are locked, so that none is reopened while this approval is under way."""
    reached = PeriodApproval.objects.filter(
        month=month_start(month),
        state__in=PERIOD_ORDER[PERIOD_ORDER.index(state) :],
        district__path__startswith=parent.path,
    )
    list(reached.select_for_update(of=("self",)).order_by("pk").values_list("pk"))
    return (
        Territory.objects.filter(kind=Territory.Kind.DISTRICT, path__startswith=parent.path)
        .exclude(pk__in=reached.values("district_id"))
        .order_by("path")
    )


def _lock_node(node: Territory) -> None:
    """Approvals under one node queue behind each other: each would otherwise lock its own
    month and then wait for its siblings', which the others hold (a deadlock)."""
    Territory.objects.select_for_update().filter(pk=node.pk).values_list("pk").get()


@transaction.atomic
def period_approve(*, district: Territory, month: date, by) -> PeriodApproval:
    """The region unit approves a district's month, once every district of the region has
    submitted it."""
    _require_district(district)
    _require(can_approve_period(by, district), _("Only the region unit approves."))
    _lock_node(district.parent)
    row = _period_locked_row(district, month)
    if row.state != PeriodApproval.State.SUBMITTED:
        raise ApplicationError(_("Only a submitted month can be approved."))
    behind = _districts_behind(month, PeriodApproval.State.SUBMITTED, district.parent)
    first = behind.first()
    if first is not None:
        count = behind.count()
        raise ApplicationError(
            ngettext(
                "%(count)d district of the region has not submitted yet: %(name)s.",
                "%(count)d districts of the region have not submitted yet, e.g. %(name)s.",
                count,
            )
            % {"count": count, "name": first.name}
        )
    return _period_move(row, state=PeriodApproval.State.APPROVED, by=by)


@transaction.atomic
def period_accept(*, district: Territory, month: date, by) -> PeriodApproval:
    """The republic service accepts a district's month, once every region has approved all
    of its districts."""
    _require_district(district)
    _require(can_accept_period(by, district), _("Only the republic service accepts."))
    country = district.parent.parent
    _lock_node(country)
    row = _period_locked_row(district, month)
    if row.state != PeriodApproval.State.APPROVED:
        raise ApplicationError(_("Only an approved month can be accepted."))
    behind = _districts_behind(month, PeriodApproval.State.APPROVED, country)
    first = behind.first()
    if first is not None:
        count = behind.count()
        raise ApplicationError(
            ngettext(
                "%(count)d district of the country is not approved yet: %(name)s.",
                "%(count)d districts of the country are not approved yet, e.g. %(name)s.",
                count,
            )
            % {"count": count, "name": first.name}
        )
    return _period_move(row, state=PeriodApproval.State.ACCEPTED, by=by)


@transaction.atomic
def period_return(*, district: Territory, month: date, by, message: str) -> PeriodApproval:
    """Sends a month one level down with a message the lower level reads and is notified of:
    the region returns a submitted or approved (not yet accepted) month to the district; the
    republic returns an approved or accepted one to the region, which checks it again."""
    _require_district(district)
    if not message.strip():
        raise ApplicationError(
            _("Write what the lower level should fix."), extra={"field": "message"}
        )
    row = _period_locked_row(district, month)
    region_returns = row.state in (
        PeriodApproval.State.SUBMITTED,
        PeriodApproval.State.APPROVED,
    ) and can_approve_period(by, district)
    if region_returns:
        state, to = PeriodApproval.State.OPEN, district
    elif row.state == PeriodApproval.State.SUBMITTED:
        raise ApplicationError(_("Only the region unit returns it."))
    elif row.state in (PeriodApproval.State.APPROVED, PeriodApproval.State.ACCEPTED):
        _require(can_accept_period(by, district), _("Only the republic service returns it."))
        state, to = PeriodApproval.State.SUBMITTED, district.parent
    else:
        raise ApplicationError(_("An open month has nothing to return."))
    row = _period_move(row, state=state, by=by, message=message.strip())
    # After the commit: a mail server that fails must not undo the return.
    transaction.on_commit(lambda: _notify_return(row, to=to, message=row.message))
    return row


def periods_bulk(*, action, districts, month: date, by, **extra) -> tuple[int, list[str]]:
    """Applies one period action to several districts (a region's, say); each district in
    its own transaction. Returns how many succeeded and the refusals."""
    done, refusals = 0, []
    for district in districts:
        try:
            action(district=district, month=month, by=by, **extra)
        except ApplicationError as error:
            refusals.append(f"{district.name}: {error.message}")
        else:
            done += 1
    return done, refusals


def period_submission_remind(*, today: date) -> dict[str, int]:
    """From the due day of last month's data on (the 5th), tells the officers of each district
    that has not submitted it, and each region's officers how many of theirs are late. Sent
    once per district (and region) and month, however often it runs."""
    month = period_previous_month(today)
    due = period_due_date(month)
    counts = {"late_districts": 0, "district_officers_notified": 0, "region_officers_notified": 0}
    if today < due:
        return counts
    late = list(period_late_districts(month=month))
    counts["late_districts"] = len(late)
    if not late:
        return counts
    regions = {district.parent_id: district.parent for district in late}
    officers = unit_officers_by_territory(
        territory_ids=[district.pk for district in late] + list(regions), on=today
    )
    url = reverse("prevention:approval-list") + f"?month={month:%Y-%m}"
    late_by_region: dict[int, int] = {}
    for district in late:
        late_by_region[district.parent_id] = late_by_region.get(district.parent_id, 0) + 1
        counts["district_officers_notified"] += len(
            notify(
                users=officers.get(district.pk, []),
                message=gettext_noop(
                    "The data of %(district)s for %(month)s has not been submitted "
                    "(deadline: %(due)s)."
                ),
                params={
                    "district": district.name_uz,
                    "month": f"{month:%m.%Y}",
                    "due": f"{due:%d.%m.%Y}",
                },
                url=url,
                dedupe_key=f"period-late:{district.pk}:{month:%Y-%m}",
            )
        )
    for region_id, region in regions.items():
        counts["region_officers_notified"] += len(
            notify(
                users=officers.get(region_id, []),
                message=gettext_noop(
                    "Districts of %(region)s that have not submitted their data for "
                    "%(month)s (deadline: %(due)s): %(count)s."
                ),
                params={
                    "count": late_by_region[region_id],
                    "region": region.name_uz,
                    "month": f"{month:%m.%Y}",
                    "due": f"{due:%d.%m.%Y}",
                },
                url=url,
                dedupe_key=f"period-late-region:{region_id}:{month:%Y-%m}",
            )
        )
    return counts
