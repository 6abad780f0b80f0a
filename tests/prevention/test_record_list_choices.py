"""The record list's mahalla and inspector lists stay short for wide scopes."""

import pytest
from django.urls import reverse

from mahalla.models import Territory
from prevention.views import records

pytestmark = pytest.mark.django_db
URL = "prevention:record-list"


def _options(response, name: str) -> list:
    return [
        value for value, _label in response.context["filterset"].form.fields[name].widget.choices
    ]


def test_a_wide_scope_lists_mahallas_once_a_district_is_chosen(
    client, demo_user, mahalla_a, monkeypatch
):
    # The tiny demo tree has few mahallas; a low cap stands for the national tree.
    monkeypatch.setattr(records, "MAX_CHOICES", 2)
    client.force_login(demo_user("officer.republic"))
    response = client.get(reverse(URL))
    assert _options(response, "mahalla") == [""]
    assert response.context["filterset"].form.fields["mahalla"].help_text  # "choose a district"
    district = client.get(reverse(URL), {"district": mahalla_a.parent_id})
    offered = set(_options(district, "mahalla")) - {""}
    in_district = Territory.objects.filter(parent_id=mahalla_a.parent_id)
    assert offered and offered <= set(in_district.values_list("pk", flat=True))
    # A mahalla given in the address still filters, listed or not.
    chosen = client.get(reverse(URL), {"mahalla": mahalla_a.pk})
    assert chosen.status_code == 200
    assert all(r.mahalla_id == mahalla_a.pk for r in chosen.context["page"].items)


def test_a_district_scope_lists_its_mahallas_at_once(client, demo_user, mahalla_a):
    client.force_login(demo_user("officer.district"))
    assert mahalla_a.pk in _options(client.get(reverse(URL)), "mahalla")


def test_a_district_that_is_no_id_is_a_400_not_an_error(client, demo_user):
    client.force_login(demo_user("officer.republic"))
    for value in ["99999999999999999999", "x", "-1"]:
        assert client.get(reverse(URL), {"district": value}).status_code == 400
