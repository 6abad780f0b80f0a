"""The daily reminders: run in the test's process, twice, and once through a real worker."""

import json
import time
import uuid
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django_celery_results.models import TaskResult

from accounts.models import Notification, User
from config.celery import app as celery_app
from partnership.models import Agreement, InformationRequest, Obligation, Organisation
from partnership.tasks import partnership_reminders_task


def _today():
    return timezone.localdate()


def _prepare(org_a: Organisation) -> dict:
    """One of each event the reminders look for, on the demo organisation's side (whose
    staff and district officer have accounts with e-mail addresses)."""
    today = _today()
    expiring = org_a.agreements.order_by("pk").first()
    Agreement.objects.filter(pk=expiring.pk).update(
        status=Agreement.Status.ACTIVE,
        valid_from=today - timedelta(days=300),
        valid_to=today + timedelta(days=10),
    )
    unit = expiring.unit
    past_due = Agreement.objects.create(
        number="T-PAST-DUE",
        title="Muddati oʻtgan",
        unit=unit,
        status=Agreement.Status.ACTIVE,
        valid_from=today - timedelta(days=400),
        valid_to=today - timedelta(days=1),
    )
    past_due.organisations.add(org_a)
    obligation = Obligation.objects.create(
        agreement=expiring,
        text="Oylik hisobot.",
        party=Obligation.Party.UNIT,
        due_date=today - timedelta(days=1),
    )
    request = InformationRequest.objects.create(
        direction=InformationRequest.Direction.TO_UNIT,
        organisation=org_a,
        unit=unit,
        subject="Tadbirlar rejasi",
        text="Rejani yuboring.",
        due_date=today - timedelta(days=1),
    )
    return {
        "expiring": Agreement.objects.get(pk=expiring.pk),
        "past_due": past_due,
        "obligation": obligation,
        "request": request,
    }


def _both_sides() -> set[str]:
    return {"officer.district", "ngo.admin", "ngo.staff"}


def _notified(dedupe_key: str) -> set[str]:
    return set(
        Notification.objects.filter(dedupe_key=dedupe_key).values_list("user__username", flat=True)
    )


@pytest.mark.django_db
def test_reminders_run_twice_send_once(org_a):
    # given
    events = _prepare(org_a)
    expiring = events["expiring"]
    expiring_key = f"agreement-expiring-{expiring.pk}-{expiring.valid_to:%Y%m%d}"
    # when
    first = partnership_reminders_task.apply().get()
    # then: the past-due agreement expired; the obligation and the request are overdue
    assert first["expired"] >= 1
    events["past_due"].refresh_from_db()
    assert events["past_due"].status == Agreement.Status.EXPIRED
    assert events["past_due"].status_changed_at is not None
    events["obligation"].refresh_from_db()
    assert events["obligation"].state == Obligation.State.OVERDUE
    events["request"].refresh_from_db()
    assert events["request"].state == InformationRequest.State.OVERDUE
    # both sides of the expiring agreement are told, in the app and by one e-mail each
    assert _notified(expiring_key) == _both_sides()
    with translation.override(settings.LANGUAGE_CODE):
        text = Notification.objects.filter(dedupe_key=expiring_key).first().text
    assert expiring.number in text
    expiry_mails = [m for m in mail.outbox if m.body.startswith(text)]
    recipients = sorted(address for m in expiry_mails for address in m.to)
    expected = sorted(
        User.objects.filter(username__in=_both_sides()).values_list("email", flat=True)
    )
    assert recipients == expected
    assert _notified(f"obligation-overdue-{events['obligation'].pk}") == _both_sides()
    # the answering side of the request (the unit) is told
    assert _notified(f"request-overdue-{events['request'].pk}") == {"officer.district"}
    assert first["expiring_notified"] >= 3
    assert first["obligations_notified"] >= 3
    assert first["requests_notified"] >= 1
    # when: the next day's run finds nothing new
    notifications, mails = Notification.objects.count(), len(mail.outbox)
    second = partnership_reminders_task.apply().get()
    # then
    assert second == {
        "expired": 0,
        "expiring_notified": 0,
        "obligations_notified": 0,
        "requests_notified": 0,
    }
    assert Notification.objects.count() == notifications
    assert len(mail.outbox) == mails


@pytest.mark.django_db
def test_agreements_ending_later_or_not_active_are_not_reminded(org_a):
    agreement = org_a.agreements.order_by("pk").first()
    Agreement.objects.filter(pk=agreement.pk).update(
        status=Agreement.Status.PROPOSED, valid_to=_today() + timedelta(days=5)
    )
    partnership_reminders_task.apply().get()
    assert not Notification.objects.filter(
        dedupe_key__startswith=f"agreement-expiring-{agreement.pk}-"
    )
    Agreement.objects.filter(pk=agreement.pk).update(
        status=Agreement.Status.ACTIVE, valid_to=_today() + timedelta(days=31)
    )
    partnership_reminders_task.apply().get()
    assert not Notification.objects.filter(
        dedupe_key__startswith=f"agreement-expiring-{agreement.pk}-"
    )


@pytest.mark.django_db(transaction=True)
def test_reminders_go_through_the_broker_to_a_worker(demo_data):
    # given: a queue of this test's own, so that no other worker on the machine takes it
    org_a = User.objects.get(username="ngo.staff").memberships.get().organisation
    events = _prepare(org_a)
    queue = f"test-reminders-{uuid.uuid4().hex[:8]}"
    try:
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=30,
            queues=[queue],
        ):
            # when: sent as beat sends it
            sent = partnership_reminders_task.apply_async(queue=queue)
            # then: the worker runs it and stores its result (waiting, with a deadline)
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                if TaskResult.objects.filter(task_id=sent.id, status="SUCCESS").exists():
                    break
                time.sleep(0.2)
    finally:
        # The worker narrowed the app's queues to this test's one: back to the default.
        celery_app.amqp.queues.select([celery_app.conf.task_default_queue])
    result = TaskResult.objects.get(task_id=sent.id)
    assert result.status == "SUCCESS"
    assert result.task_name == "partnership.tasks.partnership_reminders_task"
    assert json.loads(result.result)["expired"] >= 1
    events["past_due"].refresh_from_db()
    assert events["past_due"].status == Agreement.Status.EXPIRED
    expiring = events["expiring"]
    key = f"agreement-expiring-{expiring.pk}-{expiring.valid_to:%Y%m%d}"
    assert _notified(key) == _both_sides()
