import django_filters
from django.utils.translation import gettext_lazy as _

from mahalla.models import Territory
from mahalla.selectors import territory_search


class TerritoryFilter(django_filters.FilterSet):
    parent = django_filters.ModelChoiceFilter(queryset=Territory.objects.all(), label=_("Parent"))
    kind = django_filters.ChoiceFilter(choices=Territory.Kind.choices, label=_("Kind"))
    code = django_filters.CharFilter(label=_("Code"))
    q = django_filters.CharFilter(method="filter_q", label=_("Name in any language"))

    class Meta:
        model = Territory
        fields = ["parent", "kind", "code", "q"]

    def filter_q(self, queryset, name, value):
        return territory_search(queryset=queryset, text=value)
