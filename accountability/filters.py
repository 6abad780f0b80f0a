"""Filters of the roll-ups and the published reports, shared by the pages and the API.

A period is given by a day, "YYYY-MM" or "YYYY-MM-DD"; anything else is refused with a
message (a 400 in the API), never passed on to a query. A territory is given by its id: `node`
keeps that node alone, `under` the node and everything under it, with one indexed prefix
condition on the materialised path.
"""

import re
from datetime import date

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from accountability.models import Indicator, PeriodKind, PublicReport, RollUp
from accountability.periods import Period
from mahalla.models import Territory
from partnership.forms.activities import FilterForm

DAY_PATTERN = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")
PERIOD_HELP = _("A month as YYYY-MM, or a day as YYYY-MM-DD.")
TERRITORY_MESSAGES = {
    "invalid_choice": _("There is no territory with id %(value)s."),
}


class DayField(forms.CharField):
    """A day written "YYYY-MM-DD", or a month "YYYY-MM" meaning its first day."""

    default_error_messages = {
        "invalid": _("Give a month as YYYY-MM or a day as YYYY-MM-DD, e.g. 2026-11."),
    }

    def to_python(self, value) -> date | None:
        text = super().to_python(value).strip()
        if not text:
            return None
        match = DAY_PATTERN.fullmatch(text)
        if match is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month, day = match.groups()
        try:
            return date(int(year), int(month), int(day or 1))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class DayFilter(django_filters.CharFilter):
    """A day, written as text ("2026-11" as well as "2026-11-01")."""

    field_class = DayField


class PeriodFilter(DayFilter):
    """The periods holding a day: of the kind chosen in the `kind` filter, or of every kind
    (the month, the quarter and the year holding it)."""

    def filter(self, qs, value):
        if value is None:
            return qs
        kind = self.parent.form.cleaned_data.get("kind")
        condition = Q()
        for each in [kind] if kind else PeriodKind.values:
            condition |= Q(period_kind=each, period_start=Period.containing(each, value).start)
        return qs.filter(condition)


class SubtreeFilter(django_filters.ModelChoiceFilter):
    """A territory node and everything under it; `field_name` names the territory."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path})


class TerritoryPeriodFilter(django_filters.FilterSet):
    """Where and when: the filters the roll-ups and the reports share."""

    node = django_filters.ModelChoiceFilter(
        field_name="territory",
        queryset=Territory.objects.all(),
        label=_("Territory"),
        help_text=_("Id of a territory node: that node alone."),
        error_messages=TERRITORY_MESSAGES,
    )
    under = SubtreeFilter(
        field_name="territory",
        queryset=Territory.objects.all(),
        label=_("Territory and below"),
        help_text=_("Id of a territory node: the node and everything under it."),
        error_messages=TERRITORY_MESSAGES,
    )
    level = django_filters.ChoiceFilter(
        field_name="territory__kind",
        choices=Territory.Kind.choices,
        label=_("Level"),
        help_text=_("The level of the territory tree."),
    )
    kind = django_filters.ChoiceFilter(
        field_name="period_kind", choices=PeriodKind.choices, label=_("Kind of period")
    )
    period = PeriodFilter(
        label=_("Period"),
        help_text=_(
            "The period holding this day (a month as YYYY-MM, or a day as YYYY-MM-DD): of the "
            "kind given in `kind`, or the month, quarter and year holding it."
        ),
    )
    period_from = DayFilter(
        field_name="period_start",
        lookup_expr="gte",
        label=_("Periods from"),
        help_text=_("Periods starting on or after this day (YYYY-MM or YYYY-MM-DD)."),
    )
    period_to = DayFilter(
        field_name="period_start",
        lookup_expr="lte",
        label=_("Periods to"),
        help_text=_("Periods starting on or before this day (YYYY-MM or YYYY-MM-DD)."),
    )


class RollUpFilter(TerritoryPeriodFilter):
    indicator = django_filters.ModelChoiceFilter(
        queryset=Indicator.objects.filter(is_active=True),
        to_field_name="code",
        label=_("Indicator"),
        help_text=_("Code of an indicator in use."),
        error_messages={"invalid_choice": _("There is no indicator “%(value)s” in use.")},
    )

    class Meta:
        model = RollUp
        fields = ["indicator", "node", "under", "level", "kind", "period"]
        form = FilterForm


class PublicReportFilter(TerritoryPeriodFilter):
    class Meta:
        model = PublicReport
        fields = ["node", "under", "level", "kind", "period"]
        form = FilterForm
