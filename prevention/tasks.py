"""Celery tasks of the prevention service. Each is idempotent: a reminder is sent once per
district and month (accounts.services.notify skips users already told under its key)."""

from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from prevention.services import period_submission_remind


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def period_submission_reminders_task(today: str | None = None) -> dict[str, int]:
    """The daily reminder of last month's submissions; `today` ("2026-06-05") for a rerun of
    a given day, the local date otherwise."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return period_submission_remind(today=day)
