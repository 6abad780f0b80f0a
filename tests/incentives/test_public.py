"""The public award register: no sign-in, only awards decided and not reversed, a citizen's
name only with consent, no other personal data or amount in the page or the CSV; filters,
keyset pages, bad input as a 400 and the query count."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incentives.models import Commission, Fund, IncentiveGround, Level, Nomination
from incentives.permissions import awards_public
from incentives.services import (
    nomination_approve,
    nomination_pay,
    nomination_reject,
    nomination_reverse,
    nomination_submit,
)
from incentives.views import public
from mahalla.models import Territory
from partnership.models import Organisation

pytestmark = pytest.mark.django_db

REGISTER = "incentives:award-register"
REGISTER_CSV = "incentives:award-register-csv"
TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1

# The hidden citizen's personal data, each in the forms it could be printed in.
SECRET_NAME = "Yashirin Fuqaroyev"
SECRETS = [
    SECRET_NAME,
    "ZX9876543",  # document number
    "+998 91 765 43 21",
    "998917654321",
    "Maxfiy ko'cha 77-uy",
    "1979-04-13",
    "13.04.1979",
    "April 13, 1979",
    "987654",  # the amount, in every grouping
    "987,654",
    "987 654",
    "987\xa0654",
    "987.654",
]


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def mahalla(demo_user) -> Territory:
    return demo_user("inspector").memberships.get(role="inspector").territory


@pytest.fixture
def award(demo_user, mahalla, cash):
    """Nominates with the services and takes the nomination to `state`."""
    inspector = demo_user("inspector")
    numbers = iter(range(1, 1000))

    def make(
        state: str = "approved",
        *,
        full_name: str = "",
        consent: bool = False,
        organisation=None,
        place: Territory | None = None,
        amount: int = 500_000,
        decided: date | None = None,
        **personal,
    ) -> Nomination:
        number = next(numbers)
        decided = decided or TODAY
        nomination = nomination_submit(
            by=inspector,
            kind=Nomination.Kind.ORGANISATION if organisation else Nomination.Kind.CITIZEN,
            organisation=organisation,
            full_name=full_name or f"Reyestr Shaxs {number}",
            document_number=personal.pop("document_number", f"RG{number:07d}"),
            ground=IncentiveGround.objects.get(code="prevention"),
            facts="Faol ishtirok.",
            event_date=min(decided, TODAY - timedelta(days=1)) - timedelta(days=1),
            mahalla=place or mahalla,
            proposed_amount=amount,
            consent_to_publish=consent,
            **personal,
        )
        member = demo_user("admin")
        if state == "submitted":
            return nomination
        if state == "rejected":
            return nomination_reject(nomination=nomination, by=member, reason="Yo'q.")
        nomination = nomination_approve(
            nomination=nomination,
            by=member,
            incentive_type=cash,
            amount=amount,
            decision_number=f"RG-{number}",
            decision_date=decided,
        )
        if state in ("paid", "reversed"):
            nomination = nomination_pay(
                nomination=nomination, by=member, paid_on=decided, reference=f"P-{number}"
            )
        if state == "reversed":
            nomination = nomination_reverse(nomination=nomination, by=member, reason="Xato.")
        return nomination

    return make


@pytest.fixture
def andijan_mahalla() -> Territory:
    region = Territory.objects.get(kind=Territory.Kind.REGION, code="1703")
    return Territory.objects.filter(kind=Territory.Kind.MAHALLA, path__startswith=region.path)[0]


@pytest.fixture
def register(award, mahalla, andijan_mahalla, district_commission):
    """A consenting citizen, a hidden one, an organisation, one in Andijan (decided by the
    republic's commission), one of last year; and nominations that must not be published."""
    Fund.objects.create(commission=district_commission, year=LAST_YEAR, budget=10_000_000)
    return {
        "named": award("paid", full_name="Ochiqjon Nomdorov", consent=True),
        "hidden": award(
            "approved",
            full_name=SECRET_NAME,
            consent=False,
            amount=987_654,
            document_number="ZX9876543",
            phone="+998 91 765 43 21",
            birth_date=date(1979, 4, 13),
            address="Maxfiy ko'cha 77-uy",
        ),
        "organisation": award("approved", organisation=Organisation.objects.order_by("pk")[0]),
        "andijan": award(
            "approved", full_name="Andijonlik Ochiq", consent=True, place=andijan_mahalla
        ),
        "last_year": award(
            "approved", full_name="Otgan Yilgi", consent=True, decided=date(LAST_YEAR, 6, 15)
        ),
        "submitted": award("submitted", full_name="Kutayotgan Nomzod", consent=True),
        "rejected": award("rejected", full_name="Rad Etilgan", consent=True),
        "reversed": award("reversed", full_name="Bekor Qilingan", consent=True),
    }


def _all_pages(client, params=None) -> tuple[list[Nomination], list]:
    """Every award and row of the register, following the "show more" pages."""
    params = dict(params or {})
    items, rows = [], []
    while True:
        response = client.get(reverse(REGISTER), params)
        assert response.status_code == 200
        items += response.context["page"].items
        rows += response.context["rows"]
        token = response.context["page"].next_token
        if token is None:
            return items, rows
        params["after"] = token


def _csv(client, params=None) -> tuple[str, list[dict]]:
    response = client.get(reverse(REGISTER_CSV), params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="awards-register.csv"'
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    return text, list(csv.DictReader(io.StringIO(text)))


def test_anonymous_visitors_see_the_register(client, register):
    response = client.get(reverse(REGISTER))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Cabinet Resolution No. 15" in content
    assert "named only with their consent" in content
    assert 'data-testid="register-row"' in content


def test_only_decided_awards_not_reversed_are_listed(client, register):
    items, _rows = _all_pages(client)
    listed = {award.pk for award in items}
    assert listed == set(awards_public().values_list("pk", flat=True))
    assert len(items) == len(listed)
    for key in ("named", "hidden", "organisation", "andijan", "last_year"):
        assert register[key].pk in listed, key
    for key in ("submitted", "rejected", "reversed"):
        assert register[key].pk not in listed, key
    content = client.get(reverse(REGISTER)).content.decode()
    _text, csv_rows = _csv(client)
    for name in ("Kutayotgan Nomzod", "Rad Etilgan", "Bekor Qilingan"):
        assert name not in content
        assert name not in [row["Name"] for row in csv_rows]


def test_names_are_shown_only_with_consent(client, register, mahalla):
    _items, rows = _all_pages(client)
    by_pk = {award.pk: row for award, row in zip(_items, rows, strict=True)}
    assert by_pk[register["named"].pk].name == "Ochiqjon Nomdorov"
    assert by_pk[register["hidden"].pk].name == f"A resident of {mahalla.name_en}"
    organisation = register["organisation"].organisation
    assert by_pk[register["organisation"].pk].name == organisation.name
    content = client.get(reverse(REGISTER)).content.decode()
    assert "Ochiqjon Nomdorov" in content
    assert f"A resident of {mahalla.name_en}" in content
    # the demo's own award without consent
    demo_hidden = Nomination.objects.get(document_number="AD1000002")
    assert demo_hidden.state == "approved" and not demo_hidden.consent_to_publish
    assert demo_hidden.full_name not in content


def test_a_row_holds_exactly_the_published_columns(client, register, mahalla):
    _text, rows = _csv(client, {"year": TODAY.year, "month": TODAY.month})
    assert list(rows[0]) == ["Name", "Ground", "Type of incentive", "Month", "Region"]
    named = next(row for row in rows if row["Name"] == "Ochiqjon Nomdorov")
    assert named == {
        "Name": "Ochiqjon Nomdorov",
        "Ground": "Active participation in prevention",
        "Type of incentive": "Cash bonus",
        "Month": f"{TODAY:%Y-%m}",
        "Region": "Tashkent City",
    }
    content = client.get(reverse(REGISTER), {"year": TODAY.year}).content.decode()
    assert f"{TODAY:%B %Y}" in content


def test_no_personal_data_or_amount_in_the_page_or_the_csv(client, register):
    html = ""
    params = {}
    while True:  # every page, as the browser would load them
        response = client.get(reverse(REGISTER), params)
        html += response.content.decode()
        token = response.context["page"].next_token
        if token is None:
            break
        params = {"after": token}
    text, _rows = _csv(client)
    assert register["hidden"].pk in {a.pk for a in awards_public()}
    for secret in SECRETS:
        assert secret not in html, secret
        assert secret not in text, secret
    # Every cash amount (a letter of gratitude has none: 0 would match any digit).
    for amount in set(awards_public().filter(amount__gt=0).values_list("amount", flat=True)):
        for printed in (str(amount), f"{amount:,}", f"{amount:,}".replace(",", "\xa0")):
            assert printed not in html, printed
            assert printed not in text, printed


def test_filter_by_region(client, register, andijan_mahalla):
    andijan = andijan_mahalla.parent.parent
    items, _rows = _all_pages(client, {"region": andijan.pk})
    assert [award.pk for award in items] == [register["andijan"].pk]
    tashkent = Territory.objects.get(code="1726")
    items, _rows = _all_pages(client, {"region": tashkent.pk})
    expected = awards_public().filter(mahalla__path__startswith=tashkent.path)
    assert {award.pk for award in items} == set(expected.values_list("pk", flat=True))
    assert register["andijan"].pk not in {award.pk for award in items}
    _text, rows = _csv(client, {"region": andijan.pk})
    assert [row["Name"] for row in rows] == ["Andijonlik Ochiq"]
    assert rows[0]["Region"] == "Andijan Region"


def test_the_region_choices_are_the_fourteen_first_level_units(client):
    field = client.get(reverse(REGISTER)).context["filterset"].form.fields["region"]
    assert field.queryset.count() == 14
    assert set(field.queryset.values_list("kind", flat=True)) == {"region"}


def test_filter_by_year_and_month(client, register):
    items, _rows = _all_pages(client, {"year": LAST_YEAR})
    assert [award.pk for award in items] == [register["last_year"].pk]
    items, _rows = _all_pages(client, {"year": TODAY.year})
    assert register["last_year"].pk not in {award.pk for award in items}
    assert register["named"].pk in {award.pk for award in items}
    items, _rows = _all_pages(client, {"year": LAST_YEAR, "month": 6})
    assert [award.pk for award in items] == [register["last_year"].pk]
    assert _all_pages(client, {"year": LAST_YEAR, "month": 7})[0] == []
    _text, rows = _csv(client, {"year": LAST_YEAR})
    assert rows == [
        {
            "Name": "Otgan Yilgi",
            "Ground": "Active participation in prevention",
            "Type of incentive": "Cash bonus",
            "Month": f"{LAST_YEAR}-06",
            "Region": "Tashkent City",
        }
    ]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"year": "abc"}, "Enter a number."),
        ({"year": "1900"}, "greater than or equal to 2000"),
        ({"month": "13"}, "less than or equal to 12"),
        ({"region": "999999"}, "Select a valid choice."),
        ({"region": "abc"}, "Select a valid choice."),
        ({"ground": "999999"}, "Select a valid choice."),
        ({"incentive_type": "x"}, "Select a valid choice."),
    ],
)
def test_bad_filters_are_400_with_the_error(client, params, error):
    response = client.get(reverse(REGISTER), params)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert response.context["rows"] == []
    csv_response = client.get(reverse(REGISTER_CSV), params)
    assert csv_response.status_code == 400
    assert error in csv_response.content.decode()


def test_a_district_is_not_a_region(client, mahalla):
    district = mahalla.parent
    assert client.get(reverse(REGISTER), {"region": district.pk}).status_code == 400


def test_a_malformed_page_token_is_400(client):
    assert client.get(reverse(REGISTER), {"after": "2026-13-01.5"}).status_code == 400


def test_show_more_returns_the_next_rows_only(client, register, monkeypatch):
    # given: pages of two
    monkeypatch.setattr(public, "PAGE_SIZE", 2)
    expected = list(awards_public().order_by("-decision_date", "-id").values_list("pk", flat=True))
    assert len(expected) > 4
    first = client.get(reverse(REGISTER))
    token = first.context["page"].next_token
    assert [a.pk for a in first.context["page"].items] == expected[:2]
    assert f"after={token}" in first.content.decode()
    # when
    more = client.get(reverse(REGISTER), {"after": token}, HTTP_HX_REQUEST="true")
    # then
    assert more.status_code == 200
    content = more.content.decode()
    assert "<html" not in content and "<thead" not in content
    assert content.count('data-testid="register-row"') == 2
    assert [a.pk for a in more.context["page"].items] == expected[2:4]
    assert 'id="more-row"' in content
    # and following every page lists each award once, in order
    items, _rows = _all_pages(client)
    assert [a.pk for a in items] == expected


def test_the_register_looks_the_same_signed_in(client, demo_user, register):
    anonymous = [a.pk for a in client.get(reverse(REGISTER)).context["page"].items]
    client.force_login(demo_user("commission"))
    response = client.get(reverse(REGISTER))
    assert [a.pk for a in response.context["page"].items] == anonymous
    assert SECRET_NAME not in response.content.decode()


# A visitor without a session: the region, ground and type choices and the page of rows;
# one more to look up each chosen region, ground or type.
REGISTER_QUERIES = 4


def test_register_query_count_does_not_grow_with_the_rows(
    client, django_assert_num_queries, award, andijan_mahalla
):
    tashkent = Territory.objects.get(code="1726")
    with django_assert_num_queries(REGISTER_QUERIES + 1):
        small = client.get(reverse(REGISTER), {"region": tashkent.pk})
    organisations = Organisation.objects.order_by("pk")[:10]
    for number, organisation in enumerate(organisations):
        award("paid" if number % 2 else "approved", organisation=organisation)
        award(consent=number % 2 == 0)
    with django_assert_num_queries(REGISTER_QUERIES + 1):
        large = client.get(reverse(REGISTER), {"region": tashkent.pk})
    assert len(small.context["rows"]) < len(large.context["rows"])
    with django_assert_num_queries(REGISTER_QUERIES):
        client.get(reverse(REGISTER))


def test_the_republic_commission_decided_the_andijan_award(register):
    # The set-up above relies on it: no commission works in Andijan below the republic.
    republic = Commission.objects.get(level=Level.REPUBLIC)
    assert register["andijan"].commission == republic
