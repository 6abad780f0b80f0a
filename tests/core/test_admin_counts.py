"""The admin's lists of the large tables never run COUNT(*) over them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import admin as core_admin

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "table"),
    [
        ("admin:prevention_preventionrecord_changelist", "prevention_preventionrecord"),
        ("admin:partnership_jointactivity_changelist", "partnership_jointactivity"),
    ],
)
def test_the_list_counts_at_most_the_cap(client, demo_user, monkeypatch, url, table):
    monkeypatch.setattr(core_admin, "COUNT_CAP", 1)  # the tiny set stands for millions
    client.force_login(demo_user("admin"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(url))
    assert response.status_code == 200
    on_table = [q["sql"] for q in queries.captured_queries if f'"{table}"' in q["sql"]]
    assert on_table
    assert not any("COUNT(" in sql.upper() for sql in on_table), on_table
    assert not any("DATE_TRUNC" in sql.upper() for sql in on_table)
    assert any("LIMIT 2" in sql for sql in on_table)  # the capped count
