"""A backup made with bin/backup restores with bin/restore into a fresh database and an empty
media folder, with the same rows and the same files (docs/operations.md)."""

import hashlib
import io
import os
import subprocess
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
import segno
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models

from accountability.models import PublicReport
from incentives.models import Nomination
from incentives.services import nomination_evidence_add
from partnership.models import JointActivity, Organisation
from prevention.models import PreventionRecord

BIN = Path(settings.BASE_DIR) / "bin"
KEY_MODELS = [PreventionRecord, Organisation, JointActivity, Nomination, PublicReport]
quote_name = connection.ops.quote_name


def database_url(name: str) -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgresql://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"


def source_url() -> str:
    return database_url(connection.settings_dict["NAME"])


def server_connection():
    """A connection to the server's maintenance database, for CREATE and DROP DATABASE."""
    db = connection.settings_dict
    server = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )
    server.autocommit = True
    return server


@pytest.fixture
def fresh_database():
    # Named after the run's own database, so that parallel runs on one server never meet.
    name = f"{connection.settings_dict['NAME'].removeprefix('test_')}_restore_{os.getpid()}"
    server = server_connection()
    with server.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote_name(name)} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quote_name(name)}")
    try:
        yield name
    finally:
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote_name(name)} WITH (FORCE)")
        server.close()


def run(script: str, folder: Path, *, url: str, media: Path) -> subprocess.CompletedProcess:
    """bin/backup or bin/restore, as docs/operations.md runs them."""
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_DIR": str(media)}
    return subprocess.run(  # noqa: S603 - the portal's own script, on paths of this test
        [str(BIN / script), str(folder)], env=env, capture_output=True, text=True, check=False
    )


def run_ok(script: str, folder: Path, *, url: str, media: Path) -> None:
    result = run(script, folder, url=url, media=media)
    assert result.returncode == 0, result.stdout + result.stderr


def table_names(cursor) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    return [row[0] for row in cursor.fetchall()]


# The queries below put table and column names into SQL: names from the catalogue or the
# models, quoted; nothing comes from outside the test.


def row_counts(cursor) -> dict[str, int]:
    """The rows of every table, in one query."""
    tables = table_names(cursor)
    selects = [f"SELECT %s, count(*) FROM {quote_name(table)}" for table in tables]  # noqa: S608
    cursor.execute(" UNION ALL ".join(selects), tables)
    return dict(cursor.fetchall())


def table_checksum(cursor, table: str) -> str:
    """The MD5 of every row of the table, as text, in primary-key order."""
    rows = "string_agg(t::text, E'\\n' ORDER BY t.id)"
    cursor.execute(f"SELECT md5(coalesce({rows}, '')) FROM {quote_name(table)} t")  # noqa: S608
    return cursor.fetchone()[0]


def stored_file_names(cursor) -> list[str]:
    """Every file name that a FileField of the portal's models holds, in one query."""
    columns = [
        (quote_name(model._meta.db_table), quote_name(field.column))
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    selects = [f"SELECT {col} FROM {table} WHERE {col} <> ''" for table, col in columns]  # noqa: S608
    cursor.execute(" UNION ALL ".join(selects) + " ORDER BY 1")
    return [row[0] for row in cursor.fetchall()]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def qr_png(text: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    segno.make(text).save(buffer, kind="png", scale=4)
    return SimpleUploadedFile(f"{text}.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_the_same_records(
    demo_data, fresh_database, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Uploaded evidence, so that the backup has files named by rows.
    nomination = Nomination.objects.filter(state=Nomination.State.SUBMITTED).first()
    assert nomination is not None, "the demo set has a nomination under review"
    evidence = nomination_evidence_add(
        nomination=nomination,
        by=nomination.nominated_by,
        files=[qr_png("evidence-1"), qr_png("evidence-2")],
    )
    backup = tmp_path / "backup"
    restored_media = tmp_path / "restored-media"

    run_ok("backup", backup, url=source_url(), media=settings.MEDIA_ROOT)
    assert {path.name for path in backup.iterdir()} == {
        "database.dump",
        "media.tar.gz",
        "SHA256SUMS",
    }
    run_ok("restore", backup, url=database_url(fresh_database), media=restored_media)

    restored = psycopg2.connect(database_url(fresh_database))
    try:
        with connection.cursor() as source, restored.cursor() as copy:
            counts = row_counts(source)
            assert row_counts(copy) == counts
            for model in KEY_MODELS:
                table = model._meta.db_table
                assert counts[table] == model.objects.count()
                assert table_checksum(copy, table) == table_checksum(source, table), table
            # The demo set fills the key tables (reports are made by the monthly task only).
            assert all(counts[model._meta.db_table] for model in KEY_MODELS[:4])
            names = stored_file_names(copy)
            assert names == stored_file_names(source)
    finally:
        restored.close()

    assert {item.file.name for item in evidence} <= set(names)
    for name in names:
        copied = restored_media / name
        assert copied.is_file(), name
        assert digest(copied) == digest(Path(settings.MEDIA_ROOT) / name), name


# The two refusals back up the demo set loaded once for the session (committed, so pg_dump
# sees it) and need no transactional test of their own.


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    backup = tmp_path / "backup"
    run_ok("backup", backup, url=source_url(), media=tmp_path / "media")
    result = run("restore", backup, url=source_url(), media=tmp_path / "restored-media")
    assert result.returncode == 1
    assert "restore into a fresh one" in result.stderr


@pytest.mark.django_db
def test_restore_refuses_a_damaged_backup(fresh_database, tmp_path):
    backup = tmp_path / "backup"
    run_ok("backup", backup, url=source_url(), media=tmp_path / "media")
    with (backup / "database.dump").open("ab") as dump:
        dump.write(b"\0")
    result = run("restore", backup, url=database_url(fresh_database), media=tmp_path / "copy")
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
    restored = psycopg2.connect(database_url(fresh_database))
    try:
        with restored.cursor() as cursor:
            assert table_names(cursor) == []
    finally:
        restored.close()
