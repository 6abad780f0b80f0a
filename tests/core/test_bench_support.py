"""What the benchmarks (bench/) rely on in the portal: the trivial view they measure every page
against, and the X-Query-Count header they read each request's query count from."""

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.http import JsonResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from accounts.models import User
from core.middleware import QUERY_COUNT_HEADER
from mahalla.models import Territory

pytestmark = pytest.mark.django_db

MIDDLEWARE_PATH = "core.middleware.QueryCountHeaderMiddleware"


def querying_view(request):
    # Two queries of its own, whatever the middleware adds.
    return JsonResponse({"users": User.objects.count(), "nodes": len(Territory.objects.all()[:3])})


# This module is its own URLconf (pytest.mark.urls): the portal's URLs plus a view that
# queries a known amount.
urlpatterns = [
    path("bench-test/queries", querying_view),
    path("", include("config.urls")),
]


@pytest.fixture
def query_count_on(settings):
    """The header switched on as the bench switches it on: the setting, and the middleware
    first in MIDDLEWARE. The test client builds its middleware chain at its first request,
    after this has changed the settings."""
    settings.QUERY_COUNT_HEADER = True
    settings.MIDDLEWARE = [MIDDLEWARE_PATH, *django_settings.MIDDLEWARE]


def test_ping_answers_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/ping")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "authenticated": False}


def test_ping_signed_in_reads_the_session_and_user(client, demo_user):
    client.force_login(demo_user("council"))
    response = client.get("/ping")
    assert response.json() == {"ok": True, "authenticated": True}


@pytest.mark.urls(__name__)
def test_header_counts_the_queries_of_the_request(client, query_count_on):
    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench-test/queries")
    # then
    assert response.status_code == 200
    assert len(queries) >= 2
    assert response[QUERY_COUNT_HEADER] == str(len(queries))


@pytest.mark.urls(__name__)
def test_header_counts_the_session_and_user_lookups(client, query_count_on, demo_user):
    # given
    client.force_login(demo_user("council"))
    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/ping")
    # then: the session and the user, and nothing else
    assert len(queries) == 2
    assert response[QUERY_COUNT_HEADER] == "2"


@pytest.mark.urls(__name__)
def test_ping_header_is_zero_anonymous(client, query_count_on):
    assert client.get("/ping")[QUERY_COUNT_HEADER] == "0"


@pytest.mark.urls(__name__)
def test_no_header_without_the_setting(client):
    assert MIDDLEWARE_PATH not in django_settings.MIDDLEWARE
    response = client.get("/bench-test/queries")
    assert response.status_code == 200
    assert QUERY_COUNT_HEADER not in response


@pytest.mark.urls(__name__)
def test_no_header_when_listed_but_switched_off(client, settings):
    settings.QUERY_COUNT_HEADER = False
    settings.MIDDLEWARE = [MIDDLEWARE_PATH, *django_settings.MIDDLEWARE]
    response = client.get("/bench-test/queries")
    assert response.status_code == 200
    assert QUERY_COUNT_HEADER not in response
