"""Redis stopped: the portal, run as real processes (gunicorn, a Celery worker with beat, the
outbox relay) against a throw-away redis-server, keeps serving pages and the API, reads and
writes; /healthz reports the broker down; the work asked for meanwhile waits in the outbox and
runs, once, after Redis is started again on the same port.

The processes share the test database (committed: a transactional test) and use the test
settings (the demo users' passwords are hashed with the test suite's hasher), with DEBUG off.
"""

import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accountability.models import PeriodKind, ReportRun
from accountability.periods import Period
from core.models import OutboxTask
from tests.faults.redis_server import RedisServer, free_port, redis_server, redis_server_path

pytestmark = pytest.mark.skipif(redis_server_path() is None, reason="redis-server is not installed")

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "hamkorlik-demo"
LAST_QUARTER = Period.containing(PeriodKind.QUARTER, timezone.localdate()).previous
BATCH_TASK = "accountability.tasks.report_run_batch_task"
# Bounds on waiting for the processes (start-up, a worker reconnecting to the broker with its
# back-off): limits on a broken run, not measures of speed.
START_DEADLINE_SECONDS = 120
RECOVERY_DEADLINE_SECONDS = 240
REQUEST_TIMEOUT_SECONDS = 30


def database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


class Portal:
    """The portal's processes, each logging to a file of its own."""

    def __init__(self, root: Path, redis: RedisServer):
        self.root = root
        self.redis = redis
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis.url,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_HSTS_SECONDS": "0",
            "DJANGO_VAR_DIR": str(root / "var"),
            "DJANGO_CONN_MAX_AGE": "0",
            # A beat every 5 s, so /healthz turns green soon after the worker is back.
            "HEARTBEAT_INTERVAL_SECONDS": "5",
            "OUTBOX_RELAY_INTERVAL_SECONDS": "1",
        }

    def start(self) -> None:
        python = sys.executable
        commands = {
            "web": [
                python, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
                "--workers", "2", "--timeout", "60", "--access-logfile", "-",
            ],
            # One process, beat inside it (-B): the heartbeat proves beat, broker and worker.
            "worker": [
                python, "-m", "celery", "-A", "config", "worker", "-B", "--pool", "solo",
                "--loglevel", "INFO", "--hostname", f"faults-{self.port}@%h",
            ],
            "relay": [python, "manage.py", "outbox_relay"],
        }  # fmt: skip
        for name, command in commands.items():
            log = (self.root / f"{name}.log").open("w")
            self.processes[name] = subprocess.Popen(  # noqa: S603 - fixed interpreter and arguments
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")

    def assert_running(self) -> None:
        for name, process in self.processes.items():
            assert process.poll() is None, f"{name} exited:\n{self.log(name)[-3000:]}"

    def healthz(self) -> tuple[int, dict]:
        response = requests.get(f"{self.base_url}/healthz", timeout=REQUEST_TIMEOUT_SECONDS)
        return response.status_code, response.json()


def wait_for(condition, deadline_seconds: float, portal: Portal, what: str):
    """Polls `condition` until it returns something true; fails naming `what` at the deadline."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        portal.assert_running()
        try:
            if result := condition():
                return result
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {n}\n{portal.log(n)[-2000:]}" for n in portal.processes)
            pytest.fail(f"gave up waiting for {what}\n{tails}")
        time.sleep(0.5)


@pytest.fixture
def portal(demo_data, tmp_path):
    with redis_server() as redis:
        running = Portal(tmp_path, redis)
        try:
            running.start()
            wait_for(
                lambda: running.healthz()[0] == 200, START_DEADLINE_SECONDS, running, "all green"
            )
            yield running
        finally:
            running.stop()


def signed_in(portal: Portal, username: str) -> requests.Session:
    session = requests.Session()
    login = f"{portal.base_url}{reverse('accounts:login')}"
    session.get(login, timeout=REQUEST_TIMEOUT_SECONDS).raise_for_status()
    response = session.post(
        login,
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def test_redis_stopped_pages_and_api_keep_working_and_queued_work_runs_once_it_is_back(portal):
    # given the portal all green, then Redis stopped
    portal.redis.stop()
    statuses: list[tuple[str, str, int]] = []

    def call(session, method, path, **kwargs):
        response = session.request(
            method,
            f"{portal.base_url}{path}",
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT_SECONDS,
            **kwargs,
        )
        statuses.append((method, path, response.status_code))
        return response

    # when an administrator signs in and reads pages and the API
    admin = signed_in(portal, "admin")
    statuses.append(("POST", reverse("accounts:login"), 302))
    runs_page = reverse("accountability:report-run-list")
    reads = [
        reverse("accounts:home"),
        runs_page,
        "/api/v1/me/",
        "/api/v1/indicators/",
        "/api/v1/report-runs/",
        "/api/v1/territories/",
    ]
    for path in reads:
        assert call(admin, "GET", path).status_code == 200, path
    # ... writes through a page (a run of the regions' reports) and through the API (the
    # country's), each queueing its first batch
    page = call(admin, "GET", runs_page).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    token = csrf[1] if csrf else admin.cookies["csrftoken"]
    response = call(
        admin,
        "POST",
        runs_page,
        data={"level": "region", "period": LAST_QUARTER.slug, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, response.text[:500]
    response = call(
        admin,
        "POST",
        "/api/v1/report-runs/start/",
        json={"kind": "quarter", "period": f"{LAST_QUARTER.start:%Y-%m}", "level": "country"},
        headers={"X-CSRFToken": admin.cookies["csrftoken"], "Referer": portal.base_url},
    )
    assert response.status_code == 202, response.text[:500]
    # then every page and call answered, and /healthz says the broker (and cache) is down
    status, health = portal.healthz()
    statuses.append(("GET", "/healthz", status))
    assert status == 503
    assert health["checks"]["broker"]["ok"] is False
    assert health["checks"]["cache"]["ok"] is False
    assert health["checks"]["database"]["ok"] is True
    # ... and both first batches wait in the outbox, unsent, while the relay keeps trying
    runs = {run.level: run for run in ReportRun.objects.all()}
    assert set(runs) == {"region", "country"}
    assert {run.state for run in runs.values()} == {ReportRun.State.QUEUED}
    waiting = list(OutboxTask.objects.filter(task=BATCH_TASK))
    assert len(waiting) == 2
    assert sorted(task.args[0] for task in waiting) == sorted(run.pk for run in runs.values())
    assert all(task.sent_at is None for task in waiting)
    wait_for(
        lambda: OutboxTask.objects.filter(task=BATCH_TASK, attempts__gte=2).count() >= 1,
        RECOVERY_DEADLINE_SECONDS,
        portal,
        "the relay trying the broker",
    )
    print(f"\nWhile Redis was down ({len(statuses)} requests):")  # noqa: T201 - the figures
    for method, path, code in statuses:
        print(f"  {method} {path} -> {code}")  # noqa: T201

    # when Redis is started again, on the same port (empty: nothing was kept in it)
    portal.redis.start()

    # then the relay sends the waiting batches and the worker makes both runs
    def runs_done():
        states = set(ReportRun.objects.values_list("state", flat=True))
        return states == {ReportRun.State.DONE}

    wait_for(runs_done, RECOVERY_DEADLINE_SECONDS, portal, "both runs done")
    batches = list(OutboxTask.objects.filter(task=BATCH_TASK))
    assert all(task.sent_at is not None for task in batches)
    # ... each task (its id is its outbox row's) ran exactly once
    worker_log = portal.log("worker")
    for task in batches:
        succeeded = re.findall(rf"Task {BATCH_TASK}\[{task.pk}\] succeeded", worker_log)
        assert len(succeeded) == 1, (task.pk, worker_log[-3000:])
    relayed = [task for task in batches if task.attempts > 0]
    print(  # noqa: T201 - the figures
        f"Outbox: {len(batches)} batch task(s), {len(relayed)} sent by the relay after "
        f"{sum(task.attempts for task in relayed)} refused attempt(s)"
    )
    # ... and /healthz is green again once a heartbeat has gone through the broker
    wait_for(
        lambda: portal.healthz()[0] == 200, RECOVERY_DEADLINE_SECONDS, portal, "/healthz green"
    )
    status, health = portal.healthz()
    assert health["checks"]["outbox"] == {"ok": True, "pending": 0, "oldest_age_seconds": 0}
