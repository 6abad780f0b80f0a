"""Every write of the incentives: reference data, nominations, decisions within funds and
caps, payments and reversals. Decisions take row locks on the nomination and on the fund, so
the invariants hold under concurrent approvals (tests/incentives/test_concurrency.py)."""

from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.services import named_references_ensure
from core.text import search_key
from core.uploads import upload_check
from incentives.models import (
    AmountRule,
    BaseCalculationValue,
    Commission,
    Fund,
    IncentiveGround,
    IncentiveType,
    Level,
    Nomination,
    NominationComment,
    NominationEvidence,
    SocialProtectionCase,
)
from incentives.permissions import can_decide_for
from incentives.reference_data import BCV, GROUNDS, RULES, TYPES
from mahalla.models import Territory
from prevention.services import period_lock_check

LEVEL_ORDER = [Level.DISTRICT, Level.REGION, Level.REPUBLIC]
LEVEL_DEPTH = {Level.DISTRICT: 2, Level.REGION: 1, Level.REPUBLIC: 0}


@transaction.atomic
def reference_ensure() -> None:
    """Adds the default BCV values, grounds, types and rules that are missing; edits stay."""
    for valid_from, amount in BCV:
        BaseCalculationValue.objects.get_or_create(
            valid_from=valid_from, defaults={"amount": amount}
        )
    named_references_ensure(IncentiveGround, GROUNDS, ("has_gravity",))
    named_references_ensure(IncentiveType, TYPES, ("is_cash",))
    grounds = {g.code: g for g in IncentiveGround.objects.all()}
    for code, gravity, level, max_bcv in RULES:
        AmountRule.objects.get_or_create(
            ground=grounds[code], gravity=gravity, level=level, defaults={"max_bcv": max_bcv}
        )


def bcv_on(day: date) -> int:
    """The base calculation value in force on a day."""
    value = BaseCalculationValue.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    if value is None:
        raise ApplicationError(
            _("No base calculation value is in force on %(date)s.")
            % {"date": day.strftime("%d.%m.%Y")}
        )
    return value.amount


def amount_cap(*, ground: IncentiveGround, gravity: str, level: str, day: date) -> int | None:
    """The largest amount in so'm for the case at a level, at the BCV of `day`; None when no
    rule covers it."""
    rule = AmountRule.objects.filter(
        ground=ground, gravity=gravity if ground.has_gravity else "", level=level
    ).first()
    if rule is None:
        return None
    return int((rule.max_bcv * Decimal(bcv_on(day))).to_integral_value(rounding=ROUND_DOWN))


def commission_for(
    *,
    mahalla: Territory,
    ground: IncentiveGround,
    gravity: str,
    amount: int,
    day: date,
    above: str | None = None,
) -> Commission:
    """The lowest commission over the mahalla whose cap covers the amount (above a level, when
    forwarding)."""
    levels = LEVEL_ORDER[LEVEL_ORDER.index(above) + 1 :] if above else LEVEL_ORDER
    codes = mahalla.ancestor_codes  # country, region, district
    for level in levels:
        cap = amount_cap(ground=ground, gravity=gravity, level=level, day=day)
        if cap is None or cap < amount:
            continue
        commission = Commission.objects.filter(
            level=level, territory__code=codes[LEVEL_DEPTH[level]]
        ).first()
        if commission is not None:
            return commission
    raise ApplicationError(
        _("No commission can award %(amount)s so'm for this case.") % {"amount": f"{amount:,}"},
        extra={"field": "proposed_amount"},
    )


def _person_key(*, kind: str, document_number: str, organisation) -> str:
    if kind == Nomination.Kind.ORGANISATION:
        return f"org:{organisation.pk}"
    return "doc:" + search_key(document_number).replace(" ", "")


@transaction.atomic
def nomination_submit(
    *,
    by,
    kind: str,
    ground: IncentiveGround,
    facts: str,
    event_date: date,
    mahalla: Territory,
    proposed_amount: int = 0,
    gravity: str = "",
    organisation=None,
    full_name: str = "",
    birth_date: date | None = None,
    address: str = "",
    document_number: str = "",
    phone: str = "",
    consent_to_publish: bool = False,
    files=(),
) -> Nomination:
    """Submits a nomination to the lowest commission whose cap covers the proposed amount.
    The same person, event and ground nominated before (and not turned down) blocks it.
    Evidence files are checked (size, type by content) before anything is written."""
    today = timezone.localdate()
    if event_date > today:
        raise ApplicationError(
            _("The event cannot be in the future."), extra={"field": "event_date"}
        )
    if kind == Nomination.Kind.ORGANISATION and organisation is None:
        raise ApplicationError(
            _("Choose the organisation to reward."), extra={"field": "organisation"}
        )
    if kind == Nomination.Kind.CITIZEN and not full_name.strip():
        raise ApplicationError(_("Give the citizen's full name."), extra={"field": "full_name"})
    if birth_date is not None and birth_date >= today:
        raise ApplicationError(
            _("The date of birth must be in the past."), extra={"field": "birth_date"}
        )
    if proposed_amount < 0:
        raise ApplicationError(
            _("The proposed amount cannot be negative."), extra={"field": "proposed_amount"}
        )
    checked_files = [(file, upload_check(file, field="files")) for file in files]
    if mahalla.kind != Territory.Kind.MAHALLA:
        raise ApplicationError(
            _("Choose the mahalla where it happened."), extra={"field": "mahalla"}
        )
    if ground.has_gravity and not gravity:
        raise ApplicationError(_("Give the gravity of the crime."), extra={"field": "gravity"})
    if kind == Nomination.Kind.CITIZEN and not document_number.strip():
        raise ApplicationError(
            _("The citizen's identity document number is needed."),
            extra={"field": "document_number"},
        )
    person_key = _person_key(kind=kind, document_number=document_number, organisation=organisation)
    earlier = (
        Nomination.objects.filter(person_key=person_key, event_date=event_date, ground=ground)
        .exclude(state__in=[Nomination.State.REJECTED, Nomination.State.REVERSED])
        .first()
    )
    if earlier is not None:
        # The message does not name the earlier nomination: it may lie outside the user's
        # scope. The interfaces show it (from `duplicate`) to those who may open it.
        raise ApplicationError(
            _("This person has already been nominated for this event and ground."),
            extra={"field": "document_number", "duplicate": earlier.pk},
        )
    commission = commission_for(
        mahalla=mahalla, ground=ground, gravity=gravity, amount=proposed_amount, day=today
    )
    nomination = Nomination(
        kind=kind,
        organisation=organisation if kind == Nomination.Kind.ORGANISATION else None,
        full_name=full_name if kind == Nomination.Kind.CITIZEN else "",
        birth_date=birth_date if kind == Nomination.Kind.CITIZEN else None,
        address=address if kind == Nomination.Kind.CITIZEN else "",
        document_number=document_number if kind == Nomination.Kind.CITIZEN else "",
        phone=phone if kind == Nomination.Kind.CITIZEN else "",
        person_key=person_key,
        ground=ground,
        gravity=gravity if ground.has_gravity else "",
        facts=facts,
        event_date=event_date,
        mahalla=mahalla,
        proposed_amount=proposed_amount,
        commission=commission,
        consent_to_publish=consent_to_publish,
        nominated_by=by,
    )
    nomination.full_clean(exclude=["person_key"])
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        # A concurrent submission of the same case won the race.
        raise ApplicationError(
            _("This person has already been nominated for this event and ground."),
            extra={"field": "document_number"},
        ) from None
    _store_evidence(nomination, checked_files, by=by)
    return nomination


def _store_evidence(nomination: Nomination, checked_files, *, by) -> list[NominationEvidence]:
    return [
        NominationEvidence.objects.create(
            nomination=nomination,
            file=file,
            content_type=content_type,
            size=file.size,
            uploaded_by=by,
        )
        for file, content_type in checked_files
    ]


@transaction.atomic
def nomination_evidence_add(*, nomination: Nomination, by, files) -> list[NominationEvidence]:
    """More evidence for a nomination still under review: all files are checked first."""
    if nomination.state != Nomination.State.SUBMITTED:
        raise ApplicationError(
            _("Evidence is added only while the nomination is under review."),
            extra={"field": "files"},
        )
    checked_files = [(file, upload_check(file, field="files")) for file in files]
    return _store_evidence(nomination, checked_files, by=by)


@transaction.atomic
def nomination_comment_add(*, nomination: Nomination, by, text: str) -> NominationComment:
    """A commission member's remark in the review of a nomination."""
    if not can_decide_for(by, nomination.commission):
        raise ApplicationError(_("Only members of the commission comment on its nominations."))
    text = text.strip()
    if not text:
        raise ApplicationError(_("Write the comment."), extra={"field": "text"})
    comment = NominationComment(nomination=nomination, author=by, text=text)
    comment.full_clean()
    comment.save()
    return comment


def _locked_submitted(nomination: Nomination, by) -> Nomination:
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("commission", "ground")
        .get(pk=nomination.pk)
    )
    if not can_decide_for(by, nomination.commission):
        raise ApplicationError(_("Only members of the commission decide this nomination."))
    if nomination.state != Nomination.State.SUBMITTED:
        raise ApplicationError(_("Only a submitted nomination can be decided."))
    return nomination


@transaction.atomic
def nomination_approve(
    *,
    nomination: Nomination,
    by,
    incentive_type: IncentiveType,
    amount: int,
    decision_number: str,
    decision_date: date,
    reason: str = "",
) -> Nomination:
    """Approves (or, with a smaller amount than proposed and a reason, reduces) a nomination:
    the amount stays within the rule's cap at the decision date's BCV and within the year's
    fund, whose committed total is raised under a row lock."""
    nomination = _locked_submitted(nomination, by)
    _check_decision(decision_number=decision_number, decision_date=decision_date, after=nomination)
    period_lock_check(place=nomination.mahalla, day=decision_date, field="decision_date")
    if not incentive_type.is_active:
        raise ApplicationError(
            _("This type of incentive is no longer in use."), extra={"field": "incentive_type"}
        )
    if amount < 0 or (incentive_type.is_cash and amount == 0):
        raise ApplicationError(_("Give a positive amount."), extra={"field": "amount"})
    reduced = amount < nomination.proposed_amount
    if reduced and not reason.strip():
        raise ApplicationError(
            _("Give the reason for reducing the proposed amount."), extra={"field": "reason"}
        )
    cap = amount_cap(
        ground=nomination.ground,
        gravity=nomination.gravity,
        level=nomination.commission.level,
        day=decision_date,
    )
    if cap is None or amount > cap:
        raise ApplicationError(
            _("%(amount)s so'm is above the cap of %(cap)s so'm for this case at this level.")
            % {"amount": f"{amount:,}", "cap": f"{cap or 0:,}"},
            extra={"field": "amount"},
        )
    fund = _fund_commit(nomination.commission, year=decision_date.year, amount=amount)
    nomination.state = Nomination.State.APPROVED
    nomination.incentive_type = incentive_type
    nomination.amount = amount
    nomination.fund = fund
    nomination.decision_number = decision_number.strip()
    nomination.decision_date = decision_date
    nomination.decision_reason = reason.strip()
    nomination.decided_by = by
    nomination.save(
        update_fields=[
            "state",
            "incentive_type",
            "amount",
            "fund",
            "decision_number",
            "decision_date",
            "decision_reason",
            "decided_by",
            "updated_at",
        ]
    )
    return nomination


def _check_decision(*, decision_number: str, decision_date: date, after) -> None:
    if not decision_number.strip():
        raise ApplicationError(_("Give the decision number."), extra={"field": "decision_number"})
    if decision_date > timezone.localdate() or decision_date < after.event_date:
        raise ApplicationError(
            _("The decision date must fall between the event and today."),
            extra={"field": "decision_date"},
        )


def _fund_commit(commission: Commission, *, year: int, amount: int) -> Fund:
    """Takes `amount` from the commission's fund of the year, under a row lock on the fund so
    that concurrent decisions queue and the budget is never passed."""
    fund = Fund.objects.select_for_update().filter(commission=commission, year=year).first()
    if fund is None:
        raise ApplicationError(
            _("The commission has no fund for %(year)d.") % {"year": year},
            extra={"field": "decision_date"},
        )
    if fund.committed + amount > fund.budget:
        raise ApplicationError(
            _("The fund has %(left)s so'm left; %(amount)s so'm does not fit.")
            % {"left": f"{fund.remaining:,}", "amount": f"{amount:,}"},
            extra={"field": "amount"},
        )
    Fund.objects.filter(pk=fund.pk).update(committed=F("committed") + amount)
    return fund


@transaction.atomic
def nomination_reject(*, nomination: Nomination, by, reason: str) -> Nomination:
    nomination = _locked_submitted(nomination, by)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the refusal."), extra={"field": "reason"})
    nomination.state = Nomination.State.REJECTED
    nomination.decision_reason = reason
    nomination.decided_by = by
    nomination.decision_date = timezone.localdate()
    nomination.save(
        update_fields=["state", "decision_reason", "decided_by", "decision_date", "updated_at"]
    )
    return nomination


@transaction.atomic
def nomination_forward(*, nomination: Nomination, by, reason: str = "") -> Nomination:
    """Sends the nomination to the next commission up whose cap covers it."""
    nomination = _locked_submitted(nomination, by)
    nomination.commission = commission_for(
        mahalla=nomination.mahalla,
        ground=nomination.ground,
        gravity=nomination.gravity,
        amount=nomination.proposed_amount,
        day=timezone.localdate(),
        above=nomination.commission.level,
    )
    nomination._change_reason = (reason or "forwarded")[:100]
    nomination.save(update_fields=["commission", "updated_at"])
    return nomination


@transaction.atomic
def nomination_pay(*, nomination: Nomination, by, paid_on: date, reference: str) -> Nomination:
    return _payment_record(
        nomination,
        by=by,
        paid_on=paid_on,
        reference=reference,
        payable=Nomination.State.APPROVED,
        not_payable=_("Only an approved award can be paid."),
    )


def _payment_record(obj, *, by, paid_on: date, reference: str, payable: str, not_payable: str):
    """Records the payment of an award or of decided support, under a row lock on it."""
    obj = (
        type(obj)
        .objects.select_for_update(of=("self",))
        .select_related("commission")
        .get(pk=obj.pk)
    )
    if not can_decide_for(by, obj.commission):
        raise ApplicationError(_("Only members of the commission record its payments."))
    if obj.state != payable:
        raise ApplicationError(not_payable)
    if paid_on < obj.decision_date or paid_on > timezone.localdate():
        raise ApplicationError(
            _("The payment date must fall between the decision and today."),
            extra={"field": "paid_on"},
        )
    if not reference.strip():
        raise ApplicationError(_("Give the payment reference."), extra={"field": "reference"})
    obj.state = type(obj).State.PAID
    obj.paid_on = paid_on
    obj.payment_reference = reference.strip()
    obj.save(update_fields=["state", "paid_on", "payment_reference", "updated_at"])
    return obj


@transaction.atomic
def nomination_reverse(*, nomination: Nomination, by, reason: str) -> Nomination:
    """A paid award cannot change; it can only be reversed, with a reason, which frees its
    amount in the fund."""
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("commission")
        .get(pk=nomination.pk)
    )
    if not can_decide_for(by, nomination.commission):
        raise ApplicationError(_("Only members of the commission reverse its awards."))
    if nomination.state != Nomination.State.PAID:
        raise ApplicationError(_("Only a paid award is reversed."))
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the reversal."), extra={"field": "reason"})
    # Reversing changes the awards counted in the month of the decision.
    period_lock_check(place=nomination.mahalla, day=nomination.decision_date)
    Fund.objects.select_for_update().filter(pk=nomination.fund_id).update(
        committed=F("committed") - nomination.amount
    )
    nomination.state = Nomination.State.REVERSED
    nomination.reversal_reason = reason
    nomination.save(update_fields=["state", "reversal_reason", "updated_at"])
    return nomination


# --- Social protection ----------------------------------------------------------------------


def _commission_over(mahalla: Territory) -> Commission:
    """The lowest commission over a mahalla: social protection has no amount rules."""
    codes = mahalla.ancestor_codes
    for level in LEVEL_ORDER:
        commission = Commission.objects.filter(
            level=level, territory__code=codes[LEVEL_DEPTH[level]]
        ).first()
        if commission is not None:
            return commission
    raise ApplicationError(
        _("No incentive commission works over this mahalla yet."), extra={"field": "mahalla"}
    )


@transaction.atomic
def social_case_open(
    *,
    by,
    full_name: str,
    document_number: str,
    mahalla: Territory,
    event_date: date,
    harm: str,
    birth_date: date | None = None,
    address: str = "",
    phone: str = "",
    nomination: Nomination | None = None,
) -> SocialProtectionCase:
    """Opens the case of a citizen harmed while helping, before the lowest commission over
    the mahalla."""
    today = timezone.localdate()
    if event_date > today:
        raise ApplicationError(
            _("The event cannot be in the future."), extra={"field": "event_date"}
        )
    if mahalla.kind != Territory.Kind.MAHALLA:
        raise ApplicationError(
            _("Choose the mahalla where it happened."), extra={"field": "mahalla"}
        )
    if birth_date is not None and birth_date >= today:
        raise ApplicationError(
            _("The date of birth must be in the past."), extra={"field": "birth_date"}
        )
    case = SocialProtectionCase(
        full_name=full_name.strip(),
        document_number=document_number.strip(),
        birth_date=birth_date,
        address=address,
        phone=phone,
        mahalla=mahalla,
        event_date=event_date,
        harm=harm,
        nomination=nomination,
        commission=_commission_over(mahalla),
        opened_by=by,
    )
    case.full_clean()
    case.save()
    return case


def _locked_open_case(case: SocialProtectionCase, by) -> SocialProtectionCase:
    case = (
        SocialProtectionCase.objects.select_for_update(of=("self",))
        .select_related("commission")
        .get(pk=case.pk)
    )
    if not can_decide_for(by, case.commission):
        raise ApplicationError(_("Only members of the commission decide this case."))
    if case.state != SocialProtectionCase.State.OPEN:
        raise ApplicationError(_("Only a case under review can be decided."))
    return case


@transaction.atomic
def social_case_decide(
    *,
    case: SocialProtectionCase,
    by,
    support: str,
    amount: int,
    decision_number: str,
    decision_date: date,
    details: str = "",
) -> SocialProtectionCase:
    """Decides the support; money comes out of the commission's fund of the decision year
    under the same row lock as awards."""
    case = _locked_open_case(case, by)
    _check_decision(decision_number=decision_number, decision_date=decision_date, after=case)
    if support not in SocialProtectionCase.Support.values:
        raise ApplicationError(_("Choose the support."), extra={"field": "support"})
    if amount < 0:
        raise ApplicationError(_("The amount cannot be negative."), extra={"field": "amount"})
    case.fund = (
        _fund_commit(case.commission, year=decision_date.year, amount=amount) if amount else None
    )
    case.state = SocialProtectionCase.State.DECIDED
    case.support = support
    case.support_details = details.strip()
    case.amount = amount
    case.decision_number = decision_number.strip()
    case.decision_date = decision_date
    case.decided_by = by
    case.save(
        update_fields=[
            "fund",
            "state",
            "support",
            "support_details",
            "amount",
            "decision_number",
            "decision_date",
            "decided_by",
            "updated_at",
        ]
    )
    return case


@transaction.atomic
def social_case_reject(*, case: SocialProtectionCase, by, reason: str) -> SocialProtectionCase:
    case = _locked_open_case(case, by)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the refusal."), extra={"field": "reason"})
    case.state = SocialProtectionCase.State.REJECTED
    case.decision_reason = reason.strip()
    case.decision_date = timezone.localdate()
    case.decided_by = by
    case.save(
        update_fields=["state", "decision_reason", "decision_date", "decided_by", "updated_at"]
    )
    return case


@transaction.atomic
def social_case_pay(
    *, case: SocialProtectionCase, by, paid_on: date, reference: str
) -> SocialProtectionCase:
    """Records that the decided support was given (paid, or provided in kind)."""
    return _payment_record(
        case,
        by=by,
        paid_on=paid_on,
        reference=reference,
        payable=SocialProtectionCase.State.DECIDED,
        not_payable=_("Only decided support can be paid."),
    )


def social_case_settle(
    *,
    case: SocialProtectionCase,
    by,
    decision: str,
    support: str = "",
    amount: int | None = None,
    decision_number: str = "",
    decision_date: date | None = None,
    details: str = "",
    reason: str = "",
) -> SocialProtectionCase:
    """One entry for the page and the API: give support (decided, with its amount) or refuse
    (with a reason)."""
    if decision == "reject":
        return social_case_reject(case=case, by=by, reason=reason)
    if decision != "support":
        raise ApplicationError(_("Choose a decision."), extra={"field": "decision"})
    if decision_date is None:
        raise ApplicationError(_("Give the decision date."), extra={"field": "decision_date"})
    return social_case_decide(
        case=case,
        by=by,
        support=support,
        amount=amount or 0,
        decision_number=decision_number,
        decision_date=decision_date,
        details=details,
    )


def nomination_decide(
    *,
    nomination: Nomination,
    by,
    decision: str,
    incentive_type: IncentiveType | None = None,
    amount: int | None = None,
    decision_number: str = "",
    decision_date: date | None = None,
    reason: str = "",
) -> Nomination:
    """One entry for the page and the API: approve as proposed (or another amount within the
    cap), reduce (an amount below the proposed one, with a reason), reject (with a reason) or
    forward to the commission above."""
    if decision == "reject":
        return nomination_reject(nomination=nomination, by=by, reason=reason)
    if decision == "forward":
        return nomination_forward(nomination=nomination, by=by, reason=reason)
    if decision not in ("approve", "reduce"):
        raise ApplicationError(_("Choose a decision."), extra={"field": "decision"})
    if incentive_type is None:
        raise ApplicationError(
            _("Choose the type of incentive."), extra={"field": "incentive_type"}
        )
    if amount is None:
        raise ApplicationError(_("Give the amount."), extra={"field": "amount"})
    if decision_date is None:
        raise ApplicationError(_("Give the decision date."), extra={"field": "decision_date"})
    if decision == "reduce" and amount >= nomination.proposed_amount:
        raise ApplicationError(
            _("A reduced amount must be below the proposed %(amount)s so'm.")
            % {"amount": f"{nomination.proposed_amount:,}"},
            extra={"field": "amount"},
        )
    return nomination_approve(
        nomination=nomination,
        by=by,
        incentive_type=incentive_type,
        amount=amount,
        decision_number=decision_number,
        decision_date=decision_date,
        reason=reason,
    )
