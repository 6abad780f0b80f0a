"""The portal's response headers and cookies with the settings production runs with.

The test settings relax HTTPS (no redirect, no HSTS, plain cookies); config.settings.base holds
the values production gets with no variable set, and these tests put them back.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from config.settings import base as production
from core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

ONE_YEAR = 365 * 24 * 60 * 60
PAGES = [
    "accounts:home",
    "accounts:login",
    "accountability:report-archive",
    "partnership:public-registry",
]


@pytest.fixture
def production_settings(settings):
    for name in (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    ):
        setattr(settings, name, getattr(production, name))
    return settings


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_deploy_check_finds_nothing_with_production_settings(tmp_path):
    # What .ci/run does: production is DEBUG off, a real key and a real host name.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "hamkorlik.example.uz",
        "DJANGO_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(django_settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_defaults_are_the_secure_ones():
    assert production.DEBUG is False
    assert production.SECURE_SSL_REDIRECT is True
    assert production.SECURE_HSTS_SECONDS >= ONE_YEAR
    assert production.SESSION_COOKIE_SECURE is True
    assert production.CSRF_COOKIE_SECURE is True


@pytest.mark.parametrize("url_name", PAGES)
def test_security_headers_on_every_page(client, production_settings, url_name):
    response = client.get(reverse(url_name), secure=True)
    assert response.status_code == 200
    hsts = response["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= ONE_YEAR
    assert "includeSubDomains" in hsts
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("url_name", PAGES)
def test_content_security_policy_allows_only_the_portals_own_scripts(client, url_name):
    response = client.get(reverse(url_name))
    policy = csp_directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["worker-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]


def test_signed_in_pages_have_no_inline_script_or_handler(client, demo_user):
    client.force_login(demo_user("officer.district"))
    html = client.get(reverse("accounts:home")).content.decode()
    # Every <script> loads a file, except the JSON data blocks, which are never run.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html)
    assert "hx-on" not in html
    assert "javascript:" not in html
    assert not re.search(r"\sstyle=", html)


def test_service_worker_is_served_under_the_same_policy(client):
    response = client.get(reverse("accounts:service-worker"))
    assert csp_directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_api_docs_load_their_script_from_a_file(client, demo_user):
    # The Swagger UI page runs no inline script: its start-up script is a URL of its own.
    client.force_login(demo_user("officer.district"))
    response = client.get(reverse("api-docs"))
    html = response.content.decode()
    policy = csp_directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in policy["style-src"]  # drf-spectacular's <style>, this page only
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_cookies_are_secure_in_production(client, production_settings):
    response = client.post(
        reverse("accounts:login"),
        {"username": "inspector", "password": DEMO_PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    page = client.get(reverse("accounts:password-change"), secure=True)
    csrf = page.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] is True
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"


def test_plain_http_is_redirected_to_https(client, production_settings):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
