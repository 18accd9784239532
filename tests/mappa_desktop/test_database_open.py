"""``services.database``: the one way the window, the command line and the screenshot tool open a
database. Real SQLite files and the real PostgreSQL server; engines are watched for disposal."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, event

from mappa_desktop.db.schema import head_revision, schema_state
from mappa_desktop.domain.errors import SchemaError, StorageError
from mappa_desktop.services.database import (
    open_database,
    resolve_url,
    safe_url,
    session_factories,
)
from tests.conftest import Database as Fixture


@pytest.fixture
def disposed() -> Iterator[list[Engine]]:
    """Every engine disposed while the test runs (a refused database must be closed again)."""
    seen: list[Engine] = []

    def on_dispose(engine: Engine) -> None:
        seen.append(engine)

    event.listen(Engine, "engine_disposed", on_dispose)
    yield seen
    event.remove(Engine, "engine_disposed", on_dispose)


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}


def test_a_new_sqlite_file_is_created_at_head(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    database = open_database(f"sqlite:///{path}")
    try:
        assert path.exists() and database.is_sqlite
        assert schema_state(database.engine).current == head_revision()
        insert = "INSERT INTO app_setting (key, value, version) VALUES ('area_name', '\"Kent\"', 1)"
        with database.sessions.begin() as s:
            s.execute(sa.text(insert))
        with database.read_sessions() as s:
            found = s.execute(sa.text("SELECT value FROM app_setting WHERE key = 'area_name'"))
            assert found.scalar() == '"Kent"'  # raw SQL: the stored JSON text
    finally:
        database.engine.dispose()


def test_reads_do_not_wait_for_a_writer_on_sqlite(sqlite_db: Fixture) -> None:
    """The write factory takes SQLite's write lock at BEGIN (IMMEDIATE); the read factory does
    not, so a screen can load while another user action is writing."""
    writes, reads = session_factories(sqlite_db.engine)
    other = open_database(sqlite_db.url)
    try:
        with writes.begin() as writer:
            writer.execute(sa.text("UPDATE agency SET name = name || ' (renamed)' WHERE id = 1"))
            with other.read_sessions() as reader:  # a second connection, while the lock is held
                name = reader.execute(sa.text("SELECT name FROM agency WHERE id = 1")).scalar()
            assert name is not None and not name.endswith("(renamed)")
        with reads() as reader:
            after = reader.execute(sa.text("SELECT name FROM agency WHERE id = 1")).scalar()
        assert after == f"{name} (renamed)"
    finally:
        other.engine.dispose()


def test_an_existing_database_at_head_opens_on_both_engines(db: Fixture) -> None:
    database = open_database(db.url)
    try:
        assert database.is_sqlite is (db.kind == "sqlite")
        with database.read_sessions() as s:
            assert s.execute(sa.text("SELECT count(*) FROM agency")).scalar()
    finally:
        database.engine.dispose()


def test_tables_without_a_revision_are_refused_untouched_and_closed(
    tmp_path: Path, disposed: list[Engine]
) -> None:
    path = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE keep_me (x INTEGER)")
    with pytest.raises(SchemaError, match="not a mappa-desktop database"):
        open_database(f"sqlite:///{path}")
    assert [str(e.url) for e in disposed] == [f"sqlite:///{path}"]
    assert _tables(path) == {"keep_me"}


def test_a_database_from_a_newer_build_is_refused_and_closed(
    sqlite_db: Fixture, disposed: list[Engine]
) -> None:
    with sqlite_db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    with pytest.raises(SchemaError, match="ffff_from_the_future"):
        open_database(sqlite_db.url)
    assert [str(e.url) for e in disposed] == [sqlite_db.url]


@pytest.mark.pg
def test_postgres_without_schema_names_migrate_unless_the_check_is_off(
    new_pg_database: str, disposed: list[Engine]
) -> None:
    with pytest.raises(SchemaError, match="mappa-desktop migrate"):
        open_database(new_pg_database)
    assert len(disposed) == 1
    database = open_database(new_pg_database, check=False)  # what `migrate` and `restore` use
    try:
        assert not database.is_sqlite
        assert schema_state(database.engine).current is None  # nothing was created
    finally:
        database.engine.dispose()


def test_an_unusable_url_is_a_storage_error_without_the_password() -> None:
    with pytest.raises(StorageError) as err:
        open_database("nosuchdb://mappa:s3cret@db.example/panel")
    message = str(err.value)
    assert "is not a usable database URL" in message and "db.example/panel" in message
    assert "s3cret" not in message and "\n" not in message


def test_safe_url_masks_the_password_and_keeps_unparsable_text() -> None:
    url = "postgresql+psycopg://mappa:s3cret@db.example:5432/panel"
    assert safe_url(url) == "postgresql+psycopg://mappa:***@db.example:5432/panel"
    assert safe_url("not a url") == "not a url"
    database = open_database(url, check=False)  # the engine connects only when first used
    try:
        assert database.safe_url == safe_url(url) and not database.is_sqlite
    finally:
        database.engine.dispose()


def test_resolve_url_reads_the_environment_and_refuses_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAPPA_DATABASE_URL", "postgresql://mappa@db.example/panel")
    assert resolve_url(None) == "postgresql+psycopg://mappa@db.example/panel"
    with pytest.raises(StorageError, match="Unsupported database 'mysql'"):
        resolve_url("mysql://x@y/z")
