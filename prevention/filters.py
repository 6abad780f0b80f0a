import django_filters
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from mahalla.models import Territory
from prevention.models import (
    AccountabilityMeeting,
    Inspector,
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
