import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from core.models import Heartbeat
from core.services import HEARTBEAT_NAME, heartbeat_record

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_all_green_with_a_fresh_heartbeat(client):
    heartbeat_record()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "heartbeat", "outbox"}
    assert all(check["ok"] for check in body["checks"].values())


def test_no_heartbeat_yet_is_503(client):
    Heartbeat.objects.all().delete()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["heartbeat"] == {"ok": False, "last": None}


def test_stale_heartbeat_is_503(client, settings):
    Heartbeat.objects.update_or_create(
        name=HEARTBEAT_NAME,
        defaults={
            "beat_at": timezone.now() - timedelta(seconds=settings.HEARTBEAT_MAX_AGE_SECONDS + 5)
        },
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["heartbeat"]["ok"] is False


def test_unreachable_redis_is_503(tmp_path):
    # A portal configured for a Redis that is down (nothing listens on port 1): the broker and
    # the cache both report failure. A separate process, since the Celery app reads its broker
    # once at start-up.
    code = (
        "import json, django; django.setup(); from core.selectors import health_report; "
        "print(json.dumps(health_report()))"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_VAR_DIR": str(tmp_path),
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    result = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    healthy, checks = json.loads(result.stdout.strip().splitlines()[-1])
    assert healthy is False
    assert checks["broker"]["ok"] is False
    assert checks["cache"]["ok"] is False


def test_unreachable_cache_is_503(client, settings):
    heartbeat_record()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


def test_healthz_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    heartbeat_record()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert client.get("/").status_code == 301
