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


def named_references_ensure(model, rows, extra_fields: tuple[str, ...] = ()) -> None:
    """Adds the default rows of a NamedReference list that are missing; edits are kept.

    Each row is (code, name uz, name uz-Cyrl, name ru, name en, *values of extra_fields); a
    row's position gives its order.
    """
    for order, (code, uz, uz_cyrl, ru, en, *extra) in enumerate(rows, start=1):
        model.objects.get_or_create(
            code=code,
            defaults={
                "name_uz": uz,
                "name_uz_cyrl": uz_cyrl,
                "name_ru": ru,
                "name_en": en,
                "order": order,
                **dict(zip(extra_fields, extra, strict=True)),
            },
        )
