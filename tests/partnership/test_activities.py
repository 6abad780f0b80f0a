import struct
import zlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Notification, Role
from mahalla.models import Territory
from partnership.models import ActivityEvidence, Agreement, JointActivity
from tests.accounts.factories import MembershipFactory
from tests.partnership.factories import JointActivityFactory

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()


@pytest.fixture
def client():
    """Pages in English, so that messages can be compared."""
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def agreement(agreement_a, today) -> Agreement:
    """The demo organisation's active agreement with Yunusobod, valid around today."""
    Agreement.objects.filter(pk=agreement_a.pk).update(
        valid_from=today - timedelta(days=100), valid_to=today + timedelta(days=100)
    )
    agreement_a.refresh_from_db()
    return agreement_a


@pytest.fixture
def mahalla(demo_user) -> Territory:
    """The demo inspector's mahalla, in Yunusobod."""
    return demo_user("inspector").memberships.get(role=Role.INSPECTOR).territory


@pytest.fixture
def activity(org_a, agreement, mahalla, demo_user) -> JointActivity:
    return JointActivityFactory(
        organisation=org_a,
        agreement=agreement,
        unit=agreement.unit,
        place=mahalla,
        created_by=demo_user("ngo.staff"),
    )


@pytest.fixture
def other_region_officer(db):
    return MembershipFactory(
        role=Role.UNIT_OFFICER, territory=Territory.objects.get(code="1703")
    ).user


def _form(org_a, agreement, place, day, **extra) -> dict:
    return {
        "organisation": org_a.pk,
        "agreement": agreement.pk,
        "unit": agreement.unit_id,
        "district": place.parent_id,
        "mahalla": place.pk,
        "kind": JointActivity.Kind.LEGAL_AWARENESS,
        "date": day.isoformat(),
        "participants_youth": 12,
        "participants_women": 5,
        "participants_minors": 3,
        "participants_others": 1,
        "description": "Legal-awareness meeting with the youth of the mahalla.",
        "outcome": "",
        **extra,
    }


def _log(client, user, data):
    client.force_login(user)
    with translation.override("en"):
        return client.post(reverse("partnership:activity-create"), data)


# --- Logging --------------------------------------------------------------------------------


def test_the_form_offers_the_organisations_agreements_and_today(
    client, demo_user, agreement, today
):
    client.force_login(demo_user("ngo.staff"))
    response = client.get(reverse("partnership:activity-create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert agreement in form.fields["agreement"].queryset
    assert agreement.unit in form.fields["unit"].queryset
    assert form["date"].value() == today
    assert form.fields["date"].widget.attrs["max"] == today.isoformat()
    assert form.fields["unit"].queryset.filter(territory__path__startswith="17/1703/").count() == 0


def test_ngo_staff_log_an_activity_with_a_photo(
    client, demo_user, org_a, agreement, mahalla, today, media, django_capture_on_commit_callbacks
):
    # given
    staff = demo_user("ngo.staff")
    officer = demo_user("officer.district")
    photo = SimpleUploadedFile("my holiday photo.png", PNG, content_type="image/png")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _log(client, staff, _form(org_a, agreement, mahalla, today, files=[photo]))
    # then
    assert response.status_code == 302
    activity = JointActivity.objects.get(organisation=org_a, created_by=staff)
    assert response.url == reverse("partnership:activity-detail", args=[activity.pk])
    assert activity.status == JointActivity.Status.SUBMITTED
    assert activity.place == mahalla
    assert activity.participants_total == 21
    evidence = activity.evidence.get()
    assert evidence.content_type == "image/png"
    assert "holiday" not in evidence.file.name
    assert evidence.file.name.startswith("partnership/activityevidence/")
    assert evidence.file.name.endswith(".png")
    assert (media / evidence.file.name).read_bytes() == PNG
    assert Notification.objects.filter(user=officer, url=response.url).count() == 1
    # the evidence is served to those who see the activity
    download = client.get(reverse("partnership:activity-evidence", args=[activity.pk, evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == PNG


def test_several_files_and_the_whole_district(client, demo_user, org_a, agreement, mahalla, today):
    files = [SimpleUploadedFile(f"p{n}.png", PNG, content_type="image/png") for n in range(2)]
    data = _form(org_a, agreement, mahalla, today, mahalla="", files=files)
    response = _log(client, demo_user("ngo.staff"), data)
    assert response.status_code == 302
    activity = JointActivity.objects.get(organisation=org_a, created_by=demo_user("ngo.staff"))
    assert activity.place_id == mahalla.parent_id
    assert activity.evidence.count() == 2


def test_the_agreement_gives_the_unit_when_none_is_chosen(
    client, demo_user, org_a, agreement, mahalla, today
):
    response = _log(
        client, demo_user("ngo.staff"), _form(org_a, agreement, mahalla, today, unit="")
    )
    assert response.status_code == 302
    assert JointActivity.objects.get(organisation=org_a, date=today).unit == agreement.unit


def _assert_refused(response, text: str, before: tuple[int, int]):
    assert response.status_code == 400
    assert text in response.content.decode()
    assert (JointActivity.objects.count(), ActivityEvidence.objects.count()) == before


def _counts():
    return JointActivity.objects.count(), ActivityEvidence.objects.count()


def test_an_executable_renamed_jpg_is_refused(client, demo_user, org_a, agreement, mahalla, today):
    before = _counts()
    program = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, "image/jpeg")
    data = _form(org_a, agreement, mahalla, today, files=[program])
    response = _log(client, demo_user("ngo.staff"), data)
    _assert_refused(response, "is not a photo", before)


def test_an_oversized_file_is_refused(
    client, demo_user, org_a, agreement, mahalla, today, settings
):
    settings.UPLOAD_MAX_BYTES = 1024
    before = _counts()
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * 2048, content_type="image/png")
    good = SimpleUploadedFile("good.png", PNG, content_type="image/png")
    data = _form(org_a, agreement, mahalla, today, files=[good, big])
    response = _log(client, demo_user("ngo.staff"), data)
    _assert_refused(response, "files may be at most", before)


def test_a_date_in_the_future_is_refused(client, demo_user, org_a, agreement, mahalla, today):
    before = _counts()
    data = _form(org_a, agreement, mahalla, today + timedelta(days=1))
    response = _log(client, demo_user("ngo.staff"), data)
    _assert_refused(response, "The date cannot be in the future.", before)


def test_a_date_outside_the_agreement_is_refused(
    client, demo_user, org_a, agreement, mahalla, today
):
    before = _counts()
    data = _form(org_a, agreement, mahalla, agreement.valid_from - timedelta(days=1))
    response = _log(client, demo_user("ngo.staff"), data)
    _assert_refused(response, "outside the agreement", before)
    assert response.context["form"].errors["date"]


def test_a_place_outside_the_choices_is_a_form_error(
    client, demo_user, org_a, agreement, mahalla, today
):
    before = _counts()
    elsewhere = Territory.objects.filter(path__startswith="17/1703/", kind="mahalla").first()
    data = _form(
        org_a, agreement, mahalla, today, district=elsewhere.parent_id, mahalla=elsewhere.pk
    )
    response = _log(client, demo_user("ngo.staff"), data)
    assert response.status_code == 400
    assert _counts() == before


@pytest.mark.parametrize("username", ["officer.district", "inspector", "council", "admin"])
def test_only_ngo_staff_log_activities(client, demo_user, username):
    client.force_login(demo_user(username))
    expected = 404
    assert client.get(reverse("partnership:activity-create")).status_code == expected


def test_the_mahalla_select_follows_the_district(client, demo_user, mahalla):
    client.force_login(demo_user("ngo.staff"))
    url = reverse("partnership:activity-mahallas")
    response = client.get(url, {"district": mahalla.parent_id}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'value="{mahalla.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()
    andijon = Territory.objects.filter(path__startswith="17/1703/", kind="district").first()
    response = client.get(url, {"district": andijon.pk})
    assert 'value=""' in response.content.decode()
    assert andijon.children.first().name not in response.content.decode()


# --- Review ---------------------------------------------------------------------------------


def _review(client, user, activity, **data):
    client.force_login(user)
    with translation.override("en"):
        return client.post(reverse("partnership:activity-review", args=[activity.pk]), data)


@pytest.mark.parametrize("username", ["officer.district", "inspector", "officer.region"])
def test_the_counterpart_confirms(
    client, demo_user, activity, username, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _review(client, demo_user(username), activity, decision="confirm")
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == JointActivity.Status.CONFIRMED
    assert activity.reviewed_by == demo_user(username)
    assert Notification.objects.filter(
        user=demo_user("ngo.staff"), url=reverse("partnership:activity-detail", args=[activity.pk])
    ).exists()


def test_the_detail_offers_the_review_to_the_counterpart_only(client, demo_user, activity):
    url = reverse("partnership:activity-detail", args=[activity.pk])
    client.force_login(demo_user("officer.district"))
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["review_form"] is not None
    assert response.context["can_edit"] is False
    client.force_login(demo_user("ngo.staff"))
    response = client.get(url)
    assert response.context["review_form"] is None
    assert response.context["can_edit"] is True


def test_an_officer_of_another_region_gets_404(client, activity, other_region_officer):
    client.force_login(other_region_officer)
    assert client.get(reverse("partnership:activity-detail", args=[activity.pk])).status_code == 404
    response = _review(client, other_region_officer, activity, decision="confirm")
    assert response.status_code == 404
    activity.refresh_from_db()
    assert activity.status == JointActivity.Status.SUBMITTED


def test_ngo_staff_cannot_confirm_their_own_activity(client, demo_user, activity):
    response = _review(client, demo_user("ngo.staff"), activity, decision="confirm")
    assert response.status_code in (403, 404)
    activity.refresh_from_db()
    assert activity.status == JointActivity.Status.SUBMITTED


def test_confirming_twice_is_refused(client, demo_user, activity):
    officer = demo_user("officer.district")
    assert _review(client, officer, activity, decision="confirm").status_code == 302
    response = _review(client, officer, activity, decision="confirm")
    assert response.status_code == 400
    assert "Only an activity awaiting confirmation can be reviewed." in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == JointActivity.Status.CONFIRMED


def test_a_dispute_needs_a_reason(client, demo_user, activity):
    response = _review(client, demo_user("officer.district"), activity, decision="dispute")
    assert response.status_code == 400
    assert "Say why you dispute the activity." in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == JointActivity.Status.SUBMITTED


def test_an_unknown_decision_is_a_400(client, demo_user, activity):
    response = _review(client, demo_user("officer.district"), activity, decision="maybe")
    assert response.status_code == 400
    activity.refresh_from_db()
    assert activity.status == JointActivity.Status.SUBMITTED


def test_review_with_htmx_returns_the_review_section(client, demo_user, activity):
    client.force_login(demo_user("officer.district"))
    url = reverse("partnership:activity-review", args=[activity.pk])
    with translation.override("en"):
        refused = client.post(url, {"decision": "dispute"}, headers={"HX-Request": "true"})
        done = client.post(url, {"decision": "confirm"}, headers={"HX-Request": "true"})
    assert refused.status_code == 400
    assert 'id="review"' in refused.content.decode()
    assert "<html" not in refused.content.decode()
    assert done.status_code == 200
    assert "Confirmed" in done.content.decode()
    assert "review-form" not in done.content.decode()


def test_a_dispute_goes_back_to_the_ngo_which_corrects_and_resubmits(
    client, demo_user, activity, org_a, agreement, mahalla, django_capture_on_commit_callbacks
):
    # given
    staff, admin = demo_user("ngo.staff"), demo_user("ngo.admin")
    before = {u.pk: Notification.objects.filter(user=u).count() for u in (staff, admin)}
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _review(
            client,
            demo_user("officer.district"),
            activity,
            decision="dispute",
            reason="Only 5 young people attended.",
        )
    # then
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == JointActivity.Status.DISPUTED
    assert activity.dispute_reason == "Only 5 young people attended."
    for user in (staff, admin):
        assert Notification.objects.filter(user=user).count() == before[user.pk] + 1
    # the NGO sees the reason and corrects the activity
    client.force_login(staff)
    detail = client.get(reverse("partnership:activity-detail", args=[activity.pk]))
    assert "Only 5 young people attended." in detail.content.decode()
    edit_url = reverse("partnership:activity-edit", args=[activity.pk])
    form = client.get(edit_url)
    assert form.status_code == 200
    assert form.context["form"]["mahalla"].value() == mahalla.pk
    data = _form(org_a, agreement, mahalla, activity.date, participants_youth=5)
    del data["organisation"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url, data)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == JointActivity.Status.SUBMITTED
    assert activity.dispute_reason == ""
    assert activity.participants_youth == 5
    assert activity.history.filter(history_change_reason="resubmitted").exists()


def test_a_confirmed_activity_cannot_be_edited(client, demo_user, activity):
    JointActivity.objects.filter(pk=activity.pk).update(status=JointActivity.Status.CONFIRMED)
    client.force_login(demo_user("ngo.staff"))
    assert client.get(reverse("partnership:activity-edit", args=[activity.pk])).status_code == 403


def test_officers_do_not_edit_the_ngos_activity(client, demo_user, activity):
    client.force_login(demo_user("officer.district"))
    assert client.get(reverse("partnership:activity-edit", args=[activity.pk])).status_code == 403


def test_an_invalid_correction_saves_nothing(
    client, demo_user, activity, org_a, agreement, mahalla
):
    client.force_login(demo_user("ngo.staff"))
    data = _form(org_a, agreement, mahalla, timezone.localdate() + timedelta(days=3))
    response = client.post(reverse("partnership:activity-edit", args=[activity.pk]), data)
    assert response.status_code == 400
    activity.refresh_from_db()
    assert activity.date != timezone.localdate() + timedelta(days=3)


# --- Scope ----------------------------------------------------------------------------------


def test_ngo_staff_see_only_their_organisations_activities(client, demo_user, activity, activity_b):
    client.force_login(demo_user("ngo.staff"))
    assert (
        client.get(reverse("partnership:activity-detail", args=[activity_b.pk])).status_code == 404
    )
    assert client.get(reverse("partnership:activity-edit", args=[activity_b.pk])).status_code == 404
    response = client.get(reverse("partnership:activity-list"))
    assert response.status_code == 200
    shown = {item.pk for item in response.context["page"].items}
    assert activity.pk in shown
    assert activity_b.pk not in shown
    assert all(
        item.organisation_id == activity.organisation_id for item in response.context["page"].items
    )


def test_evidence_of_another_organisation_is_404(client, demo_user, activity_b):
    evidence = ActivityEvidence.objects.create(
        activity=activity_b, file="partnership/x.png", content_type="image/png", size=1
    )
    client.force_login(demo_user("ngo.staff"))
    url = reverse("partnership:activity-evidence", args=[activity_b.pk, evidence.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("username", "status"),
    [("ngo.staff", 200), ("inspector", 200), ("officer.district", 200), ("council", 404)],
)
def test_who_has_the_list(client, demo_user, username, status):
    client.force_login(demo_user(username))
    assert client.get(reverse("partnership:activity-list")).status_code == status


def test_the_list_filters_and_pages(client, demo_user, activity, org_a, agreement, mahalla):
    JointActivityFactory.create_batch(
        3,
        organisation=org_a,
        agreement=agreement,
        unit=agreement.unit,
        place=mahalla,
        status=JointActivity.Status.CONFIRMED,
    )
    client.force_login(demo_user("officer.district"))
    url = reverse("partnership:activity-list")
    response = client.get(url, {"status": "submitted", "district": mahalla.parent_id})
    assert response.status_code == 200
    items = response.context["page"].items
    assert activity in items
    assert all(item.status == "submitted" for item in items)
    assert client.get(url, {"status": "nonsense"}).status_code == 400
    assert client.get(url, {"after": "garbage"}).status_code == 400


def test_the_list_costs_a_fixed_number_of_queries(
    client, demo_user, org_a, agreement, mahalla, django_assert_max_num_queries
):
    JointActivityFactory.create_batch(
        20, organisation=org_a, agreement=agreement, unit=agreement.unit, place=mahalla
    )
    client.force_login(demo_user("officer.district"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("partnership:activity-list"))
    assert len(response.context["page"].items) >= 20


def test_a_large_scope_filters_by_organisation_through_the_row_links(
    client, demo_user, activity, org_a, org_b, monkeypatch
):
    monkeypatch.setattr("partnership.views.activities.ORGANISATION_SELECT_LIMIT", 0)
    client.force_login(demo_user("officer.republic"))
    url = reverse("partnership:activity-list")
    response = client.get(url, {"organisation": org_a.pk})
    assert response.status_code == 200
    assert 'type="hidden" name="organisation"' in response.content.decode()
    items = response.context["page"].items
    assert activity in items
    assert all(item.organisation_id == org_a.pk for item in items)
