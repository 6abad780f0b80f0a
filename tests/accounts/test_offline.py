"""What the phone needs to work offline: the service worker, the session check the outbox makes
before sending, the outbox page, and a sign-out that tells the browser to forget."""

import json
import re

import pytest
from django.urls import reverse

from accounts.selectors import offline_forms

pytestmark = pytest.mark.django_db

FORMS = {
    "inspector": {
        "/prevention/records/new/",
        "/prevention/register/new/",
        "/prevention/meetings/new/",
    },
    "ngo.staff": {"/partnership/activities/new/"},
    "council": set(),
}


def config_of(page: str) -> dict:
    match = re.search(r'<script id="offline-config" type="application/json">(.*?)</script>', page)
    return json.loads(match[1])


def test_the_service_worker_is_served_from_the_root_and_checked_on_every_visit(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    config = json.loads(re.search(r"const CONFIG = (\{.*\});", script)[1])
    # Workbox and idb from the portal's own static files, never a CDN.
    assert all(url.startswith("/static/") for url in config["scripts"])
    assert "http" not in "".join(config["scripts"])
    assert set(config["pages"]) == set().union(*FORMS.values()) | {reverse("accounts:outbox")}
    assert config["lookups"] == [reverse("partnership:activity-mahallas")]
    assert all(entry["revision"] for entry in config["shell"])


def test_a_changed_shell_file_changes_the_worker(client, tmp_path, settings):
    before = client.get("/sw.js").content
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "portal.css").write_text("/* changed */")
    settings.STATICFILES_DIRS = [tmp_path, *settings.STATICFILES_DIRS]
    assert client.get("/sw.js").content != before


@pytest.mark.parametrize(("username", "paths"), FORMS.items())
def test_each_role_keeps_only_its_own_forms(client, demo_user, username, paths):
    user = demo_user(username)
    assert {reverse(form.url_name) for form in offline_forms(user)} == paths
    client.force_login(user)
    config = config_of(client.get(reverse("accounts:home")).content.decode())
    assert config["user"] == user.pk
    assert {form["url"] for form in config["forms"]} == paths


def test_visitors_get_the_worker_but_no_outbox(client):
    page = client.get(reverse("accounts:home")).content.decode()
    assert config_of(page) == {"serviceWorker": "/sw.js", "user": None}
    assert "js/outbox.js" not in page
    assert "js/offline.js" in page


def test_the_session_check_gives_a_fresh_token_and_who_is_signed_in(client, demo_user):
    response = client.get(reverse("accounts:session"))
    assert response.json()["user"] is None
    assert response.json()["csrfToken"]
    assert "no-cache" in response["Cache-Control"]
    user = demo_user("inspector")
    client.force_login(user)
    assert client.get(reverse("accounts:session")).json()["user"] == user.pk


def test_the_outbox_page_lists_the_offline_forms(client, demo_user):
    assert client.get(reverse("accounts:outbox")).status_code == 302  # to the login page
    client.force_login(demo_user("inspector"))
    page = client.get(reverse("accounts:outbox")).content.decode()
    assert 'data-testid="outbox"' in page
    for path in FORMS["inspector"]:
        assert f'href="{path}"' in page


def test_the_offline_forms_are_marked_only_when_new(client, demo_user):
    from prevention.models import PreventionRecord

    user = demo_user("inspector")
    client.force_login(user)
    new = client.get(reverse("prevention:record-create")).content.decode()
    assert "data-offline-form" in new
    assert 'data-testid="outbox"' in new
    record = PreventionRecord.objects.filter(inspector__user=user).first()
    edit = client.get(reverse("prevention:record-edit", args=[record.pk]))
    assert edit.status_code == 200
    assert "data-offline-form" not in edit.content.decode()


def test_signing_out_tells_the_browser_to_forget_the_kept_pages(client, demo_user):
    client.force_login(demo_user("inspector"))
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get(reverse("accounts:session")).json()["user"] is None
