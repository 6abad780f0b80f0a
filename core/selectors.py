"""Health of the parts the portal runs on, for /healthz."""

import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from core.models import Heartbeat
from core.outbox import outbox_pending
from core.services import HEARTBEAT_NAME

logger = logging.getLogger(__name__)


@dataclass
class Check:
    ok: bool
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"ok": self.ok, **self.detail}


def _database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is a red light, reported as such
        return Check(False, {"error": exc.__class__.__name__})
    return Check(True, {"vendor": connection.vendor})


def _cache() -> Check:
    key, token = "healthz:probe", uuid.uuid4().hex
    try:
        cache.set(key, token, timeout=10)
        ok = cache.get(key) == token
    except Exception as exc:  # noqa: BLE001
        return Check(False, {"error": exc.__class__.__name__})
    return Check(ok, {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]})


def _broker() -> Check:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
            transport = conn.transport_cls
    except Exception as exc:  # noqa: BLE001
        logger.warning("Health check: the broker is unreachable", exc_info=True)
        return Check(False, {"error": exc.__class__.__name__})
    return Check(True, {"transport": str(transport)})


def _heartbeat() -> Check:
    try:
        heartbeat = Heartbeat.objects.filter(name=HEARTBEAT_NAME).first()
    except Exception as exc:  # noqa: BLE001
        return Check(False, {"error": exc.__class__.__name__})
    if heartbeat is None:
        return Check(False, {"last": None})
    age = (timezone.now() - heartbeat.beat_at).total_seconds()
    return Check(
        age <= settings.HEARTBEAT_MAX_AGE_SECONDS,
        {"last": heartbeat.beat_at.isoformat(), "age_seconds": round(age)},
    )


# The pending rows are counted up to this many: the figure tells a backlog from none, and the
# count stays cheap however far the relay has fallen behind.
OUTBOX_COUNT_CAP = 10_000


def _outbox() -> Check:
    """Tasks waiting in the outbox (core.outbox): red once the oldest has waited longer than
    OUTBOX_PENDING_MAX_AGE_SECONDS, which means the broker or the relay is down. Both reads go
    through the partial index on unsent rows."""
    try:
        pending = outbox_pending()
        count = pending[:OUTBOX_COUNT_CAP].count()
        oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    except Exception as exc:  # noqa: BLE001
        return Check(False, {"error": exc.__class__.__name__})
    age = round((timezone.now() - oldest).total_seconds()) if oldest else 0
    return Check(
        age <= settings.OUTBOX_PENDING_MAX_AGE_SECONDS,
        {"pending": count, "oldest_age_seconds": age},
    )


def health_report() -> tuple[bool, dict]:
    """Every check with its detail, and whether all of them passed."""
    checks = {
        "database": _database(),
        "cache": _cache(),
        "broker": _broker(),
        "heartbeat": _heartbeat(),
        "outbox": _outbox(),
    }
    healthy = all(check.ok for check in checks.values())
    return healthy, {name: check.as_dict() for name, check in checks.items()}
