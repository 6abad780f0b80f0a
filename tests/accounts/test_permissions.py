from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import (
    territory_scope_paths,
    territory_scope_q,
    user_roles,
    users_visible_to,
)
from mahalla.models import Territory
from partnership.permissions import organisations_visible_to
from tests.accounts.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _officer_at(code: str, **kwargs):
    return MembershipFactory(
        territory=Territory.objects.get(code=code), role=Role.UNIT_OFFICER, **kwargs
    ).user


def test_a_node_sees_its_whole_subtree_and_nothing_else():
    officer = _officer_at("1726")
    visible = Territory.objects.filter(territory_scope_q(officer))
    assert visible.filter(code="1726266").exists()
    assert visible.filter(parent__code="1726266").exists()
    assert not visible.filter(code="1727").exists()
    assert not visible.filter(code="17").exists()


def test_nested_memberships_fold_into_the_outer_subtree():
    officer = _officer_at("1726")
    MembershipFactory(
        user=officer, territory=Territory.objects.get(code="1726266"), role=Role.INSPECTOR
    )
    assert territory_scope_paths(officer) == ["17/1726/"]


def test_expired_and_future_memberships_give_nothing():
    today = timezone.localdate()
    expired = _officer_at(
        "1726", valid_from=today - timedelta(days=30), valid_to=today - timedelta(days=1)
    )
    future = _officer_at("1726", valid_from=today + timedelta(days=1))
    for user in (expired, future):
        assert territory_scope_paths(user) == []
        assert not Territory.objects.filter(territory_scope_q(user)).exists()
        assert user_roles(user) == set()


def test_admin_sees_everything(demo_user):
    assert territory_scope_paths(demo_user("admin")) is None


def test_membership_place_must_match_role():
    user = UserFactory()
    with pytest.raises(IntegrityError):
        MembershipFactory(user=user, role=Role.INSPECTOR, territory=None)


def test_users_visible_to_follows_the_tree(demo_user):
    republic, region, district = (
        demo_user("officer.republic"),
        demo_user("officer.region"),
        demo_user("officer.district"),
    )
    inspector = demo_user("inspector")
    other_region_officer = _officer_at("1703")

    assert inspector in users_visible_to(district)
    assert inspector in users_visible_to(region)
    assert other_region_officer in users_visible_to(republic)
    assert other_region_officer not in users_visible_to(region)
    assert region not in users_visible_to(district)
    assert list(users_visible_to(inspector)) == [inspector]


def test_ngo_admin_sees_its_staff_only(demo_user):
    ngo_admin, staff = demo_user("ngo.admin"), demo_user("ngo.staff")
    assert set(users_visible_to(ngo_admin)) == {ngo_admin, staff}
    assert list(users_visible_to(staff)) == [staff]


def test_organisations_scope(demo_user):
    organisation = demo_user("ngo.staff").memberships.get().organisation
    assert organisation in organisations_visible_to(demo_user("ngo.staff"))
    assert organisation in organisations_visible_to(demo_user("officer.district"))
    assert organisation not in organisations_visible_to(_officer_at("1703"))
    assert organisation in organisations_visible_to(demo_user("admin"))


def test_memberships_are_read_once_per_user_object(demo_user, django_assert_num_queries):
    officer = demo_user("officer.region")
    with django_assert_num_queries(1):
        territory_scope_paths(officer)
        user_roles(officer)
        territory_scope_q(officer)
