"""Filters of the partnership API's lists (STYLE.md §5). Every filter has an index behind it
or narrows an already scoped, paginated list.

Choices of organisations and agreements are limited to what the requesting user may see, so
that filtering by an id out of scope is refused exactly like an unknown id and its existence
does not leak. Territories and units are public reference data.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.models import Notification
from core.forms import DateInput
from mahalla.models import Territory
from partnership.models import (
    Agreement,
    InformationRequest,
    JointActivity,
    Obligation,
    Organisation,
    PartnershipArea,
)
from partnership.permissions import (
    agreements_visible_to,
    organisations_public,
    organisations_visible_to,
)
from prevention.models import Unit


def _visible_organisations(request):
    if request is None:
        return Organisation.objects.none()
    return organisations_visible_to(request.user)


def _visible_agreements(request):
    if request is None:
        return Agreement.objects.none()
    return agreements_visible_to(request.user)


def _public_organisations(request):
    return organisations_public()


class _SubtreeFilter(django_filters.ModelChoiceFilter):
    """A territory node and everything under it (vertical subordination, one indexed prefix
    condition on the materialised path)."""

    def filter(self, qs, value):
        if value in ([], (), {}, "", None):
            return qs
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path})


def _territory_filter(field_name: str, label) -> _SubtreeFilter:
    return _SubtreeFilter(
        field_name=field_name,
        queryset=Territory.objects.all(),
        label=label,
        help_text=_("Id of a territory node: the node and everything under it."),
    )


def _unit_filter() -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("MIA unit"))


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Name contains"), max_length=100
    )
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices, label=_("Type"))
    verification = django_filters.ChoiceFilter(
        choices=Organisation.Verification.choices, label=_("Verification")
    )
    territory = _territory_filter("territory", _("Territory"))

    class Meta:
        model = Organisation
        fields = ["q", "kind", "verification", "territory"]


class AgreementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Agreement.Status.choices, label=_("Status"))
    unit = _unit_filter()
    organisation = django_filters.ModelChoiceFilter(
        field_name="organisations",
        queryset=_visible_organisations,
        label=_("Organisation"),
    )
    area = django_filters.ModelChoiceFilter(
        field_name="areas", queryset=PartnershipArea.objects.all(), label=_("Area")
    )
    is_public = django_filters.BooleanFilter(label=_("Public"))

    class Meta:
        model = Agreement
        fields = ["status", "unit", "organisation", "area", "is_public"]


class RegistryFilter(django_filters.FilterSet):
    """The public registry: only what the registry shows can be filtered on."""

    unit = _unit_filter()
    organisation = django_filters.ModelChoiceFilter(
        field_name="organisations",
        queryset=_public_organisations,
        label=_("Organisation"),
    )
    area = django_filters.ModelChoiceFilter(
        field_name="areas", queryset=PartnershipArea.objects.all(), label=_("Area")
    )

    class Meta:
        model = Agreement
        fields = ["unit", "organisation", "area"]


class ObligationFilter(django_filters.FilterSet):
    agreement = django_filters.ModelChoiceFilter(queryset=_visible_agreements, label=_("Agreement"))
    state = django_filters.ChoiceFilter(choices=Obligation.State.choices, label=_("State"))
    party = django_filters.ChoiceFilter(
        choices=Obligation.Party.choices, label=_("Responsible party")
    )

    class Meta:
        model = Obligation
        fields = ["agreement", "state", "party"]


class ActivityFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=JointActivity.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(
        choices=JointActivity.Kind.choices, label=_("Kind of activity")
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=_visible_organisations, label=_("Organisation")
    )
    unit = _unit_filter()
    place = _territory_filter("place", _("Place"))
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("From"), widget=DateInput
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("To"), widget=DateInput
    )

    class Meta:
        model = JointActivity
        fields = ["status", "kind", "organisation", "unit", "place", "date_from", "date_to"]


class RequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=InformationRequest.State.choices, label=_("State"))
    direction = django_filters.ChoiceFilter(
        choices=InformationRequest.Direction.choices, label=_("Direction")
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=_visible_organisations, label=_("Organisation")
    )
    unit = _unit_filter()

    class Meta:
        model = InformationRequest
        fields = ["state", "direction", "organisation", "unit"]


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=_("Not read yet")
    )

    class Meta:
        model = Notification
        fields = ["unread"]
