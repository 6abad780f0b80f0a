from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import BaseModel


class Role(models.TextChoices):
    NGO_STAFF = "ngo_staff", _("NGO staff")
    NGO_ADMIN = "ngo_admin", _("NGO administrator")
    INSPECTOR = "inspector", _("Prevention inspector")
    UNIT_OFFICER = "unit_officer", _("MIA unit officer")
    COMMISSION_MEMBER = "commission_member", _("Incentive commission member")
    COUNCIL_MEMBER = "council_member", _("Advisory Council member")
    ADMIN = "admin", _("Portal administrator")


# Roles held for an organisation; every other role is held at a territory node.
ORGANISATION_ROLES = frozenset({Role.NGO_STAFF, Role.NGO_ADMIN})
# Roles of the internal affairs bodies.
MIA_ROLES = frozenset({Role.INSPECTOR, Role.UNIT_OFFICER})


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships."""

    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(BaseModel):
    """Ties a user to a role at a place: a territory node, or an organisation for NGO roles.

    Valid from `valid_from` to `valid_to` inclusive (open-ended when empty).
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    territory = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    # A string reference: organisations live in the higher `partnership` app (DESIGN.md §7).
    organisation = models.ForeignKey(
        "partnership.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user", "role", "valid_from"]
        indexes = [
            models.Index(fields=["user", "valid_from", "valid_to"], name="membership_user_dates"),
            models.Index(fields=["role", "territory"], name="membership_role_territory"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(r.value for r in ORGANISATION_ROLES))
                    & Q(organisation__isnull=False, territory__isnull=True)
                )
                | (
                    ~Q(role__in=sorted(r.value for r in ORGANISATION_ROLES))
                    & Q(organisation__isnull=True, territory__isnull=False)
                ),
                name="membership_place_matches_role",
                violation_error_message=_(
                    "NGO roles are held for an organisation; every other role at a territory."
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_dates_ordered",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        place = self.organisation_id or self.territory_id
        return f"{self.user_id} {self.role} @ {place}"


class PersonalDataRead(models.Model):
    """One read of one object's personal data by one user: who, when, what, through where.

    Written for every page, API response and export that shows personal data; readable by
    unit officers above the territory the object belongs to.
    """

    class Via(models.TextChoices):
        PAGE = "page", _("Page")
        API = "api", _("API")
        EXPORT = "export", _("Export")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("kind of record"), on_delete=models.PROTECT
    )
    object_id = models.PositiveBigIntegerField(_("record"))
    territory = models.ForeignKey(
        "mahalla.Territory", verbose_name=_("territory"), on_delete=models.PROTECT, related_name="+"
    )
    via = models.CharField(_("through"), max_length=8, choices=Via.choices)
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal data read")
        verbose_name_plural = _("personal data reads")
        ordering = ["-read_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "read_at"], name="pdread_object"),
            models.Index(fields=["territory", "read_at"], name="pdread_territory"),
            models.Index(fields=["user", "read_at"], name="pdread_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.content_type_id}#{self.object_id}"


class Notification(models.Model):
    """An in-app notification. The text is kept as its source message and parameters and is
    translated when shown, so each reader sees it in their own language."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(_("message"), max_length=300)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # One notification per user and event: a reminder task that runs again sends nothing new.
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "created_at"], name="notification_inbox")
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        try:
            return gettext(self.message) % self.params
        except (KeyError, TypeError, ValueError):
            return gettext(self.message)
