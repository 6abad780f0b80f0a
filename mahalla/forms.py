"""The admin's boundary change forms: the legal act and what it changes (mahalla.services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, PlainTextFormMixin
from mahalla.models import Territory


class BoundaryActForm(PlainTextFormMixin, forms.Form):
    """The legal act of a boundary change and the day it takes effect."""

    effective_on = forms.DateField(label=_("Takes effect on"), widget=DateInput)
    act_number = forms.CharField(label=_("Number of the legal act"), max_length=50)
    act_date = forms.DateField(label=_("Date of the legal act"), widget=DateInput)
    act_title = forms.CharField(label=_("Title of the legal act"), max_length=300, required=False)
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def act(self) -> dict:
        """The cleaned act, as the services' keyword arguments."""
        return {
            name: self.cleaned_data[name]
            for name in ("effective_on", "act_number", "act_date", "act_title", "note")
        }


class DistrictChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Territory) -> str:
        return f"{obj.parent.name} · {obj.name}" if obj.parent else obj.name


class MahallaMoveForm(BoundaryActForm):
    district = DistrictChoiceField(
        queryset=Territory.objects.none(), label=_("District or city it moves to")
    )
    field_order = ["district"]

    def __init__(self, *args, mahalla: Territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = (
            Territory.objects.filter(kind=Territory.Kind.DISTRICT, valid_to__isnull=True)
            .exclude(pk=mahalla.parent_id)
            .select_related("parent")
            .order_by("path")
        )


class MahallasMergeForm(BoundaryActForm):
    into = forms.ModelChoiceField(
        queryset=Territory.objects.none(),
        label=_("The mahalla that continues"),
        help_text=_("The others are closed the day before; their residents join it."),
        widget=forms.RadioSelect,
    )
    field_order = ["into"]

    def __init__(self, *args, mahallas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = mahallas


class MahallaSplitPartForm(PlainTextFormMixin, forms.Form):
    """One new mahalla: the names not given follow the Uzbek (Latin) one."""

    name_uz = forms.CharField(label=_("Name (Uzbek, Latin)"), max_length=200)
    name_uz_cyrl = forms.CharField(
        label=_("Name (Uzbek, Cyrillic)"), max_length=200, required=False
    )
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    # The most a mahalla could hold, well inside the column's range (a bigger number would
    # reach the database and fail there).
    population = forms.IntegerField(label=_("Population"), min_value=1, max_value=1_000_000)


MahallaSplitPartFormSet = forms.formset_factory(
    MahallaSplitPartForm, extra=3, min_num=1, validate_min=True, max_num=20, validate_max=True
)
