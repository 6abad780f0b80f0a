"""The Advisory Council's dashboard: its figures are the roll-up rows; the change from the
previous period and the ranking follow each indicator's direction; drill-down links; the map's
regions all match a territory; it is public, with figures not yet approved withheld outside the
MIA (tests/accountability/test_approved_figures.py follows them through every table); bad
parameters are a 400; each CSV holds its table's rows; small counts from personal records are
"<5" outside the MIA; a fixed number of queries that read roll-ups, approvals, indicators and
territories only."""

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accountability.models import ApprovedPeriod, Indicator, PeriodKind, RollUp
from accountability.periods import Period
from accountability.views.dashboard import REGIONS_GEOJSON, region_feature_keys
from mahalla.models import Territory
from tests.mahalla.factories import MahallaFactory

pytestmark = pytest.mark.django_db

PAGE = "accountability:dashboard"
CSV = "accountability:dashboard-csv"
REGION = "1726"  # Toshkent shahri
DISTRICT = "1726266"  # Yunusobod tumani: the demo officer's district, one demo mahalla
OTHER_DISTRICT = "1726264"  # Bektemir tumani
# A quarter before any demo data: rows written here are the only ones in it.
QUARTER = Period(PeriodKind.QUARTER, date(2019, 4, 1))


class _Tables(HTMLParser):
    """The rows of the page's tables by data-testid: each row's cell texts and links."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[dict]] = {}
        self._table = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("data-testid", ""), [])
        elif tag == "tr" and self._table is not None:
            self._row = {"cells": [], "links": [], **attrs}
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "a" and self._row is not None:
            self._row["links"].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row["cells"] and self._row.get("data-testid"):
                self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(response) -> dict[str, list[dict]]:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def plain(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def as_user(client, demo_user):
    def sign_in(username: str):
        client.force_login(demo_user(username))
        return client

    return sign_in


@pytest.fixture
def council(as_user):
    return as_user("council")


@pytest.fixture
def officer(as_user):
    """A republic-level MIA officer: sees exact small counts."""
    return as_user("officer.republic")


def get(client, name=PAGE, **params):
    with translation.override("en"):
        return client.get(reverse(name), params)


def current_quarter() -> Period:
    return Period.containing(PeriodKind.QUARTER, timezone.localdate())


def node(code: str) -> Territory:
    return Territory.objects.get(code=code)


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def write(
    item: Indicator,
    territory: Territory,
    period: Period,
    numerator,
    denominator=None,
    *,
    approved: bool = True,
):
    """A roll-up row as the refresh would write it, with the node's period marked approved
    (unless `approved` is false), so that everyone sees it."""
    value = Decimal(numerator) * item.factor
    if denominator is not None:
        value = Decimal(numerator) / Decimal(denominator) * item.factor
    if approved:
        ApprovedPeriod.objects.get_or_create(
            territory=territory,
            period_kind=period.kind,
            period_start=period.start,
            defaults={"approved_at": timezone.now()},
        )
    return RollUp.objects.create(
        indicator=item,
        territory=territory,
        period_kind=period.kind,
        period_start=period.start,
        numerator=Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
        value=value.quantize(Decimal("0.0001")),
        computed_at=timezone.now(),
    )


# --- Figures -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["17", REGION, DISTRICT])
def test_page_shows_the_rollup_rows_of_the_node(officer, code):
    # given
    territory = node(code)
    period = current_quarter()
    rows = {
        r.indicator_id: r
        for r in RollUp.objects.filter(
            territory=territory, period_kind=period.kind, period_start=period.start
        )
    }
    assert rows, "the demo set has roll-ups for the current quarter"
    # when
    response = get(officer, node=code, kind="quarter", period=f"{period.start:%Y-%m}")
    # then
    assert response.status_code == 200
    board = response.context["board"]
    assert board.node == territory and board.period == period
    for row in board.rows:
        rollup = rows.get(row.indicator.pk)
        expected = (None, None, None)
        if rollup is not None:
            expected = (rollup.value, rollup.numerator, rollup.denominator)
        assert (row.figure.value, row.figure.numerator, row.figure.denominator) == expected
    shown = {row["data-indicator"]: row["cells"] for row in tables(response)["indicators"]}
    assert set(shown) == {row.indicator.code for row in board.rows}
    with translation.override("en"):
        for row in board.rows:
            assert shown[row.indicator.code][1].startswith(row.figure.value_text)
            assert shown[row.indicator.code][4] == row.figure.numerator_text


def test_defaults_are_the_country_the_current_quarter_and_the_first_indicator(council):
    response = get(council)

    board = response.context["board"]
    assert board.node.kind == Territory.Kind.COUNTRY
    assert board.period == current_quarter()
    assert board.indicator == Indicator.objects.filter(is_active=True).order_by("order").first()


def test_default_period_is_the_latest_with_rollups(council):
    # given: the current quarter has no figures yet
    current = current_quarter()
    RollUp.objects.filter(period_kind=current.kind, period_start=current.start).delete()
    # when
    response = get(council)
    # then
    assert response.context["board"].period == current.previous


def test_change_from_the_previous_period_is_judged_by_the_direction(officer):
    # given: more agreements is better, longer answers are worse
    country = node("17")
    agreements = indicator("mahalla_coverage")
    answers = indicator("appeal_response_days")
    write(agreements, country, QUARTER.previous, 10, 100)
    write(agreements, country, QUARTER, 15, 100)
    write(answers, country, QUARTER.previous, 40, 10)
    write(answers, country, QUARTER, 60, 10)
    # when
    response = get(officer, node="17", kind="quarter", period="2019-05")
    # then
    rows = {row.indicator.code: row for row in response.context["board"].rows}
    assert rows["mahalla_coverage"].change.delta == Decimal(5)
    assert rows["mahalla_coverage"].change.verdict == "better"
    assert rows["appeal_response_days"].change.delta == Decimal(2)
    assert rows["appeal_response_days"].change.verdict == "worse"
    assert rows["proposal_uptake"].change is None
    shown = {row["data-indicator"]: row["cells"] for row in tables(response)["indicators"]}
    assert shown["mahalla_coverage"][2] == "10"
    assert shown["mahalla_coverage"][3].startswith("▲ +5")
    assert shown["appeal_response_days"][3].startswith("▲ +2")
    content = response.content.decode()
    assert re.search(r'class="text-nowrap text-danger" data-verdict="worse"', content)
    assert re.search(r'class="text-nowrap text-success" data-verdict="better"', content)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # Higher is better: the highest first; equal values share a rank, by name (Mirobod,
        # Yangihayot).
        ("mahalla_coverage", ["1726280", "1726273", "1726292", "1726290"]),
        # Lower is better: the lowest first.
        ("appeal_response_days", ["1726290", "1726273", "1726292", "1726280"]),
    ],
)
def test_ranking_follows_the_direction(officer, code, expected):
    # given: four districts with figures, the other eight without
    item = indicator(code)
    figures = {"1726280": 40, "1726292": 30, "1726273": 30, "1726290": 10}
    for district, numerator in figures.items():
        write(item, node(district), QUARTER, numerator, 100)
    # when
    response = get(officer, node=REGION, kind="quarter", period="2019-04", indicator=code)
    # then
    children = response.context["board"].children
    assert [row.territory.code for row in children[:4]] == expected
    assert [row.rank for row in children[:4]] == [1, 2, 2, 4]
    assert all(row.rank is None for row in children[4:])
    assert len(children) == Territory.objects.filter(parent__code=REGION).count()
    shown = tables(response)["ranking"]
    assert [row["data-code"] for row in shown] == [row.territory.code for row in children]
    assert [row["cells"][0] for row in shown[:4]] == ["1", "2", "2", "4"]


# --- Drill-down ---------------------------------------------------------------------------------


def _query(href: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(href).query).items()}


def test_drill_down_links_keep_the_choice(council):
    choice = {"kind": "month", "period": "2026-11", "indicator": "joint_events_per_10k"}
    country = get(council, **choice)
    regions = tables(country)["ranking"]
    assert len(regions) == 14
    (tashkent,) = [row for row in regions if row["data-code"] == REGION]
    assert _query(tashkent["links"][0]) == {"node": REGION, **choice}

    region = get(council, **_query(tashkent["links"][0]))
    assert [a.name for a in region.context["board"].ancestors] == [node("17").name]
    (yunusobod,) = [row for row in tables(region)["ranking"] if row["data-code"] == DISTRICT]
    assert _query(yunusobod["links"][0]) == {"node": DISTRICT, **choice}

    district = get(council, **_query(yunusobod["links"][0]))
    crumbs = district.context["board"].crumbs
    assert [territory.code for territory, _url in crumbs] == ["17", REGION]
    assert [_query(url) for _territory, url in crumbs] == [
        {"node": "17", **choice},
        {"node": REGION, **choice},
    ]
    content = district.content.decode()
    assert 'aria-current="page">Yunusobod District</li>' in content
    (mahalla,) = tables(district)["ranking"]
    assert _query(mahalla["links"][0])["node"] == "1726266M0001"

    leaf = get(council, node="1726266M0001", **choice)
    assert leaf.status_code == 200
    assert [t.code for t, _url in leaf.context["board"].crumbs] == ["17", REGION, DISTRICT]
    assert "ranking" not in tables(leaf)


def test_indicator_links_choose_the_indicator(council):
    response = get(council, node=DISTRICT)
    rows = tables(response)["indicators"]
    link = _query(rows[3]["links"][0])
    assert link["node"] == DISTRICT
    assert link["indicator"] == rows[3]["data-indicator"]


# --- The map ------------------------------------------------------------------------------------


def test_every_map_region_matches_a_first_level_unit():
    geojson = json.loads((Path(settings.BASE_DIR) / "static" / REGIONS_GEOJSON).read_text())
    assert {f["geometry"]["type"] for f in geojson["features"]} <= {"Polygon", "MultiPolygon"}
    regions = Territory.objects.filter(kind=Territory.Kind.REGION)
    assert region_feature_keys() == {region.iso_code for region in regions}
    assert len(region_feature_keys()) == 14


def test_country_page_maps_the_14_regions(council, approve):
    # given the current quarter approved, so that the council sees its figures
    approve(current_quarter())
    # when
    response = get(council, indicator="mahalla_coverage")
    # then

    data = response.context["map_data"]
    assert len(data["regions"]) == 14
    by_code = {row.territory.code: row for row in response.context["board"].children}
    for iso, region in data["regions"].items():
        row = by_code[region["code"]]
        assert row.territory.iso_code == iso
        assert region["value"] == (float(row.figure.value) if row.figure.has_value else None)
        assert _query(region["url"])["node"] == region["code"]
    assert any(region["value"] is not None for region in data["regions"].values())
    content = response.content.decode()
    assert 'id="dashboard-map-data"' in content
    assert "OpenStreetMap contributors" in content and "ODbL" in content
    assert "<script>" not in content.replace('<script src="', "")


def test_no_map_below_the_country(council):
    response = get(council, node=REGION)
    assert response.context["map_data"] is None
    assert 'id="dashboard-map"' not in response.content.decode()


def test_trend_covers_eight_quarters(officer):
    item = indicator("mahalla_coverage")
    country = node("17")
    write(item, country, QUARTER, 7, 10)
    write(item, country, QUARTER.shift(-7), 1, 10)
    write(item, country, QUARTER.shift(-8), 9, 10)  # outside the window

    response = get(officer, kind="quarter", period="2019-04", indicator="mahalla_coverage")

    trend = response.context["board"].trend
    assert [row.period for row in trend] == [QUARTER.shift(step) for step in range(-7, 1)]
    assert [row.figure.value for row in trend] == [Decimal(10)] + [None] * 6 + [Decimal(70)]
    data = response.context["trend_data"]
    assert data["values"] == [10.0, None, None, None, None, None, None, 70.0]
    assert len(tables(response)["trend"]) == 8


# --- Access -------------------------------------------------------------------------------------

# Every reader, and how a figure not yet approved reaches them: the MIA's users and the
# administrators see it marked provisional, everyone else (signed in or not) not at all.
READERS = {
    None: "withheld",
    "council": "withheld",
    "commission": "withheld",
    "ngo.staff": "withheld",
    "ngo.admin": "withheld",
    "inspector": "provisional",
    "officer.district": "provisional",
    "officer.region": "provisional",
    "officer.republic": "provisional",
    "admin": "provisional",
}


@pytest.mark.parametrize("username", list(READERS))
def test_the_dashboard_is_public_and_withholds_unapproved_figures_outside_the_mia(
    client, demo_user, username
):
    # given the current quarter, whose current month no district has submitted yet
    period = current_quarter()
    params = {"node": DISTRICT, "kind": "quarter", "period": f"{period.start:%Y-%m}"}
    assert not ApprovedPeriod.objects.filter(
        territory__code=DISTRICT, period_kind=period.kind, period_start=period.start
    ).exists()
    if username is not None:
        client.force_login(demo_user(username))
    # when
    page = get(client, **params)
    export = get(client, CSV, table="indicators", **params)
    # then both are there for everyone
    assert page.status_code == export.status_code == 200
    rows = page.context["board"].rows
    content = page.content.decode()
    shown = {row["data-indicator"]: row["cells"] for row in tables(page)["indicators"]}
    _header, *lines = read_csv(export)
    if READERS[username] == "withheld":
        # ... without a figure of the quarter, in the page or the CSV
        assert all(row.figure.withheld and row.figure.value is None for row in rows)
        assert 'data-testid="withheld-note"' in content
        assert 'data-testid="provisional-note"' not in content
        assert all(cells[1].startswith("…") and cells[4] == "…" for cells in shown.values())
        assert {(line[3], line[6], line[7], line[8]) for line in lines} == {
            ("", "", "", "not yet approved")
        }
    else:
        # ... or with every figure, each marked provisional
        assert all(row.figure.provisional and not row.figure.withheld for row in rows)
        assert any(row.figure.value is not None for row in rows)
        assert 'data-testid="provisional-note"' in content
        assert 'data-testid="withheld-note"' not in content
        assert all("(provisional)" in cells[1] for cells in shown.values())
        assert {line[8] for line in lines} == {"provisional"}
        assert [line[3] for line in lines] == [plain(row.figure.value) for row in rows]


@pytest.mark.parametrize("username", [username for username in READERS if username])
def test_the_menu_offers_the_dashboard_to_every_role(as_user, username):
    content = as_user(username).get(reverse("accounts:home")).content.decode()
    assert f'href="{reverse(PAGE)}"' in content


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "week"},
        {"period": "2026-13"},
        {"period": "2026"},
        {"period": "abc"},
        {"period": "0000-01"},
        {"period": "9999-01"},
        {"indicator": "no_such_indicator"},
        {"node": "x" * 30},
    ],
)
def test_bad_parameters_are_a_400(council, params):
    page = get(council, **params)
    assert page.status_code == 400
    assert "The dashboard cannot show this choice." in page.content.decode()
    export = get(council, CSV, table="indicators", **params)
    assert export.status_code == 400
    assert export.content.decode()


def test_bad_table_is_a_400(council):
    response = get(council, CSV, table="everything")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_unknown_node_is_a_404(council):
    assert get(council, node="1799999").status_code == 404
    assert get(council, CSV, node="1799999", table="trend").status_code == 404


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_holds_the_indicators_table(officer):
    params = {"node": REGION, "kind": "quarter", "period": f"{current_quarter().start:%Y-%m}"}
    board = get(officer, **params).context["board"]

    response = get(officer, CSV, table="indicators", **params)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:4] == ["Code", "Indicator", "Unit", "Value"]
    assert header[-1] == "Status"
    assert [row[0] for row in rows] == [row.indicator.code for row in board.rows]
    for line, row in zip(rows, board.rows, strict=True):
        change = row.change.delta if row.change else None
        assert line[3:] == [
            plain(row.figure.value),
            plain(row.previous.value),
            plain(change),
            plain(row.figure.numerator),
            plain(row.figure.denominator),
            # The current quarter is not approved yet: the officer sees its working figures.
            "provisional",
        ]


def test_csv_holds_the_ranking_and_the_trend(officer):
    params = {"node": REGION, "indicator": "mahalla_coverage"}
    page = get(officer, **params)
    board = page.context["board"]
    rollups = {
        r.territory.code: r
        for r in RollUp.objects.filter(
            indicator__code="mahalla_coverage",
            period_kind=board.period.kind,
            period_start=board.period.start,
            territory__parent__code=REGION,
        ).select_related("territory")
    }

    header, *rows = read_csv(get(officer, CSV, table="children", **params))

    assert header == ["Rank", "Code", "Territory", "Value", "Numerator", "Denominator", "Status"]
    assert [row[1] for row in rows] == [row["data-code"] for row in tables(page)["ranking"]]
    for _rank, code, _name, value, numerator, denominator, status in rows:
        assert status == "provisional"  # the current quarter, not approved yet
        rollup = rollups.get(code)
        if rollup is None:
            assert (value, numerator, denominator) == ("", "", "")
        else:
            assert (value, numerator, denominator) == (
                plain(rollup.value),
                plain(rollup.numerator),
                plain(rollup.denominator),
            )

    header, *rows = read_csv(get(officer, CSV, table="trend", **params))
    assert header == ["Period", "Value", "Numerator", "Denominator", "Status"]
    assert [row[0] for row in rows] == [row["cells"][0] for row in tables(page)["trend"]]
    assert [row[1] for row in rows] == [plain(row.figure.value) for row in board.trend]
    # The demo's accepted months hold two quarters at least; the current one is provisional.
    statuses = [row[4] for row in rows]
    assert statuses == [
        "provisional" if row.figure.provisional else "approved" for row in board.trend
    ]
    assert set(statuses) == {"approved", "provisional"} and statuses[-1] == "provisional"


def test_csv_negative_change_is_a_number(officer):
    item = indicator("mahalla_coverage")
    write(item, node("17"), QUARTER.previous, 50, 100)
    write(item, node("17"), QUARTER, 25, 100)

    _header, *rows = read_csv(get(officer, CSV, table="indicators", period="2019-04"))

    (line,) = [row for row in rows if row[0] == "mahalla_coverage"]
    assert line[3:6] == ["25", "50", "-25"]


# --- Small counts -------------------------------------------------------------------------------


@pytest.fixture
def small_count():
    """Three awards in a district in QUARTER, 8 the quarter before: a count of people."""
    item = indicator("incentives_per_100k")
    assert item.from_personal_records
    district = node(DISTRICT)
    write(item, district, QUARTER.previous, 8, 191304)
    write(item, district, QUARTER, 3, 191304)
    write(item, node(REGION), QUARTER, 3, 3164030)
    return item


def test_council_sees_small_counts_as_under_five(council, small_count):
    params = {"node": DISTRICT, "period": "2019-04", "indicator": small_count.code}
    response = get(council, **params)

    (row,) = [r for r in response.context["board"].rows if r.indicator == small_count]
    assert row.figure.suppressed and row.figure.value is None and row.figure.numerator is None
    assert row.change is None  # it would give the count away
    shown = {r["data-indicator"]: r["cells"] for r in tables(response)["indicators"]}
    assert shown[small_count.code][1] == "<5"
    assert shown[small_count.code][3] == "—"
    assert shown[small_count.code][4] == "<5"
    trend = tables(response)["trend"]
    assert trend[-1]["cells"][1:3] == ["<5", "<5"]
    assert response.context["trend_data"]["values"][-1] is None

    _header, *rows = read_csv(get(council, CSV, table="indicators", **params))
    (line,) = [line for line in rows if line[0] == "incentives_per_100k"]
    assert line[3] == "<5" and line[6] == "<5" and line[5] == ""

    params = {"node": REGION, "period": "2019-04", "indicator": small_count.code}
    ranking = get(council, **params)
    (yunusobod,) = [r for r in ranking.context["board"].children if r.territory.code == DISTRICT]
    assert yunusobod.figure.suppressed and yunusobod.rank is None
    _header, *rows = read_csv(get(council, CSV, table="children", **params))
    (line,) = [line for line in rows if line[1] == DISTRICT]
    assert line[3:5] == ["<5", "<5"]


@pytest.fixture
def small_denominator():
    """No exits from the register in a district, out of 3 people on it."""
    item = indicator("register_exits_ngo")
    assert item.from_personal_records
    write(item, node(DISTRICT), QUARTER, 0, 3)
    return {"node": DISTRICT, "period": "2019-04"}


def test_a_small_denominator_of_people_is_hidden_from_the_council(council, small_denominator):
    shown = {
        r["data-indicator"]: r["cells"]
        for r in tables(get(council, **small_denominator))["indicators"]
    }
    assert shown["register_exits_ngo"][4:6] == ["0", "<5"]
    _header, *rows = read_csv(get(council, CSV, table="indicators", **small_denominator))
    (line,) = [line for line in rows if line[0] == "register_exits_ngo"]
    assert line[6:8] == ["0", "<5"]


def test_the_mia_sees_a_small_denominator(officer, small_denominator):
    shown = {
        r["data-indicator"]: r["cells"]
        for r in tables(get(officer, **small_denominator))["indicators"]
    }
    assert shown["register_exits_ngo"][4:6] == ["0", "3"]


def test_mia_sees_exact_small_counts(officer, small_count):
    response = get(officer, node=DISTRICT, period="2019-04", indicator=small_count.code)

    (row,) = [r for r in response.context["board"].rows if r.indicator == small_count]
    assert not row.figure.suppressed
    assert row.figure.numerator == 3
    assert row.change.delta == row.figure.value - row.previous.value


# --- Queries ------------------------------------------------------------------------------------

# What a dashboard page may read: the request's session, user, memberships and notification
# count, and then roll-ups, the approved periods, indicators and the territory tree (with its
# mahallas' placements and boundary changes over time) only.
READS = {
    "django_session",
    "accounts_user",
    "accounts_membership",
    "accounts_notification",
    "accountability_indicator",
    "accountability_rollup",
    "accountability_approvedperiod",
    "mahalla_territory",
    "mahalla_mahallaplacement",
    "mahalla_boundarychange",
    "mahalla_boundarychangepart",
}


@pytest.fixture
def crowded_district():
    """The district with 40 more mahallas and every indicator's figures for each of them and
    for itself over 24 quarters: many more roll-up rows than any other district."""
    district = node(DISTRICT)
    mahallas = MahallaFactory.create_batch(40, parent=district)
    indicators = list(Indicator.objects.all())
    now = timezone.now()
    rows = [
        RollUp(
            indicator=item,
            territory=territory,
            period_kind=PeriodKind.QUARTER,
            period_start=QUARTER.shift(-steps).start,
            numerator=steps + 1,
            denominator=100,
            value=steps + 1,
            computed_at=now,
        )
        for territory in [district, *mahallas]
        for item in indicators
        for steps in range(24)
    ]
    RollUp.objects.bulk_create(rows)
    return district


def _queries(client, **params) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert get(client, **params).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


# The session, the user, the memberships, the unread notifications; then the indicators, the
# node, (its ancestors,) its periods, its children (as the tree was at the period's end),
# which of their periods are approved (one query for the node and its children), its roll-ups
# for the period and the one before, its children's roll-ups, its trend and the boundary
# changes under it over the trend (their parts are a second query only when there are any).
COUNTRY_QUERIES = 13
DISTRICT_QUERIES = 14


def test_query_count_is_fixed(council, crowded_district, django_assert_num_queries):
    params = {"kind": "quarter", "period": "2019-04"}
    with django_assert_num_queries(COUNTRY_QUERIES):
        get(council, **params)
    with django_assert_num_queries(DISTRICT_QUERIES):
        get(council, node=OTHER_DISTRICT, **params)
    with django_assert_num_queries(DISTRICT_QUERIES):
        response = get(council, node=DISTRICT, **params)
    assert len(response.context["board"].children) == 41


def test_pages_read_no_domain_table(council, crowded_district):
    for params in ({}, {"node": REGION}, {"node": DISTRICT, "period": "2019-04"}):
        for sql in _queries(council, **params):
            tables_read = re.findall(r'(?:FROM|JOIN) "(\w+)"', sql)
            if tables_read[0] == "accounts_membership":
                continue  # the request's memberships, loaded with their places
            assert set(tables_read) <= READS, sql
