import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import PersonalDataRead
from prevention.models import PreventionRecord, RegisterEntry
from tests.prevention.factories import PreventionRecordFactory, RegisterEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def record_a(inspector_a, mahalla_a):
    return PreventionRecordFactory(inspector=inspector_a, mahalla=mahalla_a)


@pytest.fixture
def record_b(inspector_b, mahalla_b):
    return PreventionRecordFactory(inspector=inspector_b, mahalla=mahalla_b)


@pytest.fixture
def entry_a(inspector_a, mahalla_a):
    return RegisterEntryFactory(inspector=inspector_a, mahalla=mahalla_a)


@pytest.fixture
def entry_b(inspector_b, mahalla_b):
    return RegisterEntryFactory(inspector=inspector_b, mahalla=mahalla_b)


def _status(client, user, url):
    client.force_login(user)
    return client.get(url).status_code


@pytest.mark.parametrize(
    ("username", "sees_a", "sees_b"),
    [
        ("inspector", True, False),
        ("officer.district", True, False),
        ("officer.region", True, False),
        ("officer.republic", True, True),
        ("admin", True, True),
        ("council", False, False),
        ("commission", False, False),
        ("ngo.staff", False, False),
        ("ngo.admin", False, False),
    ],
)
def test_scope_matrix_of_record_and_register_pages(
    client, demo_user, username, sees_a, sees_b, record_a, record_b, entry_a, entry_b
):
    user = demo_user(username)
    for pk_a, pk_b, name in [
        (record_a.pk, record_b.pk, "prevention:record-detail"),
        (entry_a.pk, entry_b.pk, "prevention:register-detail"),
        (record_a.pk, record_b.pk, "prevention:record-edit"),
        (entry_a.pk, entry_b.pk, "prevention:register-edit"),
    ]:
        assert _status(client, user, reverse(name, args=[pk_a])) == (200 if sees_a else 404), name
        assert _status(client, user, reverse(name, args=[pk_b])) == (200 if sees_b else 404), name
    list_status = _status(client, user, reverse("prevention:register-list"))
    assert list_status == (200 if sees_a or sees_b else 404)


def test_register_list_shows_only_scope_and_logs_each_read(client, demo_user, entry_a, entry_b):
    officer = demo_user("officer.district")
    client.force_login(officer)
    response = client.get(reverse("prevention:register-list"))
    shown = {entry.pk for entry in response.context["page"].items}
    assert entry_a.pk in shown
    assert entry_b.pk not in shown
    logged = set(
        PersonalDataRead.objects.filter(user=officer, via="page").values_list(
            "object_id", flat=True
        )
    )
    assert logged == shown


def test_detail_read_is_logged_and_visible_to_the_officer_above(client, demo_user, entry_a):
    client.force_login(demo_user("inspector"))
    client.get(reverse("prevention:register-detail", args=[entry_a.pk]))
    client.force_login(demo_user("officer.region"))
    response = client.get(reverse("prevention:register-detail", args=[entry_a.pk]))
    readers = {read.user.username for read in response.context["reads"]}
    assert {"inspector", "officer.region"} <= readers


def test_inspector_files_a_record_with_defaults(client, demo_user, mahalla_a):
    client.force_login(demo_user("inspector"))
    form = client.get(reverse("prevention:record-create")).context["form"]
    assert form.initial["mahalla"] == mahalla_a
    assert form.initial["date"] == timezone.localdate()
    response = client.post(
        reverse("prevention:record-create"),
        {
            "mahalla": mahalla_a.pk,
            "date": timezone.localdate().isoformat(),
            "kind": "individual",
            "measure": "preventive_talk",
            "summary": "Suhbat",
            "people_reached": 2,
        },
    )
    assert response.status_code == 302
    record = PreventionRecord.objects.latest("id")
    assert (record.mahalla, record.inspector.user.username) == (mahalla_a, "inspector")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": (timezone.localdate() + timedelta(days=1)).isoformat()}, "date"),
        ({"mahalla": "999999999"}, "mahalla"),
        ({"people_reached": "-3"}, "people_reached"),
        ({"summary": ""}, "summary"),
        ({"kind": "cosmic"}, "kind"),
    ],
)
def test_bad_record_input_is_a_400_with_the_message_and_nothing_saved(
    client, demo_user, mahalla_a, change, field
):
    client.force_login(demo_user("inspector"))
    data = {
        "mahalla": mahalla_a.pk,
        "date": timezone.localdate().isoformat(),
        "kind": "general",
        "measure": "preventive_talk",
        "summary": "Suhbat",
        "people_reached": 1,
        **change,
    }
    count = PreventionRecord.objects.count()
    with translation.override("ru"):
        response = client.post(reverse("prevention:record-create"), data, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert PreventionRecord.objects.count() == count


def test_another_inspectors_mahalla_is_refused(client, demo_user, mahalla_b):
    client.force_login(demo_user("inspector"))
    response = client.post(
        reverse("prevention:record-create"),
        {
            "mahalla": mahalla_b.pk,
            "date": timezone.localdate().isoformat(),
            "kind": "general",
            "measure": "preventive_talk",
            "summary": "x",
            "people_reached": 1,
        },
    )
    assert response.status_code == 400
    assert not PreventionRecord.objects.filter(mahalla=mahalla_b, summary="x").exists()


def test_locked_record_is_corrected_only_from_above_with_a_reason(
    client, demo_user, record_a, settings
):
    PreventionRecord.objects.filter(pk=record_a.pk).update(
        created_at=timezone.now() - timedelta(days=settings.PREVENTION_RECORD_EDIT_WINDOW_DAYS + 1)
    )
    url = reverse("prevention:record-edit", args=[record_a.pk])
    data = {
        "mahalla": record_a.mahalla_id,
        "date": record_a.date.isoformat(),
        "kind": record_a.kind,
        "measure": record_a.measure,
        "summary": "Tuzatildi",
        "people_reached": 9,
    }
    client.force_login(demo_user("inspector"))
    assert client.post(url, data).status_code == 403

    client.force_login(demo_user("officer.district"))
    without_reason = client.post(url, data)
    assert without_reason.status_code == 400
    assert without_reason.context["form"].errors["reason"]
    record_a.refresh_from_db()
    assert record_a.people_reached == 5

    assert client.post(url, {**data, "reason": "Xato raqam"}).status_code == 302
    record_a.refresh_from_db()
    assert record_a.people_reached == 9
    assert record_a.history.latest().history_change_reason == "Xato raqam"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"removed_on": "2000-01-01", "removal_reason": "x"}, "removed_on"),
        ({"removed_on": timezone.localdate().isoformat(), "removal_reason": ""}, "removal_reason"),
        (
            {"registered_on": (timezone.localdate() + timedelta(days=2)).isoformat()},
            "registered_on",
        ),
    ],
)
def test_bad_register_input_is_refused(client, demo_user, entry_a, change, field):
    client.force_login(demo_user("inspector"))
    data = {
        "mahalla": entry_a.mahalla_id,
        "full_name": entry_a.full_name,
        "birth_date": entry_a.birth_date.isoformat(),
        "address": entry_a.address,
        "document_number": entry_a.document_number,
        "category": entry_a.category_id,
        "grounds": entry_a.grounds,
        "registered_on": entry_a.registered_on.isoformat(),
        **change,
    }
    response = client.post(reverse("prevention:register-edit", args=[entry_a.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    entry_a.refresh_from_db()
    assert entry_a.removed_on is None


def test_removal_with_reason(client, demo_user, entry_a):
    client.force_login(demo_user("inspector"))
    today = timezone.localdate().isoformat()
    data = {
        "mahalla": entry_a.mahalla_id,
        "full_name": entry_a.full_name,
        "birth_date": entry_a.birth_date.isoformat(),
        "address": entry_a.address,
        "document_number": entry_a.document_number,
        "category": entry_a.category_id,
        "grounds": entry_a.grounds,
        "registered_on": entry_a.registered_on.isoformat(),
        "removed_on": today,
        "removal_reason": "Tuzalish yoʻliga oʻtdi",
        "rehabilitation_support": "Ishga joylashtirildi",
    }
    response = client.post(reverse("prevention:register-edit", args=[entry_a.pk]), data)
    assert response.status_code == 302
    assert RegisterEntry.objects.get(pk=entry_a.pk).removed_on.isoformat() == today


def test_record_list_query_count_is_fixed(
    client, demo_user, inspector_a, mahalla_a, django_assert_num_queries
):
    client.force_login(demo_user("officer.district"))
    url = reverse("prevention:record-list")
    client.get(url)
    with django_assert_num_queries(9):
        client.get(url)
    PreventionRecordFactory.create_batch(30, inspector=inspector_a, mahalla=mahalla_a)
    with django_assert_num_queries(9):
        client.get(url)


def test_record_list_show_more_pages_without_repeats(client, demo_user, inspector_a, mahalla_a):
    PreventionRecordFactory.create_batch(60, inspector=inspector_a, mahalla=mahalla_a)
    client.force_login(demo_user("inspector"))
    first = client.get(reverse("prevention:record-list"))
    page = first.context["page"]
    assert len(page.items) == 50 and page.next_token
    second = client.get(
        reverse("prevention:record-list"), {"after": page.next_token}, HTTP_HX_REQUEST="true"
    )
    body = second.content.decode()
    assert "<html" not in body
    later = {int(pk) for pk in re.findall(r'/prevention/records/(\d+)/"', body)}
    assert len(later) == PreventionRecord.objects.filter(mahalla=mahalla_a).count() - 50
    assert not later & {r.pk for r in page.items}
    assert client.get(reverse("prevention:record-list"), {"after": "junk"}).status_code == 400


def test_out_of_scope_filter_value_is_a_form_error(client, demo_user, mahalla_b):
    client.force_login(demo_user("inspector"))
    response = client.get(reverse("prevention:record-list"), {"mahalla": mahalla_b.pk})
    assert response.status_code == 400
    assert response.context["filterset"].form.errors["mahalla"]
