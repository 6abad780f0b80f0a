"""Every write of the partnership: organisations and their staff, agreements, obligations,
joint activities with mutual confirmation, information requests, and the reminders."""

from datetime import date, timedelta

import holidays
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Membership, Role, User
from accounts.services import membership_create, notify, user_invite
from core.exceptions import ApplicationError
from core.services import named_references_ensure
from core.uploads import upload_check, upload_name
from mahalla.models import Territory
from mahalla.services import territory_in_force_check
from partnership.models import (
    ActivityEvidence,
    Agreement,
    AgreementDocument,
    InformationRequest,
    JointActivity,
    Obligation,
    Organisation,
    PartnershipArea,
    RequestAttachment,
)
from partnership.permissions import (
    can_act_for_unit,
    can_answer_request,
    can_review_activity,
    can_verify_organisation,
)
from partnership.reference_data import AREAS
from prevention.models import Unit
from prevention.services import period_lock_check

# --- Reference lists ------------------------------------------------------------------------


def areas_ensure() -> None:
    """Adds the default partnership areas that are missing; edits are kept."""
    named_references_ensure(PartnershipArea, AREAS)


# --- Organisations and staff ----------------------------------------------------------------

ORGANISATION_FIELDS = (
    "name",
    "kind",
    "registration_number",
    "territory",
    "address",
    "phone",
    "email",
    "website",
)


def _check_registration_free(number: str, exclude_pk: int | None = None) -> None:
    taken = Organisation.objects.filter(registration_number__iexact=number.strip())
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ApplicationError(
            _("An organisation with registration number %(number)s is already registered.")
            % {"number": number},
            extra={"field": "registration_number"},
        )


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: str,
    registration_number: str,
    territory: Territory,
    areas=(),
    verified_by: User | None = None,
    **contacts,
) -> Organisation:
    """Registers an organisation: verified at once when an officer or admin enters it."""
    _check_registration_free(registration_number)
    organisation = Organisation(
        name=name,
        kind=kind,
        registration_number=registration_number.strip(),
        territory=territory,
        **{k: v for k, v in contacts.items() if k in ORGANISATION_FIELDS},
    )
    if verified_by is not None:
        organisation.verification = Organisation.Verification.VERIFIED
        organisation.verified_by = verified_by
        organisation.verified_at = timezone.now()
    organisation.full_clean()
    organisation.save()
    organisation.areas.set(areas)
    return organisation


# What an organisation changes itself; the registration number and territory are the
# registry's and change only through verification by the units.
PROFILE_FIELDS = ("name", "address", "phone", "email", "website")


@transaction.atomic
def organisation_update(*, organisation: Organisation, areas, **fields) -> Organisation:
    """Changes the organisation's name, areas and contacts."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for name in PROFILE_FIELDS:
        if name in fields:
            setattr(organisation, name, fields[name])
    organisation.full_clean()
    organisation.save(update_fields=[*PROFILE_FIELDS, "updated_at"])
    organisation.areas.set(areas)
    return organisation


@transaction.atomic
def organisation_apply(
    *, applicant_name: str, applicant_email: str, areas=(), **data
) -> Organisation:
    """The public application form: the organisation waits for verification, and the
    applicant becomes its administrator once it is verified."""
    organisation = organisation_create(areas=areas, **data)
    organisation.applicant_name = applicant_name
    organisation.applicant_email = applicant_email.strip().lower()
    organisation.save(update_fields=["applicant_name", "applicant_email", "updated_at"])
    return organisation


@transaction.atomic
def organisation_verify(*, organisation: Organisation, approve: bool, by: User) -> Organisation:
    """Verifies (or rejects) an application; on approval the applicant is invited as the
    organisation's administrator."""
    if not can_verify_organisation(by, organisation):
        raise ApplicationError(_("Only the units above the organisation's territory verify it."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.verification != Organisation.Verification.PENDING:
        raise ApplicationError(_("This organisation has already been reviewed."))
    organisation.verification = (
        Organisation.Verification.VERIFIED if approve else Organisation.Verification.REJECTED
    )
    organisation.verified_by = by
    organisation.verified_at = timezone.now()
    organisation.save(update_fields=["verification", "verified_by", "verified_at", "updated_at"])
    if approve and organisation.applicant_email:
        staff_invite(
            organisation=organisation,
            email=organisation.applicant_email,
            full_name=organisation.applicant_name,
            role=Role.NGO_ADMIN,
            by=by,
        )
    return organisation


@transaction.atomic
def staff_invite(
    *, organisation: Organisation, email: str, full_name: str, role: str, by: User
) -> Membership:
    """Gives a person a staff account of the organisation and e-mails them a link to set
    their password. An existing account with that e-mail gets the membership only."""
    if role not in (Role.NGO_STAFF, Role.NGO_ADMIN):
        raise ApplicationError(_("Organisations have staff and administrators only."))
    if organisation.verification != Organisation.Verification.VERIFIED:
        raise ApplicationError(_("Staff can be invited once the organisation is verified."))
    user = user_invite(email=email, full_name=full_name)
    current = Membership.objects.filter(
        user=user, organisation=organisation, role=role, valid_to__isnull=True
    ).first()
    return current or membership_create(user=user, role=role, organisation=organisation)


@transaction.atomic
def staff_deactivate(*, membership: Membership, by: User) -> Membership:
    """Ends a staff membership today; an account left with no role cannot sign in."""
    if membership.organisation_id is None:
        raise ApplicationError(_("This is not a staff membership of an organisation."))
    if membership.user_id == by.pk:
        raise ApplicationError(_("You cannot deactivate your own account."))
    today = timezone.localdate()
    # Ended yesterday, so it no longer counts today; one that began today never began.
    yesterday = today - timedelta(days=1)
    membership.valid_from = min(membership.valid_from, yesterday)
    membership.valid_to = yesterday
    membership.save(update_fields=["valid_from", "valid_to", "updated_at"])
    user = membership.user
    still_active = (
        Membership.objects.filter(user=user)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .exists()
    )
    if not still_active and user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return membership


# --- Files ----------------------------------------------------------------------------------


def _attach(
    model, *, owner_field: str, owner, files: list[UploadedFile], by: User, field: str = "files"
) -> list:
    """Checks every file first (size, type by content), then stores them all."""
    checked = [(file, upload_check(file, field=field)) for file in files]
    return [
        model.objects.create(
            **{owner_field: owner},
            file=file,
            content_type=content_type,
            size=file.size,
            uploaded_by=by,
        )
        for file, content_type in checked
    ]


# --- Agreements -----------------------------------------------------------------------------

# Who may move an agreement from one status to another: "party" is either side.
TRANSITIONS = {
    (Agreement.Status.DRAFT, Agreement.Status.PROPOSED): "party",
    (Agreement.Status.PROPOSED, Agreement.Status.DRAFT): "party",
    (Agreement.Status.PROPOSED, Agreement.Status.ACTIVE): "unit",
    (Agreement.Status.ACTIVE, Agreement.Status.TERMINATED): "party",
}


def _check_dates(valid_from: date, valid_to: date) -> None:
    if valid_to < valid_from:
        raise ApplicationError(
            _("An agreement cannot end before it starts."), extra={"field": "valid_to"}
        )


@transaction.atomic
def agreement_create(
    *,
    number: str,
    title: str,
    unit: Unit,
    organisations,
    valid_from: date,
    valid_to: date,
    by: User,
    areas=(),
    signed_on: date | None = None,
    is_public: bool = False,
    documents: list[UploadedFile] = (),
) -> Agreement:
    """Drafts a memorandum between organisations and an MIA unit."""
    _check_dates(valid_from, valid_to)
    organisations = list(organisations)
    if not organisations:
        raise ApplicationError(
            _("An agreement needs at least one organisation."), extra={"field": "organisations"}
        )
    if Agreement.objects.filter(number__iexact=number.strip()).exists():
        raise ApplicationError(
            _("An agreement numbered %(number)s already exists.") % {"number": number},
            extra={"field": "number"},
        )
    agreement = Agreement(
        number=number.strip(),
        title=title,
        unit=unit,
        valid_from=valid_from,
        valid_to=valid_to,
        signed_on=signed_on,
        is_public=is_public,
        created_by=by,
    )
    agreement.full_clean()
    agreement.save()
    agreement.organisations.set(organisations)
    agreement.areas.set(areas)
    if documents:
        agreement_documents_add(agreement=agreement, files=documents, by=by)
    return agreement


@transaction.atomic
def agreement_documents_add(*, agreement: Agreement, files, by: User) -> list:
    """Stores documents under generated names; their titles keep the names people gave them."""
    files = list(files)
    titles = [file.name.rsplit("/", 1)[-1][:200] for file in files]
    documents = _attach(
        AgreementDocument,
        owner_field="agreement",
        owner=agreement,
        files=files,
        by=by,
        field="documents",
    )
    for document, title in zip(documents, titles, strict=True):
        document.title = title
        document.save(update_fields=["title"])
    return documents


@transaction.atomic
def agreement_transition(*, agreement: Agreement, status: str, by: User) -> Agreement:
    """Moves an agreement along draft → proposed → active → terminated, recording who and
    when; only the unit signs (activates) it."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    who = TRANSITIONS.get((agreement.status, status))
    if who is None:
        raise ApplicationError(
            _("An agreement cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": Agreement.Status(agreement.status).label,
                "to": Agreement.Status(status).label,
            }
        )
    if who == "unit" and not can_act_for_unit(by, agreement.unit):
        raise ApplicationError(_("Only the MIA unit's officers sign an agreement."))
    if status == Agreement.Status.ACTIVE and agreement.valid_to < timezone.localdate():
        raise ApplicationError(_("This agreement's validity has already ended."))
    agreement.status = status
    agreement.status_changed_by = by
    agreement.status_changed_at = timezone.now()
    if status == Agreement.Status.ACTIVE and agreement.signed_on is None:
        agreement.signed_on = timezone.localdate()
    agreement.save(
        update_fields=[
            "status",
            "status_changed_by",
            "status_changed_at",
            "signed_on",
            "updated_at",
        ]
    )
    return agreement


def _check_agreement_open(agreement: Agreement) -> None:
    if agreement.status in (Agreement.Status.EXPIRED, Agreement.Status.TERMINATED):
        raise ApplicationError(
            _("The agreement is %(status)s: its obligations no longer change.")
            % {"status": Agreement.Status(agreement.status).label.lower()}
        )


@transaction.atomic
def obligation_add(
    *,
    agreement: Agreement,
    text: str,
    party: str,
    due_date: date,
    organisation: Organisation | None = None,
) -> Obligation:
    _check_agreement_open(agreement)
    if party == Obligation.Party.ORGANISATION:
        if organisation is None or not agreement.organisations.filter(pk=organisation.pk).exists():
            raise ApplicationError(
                _("Choose one of the agreement's organisations."), extra={"field": "organisation"}
            )
    else:
        organisation = None
    obligation = Obligation(
        agreement=agreement, text=text, party=party, organisation=organisation, due_date=due_date
    )
    obligation.full_clean()
    obligation.save()
    return obligation


@transaction.atomic
def obligation_complete(
    *, obligation: Obligation, evidence: str, evidence_file: UploadedFile | None = None
) -> Obligation:
    """Marks an obligation done, with the evidence of it."""
    obligation = (
        Obligation.objects.select_for_update().select_related("agreement").get(pk=obligation.pk)
    )
    _check_agreement_open(obligation.agreement)
    if obligation.state == Obligation.State.DONE:
        raise ApplicationError(_("This obligation is already done."))
    if not evidence.strip() and evidence_file is None:
        raise ApplicationError(
            _("Describe or attach the evidence that it is done."), extra={"field": "evidence"}
        )
    changed = ["state", "done_on", "evidence", "updated_at"]
    if evidence_file is not None:
        content_type = upload_check(evidence_file, field="evidence_file")
        # No content type is kept for it: its name carries the checked one (models.upload_path).
        evidence_file.name = upload_name(evidence_file, content_type)
        obligation.evidence_file = evidence_file
        changed.append("evidence_file")
    obligation.state = Obligation.State.DONE
    obligation.done_on = timezone.localdate()
    obligation.evidence = evidence
    obligation.full_clean()
    obligation.save(update_fields=changed)
    return obligation


# --- Joint activities -----------------------------------------------------------------------

ACTIVITY_FIELDS = (
    "agreement",
    "unit",
    "place",
    "kind",
    "date",
    "participants_youth",
    "participants_women",
    "participants_minors",
    "participants_others",
    "description",
    "outcome",
)


def _check_activity(*, organisation: Organisation, data: dict) -> None:
    day, agreement, unit, place = data["date"], data.get("agreement"), data["unit"], data["place"]
    if day > timezone.localdate():
        raise ApplicationError(
            _("An activity cannot be logged before it takes place."), extra={"field": "date"}
        )
    if place.kind not in (Territory.Kind.MAHALLA, Territory.Kind.DISTRICT):
        raise ApplicationError(_("Choose a mahalla or a district."), extra={"field": "place"})
    if not place.path.startswith(unit.territory.path):
        raise ApplicationError(
            _("The place is outside the territory of the chosen MIA unit."),
            extra={"field": "place"},
        )
    if agreement is not None:
        if agreement.status not in (Agreement.Status.ACTIVE, Agreement.Status.EXPIRED):
            raise ApplicationError(
                _("Activities are logged under a signed agreement only."),
                extra={"field": "agreement"},
            )
        if not agreement.organisations.filter(pk=organisation.pk).exists():
            raise ApplicationError(
                _("Your organisation is not a party to this agreement."),
                extra={"field": "agreement"},
            )
        if agreement.unit_id != unit.pk:
            raise ApplicationError(
                _("The agreement is with another MIA unit."), extra={"field": "unit"}
            )
        if not (agreement.valid_from <= day <= agreement.valid_to):
            raise ApplicationError(
                _("The date is outside the agreement's validity (%(start)s – %(end)s).")
                % {
                    "start": agreement.valid_from.strftime("%d.%m.%Y"),
                    "end": agreement.valid_to.strftime("%d.%m.%Y"),
                },
                extra={"field": "date"},
            )


def _activity_url(activity: JointActivity) -> str:
    return reverse("partnership:activity-detail", args=[activity.pk])


def _unit_officers(unit: Unit):
    """The officers of the unit itself: those who hold unit_officer at its territory."""
    today = timezone.localdate()
    current = Membership.objects.filter(
        role=Role.UNIT_OFFICER, territory=unit.territory, valid_from__lte=today
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    return User.objects.filter(pk__in=current.values("user_id"))


def _organisation_staff(organisations):
    today = timezone.localdate()
    current = Membership.objects.filter(
        organisation__in=organisations, valid_from__lte=today
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    return User.objects.filter(pk__in=current.values("user_id"))


@transaction.atomic
def activity_log(
    *, organisation: Organisation, by: User, files: list[UploadedFile] = (), **data
) -> JointActivity:
    """NGO staff log an activity; it waits for the MIA counterpart's confirmation."""
    _check_activity(organisation=organisation, data=data)
    if data.get("place") is not None and data.get("date") is not None:
        territory_in_force_check(place=data["place"], day=data["date"], field="place")
        period_lock_check(place=data["place"], day=data["date"])
    activity = JointActivity(
        organisation=organisation, created_by=by, **{k: data.get(k) for k in ACTIVITY_FIELDS}
    )
    activity.outcome = activity.outcome or ""
    activity.full_clean()
    activity.save()
    _attach(ActivityEvidence, owner_field="activity", owner=activity, files=list(files), by=by)
    transaction.on_commit(lambda: _notify_activity_submitted(activity.pk))
    return activity


def _notify_activity_submitted(activity_id: int) -> None:
    activity = JointActivity.objects.select_related("unit__territory", "organisation").get(
        pk=activity_id
    )
    notify(
        users=_unit_officers(activity.unit),
        message=gettext_noop("%(organisation)s asks you to confirm a joint activity of %(date)s."),
        params={"organisation": activity.organisation.name, "date": f"{activity.date:%d.%m.%Y}"},
        url=_activity_url(activity),
        dedupe_key=f"activity-submitted-{activity.pk}-{activity.updated_at:%Y%m%d%H%M%S}",
    )


@transaction.atomic
def activity_update(
    *, activity: JointActivity, by: User, files: list[UploadedFile] = (), **data
) -> JointActivity:
    """Corrects an activity not yet confirmed; a disputed one goes back for confirmation."""
    activity = JointActivity.objects.select_for_update().get(pk=activity.pk)
    if activity.status == JointActivity.Status.CONFIRMED:
        raise ApplicationError(_("A confirmed activity can no longer be changed."))
    merged = {k: data.get(k, getattr(activity, k)) for k in ACTIVITY_FIELDS}
    _check_activity(organisation=activity.organisation, data=merged)
    period_lock_check(place=activity.place, day=activity.date)
    if (merged["place"], merged["date"]) != (activity.place, activity.date):
        territory_in_force_check(place=merged["place"], day=merged["date"], field="place")
        period_lock_check(place=merged["place"], day=merged["date"])
    for name, value in merged.items():
        setattr(activity, name, value if value is not None or name == "agreement" else "")
    activity.status = JointActivity.Status.SUBMITTED
    activity.dispute_reason = ""
    activity.full_clean()
    activity._change_reason = "resubmitted"
    activity.save()
    _attach(ActivityEvidence, owner_field="activity", owner=activity, files=list(files), by=by)
    transaction.on_commit(lambda: _notify_activity_submitted(activity.pk))
    return activity


@transaction.atomic
def activity_review(
    *, activity: JointActivity, by: User, confirm: bool, reason: str = ""
) -> JointActivity:
    """The MIA counterpart confirms the activity, or disputes it with a reason."""
    activity = JointActivity.objects.select_for_update().get(pk=activity.pk)
    if not can_review_activity(by, activity):
        raise ApplicationError(_("Only the named MIA counterpart confirms this activity."))
    if activity.status != JointActivity.Status.SUBMITTED:
        raise ApplicationError(_("Only an activity awaiting confirmation can be reviewed."))
    period_lock_check(place=activity.place, day=activity.date)
    reason = reason.strip()
    if not confirm and not reason:
        raise ApplicationError(_("Say why you dispute the activity."), extra={"field": "reason"})
    activity.status = JointActivity.Status.CONFIRMED if confirm else JointActivity.Status.DISPUTED
    activity.dispute_reason = "" if confirm else reason
    activity.reviewed_by = by
    activity.reviewed_at = timezone.now()
    activity.save(
        update_fields=["status", "dispute_reason", "reviewed_by", "reviewed_at", "updated_at"]
    )
    message = (
        gettext_noop("Your joint activity of %(date)s has been confirmed.")
        if confirm
        else gettext_noop("Your joint activity of %(date)s has been disputed: %(reason)s")
    )
    params = {"date": f"{activity.date:%d.%m.%Y}", "reason": reason}
    key = f"activity-reviewed-{activity.pk}-{activity.reviewed_at:%Y%m%d%H%M%S}"
    transaction.on_commit(
        lambda: notify(
            users=_organisation_staff([activity.organisation_id]),
            message=message,
            params=params,
            url=_activity_url(activity),
            dedupe_key=key,
        )
    )
    return activity


# --- Information requests -------------------------------------------------------------------

ANSWER_WORKING_DAYS = 15


def working_days_after(start: date, days: int) -> date:
    """The date `days` working days after `start`: weekends and Uzbekistan's public holidays
    do not count."""
    public_holidays = holidays.country_holidays("UZ", years=range(start.year, start.year + 2))
    current, left = start, days
    while left:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in public_holidays:
            left -= 1
    return current


@transaction.atomic
def request_create(
    *,
    direction: str,
    organisation: Organisation,
    unit: Unit,
    subject: str,
    text: str,
    by: User,
    due_date: date | None = None,
    files: list[UploadedFile] = (),
) -> InformationRequest:
    """Sends a request; the answer is due in 15 working days unless a date is given."""
    today = timezone.localdate()
    due_date = due_date or working_days_after(today, ANSWER_WORKING_DAYS)
    if due_date < today:
        raise ApplicationError(
            _("The answer cannot be due in the past."), extra={"field": "due_date"}
        )
    request = InformationRequest(
        direction=direction,
        organisation=organisation,
        unit=unit,
        subject=subject,
        text=text,
        due_date=due_date,
        created_by=by,
    )
    request.full_clean()
    request.save()
    _attach(RequestAttachment, owner_field="request", owner=request, files=list(files), by=by)
    recipients = (
        _unit_officers(unit)
        if direction == InformationRequest.Direction.TO_UNIT
        else _organisation_staff([organisation.pk])
    )
    transaction.on_commit(
        lambda: notify(
            users=recipients,
            message=gettext_noop("New information request: %(subject)s (answer by %(due)s)."),
            params={"subject": subject, "due": f"{due_date:%d.%m.%Y}"},
            url=reverse("partnership:request-detail", args=[request.pk]),
            dedupe_key=f"request-new-{request.pk}",
        )
    )
    return request


@transaction.atomic
def request_answer(*, request: InformationRequest, answer: str, by: User) -> InformationRequest:
    request = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if not can_answer_request(by, request):
        raise ApplicationError(_("Only the side the request was sent to answers it."))
    if request.state == InformationRequest.State.ANSWERED:
        raise ApplicationError(_("This request has already been answered."))
    if not answer.strip():
        raise ApplicationError(_("Write the answer."), extra={"field": "answer"})
    request.answer = answer
    request.answered_by = by
    request.answered_at = timezone.now()
    request.state = InformationRequest.State.ANSWERED
    request.full_clean()
    request.save(update_fields=["answer", "answered_by", "answered_at", "state", "updated_at"])
    askers = (
        _organisation_staff([request.organisation_id])
        if request.direction == InformationRequest.Direction.TO_UNIT
        else _unit_officers(request.unit)
    )
    transaction.on_commit(
        lambda: notify(
            users=askers,
            message=gettext_noop("Your request “%(subject)s” has been answered."),
            params={"subject": request.subject},
            url=reverse("partnership:request-detail", args=[request.pk]),
            dedupe_key=f"request-answered-{request.pk}",
        )
    )
    return request


# --- Daily reminders ------------------------------------------------------------------------

EXPIRY_WARNING_DAYS = 30


def agreements_remind_expiring(*, today: date | None = None) -> int:
    """Tells both sides of each active agreement ending within 30 days, once per agreement."""
    today = today or timezone.localdate()
    expiring = Agreement.objects.filter(
        status=Agreement.Status.ACTIVE,
        valid_to__range=(today, today + timedelta(days=EXPIRY_WARNING_DAYS)),
    ).select_related("unit__territory")
    sent = 0
    for agreement in expiring.iterator(chunk_size=500):
        sent += len(
            notify(
                users=[
                    *_unit_officers(agreement.unit),
                    *_organisation_staff(agreement.organisations.values("pk")),
                ],
                message=gettext_noop("Agreement %(number)s expires on %(date)s."),
                params={"number": agreement.number, "date": f"{agreement.valid_to:%d.%m.%Y}"},
                url=reverse("partnership:agreement-detail", args=[agreement.pk]),
                dedupe_key=f"agreement-expiring-{agreement.pk}-{agreement.valid_to:%Y%m%d}",
            )
        )
    return sent


@transaction.atomic
def agreements_expire(*, today: date | None = None) -> int:
    """Active agreements past their end date become expired (saved one by one, so each
    change is in the agreement's history)."""
    today = today or timezone.localdate()
    expired = Agreement.objects.select_for_update().filter(
        status=Agreement.Status.ACTIVE, valid_to__lt=today
    )
    count = 0
    for agreement in expired.iterator(chunk_size=500):
        agreement.status = Agreement.Status.EXPIRED
        agreement.status_changed_at = timezone.now()
        agreement.status_changed_by = None
        agreement._change_reason = "validity ended"
        agreement.save(
            update_fields=["status", "status_changed_at", "status_changed_by", "updated_at"]
        )
        count += 1
    return count


def obligations_mark_overdue(*, today: date | None = None) -> int:
    """Open obligations past their due date become overdue, and both sides are told once."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ids = list(
            Obligation.objects.filter(state=Obligation.State.OPEN, due_date__lt=today).values_list(
                "pk", flat=True
            )
        )
        Obligation.objects.filter(pk__in=ids).update(state=Obligation.State.OVERDUE)
    # Only the newly overdue are announced; notify() would skip the others anyway, but
    # asking costs queries for every overdue row every day.
    overdue = Obligation.objects.filter(pk__in=ids).select_related("agreement__unit__territory")
    sent = 0
    for obligation in overdue.iterator(chunk_size=500):
        agreement = obligation.agreement
        sent += len(
            notify(
                users=[
                    *_unit_officers(agreement.unit),
                    *_organisation_staff(agreement.organisations.values("pk")),
                ],
                message=gettext_noop("An obligation of agreement %(number)s is overdue: %(text)s"),
                params={"number": agreement.number, "text": obligation.text[:120]},
                url=reverse("partnership:agreement-detail", args=[agreement.pk]),
                dedupe_key=f"obligation-overdue-{obligation.pk}",
            )
        )
    return sent


def requests_mark_overdue(*, today: date | None = None) -> int:
    """Unanswered requests past their due date become overdue; the answering side is told."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ids = list(
            InformationRequest.objects.filter(
                state=InformationRequest.State.OPEN, due_date__lt=today
            ).values_list("pk", flat=True)
        )
        InformationRequest.objects.filter(pk__in=ids).update(state=InformationRequest.State.OVERDUE)
    overdue = InformationRequest.objects.filter(pk__in=ids).select_related("unit__territory")
    sent = 0
    for request in overdue.iterator(chunk_size=500):
        recipients = (
            _unit_officers(request.unit)
            if request.direction == InformationRequest.Direction.TO_UNIT
            else _organisation_staff([request.organisation_id])
        )
        sent += len(
            notify(
                users=recipients,
                message=gettext_noop("The answer to “%(subject)s” was due on %(due)s."),
                params={"subject": request.subject, "due": f"{request.due_date:%d.%m.%Y}"},
                url=reverse("partnership:request-detail", args=[request.pk]),
                dedupe_key=f"request-overdue-{request.pk}",
            )
        )
    return sent
