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
def figures_queue(request):
    """The figure refreshes that period approvals queue (accountability.receivers), held here
    instead of on the broker, where no worker would take them before a later test's worker
    did, against that test's data. A test marked `real_broker` sends them to the broker."""
    if request.node.get_closest_marker("real_broker"):
        yield None
        return
    from accountability.tasks import period_figures_refresh_task

    queued: list[tuple] = []
    with patch.object(
        period_figures_refresh_task, "delay", side_effect=lambda *args: queued.append(args)
    ):
        yield queued
