from collections import defaultdict
from unittest.mock import patch

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import User


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The real territory tree and the tiny demo set, loaded once per test session.

    Tests run inside a transaction rolled back at their end, so they share this data without
    changing it. Transactional tests (browser, Celery worker) flush the database and load what
    they need themselves, through the `demo_data` fixture; pytest-django runs them last.
    """
    with django_db_blocker.unblock():
        call_command("seed_demo", scale="tiny", verbosity=0)


@pytest.fixture
def demo_data(transactional_db):
    """The tiny demo set, for tests whose database is flushed after every test."""
    call_command("seed_demo", scale="tiny", verbosity=0)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def demo_user(db):
    """Fetches a demo account by user name (see core.demo and each app's demo.py)."""

    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


@pytest.fixture(autouse=True)
def outbox_sent(request, monkeypatch):
    """The tasks the outbox sends (core.outbox), held here by task name, each as its
    positional arguments, instead of on the broker, where no worker would take them before a
    later test's worker did, against that test's data. A test marked `real_broker` sends them
    to the broker."""
    from core import outbox

    # A broker error in one test must not leave the next tests' sends paused.
    monkeypatch.setattr(outbox, "_send_on_commit_paused_until", 0.0)
    if request.node.get_closest_marker("real_broker"):
        yield None
        return
    sent: defaultdict[str, list[tuple]] = defaultdict(list)
    with patch.object(
        outbox, "_broker_send", side_effect=lambda task: sent[task.task].append(tuple(task.args))
    ):
        yield sent


@pytest.fixture
def figures_queue(outbox_sent):
    """The figure refreshes that period approvals queue (accountability.receivers)."""
    from accountability.tasks import period_figures_refresh_task

    return None if outbox_sent is None else outbox_sent[period_figures_refresh_task.name]
