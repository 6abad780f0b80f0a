"""Strict readers of the environment, used only by the settings.

django-environ parses the values; these wrappers make a malformed value stop start-up with a
message that names the variable, instead of being read silently as a default (environ reads
"yes please" as False, for example).
"""

import os
import re
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

_env = environ.Env()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
DATABASE_SCHEMES = {"postgres", "postgresql", "psql", "pgsql", "sqlite"}
REDIS_SCHEMES = {"redis", "rediss"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _fail(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"Environment variable {name} is malformed: got {value!r}, expected {expected}."
    )


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise _fail(name, value, "one of true/false, yes/no, on/off, 1/0")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _fail(name, value, "a whole number") from None
    if number < minimum:
        raise _fail(name, value, f"a whole number of at least {minimum}")
    return number


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value.upper() in choices:
        return value.upper()
    raise _fail(name, value, f"one of {', '.join(sorted(choices))}")


_RATE_RE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def env_rate(name: str, default: str) -> str:
    """A request rate as Django REST framework writes it: 60/minute, 5/second, 1000/day."""
    value = _raw(name)
    if value is None:
        return default
    if not _RATE_RE.match(value):
        raise _fail(name, value, "a rate such as 60/minute, 10/second or 1000/day")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise _fail(name, value, "a comma-separated list without empty items")
    return items


def _check_url(name: str, value: str, schemes: set[str]) -> None:
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        raise _fail(name, value, f"a URL starting with one of {sorted(schemes)}")
    if parsed.scheme != "sqlite" and not parsed.hostname:
        raise _fail(name, value, "a URL with a host name")
    try:
        parsed.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError:
        raise _fail(name, value, "a URL with a numeric port") from None


def env_database(name: str, default: str) -> dict:
    value = _raw(name) or default
    _check_url(name, value, DATABASE_SCHEMES)
    return _env.db_url_config(value)


def env_redis_url(name: str) -> str | None:
    value = _raw(name)
    if value is not None:
        _check_url(name, value, REDIS_SCHEMES)
    return value


def env_email(name: str, default: str) -> dict:
    value = _raw(name) or default
    try:
        return _env.email_url_config(value)
    except (KeyError, ValueError):
        raise _fail(name, value, "an e-mail URL such as smtp://host:25 or consolemail://") from None
