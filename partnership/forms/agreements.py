"""Forms and filters of agreements and their obligations, inside the portal and in the public
registry.

Choice lists come from the user's scope (passed in by the view), so a value outside it is a
form error, never a 500 or a leak. Uploads are checked here as they are in the services (size,
type read from the content), so that a refused file is shown on its own field.
"""

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.exceptions import ApplicationError
from core.forms import BootstrapFormMixin, DateInput, MultipleFileField, PlainTextFormMixin
from core.uploads import ACCEPT, upload_check
from mahalla.models import Territory
from partnership.models import Agreement, Obligation, Organisation, PartnershipArea

MAX_DOCUMENTS = 10
MAX_PARTNERS = 20


def _checked(file):
    """The file itself, or its refusal (size, content type) as a form error."""
    try:
        upload_check(file)
    except ApplicationError as error:
        raise forms.ValidationError(error.message) from None
    return file


# --- Agreements -----------------------------------------------------------------------------


class AgreementForm(BootstrapFormMixin, forms.Form):
    number = forms.CharField(label=_("Number"), max_length=50)
    title = forms.CharField(label=_("Title"), max_length=300)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Your organisation"), empty_label=None
    )
    organisations = forms.CharField(
        label=_("Partner organisations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Registration numbers of other verified organisations, one per line or separated "
            "by commas."
        ),
    )
    unit = forms.ModelChoiceField(queryset=None, label=_("MIA unit"))
    areas = forms.ModelMultipleChoiceField(
        queryset=PartnershipArea.objects.filter(is_active=True),
        label=_("Areas of partnership"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DateInput)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_to = forms.DateField(label=_("Valid to"), widget=DateInput)
    is_public = forms.BooleanField(
        label=_("Publish in the public registry once it is active"), required=False
    )
    documents = MultipleFileField(
        max_files=None,  # counted in clean_documents, with its own message
        label=_("Documents"),
        required=False,
        help_text=_("The signed memorandum and its annexes: PDF or photos, up to 10 MB each."),
    )

    def __init__(self, *args, units, own_organisations=None, **kwargs):
        """`own_organisations`: those the user acts for (NGO staff), or None for officers, who
        name every organisation by its registration number."""
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if own_organisations is None:
            del self.fields["organisation"]
            self.fields["organisations"].required = True
            self.fields["organisations"].label = _("Organisations")
            self.fields["organisations"].help_text = _(
                "Registration numbers of verified organisations, one per line or separated "
                "by commas."
            )
        else:
            self.fields["organisation"].queryset = own_organisations

    def clean_organisations(self):
        text = self.cleaned_data["organisations"]
        numbers = list(dict.fromkeys(n for n in re.split(r"[\s,;]+", text) if n))
        if len(numbers) > MAX_PARTNERS:
            raise forms.ValidationError(
                ngettext(
                    "At most %(limit)d organisation can be named here.",
                    "At most %(limit)d organisations can be named here.",
                    MAX_PARTNERS,
                )
                % {"limit": MAX_PARTNERS}
            )
        if not numbers:
            return []
        condition = Q()
        for number in numbers:
            condition |= Q(registration_number__iexact=number)
        found = list(
            Organisation.objects.filter(
                condition, verification=Organisation.Verification.VERIFIED
            ).order_by("name")
        )
        known = {organisation.registration_number.lower() for organisation in found}
        missing = [number for number in numbers if number.lower() not in known]
        if missing:
            raise forms.ValidationError(
                _("No verified organisation has the registration number %(numbers)s.")
                % {"numbers": ", ".join(missing)}
            )
        return found

    def clean_documents(self):
        files = self.cleaned_data["documents"]
        if len(files) > MAX_DOCUMENTS:
            raise forms.ValidationError(
                _("Attach at most %(limit)d files.") % {"limit": MAX_DOCUMENTS}
            )
        errors = []
        for file in files:
            try:
                _checked(file)
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return files

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("An agreement cannot end before it starts."))
        return data

    def service_kwargs(self) -> dict:
        """The arguments of services.agreement_create."""
        data = self.cleaned_data
        organisations = list(data.get("organisations") or [])
        own = data.get("organisation")
        if own is not None:
            organisations = [own, *(o for o in organisations if o.pk != own.pk)]
        return {
            "number": data["number"],
            "title": data["title"],
            "unit": data["unit"],
            "organisations": organisations,
            "areas": data["areas"],
            "signed_on": data["signed_on"],
            "valid_from": data["valid_from"],
            "valid_to": data["valid_to"],
            "is_public": data["is_public"],
            "documents": data["documents"],
        }


class TransitionForm(PlainTextFormMixin, forms.Form):
    status = forms.ChoiceField(choices=Agreement.Status.choices)


# --- Obligations ----------------------------------------------------------------------------


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ObligationForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Obligation"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    party = forms.ChoiceField(label=_("Responsible party"), choices=Obligation.Party.choices)
    organisation = OrganisationChoiceField(
        queryset=None,
        label=_("Responsible organisation"),
        required=False,
        help_text=_("When the organisation is responsible."),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)

    def __init__(self, *args, agreement: Agreement, **kwargs):
        kwargs.setdefault("auto_id", "id_obligation_%s")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = agreement.organisations.order_by("name")

    def clean(self):
        data = super().clean()
        party = data.get("party")
        if party == Obligation.Party.ORGANISATION and not data.get("organisation"):
            self.add_error("organisation", _("Choose the responsible organisation."))
        if party == Obligation.Party.UNIT:
            data["organisation"] = None
        return data


class ObligationCompleteForm(BootstrapFormMixin, forms.Form):
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done, when, with whom."),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF or photo, up to 10 MB."),
    )

    def __init__(self, *args, obligation: Obligation, **kwargs):
        kwargs.setdefault("auto_id", f"id_done{obligation.pk}_%s")
        super().__init__(*args, **kwargs)

    def clean_evidence_file(self):
        file = self.cleaned_data["evidence_file"]
        return _checked(file) if file else None

    def clean(self):
        data = super().clean()
        if (
            not self.has_error("evidence_file")
            and not (data.get("evidence") or "").strip()
            and not data.get("evidence_file")
        ):
            self.add_error("evidence", _("Describe or attach the evidence that it is done."))
        return data


# --- Filters --------------------------------------------------------------------------------


def _regions():
    return Territory.objects.filter(kind=Territory.Kind.REGION).order_by("path")


def _districts():
    return Territory.objects.filter(kind=Territory.Kind.DISTRICT).order_by("name_uz")


class PublicAgreementFilter(django_filters.FilterSet):
    """Filters of the public registry: the unit's region and district, area, number/title."""

    q = django_filters.CharFilter(method="filter_q", label=_("Number or title"), max_length=100)
    region = django_filters.ModelChoiceFilter(
        queryset=_regions(), method="filter_territory", label=_("Region")
    )
    district = django_filters.ModelChoiceFilter(
        queryset=_districts(), method="filter_territory", label=_("District")
    )
    area = django_filters.ModelChoiceFilter(
        queryset=PartnershipArea.objects.filter(is_active=True),
        method="filter_area",
        label=_("Area of partnership"),
    )

    class Meta:
        model = Agreement
        fields = ["q", "region", "district", "area"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # With a region chosen, only its districts are offered.
        region = self.data.get("region") if self.data else None
        if region and str(region).isdigit():
            self.filters["district"].queryset = _districts().filter(parent_id=int(region))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))

    def filter_territory(self, queryset, name, value):
        return queryset.filter(unit__territory__path__startswith=value.path)

    def filter_area(self, queryset, name, value):
        # A subquery rather than a join, so the selector's counts are not multiplied.
        return queryset.filter(
            pk__in=Agreement.areas.through.objects.filter(partnershiparea=value).values(
                "agreement_id"
            )
        )


class AgreementFilter(PublicAgreementFilter):
    """Filters of the portal's agreement list: the public ones, plus status and organisation."""

    status = django_filters.ChoiceFilter(choices=Agreement.Status.choices, label=_("Status"))
    organisation = django_filters.CharFilter(
        method="filter_organisation",
        label=_("Organisation (name or registration number)"),
        max_length=100,
    )

    class Meta:
        model = Agreement
        fields = ["q", "status", "organisation", "region", "district", "area"]

    def filter_organisation(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        organisations = Organisation.objects.filter(
            Q(registration_number__iexact=value) | Q(name__icontains=value)
        )
        links = Agreement.organisations.through.objects.filter(organisation__in=organisations)
        return queryset.filter(pk__in=links.values("agreement_id"))
