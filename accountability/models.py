"""Indicators of cooperation, their roll-ups per territory node and period, and the public
accountability reports generated from them (DESIGN.md §6).

An indicator is data: numerator and denominator name measures (accountability.measures, the
only code), times a factor. Adding an indicator of that form is a row in the catalogue; the
dashboard, the reports and the API read whatever the catalogue holds.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.i18n import localized
from core.models import BaseModel, NamedReference


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    PER_100K = "per100k", _("per 100,000 residents")
    PER_10K = "per10k", _("per 10,000 residents")
    DAYS = "days", _("days")
    SOM = "som", _("so'm")
    MEETINGS = "meetings", _("meetings")
    OF_5 = "of5", _("out of 5")
    PEOPLE = "people", _("people")
    COUNT = "count", _("count")


class Indicator(NamedReference):
    """numerator ÷ denominator × factor, for every node and period. Without a denominator the
    value is the numerator times the factor (a count or a sum)."""

    class Better(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    description_uz = models.TextField(_("description (Uzbek, Latin)"), blank=True)
    description_uz_cyrl = models.TextField(_("description (Uzbek, Cyrillic)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    numerator = models.CharField(_("numerator"), max_length=40)
    denominator = models.CharField(_("denominator"), max_length=40, blank=True)
    factor = models.DecimalField(
        _("factor"), max_digits=12, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.COUNT)
    better = models.CharField(
        _("better when"), max_length=6, choices=Better.choices, default=Better.HIGHER
    )
    # Counts of people (register entries, nominees) are shown as "<5" below this, in public.
    from_personal_records = models.BooleanField(
        _("counted from personal records"),
        default=False,
        help_text=_("Small counts (under 5) are shown as “<5” in public reports."),
    )

    history = HistoricalRecords()

    class Meta(NamedReference.Meta):
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    @property
    def description(self) -> str:
        return localized(self, "description")

    def clean(self):
        from django.core.exceptions import ValidationError

        from accountability.measures import MEASURES

        for field in ("numerator", "denominator"):
            code = getattr(self, field)
            if code and code not in MEASURES:
                raise ValidationError(
                    {field: _("There is no measure “%(code)s”.") % {"code": code}}
                )


class RollUp(models.Model):
    """An indicator's value at one territory node for one period, with its parts. Written
    only by the roll-up tasks, which replace a period's rows as a whole."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="rollups"
    )
    territory = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("territory"),
        on_delete=models.CASCADE,
        related_name="rollups",
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    numerator = models.DecimalField(_("numerator"), max_digits=20, decimal_places=4)
    denominator = models.DecimalField(
        _("denominator"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("roll-up value")
        verbose_name_plural = _("roll-up values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_kind", "period_start", "territory"],
                name="rollup_one_per_node_and_period",
            )
        ]
        indexes = [
            # The dashboard's reads: a node's indicators in a period, and a node's trend.
            models.Index(
                fields=["territory", "period_kind", "period_start"], name="rollup_node_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.territory_id} {self.period_kind} {self.period_start}"


class ApprovedPeriod(models.Model):
    """A node's figures for a period are approved: every district under it (for a mahalla,
    its district) had each month of the period approved or accepted when its roll-ups were
    last computed. Only these figures reach the council and the public (DESIGN.md §6);
    written only with the roll-ups, withdrawn as soon as a month is returned or reopened."""

    territory = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("territory"),
        on_delete=models.CASCADE,
        related_name="approved_periods",
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    approved_at = models.DateTimeField(_("figures computed at"))

    class Meta:
        verbose_name = _("approved period")
        verbose_name_plural = _("approved periods")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "period_kind", "period_start"],
                name="approved_period_one_per_node",
            )
        ]
        indexes = [
            models.Index(fields=["period_kind", "period_start"], name="approved_period_period"),
        ]

    def __str__(self) -> str:
        return f"{self.territory_id} {self.period_kind} {self.period_start}"


class ReportRun(BaseModel):
    """One generation of the public reports of a period for a level of the tree, worked in
    batches; `last_path` is where the next batch starts, so a killed run resumes."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", pgettext_lazy("report run state", "Done")
        FAILED = "failed", _("Failed")

    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    level = models.CharField(_("level"), max_length=10)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("reports to make"), default=0)
    done = models.PositiveIntegerField(_("reports made"), default=0)
    last_path = models.CharField(max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "level"], name="report_run_one_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.period_kind} {self.period_start}"

    @property
    def progress(self) -> int:
        """How far the run is, 0–100 (a finished run is at 100 whatever its counts)."""
        if self.state == self.State.DONE:
            return 100
        return min(100, 100 * self.done // self.total) if self.total else 0


def report_upload_path(instance, filename: str) -> str:
    period = f"{instance.period_kind}-{instance.period_start:%Y-%m}"
    return f"reports/{period}/{instance.territory.code}-v{instance.version}-{filename}"


class PublicReport(BaseModel):
    """A published accountability report of a node for a period, in HTML, PDF and CSV, with
    the SHA-256 digest of each file. A report regenerated after a change is a new version;
    the archive keeps every version."""

    territory = models.ForeignKey(
        "mahalla.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="public_reports",
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    html = models.TextField(_("HTML"))
    pdf = models.FileField(_("PDF"), upload_to=report_upload_path)
    csv = models.FileField(_("CSV"), upload_to=report_upload_path)
    html_sha256 = models.CharField(_("SHA-256 of the HTML"), max_length=64, db_index=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, db_index=True)
    csv_sha256 = models.CharField(_("SHA-256 of the CSV"), max_length=64, db_index=True)
    reason = models.CharField(_("reason for a new version"), max_length=300, blank=True)
    run = models.ForeignKey(
        ReportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )

    class Meta:
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")
        ordering = ["-period_start", "territory__path", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "period_kind", "period_start", "version"],
                name="public_report_one_per_version",
            )
        ]
        indexes = [
            models.Index(
                fields=["territory", "period_kind", "period_start"], name="report_node_period"
            ),
            models.Index(fields=["period_kind", "period_start"], name="report_period"),
            # The public archive, newest first.
            models.Index(fields=["-period_start", "-id"], name="report_archive_order"),
        ]

    def __str__(self) -> str:
        return f"{self.territory_id} {self.period_kind} {self.period_start} v{self.version}"
