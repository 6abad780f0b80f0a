"""A Celery worker killed (SIGKILL, the whole process group) in the middle of a report run:
once a worker is back, the run completes and every report exists exactly once.

The workers are real `celery worker` processes on the run's Redis broker and the test
database. A batch that a killed worker had taken stays unacknowledged on the broker for its
visibility timeout (an hour), so the run is carried on by what production relies on: beat's
pass over the stalled runs (report_runs_resume_task), sent here as beat sends it.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from accountability.models import ApprovedPeriod, PeriodKind, PublicReport, ReportRun
from accountability.periods import Period
from accountability.services import approved_periods_refresh, report_run_queue, report_runs_resume
from accountability.tasks import report_run_batch_task, report_runs_resume_task
from core.models import OutboxTask
from mahalla.models import Territory
from prevention.models import PeriodApproval

LAST_QUARTER = Period.containing(PeriodKind.QUARTER, timezone.localdate()).previous
DISTRICTS = Territory.Kind.DISTRICT
# The workers of this test take a run as stalled after this long without a report.
STALLED_AFTER_SECONDS = 2
# Deadlines against a hang, not timings: a step that takes longer fails the test.
STEP_DEADLINE_SECONDS = 300
WORKER_STOP_SECONDS = 30
# The run is killed twice: in its first batch of reports and in its second (RUN_BATCH is 50).
KILL_AFTER_REPORTS = (10, 60)


def approve_everywhere(period: Period) -> None:
    """Every month of the period accepted by the republic in every district, and the
    period's approved marks refreshed: a run makes only approved nodes' reports."""
    districts = list(Territory.objects.filter(kind=DISTRICTS))
    PeriodApproval.objects.bulk_create(
        [
            PeriodApproval(district=district, month=month, state=PeriodApproval.State.ACCEPTED)
            for district in districts
            for month in period.months
        ],
        update_conflicts=True,
        unique_fields=["district", "month"],
        update_fields=["state"],
    )
    approved_periods_refresh(period=period)


def reports_of_the_run_period():
    return PublicReport.objects.filter(
        period_kind=LAST_QUARTER.kind, period_start=LAST_QUARTER.start, territory__kind=DISTRICTS
    )


def wait_until(condition, what: str, deadline: float = STEP_DEADLINE_SECONDS) -> None:
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"Still waiting after {deadline} s for: {what}")
        time.sleep(0.1)


def database_url() -> str:
    """The test database, for the worker processes (its rows are committed: the test is a
    transactional one)."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


class Workers:
    """Real worker processes, each the leader of its own process group, so that a kill takes
    the pool's children with the main process, as the OOM killer or a lost machine would."""

    def __init__(self, folder):
        self.folder = folder
        self.processes: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "DJANGO_VAR_DIR": str(folder / "var"),
            "REPORT_RUN_STALLED_AFTER_SECONDS": str(STALLED_AFTER_SECONDS),
        }

    def start(self) -> subprocess.Popen:
        number = len(self.processes) + 1
        log = open(self.folder / f"worker-{number}.log", "wb")  # noqa: SIM115 (kept open)
        process = subprocess.Popen(  # noqa: S603 - fixed interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                f"--hostname=faults-{number}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=WORKER_STOP_SECONDS)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)


@pytest.fixture
def broker():
    """The run's Redis database, emptied before and after: the killed workers' batches stay
    unacknowledged in it, and no later worker may take them."""
    if not settings.REDIS_URL:
        pytest.skip("The worker fault test needs Redis (REDIS_URL) as the broker.")
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def workers(demo_data, broker, tmp_path):
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()


def stalled(run: ReportRun) -> bool:
    run.refresh_from_db()
    return timezone.now() - run.updated_at > timedelta(seconds=STALLED_AFTER_SECONDS)


@pytest.mark.real_broker
def test_a_report_run_survives_killed_workers_and_makes_every_report_once(workers):
    # given: last quarter approved everywhere, a worker, and the districts' run started
    approve_everywhere(LAST_QUARTER)
    districts = set(
        ApprovedPeriod.objects.filter(
            period_kind=LAST_QUARTER.kind,
            period_start=LAST_QUARTER.start,
            territory__kind=DISTRICTS,
        ).values_list("territory", flat=True)
    )
    worker = workers.start()
    run = report_run_queue(period=LAST_QUARTER, level=DISTRICTS)
    assert run.total == len(districts)
    made_at_kill = []
    for kill_after in KILL_AFTER_REPORTS:
        # when: the worker is killed in the middle of a batch
        wait_until(
            lambda n=kill_after: reports_of_the_run_period().count() >= n,
            f"{kill_after} reports made",
        )
        workers.kill(worker)
        made_at_kill.append(reports_of_the_run_period().count())
        run.refresh_from_db()
        assert run.state == ReportRun.State.RUNNING
        # ... and a new worker starts, and beat's pass finds the run stalled
        worker = workers.start()
        wait_until(lambda: stalled(run), "the run seen as stalled")
        report_runs_resume_task.apply_async()
    # then: the run completes
    wait_until(lambda: ReportRun.objects.get(pk=run.pk).state == ReportRun.State.DONE, "run done")
    run.refresh_from_db()
    assert (run.done, run.total, run.error) == (len(districts), len(districts), "")
    # ... with every district's report exactly once, in its first version, made by the run
    per_district = dict(
        reports_of_the_run_period().values_list("territory").annotate(n=Count("pk"))
    )
    assert per_district == dict.fromkeys(districts, 1)
    assert set(reports_of_the_run_period().values_list("version", "run")) == {(1, run.pk)}
    # ... and the kills did happen in the middle of the run
    assert made_at_kill[0] < made_at_kill[1] < len(districts)
    batches = OutboxTask.objects.filter(task=report_run_batch_task.name).count()
    print(  # the figures, for `pytest -s`
        f"\nreports: {len(districts)}, made when killed: {made_at_kill}, "
        f"workers started: {len(workers.processes)}, batches queued: {batches}"
    )


# --- Which runs beat's pass resumes (in this process) -----------------------------------------


def test_beat_looks_for_stalled_runs_more_often_than_a_run_counts_as_stalled():
    entry = settings.CELERY_BEAT_SCHEDULE["report-runs-resume"]
    assert entry["task"] == report_runs_resume_task.name
    assert entry["schedule"] <= settings.REPORT_RUN_STALLED_AFTER_SECONDS


@pytest.mark.django_db
def test_only_runs_that_stopped_moving_are_resumed(settings):
    settings.REPORT_RUN_STALLED_AFTER_SECONDS = 600
    long_ago = timezone.now() - timedelta(hours=1)
    runs = {
        state: ReportRun.objects.create(
            period_kind=PeriodKind.QUARTER,
            period_start=LAST_QUARTER.start,
            level=level,
            state=state,
        )
        for state, level in [
            (ReportRun.State.QUEUED, Territory.Kind.DISTRICT),
            (ReportRun.State.RUNNING, Territory.Kind.REGION),
            (ReportRun.State.FAILED, Territory.Kind.COUNTRY),
        ]
    }
    ReportRun.objects.filter(pk__in=[run.pk for run in runs.values()]).update(updated_at=long_ago)
    moving = ReportRun.objects.create(
        period_kind=PeriodKind.YEAR,
        period_start=LAST_QUARTER.start.replace(month=1),
        level=Territory.Kind.REGION,
        state=ReportRun.State.RUNNING,
    )
    done = ReportRun.objects.create(
        period_kind=PeriodKind.YEAR,
        period_start=LAST_QUARTER.start.replace(month=1),
        level=Territory.Kind.COUNTRY,
        state=ReportRun.State.DONE,
    )
    ReportRun.objects.filter(pk=done.pk).update(updated_at=long_ago)

    resumed = report_runs_resume()

    # the queued and the running run that stopped get a batch; a failed run waits for an
    # administrator, a moving one for its own batch, a finished one for nothing
    expected = {runs[ReportRun.State.QUEUED].pk, runs[ReportRun.State.RUNNING].pk}
    assert set(resumed) == expected
    batches = OutboxTask.objects.filter(task=report_run_batch_task.name)
    assert sorted(args[0] for args in batches.values_list("args", flat=True)) == sorted(expected)
    assert moving.pk not in resumed
    # a second pass right after leaves them to the batches just queued
    assert report_runs_resume() == []
