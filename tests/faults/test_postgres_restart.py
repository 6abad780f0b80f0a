"""PostgreSQL going away under load: while it is down every request fails cleanly (the
portal's error page, JSON for the API; never a stack trace, never a hang, never half a write),
and once it is back the same portal processes answer again, with no restart.

Everything runs in processes of its own: a throw-away PostgreSQL cluster (tests/faults/
pg_cluster.py) loaded with the tiny demo, and gunicorn serving the portal from it. Threads
hammer it with signed-in page reads, API reads and API writes that store several rows at once
(a joint activity with two evidence files), while the server is stopped, started again, and
then restarted at once (`pg_ctl restart -m fast`), which kills every persistent connection the
portal holds.
"""

import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg2
import pytest
import requests
from django.conf import settings
from django.utils import translation

from core.views import server_error_view
from tests.faults.pg_cluster import free_port, postgres_cluster, server_bin_dir

DEMO_PASSWORD = "hamkorlik-demo"
OFFICER = "officer.district"
NGO_STAFF = "ngo.staff"
# A request that has no answer after this long counts as a hang (gunicorn's own worker
# timeout is 30 s: a hung worker would be killed, and the test would see it restarted).
REQUEST_TIMEOUT_SECONDS = 20
# Deadlines against a hang of the test itself, not timings.
STEP_DEADLINE_SECONDS = 180
SETUP_TIMEOUT_SECONDS = 600
# Answers each kind of client must have had in a phase before the test moves on.
ANSWERS_PER_PHASE = 8
EVIDENCE_PER_ACTIVITY = 2
MARKER = "fault-test activity"
PAGES = ["/", "/partnership/activities/", "/prevention/approvals/"]
API_READS = ["/api/v1/activities/", "/api/v1/records/", "/api/v1/me/"]
# What must never reach a client, whatever failed.
LEAK_RE = re.compile(
    r"Traceback|psycopg|OperationalError|InterfaceError|django\.db|File \"/|SELECT |INSERT ",
)
# A tiny PDF: enough for the upload check, which looks at the content.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.skipif(server_bin_dir() is None, reason="No PostgreSQL server here.")


@dataclass
class Answer:
    client: str
    phase: str
    status: int | None  # None: no answer (refused, reset or timed out)
    content_type: str = ""
    body: bytes = b""
    error: str = ""


@dataclass
class Load:
    """The phase the test is in, and every answer the clients got, by phase."""

    phase: str = "warm-up"
    stop: threading.Event = field(default_factory=threading.Event)
    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def count(self, phase: str, client: str, ok: bool | None = None) -> int:
        with self.lock:
            return sum(
                1
                for a in self.answers
                if a.phase == phase
                and a.client == client
                and (ok is None or (a.status is not None and a.status < 400) == ok)
            )


def _env(cluster, var_dir: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": cluster.url("hamkorlik"),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_VAR_DIR": str(var_dir),
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    return env


def _manage(env: dict, *args: str) -> float:
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT_SECONDS,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return time.monotonic() - started


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


@dataclass
class Portal:
    cluster: object
    base_url: str
    gunicorn: subprocess.Popen
    setup_seconds: dict


@pytest.fixture
def portal(tmp_path):
    with postgres_cluster() as cluster:
        cluster.createdb("hamkorlik")
        env = _env(cluster, tmp_path / "var")
        setup = {
            "migrate": _manage(env, "migrate", "--verbosity=0"),
            "seed_demo": _manage(env, "seed_demo", "--scale=tiny", "--verbosity=0"),
        }
        port = free_port()
        log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 (kept open)
        gunicorn = subprocess.Popen(  # noqa: S603 - fixed interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                f"--bind=127.0.0.1:{port}",
                "--workers=2",
                "--timeout=30",
                "--access-logfile=-",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_for(lambda: _answers(base_url + "/ping"), "gunicorn answering")
            yield Portal(cluster, base_url, gunicorn, setup)
        finally:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
                gunicorn.wait()
            log.close()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _wait_for(condition, what: str) -> None:
    end = time.monotonic() + STEP_DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"Still waiting after {STEP_DEADLINE_SECONDS} s for: {what}")
        time.sleep(0.05)


def _signed_in_session(base_url: str, username: str) -> requests.Session:
    session = requests.Session()
    login = base_url + "/accounts/login/"
    page = session.get(login, timeout=REQUEST_TIMEOUT_SECONDS)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = session.post(
        login,
        data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": login},
        timeout=REQUEST_TIMEOUT_SECONDS,
        allow_redirects=False,
    )
    assert done.status_code == 302, done.text[:500]
    return session


def _api_session(base_url: str, username: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(
        base_url + "/api/v1/auth/token/",
        json={"username": username, "password": DEMO_PASSWORD},
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    assert answer.status_code == 200, answer.text[:500]
    session.headers["Authorization"] = f"Token {answer.json()['token']}"
    return session


def _activity_target(cluster) -> tuple[int, int]:
    """A unit and a place the NGO's staff may log an activity with: the unit of their
    organisation's agreement, and a mahalla of its territory in force today."""
    query = """
        SELECT a.unit_id, place.id FROM partnership_agreement a
        JOIN partnership_agreement_organisations party ON party.agreement_id = a.id
        JOIN accounts_membership m ON m.organisation_id = party.organisation_id
        JOIN accounts_user u ON u.id = m.user_id
        JOIN prevention_unit unit ON unit.id = a.unit_id
        JOIN mahalla_territory area ON area.id = unit.territory_id
        JOIN mahalla_territory place ON place.path LIKE area.path || '%%'
        WHERE u.username = %s AND place.kind = 'mahalla' AND place.valid_to IS NULL
          AND (place.valid_from IS NULL OR place.valid_from <= CURRENT_DATE)
        ORDER BY place.path LIMIT 1
    """
    database = psycopg2.connect(cluster.url("hamkorlik"))
    with database as connection, connection.cursor() as cursor:
        cursor.execute(query, [NGO_STAFF])
        target = cursor.fetchone()
    database.close()
    return target


def _client(load: Load, name: str, session: requests.Session, send) -> None:
    """Sends requests one after another until told to stop, recording every answer with the
    phase it was sent and answered in ("back", or "back>restarting" for one that was on its
    way when the phase changed)."""
    number = 0
    while not load.stop.is_set():
        sent_in = load.phase
        number += 1
        try:
            response = send(session, number)
        except requests.RequestException as exc:
            phase = sent_in if load.phase == sent_in else f"{sent_in}>{load.phase}"
            load.record(Answer(name, phase, None, error=f"{type(exc).__name__}: {exc}"))
            continue
        phase = sent_in if load.phase == sent_in else f"{sent_in}>{load.phase}"
        load.record(
            Answer(
                name,
                phase,
                response.status_code,
                response.headers.get("Content-Type", ""),
                response.content,
            )
        )


def test_requests_fail_cleanly_while_postgres_is_away_and_recover_without_a_restart(portal):
    base = portal.base_url
    unit, place = _activity_target(portal.cluster)
    attempts = Counter()

    def read_page(session, number):
        path = PAGES[number % len(PAGES)]
        return session.get(base + path, timeout=REQUEST_TIMEOUT_SECONDS, allow_redirects=False)

    def read_api(session, number):
        path = API_READS[number % len(API_READS)]
        return session.get(base + path, timeout=REQUEST_TIMEOUT_SECONDS)

    def write_activity(session, number):
        attempts["writes"] += 1
        files = [
            ("files", (f"evidence-{number}-{i}.pdf", PDF_BYTES, "application/pdf"))
            for i in range(EVIDENCE_PER_ACTIVITY)
        ]
        data = {
            "unit": unit,
            "place": place,
            "kind": "legal_awareness",
            "date": date.today().isoformat(),
            "participants_youth": 3,
            "description": f"{MARKER} {number}",
        }
        return session.post(
            base + "/api/v1/activities/log/",
            data=data,
            files=files,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )

    load = Load()
    # Two threads of each, each with a session of its own (signed in before the faults).
    clients = {
        "page": (lambda: _signed_in_session(base, OFFICER), read_page),
        "api": (lambda: _api_session(base, OFFICER), read_api),
        "write": (lambda: _api_session(base, NGO_STAFF), write_activity),
    }
    threads = [
        threading.Thread(target=_client, args=(load, name, sign_in(), send), daemon=True)
        for name, (sign_in, send) in clients.items()
        for _copy in range(2)
    ]
    workers_before = _children(portal.gunicorn.pid)
    for thread in threads:
        thread.start()

    def every_client_had(phase: str, ok: bool | None) -> bool:
        return all(load.count(phase, name, ok) >= ANSWERS_PER_PHASE for name in clients)

    recovery = {}
    try:
        # given: the portal answering every kind of request
        _wait_for(lambda: every_client_had("warm-up", ok=True), "answers before the outage")
        # when: PostgreSQL stops (its sessions ended, their transactions rolled back) ...
        load.phase = "stopping"
        portal.cluster.stop(mode="fast")
        load.phase = "outage"
        _wait_for(lambda: every_client_had("outage", ok=None), "answers during the outage")
        # ... and starts again
        load.phase = "starting"
        started_at = time.monotonic()
        portal.cluster.start()
        load.phase = "back"
        _wait_for(lambda: every_client_had("back", ok=True), "answers once it is back")
        recovery["stop, then start"] = time.monotonic() - started_at
        # when: it is restarted at once, killing the portal's persistent connections
        load.phase = "restarting"
        started_at = time.monotonic()
        portal.cluster.restart(mode="fast")
        load.phase = "restarted"
        _wait_for(lambda: every_client_had("restarted", ok=True), "answers after a restart")
        recovery["restart -m fast"] = time.monotonic() - started_at
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT_SECONDS + 5)

    answers = load.answers
    # then: every request had an answer (none refused, reset or hung) ...
    assert [a.error for a in answers if a.status is None] == []
    # ... a success, or the portal's error page / JSON error: nothing else, no stack trace
    with translation.override(settings.LANGUAGE_CODE):
        error_page = server_error_view(None).content
    unexpected = [(a.client, a.status, a.body[:300]) for a in answers if a.status >= 400]
    errors = [a for a in answers if a.status >= 500]
    assert all(a.status in (500, 503) for a in errors), unexpected
    assert [a for a in answers if 400 <= a.status < 500] == [], unexpected
    assert [a.body[:300] for a in answers if LEAK_RE.search(a.body.decode(errors="replace"))] == []
    for answer in errors:
        if answer.client == "page":
            assert answer.body == error_page
        else:
            assert answer.content_type.startswith("application/json"), answer.body[:300]
            assert json.loads(answer.body)["detail"]
    # ... while PostgreSQL was away every request failed, and once it was back (the portal's
    # connections checked before use: CONN_HEALTH_CHECKS) none did (counting the requests sent
    # and answered within the phase)
    assert {a.status >= 500 for a in answers if a.phase == "outage"} == {True}
    after = [a for a in answers if a.phase in ("back", "restarted")]
    assert [(a.phase, a.client, a.status) for a in after if a.status >= 400] == []
    # ... and the same gunicorn workers answer again: none died or was restarted
    assert portal.gunicorn.poll() is None
    assert _children(portal.gunicorn.pid) == workers_before
    # ... and no write was stored in half: every activity has its evidence and its history
    written = sum(1 for a in answers if a.client == "write" and a.status == 201)
    query = """
        SELECT a.id,
               (SELECT count(*) FROM partnership_activityevidence e WHERE e.activity_id = a.id),
               (SELECT count(*) FROM partnership_historicaljointactivity h WHERE h.id = a.id)
        FROM partnership_jointactivity a WHERE a.description LIKE %s
    """
    database = psycopg2.connect(portal.cluster.url("hamkorlik"))
    with database as connection, connection.cursor() as cursor:
        cursor.execute(query, [f"{MARKER} %"])
        stored = cursor.fetchall()
    database.close()
    assert written <= len(stored) <= attempts["writes"]
    assert [row for row in stored if row[1:] != (EVIDENCE_PER_ACTIVITY, 1)] == []
    statuses = Counter((a.phase, a.client, a.status) for a in answers)
    print(  # the figures, for `pytest -s`
        f"\nsetup (s): { {k: round(v, 1) for k, v in portal.setup_seconds.items()} }"
        f"\nrequests: {len(answers)}, by phase, client and status: {dict(sorted(statuses.items()))}"
        f"\nactivities stored: {len(stored)} "
        f"(201 answers: {written}, attempts: {attempts['writes']})"
        f"\nrecovered within (s): { {k: round(v, 2) for k, v in recovery.items()} }"
    )


# --- The error answers themselves (in this process) -------------------------------------------


def test_an_unhandled_api_error_is_answered_in_json_and_a_page_error_in_html(rf):
    api = server_error_view(rf.post("/api/v1/activities/log/"))
    assert (api.status_code, api["Content-Type"]) == (500, "application/json")
    assert json.loads(api.content)["detail"]
    page = server_error_view(rf.get("/partnership/activities/"))
    assert (page.status_code, page["Content-Type"]) == (500, "text/html; charset=utf-8")
    assert b"<html" in page.content
