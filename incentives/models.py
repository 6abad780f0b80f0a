"""Incentives under Cabinet Resolution No. 15: reference data, commissions and their funds,
nominations with the commission's decision and the payment.

The invariants of DESIGN.md §5 hold in the database as well as in the services: a fund's
committed total never exceeds its budget (a check constraint, updated under a row lock), and
the same person is not nominated twice for the same event and ground (a partial unique
constraint over a normalised person key).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import BaseModel, NamedReference
from partnership.models import StoredFile

# Larger than any fund: an amount past it is a typing slip, refused by the forms and the API
# before the services see it.
MAX_AMOUNT = 100_000_000_000


class Gravity(models.TextChoices):
    NOT_GRAVE = "not_grave", _("Not grave")
    LESS_GRAVE = "less_grave", _("Less grave")
    GRAVE = "grave", _("Grave")
    ESPECIALLY_GRAVE = "especially_grave", _("Especially grave")


class Level(models.TextChoices):
    """Commission levels, lowest first (the order nominations climb in)."""

    DISTRICT = "district", _("District (city)")
    REGION = "region", _("Region")
    REPUBLIC = "republic", _("Republic")


class BaseCalculationValue(BaseModel):
    """The base calculation value (BCV) in force from a date: amounts are multiples of it."""

    valid_from = models.DateField(_("in force from"), unique=True)
    amount = models.PositiveIntegerField(_("amount, so'm"), validators=[MinValueValidator(1)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("base calculation value")
        verbose_name_plural = _("base calculation values")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.amount} ({self.valid_from})"


class IncentiveGround(NamedReference):
    has_gravity = models.BooleanField(_("depends on the gravity of the crime"), default=False)

    history = HistoricalRecords()

    class Meta(NamedReference.Meta):
        verbose_name = _("ground for an incentive")
        verbose_name_plural = _("grounds for incentives")


class IncentiveType(NamedReference):
    is_cash = models.BooleanField(_("paid in money"), default=False)

    history = HistoricalRecords()

    class Meta(NamedReference.Meta):
        verbose_name = _("type of incentive")
        verbose_name_plural = _("types of incentives")


class AmountRule(BaseModel):
    """Ground × gravity × commission level → the largest amount, in multiples of the BCV."""

    ground = models.ForeignKey(
        IncentiveGround, verbose_name=_("ground"), on_delete=models.PROTECT, related_name="rules"
    )
    gravity = models.CharField(_("gravity"), max_length=20, choices=Gravity.choices, blank=True)
    level = models.CharField(_("commission level"), max_length=10, choices=Level.choices)
    max_bcv = models.DecimalField(
        _("maximum, in BCV"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("amount rule")
        verbose_name_plural = _("amount rules")
        ordering = ["ground", "gravity", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["ground", "gravity", "level"], name="amount_rule_one_per_case"
            ),
            models.CheckConstraint(condition=Q(max_bcv__gte=0), name="amount_rule_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.ground_id}/{self.gravity or '-'}/{self.level}: {self.max_bcv} BCV"


class Commission(BaseModel):
    """An inter-agency incentive commission at a territory node; its members hold the
    `commission_member` role at that node."""

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    territory = models.OneToOneField(
        "mahalla.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="incentive_commission",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incentive commission")
        verbose_name_plural = _("incentive commissions")
        ordering = ["territory__path"]

    def __str__(self) -> str:
        return str(self.territory)


class Fund(BaseModel):
    """A commission's money for a year. `committed` is the sum of approved amounts, kept under
    a row lock by the services and bounded by the database."""

    commission = models.ForeignKey(
        Commission, verbose_name=_("commission"), on_delete=models.PROTECT, related_name="funds"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    budget = models.PositiveBigIntegerField(_("budget, so'm"))
    committed = models.PositiveBigIntegerField(_("committed, so'm"), default=0, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["-year", "commission"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "year"], name="fund_one_per_year"),
            models.CheckConstraint(
                condition=Q(committed__lte=F("budget")), name="fund_committed_within_budget"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commission} {self.year}"

    @property
    def remaining(self) -> int:
        return self.budget - self.committed


class CommissionDecision(BaseModel):
    """The commission's decision (number, date, reason, who) and the payment that follows,
    shared by awards and social protection support."""

    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The payment
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)

    class Meta:
        abstract = True


class Nomination(CommissionDecision):
    """A proposal to reward a citizen or an organisation, the commission's decision on it and
    the payment. The citizen's details are personal data (DESIGN.md §1)."""

    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Citizen")
        ORGANISATION = "organisation", _("Organisation")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")
        REVERSED = "reversed", _("Reversed")

    kind = models.CharField(_("nominee"), max_length=12, choices=Kind.choices)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    document_number = models.CharField(_("identity document number"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    organisation = models.ForeignKey(
        "partnership.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The nominee in normal form (document number or organisation id): the duplicate check.
    person_key = models.CharField(max_length=60, editable=False)
    ground = models.ForeignKey(
        IncentiveGround, verbose_name=_("ground"), on_delete=models.PROTECT, related_name="+"
    )
    gravity = models.CharField(_("gravity"), max_length=20, choices=Gravity.choices, blank=True)
    facts = models.TextField(_("facts"), max_length=4000)
    event_date = models.DateField(_("date of the event"))
    mahalla = models.ForeignKey(
        "mahalla.Territory", verbose_name=_("mahalla"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_amount = models.PositiveBigIntegerField(_("proposed amount, so'm"), default=0)
    commission = models.ForeignKey(
        Commission,
        verbose_name=_("commission"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.SUBMITTED
    )
    consent_to_publish = models.BooleanField(
        _("consents to publication of the name"), default=False
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The decision (its number, date and reason are in CommissionDecision)
    incentive_type = models.ForeignKey(
        IncentiveType,
        verbose_name=_("type of incentive"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    amount = models.PositiveBigIntegerField(_("amount, so'm"), null=True, blank=True)
    fund = models.ForeignKey(
        Fund,
        verbose_name=_("fund"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
    )
    reversal_reason = models.TextField(_("reason for the reversal"), max_length=2000, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["commission", "state", "created_at"], name="nomination_queue"),
            models.Index(fields=["mahalla", "event_date"], name="nomination_place_date"),
            models.Index(fields=["state", "decision_date"], name="nomination_state_decided"),
        ]
        constraints = [
            # The same person, event and ground once, unless the earlier one was turned down.
            models.UniqueConstraint(
                fields=["person_key", "event_date", "ground"],
                condition=~Q(state__in=["rejected", "reversed"]),
                name="nomination_no_double_award",
            ),
            models.CheckConstraint(
                condition=Q(kind="organisation", organisation__isnull=False)
                | (Q(kind="citizen", organisation__isnull=True) & ~Q(full_name="")),
                name="nomination_nominee_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "paid"])
                | Q(amount__isnull=False, fund__isnull=False, decision_date__isnull=False)
                & ~Q(decision_number=""),
                name="nomination_award_has_a_decision",
            ),
            models.CheckConstraint(
                condition=~Q(state="paid") | Q(paid_on__isnull=False) & ~Q(payment_reference=""),
                name="nomination_payment_is_recorded",
            ),
        ]

    def __str__(self) -> str:
        # No personal data in the string form: it ends up in logs and history.
        return f"#{self.pk}"


class NominationEvidence(StoredFile):
    """A photo or PDF supporting a nomination, stored under a generated name."""

    nomination = models.ForeignKey(
        Nomination,
        verbose_name=_("nomination"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )

    class Meta:
        verbose_name = _("evidence of a nomination")
        verbose_name_plural = _("evidence of nominations")


class NominationComment(BaseModel):
    """A commission member's remark during the review; comments are never edited."""

    nomination = models.ForeignKey(
        Nomination,
        verbose_name=_("nomination"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("comment"), max_length=2000)

    class Meta:
        verbose_name = _("comment on a nomination")
        verbose_name_plural = _("comments on nominations")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.nomination_id}/{self.pk}"


class SocialProtectionCase(CommissionDecision):
    """A citizen harmed while helping the internal affairs bodies, and the support the
    commission decided and paid. The citizen's details are personal data; money decided here
    comes out of the commission's fund under the same row lock as awards."""

    class State(models.TextChoices):
        OPEN = "open", _("Under review")
        DECIDED = "decided", _("Support decided")
        REJECTED = "rejected", _("Refused")
        PAID = "paid", _("Support paid")

    class Support(models.TextChoices):
        TREATMENT = "treatment", _("Medical treatment paid")
        ONE_OFF = "one_off", _("One-off payment")
        ALLOWANCE = "allowance", _("Monthly allowance")
        HOUSING = "housing", _("Help with housing")
        EMPLOYMENT = "employment", _("Help with employment")
        OTHER = "other", _("Other support")

    full_name = models.CharField(_("full name"), max_length=200)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    document_number = models.CharField(_("identity document number"), max_length=30)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    mahalla = models.ForeignKey(
        "mahalla.Territory", verbose_name=_("mahalla"), on_delete=models.PROTECT, related_name="+"
    )
    event_date = models.DateField(_("date of the event"))
    harm = models.TextField(_("harm suffered and how it happened"), max_length=4000)
    nomination = models.ForeignKey(
        Nomination,
        verbose_name=_("nomination for the same help"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="social_cases",
    )
    commission = models.ForeignKey(
        Commission,
        verbose_name=_("commission"),
        on_delete=models.PROTECT,
        related_name="social_cases",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The support decided (number, date and payment are in CommissionDecision)
    support = models.CharField(_("support"), max_length=12, choices=Support.choices, blank=True)
    support_details = models.TextField(_("details of the support"), max_length=2000, blank=True)
    amount = models.PositiveBigIntegerField(_("amount, so'm"), null=True, blank=True)
    fund = models.ForeignKey(
        Fund,
        verbose_name=_("fund"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="social_support",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("social protection case")
        verbose_name_plural = _("social protection cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["commission", "state", "created_at"], name="social_case_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=["decided", "paid"])
                | Q(amount__isnull=False, decision_date__isnull=False)
                & ~Q(decision_number="")
                & ~Q(support=""),
                name="social_case_support_has_a_decision",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount=0) | Q(fund__isnull=False),
                name="social_case_money_has_a_fund",
            ),
            models.CheckConstraint(
                condition=~Q(state="paid") | Q(paid_on__isnull=False) & ~Q(payment_reference=""),
                name="social_case_payment_is_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"
