"""``backup`` and ``restore`` of the local file, run through the real command line (``cli.main``):
a backup taken while a second process keeps writing holds exactly one committed state of the
database, and restoring it gives that state back; a file that is not a mappa-desktop database
of a revision this version knows is refused with nothing changed."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mappa_desktop import cli
from mappa_desktop.db.base import Base
from mappa_desktop.db.engine import make_engine
from mappa_desktop.db.schema import head_revision, migrate
from mappa_desktop.domain.enums import Role
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_cases import new_case
from tests.polling import wait_until

WAIT_S = 60.0

Table = dict[str, tuple[int, str]]  # table -> (rows, SHA-256 of its rows in primary-key order)


def _rows(path: Path, name: str, limit: int | None = None) -> list[tuple[Any, ...]]:
    table = Base.metadata.tables[name]
    pk = [c.name for c in table.primary_key.columns]
    where = f" WHERE {pk[0]} <= {int(limit)}" if limit is not None else ""
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        return conn.execute(f"SELECT * FROM {name}{where} ORDER BY {', '.join(pk)}").fetchall()


def fingerprint(path: Path, limits: dict[str, int | None] | None = None) -> Table:
    """Row count and content checksum of every table (only rows up to ``limits[table]``)."""
    out: Table = {}
    for table in Base.metadata.sorted_tables:
        rows = _rows(path, table.name, (limits or {}).get(table.name))
        out[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _path(db: Database) -> Path:
    return Path(str(db.engine.url.database))


@pytest.fixture
def area(sqlite_db: Database) -> Database:
    admin = make_user(sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR])
    for n in range(3):
        new_case(sqlite_db, admin, family_name=f"Nowak{n}")
    sqlite_db.engine.dispose()
    return sqlite_db


def test_backup_while_another_process_writes_restores_to_the_committed_state(
    area: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = _path(area)
    stop = tmp_path / "stop"
    commits: list[dict[str, Any]] = []
    with subprocess.Popen(
        [sys.executable, "-m", "tests.mappa_desktop.backup_writer", area.url, str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as writer:
        reader = threading.Thread(
            target=lambda: commits.extend(json.loads(line) for line in writer.stdout or ()),
            daemon=True,
        )
        reader.start()
        try:
            wait_until(
                lambda: len(commits) >= 20 or writer.poll() is not None, "the writer", WAIT_S
            )
            copy = tmp_path / "backup.sqlite3"
            code, out, err = run_cli(
                capsys, "backup", "-o", str(copy), "--database", area.url, "--user", "admin"
            )
            assert (code, err) == (0, ""), err
            assert f"to {copy}" in out
            after_backup = len(commits)
            wait_until(
                lambda: len(commits) >= after_backup + 10, "more commits after the backup", WAIT_S
            )
        finally:
            stop.touch()
            writer.wait(timeout=WAIT_S)
            reader.join(timeout=WAIT_S)
        problems = writer.stderr.read() if writer.stderr else ""
    assert writer.returncode == 0, problems

    # The backup holds exactly the state of one of the writer's commits, taken mid-run.
    backup_people = _rows(copy, "person")
    last_writer = max(r[0] for r in backup_people)
    taken_at = [c for c in commits if c["max_ids"]["person"] == last_writer]
    assert len(taken_at) == 1, "the backup does not end at a commit the writer made"
    state = taken_at[0]
    assert 0 < state["commit"] < commits[-1]["commit"], "the backup was not taken mid-run"
    source_then = fingerprint(live, state["max_ids"])
    backup = fingerprint(copy)
    assert backup == source_then
    source_now = fingerprint(live)
    assert source_now["person"][0] > backup["person"][0]  # the writer went on after the backup

    # Restored over the live file: the backup's content, plus the audit event of the restore.
    code, out, err = run_cli(
        capsys, "restore", str(copy), "--database", area.url, "--user", "admin"
    )
    assert (code, err) == (0, ""), err
    kept = next(live.parent.glob(f"{live.name}.replaced-*"))
    assert f"kept as {kept}" in out
    assert fingerprint(kept) == source_now  # what it replaced is kept, whole
    restored = fingerprint(live)
    top_event = max(r[0] for r in _rows(copy, "audit_event"))
    assert fingerprint(live, {"audit_event": top_event}) == backup
    assert {k: v for k, v in restored.items() if k != "audit_event"} == {
        k: v for k, v in backup.items() if k != "audit_event"
    }
    events = _rows(live, "audit_event")[len(_rows(copy, "audit_event")) :]
    columns = [c.name for c in Base.metadata.tables["audit_event"].columns]
    (event,) = [dict(zip(columns, e, strict=True)) for e in events]
    assert (event["entity"], event["action"]) == ("database", "restore")
    assert json.loads(event["changes"])["replaced_file_kept_as"] == [None, str(kept)]
    admin_id = next(r[0] for r in _rows(copy, "app_user") if r[1] == "admin")
    assert event["user_id"] == admin_id


def test_backup_is_audited_in_the_database_it_copies(
    area: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "b.sqlite3"
    code, _, err = run_cli(
        capsys, "backup", "-o", str(copy), "--database", area.url, "--user", "admin"
    )
    assert (code, err) == (0, "")
    with area.engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT u.login, e.changes FROM audit_event e JOIN app_user u ON u.id = e.user_id"
                " WHERE e.entity = 'database' AND e.action = 'backup'"
            )
        ).one()
    assert row.login == "admin"
    assert json.loads(row.changes)["file"] == [None, str(copy)]
    # A single self-contained file (not left in WAL mode), at this version's revision.
    with contextlib.closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
            head_revision()
        )
    code, _, err = run_cli(
        capsys, "backup", "-o", str(copy), "--database", area.url, "--user", "admin"
    )
    assert code == 1 and "already exists" in err and err.count("\n") == 1
    live = _path(area)
    for itself in (live, live.with_name(live.name + "-wal")):
        code, _, err = run_cli(
            capsys, "backup", "-o", str(itself), "--database", area.url, "--user", "admin"
        )
        assert code == 1 and "this is the database itself" in err, err


def _refused(capsys: pytest.CaptureFixture[str], area: Database, bad: Path, reason: str) -> None:
    live = _path(area)
    before = fingerprint(live)
    code, out, err = run_cli(capsys, "restore", str(bad), "--database", area.url)
    assert code == 1 and out == "" and err.startswith("error: ") and err.count("\n") == 1, err
    assert reason in err and "Traceback" not in err
    assert fingerprint(live) == before
    left = sorted(p.name for p in live.parent.iterdir() if p.name != bad.name)
    assert not [n for n in left if "replaced" in n or "restoring" in n], left


def test_restore_refuses_an_unknown_revision_and_changes_nothing(
    area: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = tmp_path / "newer.sqlite3"
    code, _, err = run_cli(
        capsys, "backup", "-o", str(newer), "--database", area.url, "--user", "admin"
    )
    assert code == 0, err
    with contextlib.closing(sqlite3.connect(newer)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    _refused(capsys, area, newer, "schema revision 9999, which this version of mappa-desktop")


def test_restore_refuses_what_is_not_a_mappa_database(
    area: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "notes.sqlite3"
    junk.write_bytes(b"minutes of the meeting\n" * 200)
    _refused(capsys, area, junk, "it is not a database")
    other = tmp_path / "other.sqlite3"
    with contextlib.closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
    _refused(capsys, area, other, "not a mappa-desktop database")
    _refused(capsys, area, tmp_path / "missing.sqlite3", "There is no file")


def test_restore_refuses_while_another_connection_has_the_file_open(
    area: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "b.sqlite3"
    backed_up = run_cli(
        capsys, "backup", "-o", str(copy), "--database", area.url, "--user", "admin"
    )
    assert backed_up[0] == 0, backed_up
    other = make_engine(area.url)  # another window of the app, idle after one read
    try:
        with other.connect() as conn:
            conn.execute(sa.text("SELECT count(*) FROM person")).scalar()
        _refused(capsys, area, copy, "is open in another window or program")
    finally:
        other.dispose()
    code, _, err = run_cli(capsys, "restore", str(copy), "--database", area.url)
    assert (code, err) == (0, "")


def test_restore_of_an_older_revision_upgrades_it_after_its_own_backup(
    area: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{old}")
    migrate(engine, "0003")
    engine.dispose()
    code, out, err = run_cli(capsys, "restore", str(old), "--database", area.url)
    assert (code, err) == (0, ""), err
    assert "upgraded from schema revision 0003" in out
    live = _path(area)
    with contextlib.closing(sqlite3.connect(live)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
            head_revision()
        )
    assert list(live.parent.glob(f"{live.name}.backup-0003-*"))
    with contextlib.closing(sqlite3.connect(old)) as conn:  # the backup itself is untouched
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0003"


def test_on_postgresql_both_commands_point_at_pg_dump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = "postgresql+psycopg://nobody@127.0.0.1:1/area"  # never connected to
    for args in (["backup", "-o", str(tmp_path / "x")], ["restore", str(tmp_path / "x")]):
        code, _, err = run_cli(capsys, *args, "--database", server)
        assert code == 1 and "pg_dump" in err and err.count("\n") == 1, err
    assert not (tmp_path / "x").exists()
