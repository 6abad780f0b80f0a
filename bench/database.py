"""Creates, drops or analyses the PostgreSQL database named by DATABASE_URL, for the Makefile's
bench-data and bench-smoke (no PostgreSQL client tools needed).

    python -m bench.database create|drop|analyze
"""

import os
import sys
from urllib.parse import unquote, urlsplit

import psycopg2
from psycopg2 import sql


def _connect(url: str, *, database: str | None = None):
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "psql", "pgsql"}:
        sys.exit(f"DATABASE_URL must name a PostgreSQL database, not {parts.scheme}://")
    connection = psycopg2.connect(
        dbname=database or unquote(parts.path.lstrip("/")),
        user=unquote(parts.username or "") or None,
        password=unquote(parts.password or "") or None,
        host=parts.hostname,
        port=parts.port,
    )
    # CREATE and DROP DATABASE cannot run inside a transaction.
    connection.autocommit = True
    return connection


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] not in {"create", "drop", "analyze"}:
        sys.exit(__doc__)
    action = sys.argv[1]
    url = os.environ.get("DATABASE_URL", "")
    name = unquote(urlsplit(url).path.lstrip("/"))
    if not name:
        sys.exit("Set DATABASE_URL to the database to work on.")
    connection = _connect(url, database=None if action == "analyze" else "postgres")
    try:
        with connection.cursor() as cursor:
            if action == "analyze":
                # Statistics for the planner, as autovacuum would gather them after a load.
                cursor.execute("ANALYZE")
                print(f"Analysed {name}.")
                return
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
            if action == "create" and not exists:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"Created {name}.")
            elif action == "create":
                print(f"{name} exists.")
            elif exists:
                # FORCE: a connection left by a killed run must not keep the database.
                cursor.execute(
                    sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
                )
                print(f"Dropped {name}.")
    finally:
        connection.close()


if __name__ == "__main__":
    main()
