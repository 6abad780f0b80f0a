import pytest

from mahalla.models import Territory
from mahalla.selectors import territory_ancestors, territory_search, territory_subtree

pytestmark = pytest.mark.django_db


def test_subtree_is_one_query(django_assert_num_queries):
    tashkent = Territory.objects.get(code="1726")
    with django_assert_num_queries(1):
        nodes = list(territory_subtree(node=tashkent))
    assert {n.kind for n in nodes} == {"region", "district", "mahalla"}
    assert all(n.path.startswith("17/1726/") for n in nodes)
    assert len([n for n in nodes if n.kind == "district"]) == 12


def test_ancestors_root_first_in_one_query(django_assert_num_queries):
    mahalla = Territory.objects.filter(parent__code="1726266").first()
    with django_assert_num_queries(1):
        ancestors = territory_ancestors(node=mahalla)
    assert [a.code for a in ancestors] == ["17", "1726", "1726266"]


@pytest.mark.parametrize(
    "text", ["Yunusobod", "yunusobod", "Юнусобод", "Юнусабадский", "Yunusobod District"]
)
def test_search_in_any_language(text):
    found = territory_search(queryset=Territory.objects.all(), text=text)
    assert "1726266" in {t.code for t in found}


def test_search_ignores_apostrophe_variants():
    for text in ("Mirzo Ulug'bek", "Mirzo Ulugʻbek", "Mirzo Ulug‘bek"):
        found = territory_search(queryset=Territory.objects.all(), text=text)
        assert {t.code for t in found} >= {"1726269"}, text
