import pytest
from django.urls import reverse

from core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

ROLE_SECTIONS = {
    "admin": "admin",
    "council": "council_member",
    "officer.republic": "unit_officer",
    "officer.region": "unit_officer",
    "officer.district": "unit_officer",
    "inspector": "inspector",
    "commission": "commission_member",
    "ngo.admin": "ngo_admin",
    "ngo.staff": "ngo_staff",
}


@pytest.mark.parametrize(("username", "section"), ROLE_SECTIONS.items())
def test_sign_in_lands_on_the_role_home(client, username, section):
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:home")
    assert f'data-role="{section}"' in response.content.decode()


def test_visitors_get_the_public_home(client):
    response = client.get(reverse("accounts:home"))
    assert 'data-role="public"' in response.content.decode()


def test_wrong_password_shows_an_error(client):
    response = client.post(
        reverse("accounts:login"),
        {"username": "inspector", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_failed_logins_are_throttled(client, settings):
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "inspector", "password": "wrong"})
    # then even the right password is refused for a while
    response = client.post(url, {"username": "inspector", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    # and another account from the same address is not locked
    other = client.post(url, {"username": "council", "password": DEMO_PASSWORD})
    assert other.status_code == 302


def test_logout_is_a_post(client, demo_user):
    client.force_login(demo_user("inspector"))
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, demo_user):
    user = demo_user("ngo.staff")
    client.force_login(user)
    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "tinchlik-va-hamkorlik-2026",
            "new_password2": "tinchlik-va-hamkorlik-2026",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("tinchlik-va-hamkorlik-2026")


def test_password_change_needs_sign_in(client):
    response = client.get(reverse("accounts:password-change"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_home_query_count_is_bounded(client, demo_user, django_assert_max_num_queries):
    client.force_login(demo_user("officer.republic"))
    with django_assert_max_num_queries(8):
        client.get(reverse("accounts:home"))
