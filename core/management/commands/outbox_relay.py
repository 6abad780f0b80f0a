"""Sends the outbox's tasks that could not be sent on commit (core.outbox), every few seconds.

Runs beside the web and the workers (Procfile `relay:`, docker-compose `relay`). Any number of
relays may run: each pass claims its rows with SKIP LOCKED, so no row is sent by two.
"""

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, connection

from core.outbox import outbox_send

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Sends the tasks waiting in the outbox to the broker, now and every few seconds."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Send what is waiting now, then stop (exit status 1 if the broker refused).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=settings.OUTBOX_RELAY_INTERVAL_SECONDS,
            help="Seconds between passes once nothing is left to send.",
        )

    def handle(self, *args, once: bool, interval: float, **options):
        stopping = threading.Event()
        if not once:
            # Stops between passes, never halfway through one (docker stop, a supervisor).
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stopping.set())
            logger.info("Outbox relay started; a pass every %s s", interval)
        total = 0
        while not stopping.is_set():
            # The relay lives for days: a connection the database dropped (a restart) is
            # replaced here, as Django does between requests. Not inside a transaction (a
            # test's), which closing the connection would end.
            if not connection.in_atomic_block:
                close_old_connections()
            try:
                result = outbox_send(limit=settings.OUTBOX_RELAY_BATCH)
            except DatabaseError:
                if once:
                    raise
                logger.exception("Outbox relay: the database is unreachable; trying again")
                stopping.wait(interval)
                continue
            total += result.sent
            if result.sent:
                logger.info("Outbox relay: sent %d task(s)", result.sent)
            # A full batch sent means more may be waiting: the next pass starts at once.
            caught_up = result.failed or result.sent < settings.OUTBOX_RELAY_BATCH
            if once and caught_up:
                break
            if caught_up:
                stopping.wait(interval)
        if once:
            self.stdout.write(f"Sent {total} task(s).")
            if result.failed:
                raise CommandError("The broker refused a task; the rest wait in the outbox.")
