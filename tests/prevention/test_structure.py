from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from prevention.models import MahallaContact, Unit
from prevention.services import inspector_mahallas
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_units_mirror_the_tree_and_load_is_idempotent():
    assert Unit.objects.filter(kind=Unit.Kind.REPUBLIC).count() == 1
    assert Unit.objects.filter(kind=Unit.Kind.REGION).count() == 14
    assert Unit.objects.filter(kind=Unit.Kind.DISTRICT).count() == 209
    before = Unit.objects.count()
    call_command("load_units", verbosity=0)
    assert Unit.objects.count() == before
    district = Unit.objects.get(code="T1726266")
    assert district.parent.code == "V1726"
    assert district.parent.parent.code == "R"
    post = Unit.objects.filter(kind=Unit.Kind.POST, parent=district).first()
    assert post.mahallas.get().parent_id == district.territory_id


def test_inspector_pages_are_scoped(client, demo_user, inspector_a, inspector_b):
    client.force_login(demo_user("officer.district"))
    listed = client.get(reverse("prevention:inspector-list")).context["inspectors"]
    assert inspector_a in listed
    assert inspector_b not in listed
    assert (
        client.get(reverse("prevention:inspector-detail", args=[inspector_b.pk])).status_code == 404
    )
    detail = client.get(reverse("prevention:inspector-detail", args=[inspector_a.pk]))
    assert [a.territory.kind for a in detail.context["assignments"]] == ["mahalla"]
    client.force_login(demo_user("council"))
    assert client.get(reverse("prevention:inspector-list")).status_code == 404


def test_the_district_unit_keeps_the_mahalla_seven(client, demo_user, mahalla_a, mahalla_b):
    url = reverse("prevention:mahalla-contacts", args=[mahalla_a.code])
    data = {"position": "youth_leader", "full_name": "Aliyev Vali", "phone": "+998 90 123 45 67"}

    client.force_login(demo_user("inspector"))
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 403

    client.force_login(demo_user("officer.district"))
    assert client.post(url, {**data, "phone": "call me"}).status_code == 400
    assert client.post(url, data).status_code == 302
    contact = MahallaContact.objects.get(mahalla=mahalla_a, position="youth_leader")
    assert contact.full_name == "Aliyev Vali"
    other = reverse("prevention:mahalla-contacts", args=[mahalla_b.code])
    assert client.get(other).status_code == 404


def test_an_ended_assignment_stops_filing_even_after_a_successor(inspector_a, mahalla_a):
    # given: inspector A's assignment ended yesterday and a successor took the mahalla today
    today = timezone.localdate()
    Membership.objects.filter(user=inspector_a.user, role=Role.INSPECTOR).update(
        valid_to=today - timedelta(days=1)
    )
    MembershipFactory(role=Role.INSPECTOR, territory=mahalla_a, valid_from=today)
    # then: A no longer has the mahalla today, but had it last week
    assert inspector_mahallas(inspector=inspector_a) == []
    assert inspector_mahallas(inspector=inspector_a, on=today - timedelta(days=7)) == [mahalla_a]
