"""Filters of the incentives' lists, shared by the pages and the API (one set per list).

Territories are public reference data; a territory filter keeps the node and everything
under it with one indexed prefix condition on the materialised path. Commissions offered are
those the user may see, so an id out of scope is refused like an unknown one.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.forms import DateInput
from incentives.models import (
    Fund,
    IncentiveGround,
    IncentiveType,
    Level,
    Nomination,
    SocialProtectionCase,
)
from incentives.permissions import commissions_visible_to
from mahalla.models import Territory
from partnership.forms.activities import FilterForm


def _visible_commissions(request):
    if request is None:
        return commissions_visible_to(None)
    return commissions_visible_to(request.user)


# It takes a territory's id under a name that is no model field, which the schema cannot guess.
@extend_schema_field(OpenApiTypes.INT)
class SubtreeFilter(django_filters.ModelChoiceFilter):
    """A territory node and everything under it."""

    def __init__(self, *args, path_field: str, **kwargs):
        self.path_field = path_field
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ([], (), {}, "", None):
            return qs
        return qs.filter(**{f"{self.path_field}__startswith": value.path})


def territory_filter(path_field: str, label=None, kinds=None) -> SubtreeFilter:
    queryset = Territory.objects.all()
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    return SubtreeFilter(
        path_field=path_field,
        queryset=queryset.order_by("path"),
        label=label or _("Territory"),
        help_text=_("Id of a territory node: the node and everything under it."),
    )


def _ground_filter():
    return django_filters.ModelChoiceFilter(
        queryset=IncentiveGround.objects.all(), label=_("Ground")
    )


class NominationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=Nomination.State.choices, label=_("State"))
    kind = django_filters.ChoiceFilter(choices=Nomination.Kind.choices, label=_("Nominee"))
    ground = _ground_filter()
    level = django_filters.ChoiceFilter(
        field_name="commission__level", choices=Level.choices, label=_("Commission level")
    )
    commission = django_filters.ModelChoiceFilter(
        queryset=_visible_commissions, label=_("Commission")
    )
    territory = territory_filter("mahalla__path", _("Where it happened"))
    event_from = django_filters.DateFilter(
        field_name="event_date", lookup_expr="gte", label=_("Event from"), widget=DateInput
    )
    event_to = django_filters.DateFilter(
        field_name="event_date", lookup_expr="lte", label=_("Event to"), widget=DateInput
    )

    class Meta:
        model = Nomination
        fields = ["state", "kind", "ground", "level", "commission", "territory"]
        form = FilterForm


class AwardFilter(django_filters.FilterSet):
    """Awards decided (approved, paid or reversed), by decision date."""

    state = django_filters.ChoiceFilter(
        choices=[
            (Nomination.State.APPROVED, Nomination.State.APPROVED.label),
            (Nomination.State.PAID, Nomination.State.PAID.label),
            (Nomination.State.REVERSED, Nomination.State.REVERSED.label),
        ],
        label=_("State"),
    )
    ground = _ground_filter()
    incentive_type = django_filters.ModelChoiceFilter(
        queryset=IncentiveType.objects.all(), label=_("Type of incentive")
    )
    commission = django_filters.ModelChoiceFilter(
        queryset=_visible_commissions, label=_("Commission")
    )
    territory = territory_filter("mahalla__path")
    decided_from = django_filters.DateFilter(
        field_name="decision_date", lookup_expr="gte", label=_("Decided from"), widget=DateInput
    )
    decided_to = django_filters.DateFilter(
        field_name="decision_date", lookup_expr="lte", label=_("Decided to"), widget=DateInput
    )

    class Meta:
        model = Nomination
        fields = ["state", "ground", "incentive_type", "commission", "territory"]
        form = FilterForm


class AwardRegisterFilter(django_filters.FilterSet):
    """The public register: only what it shows can be filtered on."""

    region = territory_filter("mahalla__path", _("Region"), kinds=[Territory.Kind.REGION])
    ground = _ground_filter()
    incentive_type = django_filters.ModelChoiceFilter(
        queryset=IncentiveType.objects.all(), label=_("Type of incentive")
    )
    year = django_filters.NumberFilter(
        field_name="decision_date",
        lookup_expr="year",
        label=_("Year"),
        min_value=2000,
        max_value=2100,
    )
    month = django_filters.NumberFilter(
        field_name="decision_date",
        lookup_expr="month",
        label=_("Month"),
        min_value=1,
        max_value=12,
    )

    class Meta:
        model = Nomination
        fields = ["region", "ground", "incentive_type", "year", "month"]
        form = FilterForm


class FundFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"), min_value=2000, max_value=2100)
    level = django_filters.ChoiceFilter(
        field_name="commission__level", choices=Level.choices, label=_("Commission level")
    )
    territory = territory_filter("commission__territory__path")

    class Meta:
        model = Fund
        fields = ["year", "level", "territory"]
        form = FilterForm


class SocialCaseFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=SocialProtectionCase.State.choices, label=_("State")
    )
    territory = territory_filter("mahalla__path", _("Where it happened"))

    class Meta:
        model = SocialProtectionCase
        fields = ["state", "territory"]
        form = FilterForm
