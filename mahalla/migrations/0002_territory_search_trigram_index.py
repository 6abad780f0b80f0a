"""A trigram index for the name search (`search_text LIKE '%…%'`) on PostgreSQL.

SQLite, the embedded default, has no such index type; there the search scans, which is fine
at its scale. Reversible: the reverse drops the index (the extension stays, others may use it).
"""

from django.db import migrations

INDEX = "territory_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON mahalla_territory "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("mahalla", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
