import socket

from django.utils import timezone

from core.models import Heartbeat

HEARTBEAT_NAME = "celery"


def heartbeat_record(*, name: str = HEARTBEAT_NAME, worker: str = "") -> Heartbeat:
    """Stores now as the last beat; running it twice only moves the time forward."""
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name,
        defaults={"beat_at": timezone.now(), "worker": worker or socket.gethostname()},
    )
    return heartbeat
