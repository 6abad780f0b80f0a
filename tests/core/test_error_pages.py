import pytest
from django.test import RequestFactory

from core.views import server_error_view

pytestmark = pytest.mark.django_db


def test_404_page_is_the_portal_page(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'id="main"' in response.content.decode()


def test_500_page_renders_without_context_or_database():
    response = server_error_view(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"<h1" in response.content


def test_source_link_in_the_footer_when_configured(client, settings):
    settings.PORTAL_SOURCE_URL = "https://git.example.uz/hamkorlik"
    assert b"https://git.example.uz/hamkorlik" in client.get("/").content
