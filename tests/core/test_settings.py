"""Configuration comes from the environment; malformed values stop start-up by name."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings.base", DJANGO_VAR_DIR=str(tmp_path))
    clean.update(env)
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://db/x"),
        ("DATABASE_URL", "postgres://:5432/x"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("REDIS_URL", "redis://127.0.0.1:port/0"),
        ("DJANGO_ALLOWED_HOSTS", "a.uz,,b.uz"),
        ("DJANGO_CONN_MAX_AGE", "forever"),
        ("HEARTBEAT_INTERVAL_SECONDS", "1"),
        ("API_THROTTLE_ANON", "lots"),
        ("DJANGO_LOG_LEVEL", "LOUD"),
    ],
)
def test_malformed_variable_stops_start_up_naming_it(tmp_path, name, value):
    env = {name: value}
    if name == "DJANGO_CONN_MAX_AGE":
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/x"
    result = _run(["manage.py", "check"], tmp_path, **env)
    assert result.returncode != 0
    assert name in result.stderr
    assert "Traceback" not in result.stderr.split("ImproperlyConfigured")[-1]


def test_embedded_default_with_nothing_set(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, "
        "s.CACHES['default']['BACKEND'], s.DEBUG)"
    )
    result = _run(["-c", code], tmp_path, REDIS_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.cache.backends.filebased.FileBasedCache",
        "False",
    ]
    assert (tmp_path / "secret_key").exists()


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="hamkorlik.example.uz",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
