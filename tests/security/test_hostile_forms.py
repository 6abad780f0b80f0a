"""Every form of the portal posted with bad values: each required field left out, each text
too long, each typed field given the wrong type, and hostile values (markup, SQL fragments,
null bytes, text-direction controls, huge numbers).

The table below names each form's page, who may post it and what its rows are. The valid
payload is read off the form the page renders (its initial values and first choices), with a
few values set by the table; a form the template writes out by hand (a row's buttons and
hidden inputs) is built as its view builds it, and the page must show a form posting there. A
sanity test proves each payload is accepted, so that every refusal below is the refusal of the
one bad value. A refusal is a 4xx, or the page again with an error on that field (or, for a
page without JavaScript, a redirect with an error message); nothing is saved, and nothing is
ever a 500. The forms read from the query string (filters) get the same values field by field:
each is the form's error or a 400, and markup in it is never echoed unescaped.
"""

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import django_filters
import pytest
from django import forms
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.formsets import BaseFormSet
from django.template.context import Context
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accountability.forms import DashboardCsvForm, DashboardForm
from accountability.models import PublicReport, ReportRun
from accountability.views.public import ArchiveFilterForm, VerifyForm
from accountability.views.runs import RunStartForm
from accounts.models import Membership, Role, User
from core.forms import PlainTextFormMixin
from core.text import validate_plain_text
from incentives import forms as incentive_forms
from incentives.filters import AwardRegisterFilter, NominationFilter, SocialCaseFilter
from incentives.models import IncentiveGround, Nomination, NominationComment, SocialProtectionCase
from incentives.services import social_case_settle
from incentives.views.reports import ReportFilterForm
from mahalla import forms as mahalla_forms
from mahalla.models import BoundaryChange, Territory
from partnership.forms import activities as activity_forms
from partnership.forms import agreements as agreement_forms
from partnership.forms import organisations as organisation_forms
from partnership.models import (
    Agreement,
    InformationRequest,
    JointActivity,
    Obligation,
    Organisation,
)
from prevention.filters import MeetingFilter, PreventionRecordFilter, RegisterEntryFilter
from prevention.forms import approvals as approval_forms
from prevention.forms import records as record_forms
from prevention.forms import residents as resident_forms
from prevention.forms import structure as structure_forms
from prevention.models import (
    AccountabilityMeeting,
    MahallaContact,
    MeetingQuestion,
    PeriodApproval,
    PreventionRecord,
    RegisterEntry,
    ResidentFeedback,
    Unit,
)
from prevention.permissions import territories_in_scope
from prevention.selectors import period_previous_month
from tests.mahalla.factories import MahallaFactory
from tests.prevention.factories import PreventionRecordFactory, RegisterEntryFactory

pytestmark = pytest.mark.django_db

SQL = "'; DROP TABLE partnership_organisation; --"
SCRIPT = "<script>alert(1)</script>"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()

# The values each kind of field is given. "missing" is tried on required fields only.
TEXT_VALUES = {
    "script": SCRIPT,
    "img-onerror": '<img src=x onerror="alert(1)">',
    "closing-tag": "matn </textarea><b>qalin</b>",
    "comment": "matn <!-- yashirin -->",
    "processing": "<?php echo 1; ?>",
    "rlo": "hisobot\u202efdp.exe",
    "rlm": "ism\u200f",
    "isolate": "\u2067matn\u2069",
    "arabic-mark": "matn\u061c",
    "nul": "matn\x00matn",
}
NUMBER_VALUES = {
    "1e308": "1e308",
    "10**40": str(10**40),
    "negative": "-1",
    "nan": "NaN",
    "infinity": "Infinity",
    "word": "yuz",
    "sql": "1; DROP TABLE x; --",
    "nul": "1\x00",
}
DATE_VALUES = {
    "sql": SQL,
    "impossible": "2024-13-45",
    "year-99999": "99999-01-01",
    "word": "kecha",
    "huge-number": str(10**40),
}
CHOICE_VALUES = {
    "sql": SQL,
    "10**40": str(10**40),
    "negative": "-1",
    "script": SCRIPT,
    "nul": "1\x00",
}


def _kind(form_field: forms.Field) -> str | None:
    return _kind_of(type(form_field))


def _kind_of(field_class: type[forms.Field]) -> str | None:
    """Which of the value tables a class of field is given; a filter set's filters name only
    the class of the field they make."""
    if issubclass(field_class, forms.FileField | forms.BooleanField):
        return None  # files: tests/security/test_uploads.py; a checkbox has no bad value
    if issubclass(field_class, forms.IntegerField | forms.FloatField | forms.DecimalField):
        return "number"
    if issubclass(field_class, forms.DateField | forms.DateTimeField):
        return "date"
    # Typed and multiple choices are choice fields too; JSON and hidden text are text.
    if issubclass(field_class, forms.ChoiceField | forms.ModelChoiceField):
        return "choice"
    if issubclass(field_class, forms.CharField):
        return "text"
    raise AssertionError(f"no bad values for {field_class.__name__}")


def _multiple(form_field: forms.Field) -> bool:
    """A field posted as a list of values."""
    return isinstance(form_field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)


VALUES = {
    "text": TEXT_VALUES,
    "number": NUMBER_VALUES,
    "date": DATE_VALUES,
    "choice": CHOICE_VALUES,
}


# --- The table of forms ---------------------------------------------------------------------


@dataclass
class Posted:
    """What one form needs: where it is shown and posted, by whom, and what it writes."""

    page: str  # the page showing the form (GET)
    post: str  # where it is posted
    state: Callable[[], object]  # rows it writes; equal before and after a refused post
    values: dict = field(default_factory=dict)  # payload values the page cannot supply
    files: dict = field(default_factory=dict)  # files sent with every post
    # The form to fill, given the page, when it is not the page's own form of the class: one
    # the template writes out by hand (a row's buttons and hidden inputs), built as the view
    # builds it; or a formset's first row.
    form: Callable | None = None
    data: dict = field(default_factory=dict)  # what the page's other parts post, by full name
    headers: dict = field(default_factory=dict)  # sent with every post (htmx's, say)
    # Without JavaScript the page answers a refusal by going back to the list with an error
    # message (a redirect), not with a 4xx.
    refused_with_message: bool = False


@dataclass(frozen=True)
class FormSpec:
    name: str
    form_class: type[forms.Form]
    role: str | None  # demo user name; None: the public
    setup: Callable[["World"], Posted]
    # Fields the role is not offered (removed or replaced by the form for it).
    not_offered: tuple[str, ...] = ()
    writes: bool = False  # the valid post is seen to change the state


class World:
    """The demo objects the forms act on, found once per test."""

    def __init__(self):
        self.today = timezone.localdate()
        self.inspector = User.objects.get(username="inspector")
        self.mahalla = self.inspector.memberships.get(role=Role.INSPECTOR).territory
        self.org = User.objects.get(username="ngo.staff").memberships.get().organisation
        self.district = self.mahalla.parent  # Yunusobod
        self.month = period_previous_month(self.today)  # the month the approvals page shows

    def period(self, state: str, others: str | None = None) -> None:
        """Puts Yunusobod's month in `state`, and (when given) every other district's in
        `others`: each period action starts from the states it moves on from."""
        if others is not None:
            districts = Territory.objects.filter(kind=Territory.Kind.DISTRICT).exclude(
                pk=self.district.pk
            )
            rows = PeriodApproval.objects.filter(month=self.month, district__in=districts)
            rows.update(state=others)
            PeriodApproval.objects.bulk_create(
                PeriodApproval(district=district, month=self.month, state=others)
                for district in districts.exclude(pk__in=rows.values("district"))
            )
        PeriodApproval.objects.update_or_create(
            district=self.district, month=self.month, defaults={"state": state}
        )

    def mahallas(self, count: int) -> list[Territory]:
        """New mahallas of Yunusobod, holding nothing, for the boundary changes (the demo has
        one mahalla per district)."""
        return MahallaFactory.create_batch(count, parent=self.district)

    def agreement(self) -> Agreement:
        agreement = self.org.agreements.order_by("pk").first()
        Agreement.objects.filter(pk=agreement.pk).update(
            status=Agreement.Status.ACTIVE,
            valid_from=self.today - timedelta(days=100),
            valid_to=self.today + timedelta(days=100),
        )
        agreement.refresh_from_db()
        return agreement

    def activity(self) -> JointActivity:
        agreement = self.agreement()
        return JointActivity.objects.create(
            organisation=self.org,
            agreement=agreement,
            unit=agreement.unit,
            place=self.mahalla,
            kind=JointActivity.Kind.choices[0][0],
            date=self.today - timedelta(days=1),
            participants_youth=5,
            description="Huquqiy targʻibot",
            created_by=User.objects.get(username="ngo.staff"),
        )


def _rows(queryset) -> Callable[[], object]:
    return lambda: sorted(map(repr, queryset.values()))


def _count(model) -> Callable[[], object]:
    return lambda: model.objects.count()


def _record_create(world):
    return Posted(
        reverse("prevention:record-create"),
        reverse("prevention:record-create"),
        _count(PreventionRecord),
        {"summary": "Profilaktik suhbat", "people_reached": "3"},
    )


def _record_edit(world):
    record = PreventionRecordFactory(inspector=world.inspector.inspector, mahalla=world.mahalla)
    url = reverse("prevention:record-edit", args=[record.pk])
    return Posted(
        url, url, _rows(PreventionRecord.objects.filter(pk=record.pk)), {"reason": "Xato"}
    )


def _register_create(world):
    return Posted(
        reverse("prevention:register-create"),
        reverse("prevention:register-create"),
        _count(RegisterEntry),
        {
            "full_name": "Sinov Sinovov",
            "birth_date": "1990-05-01",
            "address": "Yunusobod 1",
            "document_number": "AD1234567",
            "grounds": "Asoslar",
        },
    )


def _register_edit(world):
    entry = RegisterEntryFactory(inspector=world.inspector.inspector, mahalla=world.mahalla)
    url = reverse("prevention:register-edit", args=[entry.pk])
    return Posted(url, url, _rows(RegisterEntry.objects.filter(pk=entry.pk)))


def _contacts(world):
    url = reverse("prevention:mahalla-contacts", args=[world.mahalla.code])
    return Posted(url, url, _rows(MahallaContact.objects.filter(mahalla=world.mahalla)))


def _meeting_create(world):
    return Posted(
        reverse("prevention:meeting-create"),
        reverse("prevention:meeting-create"),
        _count(AccountabilityMeeting),
        {"date": (world.today + timedelta(days=3)).isoformat(), "topics": "Hisobot"},
    )


def _meeting(world) -> AccountabilityMeeting:
    return AccountabilityMeeting.objects.create(
        inspector=world.inspector.inspector,
        mahalla=world.mahalla,
        date=world.today - timedelta(days=1),
        topics="Hisobot",
    )


def _meeting_held(world):
    meeting = _meeting(world)
    return Posted(
        reverse("prevention:meeting-detail", args=[meeting.pk]),
        reverse("prevention:meeting-held", args=[meeting.pk]),
        _rows(AccountabilityMeeting.objects.filter(pk=meeting.pk)),
        {"attendance": "40", "topics": "Hisobot"},
    )


def _question_add(world):
    meeting = _meeting(world)
    AccountabilityMeeting.objects.filter(pk=meeting.pk).update(
        status=AccountabilityMeeting.Status.HELD, attendance=30
    )
    return Posted(
        reverse("prevention:meeting-detail", args=[meeting.pk]),
        reverse("prevention:question-add", args=[meeting.pk]),
        _count(MeetingQuestion),
        {"text": "Koʻcha chiroqlari", "due_date": (world.today + timedelta(days=10)).isoformat()},
    )


def _question_update(world):
    meeting = _meeting(world)
    AccountabilityMeeting.objects.filter(pk=meeting.pk).update(
        status=AccountabilityMeeting.Status.HELD, attendance=30
    )
    question = MeetingQuestion.objects.create(
        meeting=meeting, text="Koʻcha chiroqlari", due_date=world.today + timedelta(days=10)
    )
    return Posted(
        reverse("prevention:meeting-detail", args=[meeting.pk]),
        reverse("prevention:question-update", args=[question.pk]),
        _rows(MeetingQuestion.objects.filter(pk=question.pk)),
        {"follow_up": "Chiroqlar oʻrnatildi"},
    )


def _feedback(world):
    post = Unit.objects.filter(
        kind=Unit.Kind.POST, mahallas=world.mahalla, public_key__isnull=False
    ).first()
    url = reverse("prevention:post-feedback", args=[post.public_key])
    return Posted(url, url, _count(ResidentFeedback), {"rating": "4", "comment": "Yaxshi"})


def _organisation_apply(world):
    return Posted(
        reverse("partnership:organisation-apply"),
        reverse("partnership:organisation-apply"),
        _count(Organisation),
        {
            "name": "Sinov jamoat birlashmasi",
            "registration_number": "HK-SEC-0001",
            "phone": "+998 71 123 45 67",
            "applicant_name": "Sinov Sinovov",
        },
    )


def _organisation_edit(world):
    url = reverse("partnership:organisation-edit", args=[world.org.pk])
    return Posted(url, url, _rows(Organisation.objects.filter(pk=world.org.pk)))


def _staff_invite(world):
    return Posted(
        reverse("partnership:staff-list", args=[world.org.pk]),
        reverse("partnership:staff-invite", args=[world.org.pk]),
        _count(User),
        {"full_name": "Yangi Xodim", "email": "yangi.xodim@example.uz"},
    )


def _agreement_create(world):
    return Posted(
        reverse("partnership:agreement-create"),
        reverse("partnership:agreement-create"),
        _count(Agreement),
        {
            "number": "SEC-1",
            "title": "Hamkorlik memorandumi",
            "organisations": "",
            "valid_to": (world.today + timedelta(days=365)).isoformat(),
        },
    )


def _obligation_add(world):
    agreement = world.agreement()
    return Posted(
        reverse("partnership:agreement-detail", args=[agreement.pk]),
        reverse("partnership:obligation-add", args=[agreement.pk]),
        _count(Obligation),
        {
            "text": "Oylik tadbir",
            "party": Obligation.Party.UNIT,
            "due_date": (world.today + timedelta(days=30)).isoformat(),
        },
    )


def _obligation_complete(world):
    agreement = world.agreement()
    obligation = Obligation.objects.create(
        agreement=agreement,
        text="Oylik tadbir",
        party=Obligation.Party.ORGANISATION,
        organisation=world.org,
        due_date=world.today + timedelta(days=30),
    )
    return Posted(
        reverse("partnership:agreement-detail", args=[agreement.pk]),
        reverse("partnership:obligation-complete", args=[agreement.pk, obligation.pk]),
        _rows(Obligation.objects.filter(pk=obligation.pk)),
        {"evidence": "Tadbir oʻtkazildi"},
    )


def _activity_create(world):
    agreement = world.agreement()
    return Posted(
        reverse("partnership:activity-create"),
        reverse("partnership:activity-create"),
        _count(JointActivity),
        {
            "agreement": str(agreement.pk),
            "district": str(world.mahalla.parent_id),
            "mahalla": str(world.mahalla.pk),
            "date": (world.today - timedelta(days=1)).isoformat(),
            "description": "Huquqiy targʻibot",
        },
    )


def _activity_edit(world):
    activity = world.activity()
    url = reverse("partnership:activity-edit", args=[activity.pk])
    return Posted(url, url, _rows(JointActivity.objects.filter(pk=activity.pk)))


def _activity_review(world):
    activity = world.activity()
    return Posted(
        reverse("partnership:activity-detail", args=[activity.pk]),
        reverse("partnership:activity-review", args=[activity.pk]),
        _rows(JointActivity.objects.filter(pk=activity.pk)),
        {"decision": "dispute", "reason": "Ishtirokchilar soni mos emas"},
    )


def _request_create(world):
    return Posted(
        reverse("partnership:request-create"),
        reverse("partnership:request-create"),
        _count(InformationRequest),
        {"subject": "Maʼlumot soʻrovi", "text": "Iltimos, maʼlumot bering"},
        {"files": lambda: SimpleUploadedFile("surat.png", PNG, content_type="image/png")},
    )


def _request_answer(world):
    request = InformationRequest.objects.create(
        direction=InformationRequest.Direction.TO_ORGANISATION,
        organisation=world.org,
        unit=world.agreement().unit,
        subject="Maʼlumot soʻrovi",
        text="Iltimos, maʼlumot bering",
        due_date=world.today + timedelta(days=15),
    )
    return Posted(
        reverse("partnership:request-detail", args=[request.pk]),
        reverse("partnership:request-answer", args=[request.pk]),
        _rows(InformationRequest.objects.filter(pk=request.pk)),
        {"answer": "Maʼlumot ilova qilindi"},
    )


def _nomination_create(world):
    return Posted(
        reverse("incentives:nomination-create"),
        reverse("incentives:nomination-create"),
        _count(Nomination),
        {
            "kind": "citizen",
            "full_name": "Sinov Sinovov",
            "document_number": "AB7654321",
            "district": str(world.mahalla.parent_id),
            "mahalla": str(world.mahalla.pk),
            "event_date": (world.today - timedelta(days=5)).isoformat(),
            "facts": "Jinoyatning oldini oldi",
            "proposed_amount": "0",
            "ground": str(IncentiveGround.objects.get(code="prevention").pk),
            "gravity": "",
        },
    )


def _nomination(world) -> Nomination:
    return (
        Nomination.objects.filter(
            state=Nomination.State.SUBMITTED, commission__territory__code="1726266"
        ).first()
    ) or pytest.fail("the demo has no submitted nomination at Yunusobod's commission")


def _nomination_comment(world):
    nomination = _nomination(world)
    return Posted(
        reverse("incentives:nomination-detail", args=[nomination.pk]),
        reverse("incentives:nomination-comment", args=[nomination.pk]),
        _count(NominationComment),
        {"text": "Hujjatlar toʻliq"},
    )


def _nomination_decide(world):
    nomination = _nomination(world)
    return Posted(
        reverse("incentives:nomination-detail", args=[nomination.pk]),
        reverse("incentives:nomination-decide", args=[nomination.pk]),
        _rows(Nomination.objects.filter(pk=nomination.pk)),
        {"decision": "reject", "reason": "Asos yetarli emas"},
    )


def _social_case_create(world):
    return Posted(
        reverse("incentives:social-case-create"),
        reverse("incentives:social-case-create"),
        _count(SocialProtectionCase),
        {
            "full_name": "Sinov Sinovov",
            "document_number": "AB7654321",
            "district": str(world.mahalla.parent_id),
            "mahalla": str(world.mahalla.pk),
            "event_date": (world.today - timedelta(days=5)).isoformat(),
            "harm": "Jarohat oldi",
        },
    )


# --- Forms the template writes out by hand: the approvals page's buttons, the queues' rows ---


def _by_hand(build: Callable[[], forms.BaseForm]) -> Callable:
    return lambda _page: build()


def _scope(username: str, kind: str):
    return territories_in_scope(User.objects.get(username=username), kind)


def _approvals(world, *, region: str = "") -> str:
    query = f"?month={world.month:%Y-%m}" + (f"&region={region}" if region else "")
    return reverse("prevention:approval-list") + query


def _period_posted(world, action: str, form_class, role: str, *, region="", **values):
    return Posted(
        _approvals(world, region=region),
        reverse(f"prevention:approval-{action}"),
        _rows(PeriodApproval.objects.filter(month=world.month)),
        {
            "district": world.district.code,
            "month": f"{world.month:%Y-%m}",
            "region": region,
            **values,
        },
        form=_by_hand(lambda: form_class(districts=_scope(role, Territory.Kind.DISTRICT))),
    )


def _period_submit(world):
    world.period(PeriodApproval.State.OPEN)
    return _period_posted(world, "submit", approval_forms.PeriodActionForm, "officer.district")


def _period_reopen(world):
    world.period(PeriodApproval.State.SUBMITTED)
    return _period_posted(
        world,
        "reopen",
        approval_forms.PeriodReopenForm,
        "officer.district",
        reason="Yozuvlar toʻliq emas",
    )


def _period_approve(world):
    # The region approves once every one of its districts has submitted.
    world.period(PeriodApproval.State.SUBMITTED, others=PeriodApproval.State.SUBMITTED)
    return _period_posted(world, "approve", approval_forms.PeriodActionForm, "officer.region")


def _period_return(world):
    world.period(PeriodApproval.State.SUBMITTED)
    return _period_posted(
        world,
        "return",
        approval_forms.PeriodReturnForm,
        "officer.region",
        message="Tadbirlar soni mos emas",
    )


def _period_accept(world):
    # The republic accepts once every district of the country is approved.
    world.period(PeriodApproval.State.APPROVED, others=PeriodApproval.State.APPROVED)
    return _period_posted(
        world,
        "accept",
        approval_forms.PeriodActionForm,
        "officer.republic",
        region=world.district.parent.code,
    )


def _period_bulk_approve(world):
    world.period(PeriodApproval.State.SUBMITTED, others=PeriodApproval.State.SUBMITTED)
    return Posted(
        _approvals(world),
        reverse("prevention:approval-bulk-approve"),
        _rows(PeriodApproval.objects.filter(month=world.month)),
        {"region": world.district.parent.code, "month": f"{world.month:%Y-%m}"},
        form=_by_hand(
            lambda: approval_forms.PeriodBulkApproveForm(
                regions=_scope("officer.region", Territory.Kind.REGION)
            )
        ),
    )


def _period_bulk_accept(world):
    world.period(PeriodApproval.State.APPROVED, others=PeriodApproval.State.APPROVED)
    return Posted(
        _approvals(world),
        reverse("prevention:approval-bulk-accept"),
        _rows(PeriodApproval.objects.filter(month=world.month)),
        {"month": f"{world.month:%Y-%m}", "region": ""},
        form=_by_hand(approval_forms.PeriodBulkAcceptForm),
    )


def _feedback_moderate(world, *, htmx: bool = True):
    post = Unit.objects.filter(kind=Unit.Kind.POST, mahallas=world.mahalla).first()
    feedback = ResidentFeedback.objects.create(
        post=post, mahalla=world.mahalla, rating=4, comment="Inspektor tez yordam berdi"
    )
    return Posted(
        reverse("prevention:feedback-moderation"),
        reverse("prevention:feedback-moderate", args=[feedback.pk]),
        _rows(ResidentFeedback.objects.filter(pk=feedback.pk)),
        {"decision": "approve"},
        form=_by_hand(resident_forms.ModerationForm),
        headers={"HX-Request": "true"} if htmx else {},
        refused_with_message=not htmx,
    )


def _feedback_moderate_no_js(world):
    return _feedback_moderate(world, htmx=False)


def _organisation_verify(world):
    organisation = Organisation.objects.create(
        name="Yangi jamoat birlashmasi",
        kind=Organisation.Kind.choices[0][0],
        registration_number="HK-SEC-0002",
        territory=world.district,
        verification=Organisation.Verification.PENDING,
        applicant_name="Sinov Sinovov",
        applicant_email="ariza@example.uz",
    )
    return Posted(
        reverse("partnership:organisation-verification"),
        reverse("partnership:organisation-verify", args=[organisation.pk]),
        _rows(Organisation.objects.filter(pk=organisation.pk)),
        {"decision": "approve", "next": "queue"},
        form=_by_hand(organisation_forms.VerificationForm),
    )


def _staff_deactivate(world):
    membership = Membership.objects.get(user__username="ngo.staff", organisation=world.org)
    return Posted(
        reverse("partnership:staff-list", args=[world.org.pk]),
        reverse("partnership:staff-deactivate", args=[world.org.pk, membership.pk]),
        _rows(Membership.objects.filter(organisation=world.org)),
        form=_by_hand(organisation_forms.StaffActionForm),
    )


def _agreement_transition(world):
    agreement = world.agreement()
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.DRAFT)
    return Posted(
        reverse("partnership:agreement-detail", args=[agreement.pk]),
        reverse("partnership:agreement-transition", args=[agreement.pk]),
        _rows(Agreement.objects.filter(pk=agreement.pk)),
        {"status": Agreement.Status.PROPOSED},
        form=_by_hand(agreement_forms.TransitionForm),
    )


# --- Payments, reversals and social protection decisions --------------------------------------


def _yunusobod(model, state):
    found = model.objects.filter(state=state, commission__territory__code="1726266").first()
    return found or pytest.fail(f"the demo has no {state} {model.__name__} at Yunusobod")


def _nomination_pay(world):
    nomination = _yunusobod(Nomination, Nomination.State.APPROVED)
    return Posted(
        reverse("incentives:nomination-detail", args=[nomination.pk]),
        reverse("incentives:nomination-pay", args=[nomination.pk]),
        _rows(Nomination.objects.filter(pk=nomination.pk)),
        {"reference": "TT-1001"},
    )


def _nomination_reverse(world):
    nomination = _yunusobod(Nomination, Nomination.State.PAID)
    # A reversal changes the awards of the decision's month, which must still be open: this
    # month's is (the demo's decision may fall in a month already approved).
    Nomination.objects.filter(pk=nomination.pk).update(
        decision_date=world.today, paid_on=world.today
    )
    return Posted(
        reverse("incentives:nomination-detail", args=[nomination.pk]),
        reverse("incentives:nomination-reverse", args=[nomination.pk]),
        _rows(Nomination.objects.filter(pk=nomination.pk)),
        {"reason": "Toʻlov xato hisobga qoʻyilgan"},
    )


def _social_case_decide(world):
    case = _yunusobod(SocialProtectionCase, SocialProtectionCase.State.OPEN)
    return Posted(
        reverse("incentives:social-case-detail", args=[case.pk]),
        reverse("incentives:social-case-decide", args=[case.pk]),
        _rows(SocialProtectionCase.objects.filter(pk=case.pk)),
        {"decision": "reject", "reason": "Holat qaror talablariga mos emas"},
    )


def _social_case_pay(world):
    case = _yunusobod(SocialProtectionCase, SocialProtectionCase.State.OPEN)
    social_case_settle(
        case=case,
        by=User.objects.get(username="commission"),
        decision="support",
        support=SocialProtectionCase.Support.TREATMENT,
        amount=0,
        decision_number="IJ-7",
        decision_date=world.today,
        details="Davolanish haqi toʻlanadi",
    )
    return Posted(
        reverse("incentives:social-case-detail", args=[case.pk]),
        reverse("incentives:social-case-pay", args=[case.pk]),
        _rows(SocialProtectionCase.objects.filter(pk=case.pk)),
        {"reference": "TT-2002"},
    )


# --- Public reports -------------------------------------------------------------------------


def _report_verify(world):
    url = reverse("accountability:report-verify")
    # A digest of the right shape that matches no report: checking writes nothing.
    return Posted(url, url, _count(PublicReport), {"digest": "0" * 64})


def _report_run_start(world):
    url = reverse("accountability:report-run-list")
    return Posted(url, url, _rows(ReportRun.objects.all()))


# --- Boundary changes (the admin's pages) ---------------------------------------------------


def _boundary(world, name: str, mahallas: list[Territory], values=None, **options):
    ids = ",".join(str(mahalla.pk) for mahalla in mahallas)
    url = reverse(f"admin:mahalla_territory_{name}") + f"?ids={ids}"

    def state():
        changes = sorted(map(repr, BoundaryChange.objects.values()))
        return changes, _rows(Territory.objects.filter(parent=world.district))()

    return Posted(
        url, url, state, {"act_number": "PQ-101"} if values is None else values, **options
    )


def _mahalla_move(world):
    return _boundary(world, "move", world.mahallas(1))


def _mahalla_merge(world):
    return _boundary(world, "merge", world.mahallas(2))


def _split_parts() -> tuple[dict, Callable[[str], str]]:
    """The management form of the parts as the page renders it, and the names of the first."""
    formset = mahalla_forms.MahallaSplitPartFormSet(prefix="parts")
    management = {
        formset.management_form.add_prefix(name): value
        for name, value in formset.management_form.initial.items()
    }
    return management, formset.forms[0].add_prefix


def _mahalla_split(world):
    management, part = _split_parts()
    parts = {part("name_uz"): "Yangi hayot", part("population"): "1200"}
    return _boundary(world, "split", world.mahallas(1), data={**management, **parts})


def _mahalla_split_part(world):
    management, _part = _split_parts()
    act = {
        "effective_on": world.today.isoformat(),
        "act_number": "PQ-102",
        "act_date": world.today.isoformat(),
    }
    return _boundary(
        world,
        "split",
        world.mahallas(1),
        {"name_uz": "Yangi hayot", "population": "1200"},
        form=lambda page: next(
            form for form in _forms_in(page) if type(form) is mahalla_forms.MahallaSplitPartForm
        ),
        data={**management, **act},
    )


FORMS = [
    FormSpec("record-create", record_forms.PreventionRecordForm, "inspector", _record_create),
    FormSpec("record-edit", record_forms.PreventionRecordEditForm, "inspector", _record_edit),
    FormSpec("register-create", record_forms.RegisterEntryForm, "inspector", _register_create),
    FormSpec("register-edit", record_forms.RegisterEntryEditForm, "inspector", _register_edit),
    FormSpec("mahalla-contacts", structure_forms.MahallaContactForm, "officer.district", _contacts),
    FormSpec("meeting-create", resident_forms.MeetingScheduleForm, "inspector", _meeting_create),
    FormSpec("meeting-held", resident_forms.MeetingHeldForm, "inspector", _meeting_held),
    FormSpec("question-add", resident_forms.QuestionAddForm, "inspector", _question_add),
    FormSpec("question-update", resident_forms.QuestionUpdateForm, "inspector", _question_update),
    FormSpec("post-feedback", resident_forms.FeedbackForm, None, _feedback),
    FormSpec(
        "organisation-apply", organisation_forms.OrganisationApplyForm, None, _organisation_apply
    ),
    FormSpec(
        "organisation-edit",
        organisation_forms.OrganisationProfileForm,
        "ngo.admin",
        _organisation_edit,
    ),
    FormSpec("staff-invite", organisation_forms.StaffInviteForm, "ngo.admin", _staff_invite),
    FormSpec("agreement-create", agreement_forms.AgreementForm, "ngo.staff", _agreement_create),
    FormSpec("obligation-add", agreement_forms.ObligationForm, "ngo.staff", _obligation_add),
    FormSpec(
        "obligation-complete",
        agreement_forms.ObligationCompleteForm,
        "ngo.staff",
        _obligation_complete,
    ),
    FormSpec("activity-create", activity_forms.ActivityForm, "ngo.staff", _activity_create),
    FormSpec(
        "activity-edit",
        activity_forms.ActivityForm,
        "ngo.staff",
        _activity_edit,
        not_offered=("organisation",),
    ),
    FormSpec(
        "activity-review", activity_forms.ActivityReviewForm, "officer.district", _activity_review
    ),
    FormSpec("request-create", activity_forms.RequestForm, "officer.district", _request_create),
    FormSpec("request-answer", activity_forms.RequestAnswerForm, "ngo.staff", _request_answer),
    FormSpec("nomination-create", incentive_forms.NominationForm, "inspector", _nomination_create),
    FormSpec("nomination-comment", incentive_forms.CommentForm, "commission", _nomination_comment),
    FormSpec("nomination-decide", incentive_forms.DecisionForm, "commission", _nomination_decide),
    FormSpec(
        "social-case-create",
        incentive_forms.SocialCaseForm,
        "officer.district",
        _social_case_create,
    ),
    FormSpec(
        "period-submit",
        approval_forms.PeriodActionForm,
        "officer.district",
        _period_submit,
        writes=True,
    ),
    FormSpec(
        "period-reopen",
        approval_forms.PeriodReopenForm,
        "officer.district",
        _period_reopen,
        writes=True,
    ),
    FormSpec(
        "period-approve",
        approval_forms.PeriodActionForm,
        "officer.region",
        _period_approve,
        writes=True,
    ),
    FormSpec(
        "period-return",
        approval_forms.PeriodReturnForm,
        "officer.region",
        _period_return,
        writes=True,
    ),
    FormSpec(
        "period-accept",
        approval_forms.PeriodActionForm,
        "officer.republic",
        _period_accept,
        writes=True,
    ),
    FormSpec(
        "period-bulk-approve",
        approval_forms.PeriodBulkApproveForm,
        "officer.region",
        _period_bulk_approve,
        writes=True,
    ),
    FormSpec(
        "period-bulk-accept",
        approval_forms.PeriodBulkAcceptForm,
        "officer.republic",
        _period_bulk_accept,
        writes=True,
    ),
    FormSpec(
        "feedback-moderate",
        resident_forms.ModerationForm,
        "officer.district",
        _feedback_moderate,
        writes=True,
    ),
    FormSpec(
        "feedback-moderate-no-js",
        resident_forms.ModerationForm,
        "officer.district",
        _feedback_moderate_no_js,
        writes=True,
    ),
    FormSpec(
        "organisation-verify",
        organisation_forms.VerificationForm,
        "officer.district",
        _organisation_verify,
        writes=True,
    ),
    FormSpec(
        "staff-deactivate",
        organisation_forms.StaffActionForm,
        "ngo.admin",
        _staff_deactivate,
        writes=True,
    ),
    FormSpec(
        "agreement-transition",
        agreement_forms.TransitionForm,
        "ngo.staff",
        _agreement_transition,
        writes=True,
    ),
    FormSpec(
        "nomination-pay", incentive_forms.PaymentForm, "commission", _nomination_pay, writes=True
    ),
    FormSpec(
        "nomination-reverse",
        incentive_forms.ReasonForm,
        "commission",
        _nomination_reverse,
        writes=True,
    ),
    FormSpec(
        "social-case-decide",
        incentive_forms.SocialDecisionForm,
        "commission",
        _social_case_decide,
        writes=True,
    ),
    FormSpec(
        "social-case-pay", incentive_forms.PaymentForm, "commission", _social_case_pay, writes=True
    ),
    FormSpec("report-run-start", RunStartForm, "admin", _report_run_start, writes=True),
    FormSpec("mahalla-move", mahalla_forms.MahallaMoveForm, "admin", _mahalla_move, writes=True),
    FormSpec(
        "mahalla-merge", mahalla_forms.MahallasMergeForm, "admin", _mahalla_merge, writes=True
    ),
    FormSpec("mahalla-split", mahalla_forms.BoundaryActForm, "admin", _mahalla_split, writes=True),
    FormSpec(
        "mahalla-split-part",
        mahalla_forms.MahallaSplitPartForm,
        "admin",
        _mahalla_split_part,
        writes=True,
    ),
    FormSpec("report-verify", VerifyForm, None, _report_verify),
]


def _cases():
    """(form, field, value name, value) for every field of every form; None: left out."""
    for spec in FORMS:
        for name, form_field in spec.form_class.base_fields.items():
            kind = _kind(form_field)
            if kind is None or name in spec.not_offered:
                continue
            if form_field.required:
                yield pytest.param(spec, name, None, id=f"{spec.name}:{name}:missing")
            if kind == "text" and form_field.max_length:
                overlong = "a" * (form_field.max_length + 1)
                yield pytest.param(spec, name, overlong, id=f"{spec.name}:{name}:overlong")
            for label, value in VALUES[kind].items():
                yield pytest.param(spec, name, value, id=f"{spec.name}:{name}:{label}")


CASES = list(_cases())


# --- Posting --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The public forms are rate-limited per address: every post here comes from one.
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def world(db) -> World:
    return World()


def _client(role: str | None) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    if role is not None:
        client.force_login(User.objects.get(username=role))
    return client


def _context_values(response):
    """Every value of the contexts the response was rendered with, lists and tuples opened."""
    contexts = response.context
    if contexts is None:
        return
    if isinstance(contexts, Context):
        contexts = [contexts]
    for context in contexts:
        for layer in context.dicts:
            for value in layer.values():
                yield from value if isinstance(value, list | tuple) else [value]


def _forms_in(response):
    """Every form in the contexts the response was rendered with: a formset's rows and a
    filter set's form too."""
    for item in _context_values(response):
        if isinstance(item, forms.BaseForm):
            yield item
        elif isinstance(item, BaseFormSet):
            yield from item.forms
        elif isinstance(item, django_filters.FilterSet):
            yield item.form


def _form_of(response, spec: FormSpec) -> forms.BaseForm:
    found = [form for form in _forms_in(response) if type(form) is spec.form_class]
    assert found, f"{spec.name}: no {spec.form_class.__name__} on the page"
    return found[-1]


def _choices(form_field) -> list[str]:
    values = []
    for value, label in form_field.choices:
        if isinstance(label, list | tuple):  # an <optgroup>
            values += [str(inner) for inner, _label in label if str(inner)]
        elif str(value):
            values.append(str(value))
    return values


def _valid_value(form, name: str, form_field: forms.Field):
    initial = form.get_initial_for_field(form_field, name)
    if _multiple(form_field):
        return _choices(form_field)[:1] if form_field.required else []
    if isinstance(form_field, forms.ChoiceField | forms.ModelChoiceField):
        if initial not in (None, ""):
            return str(form_field.prepare_value(initial))
        choices = _choices(form_field)
        return choices[0] if choices and form_field.required else ""
    if isinstance(form_field, forms.DateField):
        # As the widget writes it: a month field's is "2026-05".
        shown = getattr(form_field.widget, "format", None) or "%Y-%m-%d"
        if initial:
            return initial.strftime(shown)
        return timezone.localdate().strftime(shown) if form_field.required else ""
    if isinstance(form_field, forms.IntegerField):
        return str(initial if initial is not None else max(form_field.min_value or 0, 1))
    if isinstance(form_field, forms.EmailField):
        return initial or "sinov@example.uz"
    if isinstance(form_field, forms.URLField):
        return initial or ""
    if isinstance(form_field, forms.CharField):
        # A field of its own kind (a period, say) writes its initial value its own way.
        shown = form_field.prepare_value(initial) if initial else None
        return shown or ("Oddiy matn" if form_field.required else "")
    return None


def _payload(spec: FormSpec, world: World) -> tuple[Client, Posted, forms.BaseForm, dict]:
    client = _client(spec.role)
    posted = spec.setup(world)
    page = client.get(posted.page)
    assert page.status_code == 200, f"{spec.name}: {posted.page} answers {page.status_code}"
    if posted.form is None:
        form = _form_of(page, spec)
    else:
        form = posted.form(page)
        assert type(form) is spec.form_class, f"{spec.name}: {type(form).__name__}"
        if not any(form is shown for shown in _forms_in(page)):
            # Written out by hand: the page must still show a form posted there.
            assert f'action="{posted.post}"' in page.content.decode(), (
                f"{spec.name}: {posted.page} shows no form posting to {posted.post}"
            )
    data = dict(posted.data)
    for name, form_field in form.fields.items():
        if isinstance(form_field, forms.FileField | forms.BooleanField):
            continue
        data[form.add_prefix(name)] = _valid_value(form, name, form_field)
    data.update({form.add_prefix(name): value for name, value in posted.values.items()})
    return client, posted, form, data


def _post(client, posted: Posted, data: dict):
    files = {name: make() for name, make in posted.files.items()}
    return client.post(posted.post, {**data, **files}, headers=posted.headers)


def _error_messages(response) -> list[str]:
    return [
        str(message)
        for message in get_messages(response.wsgi_request)
        if message.level == messages.ERROR
    ]


@pytest.mark.parametrize("spec", FORMS, ids=[spec.name for spec in FORMS])
def test_the_valid_payload_is_accepted(spec, world):
    """The table's payloads are right: a refusal in the tests below is that of the bad value."""
    client, posted, _form, data = _payload(spec, world)
    before = posted.state()
    response = _post(client, posted, data)
    errors = {
        name: list(errors)
        for form in _forms_in(response)
        if form.is_bound
        for name, errors in form.errors.items()
    }
    assert response.status_code in (200, 204, 302), (response.status_code, errors)
    assert not errors
    assert not _error_messages(response)
    if spec.writes or spec.name.endswith(
        ("-create", "-add", "-apply", "-invite", "-comment", "feedback")
    ):
        assert posted.state() != before, "nothing was saved"


@pytest.mark.parametrize(("spec", "name", "value"), CASES)
def test_a_bad_value_is_refused_and_nothing_is_saved(spec, name, value, world):
    client, posted, form, data = _payload(spec, world)
    key = form.add_prefix(name)
    assert key in data, f"{spec.name}: the page does not offer {name}"
    if value is None:
        del data[key]
    elif _multiple(form.fields[name]):
        data[key] = [value]
    else:
        data[key] = value
    before = posted.state()

    response = _post(client, posted, data)

    field_errors = [
        form.errors[name] for form in _forms_in(response) if form.is_bound and name in form.errors
    ]
    refused = 400 <= response.status_code < 500 or (response.status_code == 200 and field_errors)
    if posted.refused_with_message and response.status_code == 302:
        refused = bool(_error_messages(response))
    assert refused, (response.status_code, field_errors, _error_messages(response))
    assert posted.state() == before, "the refused post changed the database"


def test_the_markup_refusal_names_the_problem():
    with pytest.raises(forms.ValidationError) as markup:
        validate_plain_text("Salom <b>dunyo</b>")
    with pytest.raises(forms.ValidationError) as bidi:
        validate_plain_text("fayl\u202efdp.exe")
    assert markup.value.code == "markup" and "markup" in str(markup.value.messages[0])
    assert bidi.value.code == "bidi_control"
    assert "text-direction" in bidi.value.messages[0]


@pytest.mark.parametrize(
    "text",
    ["a < b", "5<6", "<3", "x <= y", "«qoʻshtirnoq»", "Oʻzbekiston", "O'zbekiston", "> iqtibos"],
)
def test_ordinary_text_with_angle_brackets_is_accepted(text):
    validate_plain_text(text)


def test_an_sql_fragment_in_free_text_is_stored_verbatim_and_shown_escaped(world):
    # given
    spec = next(spec for spec in FORMS if spec.name == "activity-create")
    client, posted, _form, data = _payload(spec, world)
    data["description"] = SQL
    data["outcome"] = "O'zbek tili & \"qo'shtirnoq\" > belgi"
    # when
    response = _post(client, posted, data)
    # then
    assert response.status_code == 302
    activity = JointActivity.objects.latest("pk")
    assert activity.description == SQL
    page = client.get(reverse("partnership:activity-detail", args=[activity.pk])).content.decode()
    assert "&#x27;; DROP TABLE partnership_organisation; --" in page
    assert "O&#x27;zbek tili &amp; &quot;qo&#x27;shtirnoq&quot; &gt; belgi" in page


@pytest.mark.parametrize(
    ("url_of", "role"),
    [
        (lambda pk: reverse("partnership:activity-detail", args=[pk]), "ngo.staff"),
        (lambda pk: reverse("partnership:activity-edit", args=[pk]), "ngo.staff"),
    ],
    ids=["detail", "edit"],
)
def test_markup_stored_before_the_check_is_shown_escaped(url_of, role, world):
    # given: a row written straight to the database, as before text was checked
    activity = world.activity()
    JointActivity.objects.filter(pk=activity.pk).update(description=SCRIPT, outcome=SCRIPT)
    # when
    page = _client(role).get(url_of(activity.pk)).content.decode()
    # then
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_markup_stored_before_is_shown_escaped_on_other_detail_pages(world):
    meeting = _meeting(world)
    AccountabilityMeeting.objects.filter(pk=meeting.pk).update(topics=SCRIPT)
    question = MeetingQuestion.objects.create(
        meeting=meeting, text=SCRIPT, due_date=world.today + timedelta(days=3)
    )
    Organisation.objects.filter(pk=world.org.pk).update(name=SCRIPT, address=SCRIPT)
    pages = {
        "meeting": _client("inspector").get(
            reverse("prevention:meeting-detail", args=[meeting.pk])
        ),
        "organisation": _client("officer.district").get(
            reverse("partnership:organisation-detail", args=[world.org.pk])
        ),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        page = response.content.decode()
        assert SCRIPT not in page, name
        assert "&lt;script&gt;" in page, name
    assert question.pk


# --- Forms read from the query string (filters, choosers): bad values never make a 500 ------

GET_FORMS = [
    ("prevention:performance", "inspector", ["inspector", "territory", "date_from", "date_to"]),
    ("prevention:record-list", "inspector", ["mahalla", "kind", "date_from", "date_to"]),
    ("prevention:approval-list", "officer.region", ["month", "region"]),
    ("partnership:activity-list", "ngo.staff", ["status", "kind", "district", "date_from"]),
    ("partnership:agreement-list", "officer.district", ["q", "status", "organisation"]),
    ("partnership:organisation-list", "officer.district", ["q", "kind", "district"]),
    ("partnership:public-registry", None, ["q", "region", "district", "area"]),
    ("incentives:fund-report", "commission", ["year", "period", "level"]),
    ("accountability:dashboard", "council", ["node", "indicator", "kind", "period"]),
    ("accountability:report-archive", None, ["level", "region", "kind", "period"]),
]
GET_VALUES = {
    "sql": SQL,
    "10**40": str(10**40),
    "1e308": "1e308",
    "negative": "-1",
    "nan": "NaN",
    "script": SCRIPT,
    "rlo": "\u202e",
}


@pytest.mark.parametrize(
    ("url_name", "role", "name", "value"),
    [
        pytest.param(url_name, role, name, value, id=f"{url_name}:{name}:{label}")
        for url_name, role, names in GET_FORMS
        for name in names
        for label, value in GET_VALUES.items()
    ],
)
def test_a_bad_query_string_value_is_a_form_error_never_a_500(url_name, role, name, value):
    response = _client(role).get(reverse(url_name), {name: value})
    assert response.status_code < 500
    assert SCRIPT.encode() not in response.content


# --- Filter forms field by field: a bad value is the form's error, never a 500 -------------

# The page, who opens it, the form or filter set it reads from the query string, and the rest
# of a query the page answers with 200 (the first test below).
QUERY_FORMS = [
    ("prevention:performance", "inspector", resident_forms.PerformanceForm, {}),
    ("prevention:approval-list", "officer.republic", approval_forms.ApprovalPageForm, {}),
    ("accountability:dashboard", "council", DashboardForm, {}),
    ("accountability:dashboard-csv", "council", DashboardCsvForm, {"table": "indicators"}),
    ("accountability:report-archive", None, ArchiveFilterForm, {}),
    ("incentives:fund-report", "commission", ReportFilterForm, {}),
    # Filter sets whose form is partnership's FilterForm.
    ("partnership:activity-list", "ngo.staff", activity_forms.ActivityFilter, {}),
    ("partnership:request-list", "officer.district", activity_forms.RequestFilter, {}),
    ("incentives:nomination-list", "commission", NominationFilter, {}),
    ("incentives:social-case-list", "commission", SocialCaseFilter, {}),
    ("incentives:award-register", None, AwardRegisterFilter, {}),
    # Filter sets with Django's own form and no free text.
    ("prevention:record-list", "inspector", PreventionRecordFilter, {}),
    ("prevention:register-list", "inspector", RegisterEntryFilter, {}),
    ("prevention:meeting-list", "inspector", MeetingFilter, {}),
]


def _query_fields(source):
    """(name, field class, maximum length) of each field a form or a filter set reads."""
    if issubclass(source, django_filters.FilterSet):
        for name, found in source.base_filters.items():
            yield name, found.field_class, found.extra.get("max_length")
    else:
        for name, form_field in source.base_fields.items():
            yield name, type(form_field), getattr(form_field, "max_length", None)


def _query_form(response, source) -> forms.BaseForm | None:
    for item in _context_values(response):
        if issubclass(source, django_filters.FilterSet) and isinstance(item, source):
            return item.form
        if type(item) is source:
            return item
    return None


def _query_cases():
    for url_name, role, source, query in QUERY_FORMS:
        for name, field_class, max_length in _query_fields(source):
            kind = _kind_of(field_class)
            if kind is None:
                continue
            values = dict(VALUES[kind])
            if kind == "text" and max_length:
                values["overlong"] = "a" * (max_length + 1)
            for label, value in values.items():
                yield pytest.param(
                    url_name,
                    role,
                    source,
                    {**query, name: value},
                    name,
                    id=f"{url_name}:{name}:{label}",
                )


@pytest.mark.parametrize(
    ("url_name", "role", "source", "query"),
    QUERY_FORMS,
    ids=[row[0] for row in QUERY_FORMS],
)
def test_the_filter_pages_answer_their_plain_query(url_name, role, source, query):
    """A 400 below is that of the bad value."""
    response = _client(role).get(reverse(url_name), query)
    assert response.status_code == 200
    if not url_name.endswith("-csv"):
        assert _query_form(response, source) is not None, f"no {source.__name__} on the page"


@pytest.mark.parametrize(("url_name", "role", "source", "query", "name"), list(_query_cases()))
def test_a_bad_filter_value_is_the_forms_error_never_a_500(url_name, role, source, query, name):
    response = _client(role).get(reverse(url_name), query)

    form = _query_form(response, source)
    errors = form.errors.get(name) if form is not None and form.is_bound else None
    assert response.status_code == 400 or (response.status_code == 200 and errors), (
        response.status_code,
        errors,
    )
    if "<" not in query[name]:
        return
    if response["Content-Type"].startswith("text/html"):
        assert query[name].encode() not in response.content
    else:
        # A CSV's refusal is plain text naming the value; the browser must not read it as a page.
        assert response["X-Content-Type-Options"] == "nosniff"


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def test_every_form_of_the_portal_refuses_markup():
    # Every form module is imported by the views the URLs name.
    import config.urls  # noqa: F401

    portal_apps = ("core.", "mahalla.", "accounts.", "prevention.", "partnership.")
    portal_apps += ("incentives.", "accountability.")
    portal_forms = {
        form for form in _subclasses(forms.BaseForm) if form.__module__.startswith(portal_apps)
    }
    assert len(portal_forms) >= 40
    without = {
        f"{form.__module__}.{form.__qualname__}"
        for form in portal_forms
        if not issubclass(form, PlainTextFormMixin) and not form.__name__.startswith("_")
    }  # a name with "_" is a mixin of fields, checked in the forms made with it
    # A sign-in form's values are compared with an account's, never stored or shown.
    assert without == {"accounts.admin_site.PortalAdminAuthenticationForm"}
