"""Celery tasks of the accountability app: interfaces that parse ids and dates and call a
service. Every task is idempotent: a roll-up replaces its period's rows."""

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from accountability.models import PeriodKind
from accountability.periods import Period
from accountability.services import rollup_refresh


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def rollup_refresh_task(kind: str, start: str) -> int:
    """Recomputes one period's roll-ups ("month", "2026-11-01")."""
    return rollup_refresh(period=Period.parse(kind, start))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def rollups_refresh_current_task() -> dict[str, int]:
    """The nightly pass: the month, quarter and year holding yesterday, and the month before
    it (records of the last days of a month often arrive after it ends)."""
    yesterday = timezone.localdate() - timedelta(days=1)
    periods = [Period.containing(kind, yesterday) for kind in PeriodKind.values]
    periods.append(Period.containing(PeriodKind.MONTH, yesterday).previous)
    return {f"{p.kind} {p.start}": rollup_refresh(period=p) for p in periods}
