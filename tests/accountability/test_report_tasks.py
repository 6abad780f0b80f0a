"""Report runs: a level's reports made in batches that re-queue themselves, a killed run that
resumes without making a report twice, a re-run that changes nothing; the monthly,
quarterly and yearly tasks and their places in beat's schedule; the run page, for the
portal administrators only."""

import importlib
from unittest.mock import patch

import pytest
from celery import Task
from celery.schedules import crontab
from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accountability import services
from accountability.models import PeriodKind, PublicReport, ReportRun
from accountability.periods import Period
from accountability.services import report_run_batch, report_run_start
from accountability.tasks import (
    report_run_batch_task,
    reports_monthly_task,
    reports_quarterly_task,
    reports_yearly_task,
)
from core import outbox
from core.exceptions import ApplicationError
from core.models import OutboxTask
from mahalla.models import Territory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_QUARTER = Period.containing(PeriodKind.QUARTER, TODAY).previous
REGIONS = Territory.Kind.REGION
BATCH = 5  # 14 regions: batches of 5, 5 and 4


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def approved(approve):
    """Last quarter approved everywhere, whatever day the tests run on: a run makes only the
    reports of approved nodes (tests/accountability/test_approved_figures.py)."""
    approve(LAST_QUARTER)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(services, "RUN_BATCH", BATCH)


@pytest.fixture
def queue(django_capture_on_commit_callbacks):
    """The batch tasks enqueued, by run id, as the broker would hold them; `drain` works
    them off one by one, as a worker would, until none is left."""
    enqueued: list[int] = []

    class Queue:
        items = enqueued

        @staticmethod
        def drain() -> int:
            deliveries = 0
            while enqueued:
                run_id = enqueued.pop(0)
                with django_capture_on_commit_callbacks(execute=True):
                    report_run_batch_task(run_id)
                deliveries += 1
            return deliveries

    def send(task):
        assert task.task == report_run_batch_task.name
        enqueued.append(*task.args)

    with patch.object(outbox, "_broker_send", side_effect=send):
        yield Queue


def regions() -> list[Territory]:
    return list(Territory.objects.filter(kind=REGIONS).order_by("path"))


def reports_per_node() -> dict[int, int]:
    counts = (
        PublicReport.objects.filter(
            period_kind=LAST_QUARTER.kind, period_start=LAST_QUARTER.start, territory__kind=REGIONS
        )
        .values("territory")
        .annotate(n=Count("pk"))
    )
    return {row["territory"]: row["n"] for row in counts}


# --- Starting a run -------------------------------------------------------------------------


def test_a_run_counts_the_nodes_of_its_level():
    run = report_run_start(period=LAST_QUARTER, level=REGIONS)
    assert (run.state, run.total, run.done, run.last_path) == ("queued", 14, 0, "")
    assert report_run_start(period=LAST_QUARTER, level=REGIONS).pk == run.pk
    assert ReportRun.objects.count() == 1
    country = report_run_start(period=LAST_QUARTER, level=Territory.Kind.COUNTRY)
    assert country.total == 1 and country.pk != run.pk


def test_an_unknown_level_is_refused():
    with pytest.raises(ApplicationError):
        report_run_start(period=LAST_QUARTER, level="planet")


# --- Batches --------------------------------------------------------------------------------


def test_a_run_works_in_batches_that_requeue_themselves(queue, django_capture_on_commit_callbacks):
    # given
    run = report_run_start(period=LAST_QUARTER, level=REGIONS)
    # when the first batch runs
    with django_capture_on_commit_callbacks(execute=True):
        assert report_run_batch_task(run.pk) is True
    # then it made five reports, moved on and queued the next batch
    run.refresh_from_db()
    assert (run.state, run.done, run.total) == ("running", BATCH, 14)
    assert run.last_path == regions()[BATCH - 1].path
    assert queue.items == [run.pk]
    # when the queue is worked off
    assert queue.drain() == 2
    # then every region has its report, once, made by this run
    run.refresh_from_db()
    assert (run.state, run.done, run.total) == ("done", 14, 14)
    assert run.finished_at is not None
    assert reports_per_node() == {node.pk: 1 for node in regions()}
    assert set(
        PublicReport.objects.filter(territory__kind=REGIONS).values_list("run", flat=True)
    ) == {run.pk}


def test_a_killed_worker_redelivers_its_batch_and_nothing_is_made_twice(queue):
    # given a run whose second batch was made, but whose worker was killed before it could
    # move the run on: the broker delivers that batch again
    run = report_run_start(period=LAST_QUARTER, level=REGIONS)
    report_run_batch(run=run)
    run.refresh_from_db()
    after_first = run.last_path
    report_run_batch(run=run)  # the second batch's reports exist ...
    ReportRun.objects.filter(pk=run.pk).update(last_path=after_first, done=12)  # ... stale
    # when the batch task is delivered again and the run goes on
    queue.items.append(run.pk)
    queue.drain()
    # then the run ends with every report exactly once and a true count
    run.refresh_from_db()
    assert (run.state, run.done, run.total) == ("done", 14, 14)
    assert reports_per_node() == {node.pk: 1 for node in regions()}


def test_two_deliveries_of_one_batch_collapse_into_one_chain(queue):
    # given a batch delivered twice (a redelivery while the first copy still ran)
    run = report_run_start(period=LAST_QUARTER, level=REGIONS)
    stale = ReportRun.objects.get(pk=run.pk)
    assert report_run_batch(run=run) is True
    # when the second copy ends after the first moved the run on
    # then it stops instead of queueing a second chain
    assert report_run_batch(run=stale) is False
    run.refresh_from_db()
    assert run.done == BATCH
    assert reports_per_node() == {node.pk: 1 for node in regions()[:BATCH]}


def test_a_finished_run_started_again_changes_nothing(queue):
    # given a finished run
    run = report_run_start(period=LAST_QUARTER, level=REGIONS)
    queue.items.append(run.pk)
    queue.drain()
    before = sorted(
        PublicReport.objects.filter(territory__kind=REGIONS).values_list(
            "pk", "version", "html_sha256", "pdf_sha256", "csv_sha256"
        )
    )
    # when it is started again and run to its end
    again = report_run_start(period=LAST_QUARTER, level=REGIONS)
    assert (again.pk, again.state, again.done, again.last_path) == (run.pk, "queued", 0, "")
    queue.items.append(again.pk)
    queue.drain()
    # then the reports are the same ones, with the same digests
    after = sorted(
        PublicReport.objects.filter(territory__kind=REGIONS).values_list(
            "pk", "version", "html_sha256", "pdf_sha256", "csv_sha256"
        )
    )
    assert after == before
    again.refresh_from_db()
    assert (again.state, again.done) == ("done", 14)


def test_a_batch_delivered_after_the_run_ended_does_nothing(queue):
    run = report_run_start(period=LAST_QUARTER, level=Territory.Kind.COUNTRY)
    queue.items.append(run.pk)
    queue.drain()
    assert report_run_batch_task(run.pk) is False
    assert queue.items == []
    assert PublicReport.objects.filter(territory__kind="country").count() == 1


def test_a_failed_run_is_shown_failed_and_continues_when_started_again(queue):
    # given a run that failed in its second batch
    run = report_run_start(period=LAST_QUARTER, level=REGIONS)
    report_run_batch(run=run)
    report_run_batch_task.on_failure(RuntimeError("disk full"), "task-id", (run.pk,), {}, None)
    run.refresh_from_db()
    assert run.state == "failed" and "disk full" in run.error
    # when started again, it continues where it stopped
    again = report_run_start(period=LAST_QUARTER, level=REGIONS)
    assert (again.state, again.error, again.done) == ("queued", "", BATCH)
    queue.items.append(again.pk)
    assert queue.drain() == 2
    assert reports_per_node() == {node.pk: 1 for node in regions()}


# --- The scheduled tasks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "kind", "levels"),
    [
        (reports_monthly_task, PeriodKind.MONTH, ["mahalla"]),
        (reports_quarterly_task, PeriodKind.QUARTER, ["district", "region", "country"]),
        (reports_yearly_task, PeriodKind.YEAR, ["district", "region", "country"]),
    ],
)
def test_the_scheduled_tasks_refresh_the_roll_ups_and_start_the_runs(
    task, kind, levels, approve, outbox_sent, django_capture_on_commit_callbacks
):
    # given the period before approved everywhere
    period = Period.containing(kind, TODAY).previous
    approve(period)
    # when
    with (
        patch.object(services, "rollup_refresh") as refresh,
        django_capture_on_commit_callbacks(execute=True),
    ):
        runs = task()
    # then the period's roll-ups are refreshed, and a run per level of all its nodes is queued
    refresh.assert_called_once_with(period=period)
    assert list(runs) == levels
    for level, run_id in runs.items():
        run = ReportRun.objects.get(pk=run_id)
        assert (run.level, run.period_kind, run.period_start) == (level, kind, period.start)
        assert run.total == Territory.objects.filter(kind=level).count()
    assert outbox_sent[report_run_batch_task.name] == [(pk,) for pk in runs.values()]


BEAT = {
    "reports-monthly": (
        "accountability.tasks.reports_monthly_task",
        crontab(day_of_month=1, hour=3, minute=0),
    ),
    "reports-quarterly": (
        "accountability.tasks.reports_quarterly_task",
        crontab(month_of_year="1,4,7,10", day_of_month=1, hour=4, minute=0),
    ),
    "reports-yearly": (
        "accountability.tasks.reports_yearly_task",
        crontab(month_of_year=1, day_of_month=2, hour=5, minute=0),
    ),
    "rollups-refresh-current": (
        "accountability.tasks.rollups_refresh_current_task",
        crontab(hour=1, minute=30),
    ),
}


@pytest.mark.parametrize("entry", sorted(BEAT))
def test_the_periodic_tasks_are_in_beats_schedule(entry):
    task_path, schedule = BEAT[entry]
    assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] == task_path
    assert settings.CELERY_BEAT_SCHEDULE[entry]["schedule"] == schedule
    module, name = task_path.rsplit(".", 1)
    task = getattr(importlib.import_module(module), name)
    assert isinstance(task, Task) and task.name == task_path


def test_the_task_names_follow_the_style_guide():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"].endswith("_task")


# --- The run page -------------------------------------------------------------------------

RUNS = "accountability:report-run-list"


@pytest.fixture
def admin_client(client, demo_user):
    client.force_login(demo_user("admin"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.mark.parametrize(
    "username", ["council", "officer.republic", "officer.district", "inspector", "commission"]
)
def test_the_run_page_is_a_404_to_anyone_but_an_administrator(client, demo_user, username):
    client.force_login(demo_user(username))
    assert client.get(reverse(RUNS)).status_code == 404
    response = client.post(reverse(RUNS), {"level": "region", "period": LAST_QUARTER.slug})
    assert response.status_code == 404
    assert not ReportRun.objects.exists()


def test_the_run_page_sends_a_visitor_to_sign_in(client):
    response = client.get(reverse(RUNS))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_administrator_starts_a_run_and_it_is_queued_after_commit(
    admin_client, outbox_sent, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse(RUNS), {"level": "region", "period": LAST_QUARTER.slug}
        )
    # then
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert (run.level, run.period_kind, run.period_start) == (
        "region",
        "quarter",
        LAST_QUARTER.start,
    )
    assert outbox_sent[report_run_batch_task.name] == [(run.pk,)]


@pytest.mark.parametrize(
    "data", [{"level": "planet", "period": "2026-q1"}, {"level": "region", "period": "2026-q9"}]
)
def test_a_bad_run_request_is_a_400_and_starts_nothing(admin_client, data):
    response = admin_client.post(reverse(RUNS), data)
    assert response.status_code == 400
    assert not ReportRun.objects.exists()
    assert not OutboxTask.objects.exists()


def test_the_run_page_shows_progress_and_polls_only_while_a_run_works(admin_client):
    # given a running run
    run = report_run_start(period=LAST_QUARTER, level=REGIONS)
    report_run_batch(run=run)
    # when
    page = admin_client.get(reverse(RUNS))
    # then the page shows 5 / 14 and asks again every few seconds
    content = page.content.decode()
    assert page.status_code == 200
    assert "5 / 14" in content and 'aria-valuenow="35"' in content
    assert 'hx-trigger="every 3s"' in content
    # and what htmx asks for is the table alone
    partial = admin_client.get(reverse(RUNS), headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert 'id="runs"' in partial.content.decode()
    # once the run is done, the polling stops
    while report_run_batch(run=ReportRun.objects.get(pk=run.pk)):
        pass
    partial = admin_client.get(reverse(RUNS), headers={"HX-Request": "true"})
    content = partial.content.decode()
    assert "14 / 14" in content and "hx-trigger" not in content
