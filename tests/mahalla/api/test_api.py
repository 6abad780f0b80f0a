import pytest

from mahalla.models import Territory

pytestmark = pytest.mark.django_db
URL = "/api/v1/territories/"


def test_list_is_public_and_filters_by_kind(api_client):
    response = api_client.get(URL, {"kind": "region", "page_size": 20})
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    assert len(codes) == 14
    assert "1726" in codes


def test_filter_by_parent_and_code(api_client):
    tashkent = Territory.objects.get(code="1726")
    by_parent = api_client.get(URL, {"parent": tashkent.pk, "page_size": 50}).json()["results"]
    assert len(by_parent) == 12
    by_code = api_client.get(URL, {"code": "1726266"}).json()["results"]
    assert [row["name_en"] for row in by_code] == ["Yunusobod District"]


def test_search_by_name_in_any_language(api_client):
    rows = api_client.get(URL, {"q": "Юнусабадский"}).json()["results"]
    assert [row["code"] for row in rows] == ["1726266"]


def test_name_follows_the_request_language(api_client):
    row = api_client.get(URL, {"code": "1726"}, HTTP_ACCEPT_LANGUAGE="ru").json()["results"][0]
    assert row["name"] == "город Ташкент"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "planet"}, "kind"),
        ({"parent": "999999999"}, "parent"),
        ({"parent": "x"}, "parent"),
    ],
)
def test_unknown_filter_values_answer_400_with_a_message(api_client, params, field):
    response = api_client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()[field][0]


def test_detail_and_404(api_client):
    pk = Territory.objects.get(code="1726266").pk
    assert api_client.get(f"{URL}{pk}/").json()["path"] == "17/1726/1726266/"
    assert api_client.get(f"{URL}999999999/").status_code == 404


def test_list_query_count_is_fixed_whatever_the_page_size(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        small = api_client.get(URL, {"page_size": 5})
    with django_assert_num_queries(1):
        large = api_client.get(URL, {"page_size": 200})
    assert len(small.json()["results"]) == 5
    assert len(large.json()["results"]) == 200


def test_cursor_pagination_walks_the_whole_tree(api_client):
    seen, url = [], f"{URL}?kind=district&page_size=100"
    while url:
        page = api_client.get(url).json()
        seen += [row["code"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 209
