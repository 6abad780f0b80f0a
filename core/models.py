import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import localized


class BaseModel(models.Model):
    """Creation and modification times for every domain model."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class NamedReference(BaseModel):
    """A reference list entry with a name in each interface language, editable by admins."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_uz = models.CharField(_("name (Uzbek, Latin)"), max_length=200)
    name_uz_cyrl = models.CharField(_("name (Uzbek, Cyrillic)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Heartbeat(models.Model):
    """The last run of a periodic liveness task: proves beat, broker and a worker all work."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    beat_at = models.DateTimeField(_("last beat at"))
    worker = models.CharField(_("worker"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class IdempotencyKey(models.Model):
    """The answer given to a write sent with an Idempotency-Key header (core.middleware), kept
    so that the same write retried after a lost answer is applied once and answered the same.

    The key is a UUID made by the client; it is unique per owner (the signed-in user, a token,
    a session or an address), so two clients never see each other's answers.
    """

    class State(models.TextChoices):
        PROCESSING = "processing", _("processing")
        DONE = "done", _("done")

    owner = models.CharField(_("owner"), max_length=80)
    key = models.UUIDField(_("key"))
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROCESSING
    )
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=255, blank=True)
    location = models.TextField(_("location"), blank=True)
    body = models.BinaryField(_("body"), blank=True, default=b"")
    # Also moved forward when an abandoned request's key is taken over, so that both the
    # purge and the abandonment check read one column.
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="core_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key} ({self.state})"


class OutboxTask(models.Model):
    """A Celery task asked for by a change, written in the change's own transaction (the
    transactional outbox, core.outbox), so that it survives a broker that is down: it is sent
    on commit when the broker answers, else later by the relay (manage.py outbox_relay).

    The row's id is the Celery task id, so a task sent twice (a relay killed between sending
    and marking it sent) is recognisable as one; every task is idempotent all the same.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("positional arguments"), default=list)
    kwargs = models.JSONField(_("keyword arguments"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox task")
        verbose_name_plural = _("outbox tasks")
        indexes = [
            # The relay and /healthz read only the unsent rows, oldest first: this index
            # holds just those, so it stays small however many sent rows the table keeps.
            models.Index(
                fields=["created_at"],
                name="core_outbox_pending_idx",
                condition=models.Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else "pending"
        return f"{self.task} {self.id} ({state})"
