"""Celery tasks of the accountability app: interfaces that parse ids and dates and call a
service. Every task is idempotent: a roll-up replaces its period's rows, and a report is only
made again where its figures changed."""

from datetime import date, datetime, timedelta

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import OperationalError
from django.utils import timezone

from accountability.models import PeriodKind, ReportRun
from accountability.periods import Period
from accountability.services import (
    period_figures_refresh,
    report_run_batch,
    report_run_fail,
    report_runs_resume,
    reports_publish,
    rollup_refresh,
)
from core.outbox import enqueue
from mahalla.models import Territory


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


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def period_figures_refresh_task(district_id: int, month: str, changed_at: str) -> dict:
    """After a district's month changed state ("2026-11-01", when): its periods' roll-ups,
    what of them is approved, and the reports of its nodes, made again."""
    return period_figures_refresh(
        district=Territory.objects.get(pk=district_id),
        month=date.fromisoformat(month),
        changed_at=datetime.fromisoformat(changed_at),
    )


class _ReportRunBatchTask(DjangoTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Called once the retries are spent: the run page shows the run failed, and why.
        run_id = args[0] if args else kwargs.get("run_id")
        report_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(
    base=_ReportRunBatchTask,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def report_run_batch_task(run_id: int) -> bool:
    """One batch of a report run, then the next batch as a new task until none is left
    (short tasks, each well inside the broker's visibility timeout). Redelivered after a
    killed worker, it redoes its batch, which adds nothing."""
    more = report_run_batch(run=ReportRun.objects.get(pk=run_id))
    if more:
        # Through the outbox: a broker lost between two batches holds the run up, not ends it.
        enqueue(report_run_batch_task, run_id)
    return more


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def report_runs_resume_task() -> list[int]:
    """Beat's pass over the report runs: those that stopped moving (a worker killed in the
    middle of a batch) get their next batch queued again."""
    return report_runs_resume()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def reports_monthly_task() -> dict[str, int]:
    """The mahallas' reports of the month before."""
    month = Period.containing(PeriodKind.MONTH, timezone.localdate()).previous
    return reports_publish(period=month)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def reports_quarterly_task() -> dict[str, int]:
    """The districts', regions' and the republic's reports of the quarter before."""
    quarter = Period.containing(PeriodKind.QUARTER, timezone.localdate()).previous
    return reports_publish(period=quarter)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def reports_yearly_task() -> dict[str, int]:
    """The districts', regions' and the republic's reports of the year before."""
    year = Period.containing(PeriodKind.YEAR, timezone.localdate()).previous
    return reports_publish(period=year)
