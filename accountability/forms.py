import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accountability.models import Indicator, PeriodKind
from accountability.periods import Period
from core.forms import BootstrapFormMixin

PERIOD_PATTERN = re.compile(r"\d{4}-\d{2}")
CSV_TABLES = [
    ("indicators", _("Indicators")),
    ("children", _("Ranking")),
    ("trend", _("Trend")),
]


class DashboardForm(BootstrapFormMixin, forms.Form):
    """The dashboard's choice of territory node, period and indicator, from the query string.
    Every field may be left out: the view supplies the defaults. A valid form holds the period
    as a `Period` (None when not given). Unbound, with the choice made as `initial`, it is the
    page's chooser."""

    node = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    kind = forms.ChoiceField(label=_("Period type"), choices=PeriodKind.choices, required=False)
    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=7,
        widget=forms.Select,
    )

    def __init__(self, data=None, *, indicators: list[Indicator], initial=None):
        super().__init__(data, initial=initial)
        self.indicators = indicators
        self.fields["indicator"].choices = [(item.code, item.name) for item in indicators]
        self.fields["period"].widget.choices = []

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or PeriodKind.QUARTER

    def clean(self):
        data = super().clean()
        text = data.get("period")
        kind = data.get("kind")
        if not text or not kind:
            data["period"] = None
            return data
        period = None
        if PERIOD_PATTERN.fullmatch(text):
            try:
                period = Period.parse(kind, text)
            except ValueError:
                period = None
        if period is None:
            self.add_error("period", _("Give the period as a year and a month: YYYY-MM."))
        else:
            data["period"] = period
        return data

    def set_period_choices(self, starts, *, chosen: Period) -> None:
        """Offers the periods of the chosen kind that have figures, and the chosen one."""
        periods = {Period(chosen.kind, start) for start in starts} | {chosen}
        self.fields["period"].widget.choices = [
            (f"{period.start:%Y-%m}", period.label) for period in sorted(periods, reverse=True)
        ]
        self.initial["period"] = f"{chosen.start:%Y-%m}"


class DashboardCsvForm(DashboardForm):
    """The dashboard's choice, plus which of its tables to download."""

    table = forms.ChoiceField(label=_("Table"), choices=CSV_TABLES)
