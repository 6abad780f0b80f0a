"""Celery with the real broker of the run (Redis in CI, the on-disk broker otherwise) and a
real worker consuming from it."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery import app as celery_app
from core.models import Heartbeat
from core.tasks import heartbeat_task


def test_the_beat_schedule_names_registered_tasks():
    celery_app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks


@pytest.mark.django_db(transaction=True)
def test_heartbeat_goes_through_the_broker_to_a_worker():
    # given: a worker consuming from the configured broker
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        # when: the heartbeat is sent as beat sends it
        heartbeat_task.apply_async()
        # then: the worker stores it (waiting for the worker, with a deadline)
        deadline = time.monotonic() + 60
        while not Heartbeat.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    heartbeat = Heartbeat.objects.get()
    assert heartbeat.worker
