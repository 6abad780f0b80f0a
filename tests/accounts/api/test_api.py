import pytest

from core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_token_auth(api_client):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "inspector", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = api_client.get("/api/v1/me/").json()
    assert me["username"] == "inspector"
    assert me["memberships"][0]["role"] == "inspector"


def test_token_refused_for_a_wrong_password(api_client):
    response = api_client.post("/api/v1/auth/token/", {"username": "inspector", "password": "x"})
    assert response.status_code in (400, 401, 403)
    assert "token" not in response.json()


def test_token_endpoint_is_throttled_by_the_lockout(api_client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api_client.post("/api/v1/auth/token/", {"username": "council", "password": "x"})
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "council", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 429


def test_session_auth_and_anonymous(api_client, demo_user):
    assert api_client.get("/api/v1/me/").status_code in (401, 403)
    api_client.force_login(demo_user("council"))
    assert api_client.get("/api/v1/me/").json()["username"] == "council"


def test_out_of_scope_user_is_404(api_client, demo_user):
    inspector, region_officer = demo_user("inspector"), demo_user("officer.region")
    api_client.force_login(demo_user("officer.district"))
    assert api_client.get(f"/api/v1/users/{inspector.pk}/").status_code == 200
    assert api_client.get(f"/api/v1/users/{region_officer.pk}/").status_code == 404


def test_user_list_is_scoped_and_has_a_fixed_query_count(
    api_client, demo_user, django_assert_num_queries
):
    api_client.force_login(demo_user("officer.region"))
    with django_assert_num_queries(5):
        rows = api_client.get("/api/v1/users/").json()["results"]
    usernames = {row["username"] for row in rows}
    assert {"officer.region", "officer.district", "inspector", "commission"} <= usernames
    assert not usernames & {"officer.republic", "admin", "council", "ngo.staff"}
