"""Output serializers of the accountability API, one per resource and use case.

Everything here is aggregate (accountability.permissions). A roll-up's figures are shown as
they are only to those who see small counts; for everyone else a small count from personal
records is left out, and the row says so (`suppressed`): the view puts the caller's right in
the context as `small_counts`, and without it the figures are hidden, the safe side.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from accountability.measures import MEASURES
from accountability.models import Indicator, PeriodKind, PublicReport, ReportRun, RollUp, Unit
from accountability.periods import Period
from accountability.permissions import hidden_parts
from mahalla.models import Territory
from prevention.api.serializers import EnumChoiceField

# --- Shared fields --------------------------------------------------------------------------
# Named enums: "kind", "state" and "unit" mean other choices in other apps and models.


def period_kind_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(choices=PeriodKind.choices, enum_name="PeriodKindEnum", **kwargs)


def territory_kind_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(choices=Territory.Kind.choices, enum_name="TerritoryLevelEnum", **kwargs)


def _figure(help_text) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=20, decimal_places=4, read_only=True, allow_null=True, help_text=help_text
    )


# The period of a row, by its kind and first day, and in words.
class PeriodMixin(serializers.Serializer):
    period_kind = period_kind_field(read_only=True)
    period_start = serializers.DateField(read_only=True)
    period_label = serializers.SerializerMethodField(
        help_text=_("The period in words, in the request's language.")
    )

    def get_period_label(self, obj) -> str:
        return Period(obj.period_kind, obj.period_start).label


class TerritoryBriefSerializer(serializers.ModelSerializer):
    """A territory node by its id, code, level and name."""

    kind = territory_kind_field(read_only=True)
    name = serializers.CharField(read_only=True, help_text=_("Name in the request's language."))

    class Meta:
        model = Territory
        fields = ["id", "code", "kind", "name"]
        read_only_fields = fields


# --- Indicators -----------------------------------------------------------------------------


def _measure_label(code: str) -> str | None:
    measure = MEASURES.get(code)
    return str(measure.label) if measure is not None else None


class IndicatorOutputSerializer(serializers.ModelSerializer):
    """numerator ÷ denominator × factor, in a unit; without a denominator, the numerator
    times the factor (a count or a sum)."""

    name = serializers.CharField(read_only=True, help_text=_("Name in the request's language."))
    description = serializers.CharField(
        read_only=True, help_text=_("Description in the request's language.")
    )
    numerator = serializers.CharField(read_only=True, help_text=_("Code of the measure counted."))
    numerator_label = serializers.SerializerMethodField()
    denominator = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=_("Code of the measure it is divided by; null for a plain count or sum."),
    )
    denominator_label = serializers.SerializerMethodField()
    unit = EnumChoiceField(choices=Unit.choices, enum_name="IndicatorUnitEnum", read_only=True)
    unit_label = serializers.CharField(source="get_unit_display", read_only=True)
    better = EnumChoiceField(
        choices=Indicator.Better.choices, enum_name="IndicatorBetterEnum", read_only=True
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "description",
            "numerator",
            "numerator_label",
            "denominator",
            "denominator_label",
            "factor",
            "unit",
            "unit_label",
            "better",
            "from_personal_records",
        ]
        read_only_fields = fields

    def get_numerator_label(self, indicator) -> str | None:
        return _measure_label(indicator.numerator)

    def get_denominator_label(self, indicator) -> str | None:
        return _measure_label(indicator.denominator) if indicator.denominator else None

    def to_representation(self, indicator):
        data = super().to_representation(indicator)
        data["denominator"] = indicator.denominator or None
        return data


# --- Roll-ups -------------------------------------------------------------------------------


class RollUpOutputSerializer(PeriodMixin, serializers.ModelSerializer):
    """An indicator's value at one territory node for one period, with its parts."""

    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    territory = TerritoryBriefSerializer(read_only=True)
    numerator = _figure(_("Null when suppressed."))
    denominator = _figure(_("Null for an indicator without a denominator, or when suppressed."))
    value = _figure(
        _(
            "numerator ÷ denominator × factor; null where the denominator is zero, or when "
            "suppressed."
        )
    )
    suppressed = serializers.SerializerMethodField(
        help_text=_(
            "A count from personal records under 5, whose figures are not shown to you (they "
            "are to MIA officers and administrators)."
        )
    )

    provisional = serializers.BooleanField(
        source="is_provisional",
        read_only=True,
        help_text=_(
            "The data behind the figure is not yet approved up to the region: a working figure, "
            "served to MIA users and administrators only (everyone else receives approved "
            "figures alone)."
        ),
    )

    class Meta:
        model = RollUp
        fields = [
            "id",
            "indicator",
            "territory",
            "period_kind",
            "period_start",
            "period_label",
            "numerator",
            "denominator",
            "value",
            "suppressed",
            "provisional",
        ]
        read_only_fields = fields

    def _hidden(self, rollup) -> set[str]:
        if self.context.get("small_counts", False):
            return set()
        return hidden_parts(rollup.indicator, rollup.numerator, rollup.denominator)

    def get_suppressed(self, rollup) -> bool:
        return bool(self._hidden(rollup))

    def to_representation(self, rollup):
        data = super().to_representation(rollup)
        hidden = self._hidden(rollup)
        # A hidden count takes its whole row with it; a small denominator alone only itself.
        data.update(
            dict.fromkeys({"numerator", "denominator", "value"} if "value" in hidden else hidden)
        )
        return data


# --- Report runs ----------------------------------------------------------------------------


class ReportRunOutputSerializer(PeriodMixin, serializers.ModelSerializer):
    """A generation of the public reports of a period for a level of the tree."""

    level = territory_kind_field(read_only=True)
    state = EnumChoiceField(
        choices=ReportRun.State.choices, enum_name="ReportRunStateEnum", read_only=True
    )
    progress = serializers.SerializerMethodField(help_text=_("Per cent of the reports made."))

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "period_kind",
            "period_start",
            "period_label",
            "level",
            "state",
            "total",
            "done",
            "progress",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, run) -> int:
        return run.progress


# --- Published reports ----------------------------------------------------------------------


def _absolute(serializer, url_name: str, *args) -> str:
    return reverse(url_name, args=args, request=serializer.context.get("request"))


class PublicReportOutputSerializer(PeriodMixin, serializers.ModelSerializer):
    """A published report of a territory node for a period, one version of it."""

    territory = TerritoryBriefSerializer(read_only=True)
    published_at = serializers.DateTimeField(source="created_at", read_only=True)
    page_url = serializers.SerializerMethodField(
        help_text=_("The report's page on the portal, with its versions.")
    )
    pdf_url = serializers.SerializerMethodField(help_text=_("Download of the PDF."))
    csv_url = serializers.SerializerMethodField(help_text=_("Download of the CSV."))

    class Meta:
        model = PublicReport
        fields = [
            "id",
            "territory",
            "period_kind",
            "period_start",
            "period_label",
            "version",
            "reason",
            "published_at",
            "html_sha256",
            "pdf_sha256",
            "csv_sha256",
            "page_url",
            "pdf_url",
            "csv_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, report) -> str:
        return _absolute(self, "accountability:report-detail", report.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, report) -> str:
        return _absolute(self, "api:report-pdf-file", report.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_csv_url(self, report) -> str:
        return _absolute(self, "api:report-csv-file", report.pk)
