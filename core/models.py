from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Creation and modification times for every domain model."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


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
