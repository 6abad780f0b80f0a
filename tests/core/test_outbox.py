"""The task outbox (core.outbox): a task asked for in a transaction exists exactly when the
transaction commits, is sent once, waits through a broker outage and is sent by the relay once
the broker is back; two relays never send one task twice.

The broker itself is the test suite's stand-in (tests/conftest.py, `outbox_sent`), or one that
refuses (a kombu OperationalError, as kombu raises for a Redis that is down)."""

import threading
from datetime import timedelta
from io import StringIO
from unittest.mock import patch

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accounts.models import User
from core import outbox
from core.models import OutboxTask
from core.outbox import enqueue, outbox_purge, outbox_send
from core.tasks import heartbeat_task

TASK = "core.tasks.heartbeat_task"


def refusing_broker():
    return patch.object(outbox, "_broker_send", side_effect=BrokerError("Connection refused"))


def relay_once() -> str:
    out = StringIO()
    call_command("outbox_relay", "--once", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_task_is_written_in_the_transaction_and_sent_once_it_commits(
    outbox_sent, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = enqueue(heartbeat_task, 7, "2026-11-01", flag=True)
        # then, before the commit, the row is written and nothing is sent
        assert OutboxTask.objects.get().sent_at is None
        assert outbox_sent[TASK] == []
    # ... and once committed it is sent, with its arguments and its row's id as task id
    message.refresh_from_db()
    assert (message.task, message.args, message.kwargs) == (TASK, [7, "2026-11-01"], {"flag": True})
    assert message.sent_at is not None
    assert (message.attempts, message.last_error) == (0, "")
    assert outbox_sent[TASK] == [(7, "2026-11-01")]


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_task(outbox_sent, django_capture_on_commit_callbacks):
    # when the change that asked for the task fails
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(heartbeat_task)
        raise RuntimeError("the change failed")
    # then there is no row, and nothing was or will be sent
    assert not OutboxTask.objects.exists()
    assert callbacks == []
    assert outbox_sent[TASK] == []


@pytest.mark.django_db
def test_a_task_the_broker_refuses_waits_and_the_relay_sends_it_once(
    outbox_sent, django_capture_on_commit_callbacks
):
    # given a broker that is down when the change commits
    with refusing_broker(), django_capture_on_commit_callbacks(execute=True):
        message = enqueue(heartbeat_task, 1)
    # then the row waits, with the error and one attempt
    message.refresh_from_db()
    assert message.sent_at is None
    assert message.attempts == 1
    assert message.last_error == "OperationalError: Connection refused"
    # when the relay runs while the broker is still down: it fails and the row still waits
    with refusing_broker(), pytest.raises(CommandError):
        relay_once()
    message.refresh_from_db()
    assert (message.sent_at, message.attempts) == (None, 2)
    # when the broker is back
    assert relay_once() == "Sent 1 task(s).\n"
    # then the task is sent, once, and a second pass has nothing to send
    message.refresh_from_db()
    assert message.sent_at is not None
    assert outbox_sent[TASK] == [(1,)]
    assert relay_once() == "Sent 0 task(s).\n"
    assert outbox_sent[TASK] == [(1,)]


@pytest.mark.django_db
def test_after_a_refusal_the_next_commits_leave_their_tasks_to_the_relay(
    outbox_sent, django_capture_on_commit_callbacks
):
    # given a send on commit the broker refused
    with refusing_broker() as send, django_capture_on_commit_callbacks(execute=True):
        enqueue(heartbeat_task, 1)
        # when another change commits soon after, the broker is not tried again
        enqueue(heartbeat_task, 2)
    assert send.call_count == 1
    # then both wait, for the relay, which sends them in the order they were asked for
    assert OutboxTask.objects.filter(sent_at__isnull=True).count() == 2
    relay_once()
    assert outbox_sent[TASK] == [(1,), (2,)]


@pytest.mark.django_db
def test_the_relay_stops_at_the_first_refusal(outbox_sent):
    # given three waiting tasks
    for number in range(3):
        OutboxTask.objects.create(task=TASK, args=[number])
    # when the broker refuses
    with refusing_broker() as send, pytest.raises(CommandError):
        relay_once()
    # then it was asked once, and only the oldest row counts the attempt
    assert send.call_count == 1
    attempts = OutboxTask.objects.order_by("created_at").values_list("attempts", flat=True)
    assert list(attempts) == [1, 0, 0]
    # when it is back, every one is sent, oldest first
    relay_once()
    assert outbox_sent[TASK] == [(0,), (1,), (2,)]


@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_never_send_one_task_twice():
    # given waiting tasks, committed (each relay has a connection of its own)
    rows = {str(OutboxTask.objects.create(task=TASK, args=[number]).pk) for number in range(5)}
    sends: list[tuple[str, str]] = []
    second: dict = {}
    second_started = threading.Event()

    def second_relay():
        try:
            second["result"] = outbox_send(limit=100)
        finally:
            connection.close()

    def send(message):
        sends.append((threading.current_thread().name, str(message.pk)))
        # While the first relay holds its rows (in the middle of sending them), a second
        # relay runs a full pass, in another thread and transaction.
        if not second_started.is_set():
            second_started.set()
            thread = threading.Thread(target=second_relay, name="second")
            thread.start()
            thread.join(timeout=60)
            assert not thread.is_alive()

    # when
    with patch.object(outbox, "_broker_send", side_effect=send):
        first = outbox_send(limit=100)
    # then the second relay skipped every row the first held, and each row was sent once
    assert second["result"].sent == 0
    assert first.sent == 5
    assert sorted(pk for _thread, pk in sends) == sorted(rows)
    assert {thread for thread, _pk in sends} == {threading.main_thread().name}
    assert not OutboxTask.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_purge_deletes_only_rows_sent_long_ago(settings):
    now = timezone.now()
    old = now - timedelta(days=settings.OUTBOX_SENT_TTL_DAYS + 1)
    OutboxTask.objects.create(task=TASK, created_at=old, sent_at=old)
    recent = OutboxTask.objects.create(task=TASK, created_at=old, sent_at=now)
    waiting = OutboxTask.objects.create(task=TASK, created_at=old)
    assert outbox_purge() == 1
    assert set(OutboxTask.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


@pytest.mark.django_db
def test_healthz_reports_the_backlog_and_turns_red_when_it_is_old(client, settings):
    from core.services import heartbeat_record

    heartbeat_record()
    now = timezone.now()
    # given a task sent long ago and one waiting for a minute
    OutboxTask.objects.create(task=TASK, created_at=now - timedelta(days=1), sent_at=now)
    OutboxTask.objects.create(task=TASK, created_at=now - timedelta(seconds=60))
    # then it is counted, and green while younger than the limit
    check = client.get("/healthz").json()["checks"]["outbox"]
    assert check["ok"] is True
    assert check["pending"] == 1
    assert 60 <= check["oldest_age_seconds"] < settings.OUTBOX_PENDING_MAX_AGE_SECONDS
    # when it has waited longer than the limit (the broker or the relay is down)
    settings.OUTBOX_PENDING_MAX_AGE_SECONDS = 30
    response = client.get("/healthz")
    # then
    assert response.status_code == 503
    assert response.json()["checks"]["outbox"]["ok"] is False


@pytest.mark.django_db
def test_an_administrator_sees_the_outbox_in_the_admin_and_cannot_change_it(client):
    pending = OutboxTask.objects.create(task="core.tasks.heartbeat_task", last_error="refused")
    sent = OutboxTask.objects.create(task="core.tasks.heartbeat_task", sent_at=timezone.now())
    client.force_login(User.objects.get(username="admin"))
    url = reverse("admin:core_outboxtask_changelist")

    waiting = client.get(url, {"state": "pending"})

    assert waiting.status_code == 200
    shown = {row.pk for row in waiting.context["cl"].result_list}
    assert pending.pk in shown and sent.pk not in shown
    assert client.get(reverse("admin:core_outboxtask_change", args=[pending.pk])).status_code == 200
    assert client.get(reverse("admin:core_outboxtask_add")).status_code == 403
    client.post(reverse("admin:core_outboxtask_delete", args=[pending.pk]), {"post": "yes"})
    assert OutboxTask.objects.filter(pk=pending.pk).exists()
