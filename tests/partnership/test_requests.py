from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Notification, Role
from mahalla.models import Territory
from partnership.models import InformationRequest, RequestAttachment
from partnership.services import requests_mark_overdue, working_days_after
from prevention.models import Unit
from tests.accounts.factories import MembershipFactory
from tests.partnership.test_activities import PNG

pytestmark = pytest.mark.django_db


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
def district_unit(db) -> Unit:
    """The Yunusobod district department, where `officer.district` serves."""
    return Unit.objects.get(kind=Unit.Kind.DISTRICT, territory__code="1726266")


def _request(org, unit, direction, by, due=None) -> InformationRequest:
    return InformationRequest.objects.create(
        direction=direction,
        organisation=org,
        unit=unit,
        subject="Plan of joint activities",
        text="Please send the plan for the quarter.",
        due_date=due or timezone.localdate() + timedelta(days=20),
        created_by=by,
    )


@pytest.fixture
def to_unit(org_a, district_unit, demo_user) -> InformationRequest:
    return _request(org_a, district_unit, "to_unit", demo_user("ngo.staff"))


@pytest.fixture
def to_organisation(org_a, district_unit, demo_user) -> InformationRequest:
    return _request(org_a, district_unit, "to_organisation", demo_user("officer.district"))


@pytest.fixture
def request_b(org_b, demo_user) -> InformationRequest:
    unit = Unit.objects.get(kind=Unit.Kind.DISTRICT, territory=org_b.territory)
    return _request(org_b, unit, "to_unit", None)


# --- Creating -------------------------------------------------------------------------------


def test_the_answer_is_due_in_15_working_days_by_default(
    client, demo_user, org_a, district_unit, today, django_capture_on_commit_callbacks
):
    # given
    staff = demo_user("ngo.staff")
    officer = demo_user("officer.district")
    expected = working_days_after(today, 15)
    client.force_login(staff)
    url = reverse("partnership:request-create")
    # the form shows the default as the field's value
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["due_date"].value() == expected
    assert f'value="{expected.isoformat()}"' in page.content.decode()
    assert page.context["form"]["unit"].value() == district_unit.pk
    # when: sent without choosing a date, with an attachment
    attachment = SimpleUploadedFile("scan.png", PNG, content_type="image/png")
    data = {
        "organisation": org_a.pk,
        "unit": district_unit.pk,
        "subject": "Statistics of the mahalla",
        "text": "Please share the figures.",
        "due_date": "",
        "files": [attachment],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    # then
    assert response.status_code == 302
    created = InformationRequest.objects.get(subject="Statistics of the mahalla")
    assert created.direction == InformationRequest.Direction.TO_UNIT
    assert created.due_date == expected
    assert created.created_by == staff
    attachment = created.attachments.get()
    assert "scan" not in attachment.file.name
    assert Notification.objects.filter(user=officer, url=response.url).count() == 1
    download = client.get(
        reverse("partnership:request-attachment", args=[created.pk, attachment.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_ngo_staff_write_to_units_of_their_region_and_agreements(client, demo_user):
    client.force_login(demo_user("ngo.staff"))
    units = client.get(reverse("partnership:request-create")).context["form"].fields["unit"]
    assert units.queryset.filter(territory__path__startswith="17/1726/").exists()
    assert not units.queryset.filter(territory__path__startswith="17/1703/").exists()
    assert not units.queryset.filter(kind=Unit.Kind.POST).exists()


def test_an_officer_writes_to_an_organisation_of_its_territory(
    client, demo_user, org_a, org_b, district_unit
):
    officer = demo_user("officer.district")
    client.force_login(officer)
    url = reverse("partnership:request-create")
    form = client.get(url).context["form"]
    assert org_a in form.fields["organisation"].queryset
    assert org_b not in form.fields["organisation"].queryset
    data = {"organisation": org_a.pk, "unit": district_unit.pk, "subject": "S", "text": "T"}
    response = client.post(url, data)
    assert response.status_code == 302
    created = InformationRequest.objects.get(subject="S")
    assert created.direction == InformationRequest.Direction.TO_ORGANISATION
    refused = client.post(url, {**data, "organisation": org_b.pk, "subject": "S2"})
    assert refused.status_code == 400
    assert not InformationRequest.objects.filter(subject="S2").exists()


def test_an_invalid_request_saves_nothing(client, demo_user, org_a, district_unit, today):
    client.force_login(demo_user("ngo.staff"))
    before = InformationRequest.objects.count(), RequestAttachment.objects.count()
    program = SimpleUploadedFile("plan.pdf", b"MZ" + b"\x00" * 100, "application/pdf")
    base = {"organisation": org_a.pk, "unit": district_unit.pk, "subject": "S", "text": "T"}
    url = reverse("partnership:request-create")
    past = client.post(url, {**base, "due_date": (today - timedelta(days=1)).isoformat()})
    assert past.status_code == 400
    assert "The answer cannot be due in the past." in past.content.decode()
    exe = client.post(url, {**base, "files": [program]})
    assert exe.status_code == 400
    assert "is not a photo" in exe.content.decode()
    assert client.post(url, {**base, "subject": ""}).status_code == 400
    assert (InformationRequest.objects.count(), RequestAttachment.objects.count()) == before


@pytest.mark.parametrize("username", ["council", "inspector", "commission"])
def test_others_have_no_request_pages(client, demo_user, username):
    client.force_login(demo_user(username))
    assert client.get(reverse("partnership:request-create")).status_code == 404
    assert client.get(reverse("partnership:request-list")).status_code == 404


# --- Answering ------------------------------------------------------------------------------


def _answer(client, user, info_request, text="Here is the plan."):
    client.force_login(user)
    with translation.override("en"):
        url = reverse("partnership:request-answer", args=[info_request.pk])
        return client.post(url, {"answer": text})


def test_a_request_to_the_unit_is_answered_by_its_officers_only(client, demo_user, to_unit):
    assert _answer(client, demo_user("ngo.staff"), to_unit).status_code == 403
    assert _answer(client, demo_user("ngo.admin"), to_unit).status_code == 403
    to_unit.refresh_from_db()
    assert to_unit.state == InformationRequest.State.OPEN
    response = _answer(client, demo_user("officer.district"), to_unit)
    assert response.status_code == 302
    to_unit.refresh_from_db()
    assert to_unit.state == InformationRequest.State.ANSWERED
    assert to_unit.answered_by == demo_user("officer.district")


def test_a_request_to_the_organisation_is_answered_by_its_staff_only(
    client, demo_user, to_organisation
):
    assert _answer(client, demo_user("officer.district"), to_organisation).status_code == 403
    assert _answer(client, demo_user("officer.region"), to_organisation).status_code == 403
    assert _answer(client, demo_user("ngo.admin"), to_organisation).status_code == 302
    to_organisation.refresh_from_db()
    assert to_organisation.state == InformationRequest.State.ANSWERED


def test_the_answer_form_is_shown_to_the_receiving_side(client, demo_user, to_unit):
    url = reverse("partnership:request-detail", args=[to_unit.pk])
    client.force_login(demo_user("ngo.staff"))
    assert client.get(url).context["answer_form"] is None
    client.force_login(demo_user("officer.district"))
    assert client.get(url).context["answer_form"] is not None


def test_an_empty_or_second_answer_is_refused(client, demo_user, to_unit):
    officer = demo_user("officer.district")
    assert _answer(client, officer, to_unit, text="   ").status_code == 400
    assert _answer(client, officer, to_unit).status_code == 302
    again = _answer(client, officer, to_unit, text="Another answer.")
    assert again.status_code == 400
    assert "This request has already been answered." in again.content.decode()
    to_unit.refresh_from_db()
    assert to_unit.answer == "Here is the plan."


def test_requests_of_other_organisations_are_404(client, demo_user, request_b, to_unit):
    attachment = RequestAttachment.objects.create(
        request=request_b, file="partnership/x.pdf", content_type="application/pdf", size=1
    )
    client.force_login(demo_user("ngo.staff"))
    assert client.get(reverse("partnership:request-detail", args=[request_b.pk])).status_code == 404
    url = reverse("partnership:request-attachment", args=[request_b.pk, attachment.pk])
    assert client.get(url).status_code == 404
    assert _answer(client, demo_user("ngo.staff"), request_b).status_code == 404
    shown = client.get(reverse("partnership:request-list")).context["page"].items
    assert to_unit in shown
    assert request_b not in shown


def test_an_officer_of_another_region_does_not_see_the_request(client, to_unit):
    officer = MembershipFactory(
        role=Role.UNIT_OFFICER, territory=Territory.objects.get(code="1703")
    ).user
    client.force_login(officer)
    assert client.get(reverse("partnership:request-detail", args=[to_unit.pk])).status_code == 404
    assert _answer(client, officer, to_unit).status_code == 404


# --- Overdue --------------------------------------------------------------------------------


def test_overdue_requests_are_flagged_and_reminded_once(client, demo_user, to_unit, today):
    # given: a request to the unit whose answer was due yesterday
    InformationRequest.objects.filter(pk=to_unit.pk).update(due_date=today - timedelta(days=1))
    key = f"request-overdue-{to_unit.pk}"
    officer = demo_user("officer.district")
    mail.outbox.clear()
    # when
    requests_mark_overdue()
    # then: one notification (and one e-mail) per officer of the unit
    to_unit.refresh_from_db()
    assert to_unit.state == InformationRequest.State.OVERDUE
    reminders = Notification.objects.filter(dedupe_key=key)
    recipients = list(reminders.values_list("user_id", flat=True))
    assert officer.pk in recipients
    assert len(recipients) == len(set(recipients))
    assert len([m for m in mail.outbox if officer.email in m.to]) == 1
    # when it runs again, nothing new is sent
    sent_before = len(mail.outbox)
    requests_mark_overdue()
    assert Notification.objects.filter(dedupe_key=key).count() == len(recipients)
    assert len(mail.outbox) == sent_before
    # and the list flags the request
    client.force_login(officer)
    page = client.get(reverse("partnership:request-list"), {"state": "overdue"})
    assert page.status_code == 200
    assert to_unit in page.context["page"].items
    assert 'data-testid="overdue"' in page.content.decode()


def test_the_list_filters_and_pages(client, demo_user, org_a, district_unit):
    staff = demo_user("ngo.staff")
    for _ in range(55):
        _request(org_a, district_unit, "to_unit", staff)
    client.force_login(staff)
    url = reverse("partnership:request-list")
    first = client.get(url, {"direction": "to_unit"})
    assert first.status_code == 200
    page = first.context["page"]
    assert len(page.items) == 50
    assert page.next_token
    second = client.get(url, {"direction": "to_unit", "after": page.next_token})
    more = second.context["page"].items
    assert more
    assert not {r.pk for r in more} & {r.pk for r in page.items}
    htmx = client.get(url, {"after": page.next_token}, headers={"HX-Request": "true"})
    assert "<html" not in htmx.content.decode()
    assert client.get(url, {"state": "nonsense"}).status_code == 400
    assert client.get(url, {"after": "not-a-token"}).status_code == 400


def test_a_large_territory_picks_the_organisation_by_registration_number(
    client, demo_user, org_a, org_b, district_unit, monkeypatch
):
    monkeypatch.setattr("partnership.views.requests.ORGANISATION_SELECT_LIMIT", 0)
    client.force_login(demo_user("officer.district"))
    url = reverse("partnership:request-create")
    assert 'name="organisation" class="form-control"' in client.get(url).content.decode()
    data = {"unit": district_unit.pk, "subject": "By number", "text": "T"}
    refused = client.post(url, {**data, "organisation": org_b.registration_number})
    assert refused.status_code == 400
    assert "No organisation in your territory has this number." in refused.content.decode()
    response = client.post(url, {**data, "organisation": f" {org_a.registration_number} "})
    assert response.status_code == 302
    assert InformationRequest.objects.get(subject="By number").organisation == org_a
