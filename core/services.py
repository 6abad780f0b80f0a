import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import Heartbeat, IdempotencyKey

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


# Rows deleted per statement by the purge, so that no one statement holds its locks for long.
IDEMPOTENCY_PURGE_BATCH = 5000


def idempotency_key_reserve(
    *, owner: str, key: uuid.UUID, fingerprint: str
) -> tuple[IdempotencyKey, bool]:
    """The owner's row for the key, and whether this request took it and must run the write.

    The row is inserted in a transaction of its own, committed before the write runs, so a
    second request with the key waits for that insert and then finds the row: the unique
    constraint, not a read, decides which request runs. A row left in processing by a worker
    that died is taken over once it is older than IDEMPOTENCY_KEY_ABANDONED_SECONDS.
    """
    while True:
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    owner=owner, key=key, fingerprint=fingerprint
                )
            return record, True
        except IntegrityError:
            record = IdempotencyKey.objects.filter(owner=owner, key=key).first()
        if record is not None:
            break
        # Released between the insert and the read (its write was not applied): try again.
    abandoned_before = timezone.now() - timedelta(
        seconds=settings.IDEMPOTENCY_KEY_ABANDONED_SECONDS
    )
    if (
        record.state == IdempotencyKey.State.PROCESSING
        and record.fingerprint == fingerprint
        and record.created_at < abandoned_before
    ):
        # Conditional, so that of two retries taking it over at once only one runs the write.
        now = timezone.now()
        taken = IdempotencyKey.objects.filter(
            pk=record.pk, state=IdempotencyKey.State.PROCESSING, created_at=record.created_at
        ).update(created_at=now)
        if taken:
            record.created_at = now
            return record, True
    return record, False


def idempotency_key_complete(
    *, record: IdempotencyKey, status_code: int, content_type: str, location: str, body: bytes
) -> IdempotencyKey:
    """Stores the answer of the write, to be replayed to every retry with the key."""
    record.state = IdempotencyKey.State.DONE
    record.status_code = status_code
    record.content_type = content_type
    record.location = location
    record.body = body
    record.save(update_fields=["state", "status_code", "content_type", "location", "body"])
    return record


def idempotency_key_release(*, record: IdempotencyKey) -> None:
    """Forgets the key of a write that was not applied, so that its retry runs again."""
    IdempotencyKey.objects.filter(pk=record.pk, state=IdempotencyKey.State.PROCESSING).delete()


def idempotency_keys_purge(*, now=None) -> int:
    """Deletes the keys older than IDEMPOTENCY_KEY_TTL_HOURS; returns how many were deleted.

    A client retries within hours, never days: an older key is only taking up space.
    """
    before = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    old = IdempotencyKey.objects.filter(created_at__lt=before)
    deleted = 0
    while batch := list(old.values_list("pk", flat=True)[:IDEMPOTENCY_PURGE_BATCH]):
        deleted += IdempotencyKey.objects.filter(pk__in=batch).delete()[0]
    return deleted
