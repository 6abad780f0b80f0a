"""Forms of the joint-activity and information-request pages.

Choice lists come from the user's scope (the view passes them in), so a value outside it is a
form error (400), never a 500 or a leak. Business rules (dates inside the agreement, the place
inside the unit's territory, file contents) stay in partnership.services; the view shows their
refusals on the field they name.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, DateInput, MultipleFileField
from mahalla.models import Territory
from partnership.models import InformationRequest, JointActivity, Organisation

MAX_FILES = 10
PARTICIPANT_GROUPS = (
    "participants_youth",
    "participants_women",
    "participants_minors",
    "participants_others",
)


def _single_choice(field: forms.ModelChoiceField) -> None:
    """With one choice only, the field is sent hidden and the page shows its name (`fixed`)."""
    choices = list(field.queryset[:2])
    field.fixed = choices[0] if len(choices) == 1 else None
    if field.fixed is not None:
        field.widget = forms.HiddenInput()
        field.initial = field.fixed.pk


def _district_of(place: Territory | None) -> Territory | None:
    if place is None:
        return None
    return place.parent if place.kind == Territory.Kind.MAHALLA else place


# --- Joint activities -----------------------------------------------------------------------


class ActivityForm(BootstrapFormMixin, forms.Form):
    """Logging a joint activity; `organisation` is left out when correcting one."""

    organisation = forms.ModelChoiceField(queryset=None, label=_("Organisation"), empty_label=None)
    agreement = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Agreement"),
        empty_label=_("— without an agreement —"),
    )
    unit = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("MIA unit"),
        empty_label=_("— the agreement's unit —"),
        help_text=_("Leave it empty to use the unit of the chosen agreement."),
    )
    district = forms.ModelChoiceField(queryset=None, label=_("District or city"))
    mahalla = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Mahalla"),
        empty_label=_("— the whole district —"),
    )
    kind = forms.ChoiceField(choices=JointActivity.Kind.choices, label=_("Kind of activity"))
    date = forms.DateField(label=_("Date"), widget=DateInput)
    participants_youth = forms.IntegerField(
        label=_("Young people"), min_value=0, max_value=1_000_000, initial=0
    )
    participants_women = forms.IntegerField(
        label=_("Women"), min_value=0, max_value=1_000_000, initial=0
    )
    participants_minors = forms.IntegerField(
        label=_("Minors"), min_value=0, max_value=1_000_000, initial=0
    )
    participants_others = forms.IntegerField(
        label=_("Others"), min_value=0, max_value=1_000_000, initial=0
    )
    description = forms.CharField(
        label=_("Description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = MultipleFileField(
        max_files=MAX_FILES,
        required=False,
        label=_("Evidence: photos or PDF documents"),
        help_text=_("JPEG, PNG, WebP or PDF; you may choose several files."),
    )

    def __init__(
        self, *args, organisations=None, agreements, units, districts, mahallas_of, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations
            _single_choice(self.fields["organisation"])
        self.fields["agreement"].queryset = agreements
        self.fields["unit"].queryset = units
        self.fields["district"].queryset = districts
        self.fields["district"].widget.attrs.update(
            {
                "hx-get": reverse("partnership:activity-mahallas"),
                "hx-target": f"#{self['mahalla'].id_for_label}",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
            }
        )
        # The mahallas offered are those of the district chosen (the one posted, or the initial
        # one); the page reloads them with htmx when the district changes.
        district = self.data.get(self.add_prefix("district")) or self.initial.get("district")
        district_id = getattr(district, "pk", district)
        if not str(district_id or "").isdigit():
            district_id = None
        self.fields["mahalla"].queryset = mahallas_of(district_id)
        today = timezone.localdate().isoformat()
        self.fields["date"].widget.attrs["max"] = today
        for name in PARTICIPANT_GROUPS:
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "min": 0})

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self):
        data = super().clean()
        if not data.get("unit"):
            if data.get("agreement"):
                data["unit"] = data["agreement"].unit
            elif "unit" not in self.errors:
                self.add_error("unit", _("Choose the MIA unit, or an agreement."))
        return data

    def activity_data(self) -> dict:
        """The cleaned values as partnership.services.activity_log/activity_update take them."""
        data = self.cleaned_data
        return {
            "agreement": data.get("agreement"),
            "unit": data["unit"],
            "place": data.get("mahalla") or data["district"],
            "kind": data["kind"],
            "date": data["date"],
            **{name: data[name] for name in PARTICIPANT_GROUPS},
            "description": data["description"],
            "outcome": data.get("outcome") or "",
        }

    @staticmethod
    def initial_for(activity: JointActivity) -> dict:
        """The form's initial values from an activity being corrected."""
        place = activity.place
        return {
            "agreement": activity.agreement_id,
            "unit": activity.unit_id,
            "district": _district_of(place),
            "mahalla": place.pk if place.kind == Territory.Kind.MAHALLA else None,
            "kind": activity.kind,
            "date": activity.date,
            **{name: getattr(activity, name) for name in PARTICIPANT_GROUPS},
            "description": activity.description,
            "outcome": activity.outcome,
        }


class ActivityReviewForm(BootstrapFormMixin, forms.Form):
    """The counterpart's decision; the reason a dispute needs is required by the service."""

    decision = forms.ChoiceField(
        choices=[("confirm", _("Confirm")), ("dispute", _("Dispute"))], label=_("Decision")
    )
    reason = forms.CharField(
        label=_("Reason for the dispute"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to dispute: say what does not match."),
    )


class FilterForm(BootstrapFormMixin, forms.Form):
    """The form of a page's filters, styled like every other form."""


class ActivityFilter(django_filters.FilterSet):
    """Filters of the activity list; the view narrows the choices to the user's scope."""

    status = django_filters.ChoiceFilter(choices=JointActivity.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(
        choices=JointActivity.Kind.choices, label=_("Kind of activity")
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )
    district = django_filters.ModelChoiceFilter(
        queryset=Territory.objects.none(), label=_("District or city"), method="filter_district"
    )
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("From"), widget=DateInput
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("To"), widget=DateInput
    )

    class Meta:
        model = JointActivity
        fields = ["status", "kind", "organisation", "district", "date_from", "date_to"]
        form = FilterForm

    def filter_district(self, queryset, name, value):
        # Held in the district itself, or in one of its mahallas: as a list of place ids, so
        # the planner reads each place's rows from the (place, date) index. An OR across the
        # joined place's columns cannot use an index and read every row of the dates.
        places = Territory.objects.filter(Q(pk=value.pk) | Q(parent=value)).values("pk")
        return queryset.filter(place__in=places)


# --- Information requests -------------------------------------------------------------------


class OrganisationNumberField(forms.ModelChoiceField):
    """An organisation picked by its registration number, for scopes too big for a select."""

    def __init__(self, **kwargs):
        widget = forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"})
        super().__init__(to_field_name="registration_number", widget=widget, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Organisation):
            return value.registration_number
        return value

    def to_python(self, value):
        return super().to_python((value or "").strip())


class RequestForm(BootstrapFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, label=_("Organisation"), empty_label=None)
    unit = forms.ModelChoiceField(queryset=None, label=_("MIA unit"), empty_label=None)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    text = forms.CharField(
        label=_("Request"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    due_date = forms.DateField(
        label=_("Answer due by"),
        required=False,
        widget=DateInput,
        help_text=_("15 working days from today unless you choose another date."),
    )
    files = MultipleFileField(label=_("Attachments: photos or PDF documents"))

    def __init__(self, *args, organisations, units, organisation_by_number: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation_by_number:
            self.fields["organisation"] = OrganisationNumberField(
                queryset=organisations,
                label=_("Registration number of the organisation"),
                error_messages={
                    "invalid_choice": _("No organisation in your territory has this number.")
                },
            )
        else:
            self.fields["organisation"].queryset = organisations
            _single_choice(self.fields["organisation"])
        self.fields["unit"].queryset = units
        _single_choice(self.fields["unit"])
        self.fields["due_date"].widget.attrs["min"] = timezone.localdate().isoformat()

    def clean_due_date(self):
        day = self.cleaned_data.get("due_date")
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("The answer cannot be due in the past."))
        return day


class RequestAnswerForm(BootstrapFormMixin, forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class RequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=InformationRequest.State.choices, label=_("State"))
    direction = django_filters.ChoiceFilter(
        choices=InformationRequest.Direction.choices, label=_("Direction")
    )

    class Meta:
        model = InformationRequest
        fields = ["state", "direction"]
        form = FilterForm
