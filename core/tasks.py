from celery import shared_task

from core.outbox import outbox_purge
from core.services import heartbeat_record, idempotency_keys_purge


@shared_task(ignore_result=True)
def heartbeat_task() -> None:
    heartbeat_record()


@shared_task(ignore_result=True)
def idempotency_keys_purge_task() -> None:
    idempotency_keys_purge()


@shared_task(ignore_result=True)
def outbox_purge_task() -> None:
    outbox_purge()
