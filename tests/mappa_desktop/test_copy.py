"""Copying a whole database: SQLite file -> PostgreSQL server -> SQLite file gives back every row
of every table; the copy is all or nothing and only into an empty, migrated database."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from mappa_desktop.db.base import Base
from mappa_desktop.db.engine import make_engine
from mappa_desktop.db.schema import migrate
from mappa_desktop.demo.generate import generate_demo
from mappa_desktop.domain.errors import SchemaError, StateError, ValidationError
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


def test_copy_refuses_same_database_missing_source_and_bad_url(
    demo_file: str, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="same database"):
        copying.copy_database(demo_file, demo_file)
    missing = tmp_path / "missing.sqlite3"
    with pytest.raises(ValidationError) as exc:
        copying.copy_database(f"sqlite:///{missing}", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert "There is no file" in exc.value.errors["source"]
    assert not missing.exists()  # not created by looking for it
    with pytest.raises(ValidationError) as exc:
        copying.copy_database(demo_file, "mysql://nobody@nowhere/x")
    assert "Unsupported database 'mysql'" in exc.value.errors["target"]


def test_copy_into_a_new_sqlite_file_creates_it_with_every_row(
    demo_file: str, tmp_path: Path
) -> None:
    new_file = tmp_path / "sub" / "new.sqlite3"
    new_file.parent.mkdir()
    result = copying.copy_database(demo_file, f"sqlite:///{new_file}")
    source, target = make_engine(demo_file), make_engine(f"sqlite:///{new_file}")
    try:
        expected = _snapshot(source)
        assert result.rows == {name: len(rows) for name, rows in expected.items()}
        assert _snapshot(target) == expected
    finally:
        source.dispose()
        target.dispose()


def test_copy_refuses_an_existing_file_that_is_not_a_mappa_database(
    demo_file: str, tmp_path: Path
) -> None:
    other = tmp_path / "other.sqlite3"
    with contextlib.closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE notes (x)")
    with pytest.raises(SchemaError, match="not a mappa-desktop database"):
        copying.copy_database(demo_file, f"sqlite:///{other}")


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


def _cli_copy(home: Path, source: str, target: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MAPPA_DATABASE_URL", "MAPPA_USER")}
    env["MAPPA_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "mappa_desktop", "copy", "--from", source, "--to", target],
        capture_output=True,
        env=env,
        timeout=120,
        text=True,
    )


def test_copy_errors_name_the_source_or_the_target_never_the_local_default(
    demo_file: str, tmp_path: Path
) -> None:
    default = str(tmp_path / "data" / "mappa.sqlite3")  # MAPPA_HOME's local file

    # The target refuses a row half-way through: the target is named, and nothing is kept.
    target_url = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    target = _fresh(target_url)
    with target.begin() as conn:  # two practitioners of one agency will not fit
        conn.exec_driver_sql("CREATE UNIQUE INDEX one_per_agency ON person (agency_id)")
    before = _snapshot(target)
    done = _cli_copy(tmp_path, demo_file, target_url)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert (
        f"the target {target_url} refused it (UNIQUE constraint failed: person.agency_id)"
        in done.stderr
    )
    assert default not in done.stderr and "Traceback" not in done.stderr
    assert _snapshot(target) == before
    target.dispose()

    # The source is damaged (a table gone): it is the database named.
    broken = tmp_path / "broken.sqlite3"
    shutil.copyfile(make_url(demo_file).database or "", broken)
    with contextlib.closing(sqlite3.connect(broken)) as conn:
        conn.execute("DROP TABLE action_review")
    new_target = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    done = _cli_copy(tmp_path, f"sqlite:///{broken}", new_target)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert f"sqlite:///{broken} " in done.stderr and default not in done.stderr

    # A server that does not answer: named as the target, password hidden.
    unreachable = "postgresql+psycopg://mover:secret@127.0.0.1:1/area"
    done = _cli_copy(tmp_path, demo_file, unreachable)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "Cannot open the target postgresql+psycopg://mover:***@127.0.0.1:1/area" in done.stderr
    assert "secret" not in done.stderr and default not in done.stderr
