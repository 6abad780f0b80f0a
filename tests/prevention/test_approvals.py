"""The approvals page of the monthly period approval (a section per level), its actions, and
the daily reminder of late submissions."""

import importlib
from datetime import date, timedelta

import pytest
from celery import Task
from celery.schedules import crontab
from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, Role
from mahalla.models import Territory
from prevention.models import PeriodApproval
from prevention.selectors import period_due_date, period_previous_month
from prevention.services import period_submission_remind
from prevention.tasks import period_submission_reminders_task
from tests.accounts.factories import MembershipFactory

# The demo approves every month before last: these tests start from none.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_period_approvals")]

URL = reverse("prevention:approval-list")
State = PeriodApproval.State
DISTRICT = "1726266"  # Yunusobod, where officer.district works
REGION = "1726"  # Tashkent city, officer.region's: Yunusobod and 11 other districts


def _month() -> date:
    return period_previous_month(timezone.localdate())


def _query(month: date, **extra) -> dict:
    return {"month": f"{month:%Y-%m}", **extra}


@pytest.fixture
def as_user(client, demo_user):
    """Signs the test client in as a demo account, in English."""

    def login(username: str):
        client.force_login(demo_user(username))
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


def _set_region(month: date, state: str, *, region: str = REGION, skip: tuple = ()) -> int:
    """Puts the region's districts (but `skip`) in `state` directly, as if they had acted."""
    districts = Territory.objects.filter(parent__code=region, kind=Territory.Kind.DISTRICT)
    count = 0
    for district in districts.exclude(code__in=skip):
        PeriodApproval.objects.update_or_create(
            district=district, month=month, defaults={"state": state}
        )
        count += 1
    return count


def _state(month: date, code: str = DISTRICT) -> str:
    row = PeriodApproval.objects.filter(district__code=code, month=month).first()
    return row.state if row else State.OPEN


def _post(client, name: str, month: date, **data):
    # The notifications of a return are sent once the action's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse(f"prevention:{name}"), {"month": f"{month:%Y-%m}", **data})


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Who sees the page ----------------------------------------------------------------------


def test_the_page_asks_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("username", ["inspector", "ngo.staff", "ngo.admin", "council"])
def test_the_page_does_not_exist_for_others(as_user, username):
    month = _month()
    client = as_user(username)
    assert client.get(URL).status_code == 404
    response = _post(client, "approval-submit", month, district=DISTRICT)
    assert response.status_code == 404
    assert _state(month) == State.OPEN


def test_the_menu_has_approvals_for_officers_only(as_user):
    assert URL in as_user("officer.district").get(reverse("accounts:home")).content.decode()
    assert URL not in as_user("inspector").get(reverse("accounts:home")).content.decode()


def test_the_district_unit_sees_its_district(as_user):
    response = as_user("officer.district").get(URL)
    assert response.status_code == 200
    assert response.context["month"] == _month()  # last month by default
    [section] = response.context["sections"]
    assert section["kind"] == "district" and section["node"].code == DISTRICT
    assert section["state"] == State.OPEN and section["can_submit"]
    page = response.content.decode()
    assert 'data-testid="submit-period"' in page
    assert 'data-testid="district-table"' not in page
    assert f"node={DISTRICT}&amp;kind=month&amp;period={_month():%Y-%m}" in page


def test_the_region_unit_sees_its_districts(as_user):
    month = _month()
    _set_region(month, State.SUBMITTED, skip=(DISTRICT, "1726262"))
    response = as_user("officer.region").get(URL, _query(month))
    [section] = response.context["sections"]
    assert section["kind"] == "region" and section["node"].code == REGION
    rows = section["table"]["rows"]
    expected = Territory.objects.filter(parent__code=REGION, kind=Territory.Kind.DISTRICT)
    assert {row.district.code for row in rows} == set(expected.values_list("code", flat=True))
    assert len(rows) == 12
    assert (section["table"]["reached"], section["table"]["total"]) == (10, 12)
    assert "Submitted: 10 of 12 districts." in response.content.decode()
    by_code = {row.district.code: row for row in rows}
    assert by_code[DISTRICT].state == State.OPEN and not by_code[DISTRICT].can_approve
    submitted = next(row for row in rows if row.state == State.SUBMITTED)
    assert submitted.can_approve and submitted.can_return
    # Approval waits for the two open districts, and the page says why.
    assert "2 districts have not yet" in section["table"]["approve_blocked"]
    assert not section["table"]["can_bulk_approve"]
    assert 'data-testid="approve" disabled' in response.content.decode()


def test_the_late_flag_is_set_after_the_5th_of_the_following_month(as_user):
    long_ago = period_previous_month(_month())  # its due day has passed, whatever today is
    _set_region(long_ago, State.SUBMITTED, skip=(DISTRICT,))
    response = as_user("officer.region").get(URL, _query(long_ago))
    rows = response.context["sections"][0]["table"]["rows"]
    assert [row.district.code for row in rows if row.late] == [DISTRICT]
    assert period_due_date(date(2026, 12, 1)) == date(2027, 1, 5)


def test_the_republic_sees_the_regions_and_a_regions_districts(as_user):
    month = _month()
    _set_region(month, State.APPROVED)
    client = as_user("officer.republic")
    response = client.get(URL, _query(month))
    [section] = response.context["sections"]
    assert section["kind"] == "republic"
    summaries = [summary for summary, _late in section["summaries"]]
    assert len(summaries) == 14
    assert (
        sum(summary.total for summary in summaries)
        == Territory.objects.filter(kind=Territory.Kind.DISTRICT).count()
    )
    tashkent = next(summary for summary in summaries if summary.region.code == REGION)
    assert (tashkent.open, tashkent.approved, tashkent.total) == (0, 12, 12)
    assert "table" not in section
    assert "not approved yet" in section["accept_blocked"]

    response = client.get(URL, _query(month, region=REGION))
    table = response.context["sections"][0]["table"]
    assert len(table["rows"]) == 12
    assert all(row.can_accept and row.can_return and not row.can_approve for row in table["rows"])


def test_an_administrator_sees_the_republic(as_user):
    response = as_user("admin").get(URL, _query(_month(), region=REGION))
    [section] = response.context["sections"]
    assert section["kind"] == "republic" and len(section["table"]["rows"]) == 12


def test_a_user_with_several_memberships_sees_a_section_per_level(as_user, demo_user):
    user = demo_user("officer.district")
    MembershipFactory(
        user=user,
        role=Role.UNIT_OFFICER,
        territory=Territory.objects.get(code="1703"),
        valid_from=timezone.localdate() - timedelta(days=1),
    )
    response = as_user("officer.district").get(URL)
    assert [s["kind"] for s in response.context["sections"]] == ["region", "district"]


@pytest.mark.parametrize(
    "query",
    [{"month": "May 2025"}, {"month": "2025-13"}, {"month": "2999-01"}, {"region": "99"}],
)
def test_a_bad_choice_is_a_400_with_a_message(as_user, query):
    response = as_user("officer.republic").get(URL, query)
    assert response.status_code == 400
    assert response.context["sections"] == []
    assert 'data-testid="page-error"' in response.content.decode()


def test_the_region_page_costs_a_fixed_number_of_queries(as_user, django_assert_max_num_queries):
    client = as_user("officer.region")
    with django_assert_max_num_queries(10):
        client.get(URL, _query(_month()))


# --- District: submit and reopen ------------------------------------------------------------


def test_the_district_submits_its_month(as_user):
    month = _month()
    client = as_user("officer.district")
    response = _post(client, "approval-submit", month, district=DISTRICT)
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?month={month:%Y-%m}"
    assert _state(month) == State.SUBMITTED
    response = client.get(response["Location"])
    section = response.context["sections"][0]
    assert section["state"] == State.SUBMITTED and section["can_reopen"]
    assert not section["can_submit"]
    assert [event.event for event in section["history"]] == ["submitted"]
    assert section["history"][0].by.username == "officer.district"


def test_a_refusal_changes_nothing_and_is_a_400(as_user):
    month = _month()
    client = as_user("officer.district")
    _post(client, "approval-submit", month, district=DISTRICT)
    # Submitted twice, approved by itself, or another district: refused, shown as a message.
    response = _post(client, "approval-submit", month, district=DISTRICT)
    assert response.status_code == 400
    assert "Only an open month can be submitted." in _messages(response)
    response = _post(client, "approval-approve", month, district=DISTRICT)
    assert response.status_code == 400
    assert "Only the region unit approves." in _messages(response)
    response = _post(client, "approval-submit", month, district="1726262")
    assert response.status_code == 400
    assert _state(month) == State.SUBMITTED
    assert _state(month, "1726262") == State.OPEN


def test_reopening_needs_a_reason(as_user):
    month = _month()
    client = as_user("officer.district")
    _post(client, "approval-submit", month, district=DISTRICT)
    response = _post(client, "approval-reopen", month, district=DISTRICT, reason="  ")
    assert response.status_code == 400
    assert "Give the reason for reopening." in _messages(response)
    assert response.context["failed"]["action"] == "reopen"
    assert _state(month) == State.SUBMITTED

    response = _post(client, "approval-reopen", month, district=DISTRICT, reason="Late records")
    assert response.status_code == 302
    assert _state(month) == State.OPEN
    section = client.get(response["Location"]).context["sections"][0]
    assert section["last_word"].event == "reopened"
    assert section["last_word"].message == "Late records"
    assert [event.event for event in section["history"]] == ["reopened", "submitted"]


# --- Region: approve, return, bulk ----------------------------------------------------------


def test_the_region_cannot_approve_while_a_district_is_open(as_user):
    month = _month()
    as_user("officer.district")
    _set_region(month, State.SUBMITTED, skip=("1726262",))
    client = as_user("officer.region")
    response = _post(client, "approval-approve", month, district=DISTRICT)
    assert response.status_code == 400
    assert any("has not submitted yet" in text for text in _messages(response))
    assert _state(month) == State.SUBMITTED

    _set_region(month, State.SUBMITTED)
    response = _post(client, "approval-approve", month, district=DISTRICT)
    assert response.status_code == 302
    assert _state(month) == State.APPROVED
    assert _state(month, "1726262") == State.SUBMITTED


def test_the_region_returns_a_month_with_a_message(as_user, demo_user):
    month = _month()
    district_officer = demo_user("officer.district")
    _post(as_user("officer.district"), "approval-submit", month, district=DISTRICT)
    client = as_user("officer.region")

    # given: a return needs a message
    response = _post(client, "approval-return", month, district=DISTRICT, message="")
    assert response.status_code == 400
    assert "Write what the lower level should fix." in _messages(response)
    assert response.context["failed"] == {
        "action": "return",
        "district": DISTRICT,
        "form": response.context["failed"]["form"],
    }
    assert _state(month) == State.SUBMITTED
    assert not Notification.objects.filter(user=district_officer).exists()

    # when
    response = _post(
        client, "approval-return", month, district=DISTRICT, message="Add the March meetings"
    )

    # then: open again, the district unit is told and reads it on its page
    assert response.status_code == 302
    assert _state(month) == State.OPEN
    [notification] = Notification.objects.filter(user=district_officer)
    assert "Add the March meetings" in notification.text
    assert notification.url == f"{URL}?month={month:%Y-%m}"
    response = as_user("officer.district").get(notification.url)
    section = response.context["sections"][0]
    assert section["can_submit"]
    assert section["last_word"].event == "returned"
    assert section["last_word"].by.username == "officer.region"
    page = response.content.decode()
    assert 'data-testid="period-message"' in page and "Add the March meetings" in page
    history = PeriodApproval.objects.get(district__code=DISTRICT, month=month).history
    assert list(history.order_by("history_id").values_list("state", "message")) == [
        (State.OPEN, ""),  # the row is created open, then moved
        (State.SUBMITTED, ""),
        (State.OPEN, "Add the March meetings"),
    ]


def test_the_region_takes_back_its_approval_before_the_republic_accepts(as_user, demo_user):
    month = _month()
    _set_region(month, State.APPROVED)
    client = as_user("officer.region")
    rows = client.get(URL, _query(month)).context["sections"][0]["table"]["rows"]
    assert all(row.can_return and not row.can_approve for row in rows)

    response = _post(client, "approval-return", month, district=DISTRICT, message="Recount")
    assert response.status_code == 302
    assert _state(month) == State.OPEN
    assert "Recount" in Notification.objects.get(user=demo_user("officer.district")).text


def test_bulk_approve_counts_the_districts(as_user):
    month = _month()
    _set_region(month, State.SUBMITTED, skip=(DISTRICT,))
    client = as_user("officer.region")

    response = _post(client, "approval-bulk-approve", month, region=REGION)
    assert response.status_code == 400
    assert len(_messages(response)) == 4  # three refusals and "…and 8 more"
    assert not PeriodApproval.objects.filter(month=month, state=State.APPROVED).exists()

    _post(as_user("officer.district"), "approval-submit", month, district=DISTRICT)
    client = as_user("officer.region")
    page = client.get(URL, _query(month))
    assert page.context["sections"][0]["table"]["can_bulk_approve"]
    response = _post(client, "approval-bulk-approve", month, region=REGION)
    assert response.status_code == 302
    assert PeriodApproval.objects.filter(month=month, state=State.APPROVED).count() == 12
    messages = _messages(client.get(response["Location"]))
    assert "The months of 12 districts have been approved." in messages

    response = _post(client, "approval-bulk-approve", month, region=REGION)
    assert response.status_code == 400
    assert "No district of the region has a submitted month to approve." in _messages(response)


def test_a_region_cannot_bulk_approve_another_region(as_user):
    month = _month()
    _set_region(month, State.SUBMITTED, region="1703")
    response = _post(as_user("officer.region"), "approval-bulk-approve", month, region="1703")
    assert response.status_code == 400
    assert not PeriodApproval.objects.filter(month=month, state=State.APPROVED).exists()


# --- Republic: accept and return ------------------------------------------------------------


def test_the_republic_accepts_all_approved_and_returns_one(as_user, demo_user):
    month = _month()
    client = as_user("officer.republic")
    PeriodApproval.objects.bulk_create(
        [
            PeriodApproval(district=district, month=month, state=State.APPROVED)
            for district in Territory.objects.filter(kind=Territory.Kind.DISTRICT)
        ]
    )
    total = PeriodApproval.objects.filter(month=month).count()
    section = client.get(URL, _query(month)).context["sections"][0]
    assert section["can_bulk_accept"] and not section["accept_blocked"]

    response = _post(client, "approval-bulk-accept", month, region=REGION)
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?month={month:%Y-%m}&region={REGION}"
    assert PeriodApproval.objects.filter(month=month, state=State.ACCEPTED).count() == total

    # A return goes to the region unit: submitted again, its officers told.
    response = _post(
        client,
        "approval-return",
        month,
        district=DISTRICT,
        message="Check the awards",
        region=REGION,
    )
    assert response.status_code == 302
    assert _state(month) == State.SUBMITTED
    region_officer = demo_user("officer.region")
    assert "Check the awards" in Notification.objects.get(user=region_officer).text
    rows = as_user("officer.region").get(URL, _query(month)).context["sections"][0]["table"]
    row = next(row for row in rows["rows"] if row.district.code == DISTRICT)
    assert row.message == "Check the awards" and row.can_approve


def test_the_republic_cannot_accept_before_every_region_approved(as_user):
    month = _month()
    _set_region(month, State.APPROVED)
    client = as_user("officer.republic")
    response = _post(client, "approval-accept", month, district=DISTRICT)
    assert response.status_code == 400
    assert any("not approved yet" in text for text in _messages(response))
    response = _post(client, "approval-bulk-accept", month)
    assert response.status_code == 400
    assert not PeriodApproval.objects.filter(month=month, state=State.ACCEPTED).exists()


# --- The reminder task ----------------------------------------------------------------------


def _late_notifications():
    return Notification.objects.filter(dedupe_key__startswith="period-late")


def test_the_reminder_waits_for_the_5th(demo_user):
    today = timezone.localdate().replace(day=4)
    assert period_submission_remind(today=today) == {
        "late_districts": 0,
        "district_officers_notified": 0,
        "region_officers_notified": 0,
    }
    assert not _late_notifications().exists()


def test_the_reminder_tells_late_districts_and_their_region_once(demo_user):
    # given: on the 5th, Yunusobod has not submitted last month, the other 11 districts have
    today = timezone.localdate().replace(day=5)
    month = period_previous_month(today)
    _set_region(month, State.SUBMITTED, skip=(DISTRICT,))
    other = MembershipFactory(
        role=Role.UNIT_OFFICER,
        territory=Territory.objects.get(code="1726262"),
        valid_from=today - timedelta(days=60),
    ).user

    # when
    counts = period_submission_remind(today=today)

    # then
    districts = Territory.objects.filter(kind=Territory.Kind.DISTRICT).count()
    assert counts["late_districts"] == districts - 11
    assert counts["district_officers_notified"] >= 1
    assert counts["region_officers_notified"] >= 1
    [to_district] = Notification.objects.filter(user=demo_user("officer.district"))
    district_pk = Territory.objects.get(code=DISTRICT).pk
    assert to_district.dedupe_key == f"period-late:{district_pk}:{month:%Y-%m}"
    assert to_district.url == f"{URL}?month={month:%Y-%m}"
    assert f"{month:%m.%Y}" in to_district.text
    [to_region] = Notification.objects.filter(user=demo_user("officer.region"))
    assert to_region.params["count"] == 1
    assert not Notification.objects.filter(user=other).exists()  # submitted in time
    sent = Notification.objects.count()

    # Run again (and through the task, for a later day): nothing new.
    again = period_submission_reminders_task.apply(
        kwargs={"today": (today + timedelta(days=3)).isoformat()}
    ).get()
    assert again["late_districts"] == counts["late_districts"]
    assert again["district_officers_notified"] == again["region_officers_notified"] == 0
    assert Notification.objects.count() == sent


def test_the_reminder_task_is_in_beats_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["period-submission-reminders"]
    assert entry["task"] == "prevention.tasks.period_submission_reminders_task"
    assert entry["schedule"] == crontab(hour=9, minute=0)
    assert settings.CELERY_TIMEZONE == "Asia/Tashkent"
    module, name = entry["task"].rsplit(".", 1)
    task = getattr(importlib.import_module(module), name)
    assert isinstance(task, Task) and task.name == entry["task"]
