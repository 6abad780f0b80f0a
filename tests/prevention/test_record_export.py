"""The streamed CSV export of prevention records: the list's scope and filters, in chunks."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from tests.prevention.factories import PreventionRecordFactory

pytestmark = pytest.mark.django_db
URL = "prevention:record-export"


def _rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_export_holds_the_filtered_records_of_the_scope_only(
    client, demo_user, inspector_a, mahalla_a, inspector_b, mahalla_b
):
    inside = PreventionRecordFactory.create_batch(
        3, inspector=inspector_a, mahalla=mahalla_a, date=date(2026, 10, 5), summary="=HYPERLINK()"
    )
    PreventionRecordFactory(inspector=inspector_a, mahalla=mahalla_a, date=date(2026, 6, 1))
    PreventionRecordFactory(inspector=inspector_b, mahalla=mahalla_b, date=date(2026, 10, 5))
    client.force_login(demo_user("officer.district"))
    response = client.get(
        reverse(URL),
        {"district": mahalla_a.parent_id, "date_from": "2026-10-01", "date_to": "2026-10-31"},
    )
    assert response.status_code == 200
    header, *rows = _rows(response)
    assert len(header) == 8
    numbers = {int(row[-1]) for row in rows}
    assert {record.pk for record in inside} <= numbers
    assert all(row[0].startswith("2026-10") for row in rows)
    assert all(row[2] == mahalla_a.name_uz for row in rows if int(row[-1]) in numbers)
    # Text a spreadsheet would run as a formula is written as text.
    assert {row[6] for row in rows if int(row[-1]) in {r.pk for r in inside}} == {"'=HYPERLINK()"}


def test_the_other_regions_records_are_not_exported(client, demo_user, inspector_b, mahalla_b):
    PreventionRecordFactory(inspector=inspector_b, mahalla=mahalla_b)
    client.force_login(demo_user("officer.district"))
    _header, *rows = _rows(client.get(reverse(URL), {"mahalla": mahalla_b.pk}))
    assert rows == []  # the scope applies before the filters: nothing of another region


def test_a_bad_filter_is_a_400_and_outsiders_get_a_404(client, demo_user):
    client.force_login(demo_user("officer.district"))
    assert client.get(reverse(URL), {"date_from": "soon"}).status_code == 400
    client.force_login(demo_user("ngo.staff"))
    assert client.get(reverse(URL)).status_code == 404
    client.logout()
    assert client.get(reverse(URL)).status_code == 302  # to the sign-in page


def test_the_export_reads_in_chunks_whatever_its_size(
    client, demo_user, inspector_a, mahalla_a, django_assert_max_num_queries
):
    PreventionRecordFactory.create_batch(40, inspector=inspector_a, mahalla=mahalla_a)
    client.force_login(demo_user("officer.district"))
    with django_assert_max_num_queries(8):
        rows = _rows(client.get(reverse(URL)))
    assert len(rows) > 40
