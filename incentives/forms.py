"""Forms of the incentive pages: nominating, the commission's review and decisions, payments,
and social protection cases.

Choice lists come from the user's scope (the view passes them in), so a value outside it is a
form error (400), never a 500 or a leak. Business rules (caps, funds, duplicates, dates, file
contents) stay in incentives.services; the views show their refusals on the field they name.
"""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, DateInput, MultipleFileField
from incentives.models import (
    MAX_AMOUNT,
    Gravity,
    IncentiveGround,
    IncentiveType,
    SocialProtectionCase,
)
from mahalla.models import Territory
from partnership.forms.activities import OrganisationNumberField
from partnership.permissions import organisations_public

MAX_FILES = 10


def amount_field(label, **kwargs) -> forms.IntegerField:
    field = forms.IntegerField(label=label, min_value=0, max_value=MAX_AMOUNT, **kwargs)
    field.widget.attrs.update({"inputmode": "numeric", "min": 0})
    return field


def _text(label, *, rows: int = 3, required: bool = True, max_length: int = 2000, **kwargs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _past_date(label, *, required: bool = True) -> forms.DateField:
    field = forms.DateField(label=label, widget=DateInput, required=required)
    field.past_only = True
    return field


class IncentiveForm(BootstrapFormMixin, forms.Form):
    """The date pickers of past dates stop at today (read when the form is made)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate().isoformat()
        for field in self.fields.values():
            if getattr(field, "past_only", False):
                field.widget.attrs["max"] = today


class PlaceFieldsMixin:
    """A district and one of its mahallas, the mahallas reloaded with htmx when the district
    changes. `mahallas` is the queryset of mahallas the user may choose."""

    place_options_url = "incentives:mahalla-options"

    def setup_place(self, mahallas, purpose: str) -> None:
        self.mahallas = mahallas
        districts = Territory.objects.filter(
            kind=Territory.Kind.DISTRICT, pk__in=mahallas.values("parent")
        ).order_by("name_uz")
        district_field = self.fields["district"]
        district_field.queryset = districts
        choices = list(districts[:2])
        if len(choices) == 1:
            district_field.initial = choices[0].pk
        district_field.widget.attrs.update(
            {
                "hx-get": reverse(self.place_options_url) + f"?for={purpose}",
                "hx-target": f"#{self['mahalla'].id_for_label}",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
                "hx-include": "this",
            }
        )
        if self.is_bound:
            district = self.data.get(self.add_prefix("district"))
        else:
            district = self.initial.get("district", district_field.initial)
        district_id = getattr(district, "pk", district)
        if not str(district_id or "").isdigit():
            district_id = None
        mahalla_field = self.fields["mahalla"]
        mahalla_field.queryset = (
            mahallas.filter(parent_id=district_id).order_by("name_uz")
            if district_id
            else mahallas.none()
        )
        only = list(mahalla_field.queryset[:2])
        if len(only) == 1:
            mahalla_field.initial = only[0].pk


def _place_fields():
    return {
        "district": forms.ModelChoiceField(queryset=None, label=_("District or city")),
        "mahalla": forms.ModelChoiceField(queryset=None, label=_("Mahalla")),
    }


class NominationForm(PlaceFieldsMixin, IncentiveForm):
    """Putting a citizen or an organisation forward for an incentive."""

    kind = forms.ChoiceField(
        label=_("Who is nominated"),
        choices=[("citizen", _("A citizen")), ("organisation", _("An organisation"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial="citizen",
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    birth_date = _past_date(_("Date of birth"), required=False)
    document_number = forms.CharField(
        label=_("Identity document number"),
        max_length=30,
        required=False,
        help_text=_("Passport or ID card, e.g. AD1234567: it tells one person from another."),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    organisation = OrganisationNumberField(
        queryset=None,
        required=False,
        label=_("Registration number of the organisation"),
        error_messages={"invalid_choice": _("No verified organisation has this number.")},
    )
    ground = forms.ModelChoiceField(queryset=None, label=_("Ground"))
    gravity = forms.ChoiceField(
        label=_("Gravity of the crime"),
        choices=[("", _("— not applicable —")), *Gravity.choices],
        required=False,
        help_text=_("Needed for grounds that depend on the gravity of the crime."),
    )
    event_date = _past_date(_("Date of the event"))
    district = _place_fields()["district"]
    mahalla = _place_fields()["mahalla"]
    facts = _text(_("Facts: what the person did"), rows=5, max_length=4000)
    proposed_amount = amount_field(
        _("Proposed amount, so'm"),
        initial=0,
        help_text=_("0 for a non-cash incentive. It decides which commission reviews it."),
    )
    consent_to_publish = forms.BooleanField(
        label=_("The nominee agrees to have the name published in the award register"),
        required=False,
    )
    files = MultipleFileField(
        max_files=MAX_FILES,
        required=False,
        label=_("Evidence: photos or PDF documents"),
        help_text=_("JPEG, PNG, WebP or PDF; you may choose several files."),
    )

    def __init__(self, *args, mahallas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ground"].queryset = IncentiveGround.objects.filter(is_active=True)
        self.fields["organisation"].queryset = organisations_public()
        self.setup_place(mahallas, "nomination")
        for name in ("full_name", "document_number"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean(self):
        data = super().clean()
        if data.get("kind") == "citizen":
            for name in ("full_name", "document_number"):
                if not (data.get(name) or "").strip() and name not in self.errors:
                    self.add_error(name, _("Needed for a citizen."))
        elif (
            data.get("kind") == "organisation"
            and not data.get("organisation")
            and "organisation" not in self.errors
        ):
            self.add_error("organisation", _("Give the organisation's registration number."))
        ground = data.get("ground")
        if ground is not None and ground.has_gravity and not data.get("gravity"):
            self.add_error("gravity", _("Give the gravity of the crime."))
        return data

    def nomination_data(self) -> dict:
        """The cleaned values as incentives.services.nomination_submit takes them."""
        data = self.cleaned_data
        citizen = data["kind"] == "citizen"
        return {
            "kind": data["kind"],
            "full_name": data["full_name"] if citizen else "",
            "birth_date": data["birth_date"] if citizen else None,
            "document_number": data["document_number"] if citizen else "",
            "address": data["address"] if citizen else "",
            "phone": data["phone"] if citizen else "",
            "organisation": None if citizen else data["organisation"],
            "ground": data["ground"],
            "gravity": data["gravity"] if data["ground"].has_gravity else "",
            "event_date": data["event_date"],
            "mahalla": data["mahalla"],
            "facts": data["facts"],
            "proposed_amount": data["proposed_amount"],
            "consent_to_publish": data["consent_to_publish"],
            "files": data["files"],
        }


class DecisionForm(IncentiveForm):
    """The commission's decision on a nomination. What each decision needs (a number and a
    date to award, a reason to reduce or refuse) is checked by the services as well."""

    APPROVE, REDUCE, REJECT, FORWARD = "approve", "reduce", "reject", "forward"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (APPROVE, _("Award as proposed")),
            (REDUCE, _("Award a smaller amount")),
            (REJECT, _("Refuse")),
            (FORWARD, _("Forward to the commission above")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    incentive_type = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Type of incentive")
    )
    amount = amount_field(_("Amount, so'm"), required=False)
    decision_number = forms.CharField(label=_("Decision number"), max_length=50, required=False)
    decision_date = _past_date(_("Decision date"), required=False)
    reason = _text(
        _("Reason"),
        rows=2,
        required=False,
        help_text=_("Required to reduce or refuse; the nominator sees it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incentive_type"].queryset = IncentiveType.objects.filter(is_active=True)
        self.fields["decision_date"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision in (self.APPROVE, self.REDUCE):
            for name, message in (
                ("incentive_type", _("Choose the type of incentive.")),
                ("amount", _("Give the amount (0 for a non-cash incentive).")),
                ("decision_number", _("Give the decision number.")),
                ("decision_date", _("Give the decision date.")),
            ):
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, message)
        if decision in (self.REDUCE, self.REJECT) and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason."))
        return data


class PaymentForm(IncentiveForm):
    paid_on = _past_date(_("Paid on"))
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=100,
        help_text=_("The number of the payment order or of the handover act."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class ReasonForm(IncentiveForm):
    reason = _text(_("Reason"), rows=2)


class CommentForm(IncentiveForm):
    text = _text(_("Comment"), rows=2)


class EvidenceForm(IncentiveForm):
    files = MultipleFileField(
        max_files=MAX_FILES,
        label=_("Add evidence"),
        help_text=_("JPEG, PNG, WebP or PDF; you may choose several files."),
    )


class SocialCaseForm(PlaceFieldsMixin, IncentiveForm):
    """Opening the case of a citizen harmed while helping."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    document_number = forms.CharField(label=_("Identity document number"), max_length=30)
    birth_date = _past_date(_("Date of birth"), required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    event_date = _past_date(_("Date of the event"))
    district = _place_fields()["district"]
    mahalla = _place_fields()["mahalla"]
    harm = _text(_("Harm suffered and how it happened"), rows=5, max_length=4000)

    def __init__(self, *args, mahallas, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_place(mahallas, "social")

    def case_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("district")
        return data


class SocialDecisionForm(IncentiveForm):
    SUPPORT, REJECT = "support", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(SUPPORT, _("Give support")), (REJECT, _("Refuse"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    support = forms.ChoiceField(
        label=_("Support"),
        choices=[("", "—"), *SocialProtectionCase.Support.choices],
        required=False,
    )
    amount = amount_field(_("Amount, so'm"), required=False, initial=0)
    decision_number = forms.CharField(label=_("Decision number"), max_length=50, required=False)
    decision_date = _past_date(_("Decision date"), required=False)
    details = _text(_("Details of the support"), rows=2, required=False)
    reason = _text(_("Reason for the refusal"), rows=2, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_date"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.SUPPORT:
            for name, message in (
                ("support", _("Choose the support.")),
                ("decision_number", _("Give the decision number.")),
                ("decision_date", _("Give the decision date.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        if data.get("decision") == self.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the refusal."))
        return data
