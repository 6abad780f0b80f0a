import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from core.forms import DateInput
from mahalla.models import Territory
from prevention.models import (
    AccountabilityMeeting,
    Inspector,
    PeriodApproval,
    PreventionRecord,
    RegisterCategory,
    RegisterEntry,
)


class PreventionRecordFilter(django_filters.FilterSet):
    """Filters of the record list and API. Every filter has an index behind it."""

    kind = django_filters.ChoiceFilter(
        choices=PreventionRecord.Kind.choices, label=_("Kind of prevention")
    )
    measure = django_filters.ChoiceFilter(
        choices=PreventionRecord.Measure.choices, label=_("Measure")
    )
    mahalla = django_filters.ModelChoiceFilter(
        queryset=Territory.objects.filter(kind=Territory.Kind.MAHALLA), label=_("Mahalla")
    )
    district = django_filters.ModelChoiceFilter(
        queryset=Territory.objects.filter(kind=Territory.Kind.DISTRICT),
        field_name="mahalla__parent",
        label=_("District"),
    )
    inspector = django_filters.ModelChoiceFilter(
        queryset=Inspector.objects.all(), label=_("Inspector")
    )
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("From"), widget=DateInput
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("To"), widget=DateInput
    )

    class Meta:
        model = PreventionRecord
        fields = ["kind", "measure", "mahalla", "district", "inspector", "date_from", "date_to"]


class RegisterEntryFilter(django_filters.FilterSet):
    mahalla = django_filters.ModelChoiceFilter(
        queryset=Territory.objects.filter(kind=Territory.Kind.MAHALLA), label=_("Mahalla")
    )
    district = django_filters.ModelChoiceFilter(
        queryset=Territory.objects.filter(kind=Territory.Kind.DISTRICT),
        field_name="mahalla__parent",
        label=_("District"),
    )
    category = django_filters.ModelChoiceFilter(
        queryset=RegisterCategory.objects.all(), label=_("Category")
    )
    on_register = django_filters.BooleanFilter(
        field_name="removed_on", lookup_expr="isnull", label=_("Still on the register")
    )

    class Meta:
        model = RegisterEntry
        fields = ["mahalla", "district", "category", "on_register"]


class MeetingFilter(django_filters.FilterSet):
    mahalla = django_filters.ModelChoiceFilter(
        queryset=Territory.objects.filter(kind=Territory.Kind.MAHALLA), label=_("Mahalla")
    )
    status = django_filters.ChoiceFilter(
        choices=AccountabilityMeeting.Status.choices, label=_("Status")
    )
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("From"), widget=DateInput
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("To"), widget=DateInput
    )

    class Meta:
        model = AccountabilityMeeting
        fields = ["mahalla", "status", "date_from", "date_to"]


# A month is given as the browser's month input sends it ("2026-05"); the schema cannot tell
# that from the date it is parsed into.
@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}$",
        "example": "2026-05",
        "description": _("The month as YYYY-MM."),
    }
)
class MonthFilter(django_filters.DateFilter):
    """A month as YYYY-MM, matched against the first day of the month stored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m"])
        kwargs.setdefault("widget", forms.DateInput(format="%Y-%m", attrs={"type": "month"}))
        super().__init__(*args, **kwargs)


class PeriodApprovalFilter(django_filters.FilterSet):
    """Filters of the period approvals (the approvals page and the API)."""

    month = MonthFilter(
        label=_("Month"),
        error_messages={"invalid": _("Give the month as YYYY-MM.")},
    )
    state = django_filters.ChoiceFilter(choices=PeriodApproval.State.choices, label=_("State"))
    district = django_filters.ModelChoiceFilter(
        queryset=Territory.objects.filter(kind=Territory.Kind.DISTRICT), label=_("District")
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Territory.objects.filter(kind=Territory.Kind.REGION),
        field_name="district__parent",
        label=_("Region"),
    )

    class Meta:
        model = PeriodApproval
        fields = ["month", "state", "district", "region"]
