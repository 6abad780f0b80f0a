import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_site_is_for_portal_administrators_only(client, demo_user):
    client.force_login(demo_user("officer.republic"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302  # not staff: sent to the admin sign-in
    client.force_login(demo_user("admin"))
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_lists_go_through_the_scope_functions(client, demo_user):
    client.force_login(demo_user("admin"))
    for name in [
        "accounts_user",
        "accounts_membership",
        "mahalla_territory",
        "partnership_organisation",
    ]:
        response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200, name


def test_territory_edit_keeps_the_search_text(client, demo_user):
    from mahalla.models import Territory

    client.force_login(demo_user("admin"))
    district = Territory.objects.get(code="1726266")
    url = reverse("admin:mahalla_territory_change", args=[district.pk])
    response = client.post(
        url,
        {
            "iso_code": "",
            "name_uz": "Yunusobod tumani",
            "name_uz_cyrl": "Юнусобод тумани",
            "name_ru": "Юнусабадский район",
            "name_en": "Yunusabad District",
            "population": "350000",
            "valid_from": "",
            "valid_to": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    district.refresh_from_db()
    assert district.name_en == "Yunusabad District"
    assert "yunusabad district" in district.search_text
    assert district.path == "17/1726/1726266/"
