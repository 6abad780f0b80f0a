"""What a benchmark run measures on the database at hand: the paths of the pages (reversed from
their URL names, so a renamed page fails here rather than measuring a 404), the nodes and the
record the URLs name, the size of the data and the PostgreSQL version. Prints one JSON object.

Run by bench/run.py in its own process, so the measuring process holds no database connection.
    python -m bench.probe
"""

import argparse
import json
import os
from datetime import date, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from core.management.commands.seed_demo import REPORTED_MODELS  # noqa: E402
from mahalla.models import Territory  # noqa: E402
from prevention.models import PreventionRecord  # noqa: E402

# The demo's district (Yunusobod, Tashkent city), where the demo users work.
DEMO_DISTRICT = "1726266"
# The large tables, whose sizes say what data a run measured (estimates, never COUNT(*)):
# those the seed reports, and the published reports.
TABLES = [*REPORTED_MODELS, "accountability.PublicReport"]
PATHS = {
    "ping": "ping",
    "login": "accounts:login",
    "dashboard": "accountability:dashboard",
    "records": "prevention:record-list",
    "activities": "partnership:activity-list",
    "registry": "partnership:public-registry",
    "records_api": "api:record-list",
    "activities_api": "api:activity-list",
    "registry_api": "api:registry-list",
    "admin_records": "admin:prevention_preventionrecord_changelist",
}


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _export_path() -> str | None:
    """The prevention app's export of records, if it has one: a URL named for an export or a
    CSV of records that takes no argument (a district's records are chosen by the filters)."""
    from prevention.urls import urlpatterns

    for pattern in urlpatterns:
        name = pattern.name or ""
        wanted = "record" in name and ("export" in name or "csv" in name)
        if wanted and not pattern.pattern.converters:
            return reverse(f"prevention:{name}")
    return None


def _row_estimates() -> dict[str, int]:
    """PostgreSQL's estimate of each large table's rows; -1 for a table never analysed."""
    tables = {apps.get_model(label)._meta.db_table: label for label in TABLES}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s) "
            "AND relkind IN ('r', 'p')",
            [list(tables)],
        )
        found = dict(cursor.fetchall())
    return {label: found.get(table, -1) for table, label in tables.items()}


def _analyse_unknown(rows: dict[str, int]) -> list[str]:
    """ANALYZE the large tables PostgreSQL has no statistics for (autovacuum off, or a load
    just finished): without them the planner guesses, and the figures would measure a plan
    no running portal gets. Statistics only; no row changes."""
    labels = [label for label, estimate in rows.items() if estimate < 0]
    with connection.cursor() as cursor:
        for label in labels:
            cursor.execute(f'ANALYZE "{apps.get_model(label)._meta.db_table}"')
    return labels


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--analyze", action="store_true", help="ANALYZE tables never analysed")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("The benchmarks measure PostgreSQL: set DATABASE_URL.")
    district = Territory.objects.filter(kind=Territory.Kind.DISTRICT, code=DEMO_DISTRICT).first()
    if district is None:
        district = (
            Territory.objects.filter(kind=Territory.Kind.DISTRICT)
            .order_by("-mahalla_count")
            .first()
        )
    if district is None:
        raise SystemExit("No territories: run manage.py load_territories and seed_demo.")
    region = district.parent
    mahalla = (
        Territory.objects.filter(kind=Territory.Kind.MAHALLA, parent=district, posts__isnull=False)
        .order_by("path")
        .first()
    ) or Territory.objects.filter(kind=Territory.Kind.MAHALLA, parent=district).order_by(
        "path"
    ).first()
    record_id = (
        PreventionRecord.objects.filter(mahalla__parent=district)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    today = timezone.localdate()
    this_month = _month_start(today)
    last_month = _shift_months(this_month, -1)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
    rows = _row_estimates()
    analysed = _analyse_unknown(rows) if args.analyze else []
    if analysed:
        rows = _row_estimates()
    probe = {
        "database": connection.settings_dict["NAME"],
        "postgres": server_version,
        "autovacuum": autovacuum,
        "rows": rows,
        "analysed": analysed,
        "paths": {key: reverse(name) for key, name in PATHS.items()},
        "export": _export_path(),
        "district": {"id": district.pk, "code": district.code, "name": district.name},
        "region": {"id": region.pk, "code": region.code, "name": region.name} if region else None,
        "mahalla": {"code": mahalla.code, "name": mahalla.name} if mahalla else None,
        "mahalla_path": reverse("prevention:mahalla-public", args=[mahalla.code])
        if mahalla
        else None,
        "record_api_path": reverse("api:record-detail", args=[record_id]) if record_id else None,
        "record_kind": PreventionRecord.Kind.GENERAL.value,
        # The three whole months before this one, and the last whole month.
        "range": [
            _shift_months(this_month, -3).isoformat(),
            (this_month - timedelta(1)).isoformat(),
        ],
        "month": [last_month.isoformat(), (this_month - timedelta(1)).isoformat()],
    }
    print(json.dumps(probe, ensure_ascii=False))


if __name__ == "__main__":
    main()
