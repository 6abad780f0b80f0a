from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import BaseModel


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

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices)
    registration_number = models.CharField(_("registration number"), max_length=50, unique=True)
    territory = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["territory", "kind"], name="organisation_territory_kind")]

    def __str__(self) -> str:
        return self.name
