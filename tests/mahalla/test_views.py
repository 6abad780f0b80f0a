import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_tree_page_lists_the_regions(client):
    response = client.get(reverse("mahalla:territory-list"), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Республика Узбекистан" in body
    assert "город Ташкент" in body
    assert body.count('href="/territories/17') >= 14


def test_node_page_has_breadcrumbs_and_children(client):
    response = client.get(
        reverse("mahalla:territory-detail", args=["1726266"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert [a.code for a in response.context["ancestors"]] == ["17", "1726"]
    assert response.context["node"].name == "Yunusobod District"
    assert len(response.context["children"]) >= 1


def test_unknown_node_is_404(client):
    response = client.get(reverse("mahalla:territory-detail", args=["0000"]))
    assert response.status_code == 404


def test_search_partial_for_htmx(client):
    response = client.get(
        reverse("mahalla:territory-list"),
        {"q": "Юнусабад"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="search-results",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "/territories/1726266/" in body


def test_tree_page_query_count_does_not_grow_with_children(client, django_assert_max_num_queries):
    # The country page (14 children) and a district page cost the same number of queries.
    with django_assert_max_num_queries(8):
        client.get(reverse("mahalla:territory-detail", args=["17"]))
    with django_assert_max_num_queries(8):
        client.get(reverse("mahalla:territory-detail", args=["1726266"]))
