from celery import shared_task

from core.services import heartbeat_record


@shared_task(ignore_result=True)
def heartbeat_task() -> None:
    heartbeat_record()
