"""Forms of the inspector's daily work: prevention records and register entries.

Choice lists come from the user's scope (passed in by the view), so a value outside it is a
form error, never a 500 or a leak.
"""

from django import forms
from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, DateInput
from prevention.models import PreventionRecord, RegisterCategory


def _organisations():
    # partnership sits above prevention (DESIGN.md §7): reached by name, not by import.
    return apps.get_model("partnership", "Organisation").objects.order_by("name")


class RegisterEntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # No personal data in a select: the entry number, category and date only.
        return f"#{obj.pk} · {obj.category} · {obj.registered_on:%d.%m.%Y}"


class PreventionRecordForm(BootstrapFormMixin, forms.Form):
    mahalla = forms.ModelChoiceField(queryset=None, label=_("Mahalla"), empty_label=None)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(choices=PreventionRecord.Kind.choices, label=_("Kind of prevention"))
    measure = forms.ChoiceField(choices=PreventionRecord.Measure.choices, label=_("Measure"))
    summary = forms.CharField(
        label=_("Summary"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    people_reached = forms.IntegerField(
        label=_("People reached"), min_value=0, max_value=100_000, initial=1
    )
    partner_organisation = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Partner organisation")
    )
    register_entry = RegisterEntryChoiceField(
        queryset=None, required=False, label=_("Register entry")
    )

    def __init__(self, *args, mahallas, register_entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mahalla"].queryset = mahallas
        self.fields["partner_organisation"].queryset = _organisations()
        self.fields["register_entry"].queryset = register_entries.select_related("category")
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class PreventionRecordEditForm(PreventionRecordForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        max_length=100,
        help_text=_("Required once the record is locked; kept in its history."),
    )


class RegisterEntryForm(BootstrapFormMixin, forms.Form):
    mahalla = forms.ModelChoiceField(queryset=None, label=_("Mahalla"), empty_label=None)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput)
    address = forms.CharField(label=_("Address"), max_length=300)
    document_number = forms.CharField(label=_("Identity document number"), max_length=30)
    category = forms.ModelChoiceField(
        queryset=RegisterCategory.objects.filter(is_active=True), label=_("Category")
    )
    grounds = forms.CharField(
        label=_("Grounds"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput)
    rehabilitation_support = forms.CharField(
        label=_("Rehabilitation support given"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    rehabilitation_partner = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Rehabilitation partner")
    )

    def __init__(self, *args, mahallas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mahalla"].queryset = mahallas
        self.fields["rehabilitation_partner"].queryset = _organisations()
        today = timezone.localdate().isoformat()
        self.fields["registered_on"].widget.attrs["max"] = today
        self.fields["birth_date"].widget.attrs["max"] = today

    def clean(self):
        data = super().clean()
        born, registered = data.get("birth_date"), data.get("registered_on")
        today = timezone.localdate()
        if registered and registered > today:
            self.add_error("registered_on", _("The registration date cannot be in the future."))
        if born and registered and born >= registered:
            self.add_error("birth_date", _("Registration must come after the date of birth."))
        return data


class RegisterEntryEditForm(RegisterEntryForm):
    removed_on = forms.DateField(label=_("Removed on"), widget=DateInput, required=False)
    removal_reason = forms.CharField(
        label=_("Removal reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        removed, registered = data.get("removed_on"), data.get("registered_on")
        if removed:
            if removed > timezone.localdate():
                self.add_error("removed_on", _("The removal date cannot be in the future."))
            if registered and removed < registered:
                self.add_error("removed_on", _("Removal cannot be dated before registration."))
            if not (data.get("removal_reason") or "").strip():
                self.add_error("removal_reason", _("A removal needs its reason."))
        return data
