"""Copying a whole database: SQLite file -> PostgreSQL server -> SQLite file gives back every row
of every table; the copy is all or nothing and only into an empty, migrated database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from mappa_desktop.db.base import Base
from mappa_desktop.db.engine import make_engine
from mappa_desktop.db.schema import migrate
from mappa_desktop.demo.generate import generate_demo
from mappa_desktop.domain.errors import SchemaError, StateError, StorageError, ValidationError
from mappa_desktop.services import copy as copying


def _fresh(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    return engine


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*pk))]
    return out


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('copy') / 'source.sqlite3'}"
    engine = _fresh(url)
    generate_demo(engine, cases=40, seed=7)
    engine.dispose()
    return url


@pytest.mark.pg
def test_copy_sqlite_to_postgresql_and_back_keeps_every_row(
    demo_file: str, new_pg_database: str, tmp_path: Path
) -> None:
    server = _fresh(new_pg_database)
    back_url = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    back = _fresh(back_url)
    source = make_engine(demo_file)
    try:
        there = copying.copy_database(demo_file, new_pg_database)
        again = copying.copy_database(new_pg_database, back_url)
        expected = _snapshot(source)
        assert there.rows == again.rows == {name: len(rows) for name, rows in expected.items()}
        assert there.rows["minutes"] > 0 and there.rows["audit_event"] > 0
        assert _snapshot(server) == expected
        assert _snapshot(back) == expected
        # New rows on the server get fresh ids after the copied ones (sequences moved on).
        with server.begin() as conn:
            new_id = conn.scalar(
                sa.text(
                    "INSERT INTO agency (name, short_name, kind, active, version) "
                    "VALUES ('New agency', 'NEW', 'other', true, 1) RETURNING id"
                )
            )
        assert new_id == max(r[0] for r in expected["agency"]) + 1
        assert "password" not in there.target
    finally:
        for engine in (server, back, source):
            engine.dispose()


def test_copy_refuses_a_target_that_is_not_empty_and_changes_nothing(
    demo_file: str, tmp_path: Path
) -> None:
    target_url = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    target = _fresh(target_url)
    try:
        copying.copy_database(demo_file, target_url)
        before = _snapshot(target)
        with pytest.raises(StateError, match="not empty"):
            copying.copy_database(demo_file, target_url)
        assert _snapshot(target) == before
    finally:
        target.dispose()


def test_copy_refuses_same_database_unmigrated_target_and_bad_url(
    demo_file: str, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="same database"):
        copying.copy_database(demo_file, demo_file)
    bare = tmp_path / "bare.sqlite3"
    with pytest.raises(SchemaError, match="migrate"):
        copying.copy_database(demo_file, f"sqlite:///{bare}")
    with pytest.raises(StorageError, match="Unsupported database 'mysql'"):
        copying.copy_database(demo_file, "mysql://nobody@nowhere/x")


def test_copy_command_reports_rows_and_refuses_with_one_line(
    demo_file: str, tmp_path: Path
) -> None:
    target_url = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    _fresh(target_url).dispose()
    env = {k: v for k, v in os.environ.items() if k not in ("MAPPA_DATABASE_URL", "MAPPA_USER")}
    env["MAPPA_HOME"] = str(tmp_path)
    command = [sys.executable, "-m", "mappa_desktop", "copy", "--from", demo_file, "--to"]
    done = subprocess.run(
        [*command, target_url], capture_output=True, env=env, timeout=120, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "every table's row count matches" in done.stdout
    done = subprocess.run(
        [*command, target_url], capture_output=True, env=env, timeout=120, text=True
    )
    assert done.returncode == 1 and done.stderr.startswith("error: ") and "not empty" in done.stderr
