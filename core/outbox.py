"""The task outbox: Celery tasks that survive a broker outage.

A change that asks for background work calls `enqueue(task, *args)` instead of `task.delay`.
The task is written as a row (core.models.OutboxTask) in the change's own transaction, so it
exists exactly when the change does: a rolled-back change leaves no task, and a committed one
always has its task, whether or not Redis answers. On commit the row is sent at once, with no
retrying (a broker that is down must not hold a web request); if the broker refuses, the row
waits and the relay (manage.py outbox_relay) sends it once the broker is back.

Every send claims its rows with SELECT ... FOR UPDATE SKIP LOCKED, so the send on commit and
any number of relays never send one row twice at once. A process killed after the broker took
a task but before the row was marked sent does send it again later, with the same task id
(the row's id); the tasks are idempotent (STYLE.md §6), so a second delivery does no harm.

This is the server's outbox of tasks, not the phone's outbox of offline submissions
(static/js).
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from core.models import OutboxTask

logger = logging.getLogger(__name__)

# Errors longer than this are cut: the row says what went wrong, the log has the rest.
LAST_ERROR_MAX_LENGTH = 1000
# Rows deleted per statement by the purge, so that no one statement holds its locks for long.
PURGE_BATCH = 5000
# After the broker refused a send on commit, this process leaves the next commits' tasks to
# the relay for this long: a send to a broker that is down takes up to the connect timeout,
# which every write of an outage would otherwise wait for.
SEND_ON_COMMIT_PAUSE_SECONDS = 10
_send_on_commit_paused_until = 0.0


def enqueue(task: Task | str, *args, **kwargs) -> OutboxTask:
    """Queues `task(*args, **kwargs)` once the current transaction commits (at once outside
    one). Arguments must be JSON values (ids, dates as ISO strings), as for any task."""
    name = task if isinstance(task, str) else task.name
    message = OutboxTask.objects.create(task=name, args=list(args), kwargs=kwargs)
    # robust: a failure of this send (which catches broker errors itself) must not stop the
    # other callbacks of the commit; the relay sends the row later in any case.
    transaction.on_commit(partial(_send_on_commit, message.pk), robust=True)
    return message


def _send_on_commit(message_id) -> None:
    global _send_on_commit_paused_until
    if time.monotonic() < _send_on_commit_paused_until:
        return
    if outbox_send(ids=[message_id]).failed:
        _send_on_commit_paused_until = time.monotonic() + SEND_ON_COMMIT_PAUSE_SECONDS


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int


def outbox_send(*, ids: list | None = None, limit: int | None = None) -> SendResult:
    """Sends unsent rows to the broker, oldest first: the given ones, or up to `limit` of all.

    Rows another process is sending are skipped, not waited for. The first broker error stops
    the pass (the broker is down: the rows after it would fail the same way); that row keeps
    its error and counts an attempt.
    """
    with transaction.atomic():
        pending = OutboxTask.objects.filter(sent_at__isnull=True)
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        claimed = pending.select_for_update(skip_locked=True).order_by("created_at")
        messages = list(claimed[:limit] if limit else claimed)
        sent_ids = []
        failed, error = None, ""
        for message in messages:
            try:
                _broker_send(message)
            except BrokerError as exc:
                failed, error = message, f"{type(exc).__name__}: {exc}"
                logger.warning(
                    "The broker refused outbox task %s (%s); it stays queued: %s",
                    message.pk,
                    message.task,
                    exc,
                )
                break
            sent_ids.append(message.pk)
        if sent_ids:
            OutboxTask.objects.filter(pk__in=sent_ids).update(sent_at=timezone.now())
        if failed is not None:
            OutboxTask.objects.filter(pk=failed.pk).update(
                attempts=F("attempts") + 1, last_error=error[:LAST_ERROR_MAX_LENGTH]
            )
    return SendResult(sent=len(sent_ids), failed=int(failed is not None))


def _broker_send(message: OutboxTask) -> None:
    """Hands one task to the broker, once: no retry policy, which would hold the caller for
    seconds per task while the broker is down. By name, so the relay needs no task module."""
    from config.celery import app

    app.send_task(
        message.task,
        args=message.args,
        kwargs=message.kwargs,
        task_id=str(message.pk),
        retry=False,
    )


def outbox_pending() -> QuerySet[OutboxTask]:
    """The rows not sent yet: read through the partial index on them."""
    return OutboxTask.objects.filter(sent_at__isnull=True)


def outbox_purge(*, now=None) -> int:
    """Deletes the rows sent more than OUTBOX_SENT_TTL_DAYS ago; returns how many.

    Kept that long to tell, from a task id in a worker's log, which change asked for it.
    """
    before = (now or timezone.now()) - timedelta(days=settings.OUTBOX_SENT_TTL_DAYS)
    old = OutboxTask.objects.filter(sent_at__lt=before)
    deleted = 0
    while batch := list(old.values_list("pk", flat=True)[:PURGE_BATCH]):
        deleted += OutboxTask.objects.filter(pk__in=batch).delete()[0]
    return deleted
