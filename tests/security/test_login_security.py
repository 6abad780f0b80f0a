"""Sign-in lockout (django-axes), the API's sign-in throttle, the password rules and who may
open the admin site."""

import pytest
from axes.utils import reset as axes_reset
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import Role
from accounts.services import membership_create, user_create
from core.demo import DEMO_PASSWORD
from mahalla.models import Territory

pytestmark = pytest.mark.django_db

HOME_ADDRESS = "203.0.113.10"
OTHER_ADDRESS = "198.51.100.20"
STRONG_PASSWORD = "Tinchlik-mahalla-2026"
NON_ADMIN_USERS = [
    "council",
    "officer.republic",
    "officer.region",
    "officer.district",
    "inspector",
    "commission",
    "ngo.admin",
    "ngo.staff",
]


@pytest.fixture(autouse=True)
def empty_cache():
    # The API throttle counts in the cache, which outlives each test's transaction.
    cache.clear()
    yield
    cache.clear()


def sign_in(client, username, password, address=HOME_ADDRESS, **extra):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def fail(client, username, times, address=HOME_ADDRESS):
    """Signs in with a wrong password `times` times; returns the status codes of the answers."""
    return [
        sign_in(client, username, "not-the-password", address).status_code for _ in range(times)
    ]


# --- Lockout ---------------------------------------------------------------------------------


def test_lockout_after_the_failure_limit_refuses_even_the_right_password(client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    # The form again, with its error, four times; the fifth failure locks the account.
    assert fail(client, "inspector", settings.AXES_FAILURE_LIMIT) == [200, 200, 200, 200, 429]

    response = sign_in(client, "inspector", DEMO_PASSWORD, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 429
    assert "accounts/lockout.html" in [template.name for template in response.templates]
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page
    assert "15 minutes" in page
    assert response["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in client.session


def test_one_failure_below_the_limit_still_signs_in(client, settings):
    fail(client, "inspector", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "inspector", DEMO_PASSWORD).status_code == 302


def test_success_resets_the_failure_count(client, settings):
    fail(client, "inspector", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "inspector", DEMO_PASSWORD).status_code == 302
    client.logout()
    # Were the earlier failures still counted, the next one would lock the account.
    fail(client, "inspector", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "inspector", DEMO_PASSWORD).status_code == 302


def test_lockout_is_for_that_user_from_that_address_only(client, settings):
    fail(client, "inspector", settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "inspector", DEMO_PASSWORD).status_code == 429
    # Another user from the same address,
    assert sign_in(client, "council", DEMO_PASSWORD).status_code == 302
    client.logout()
    # and the same user from another address, sign in.
    assert sign_in(client, "inspector", DEMO_PASSWORD, OTHER_ADDRESS).status_code == 302


def test_an_administrator_can_lift_the_lockout(client, settings):
    fail(client, "inspector", settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "inspector", DEMO_PASSWORD).status_code == 429
    axes_reset(username="inspector")  # what `manage.py axes_reset_username inspector` does
    assert sign_in(client, "inspector", DEMO_PASSWORD).status_code == 302


def test_api_token_shares_the_lockout_of_the_sign_in_page(client, api_client, settings):
    fail(client, "council", settings.AXES_FAILURE_LIMIT)
    response = api_client.post(
        reverse("api:auth-token"),
        {"username": "council", "password": DEMO_PASSWORD},
        REMOTE_ADDR=HOME_ADDRESS,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 429
    # in the API's own shape, which its clients read, not the sign-in page's lockout page
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Too many failed sign-in attempts. Try again later."}
    assert response["Retry-After"] == str(15 * 60)
    assert not Token.objects.filter(user__username="council").exists()


def test_api_token_endpoint_is_rate_limited_per_address(api_client, monkeypatch):
    # The test settings lift the rates; production's "auth" rate is 20/minute.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    url = reverse("api:auth-token")
    # Different accounts, so that the lockout (per account and address) plays no part.
    for username in ["inspector", "council", "commission"]:
        response = api_client.post(
            url, {"username": username, "password": DEMO_PASSWORD}, REMOTE_ADDR=HOME_ADDRESS
        )
        assert response.status_code == 200
    refused = api_client.post(
        url, {"username": "ngo.staff", "password": DEMO_PASSWORD}, REMOTE_ADDR=HOME_ADDRESS
    )
    assert refused.status_code == 429
    assert "token" not in refused.json()
    elsewhere = api_client.post(
        url, {"username": "ngo.staff", "password": DEMO_PASSWORD}, REMOTE_ADDR=OTHER_ADDRESS
    )
    assert elsewhere.status_code == 200


# --- Password rules --------------------------------------------------------------------------

WEAK_PASSWORDS = {
    "Qisqa-2026!": "password_too_short",  # 11 characters
    "password12345": "password_too_common",
    "739164825093": "password_entirely_numeric",
    "ngo.staff.portal": "password_too_similar",
}


@pytest.mark.parametrize(("password", "code"), WEAK_PASSWORDS.items())
def test_password_change_refuses_a_weak_password(client, demo_user, password, code):
    user = demo_user("ngo.staff")
    client.force_login(user)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": DEMO_PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    codes = [error.code for error in response.context["form"].errors.as_data()["new_password2"]]
    assert code in codes
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


def test_password_change_accepts_a_strong_password(client, demo_user):
    user = demo_user("ngo.staff")
    client.force_login(user)
    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": STRONG_PASSWORD,
            "new_password2": STRONG_PASSWORD,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)


def test_the_short_password_error_names_the_length(client, demo_user):
    client.force_login(demo_user("ngo.staff"))
    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "Qisqa-2026!",
            "new_password2": "Qisqa-2026!",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "at least 12 characters" in response.content.decode()


def set_password_form_url(client, user) -> str:
    """The page an invitation or reset e-mail leads to (accounts:password-reset-confirm)."""
    link = reverse(
        "accounts:password-reset-confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    response = client.get(link)
    assert response.status_code == 302  # Django moves the token out of the address
    return response["Location"]


@pytest.mark.parametrize(("password", "code"), WEAK_PASSWORDS.items())
def test_invitation_refuses_a_weak_password(client, password, code):
    user = user_create(
        username="laylo.karimova",
        password=None,
        first_name="Laylo",
        last_name="Karimova",
        email="laylo@ezgu-qadam.uz",
    )
    if code == "password_too_similar":
        password = "laylo.karimova.uz"
    url = set_password_form_url(client, user)
    response = client.post(url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    codes = [error.code for error in response.context["form"].errors.as_data()["new_password2"]]
    assert code in codes
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_invitation_accepts_a_strong_password(client):
    user = user_create(username="laylo.karimova", password=None, email="laylo@ezgu-qadam.uz")
    url = set_password_form_url(client, user)
    response = client.post(
        url, {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)


# --- Admin site ------------------------------------------------------------------------------

ADMIN_DATA_PAGES = [
    "admin:index",
    "admin:accounts_user_changelist",
    "admin:accounts_membership_changelist",
    "admin:partnership_organisation_changelist",
]


@pytest.mark.parametrize("username", NON_ADMIN_USERS)
def test_admin_site_is_closed_to_every_role_but_the_administrator(client, demo_user, username):
    client.force_login(demo_user(username))
    for name in ADMIN_DATA_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("admin:login")), name


@pytest.mark.parametrize("username", NON_ADMIN_USERS)
def test_admin_sign_in_refuses_non_administrators(client, username):
    response = client.post(
        reverse("admin:login"),
        {"username": username, "password": DEMO_PASSWORD, "next": reverse("admin:index")},
        REMOTE_ADDR=HOME_ADDRESS,
    )
    assert response.status_code == 200  # the admin sign-in form again, with its error
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_admin_site_is_open_to_the_administrator(client, demo_user):
    client.force_login(demo_user("admin"))
    for name in ADMIN_DATA_PAGES:
        assert client.get(reverse(name)).status_code == 200, name


def test_staff_flag_without_the_administrator_role_opens_nothing(client, demo_user):
    # given: a staff account (say, flagged by mistake) holding only an inspector's membership
    user = user_create(username="staff.inspector", password=None, is_staff=True)
    user.set_password("Ichki-ishlar-2026")
    user.save()
    membership_create(
        user=user, role=Role.INSPECTOR, territory=Territory.objects.get(code="1726266")
    )
    # then: the admin's sign-in refuses it as it refuses a wrong password
    response = client.post(
        reverse("admin:login"),
        {"username": "staff.inspector", "password": "Ichki-ishlar-2026"},
        REMOTE_ADDR=HOME_ADDRESS,
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    # and signed in through the portal, every admin page sends it to the admin's sign-in
    client.force_login(user)
    for name in ADMIN_DATA_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("admin:login")), name
