from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.i18n import localized
from core.models import BaseModel, NamedReference


class Unit(BaseModel):
    """A unit of the MIA crime-prevention structure, mirroring the territory tree.

    The republic's service sits at the country node, a regional department at a first-level
    unit, a district department at a district, and a mahalla law-and-order post in a district
    serving one or more mahallas. Vertical subordination follows the territory: a unit's
    officers see the subtree of its territory.
    """

    class Kind(models.TextChoices):
        REPUBLIC = "republic", _("Crime Prevention Service (republic)")
        REGION = "region", _("Regional prevention unit")
        DISTRICT = "district", _("District (city) department")
        POST = "post", _("Mahalla law-and-order post")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=24, unique=True)
    name_uz = models.CharField(_("name (Uzbek, Latin)"), max_length=255)
    name_uz_cyrl = models.CharField(_("name (Uzbek, Cyrillic)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    territory = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="prevention_units",
        help_text=_("For a post: the district it belongs to."),
    )
    mahallas = models.ManyToManyField(
        "mahalla.Territory",
        verbose_name=_("mahallas served"),
        blank=True,
        related_name="posts",
        limit_choices_to={"kind": "mahalla"},
    )
    # Public identifier of a post in its feedback address and QR code; not guessable.
    public_key = models.CharField(max_length=24, unique=True, null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[mahallas])

    class Meta:
        verbose_name = _("prevention unit")
        verbose_name_plural = _("prevention units")
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "territory"], name="unit_kind_territory")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="republic", parent__isnull=True)
                | (~Q(kind="republic") & Q(parent__isnull=False)),
                name="unit_only_the_republic_service_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class InspectorGrade(NamedReference):
    history = HistoricalRecords()

    class Meta(NamedReference.Meta):
        verbose_name = _("inspector grade")
        verbose_name_plural = _("inspector grades")


class Inspector(BaseModel):
    """A prevention inspector. The mahallas assigned to them, with their history, are the
    user's `inspector` memberships (accounts.Membership): one record of who covers what."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="inspector",
    )
    grade = models.ForeignKey(
        InspectorGrade, verbose_name=_("grade"), on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        Unit,
        verbose_name=_("law-and-order post"),
        on_delete=models.PROTECT,
        related_name="inspectors",
        limit_choices_to={"kind": Unit.Kind.POST},
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")
        ordering = ["post", "user__last_name"]

    def __str__(self) -> str:
        return str(self.user)


class MahallaContact(BaseModel):
    """A member of the mahalla "seven", kept by the district unit."""

    class Position(models.TextChoices):
        CHAIRMAN = "chairman", _("Mahalla chairman")
        PREVENTION_INSPECTOR = "prevention_inspector", _("Prevention inspector")
        HOKIM_ASSISTANT = "hokim_assistant", _("Hokim's assistant")
        WOMENS_ACTIVIST = "womens_activist", _("Women's activist")
        YOUTH_LEADER = "youth_leader", _("Youth leader")
        SOCIAL_WORKER = "social_worker", _("Social worker")
        TAX_INSPECTOR = "tax_inspector", _("Tax inspector")

    mahalla = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("mahalla"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    position = models.CharField(_("position"), max_length=24, choices=Position.choices)
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mahalla contact")
        verbose_name_plural = _("mahalla contacts")
        ordering = ["mahalla", "position"]
        constraints = [
            models.UniqueConstraint(fields=["mahalla", "position"], name="contact_one_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.get_position_display()}: {self.full_name}"


class RegisterCategory(NamedReference):
    history = HistoricalRecords()

    class Meta(NamedReference.Meta):
        verbose_name = _("register category")
        verbose_name_plural = _("register categories")


class RegisterEntry(BaseModel):
    """A person on the prevention register. Personal data: see prevention.permissions."""

    mahalla = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("mahalla"),
        on_delete=models.PROTECT,
        related_name="register_entries",
    )
    inspector = models.ForeignKey(
        Inspector, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    birth_date = models.DateField(_("date of birth"))
    address = models.CharField(_("address"), max_length=300)
    document_number = models.CharField(_("identity document number"), max_length=30)
    category = models.ForeignKey(
        RegisterCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    grounds = models.TextField(_("grounds"), max_length=2000)
    registered_on = models.DateField(_("registered on"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_reason = models.TextField(_("removal reason"), max_length=2000, blank=True)
    rehabilitation_support = models.TextField(
        _("rehabilitation support given"), max_length=2000, blank=True
    )
    rehabilitation_partner = models.ForeignKey(
        "partnership.Organisation",
        verbose_name=_("rehabilitation partner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        ordering = ["-registered_on", "-id"]
        indexes = [
            models.Index(fields=["mahalla", "registered_on"], name="register_mahalla_date"),
            models.Index(fields=["category", "registered_on"], name="register_category_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=F("registered_on")),
                name="register_removal_not_before_registration",
                violation_error_message=_("Removal cannot be dated before registration."),
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | ~Q(removal_reason=""),
                name="register_removal_has_a_reason",
                violation_error_message=_("A removal needs its reason."),
            ),
            models.CheckConstraint(
                condition=Q(registered_on__gt=F("birth_date")),
                name="register_after_birth",
                violation_error_message=_("Registration must come after the date of birth."),
            ),
        ]

    def __str__(self) -> str:
        # No personal data in the string form: it ends up in logs and admin history.
        return f"#{self.pk}"


class PreventionRecord(BaseModel):
    """One preventive measure taken by an inspector in a mahalla."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("General prevention")
        SPECIAL = "special", _("Special prevention")
        INDIVIDUAL = "individual", _("Individual prevention")
        VICTIMOLOGICAL = "victimological", _("Victimological prevention")

    class Measure(models.TextChoices):
        PREVENTIVE_TALK = "preventive_talk", _("Preventive talk")
        OFFICIAL_WARNING = "official_warning", _("Official warning")
        SOCIAL_REHABILITATION = "social_rehabilitation", _("Social rehabilitation")
        REGISTER_PLACEMENT = "register_placement", _("Placing on the prevention register")
        TREATMENT_REFERRAL = "treatment_referral", _("Referral for compulsory treatment")
        ADMINISTRATIVE_SUPERVISION = "administrative_supervision", _("Administrative supervision")
        LEGAL_EDUCATION = "legal_education", _("Legal-education event")
        SOCIAL_PREVENTION = (
            "social_prevention",
            _("Social prevention help (legal, social, psychological, medical, pedagogical)"),
        )
        VICTIM_PROTECTION = "victim_protection", _("Protection of potential victims")
        OTHER = "other", _("Other measure")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    measure = models.CharField(_("measure"), max_length=32, choices=Measure.choices)
    mahalla = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("mahalla"),
        on_delete=models.PROTECT,
        related_name="prevention_records",
    )
    date = models.DateField(_("date"))
    inspector = models.ForeignKey(
        Inspector, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="records"
    )
    summary = models.TextField(_("summary"), max_length=4000)
    people_reached = models.PositiveIntegerField(
        _("people reached"), default=1, validators=[MaxValueValidator(100_000)]
    )
    partner_organisation = models.ForeignKey(
        "partnership.Organisation",
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    register_entry = models.ForeignKey(
        RegisterEntry,
        verbose_name=_("register entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prevention record")
        verbose_name_plural = _("prevention records")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["mahalla", "date", "id"], name="record_mahalla_date"),
            models.Index(fields=["inspector", "date", "id"], name="record_inspector_date"),
            models.Index(fields=["kind", "date", "id"], name="record_kind_date"),
            models.Index(fields=["measure", "date", "id"], name="record_measure_date"),
            models.Index(fields=["date", "id"], name="record_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} · {self.date}"


class AccountabilityMeeting(BaseModel):
    """An inspector's report to the residents of a mahalla (PQ-2896)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    inspector = models.ForeignKey(
        Inspector, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="meetings"
    )
    mahalla = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("mahalla"),
        on_delete=models.PROTECT,
        related_name="accountability_meetings",
    )
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED
    )
    attendance = models.PositiveIntegerField(
        _("residents attending"), null=True, blank=True, validators=[MaxValueValidator(100_000)]
    )
    topics = models.TextField(_("topics"), max_length=4000, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("accountability meeting")
        verbose_name_plural = _("accountability meetings")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["mahalla", "date"], name="meeting_mahalla_date"),
            models.Index(fields=["inspector", "date"], name="meeting_inspector_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="held") | Q(attendance__isnull=False),
                name="meeting_held_has_attendance",
                violation_error_message=_("A held meeting needs its attendance."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mahalla_id} · {self.date}"


class MeetingQuestion(BaseModel):
    """A question residents raised at a meeting, and its follow-up."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    meeting = models.ForeignKey(
        AccountabilityMeeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    text = models.TextField(_("question"), max_length=2000)
    follow_up = models.TextField(_("follow-up"), max_length=2000, blank=True)
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question raised")
        verbose_name_plural = _("questions raised")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["state", "due_date"], name="question_state_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="done") | Q(done_on__isnull=False),
                name="question_done_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ResidentFeedback(models.Model):
    """An anonymous rating of a law-and-order post by a resident. No personal data is kept:
    not the name, not the address of the client."""

    class Moderation(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        APPROVED = "approved", _("Published")
        REJECTED = "rejected", _("Rejected")

    post = models.ForeignKey(
        Unit, verbose_name=_("post"), on_delete=models.CASCADE, related_name="feedback"
    )
    mahalla = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("mahalla"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    moderation = models.CharField(
        _("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.PENDING
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("left at"), auto_now_add=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resident feedback")
        verbose_name_plural = _("resident feedback")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["post", "created_at"], name="feedback_post_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post_id}: {self.rating}"


class PeriodApproval(BaseModel):
    """A district's month of data (prevention records, confirmed joint activities, meetings,
    awards) on its way up: open → submitted by the district unit → approved by the region
    unit → accepted by the republic service. Absent means open. Every change of state is kept
    in the history, with the message or reason that came with it."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        ACCEPTED = "accepted", _("Accepted")

    # The states whose figures are published (DESIGN.md §6): approved by the region at least.
    FINAL_STATES = frozenset({State.APPROVED, State.ACCEPTED})

    district = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("district or city"),
        on_delete=models.PROTECT,
        related_name="period_approvals",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    # What the level above said when it returned the period, or why it was reopened: the
    # lower level reads it on its approvals page.
    message = models.TextField(_("message"), max_length=2000, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("period approval")
        verbose_name_plural = _("period approvals")
        ordering = ["-month", "district__path"]
        constraints = [
            models.UniqueConstraint(fields=["district", "month"], name="period_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="period_month_first_day"),
        ]
        indexes = [models.Index(fields=["month", "state"], name="period_month_state")]

    def __str__(self) -> str:
        return f"{self.district_id} {self.month:%Y-%m} {self.state}"

    @property
    def is_locked(self) -> bool:
        return self.state != self.State.OPEN
