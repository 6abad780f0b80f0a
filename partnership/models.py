import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import BaseModel, NamedReference
from core.uploads import ALLOWED_EXTENSIONS, ALLOWED_TYPES


def upload_path(instance, filename: str) -> str:
    """A generated name, never the uploader's: no guessing, no clashes, no path tricks.

    The extension is that of the content checked at upload: a StoredFile's content_type, or
    for an obligation's evidence, stored without one, the name the service gave it after the
    check (core.uploads.upload_name). Any other extension is dropped, so nothing on disk is
    ever named .html, .svg or .exe.
    """
    suffix = ALLOWED_TYPES.get(getattr(instance, "content_type", ""), "")
    if not suffix:
        given = PurePath(filename).suffix.lower()
        suffix = given if given in ALLOWED_EXTENSIONS else ""
    return f"partnership/{type(instance).__name__.lower()}/{uuid.uuid4().hex}{suffix}"


class StoredFile(BaseModel):
    """An uploaded file checked by core.uploads: its real content type, its size, who gave it."""

    file = models.FileField(_("file"), upload_to=upload_path)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.file.name


class PartnershipArea(NamedReference):
    """An area of social partnership (Law ZRU-376, art. 8), a reference list."""

    history = HistoricalRecords()

    class Meta(NamedReference.Meta):
        verbose_name = _("area of partnership")
        verbose_name_plural = _("areas of partnership")


class Organisation(BaseModel):
    """A civil society institution registered on the portal; NGO staff act for one."""

    class Kind(models.TextChoices):
        NGO = "ngo", _("Non-governmental non-profit organisation")
        MAHALLA_ASSEMBLY = "mahalla_assembly", _("Mahalla citizens' assembly")
        RELIGIOUS = "religious", _("Religious organisation")
        MEDIA = "media", _("Mass media")
        YOUTH_UNION = "youth_union", _("Youth union")
        WOMENS_COMMITTEE = "womens_committee", _("Women's committee")
        TRADE_UNION = "trade_union", _("Trade union")
        OTHER = "other", _("Other")

    class Verification(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices)
    registration_number = models.CharField(_("registration number"), max_length=50, unique=True)
    territory = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    areas = models.ManyToManyField(
        PartnershipArea, verbose_name=_("areas of activity"), blank=True, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=10,
        choices=Verification.choices,
        default=Verification.PENDING,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Who applied through the public form; becomes the organisation's administrator.
    applicant_name = models.CharField(_("applicant's name"), max_length=200, blank=True)
    applicant_email = models.EmailField(_("applicant's e-mail"), blank=True)

    history = HistoricalRecords(m2m_fields=[areas])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["territory", "kind"], name="organisation_territory_kind"),
            models.Index(fields=["verification", "created_at"], name="organisation_verification"),
        ]

    def __str__(self) -> str:
        return self.name


class Agreement(BaseModel):
    """A memorandum of cooperation between organisations and an MIA unit."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    number = models.CharField(_("number"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=300)
    unit = models.ForeignKey(
        "prevention.Unit",
        verbose_name=_("MIA unit"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("organisations"), related_name="agreements"
    )
    areas = models.ManyToManyField(
        PartnershipArea, verbose_name=_("areas"), blank=True, related_name="+"
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_public = models.BooleanField(_("public"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(m2m_fields=[organisations, areas])

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-valid_from", "-id"]
        indexes = [
            models.Index(fields=["status", "valid_to"], name="agreement_status_valid_to"),
            models.Index(fields=["unit", "status"], name="agreement_unit_status"),
            models.Index(
                fields=["is_public", "status", "-valid_from", "-id"], name="agreement_public_page"
            ),
            models.Index(fields=["-valid_from", "-id"], name="agreement_page"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")),
                name="agreement_ends_after_it_starts",
                violation_error_message=_("An agreement cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.title}"


class AgreementDocument(StoredFile):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class Obligation(BaseModel):
    """A commitment inside an agreement, of one party, by a due date."""

    class Party(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        UNIT = "unit", _("MIA unit")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        OVERDUE = "overdue", _("Overdue")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="obligations"
    )
    text = models.TextField(_("obligation"), max_length=2000)
    party = models.CharField(_("responsible party"), max_length=12, choices=Party.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), max_length=2000, blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=upload_path, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["state", "due_date"], name="obligation_state_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(party="unit", organisation__isnull=True)
                | Q(party="organisation", organisation__isnull=False),
                name="obligation_party_matches_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(done_on__isnull=False),
                name="obligation_done_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class JointActivity(BaseModel):
    """An activity an organisation held with the police, confirmed by the MIA counterpart."""

    class Kind(models.TextChoices):
        LEGAL_AWARENESS = "legal_awareness", _("Legal-awareness event")
        YOUTH_WORK = "youth_work", _("Youth work")
        REHABILITATION = "rehabilitation", _("Rehabilitation support")
        MONITORING_VISIT = "monitoring_visit", _("Monitoring visit")
        ROUND_TABLE = "round_table", _("Round table")
        MEDIA_CAMPAIGN = "media_campaign", _("Media campaign")
        JOINT_PATROL = "joint_patrol", _("Joint patrol")
        TRAINING = "training", _("Training")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DISPUTED = "disputed", _("Disputed")

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    unit = models.ForeignKey(
        "prevention.Unit",
        verbose_name=_("MIA unit"),
        on_delete=models.PROTECT,
        related_name="joint_activities",
    )
    place = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("mahalla or district"),
        on_delete=models.PROTECT,
        related_name="joint_activities",
    )
    kind = models.CharField(_("kind of activity"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    participants_youth = models.PositiveIntegerField(
        _("young people"), default=0, validators=[MaxValueValidator(1_000_000)]
    )
    participants_women = models.PositiveIntegerField(
        _("women"), default=0, validators=[MaxValueValidator(1_000_000)]
    )
    participants_minors = models.PositiveIntegerField(
        _("minors"), default=0, validators=[MaxValueValidator(1_000_000)]
    )
    participants_others = models.PositiveIntegerField(
        _("others"), default=0, validators=[MaxValueValidator(1_000_000)]
    )
    description = models.TextField(_("description"), max_length=4000)
    outcome = models.TextField(_("outcome"), max_length=4000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    dispute_reason = models.TextField(_("reason for the dispute"), max_length=2000, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("joint activity")
        verbose_name_plural = _("joint activities")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["organisation", "date", "id"], name="activity_org_date"),
            models.Index(fields=["unit", "status", "date"], name="activity_unit_status_date"),
            models.Index(fields=["place", "date"], name="activity_place_date"),
            models.Index(fields=["status", "date", "id"], name="activity_status_date"),
            models.Index(fields=["agreement", "status"], name="activity_agreement_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="disputed") | ~Q(dispute_reason=""),
                name="activity_dispute_has_a_reason",
                violation_error_message=_("A dispute needs its reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.date}"

    @property
    def participants_total(self) -> int:
        return (
            self.participants_youth
            + self.participants_women
            + self.participants_minors
            + self.participants_others
        )


class ActivityEvidence(StoredFile):
    activity = models.ForeignKey(
        JointActivity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="evidence"
    )

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")


class InformationRequest(BaseModel):
    """A request for information between an organisation and an MIA unit, either way."""

    class Direction(models.TextChoices):
        TO_UNIT = "to_unit", _("From the organisation to the unit")
        TO_ORGANISATION = "to_organisation", _("From the unit to the organisation")

    class State(models.TextChoices):
        OPEN = "open", _("Awaiting an answer")
        ANSWERED = "answered", _("Answered")
        OVERDUE = "overdue", _("Overdue")

    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="information_requests",
    )
    unit = models.ForeignKey(
        "prevention.Unit",
        verbose_name=_("MIA unit"),
        on_delete=models.PROTECT,
        related_name="information_requests",
    )
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("request"), max_length=4000)
    due_date = models.DateField(_("answer due by"))
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_date"], name="request_state_due"),
            models.Index(fields=["organisation", "created_at"], name="request_org_created"),
            models.Index(fields=["unit", "created_at"], name="request_unit_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="answered") | ~Q(answer=""),
                name="request_answered_has_an_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class RequestAttachment(StoredFile):
    request = models.ForeignKey(
        InformationRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
