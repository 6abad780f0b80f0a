"""Forms of the approvals page: the month (and region) chosen, and the buttons' POST data.

Choice lists come from the user's scope (passed in by the view), so a district or region
outside it is a form error, never a 500 or a leak. Who may do what to which month is decided
by prevention.services; a form checks only what it can see by itself.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, PlainTextFormMixin
from prevention.models import PeriodApproval
from prevention.selectors import period_previous_month

MESSAGE_MAX_LENGTH = PeriodApproval._meta.get_field("message").max_length


class MonthField(forms.DateField):
    """A month as the browser's month input sends it ("2026-05"), cleaned to its first day."""

    widget = forms.DateInput(format="%Y-%m", attrs={"type": "month"})
    input_formats = ["%Y-%m"]
    default_error_messages = {"invalid": _("Give the month as YYYY-MM.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Month"))
        super().__init__(**kwargs)

    def clean(self, value):
        month = super().clean(value)
        if month is not None and month > timezone.localdate().replace(day=1):
            raise forms.ValidationError(_("Choose a month that has begun."), code="future")
        return month


class ApprovalPageForm(BootstrapFormMixin, forms.Form):
    """The page's choice, from the query string: a month (last month when left out) and,
    for the republic, the region whose districts are listed."""

    month = MonthField(required=False)
    region = forms.ModelChoiceField(
        queryset=None, required=False, to_field_name="code", widget=forms.HiddenInput
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["month"].widget.attrs["max"] = f"{timezone.localdate():%Y-%m}"

    def clean_month(self):
        return self.cleaned_data["month"] or period_previous_month(timezone.localdate())


class PeriodActionForm(PlainTextFormMixin, forms.Form):
    """One district's month, for a button of its row (submit, approve, accept)."""

    district = forms.ModelChoiceField(queryset=None, to_field_name="code")
    month = MonthField()
    # The region whose districts the republic was looking at, to come back to it.
    region = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts


class PeriodReopenForm(BootstrapFormMixin, PeriodActionForm):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for reopening.")},
    )


class PeriodReturnForm(BootstrapFormMixin, PeriodActionForm):
    message = forms.CharField(
        label=_("What should be fixed"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write what the lower level should fix.")},
    )


class PeriodBulkApproveForm(PlainTextFormMixin, forms.Form):
    """The “Approve all submitted” button of a region."""

    region = forms.ModelChoiceField(queryset=None, to_field_name="code")
    month = MonthField()

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class PeriodBulkAcceptForm(PlainTextFormMixin, forms.Form):
    """The “Accept all approved” button of the republic."""

    month = MonthField()
    region = forms.CharField(required=False, max_length=20)
