"""The period approval: its services (prevention.services, "Period approval") and the lock a
submitted month puts on every write dated in it, through the services, a page and the API."""

from datetime import timedelta

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Notification, Role
from core.exceptions import ApplicationError
from incentives.models import Commission, Fund, IncentiveGround, IncentiveType, Nomination
from incentives.services import nomination_approve, nomination_submit
from mahalla.models import Territory
from partnership.models import Agreement, JointActivity
from partnership.services import activity_log, activity_review, activity_update
from prevention.models import AccountabilityMeeting, PeriodApproval, PreventionRecord
from prevention.services import (
    PERIOD_ORDER,
    meeting_record_held,
    meeting_schedule,
    month_start,
    period_accept,
    period_approve,
    period_lock_check,
    period_reopen,
    period_state,
    period_submit,
    periods_bulk,
    record_create,
    record_update,
)
from prevention.services import period_return as _period_return
from tests.partnership.factories import JointActivityFactory
from tests.prevention.factories import PreventionRecordFactory

# The demo approves every month before last: these tests start from none.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_period_approvals")]

YUNUSOBOD, TASHKENT = "1726266", "1726"
State = PeriodApproval.State


def period_return(**kwargs):
    """The service, with the notifications it sends once its transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return _period_return(**kwargs)


@pytest.fixture(autouse=True)
def english():
    """Refusals in English, so that their words can be compared."""
    with translation.override("en"):
        yield


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def locked_month(today):
    """The month that gets submitted: the previous one, as a district does after its end."""
    return month_start(month_start(today) - timedelta(days=1))


@pytest.fixture
def in_locked(locked_month):
    """A day inside the locked month (its 15th), before today whatever today is."""
    return locked_month.replace(day=15)


@pytest.fixture
def district(db) -> Territory:
    return Territory.objects.get(code=YUNUSOBOD)


@pytest.fixture
def region(db) -> Territory:
    return Territory.objects.get(code=TASHKENT)


@pytest.fixture
def officers(demo_user):
    return {level: demo_user(f"officer.{level}") for level in ("district", "region", "republic")}


@pytest.fixture
def submitted(district, locked_month, officers):
    """Yunusobod's locked month, submitted by its district unit."""
    return period_submit(district=district, month=locked_month, by=officers["district"])


def _rows(*, month, state, districts) -> None:
    PeriodApproval.objects.bulk_create(
        [PeriodApproval(district=d, month=month, state=state) for d in districts]
    )


def _changes(period: PeriodApproval) -> list[tuple]:
    """The period's history, oldest first, without the row's creation (as open)."""
    return list(
        period.history.exclude(history_type="+")
        .order_by("history_date", "history_id")
        .values_list("state", "history_change_reason", "changed_by__username")
    )


# --- Submit and reopen ----------------------------------------------------------------------


def test_the_district_unit_submits_its_month(district, locked_month, officers):
    # given
    assert period_state(district=district, month=locked_month) == State.OPEN
    # when
    period = period_submit(district=district, month=locked_month, by=officers["district"])
    # then
    period.refresh_from_db()
    assert (period.state, period.changed_by, period.month) == (
        State.SUBMITTED,
        officers["district"],
        locked_month,
    )
    assert period.is_locked
    assert period_state(district=district, month=locked_month.replace(day=20)) == State.SUBMITTED


@pytest.mark.parametrize("username", ["officer.region", "officer.republic", "inspector", "council"])
def test_only_the_district_unit_submits(district, locked_month, demo_user, username):
    # The region officer's membership is at the region: it acts there, not for the district.
    with pytest.raises(ApplicationError, match="Only the district unit submits"):
        period_submit(district=district, month=locked_month, by=demo_user(username))
    assert not PeriodApproval.objects.filter(district=district).exists()


def test_another_districts_officer_cannot_submit(district, locked_month, officer_of):
    with pytest.raises(ApplicationError, match="Only the district unit submits"):
        period_submit(district=district, month=locked_month, by=officer_of("1726262"))


def test_a_month_is_submitted_once(submitted, district, locked_month, officers):
    with pytest.raises(ApplicationError, match="Only an open month can be submitted"):
        period_submit(district=district, month=locked_month, by=officers["district"])


def test_a_month_in_the_future_is_refused(district, today, officers):
    next_month = month_start(month_start(today) + timedelta(days=32))
    with pytest.raises(ApplicationError, match="has not begun"):
        period_submit(district=district, month=next_month, by=officers["district"])
    assert not PeriodApproval.objects.filter(district=district).exists()
    # The current month has begun: it can be submitted.
    period = period_submit(district=district, month=today, by=officers["district"])
    assert (period.month, period.state) == (month_start(today), State.SUBMITTED)


def test_reopen_needs_a_reason_and_a_submitted_month(submitted, district, locked_month, officers):
    for reason in ("", "   "):
        with pytest.raises(ApplicationError, match="reason for reopening"):
            period_reopen(
                district=district, month=locked_month, by=officers["district"], reason=reason
            )
    with pytest.raises(ApplicationError, match="Only the district unit reopens"):
        period_reopen(district=district, month=locked_month, by=officers["region"], reason="Xato.")
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED
    # when
    period = period_reopen(
        district=district, month=locked_month, by=officers["district"], reason="  Xato topildi. "
    )
    # then
    assert (period.state, period.message) == (State.OPEN, "Xato topildi.")
    with pytest.raises(ApplicationError, match="Only a submitted month can be reopened"):
        period_reopen(
            district=district, month=locked_month, by=officers["district"], reason="Yana."
        )


def test_an_approved_month_is_not_reopened_but_returned(district, region, locked_month, officers):
    _rows(month=locked_month, state=State.SUBMITTED, districts=region.children.all())
    period_approve(district=district, month=locked_month, by=officers["region"])
    with pytest.raises(ApplicationError, match="returned by the region"):
        period_reopen(
            district=district, month=locked_month, by=officers["district"], reason="Xato."
        )
    assert period_state(district=district, month=locked_month) == State.APPROVED


# --- Approve and accept ---------------------------------------------------------------------


def test_the_region_approves_only_once_all_its_districts_submitted(
    district, region, locked_month, officers
):
    # given Yunusobod submitted and the region's eleven other districts open
    districts = list(region.children.filter(kind=Territory.Kind.DISTRICT).order_by("path"))
    assert len(districts) == 12
    others = [d for d in districts if d != district]
    period_submit(district=district, month=locked_month, by=officers["district"])
    # when / then
    with pytest.raises(ApplicationError) as refused:
        period_approve(district=district, month=locked_month, by=officers["region"])
    assert refused.value.message == (
        f"11 districts of the region have not submitted yet, e.g. {others[0].name}."
    )
    # given all but the last submitted
    _rows(month=locked_month, state=State.SUBMITTED, districts=others[:-1])
    with pytest.raises(ApplicationError) as refused:
        period_approve(district=district, month=locked_month, by=officers["region"])
    assert refused.value.message.startswith("1 district")
    assert others[-1].name in refused.value.message
    assert period_state(district=district, month=locked_month) == State.SUBMITTED
    # when the last one submits
    _rows(month=locked_month, state=State.SUBMITTED, districts=others[-1:])
    period = period_approve(district=district, month=locked_month, by=officers["region"])
    # then
    assert (period.state, period.changed_by) == (State.APPROVED, officers["region"])
    # An approved district still counts as submitted for its neighbours.
    second = period_approve(district=others[0], month=locked_month, by=officers["region"])
    assert second.state == State.APPROVED


def test_approve_refused_below_a_submitted_month(district, region, locked_month, officers):
    with pytest.raises(ApplicationError, match="Only a submitted month can be approved"):
        period_approve(district=district, month=locked_month, by=officers["region"])
    # The refusal left no row behind.
    assert not PeriodApproval.objects.filter(district=district).exists()


@pytest.mark.parametrize("level", ["district", "republic"])
def test_only_the_region_unit_approves(district, region, locked_month, officers, level):
    _rows(month=locked_month, state=State.SUBMITTED, districts=region.children.all())
    with pytest.raises(ApplicationError, match="Only the region unit approves"):
        period_approve(district=district, month=locked_month, by=officers[level])
    assert period_state(district=district, month=locked_month) == State.SUBMITTED


def test_a_region_officer_elsewhere_cannot_approve(district, region, locked_month, officer_of):
    _rows(month=locked_month, state=State.SUBMITTED, districts=region.children.all())
    with pytest.raises(ApplicationError, match="Only the region unit approves"):
        period_approve(district=district, month=locked_month, by=officer_of("1703"))


def test_the_republic_accepts_only_once_every_district_of_the_country_is_approved(
    district, locked_month, officers
):
    # given every district of the country approved but one, submitted
    districts = list(Territory.objects.filter(kind=Territory.Kind.DISTRICT).order_by("path"))
    assert len(districts) == 209
    last = districts[-1]
    _rows(month=locked_month, state=State.APPROVED, districts=[d for d in districts if d != last])
    _rows(month=locked_month, state=State.SUBMITTED, districts=[last])
    # when / then
    with pytest.raises(ApplicationError) as refused:
        period_accept(district=district, month=locked_month, by=officers["republic"])
    assert refused.value.message.startswith("1 district")
    assert refused.value.message == (f"1 district of the country is not approved yet: {last.name}.")
    with pytest.raises(ApplicationError, match="Only the republic service accepts"):
        period_accept(district=district, month=locked_month, by=officers["region"])
    # when the last region approves
    PeriodApproval.objects.filter(district=last, month=locked_month).update(state=State.APPROVED)
    period = period_accept(district=district, month=locked_month, by=officers["republic"])
    # then
    assert (period.state, period.changed_by) == (State.ACCEPTED, officers["republic"])
    # An accepted district still counts as approved for the others.
    assert period_accept(district=last, month=locked_month, by=officers["republic"]).state == (
        State.ACCEPTED
    )
    with pytest.raises(ApplicationError, match="Only an approved month can be accepted"):
        period_accept(district=last, month=locked_month, by=officers["republic"])


def test_bulk_approval_reports_each_refusal(district, region, locked_month, officers):
    # given the region's districts submitted, but one open
    districts = list(region.children.filter(kind=Territory.Kind.DISTRICT).order_by("path"))
    _rows(month=locked_month, state=State.SUBMITTED, districts=districts[1:])
    # when
    done, refused = periods_bulk(
        action=period_approve, districts=districts, month=locked_month, by=officers["region"]
    )
    # then nothing moves: the open one holds up the region
    assert done == 0
    assert len(refused) == 12
    assert refused[0].startswith(f"{districts[0].name}: Only a submitted month")
    # when it submits
    _rows(month=locked_month, state=State.SUBMITTED, districts=districts[:1])
    done, refused = periods_bulk(
        action=period_approve, districts=districts, month=locked_month, by=officers["region"]
    )
    assert (done, refused) == (12, [])
    assert set(
        PeriodApproval.objects.filter(month=locked_month, district__in=districts).values_list(
            "state", flat=True
        )
    ) == {State.APPROVED}


# --- Return ---------------------------------------------------------------------------------


def _notifications(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("id"))


def test_return_needs_a_message(submitted, district, locked_month, officers):
    for message in ("", " \n "):
        with pytest.raises(ApplicationError, match="what the lower level should fix"):
            period_return(
                district=district, month=locked_month, by=officers["region"], message=message
            )
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED
    assert _notifications(officers["district"]) == []


def test_the_region_returns_a_submitted_month_to_the_district(
    submitted, district, locked_month, officers, mailoutbox
):
    # when
    period = period_return(
        district=district, month=locked_month, by=officers["region"], message=" Raqamlar xato. "
    )
    # then open again, with the message, and the district's officers told
    assert (period.state, period.message, period.changed_by) == (
        State.OPEN,
        "Raqamlar xato.",
        officers["region"],
    )
    [notification] = _notifications(officers["district"])
    assert notification.params["message"] == "Raqamlar xato."
    assert notification.params["month"] == locked_month.strftime("%m.%Y")
    assert notification.url.endswith(f"?month={locked_month:%Y-%m}")
    assert "was returned: Raqamlar xato." in notification.text
    assert _notifications(officers["region"]) == []
    assert [mail.to for mail in mailoutbox] == [[officers["district"].email]]
    # The lock is lifted.
    period_lock_check(place=district, day=locked_month)
    # A second return is a second notification, not swallowed by the first one's key.
    period_submit(district=district, month=locked_month, by=officers["district"])
    period_return(district=district, month=locked_month, by=officers["region"], message="Yana.")
    assert [n.params["message"] for n in _notifications(officers["district"])] == [
        "Raqamlar xato.",
        "Yana.",
    ]


@pytest.mark.parametrize("state", [State.APPROVED, State.ACCEPTED])
def test_the_republic_returns_an_approved_or_accepted_month_to_the_region(
    district, locked_month, officers, state
):
    # given
    _rows(month=locked_month, state=state, districts=[district])
    # when
    period = period_return(
        district=district, month=locked_month, by=officers["republic"], message="Tekshiring."
    )
    # then it waits for the region again, whose officers are told
    assert (period.state, period.message) == (State.SUBMITTED, "Tekshiring.")
    assert [n.params["message"] for n in _notifications(officers["region"])] == ["Tekshiring."]
    assert _notifications(officers["district"]) == []


def test_each_level_returns_only_what_sits_with_it(district, locked_month, officers):
    with pytest.raises(ApplicationError, match="An open month has nothing to return"):
        period_return(district=district, month=locked_month, by=officers["region"], message="X")
    assert not PeriodApproval.objects.filter(district=district).exists()
    _rows(month=locked_month, state=State.SUBMITTED, districts=[district])
    for level in ("district", "republic"):
        with pytest.raises(ApplicationError, match="Only the region unit returns it"):
            period_return(district=district, month=locked_month, by=officers[level], message="X")
    PeriodApproval.objects.filter(district=district).update(state=State.ACCEPTED)
    for level in ("district", "region"):
        with pytest.raises(ApplicationError, match="Only the republic service returns it"):
            period_return(district=district, month=locked_month, by=officers[level], message="X")
    assert period_state(district=district, month=locked_month) == State.ACCEPTED
    assert Notification.objects.filter(message__contains="was returned").count() == 0


# --- History --------------------------------------------------------------------------------


def test_history_keeps_every_change_with_its_message(district, region, locked_month, officers):
    # when the month goes up, back, and up again
    by_district, by_region = officers["district"], officers["region"]
    period_submit(district=district, month=locked_month, by=by_district)
    period_reopen(district=district, month=locked_month, by=by_district, reason="Bitta yozuv.")
    period_submit(district=district, month=locked_month, by=by_district)
    period_return(district=district, month=locked_month, by=by_region, message="x" * 150)
    period_submit(district=district, month=locked_month, by=by_district)
    others = region.children.filter(kind=Territory.Kind.DISTRICT).exclude(pk=district.pk)
    _rows(month=locked_month, state=State.SUBMITTED, districts=others)
    # ... with refusals in between, which leave no trace
    with pytest.raises(ApplicationError):
        period_submit(district=district, month=locked_month, by=by_district)
    with pytest.raises(ApplicationError):
        period_accept(district=district, month=locked_month, by=officers["republic"])
    period = period_approve(district=district, month=locked_month, by=by_region)
    # then one history row per change, the message as its reason (cut to the column's size)
    assert _changes(period) == [
        (State.SUBMITTED, None, "officer.district"),
        (State.OPEN, "Bitta yozuv.", "officer.district"),
        (State.SUBMITTED, None, "officer.district"),
        (State.OPEN, "x" * 100, "officer.region"),
        (State.SUBMITTED, None, "officer.district"),
        (State.APPROVED, None, "officer.region"),
    ]
    assert period.history.filter(history_type="+").get().state == State.OPEN
    returned = period.history.get(state=State.OPEN, changed_by=by_region)
    assert returned.message == "x" * 150
    assert period.message == ""


# --- Places that are not districts ----------------------------------------------------------

# The actions take a district's month. The API only ever passes a district (anything else is
# a 404 there), but the services themselves must refuse another node, not fail on it.


@pytest.mark.parametrize(
    ("action", "code", "username"),
    [
        ("submit", TASHKENT, "officer.region"),
        ("submit", "17", "officer.republic"),
        ("submit", "MAHALLA", "officer.district"),
        ("reopen", TASHKENT, "officer.region"),
        ("approve", TASHKENT, "officer.republic"),
        ("approve", "MAHALLA", "officer.district"),
        ("approve", "17", "officer.republic"),
        ("accept", "MAHALLA", "officer.region"),
        ("accept", TASHKENT, "officer.republic"),
        ("accept", "17", "officer.republic"),
        ("return", TASHKENT, "officer.republic"),
        ("return", "MAHALLA", "officer.district"),
        ("submit", TASHKENT, "admin"),
        ("accept", TASHKENT, "admin"),
    ],
)
def test_a_node_other_than_a_district_is_refused(
    demo_user, district, locked_month, action, code, username
):
    place = (
        district.children.order_by("code").first()
        if code == "MAHALLA"
        else Territory.objects.get(code=code)
    )
    service = {
        "submit": period_submit,
        "reopen": lambda **kw: period_reopen(reason="Sabab.", **kw),
        "approve": period_approve,
        "accept": period_accept,
        "return": lambda **kw: period_return(message="Xabar.", **kw),
    }[action]
    with pytest.raises(ApplicationError):
        service(district=place, month=locked_month, by=demo_user(username))
    assert not PeriodApproval.objects.filter(district=place).exists()


# --- The lock -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "who"),
    [
        (State.SUBMITTED, "the district unit can reopen it."),
        # Which level it names is checked below (test_the_level_the_lock_names_...).
        (State.APPROVED, ""),
        (State.ACCEPTED, "the republic service can return it."),
    ],
)
def test_the_lock_names_the_month_and_a_level(district, locked_month, in_locked, state, who):
    _rows(month=locked_month, state=state, districts=[district])
    mahalla = district.children.order_by("code").first()
    for place in (district, mahalla):
        with pytest.raises(ApplicationError) as refused:
            period_lock_check(place=place, day=in_locked)
        assert refused.value.message.startswith(
            f"The data of {district.name} for {locked_month:%m.%Y} is {state} and locked: {who}"
        )
        assert refused.value.extra == {"field": "date", "locked_period": f"{locked_month:%Y-%m}"}


def _reopen_by_district(**kwargs):
    return period_reopen(by=kwargs.pop("officers")["district"], reason="Xato.", **kwargs)


def _return_by(level):
    def call(*, officers, **kwargs):
        return period_return(by=officers[level], message="Qayta koʻring.", **kwargs)

    return call


@pytest.mark.parametrize(
    ("state", "named_level_acts"),
    [
        (State.SUBMITTED, _reopen_by_district),
        (State.APPROVED, _return_by("region")),
        (State.ACCEPTED, _return_by("republic")),
    ],
)
def test_the_level_the_lock_names_can_act_on_the_month(
    district, locked_month, officers, state, named_level_acts
):
    # given
    _rows(month=locked_month, state=state, districts=[district])
    # when the level named in the refusal acts
    period = named_level_acts(district=district, month=locked_month, officers=officers)
    # then the month moves down
    assert PERIOD_ORDER.index(period.state) < PERIOD_ORDER.index(state)


def test_the_lock_holds_one_district_and_one_month(district, region, locked_month, in_locked):
    _rows(month=locked_month, state=State.SUBMITTED, districts=[district])
    neighbour = region.children.exclude(pk=district.pk).order_by("code").first()
    period_lock_check(place=neighbour, day=in_locked)
    period_lock_check(place=district, day=locked_month - timedelta(days=1))
    period_lock_check(place=district, day=month_start(in_locked + timedelta(days=31)))
    # Nodes above a district hold no month of their own.
    period_lock_check(place=region, day=in_locked)


@pytest.fixture
def inspector(demo_user):
    return demo_user("inspector").inspector


@pytest.fixture
def mahalla(demo_user) -> Territory:
    """The demo inspector's mahalla, in Yunusobod."""
    return demo_user("inspector").memberships.get(role=Role.INSPECTOR).territory


def _record_data(mahalla, day) -> dict:
    return {
        "kind": PreventionRecord.Kind.GENERAL,
        "measure": PreventionRecord.Measure.PREVENTIVE_TALK,
        "mahalla": mahalla,
        "date": day,
        "summary": "Qulflangan oy sinovi.",
        "people_reached": 3,
    }


def _refused_as_locked(call, locked_month) -> ApplicationError:
    with pytest.raises(ApplicationError) as refused:
        call()
    assert f"for {locked_month:%m.%Y} is submitted and locked" in refused.value.message
    assert "the district unit can reopen it" in refused.value.message
    return refused.value


def test_record_create_is_refused_in_the_locked_month_until_reopened(
    submitted, district, inspector, mahalla, locked_month, in_locked, today, officers
):
    before = PreventionRecord.objects.count()
    # refused in the locked month
    _refused_as_locked(
        lambda: record_create(inspector=inspector, **_record_data(mahalla, in_locked)),
        locked_month,
    )
    assert PreventionRecord.objects.count() == before
    # another month is open
    record_create(inspector=inspector, **_record_data(mahalla, today))
    assert PreventionRecord.objects.count() == before + 1
    # after a reopen the same write succeeds
    period_reopen(district=district, month=locked_month, by=officers["district"], reason="Kech.")
    record = record_create(inspector=inspector, **_record_data(mahalla, in_locked))
    assert record.date == in_locked


def test_record_create_page_refuses_the_locked_month(
    submitted, demo_user, mahalla, locked_month, in_locked
):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(demo_user("inspector"))
    before = PreventionRecord.objects.count()
    data = {
        "mahalla": mahalla.pk,
        "date": in_locked.isoformat(),
        "kind": "general",
        "measure": "preventive_talk",
        "summary": "Sahifadan.",
        "people_reached": 1,
    }
    response = client.post(reverse("prevention:record-create"), data)
    assert response.status_code == 400
    [error] = response.context["form"].errors["date"]
    assert f"for {locked_month:%m.%Y} is submitted and locked" in error
    assert "the district unit can reopen it" in error
    assert PreventionRecord.objects.count() == before


def test_record_create_api_refuses_the_locked_month(
    submitted, api_client, demo_user, mahalla, locked_month, in_locked
):
    api_client.force_login(demo_user("inspector"))
    before = PreventionRecord.objects.count()
    response = api_client.post(
        "/api/v1/records/create/",
        {
            "kind": "general",
            "measure": "preventive_talk",
            "mahalla": mahalla.pk,
            "date": in_locked.isoformat(),
            "summary": "API orqali.",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert f"for {locked_month:%m.%Y} is submitted and locked" in body["detail"]
    assert (body["field"], body["locked_period"]) == ("date", f"{locked_month:%Y-%m}")
    assert PreventionRecord.objects.count() == before


def test_record_update_cannot_move_a_record_into_or_out_of_the_locked_month(
    submitted, inspector, mahalla, locked_month, in_locked, today, officers
):
    # given a record of this month, and one already inside the locked month
    record = PreventionRecordFactory(inspector=inspector, mahalla=mahalla, date=today)
    inside = PreventionRecordFactory(inspector=inspector, mahalla=mahalla, date=in_locked)
    # when moved into the locked month
    _refused_as_locked(
        lambda: record_update(record=record, user=inspector.user, date=in_locked), locked_month
    )
    # or edited where it is, even by the district officer with a reason
    _refused_as_locked(
        lambda: record_update(
            record=inside, user=officers["district"], reason="Tuzatish.", summary="Boshqa."
        ),
        locked_month,
    )
    # then nothing changed
    record.refresh_from_db()
    inside.refresh_from_db()
    assert (record.date, inside.summary) == (today, "Suhbat oʻtkazildi.")
    # A change within the open month goes through.
    record_update(record=record, user=inspector.user, people_reached=9)
    record.refresh_from_db()
    assert record.people_reached == 9


def test_the_record_edit_window_still_applies_in_an_open_month(
    submitted, inspector, mahalla, today, settings
):
    record = PreventionRecordFactory(inspector=inspector, mahalla=mahalla, date=today)
    filed = timezone.now() - timedelta(days=settings.PREVENTION_RECORD_EDIT_WINDOW_DAYS + 1)
    PreventionRecord.objects.filter(pk=record.pk).update(created_at=filed)
    record.refresh_from_db()
    with pytest.raises(ApplicationError, match="more than .* days ago"):
        record_update(record=record, user=inspector.user, summary="Kech tuzatish.")
    record.refresh_from_db()
    assert record.summary == "Suhbat oʻtkazildi."


def test_meetings_are_refused_in_the_locked_month(
    submitted, district, inspector, mahalla, locked_month, in_locked, today, officers
):
    before = AccountabilityMeeting.objects.count()
    _refused_as_locked(
        lambda: meeting_schedule(inspector=inspector, mahalla=mahalla, date=in_locked),
        locked_month,
    )
    assert AccountabilityMeeting.objects.count() == before
    # One scheduled in the month before it was submitted cannot be recorded as held either.
    meeting = AccountabilityMeeting.objects.create(
        inspector=inspector, mahalla=mahalla, date=in_locked
    )
    _refused_as_locked(
        lambda: meeting_record_held(meeting=meeting, attendance=20, topics="Hisobot."),
        locked_month,
    )
    meeting.refresh_from_db()
    assert meeting.status == AccountabilityMeeting.Status.SCHEDULED
    assert meeting_schedule(inspector=inspector, mahalla=mahalla, date=today).date == today
    # Reopened, the month takes both again.
    period_reopen(district=district, month=locked_month, by=officers["district"], reason="Kech.")
    assert meeting_schedule(inspector=inspector, mahalla=mahalla, date=in_locked).date == in_locked
    meeting = meeting_record_held(meeting=meeting, attendance=20, topics="Hisobot.")
    assert meeting.status == AccountabilityMeeting.Status.HELD


@pytest.fixture
def organisation(demo_user):
    """The demo organisation of `ngo.staff`, in Yunusobod."""
    return demo_user("ngo.staff").memberships.get().organisation


@pytest.fixture
def agreement(organisation, today) -> Agreement:
    """Its agreement with the Yunusobod department, active and valid around today."""
    agreement = organisation.agreements.order_by("pk").first()
    Agreement.objects.filter(pk=agreement.pk).update(
        status=Agreement.Status.ACTIVE,
        valid_from=today - timedelta(days=100),
        valid_to=today + timedelta(days=100),
    )
    agreement.refresh_from_db()
    return agreement


def _activity_data(agreement, place, day) -> dict:
    return {
        "agreement": agreement,
        "unit": agreement.unit,
        "place": place,
        "kind": JointActivity.Kind.LEGAL_AWARENESS,
        "date": day,
        "participants_youth": 10,
        "participants_women": 0,
        "participants_minors": 0,
        "participants_others": 0,
        "description": "Huquqiy targʻibot.",
        "outcome": "",
    }


def test_joint_activities_are_refused_in_the_locked_month(
    submitted, demo_user, organisation, agreement, mahalla, district, locked_month, in_locked, today
):
    staff = demo_user("ngo.staff")
    before = JointActivity.objects.count()
    # logged in the locked month, at a mahalla or at the district itself
    for place in (mahalla, district):
        _refused_as_locked(
            lambda place=place: activity_log(
                organisation=organisation, by=staff, **_activity_data(agreement, place, in_locked)
            ),
            locked_month,
        )
    assert JointActivity.objects.count() == before
    # corrected into it
    activity = activity_log(
        organisation=organisation, by=staff, **_activity_data(agreement, mahalla, today)
    )
    _refused_as_locked(
        lambda: activity_update(activity=activity, by=staff, date=in_locked), locked_month
    )
    activity.refresh_from_db()
    assert activity.date == today
    # confirmed by the district officer while its month is locked
    waiting = JointActivityFactory(
        organisation=organisation,
        agreement=agreement,
        unit=agreement.unit,
        place=mahalla,
        date=in_locked,
        created_by=staff,
    )
    _refused_as_locked(
        lambda: activity_review(activity=waiting, by=demo_user("officer.district"), confirm=True),
        locked_month,
    )
    waiting.refresh_from_db()
    assert (waiting.status, waiting.reviewed_by) == (JointActivity.Status.SUBMITTED, None)
    # The open month takes the review.
    activity = activity_review(activity=activity, by=demo_user("officer.district"), confirm=True)
    assert activity.status == JointActivity.Status.CONFIRMED
    # Reopened, the locked month takes the log and the review.
    period_reopen(
        district=district, month=locked_month, by=demo_user("officer.district"), reason="Kech."
    )
    logged = activity_log(
        organisation=organisation, by=staff, **_activity_data(agreement, mahalla, in_locked)
    )
    assert logged.date == in_locked
    waiting = activity_review(activity=waiting, by=demo_user("officer.district"), confirm=True)
    assert waiting.status == JointActivity.Status.CONFIRMED


def test_award_decisions_are_refused_in_the_locked_month(
    submitted, demo_user, mahalla, district, locked_month, today, officers
):
    # given a citizen's nomination for an event early in the locked month
    nomination = nomination_submit(
        by=demo_user("inspector"),
        kind=Nomination.Kind.CITIZEN,
        full_name="Sinov Shaxs",
        document_number="TS7654321",
        ground=IncentiveGround.objects.get(code="prevention"),
        facts="Faol ishtirok.",
        event_date=locked_month,
        mahalla=mahalla,
        proposed_amount=500_000,
    )
    commission = Commission.objects.get(level="district", territory__code=YUNUSOBOD)
    assert nomination.commission == commission
    fund = Fund.objects.get(commission=commission, year=today.year)
    committed = fund.committed
    decision = {
        "nomination": nomination,
        "by": demo_user("commission"),
        "incentive_type": IncentiveType.objects.get(code="cash"),
        "amount": 500_000,
        "decision_number": "K-7",
    }
    # when decided with a date in the locked month
    error = _refused_as_locked(
        lambda: nomination_approve(decision_date=locked_month.replace(day=20), **decision),
        locked_month,
    )
    # then
    assert error.extra["field"] == "decision_date"
    nomination.refresh_from_db()
    fund.refresh_from_db()
    assert (nomination.state, fund.committed) == (Nomination.State.SUBMITTED, committed)
    # A decision dated today, in the open month, goes through.
    nomination = nomination_approve(decision_date=today, **decision)
    assert nomination.state == Nomination.State.APPROVED


@pytest.mark.parametrize("write", ["record-update", "meeting-schedule", "activity-log"])
def test_other_api_writes_refuse_the_locked_month(
    submitted,
    api_client,
    demo_user,
    inspector,
    mahalla,
    organisation,
    agreement,
    locked_month,
    in_locked,
    today,
    write,
):
    record = PreventionRecordFactory(inspector=inspector, mahalla=mahalla, date=today)
    counts = (PreventionRecord.objects.count(), AccountabilityMeeting.objects.count())
    activities = JointActivity.objects.count()
    username, url, payload, method = {
        "record-update": (
            "inspector",
            f"/api/v1/records/{record.pk}/update/",
            {"date": in_locked.isoformat()},
            "patch",
        ),
        "meeting-schedule": (
            "inspector",
            "/api/v1/meetings/schedule/",
            {"mahalla": mahalla.pk, "date": in_locked.isoformat()},
            "post",
        ),
        "activity-log": (
            "ngo.staff",
            "/api/v1/activities/log/",
            {
                "organisation": organisation.pk,
                "agreement": agreement.pk,
                "unit": agreement.unit_id,
                "place": mahalla.pk,
                "kind": JointActivity.Kind.LEGAL_AWARENESS,
                "date": in_locked.isoformat(),
                "participants_youth": 5,
                "description": "Huquqiy targʻibot.",
            },
            "post",
        ),
    }[write]
    api_client.force_login(demo_user(username))
    response = getattr(api_client, method)(url, payload, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    body = response.json()
    assert f"for {locked_month:%m.%Y} is submitted and locked" in body["detail"]
    assert body["locked_period"] == f"{locked_month:%Y-%m}"
    record.refresh_from_db()
    assert record.date == today
    assert (PreventionRecord.objects.count(), AccountabilityMeeting.objects.count()) == counts
    assert JointActivity.objects.count() == activities
