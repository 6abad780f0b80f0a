"""The demo generator's bulk loading (core.bulk) and the generated nominations, on PostgreSQL."""

import random
from datetime import date

import pytest
from django.db import IntegrityError, connection
from django.db.models import Sum

from core.bulk import RowWriter, indexes_deferred
from core.demo import DemoContext
from incentives.demo import GENERATED_FACTS, nominations_generate
from incentives.models import Fund, Nomination
from mahalla.models import Territory
from prevention.models import Inspector, PreventionRecord

pytestmark = pytest.mark.django_db

COLUMNS = ["kind", "measure", "mahalla_id", "date", "inspector_id", "summary", "people_reached"]


def _place():
    inspector = Inspector.objects.select_related("user").first()
    mahalla = inspector.user.memberships.get(role="inspector").territory
    return mahalla, inspector


def test_rows_are_copied_with_defaults_and_escaped_text():
    mahalla, inspector = _place()
    before = PreventionRecord.objects.count()
    hostile = "tab\there\nnew line \\ backslash \\N"
    with RowWriter(PreventionRecord, COLUMNS, batch_size=2) as writer:
        for number in range(5):
            writer.add("general", "other", mahalla.pk, date(2026, 3, 1), inspector.pk, hostile, 7)
            assert writer.written == number + 1 - (number + 1) % 2  # written every 2 rows
    assert writer.written == 5
    rows = PreventionRecord.objects.order_by("-id")[:5]
    assert PreventionRecord.objects.count() == before + 5
    for row in rows:
        assert row.summary == hostile  # the text round-trips exactly, not as NULL or escapes
        assert row.people_reached == 7
        assert row.partner_organisation_id is None  # a nullable column left out is NULL
        assert row.created_at is not None and row.updated_at is not None


def test_an_unknown_column_is_refused_before_anything_is_written():
    with pytest.raises(ValueError, match="no columns"):
        RowWriter(PreventionRecord, ["kind", "colour"])


def test_nothing_is_written_when_the_block_fails():
    mahalla, inspector = _place()
    before = PreventionRecord.objects.count()
    with pytest.raises(RuntimeError), RowWriter(PreventionRecord, COLUMNS) as writer:
        writer.add("general", "other", mahalla.pk, date(2026, 3, 1), inspector.pk, "x", 1)
        raise RuntimeError
    assert PreventionRecord.objects.count() == before


def _indexes_and_keys(table: str) -> tuple[set, set]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass",
            [table],
        )
        constraints = set(cursor.fetchall())
    return indexes, constraints


def test_indexes_and_foreign_keys_are_made_again_as_they_were():
    table = PreventionRecord._meta.db_table
    indexes, constraints = _indexes_and_keys(table)
    mahalla, inspector = _place()
    with indexes_deferred(PreventionRecord):
        inside, inside_constraints = _indexes_and_keys(table)
        assert len(inside) == 1  # only the primary key's
        assert not any(" FOREIGN KEY " in definition for _name, definition in inside_constraints)
        with RowWriter(PreventionRecord, COLUMNS) as writer:
            writer.add("general", "other", mahalla.pk, date(2026, 3, 1), inspector.pk, "x", 1)
    assert _indexes_and_keys(table) == (indexes, constraints)
    assert any("record_mahalla_date" in definition for definition in indexes)


def test_a_row_breaking_a_foreign_key_fails_when_the_keys_are_made_again():
    mahalla, inspector = _place()
    missing = Inspector.objects.order_by("-pk").first().pk + 1000
    with (
        pytest.raises(IntegrityError, match="foreign key"),
        indexes_deferred(PreventionRecord),
        RowWriter(PreventionRecord, COLUMNS) as writer,
    ):
        writer.add("general", "other", mahalla.pk, date(2026, 3, 1), missing, "x", 1)


def _generate(member) -> int:
    ctx = DemoContext(scale="small", rng=random.Random(15))
    return nominations_generate(ctx, today=date(2026, 12, 1), member=member)


def test_generated_nominations_fill_the_funds_they_are_paid_from(demo_user):
    made = _generate(demo_user("commission"))
    assert made == Territory.objects.filter(kind=Territory.Kind.MAHALLA).count()  # 1 each
    generated = Nomination.objects.filter(facts=GENERATED_FACTS)
    assert generated.count() == made
    assert generated.filter(state__in=["approved", "paid"]).exists()
    for fund in Fund.objects.filter(awards__facts=GENERATED_FACTS).distinct():
        awarded = fund.awards.filter(state__in=["approved", "paid"]).aggregate(t=Sum("amount"))
        assert fund.committed == (awarded["t"] or 0)
        assert fund.committed <= fund.budget
    # Each at its mahalla's district commission; an award from that commission's fund of the
    # decision's year.
    for nomination in generated.select_related("commission", "mahalla", "fund"):
        assert nomination.commission.territory_id == nomination.mahalla.parent_id
        if nomination.state in ("approved", "paid"):
            assert nomination.fund.year == nomination.decision_date.year
            assert nomination.fund.commission_id == nomination.commission_id


def test_the_same_seed_generates_the_same_nominations(demo_user):
    member = demo_user("commission")
    generated = Nomination.objects.filter(facts=GENERATED_FACTS).order_by("pk")
    columns = ("kind", "full_name", "event_date", "state", "amount", "mahalla_id", "ground_id")
    _generate(member)
    first = list(generated.values_list(*columns))
    generated.delete()
    _generate(member)
    assert list(generated.values_list(*columns)) == first
