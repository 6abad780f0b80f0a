from celery import shared_task
from django.db import OperationalError

from partnership.services import (
    agreements_expire,
    agreements_remind_expiring,
    obligations_mark_overdue,
    requests_mark_overdue,
)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def partnership_reminders_task() -> dict[str, int]:
    """The daily pass: expire agreements, flag overdue obligations and requests, and remind
    both sides. Every step is idempotent (notifications are sent once per event)."""
    return {
        "expired": agreements_expire(),
        "expiring_notified": agreements_remind_expiring(),
        "obligations_notified": obligations_mark_overdue(),
        "requests_notified": requests_mark_overdue(),
    }
