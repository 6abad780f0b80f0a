"""Roll-ups: every value equals a direct count over the domain tables, at every level of the
tree and for months, quarters and years; a re-run changes nothing; a new indicator of the
same form needs no code."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accountability.measures import MEASURES, measure_values
from accountability.models import Indicator, PeriodKind, RollUp
from accountability.periods import Period
from accountability.services import indicator_value, rollup_refresh
from accountability.tasks import rollup_refresh_task, rollups_refresh_current_task
from mahalla.models import Territory
from partnership.models import InformationRequest, JointActivity
from prevention.models import PreventionRecord

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _value(code: str, territory: Territory, period: Period) -> RollUp | None:
    return RollUp.objects.filter(
        indicator__code=code,
        territory=territory,
        period_kind=period.kind,
        period_start=period.start,
    ).first()


@pytest.fixture
def district():
    return Territory.objects.get(code="1726266")


@pytest.fixture
def places(district):
    """A mahalla, its district, its region and the country."""
    mahalla = Territory.objects.filter(parent=district).order_by("path").first()
    return [mahalla, district, district.parent, district.parent.parent]


@pytest.mark.parametrize("kind", PeriodKind.values)
def test_records_per_10k_equal_a_direct_count_at_every_level(places, kind):
    period = Period.containing(kind, TODAY)
    rollup_refresh(period=period)
    for node in places:
        expected = PreventionRecord.objects.filter(
            kind="individual",
            date__gte=period.start,
            date__lte=period.end,
            mahalla__path__startswith=node.path,
        ).count()
        row = _value("records_individual_per_10k", node, period)
        assert (row.numerator if row else 0) == expected, node
        if row is not None:
            assert row.denominator == node.population
            assert row.value == (Decimal(expected) / Decimal(node.population) * 10_000).quantize(
                Decimal("0.0001")
            )


def test_only_confirmed_activities_count_and_district_level_ones_stop_at_the_district(
    places,
):
    mahalla, district, region, country = places
    period = Period.containing(PeriodKind.YEAR, TODAY)
    rollup_refresh(period=period)
    confirmed = JointActivity.objects.filter(
        status=JointActivity.Status.CONFIRMED, date__gte=period.start, date__lte=period.end
    )
    for node in places:
        expected = confirmed.filter(place__path__startswith=node.path).count()
        row = _value("joint_events_per_10k", node, period)
        assert (row.numerator if row else 0) == expected
    everything = JointActivity.objects.filter(date__gte=period.start, date__lte=period.end)
    assert everything.count() > confirmed.count(), "the demo has unconfirmed activities too"
    # Coverage counts mahallas (not activities) with at least one confirmed activity.
    covered = (
        confirmed.filter(place__kind="mahalla", place__path__startswith=district.path)
        .values("place")
        .distinct()
        .count()
    )
    row = _value("mahalla_coverage", district, period)
    assert row.numerator == covered
    assert row.denominator == Territory.objects.filter(kind="mahalla", parent=district).count()


def test_the_average_answer_time_in_days():
    # given: two requests answered this month, after 2 and 4 days
    period = Period.containing(PeriodKind.MONTH, TODAY)
    requests = list(InformationRequest.objects.select_related("unit__territory")[:2])
    assert len(requests) == 2
    now = timezone.now()
    for request, days in zip(requests, (2, 4), strict=True):
        InformationRequest.objects.filter(pk=request.pk).update(
            created_at=now - timedelta(days=days), answered_at=now, answer="ok", state="answered"
        )
    # when
    rollup_refresh(period=period)
    # then: at each request's unit and at the country, total days over answers
    country = Territory.objects.get(kind="country")
    for node in [country, *(request.unit.territory for request in requests)]:
        answered = InformationRequest.objects.filter(
            unit__territory__path__startswith=node.path,
            answered_at__date__gte=period.start,
            answered_at__date__lte=period.end,
        )
        days = sum((r.answered_at - r.created_at).total_seconds() for r in answered) / 86400
        row = _value("appeal_response_days", node, period)
        assert row.denominator == answered.count()
        assert abs(float(row.numerator) - days) < 0.001
        assert abs(float(row.value) - days / answered.count()) < 0.001


def test_a_rerun_replaces_and_never_duplicates(places):
    period = Period.containing(PeriodKind.QUARTER, TODAY)
    rollup_refresh(period=period)
    first = list(
        RollUp.objects.filter(period_kind=period.kind, period_start=period.start)
        .order_by("indicator", "territory")
        .values_list("indicator", "territory", "numerator", "denominator", "value")
    )
    rollup_refresh(period=period)
    again = list(
        RollUp.objects.filter(period_kind=period.kind, period_start=period.start)
        .order_by("indicator", "territory")
        .values_list("indicator", "territory", "numerator", "denominator", "value")
    )
    assert first == again
    assert len(first) > 100


def test_a_new_indicator_of_the_same_form_needs_no_code(places):
    mahalla, district, region, country = places
    indicator = Indicator(
        code="meetings_per_10k",
        name_uz="Uchrashuvlar",
        name_uz_cyrl="Учрашувлар",
        name_ru="Встречи",
        name_en="Meetings",
        numerator="meetings_held",
        denominator="population",
        factor=10_000,
        unit="per10k",
    )
    indicator.full_clean()
    indicator.save()
    period = Period.containing(PeriodKind.YEAR, TODAY)
    rollup_refresh(period=period)
    row = _value("meetings_per_10k", country, period)
    assert row is not None
    assert row.denominator == country.population


def test_an_indicator_over_an_unknown_measure_is_refused():
    indicator = Indicator(
        code="broken", name_uz="x", name_uz_cyrl="x", name_ru="x", name_en="x", numerator="nope"
    )
    with pytest.raises(ValidationError, match="There is no measure"):
        indicator.full_clean()


def test_every_measure_computes(places):
    period = Period.containing(PeriodKind.YEAR, TODAY)
    for measure in MEASURES.values():
        values = measure_values(measure, period)
        assert all(isinstance(value, Decimal) for value in values.values()), measure.code


def test_values_without_a_denominator_and_with_a_zero_one():
    counted = Indicator(numerator="awards", denominator="", factor=1)
    assert indicator_value(counted, Decimal(3), None) == Decimal(3)
    ratio = Indicator(numerator="awards", denominator="population", factor=100)
    assert indicator_value(ratio, Decimal(3), Decimal(0)) is None
    assert indicator_value(ratio, Decimal(1), Decimal(4)) == Decimal(25)


def test_periods():
    quarter = Period.containing(PeriodKind.QUARTER, date(2026, 11, 15))
    assert (quarter.start, quarter.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter.previous == Period(PeriodKind.QUARTER, date(2026, 7, 1))
    assert quarter.shift(-4).start == date(2025, 10, 1)
    assert Period.parse("month", "2024-02").end == date(2024, 2, 29)
    assert Period.containing(PeriodKind.YEAR, date(2026, 5, 5)).slug == "2026"
    with pytest.raises(ValueError):
        Period.parse("week", "2026-01")


def test_the_tasks_and_the_nightly_schedule():
    rows = rollup_refresh_task("month", TODAY.replace(day=1).isoformat())
    assert (
        rows
        == RollUp.objects.filter(period_kind="month", period_start=TODAY.replace(day=1)).count()
    )
    refreshed = rollups_refresh_current_task()
    assert len(refreshed) == 4
    entry = settings.CELERY_BEAT_SCHEDULE["rollups-refresh-current"]
    assert entry["task"] == "accountability.tasks.rollups_refresh_current_task"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({1}, {30})
