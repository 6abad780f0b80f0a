"""The web app manifest that installs the portal on a phone's home screen."""

import json

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils import translation
from PIL import Image

pytestmark = pytest.mark.django_db

LANGUAGES = {"uz": "uz", "uz-cyrl": "uz-Cyrl", "ru": "ru", "en": "en"}


@pytest.mark.parametrize(("language", "tag"), LANGUAGES.items())
def test_the_manifest_speaks_the_language_the_page_names(client, language, tag):
    response = client.get(f"/manifest.webmanifest?lang={language}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["lang"] == tag
    with translation.override(language):
        assert manifest["name"] == translation.gettext("Hamkorlik: cooperation portal")
        assert manifest["short_name"] == str(settings.PORTAL_NAME)
    assert manifest["description"]
    assert manifest["start_url"] == manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b4f8a"


def test_without_a_language_the_request_language_is_used(client):
    manifest = client.get("/manifest.webmanifest?lang=xx", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert manifest["lang"] == "ru"


def test_the_manifest_needs_no_login_and_is_linked_from_every_page(client):
    assert client.get("/manifest.webmanifest").status_code == 200
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest?lang=en">' in page
    assert '<meta name="theme-color" content="#0b4f8a">' in page


def test_every_icon_exists_in_its_size(client):
    icons = client.get("/manifest.webmanifest").json()["icons"]
    assert {icon.get("purpose", "any") for icon in icons} == {"any", "maskable"}
    for icon in icons:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        assert path, icon["src"]
        width, height = (int(n) for n in icon["sizes"].split("x"))
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size == (width, height)
