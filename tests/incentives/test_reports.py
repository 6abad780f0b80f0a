"""The fund use report and its exports: the figures equal a direct computation from the rows
for a year, a quarter and a month; scope by role; a fixed number of queries; CSV and XLSX hold
the page's rows; bad filters are a 400."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from incentives.models import (
    Commission,
    Fund,
    IncentiveGround,
    Level,
    Nomination,
    SocialProtectionCase,
)
from incentives.services import (
    nomination_approve,
    nomination_pay,
    nomination_reject,
    nomination_reverse,
    nomination_submit,
    social_case_decide,
    social_case_open,
    social_case_pay,
)
from incentives.views.reports import period_bounds
from mahalla.models import Territory

pytestmark = pytest.mark.django_db

REPORT = "incentives:fund-report"
# Last year: every day of it lies between the events and today, as the services require.
YEAR = timezone.localdate().year - 1
BUDGET = 50_000_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def mahalla(demo_user) -> Territory:
    return demo_user("inspector").memberships.get(role="inspector").territory


@pytest.fixture
def nominate(demo_user, mahalla):
    """A citizen's nomination for an event early in YEAR, proposing `amount`."""
    inspector = demo_user("inspector")

    def make(number: int, amount: int) -> Nomination:
        return nomination_submit(
            by=inspector,
            kind=Nomination.Kind.CITIZEN,
            full_name=f"Hisobot Shaxs {number}",
            document_number=f"RP{number:07d}",
            ground=IncentiveGround.objects.get(code="prevention"),
            facts="Faol ishtirok.",
            event_date=date(YEAR, 1, 5),
            mahalla=mahalla,
            proposed_amount=amount,
        )

    return make


@pytest.fixture
def decide(cash):
    def approve(nomination, by, amount: int, day: date) -> Nomination:
        return nomination_approve(
            nomination=nomination,
            by=by,
            incentive_type=cash,
            amount=amount,
            decision_number=f"R-{nomination.pk}",
            decision_date=day,
        )

    return approve


@pytest.fixture
def past_fund(district_commission) -> Fund:
    return Fund.objects.create(commission=district_commission, year=YEAR, budget=BUDGET)


@pytest.fixture
def history(past_fund, nominate, decide, demo_user, mahalla):
    """A year of the district fund, made with the services:

    award 1: 1,000,000 decided 15.02, paid 20.03      award 2:   800,000 decided 10.04
    award 3:   600,000 decided 05.05, paid 01.07      award 4:   700,000 decided 20.02,
    support: 2,000,000 decided 01.03, paid 15.04               paid 25.02, then reversed
    and a refused nomination.
    """
    member = demo_user("commission")
    one = decide(nominate(1, 1_000_000), member, 1_000_000, date(YEAR, 2, 15))
    nomination_pay(nomination=one, by=member, paid_on=date(YEAR, 3, 20), reference="P-1")
    decide(nominate(2, 800_000), member, 800_000, date(YEAR, 4, 10))
    three = decide(nominate(3, 600_000), member, 600_000, date(YEAR, 5, 5))
    nomination_pay(nomination=three, by=member, paid_on=date(YEAR, 7, 1), reference="P-3")
    four = decide(nominate(4, 700_000), member, 700_000, date(YEAR, 2, 20))
    nomination_pay(nomination=four, by=member, paid_on=date(YEAR, 2, 25), reference="P-4")
    nomination_reverse(nomination=four, by=member, reason="Xato qaror.")
    nomination_reject(nomination=nominate(5, 500_000), by=member, reason="Dalil yo'q.")
    case = social_case_open(
        by=demo_user("inspector"),
        full_name="Jabrlangan Fuqaro",
        document_number="SP0000001",
        mahalla=mahalla,
        event_date=date(YEAR, 1, 5),
        harm="Jarohat oldi.",
    )
    case = social_case_decide(
        case=case,
        by=member,
        support=SocialProtectionCase.Support.ONE_OFF,
        amount=2_000_000,
        decision_number="S-1",
        decision_date=date(YEAR, 3, 1),
    )
    social_case_pay(case=case, by=member, paid_on=date(YEAR, 4, 15), reference="SP-1")
    past_fund.refresh_from_db()
    return past_fund


def _direct(fund: Fund, start: date, end: date) -> tuple[int, int]:
    """Approved and paid in [start, end], summed in Python from the fund's rows."""
    awards = list(Nomination.objects.filter(fund=fund))
    cases = list(SocialProtectionCase.objects.filter(fund=fund))
    approved = sum(
        row.amount
        for row in awards
        if row.state in ("approved", "paid") and start <= row.decision_date <= end
    ) + sum(
        row.amount
        for row in cases
        if row.state in ("decided", "paid") and start <= row.decision_date <= end
    )
    paid = sum(
        row.amount for row in awards + cases if row.state == "paid" and start <= row.paid_on <= end
    )
    return approved, paid


def _report(client, **params):
    response = client.get(reverse(REPORT), params)
    assert response.status_code == 200, response.content.decode()[:500]
    return response


def _figures(fund: Fund) -> tuple:
    return (
        fund.budget,
        fund.approved_in_period,
        fund.paid_in_period,
        fund.committed,
        fund.remaining,
    )


# (period, approved in it, paid in it); committed is for the year to date.
PERIODS = [
    ("", 4_400_000, 3_600_000),
    ("q1", 3_000_000, 1_000_000),
    ("q2", 1_400_000, 2_000_000),
    ("q3", 0, 600_000),
    ("q4", 0, 0),
    ("m2", 1_000_000, 0),
    ("m3", 2_000_000, 1_000_000),
    ("m5", 600_000, 0),
]


@pytest.mark.parametrize(("period", "approved", "paid"), PERIODS)
def test_fund_figures_equal_a_direct_computation(
    client, demo_user, history, period, approved, paid
):
    # given
    client.force_login(demo_user("commission"))
    start, end = period_bounds(YEAR, period)
    # when
    response = _report(client, year=YEAR, period=period)
    # then
    (fund,) = response.context["funds"]
    assert fund.pk == history.pk
    assert _figures(fund) == (BUDGET, approved, paid, 4_400_000, BUDGET - 4_400_000)
    assert (fund.approved_in_period, fund.paid_in_period) == _direct(history, start, end)
    assert fund.committed == history.committed
    content = response.content.decode()
    assert f"{approved:,}" in content and "45,600,000" in content


def test_period_bounds():
    assert period_bounds(2024, "") == (date(2024, 1, 1), date(2024, 12, 31))
    assert period_bounds(2024, "q1") == (date(2024, 1, 1), date(2024, 3, 31))
    assert period_bounds(2024, "q4") == (date(2024, 10, 1), date(2024, 12, 31))
    assert period_bounds(2024, "m2") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds(2025, "m2") == (date(2025, 2, 1), date(2025, 2, 28))


def test_a_reversed_award_leaves_committed_lowered(client, demo_user, past_fund, nominate, decide):
    # given: two awards paid, 1,000,000 and 700,000
    member = demo_user("commission")
    kept = decide(nominate(11, 1_000_000), member, 1_000_000, date(YEAR, 6, 1))
    reversed_ = decide(nominate(12, 700_000), member, 700_000, date(YEAR, 6, 2))
    for award in (kept, reversed_):
        nomination_pay(nomination=award, by=member, paid_on=date(YEAR, 6, 3), reference="P")
    client.force_login(member)
    (before,) = _report(client, year=YEAR).context["funds"]
    assert _figures(before) == (BUDGET, 1_700_000, 1_700_000, 1_700_000, BUDGET - 1_700_000)
    # when
    nomination_reverse(nomination=reversed_, by=member, reason="Qaytarildi.")
    # then
    (after,) = _report(client, year=YEAR).context["funds"]
    assert _figures(after) == (BUDGET, 1_000_000, 1_000_000, 1_000_000, BUDGET - 1_000_000)
    past_fund.refresh_from_db()
    assert past_fund.committed == 1_000_000


def test_the_year_defaults_to_the_current_one(client, demo_user, history):
    client.force_login(demo_user("council"))
    response = _report(client)
    this_year = timezone.localdate().year
    assert response.context["form"].cleaned_data["year"] == this_year
    funds = response.context["funds"]
    assert {fund.pk for fund in funds} == set(
        Fund.objects.filter(year=this_year).values_list("pk", flat=True)
    )
    assert len(funds) == 3


def test_a_district_commission_member_sees_only_its_commission(
    client, demo_user, district_commission
):
    client.force_login(demo_user("commission"))
    funds = _report(client).context["funds"]
    assert [fund.commission_id for fund in funds] == [district_commission.pk]


def test_council_sees_every_commission_and_officers_their_territory(
    client, demo_user, district_commission
):
    region = Commission.objects.get(level=Level.REGION, territory__code="1726")
    republic = Commission.objects.get(level=Level.REPUBLIC)
    client.force_login(demo_user("council"))
    assert [f.commission_id for f in _report(client).context["funds"]] == [
        republic.pk,
        region.pk,
        district_commission.pk,
    ]
    client.force_login(demo_user("officer.region"))
    assert [f.commission_id for f in _report(client).context["funds"]] == [
        region.pk,
        district_commission.pk,
    ]


@pytest.mark.parametrize("username", ["ngo.staff", "ngo.admin", "inspector"])
@pytest.mark.parametrize(
    "name",
    [
        REPORT,
        "incentives:fund-report-funds-csv",
        "incentives:fund-report-funds-xlsx",
        "incentives:fund-report-awards-csv",
        "incentives:fund-report-awards-xlsx",
    ],
)
def test_users_who_see_no_commission_get_404(client, demo_user, username, name):
    client.force_login(demo_user(username))
    assert client.get(reverse(name)).status_code == 404


def test_the_report_needs_sign_in(client):
    response = client.get(reverse(REPORT))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


@pytest.fixture
def region_award(nominate, decide, demo_user):
    """1,500,000 in YEAR from the Tashkent city commission: above the district's cap."""
    region = Commission.objects.get(level=Level.REGION, territory__code="1726")
    Fund.objects.create(commission=region, year=YEAR, budget=BUDGET)
    nomination = nominate(21, 1_500_000)
    assert nomination.commission == region
    return decide(nomination, demo_user("admin"), 1_500_000, date(YEAR, 5, 20))


def _award_table(response) -> list[tuple]:
    return [(r["region"], r["ground"], r["awards"], r["total"]) for r in response.context["awards"]]


def test_awards_by_ground_and_region_follow_the_scope(client, demo_user, history, region_award):
    ground = "Active participation in prevention"
    client.force_login(demo_user("commission"))
    # awards 1-3 of the district; the reversed one and the region's are not counted
    assert _award_table(_report(client, year=YEAR)) == [("Tashkent City", ground, 3, 2_400_000)]
    assert _award_table(_report(client, year=YEAR, period="q1")) == [
        ("Tashkent City", ground, 1, 1_000_000)
    ]
    assert _award_table(_report(client, year=YEAR, period="m4")) == [
        ("Tashkent City", ground, 1, 800_000)
    ]
    # council members see the aggregates of every award
    client.force_login(demo_user("council"))
    assert _award_table(_report(client, year=YEAR)) == [("Tashkent City", ground, 4, 3_900_000)]
    assert _award_table(_report(client, year=YEAR, period="m5")) == [
        ("Tashkent City", ground, 2, 2_100_000)
    ]
    assert _award_table(_report(client, year=YEAR, level="district")) == [
        ("Tashkent City", ground, 3, 2_400_000)
    ]
    content = _report(client, year=YEAR).content.decode()
    assert "Hisobot Shaxs" not in content and "RP0000001" not in content


def test_the_award_table_equals_a_direct_count(client, demo_user, history, region_award):
    client.force_login(demo_user("admin"))
    start, end = period_bounds(YEAR, "q2")
    awards = [
        row
        for row in Nomination.objects.filter(state__in=["approved", "paid"])
        if start <= row.decision_date <= end
    ]
    (row,) = _report(client, year=YEAR, period="q2").context["awards"]
    assert (row["awards"], row["total"]) == (len(awards), sum(a.amount for a in awards))
    assert (row["awards"], row["total"]) == (3, 2_900_000)


def test_only_regions_and_districts_with_commissions_are_offered(client, demo_user):
    client.force_login(demo_user("admin"))
    field = _report(client).context["form"].fields["territory"]
    assert [t.code for t in field.queryset] == ["1726", "1726266"]
    client.force_login(demo_user("commission"))
    field = _report(client).context["form"].fields["territory"]
    assert [t.code for t in field.queryset] == ["1726266"]


def test_the_territory_filter_keeps_the_subtree(client, demo_user, district_commission):
    client.force_login(demo_user("council"))
    region = Territory.objects.get(code="1726")
    funds = _report(client, territory=region.pk).context["funds"]
    assert [f.commission.territory.code for f in funds] == ["1726", "1726266"]
    funds = _report(client, territory=district_commission.territory_id).context["funds"]
    assert [f.commission_id for f in funds] == [district_commission.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "1999"},
        {"period": "q5"},
        {"period": "m13"},
        {"level": "mahalla"},
        {"territory": "999999"},
        {"territory": "abc"},
        {"mahalla": True},
    ],
)
def test_bad_filters_are_400_with_the_error(client, demo_user, mahalla, params):
    if params.pop("mahalla", None):
        params = {"territory": mahalla.pk}  # a real node, but not one that is offered
    client.force_login(demo_user("council"))
    response = client.get(reverse(REPORT), params)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert "Select a valid choice" in response.content.decode()
    for name in ("funds-csv", "funds-xlsx", "awards-csv", "awards-xlsx"):
        export = client.get(reverse(f"incentives:fund-report-{name}"), params)
        assert export.status_code == 400
        assert "Select a valid choice" in export.content.decode()


# --- Exports ---------------------------------------------------------------------------------


def _csv(client, name: str, params) -> list[list[str]]:
    response = client.get(reverse(f"incentives:fund-report-{name}-csv"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _xlsx(client, name: str, params) -> list[list]:
    response = client.get(reverse(f"incentives:fund-report-{name}-xlsx"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


FUND_HEADER = [
    "Commission",
    "Level",
    "Budget, so'm",
    "Approved in the period, so'm",
    "Paid in the period, so'm",
    "Committed, so'm",
    "Remaining, so'm",
]
AWARD_HEADER = ["Region", "Ground", "Awards", "Total, so'm"]


@pytest.mark.parametrize("period", ["", "q1", "m5"])
def test_exports_hold_the_rows_of_the_page(client, demo_user, history, region_award, period):
    # given
    client.force_login(demo_user("council"))
    params = {"year": YEAR, "period": period}
    response = _report(client, **params)
    funds = [
        [str(f.commission), f.commission.get_level_display(), *_figures(f)]
        for f in response.context["funds"]
    ]
    awards = [list(row) for row in _award_table(response)]
    assert len(funds) == 2 and len(awards) == 1
    # when
    fund_csv, fund_xlsx = _csv(client, "funds", params), _xlsx(client, "funds", params)
    award_csv, award_xlsx = _csv(client, "awards", params), _xlsx(client, "awards", params)
    # then
    assert fund_xlsx == [FUND_HEADER, *funds]
    assert fund_csv == [FUND_HEADER, *[[str(value) for value in row] for row in funds]]
    assert award_xlsx == [AWARD_HEADER, *awards]
    assert award_csv == [AWARD_HEADER, *[[str(value) for value in row] for row in awards]]
    # and the page links to them with the same filters
    query = f"year={YEAR}" + (f"&amp;period={period}" if period else "")
    content = response.content.decode()
    for name in ("funds-csv", "funds-xlsx", "awards-csv", "awards-xlsx"):
        assert f'href="{reverse(f"incentives:fund-report-{name}")}?{query}"' in content


def test_export_rows_for_the_district_member(client, demo_user, history, region_award):
    client.force_login(demo_user("commission"))
    params = {"year": YEAR, "period": "q1"}
    assert _xlsx(client, "funds", params)[1:] == [
        [
            "Yunusobod District",
            "District (city)",
            BUDGET,
            3_000_000,
            1_000_000,
            4_400_000,
            45_600_000,
        ]
    ]
    assert _csv(client, "awards", params)[1:] == [
        ["Tashkent City", "Active participation in prevention", "1", "1000000"]
    ]


def test_export_file_names_and_header_language(client, demo_user, history):
    client.force_login(demo_user("commission"))
    params = {"year": YEAR, "period": "q2"}
    response = client.get(reverse("incentives:fund-report-funds-xlsx"), params)
    assert response["Content-Disposition"] == f'attachment; filename="funds-{YEAR}-q2.xlsx"'
    response = client.get(reverse("incentives:fund-report-awards-csv"), {"year": YEAR})
    assert response["Content-Disposition"] == f'attachment; filename="awards-{YEAR}.csv"'
    response = client.get(
        reverse("incentives:fund-report-funds-csv"), params, HTTP_ACCEPT_LANGUAGE="ru"
    )
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    with translation.override("ru"):
        assert header.split(",")[0] == translation.gettext("Commission")


# --- Query count -----------------------------------------------------------------------------

# The session and the user; the memberships; whether any commission is visible; the fund
# years offered; the fund rows (figures as subqueries); the award table; the navbar's unread
# notifications; the territories offered.
REPORT_QUERIES = 9


def test_report_query_count_does_not_grow_with_the_commissions(
    client, demo_user, django_assert_num_queries, history, nominate, decide
):
    # given: one commission with a fund in YEAR
    client.force_login(demo_user("admin"))
    with django_assert_num_queries(REPORT_QUERIES):
        one = client.get(reverse(REPORT), {"year": YEAR})
    assert len(one.context["funds"]) == 1
    # when: three, with awards in two of them
    for commission in Commission.objects.exclude(level=Level.DISTRICT):
        Fund.objects.create(commission=commission, year=YEAR, budget=BUDGET)
    region_award = nominate(31, 1_500_000)
    decide(region_award, demo_user("admin"), 1_500_000, date(YEAR, 9, 1))
    # then
    with django_assert_num_queries(REPORT_QUERIES):
        three = client.get(reverse(REPORT), {"year": YEAR})
    assert len(three.context["funds"]) == 3
    assert [f.approved_in_period for f in three.context["funds"]] == [0, 1_500_000, 4_400_000]
