"""Forms of the organisation registry: the public application, the profile, staff invitations,
the verification decision and the filters of the list and its export.

Choice lists come from the user's scope (passed in by the view), so a value outside it is a
form error, never a 500 or a leak.
"""

from itertools import groupby

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.forms import BootstrapFormMixin, PlainTextFormMixin
from core.i18n import language_suffix
from mahalla.models import Territory
from partnership.models import Organisation, PartnershipArea

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{4,30}$",
    _("Enter a phone number of digits, e.g. +998 71 123 45 67."),
)


def districts() -> QuerySet[Territory]:
    """Districts and cities in force today, ordered by region, then by name, in the active
    language."""
    suffix = language_suffix()
    today = timezone.localdate()
    return (
        Territory.objects.filter(kind=Territory.Kind.DISTRICT)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("parent")
        .order_by(f"parent__name_{suffix}", "parent_id", f"name_{suffix}", "id")
    )


class _GroupedByRegion(ModelChoiceIterator):
    """Options grouped under their region (<optgroup>), in one query."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for region, items in groupby(self.queryset, key=lambda district: district.parent):
            yield (region.name, [self.choice(district) for district in items])


class DistrictChoiceField(forms.ModelChoiceField):
    iterator = _GroupedByRegion

    def label_from_instance(self, obj):
        return obj.name


class AreaChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=PartnershipArea.objects.filter(is_active=True).order_by("order", "code"),
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            required=False,
            label=_("Areas of activity"),
            **kwargs,
        )


class _ContactsMixin(forms.Form):
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=32, required=False, validators=[phone_validator]
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    website = forms.URLField(
        label=_("Website"), required=False, assume_scheme="https", max_length=200
    )


class OrganisationApplyForm(BootstrapFormMixin, _ContactsMixin, forms.Form):
    """The public application: the organisation waits for an officer's verification."""

    name = forms.CharField(label=_("Name of the organisation"), max_length=300)
    kind = forms.ChoiceField(label=_("Type"), choices=Organisation.Kind.choices)
    registration_number = forms.CharField(
        label=_("Registration number"),
        max_length=50,
        help_text=_("As in the certificate of state registration."),
    )
    territory = DistrictChoiceField(
        queryset=Territory.objects.none(),
        label=_("District or city"),
        empty_label=_("Choose…"),
    )
    areas = AreaChoiceField()
    applicant_name = forms.CharField(label=_("Your full name"), max_length=200)
    applicant_email = forms.EmailField(
        label=_("Your e-mail"),
        help_text=_("Once the organisation is verified, we send the sign-in link here."),
    )

    field_order = [
        "name",
        "kind",
        "registration_number",
        "territory",
        "areas",
        "address",
        "phone",
        "email",
        "website",
        "applicant_name",
        "applicant_email",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = districts()

    def clean_registration_number(self):
        number = self.cleaned_data["registration_number"].strip()
        # Checked again, under a lock, by the service; here to show every error at once.
        if Organisation.objects.filter(registration_number__iexact=number).exists():
            raise forms.ValidationError(
                _("An organisation with registration number %(number)s is already registered."),
                params={"number": number},
                code="duplicate",
            )
        return number


class OrganisationProfileForm(BootstrapFormMixin, _ContactsMixin, forms.Form):
    """What the organisation itself may change; registration number and territory are set at
    verification and changed by the registry only."""

    name = forms.CharField(label=_("Name of the organisation"), max_length=300)
    areas = AreaChoiceField()

    field_order = ["name", "areas", "address", "phone", "email", "website"]

    FIELDS = ("name", "address", "phone", "email", "website")

    @classmethod
    def initial_for(cls, organisation: Organisation) -> dict:
        initial = {name: getattr(organisation, name) for name in cls.FIELDS}
        initial["areas"] = list(organisation.areas.all())
        return initial


class StaffInviteForm(BootstrapFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.NGO_STAFF, Role.NGO_STAFF.label), (Role.NGO_ADMIN, Role.NGO_ADMIN.label)],
        initial=Role.NGO_STAFF,
    )


class VerificationForm(PlainTextFormMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "approve"), ("reject", "reject")],
        error_messages={"required": _("Choose to approve or to reject the application.")},
    )
    # Where a browser without JavaScript returns to: the queue, or the organisation's page.
    next = forms.ChoiceField(choices=[("queue", "queue"), ("detail", "detail")], required=False)


class StaffActionForm(PlainTextFormMixin, forms.Form):
    """A button with no fields: the form only carries the refusal of a business rule."""


class _DistrictFilter(django_filters.ModelChoiceFilter):
    field_class = DistrictChoiceField


class OrganisationFilter(django_filters.FilterSet):
    """Filters of the organisation list and its export."""

    q = django_filters.CharFilter(
        method="filter_q", label=_("Name or registration number"), max_length=100
    )
    kind = django_filters.ChoiceFilter(
        choices=Organisation.Kind.choices, label=_("Type"), empty_label=_("All")
    )
    verification = django_filters.ChoiceFilter(
        choices=Organisation.Verification.choices, label=_("Verification"), empty_label=_("All")
    )
    district = _DistrictFilter(
        queryset=Territory.objects.none(),
        method="filter_district",
        label=_("District or city"),
        empty_label=_("All"),
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "verification", "district"]

    def __init__(self, *args, districts: QuerySet[Territory], **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["district"].queryset = districts
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(registration_number__iexact=value))

    def filter_district(self, queryset, name, value):
        # Under the district, not at it: an organisation may be registered at a mahalla.
        return queryset.filter(territory__path__startswith=value.path)
