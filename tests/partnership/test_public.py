"""The public registry of agreements: only public active ones, no documents or personal data,
filters, keyset pages, the CSV and the query count."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from partnership.models import Agreement, PartnershipArea
from partnership.permissions import agreements_public
from partnership.services import agreement_create, agreement_documents_add, obligation_add

pytestmark = pytest.mark.django_db

REGISTRY = "partnership:public-registry"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def make_agreement(org_a, agreement_a, demo_user):
    """An agreement of the demo organisation with the Yunusobod department, in a given state."""
    today = timezone.localdate()
    by = demo_user("officer.district")

    def make(number: str, *, status: str, is_public: bool, title: str = "Ochiq memorandum"):
        agreement = agreement_create(
            number=number,
            title=title,
            unit=agreement_a.unit,
            organisations=[org_a],
            areas=PartnershipArea.objects.filter(code="youth"),
            valid_from=today - timedelta(days=10),
            valid_to=today + timedelta(days=300),
            is_public=is_public,
            by=by,
        )
        Agreement.objects.filter(pk=agreement.pk).update(status=status, status_changed_by=by)
        agreement.refresh_from_db()
        return agreement

    return make


@pytest.fixture
def published(make_agreement):
    return make_agreement("PUB-1", status="active", is_public=True)


@pytest.fixture
def hidden(make_agreement):
    return [
        make_agreement("PUB-DRAFT", status="draft", is_public=True),
        make_agreement("PUB-PROPOSED", status="proposed", is_public=True),
        make_agreement("PUB-EXPIRED", status="expired", is_public=True),
        make_agreement("PUB-PRIVATE", status="active", is_public=False),
    ]


def _numbers(response) -> list[str]:
    return [agreement.number for agreement in response.context["page"].items]


def _all_listed(client, params=None) -> list[str]:
    """Every row of the registry, following the "show more" pages."""
    params = dict(params or {})
    numbers = []
    while True:
        response = client.get(reverse(REGISTRY), params)
        assert response.status_code == 200
        numbers += _numbers(response)
        token = response.context["page"].next_token
        if token is None:
            return numbers
        params["after"] = token


def _csv_rows(client, params=None) -> list[dict]:
    response = client.get(reverse("partnership:public-registry-csv"), params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="agreements.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_registry_shows_only_public_active_agreements(client, published, hidden):
    listed = _all_listed(client)
    expected = set(agreements_public().values_list("number", flat=True))
    assert set(listed) == expected
    assert len(listed) == len(expected)
    assert published.number in listed
    assert not {agreement.number for agreement in hidden} & set(listed)


def test_registry_needs_no_sign_in_and_is_the_same_for_a_council_member(
    client, demo_user, published
):
    anonymous = client.get(reverse(REGISTRY), {"q": "PUB-"})
    assert anonymous.status_code == 200
    assert _numbers(anonymous) == [published.number]
    client.force_login(demo_user("council"))
    assert _numbers(client.get(reverse(REGISTRY), {"q": "PUB-"})) == [published.number]


def test_public_page_of_a_hidden_agreement_is_404(client, published, hidden):
    assert (
        client.get(reverse("partnership:public-agreement", args=[published.pk])).status_code == 200
    )
    for agreement in hidden:
        url = reverse("partnership:public-agreement", args=[agreement.pk])
        assert client.get(url).status_code == 404, agreement.number
    assert client.get(reverse("partnership:public-agreement", args=[999999])).status_code == 404


def test_public_page_shows_obligations_but_no_documents_or_people(client, demo_user, published):
    today = timezone.localdate()
    obligation_add(
        agreement=published, text="Har chorakda davra suhbati", party="unit", due_date=today
    )
    agreement_documents_add(
        agreement=published,
        files=[SimpleUploadedFile("secret.pdf", PDF)],
        by=demo_user("officer.district"),
    )
    document = published.documents.get()
    response = client.get(reverse("partnership:public-agreement", args=[published.pk]))
    content = response.content.decode()
    assert "Har chorakda davra suhbati" in content
    assert "0 of 1 done" in content
    assert document.title not in content
    assert "/documents/" not in content
    officer = demo_user("officer.district")
    assert officer.last_name not in content  # who changed the status stays internal
    assert "@demo.hamkorlik.uz" not in content


def test_registry_rows_show_parties_progress_and_confirmed_activities(client, agreement_a):
    if not agreement_a.is_public:
        Agreement.objects.filter(pk=agreement_a.pk).update(is_public=True)
    response = client.get(reverse(REGISTRY), {"q": agreement_a.number})
    (row,) = response.context["page"].items
    assert row.confirmed_activities == agreement_a.activities.filter(status="confirmed").count()
    assert row.obligations_total == agreement_a.obligations.count()
    content = response.content.decode()
    assert agreement_a.organisations.get().name.replace("“", "") in content.replace("“", "")
    assert agreement_a.unit.name in content


def test_filters(client, agreement_a, published):
    district = agreement_a.unit.territory
    region = district.parent
    public = agreements_public()

    def expected(queryset):
        return set(queryset.values_list("number", flat=True))

    by_region = _all_listed(client, {"region": region.pk})
    assert set(by_region) == expected(public.filter(unit__territory__path__startswith=region.path))
    assert published.number in by_region
    by_district = _all_listed(client, {"district": district.pk})
    assert set(by_district) == expected(public.filter(unit__territory=district))
    andijon = public.exclude(unit__territory__path__startswith=region.path).first()
    assert andijon.number not in by_district
    youth = PartnershipArea.objects.get(code="youth")
    by_area = _all_listed(client, {"area": youth.pk})
    assert set(by_area) == expected(public.filter(areas=youth))
    assert _numbers(client.get(reverse(REGISTRY), {"q": "pub-1"})) == [published.number]
    assert _numbers(client.get(reverse(REGISTRY), {"q": "Ochiq memo"})) == [published.number]


def test_district_choices_follow_the_chosen_region(client, agreement_a):
    region = agreement_a.unit.territory.parent
    response = client.get(reverse(REGISTRY), {"region": region.pk})
    districts = response.context["filterset"].form.fields["district"].queryset
    assert {d.parent_id for d in districts} == {region.pk}


@pytest.mark.parametrize(
    "params",
    [{"region": "abc"}, {"district": "1"}, {"area": "999999"}, {"after": "2026-13-01.5"}],
)
def test_bad_filters_are_400(client, params):
    assert client.get(reverse(REGISTRY), params).status_code == 400
    if "after" not in params:
        csv_response = client.get(reverse("partnership:public-registry-csv"), params)
        assert csv_response.status_code == 400


def test_csv_has_exactly_the_listed_rows(client, agreement_a, published):
    listed = _all_listed(client)
    rows = _csv_rows(client)
    assert [row["Number"] for row in rows] == listed
    region = agreement_a.unit.territory.parent
    filtered = _all_listed(client, {"region": region.pk, "q": "PUB"})
    rows = _csv_rows(client, {"region": region.pk, "q": "PUB"})
    assert [row["Number"] for row in rows] == filtered == [published.number]
    (row,) = rows
    assert row["MIA unit"] == agreement_a.unit.name_en
    assert row["Valid from"] == published.valid_from.isoformat()
    assert row["Confirmed joint activities"] == "0"
    assert row["Page"].endswith(reverse("partnership:public-agreement", args=[published.pk]))


def test_csv_cells_cannot_become_spreadsheet_formulas(client, make_agreement):
    make_agreement("PUB-F", status="active", is_public=True, title='=HYPERLINK("http://x")')
    (row,) = _csv_rows(client, {"q": "PUB-F"})
    assert row["Title"] == '\'=HYPERLINK("http://x")'


def test_csv_header_follows_the_language(client):
    response = client.get(reverse("partnership:public-registry-csv"), HTTP_ACCEPT_LANGUAGE="ru")
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    with translation.override("ru"):
        assert header.startswith(translation.gettext("Number"))


def test_show_more_returns_the_rows_only(client):
    first = client.get(reverse(REGISTRY))
    token = first.context["page"].next_token
    assert token
    more = client.get(reverse(REGISTRY), {"after": token}, HTTP_HX_REQUEST="true")
    assert more.status_code == 200
    content = more.content.decode()
    assert "<html" not in content and 'data-testid="registry-row"' in content
    assert not set(_numbers(first)) & set(_numbers(more))


# A visitor without a session: the page, organisations, areas, and the region, district and
# area choices of the filters; one more to look up each chosen region, district or area.
REGISTRY_QUERIES = 6


def test_registry_query_count_does_not_grow_with_the_data(
    client, django_assert_num_queries, make_agreement, org_b, agreement_a
):
    params = {"district": agreement_a.unit.territory_id}
    with django_assert_num_queries(REGISTRY_QUERIES + 1):
        small = client.get(reverse(REGISTRY), params)
    for number in range(40):
        agreement = make_agreement(f"PUB-M-{number}", status="active", is_public=True)
        agreement.organisations.add(org_b)
        obligation_add(agreement=agreement, text="A", party="unit", due_date=timezone.localdate())
    with django_assert_num_queries(REGISTRY_QUERIES + 1):
        large = client.get(reverse(REGISTRY), params)
    assert len(small.context["page"].items) < len(large.context["page"].items) == 30
    with django_assert_num_queries(REGISTRY_QUERIES):
        client.get(reverse(REGISTRY))
