"""Boundary changes: a mahalla moved to another district, mahallas merged or split, by a legal
act from an effective day; the tree keeps its history, records keep their mahalla; the admin
actions, the territory page's history and the API's."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.exceptions import ApplicationError
from mahalla.models import (
    BoundaryChange,
    BoundaryChangePart,
    MahallaCategoryChange,
    MahallaPlacement,
    PopulationFigure,
    Territory,
)
from mahalla.selectors import (
    boundary_changes_under,
    placement_paths_at,
    population_at,
    territory_ancestors_at,
    territory_children_at,
    territory_history,
    territory_in_force,
    territory_path_at,
)
from mahalla.services import (
    POPULATION_SINCE,
    mahalla_move,
    mahalla_split,
    mahallas_merge,
    territory_counts_refresh,
)
from prevention.models import Inspector, PreventionRecord
from tests.accounts.factories import UserFactory
from tests.mahalla.factories import MahallaFactory
from tests.prevention.factories import PreventionRecordFactory

pytestmark = pytest.mark.django_db

DAY = date(2019, 3, 1)
BEFORE, AFTER = date(2019, 2, 15), date(2019, 4, 15)
ACT = {"act_number": "PQ-123", "act_date": date(2019, 2, 20)}
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in the source language; the default interface language is Uzbek.
    with translation.override("en"):
        yield


@pytest.fixture
def yunusobod() -> Territory:
    return Territory.objects.get(code="1726266")


@pytest.fixture
def mirzo_ulugbek() -> Territory:
    """Another district of Tashkent city."""
    return Territory.objects.get(code="1726269")


@pytest.fixture
def andijon_district() -> Territory:
    """A district of another region (Andijon)."""
    return Territory.objects.get(code="1703202")


@pytest.fixture
def make_mahalla():
    """A mahalla under a district, counted in its district's population at once."""

    def make(district: Territory, population: int = 3000, **values) -> Territory:
        mahalla = MahallaFactory(parent=district, population=population, **values)
        territory_counts_refresh()
        return mahalla

    return make


@pytest.fixture
def mahalla(make_mahalla, yunusobod) -> Territory:
    return make_mahalla(yunusobod)


def _population(node: Territory) -> int:
    node.refresh_from_db()
    return node.population


def _population_on(node: Territory, day: date) -> int:
    return (
        Territory.objects.filter(pk=node.pk)
        .annotate(then=population_at(day))
        .values_list("then", flat=True)
        .get()
    )


def _written() -> tuple:
    """Everything a boundary change writes, to show that a refused one wrote nothing."""
    return (
        BoundaryChange.objects.count(),
        BoundaryChangePart.objects.count(),
        MahallaPlacement.objects.count(),
        PopulationFigure.objects.count(),
        Territory.objects.count(),
        list(
            Territory.objects.order_by("pk").values_list(
                "pk", "path", "parent", "population", "valid_from", "valid_to", "mahalla_count"
            )
        ),
    )


# --- Move -------------------------------------------------------------------------------------


def test_a_moved_mahalla_keeps_its_identity_and_the_tree_keeps_where_it_was(
    mahalla, yunusobod, mirzo_ulugbek
):
    # given a record in the mahalla
    record = PreventionRecordFactory(
        mahalla=mahalla, inspector=Inspector.objects.first(), date=BEFORE
    )
    old_path = mahalla.path
    # when
    change = mahalla_move(
        mahalla=mahalla, district=mirzo_ulugbek, effective_on=DAY, by=None, note=" Decree ", **ACT
    )
    # then the mahalla is the same node in its new place
    mahalla.refresh_from_db()
    assert mahalla.parent == mirzo_ulugbek
    assert mahalla.path == f"{mirzo_ulugbek.path}{mahalla.code}/"
    record.refresh_from_db()
    assert record.mahalla_id == mahalla.pk
    # the placement it left is kept until the day before
    placement = MahallaPlacement.objects.get(mahalla=mahalla)
    assert (placement.district, placement.path, placement.valid_from, placement.valid_to) == (
        yunusobod,
        old_path,
        None,
        DAY - timedelta(days=1),
    )
    # one record of the change, with its act
    assert (change.kind, change.effective_on, change.act_number, change.note) == (
        "move",
        DAY,
        "PQ-123",
        "Decree",
    )
    part = change.parts.get()
    assert (part.territory, part.role, part.from_district, part.to_district) == (
        mahalla,
        "source",
        yunusobod,
        mirzo_ulugbek,
    )
    # and the tree in force on a day follows it
    assert placement_paths_at(BEFORE) == {mahalla.pk: old_path}
    assert placement_paths_at(DAY) == {}
    assert territory_path_at(node=mahalla, day=BEFORE) == old_path
    assert territory_path_at(node=mahalla, day=AFTER) == mahalla.path
    assert territory_ancestors_at(node=mahalla, day=BEFORE)[-1] == yunusobod
    assert territory_ancestors_at(node=mahalla, day=AFTER)[-1] == mirzo_ulugbek
    assert mahalla in territory_children_at(node=yunusobod, day=BEFORE)
    assert mahalla not in territory_children_at(node=yunusobod, day=TODAY)
    assert mahalla not in territory_children_at(node=mirzo_ulugbek, day=BEFORE)
    assert mahalla in territory_children_at(node=mirzo_ulugbek, day=AFTER)
    # the change kept in the node's own history has the act as its reason
    assert "PQ-123" in mahalla.history.first().history_change_reason


def test_a_move_to_another_region_moves_the_residents_from_the_day(
    mahalla, yunusobod, andijon_district
):
    # given
    tashkent, andijon = yunusobod.parent, andijon_district.parent
    country = tashkent.parent
    before = {
        node.pk: _population(node)
        for node in (yunusobod, tashkent, andijon_district, andijon, country)
    }
    # when
    mahalla_move(mahalla=mahalla, district=andijon_district, effective_on=DAY, **ACT)
    # then the current populations follow the new tree
    assert _population(yunusobod) == before[yunusobod.pk] - 3000
    assert _population(tashkent) == before[tashkent.pk] - 3000
    assert _population(andijon_district) == before[andijon_district.pk] + 3000
    assert _population(andijon) == before[andijon.pk] + 3000
    assert _population(country) == before[country.pk]
    # and the figures in force before the day are the old ones
    for node in (yunusobod, tashkent, andijon_district, andijon):
        assert _population_on(node, BEFORE) == before[node.pk]
        assert _population_on(node, AFTER) == _population(node)
        assert PopulationFigure.objects.get(territory=node, valid_from=POPULATION_SINCE)
    # only the ancestors that differ get figures
    assert not PopulationFigure.objects.filter(territory=country).exists()
    assert yunusobod.mahalla_count == 1 and andijon_district.mahalla_count == 2


def test_a_move_within_the_region_leaves_the_region_alone(mahalla, yunusobod, mirzo_ulugbek):
    mahalla_move(mahalla=mahalla, district=mirzo_ulugbek, effective_on=DAY, **ACT)
    assert set(PopulationFigure.objects.values_list("territory__code", flat=True)) == {
        yunusobod.code,
        mirzo_ulugbek.code,
    }


def test_a_second_move_keeps_both_placements(mahalla, yunusobod, mirzo_ulugbek, andijon_district):
    first_path = mahalla.path
    mahalla_move(mahalla=mahalla, district=mirzo_ulugbek, effective_on=DAY, **ACT)
    mahalla.refresh_from_db()
    second_path = mahalla.path
    later = date(2020, 6, 1)
    mahalla_move(mahalla=mahalla, district=andijon_district, effective_on=later, **ACT)
    mahalla.refresh_from_db()
    assert territory_path_at(node=mahalla, day=BEFORE) == first_path
    assert territory_path_at(node=mahalla, day=AFTER) == second_path
    assert territory_path_at(node=mahalla, day=later) == mahalla.path
    second = MahallaPlacement.objects.get(mahalla=mahalla, district=mirzo_ulugbek)
    assert (second.valid_from, second.valid_to) == (DAY, later - timedelta(days=1))


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("not a mahalla", "is not a mahalla"),
        ("closed", "was closed on"),
        ("same district", "is already in"),
        ("to a region", "is not one"),
        ("before it began", "came into being on"),
        ("before its last move", "last changed on"),
        ("in the future", "still to come"),
        ("no act number", "number of the legal act"),
    ],
)
def test_a_move_is_refused_and_writes_nothing(
    case, message, mahalla, yunusobod, mirzo_ulugbek, andijon_district
):
    # given
    arguments = {"mahalla": mahalla, "district": mirzo_ulugbek, "effective_on": DAY, **ACT}
    if case == "not a mahalla":
        arguments["mahalla"] = yunusobod
    elif case == "closed":
        Territory.objects.filter(pk=mahalla.pk).update(valid_to=date(2018, 12, 31))
    elif case == "same district":
        arguments["district"] = yunusobod
    elif case == "to a region":
        arguments["district"] = mirzo_ulugbek.parent
    elif case == "before it began":
        Territory.objects.filter(pk=mahalla.pk).update(valid_from=DAY)
    elif case == "before its last move":
        mahalla_move(mahalla=mahalla, district=andijon_district, effective_on=DAY, **ACT)
        arguments["effective_on"] = DAY - timedelta(days=10)
    elif case == "in the future":
        arguments["effective_on"] = TODAY + timedelta(days=1)
    elif case == "no act number":
        arguments["act_number"] = "  "
    before = _written()
    # when / then
    with pytest.raises(ApplicationError, match=message):
        mahalla_move(**arguments)
    assert _written() == before


# --- Merge ------------------------------------------------------------------------------------


def test_a_merge_closes_the_others_and_keeps_their_records(make_mahalla, yunusobod):
    # given two mahallas of a district with records
    a, b = make_mahalla(yunusobod, 3000), make_mahalla(yunusobod, 5000)
    inspector = Inspector.objects.first()
    for mahalla in (a, a, b):
        PreventionRecordFactory(mahalla=mahalla, inspector=inspector, date=BEFORE)
    district_population = _population(yunusobod)
    count = yunusobod.mahalla_count
    # when
    change = mahallas_merge(mahallas=[a, b], into=b, effective_on=DAY, **ACT)
    # then the other one is closed the day before, still in the tree
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.valid_to == DAY - timedelta(days=1) and a.parent == yunusobod
    assert b.valid_to is None
    assert PreventionRecord.objects.filter(mahalla=a).count() == 2
    assert PreventionRecord.objects.filter(mahalla=b).count() == 1
    # the continuing one has both populations from the day, its own before it
    assert b.population == 8000
    assert _population_on(b, BEFORE) == 5000 and _population_on(b, AFTER) == 8000
    assert _population(yunusobod) == district_population
    yunusobod.refresh_from_db()
    assert yunusobod.mahalla_count == count - 1
    # the tree in force
    assert a in territory_children_at(node=yunusobod, day=BEFORE)
    assert a not in territory_children_at(node=yunusobod, day=AFTER)
    assert not Territory.objects.filter(territory_in_force(TODAY), pk=a.pk).exists()
    roles = {(p.territory_id, p.role, p.to_district_id) for p in change.parts.all()}
    assert roles == {(a.pk, "source", yunusobod.pk), (b.pk, "result", yunusobod.pk)}


def test_a_merge_across_districts_moves_the_residents_of_the_closed_one(
    make_mahalla, yunusobod, mirzo_ulugbek
):
    a, b = make_mahalla(yunusobod, 3000), make_mahalla(mirzo_ulugbek, 5000)
    before = {node.pk: _population(node) for node in (yunusobod, mirzo_ulugbek)}
    mahallas_merge(mahallas=[a, b], into=b, effective_on=DAY, **ACT)
    assert _population(yunusobod) == before[yunusobod.pk] - 3000
    assert _population(mirzo_ulugbek) == before[mirzo_ulugbek.pk] + 3000
    assert _population_on(yunusobod, BEFORE) == before[yunusobod.pk]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("one mahalla", "at least two"),
        ("continuing one not merged", "must be one of those merged"),
        ("a closed one", "was closed on"),
        ("a district", "is not a mahalla"),
        ("before a split", "last changed on"),
    ],
)
def test_a_merge_is_refused_and_writes_nothing(case, message, make_mahalla, yunusobod):
    a, b, c = (make_mahalla(yunusobod) for _ in range(3))
    arguments = {"mahallas": [a, b], "into": b, "effective_on": DAY, **ACT}
    if case == "one mahalla":
        arguments["mahallas"] = [b, b]
    elif case == "continuing one not merged":
        arguments["into"] = c
    elif case == "a closed one":
        Territory.objects.filter(pk=a.pk).update(valid_to=date(2018, 12, 31))
    elif case == "a district":
        arguments["mahallas"] = [yunusobod, b]
    elif case == "before a split":
        mahalla_split(
            mahalla=a, parts=[{"name_uz": "Yangi", "population": 10}], effective_on=DAY, **ACT
        )
    before = _written()
    with pytest.raises(ApplicationError, match=message):
        mahallas_merge(**arguments)
    assert _written() == before


# --- Split ------------------------------------------------------------------------------------


def test_a_split_makes_new_mahallas_in_the_district(make_mahalla, yunusobod):
    # given a red mahalla of 3000 residents
    mahalla = make_mahalla(yunusobod, 3000, category=Territory.Category.RED)
    district_population = _population(yunusobod)
    user = UserFactory()
    # when two parts split off
    change = mahalla_split(
        mahalla=mahalla,
        parts=[
            {"name_uz": "Yangi hayot", "population": 1000},
            {
                "name_uz": "Bogʻishamol",
                "name_uz_cyrl": "Боғишамол",
                "name_ru": "Богишамол",
                "name_en": "Bogishamol",
                "population": 500,
            },
        ],
        effective_on=DAY,
        by=user,
        **ACT,
    )
    # then
    new = list(
        Territory.objects.filter(
            boundary_parts__change=change, boundary_parts__role="result"
        ).order_by("code")
    )
    assert [n.name_uz for n in new] == ["Yangi hayot", "Bogʻishamol"]
    first = new[0]
    assert (first.name_uz_cyrl, first.name_ru, first.name_en) == (
        "Янги ҳаёт",
        "махалля Янги ҳаёт",
        "Yangi hayot mahalla",
    )
    assert new[1].name_en == "Bogishamol"
    for node in new:
        assert node.parent == yunusobod and node.path == f"{yunusobod.path}{node.code}/"
        assert node.code.startswith(f"{yunusobod.code}M") and node.valid_from == DAY
        assert node.category == Territory.Category.RED
        assert MahallaCategoryChange.objects.filter(mahalla=node, effective_from=DAY).exists()
    assert len({n.code for n in new}) == 2
    assert _population(mahalla) == 1500
    assert _population_on(mahalla, BEFORE) == 3000
    assert _population(yunusobod) == district_population
    assert change.created_by == user
    # the new ones are not in the tree before the day
    assert not set(new) & set(territory_children_at(node=yunusobod, day=BEFORE))
    assert set(new) <= set(territory_children_at(node=yunusobod, day=AFTER))


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ([], "at least one new mahalla"),
        ([{"name_uz": "Katta", "population": 3000}], "must have fewer"),
        ([{"name_uz": "", "population": 10}], "give its name"),
        ([{"name_uz": "Nol", "population": 0}], "above zero"),
        ([{"name_uz": "Ikki", "population": 5}, {"name_uz": "ikki", "population": 5}], "already"),
    ],
)
def test_a_split_is_refused_and_writes_nothing(parts, message, mahalla):
    before = _written()
    with pytest.raises(ApplicationError, match=message):
        mahalla_split(mahalla=mahalla, parts=parts, effective_on=DAY, **ACT)
    assert _written() == before


def test_a_split_part_may_not_take_a_name_the_district_has(make_mahalla, yunusobod, mahalla):
    other = make_mahalla(yunusobod)
    with pytest.raises(ApplicationError, match="already has a mahalla"):
        mahalla_split(
            mahalla=mahalla,
            parts=[{"name_uz": other.name_uz, "population": 10}],
            effective_on=DAY,
            **ACT,
        )


# --- History and changes under a node -------------------------------------------------------


def test_the_history_of_a_moved_mahalla_and_of_both_districts(mahalla, yunusobod, andijon_district):
    mahalla_move(mahalla=mahalla, district=andijon_district, effective_on=DAY, **ACT)
    [moved] = territory_history(node=mahalla)
    assert (moved.day, moved.kind, moved.change.act_number) == (DAY, "moved", "PQ-123")
    assert [(o.role, o.node) for o in moved.others] == [
        ("from", yunusobod),
        ("to", andijon_district),
    ]
    [out] = territory_history(node=yunusobod)
    assert out.kind == "mahalla_moved_out"
    assert [o.node for o in out.others] == [mahalla, andijon_district]
    [came] = territory_history(node=andijon_district)
    assert came.kind == "mahalla_moved_in"
    assert [e.kind for e in territory_history(node=yunusobod.parent)] == ["mahalla_moved_out"]
    assert territory_history(node=yunusobod.parent.parent) == []


def test_the_history_of_merged_and_split_mahallas(make_mahalla, yunusobod):
    a, b = make_mahalla(yunusobod), make_mahalla(yunusobod)
    mahallas_merge(mahallas=[a, b], into=b, effective_on=DAY, **ACT)
    later = date(2020, 1, 1)
    mahalla_split(
        mahalla=b, parts=[{"name_uz": "Navroʻz", "population": 100}], effective_on=later, **ACT
    )
    a.refresh_from_db()
    new = Territory.objects.get(name_uz="Navroʻz", parent=yunusobod)
    assert [(e.kind, e.day) for e in territory_history(node=a)] == [("merged_into", DAY)]
    assert [o.node for o in territory_history(node=a)[0].others] == [b]
    assert [(e.kind, e.day) for e in territory_history(node=b)] == [
        ("split_into", later),
        ("merged_with", DAY),
    ]
    assert [(e.kind, e.day) for e in territory_history(node=new)] == [("split_from", later)]


def test_a_node_closed_or_begun_by_hand_has_those_dates_as_history(make_mahalla, yunusobod):
    mahalla = make_mahalla(yunusobod, valid_from=date(2010, 5, 1), valid_to=date(2018, 12, 31))
    assert [(e.kind, e.day, e.change) for e in territory_history(node=mahalla)] == [
        ("closed", date(2019, 1, 1), None),
        ("created", date(2010, 5, 1), None),
    ]


def test_boundary_changes_under_a_node(
    make_mahalla, mahalla, yunusobod, mirzo_ulugbek, andijon_district, django_assert_num_queries
):
    a, b = make_mahalla(mirzo_ulugbek), make_mahalla(mirzo_ulugbek)
    move = mahalla_move(mahalla=mahalla, district=andijon_district, effective_on=DAY, **ACT)
    merge = mahallas_merge(mahallas=[a, b], into=b, effective_on=date(2019, 5, 1), **ACT)
    tashkent = yunusobod.parent
    with django_assert_num_queries(2):
        changes = list(boundary_changes_under(node=tashkent, first=date(2019, 1, 1), last=TODAY))
        parts = [part.territory.code for change in changes for part in change.parts.all()]
    assert changes == [move, merge] and mahalla.code in parts
    assert list(boundary_changes_under(node=yunusobod, first=DAY, last=DAY)) == [move]
    assert list(boundary_changes_under(node=andijon_district, first=DAY, last=TODAY)) == [move]
    assert list(boundary_changes_under(node=mirzo_ulugbek, first=DAY, last=TODAY)) == [merge]
    assert list(boundary_changes_under(node=tashkent, first=date(2019, 3, 2), last=TODAY)) == [
        merge
    ]


# --- Admin ------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, demo_user):
    client.force_login(demo_user("admin"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


CHANGELIST = "admin:mahalla_territory_changelist"
ACT_FORM = {"effective_on": "2019-03-01", "act_number": "PQ-123", "act_date": "2019-02-20"}


def _action(client, action: str, *mahallas):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [m.pk for m in mahallas]},
    )


def test_the_admin_moves_a_mahalla_through_its_page(admin_client, mahalla, mirzo_ulugbek):
    # given the action sends to its page
    response = _action(admin_client, "move_action", mahalla)
    assert response.status_code == 302
    page = response.url
    assert page.startswith(reverse("admin:mahalla_territory_move"))
    response = admin_client.get(page)
    assert response.status_code == 200
    assert mahalla.name in response.content.decode()
    # when the form is sent
    response = admin_client.post(page, {"district": mirzo_ulugbek.pk, **ACT_FORM}, follow=True)
    # then
    assert response.redirect_chain[-1][0] == reverse(CHANGELIST)
    assert "Recorded" in response.content.decode()
    mahalla.refresh_from_db()
    assert mahalla.parent == mirzo_ulugbek
    assert BoundaryChange.objects.get().created_by.username == "admin"


def test_the_admin_page_shows_a_refusal_on_the_form(admin_client, mahalla, mirzo_ulugbek):
    Territory.objects.filter(pk=mahalla.pk).update(valid_from=date(2019, 6, 1))
    page = _action(admin_client, "move_action", mahalla).url
    response = admin_client.post(page, {"district": mirzo_ulugbek.pk, **ACT_FORM})
    assert response.status_code == 200
    assert "came into being on" in str(response.context["form"].errors)
    assert not BoundaryChange.objects.exists()
    # and a form error from the form itself
    response = admin_client.post(page, {"district": mirzo_ulugbek.pk, "act_number": "1"})
    assert response.status_code == 200 and response.context["form"].errors["effective_on"]


def test_the_admin_merges_mahallas(admin_client, make_mahalla, yunusobod):
    a, b = make_mahalla(yunusobod), make_mahalla(yunusobod)
    page = _action(admin_client, "merge_action", a, b).url
    response = admin_client.post(page, {"into": b.pk, **ACT_FORM})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.valid_to == date(2019, 2, 28)


def test_the_admin_splits_a_mahalla(admin_client, mahalla):
    page = _action(admin_client, "split_action", mahalla).url
    assert admin_client.get(page).status_code == 200
    data = {
        **ACT_FORM,
        "parts-TOTAL_FORMS": "2",
        "parts-INITIAL_FORMS": "0",
        "parts-MIN_NUM_FORMS": "1",
        "parts-MAX_NUM_FORMS": "20",
        "parts-0-name_uz": "Tinchlik",
        "parts-0-population": "700",
        "parts-1-name_uz": "",
        "parts-1-population": "",
    }
    response = admin_client.post(page, data)
    assert response.status_code == 302
    assert Territory.objects.get(name_uz="Tinchlik", parent=mahalla.parent).population == 700
    # too many residents: the refusal is shown on the page
    data["parts-0-name_uz"], data["parts-0-population"] = "Katta", "5000"
    data["effective_on"] = "2019-04-01"
    response = admin_client.post(page, data)
    assert response.status_code == 200
    assert "must have fewer" in str(response.context["form"].non_field_errors())


def test_the_actions_check_the_choice(admin_client, mahalla, yunusobod):
    response = _action(admin_client, "merge_action", mahalla)
    assert response.status_code == 302 and response.url.endswith(reverse(CHANGELIST))
    response = _action(admin_client, "move_action", yunusobod)
    assert response.status_code == 302 and "move" not in response.url


def test_the_boundary_pages_are_for_portal_administrators_only(client, mahalla):
    page = f"{reverse('admin:mahalla_territory_move')}?ids={mahalla.pk}"
    assert client.get(page).status_code == 302  # to the admin sign-in
    # A staff flag without an admin membership opens nothing (accounts.admin_site).
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_boundary_change_admin_lists_the_changes(admin_client, mahalla, mirzo_ulugbek):
    change = mahalla_move(mahalla=mahalla, district=mirzo_ulugbek, effective_on=DAY, **ACT)
    response = admin_client.get(reverse("admin:mahalla_boundarychange_changelist"))
    assert response.status_code == 200 and "PQ-123" in response.content.decode()
    response = admin_client.get(reverse("admin:mahalla_boundarychange_change", args=[change.pk]))
    assert response.status_code == 200 and mahalla.name_en in response.content.decode()
    assert admin_client.get(reverse("admin:mahalla_boundarychange_add")).status_code == 403


# --- Territory page and API -----------------------------------------------------------------


def test_the_territory_page_shows_the_history_and_the_closed_badge(client, make_mahalla, yunusobod):
    a, b = make_mahalla(yunusobod), make_mahalla(yunusobod)
    mahallas_merge(mahallas=[a, b], into=b, effective_on=DAY, **ACT)
    response = client.get(
        reverse("mahalla:territory-detail", args=[b.code]), HTTP_ACCEPT_LANGUAGE="en"
    )
    body = response.content.decode()
    assert 'data-testid="history"' in body
    assert "Legal act No. PQ-123 of 20.02.2019" in body
    assert f'href="/territories/{a.code}/"' in body
    response = client.get(
        reverse("mahalla:territory-detail", args=[a.code]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Closed on 01.03.2019" in response.content.decode()
    response = client.get(reverse("mahalla:territory-detail", args=[yunusobod.code]))
    assert a not in response.context["children"] and b in response.context["children"]


def test_the_api_gives_a_node_its_history_on_its_own_endpoint(
    api_client, mahalla, yunusobod, mirzo_ulugbek
):
    mahalla_move(mahalla=mahalla, district=mirzo_ulugbek, effective_on=DAY, **ACT)
    row = api_client.get(f"/api/v1/territories/{mahalla.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (row["valid_from"], row["valid_to"]) == (None, None)
    assert row["history"] == [
        {
            "date": "2019-03-01",
            "kind": "moved",
            "act_number": "PQ-123",
            "act_date": "2019-02-20",
            "act_title": "",
            "others": [
                {"role": "from", "code": yunusobod.code, "name": yunusobod.name_en},
                {"role": "to", "code": mirzo_ulugbek.code, "name": mirzo_ulugbek.name_en},
            ],
        }
    ]


def test_the_api_list_has_no_history_and_a_fixed_query_count(
    api_client, mahalla, mirzo_ulugbek, django_assert_num_queries
):
    mahalla_move(mahalla=mahalla, district=mirzo_ulugbek, effective_on=DAY, **ACT)
    with django_assert_num_queries(1):
        rows = api_client.get("/api/v1/territories/", {"code": mahalla.code}).json()
    [row] = rows["results"]
    assert "history" not in row and row["parent"] == mirzo_ulugbek.pk
