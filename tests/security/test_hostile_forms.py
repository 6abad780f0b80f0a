"""Every form of the portal posted with bad values: each required field left out, each text
too long, each typed field given the wrong type, and hostile values (markup, SQL fragments,
null bytes, text-direction controls, huge numbers).

The table below names each form's page, who may post it and what its rows are. The valid
payload is read off the form the page renders (its initial values and first choices), with a
few values set by the table; a sanity test proves it is accepted, so that every refusal
below is the refusal of the one bad value. A refusal is a 4xx, or the page again with an error
on that field; nothing is saved, and nothing is ever a 500.
"""

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.context import Context
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from core.text import validate_plain_text
from incentives import forms as incentive_forms
from incentives.models import IncentiveGround, Nomination, NominationComment, SocialProtectionCase
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
from prevention.forms import records as record_forms
from prevention.forms import residents as resident_forms
from prevention.forms import structure as structure_forms
from prevention.models import (
    AccountabilityMeeting,
    MahallaContact,
    MeetingQuestion,
    PreventionRecord,
    RegisterEntry,
    ResidentFeedback,
    Unit,
)
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
    if isinstance(form_field, forms.FileField | forms.BooleanField):
        return None  # files: tests/security/test_uploads.py; a checkbox has no bad value
    if isinstance(form_field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        return "number"
    if isinstance(form_field, forms.DateField):
        return "date"
    if isinstance(form_field, forms.ChoiceField | forms.ModelChoiceField):
        return "choice"
    if isinstance(form_field, forms.CharField):
        return "text"
    raise AssertionError(f"no bad values for {type(form_field).__name__}")


# --- The table of forms ---------------------------------------------------------------------


@dataclass
class Posted:
    """What one form needs: where it is shown and posted, by whom, and what it writes."""

    page: str  # the page showing the form (GET)
    post: str  # where it is posted
    state: Callable[[], object]  # rows it writes; equal before and after a refused post
    values: dict = field(default_factory=dict)  # payload values the page cannot supply
    files: dict = field(default_factory=dict)  # files sent with every post


@dataclass(frozen=True)
class FormSpec:
    name: str
    form_class: type[forms.Form]
    role: str | None  # demo user name; None: the public
    setup: Callable[["World"], Posted]
    # Fields the role is not offered (removed or replaced by the form for it).
    not_offered: tuple[str, ...] = ()


class World:
    """The demo objects the forms act on, found once per test."""

    def __init__(self):
        self.today = timezone.localdate()
        self.inspector = User.objects.get(username="inspector")
        self.mahalla = self.inspector.memberships.get(role=Role.INSPECTOR).territory
        self.org = User.objects.get(username="ngo.staff").memberships.get().organisation

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
            values = {
                "text": TEXT_VALUES,
                "number": NUMBER_VALUES,
                "date": DATE_VALUES,
                "choice": CHOICE_VALUES,
            }[kind]
            for label, value in values.items():
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


def _forms_in(response):
    """Every form in the contexts the response was rendered with."""
    contexts = response.context
    if contexts is None:
        return
    if isinstance(contexts, Context):
        contexts = [contexts]
    for context in contexts:
        for layer in context.dicts:
            for value in layer.values():
                items = value if isinstance(value, list | tuple) else [value]
                for item in items:
                    if isinstance(item, forms.BaseForm):
                        yield item


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
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return _choices(form_field)[:1] if form_field.required else []
    if isinstance(form_field, forms.ChoiceField | forms.ModelChoiceField):
        if initial not in (None, ""):
            return str(form_field.prepare_value(initial))
        choices = _choices(form_field)
        return choices[0] if choices and form_field.required else ""
    if isinstance(form_field, forms.DateField):
        if initial:
            return initial.isoformat()
        return timezone.localdate().isoformat() if form_field.required else ""
    if isinstance(form_field, forms.IntegerField):
        return str(initial if initial is not None else max(form_field.min_value or 0, 1))
    if isinstance(form_field, forms.EmailField):
        return initial or "sinov@example.uz"
    if isinstance(form_field, forms.URLField):
        return initial or ""
    if isinstance(form_field, forms.CharField):
        return initial or ("Oddiy matn" if form_field.required else "")
    return None


def _payload(spec: FormSpec, world: World) -> tuple[Client, Posted, forms.BaseForm, dict]:
    client = _client(spec.role)
    posted = spec.setup(world)
    page = client.get(posted.page)
    assert page.status_code == 200, f"{spec.name}: {posted.page} answers {page.status_code}"
    form = _form_of(page, spec)
    data = {}
    for name, form_field in form.fields.items():
        if isinstance(form_field, forms.FileField | forms.BooleanField):
            continue
        data[form.add_prefix(name)] = _valid_value(form, name, form_field)
    data.update({form.add_prefix(name): value for name, value in posted.values.items()})
    return client, posted, form, data


def _post(client, posted: Posted, data: dict):
    files = {name: make() for name, make in posted.files.items()}
    return client.post(posted.post, {**data, **files})


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
    if spec.name.endswith(("-create", "-add", "-apply", "-invite", "-comment", "feedback")):
        assert posted.state() != before, "nothing was saved"


@pytest.mark.parametrize(("spec", "name", "value"), CASES)
def test_a_bad_value_is_refused_and_nothing_is_saved(spec, name, value, world):
    client, posted, form, data = _payload(spec, world)
    key = form.add_prefix(name)
    assert key in data, f"{spec.name}: the page does not offer {name}"
    if value is None:
        del data[key]
    elif isinstance(form.fields[name], forms.ModelMultipleChoiceField):
        data[key] = [value]
    else:
        data[key] = value
    before = posted.state()

    response = _post(client, posted, data)

    field_errors = [
        form.errors[name] for form in _forms_in(response) if form.is_bound and name in form.errors
    ]
    assert 400 <= response.status_code < 500 or (response.status_code == 200 and field_errors), (
        response.status_code,
        field_errors,
    )
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
