"""Back up and restore the local SQLite file (the command line's ``backup``/``restore`` and the
File menu's *Back up…*/*Restore…*).

A backup is taken with SQLite's online backup API in one read transaction: a consistent copy of
the last commit, even while the app or another program keeps writing (WAL lets writers go on).
The copy is written next to its destination first and renamed into place, so a half-written
backup never exists under the chosen name, and it is a single self-contained file.

A restore first copies the backup to a staging file next to the database and checks it there:
it must be a SQLite database that passes ``PRAGMA quick_check`` and carries a mappa-desktop
schema revision this version knows (``db.schema``). Then it takes the database file's
exclusive lock: while any other connection has the file open (another window, another
mappa-desktop, the command line) the lock cannot be had, and the restore is refused with
nothing changed. Holding the lock, it writes the current content to
``<file>.replaced-<time>`` next to it (kept, never deleted), and writes the backup over the
database with the same backup API. A backup at an older revision is then upgraded like any
local file (after the usual ``.backup-<revision>-<time>`` copy).

Both are audited in the database they concern: the backup in the database copied, the restore
in the restored one. On PostgreSQL both are refused: the server's own tools do this.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from mappa_desktop.db.engine import make_engine
from mappa_desktop.db.schema import check_schema, schema_state
from mappa_desktop.domain.errors import (
    NotFound,
    PermissionDenied,
    SchemaError,
    StateError,
    StorageError,
    ValidationError,
)
from mappa_desktop.paths import sqlite_url
from mappa_desktop.services import audit, people
from mappa_desktop.services.actor import Actor

LOCK_WAIT_S = 1.0  # how long a restore waits for a writer that is just finishing
ON_POSTGRESQL = (
    "{url} is a PostgreSQL server: back it up with the server's own tools "
    "(pg_dump -Fc, and pg_restore to restore), run by its administrator."
)


@dataclass(frozen=True, slots=True)
class BackupResult:
    database: Path
    file: Path
    revision: str | None
    size: int  # bytes


@dataclass(frozen=True, slots=True)
class RestoreResult:
    database: Path
    file: Path  # the backup restored from
    kept: Path | None  # the content it replaced, kept next to the database (None: there was none)
    revision: str  # the backup's schema revision
    upgraded_from: str | None  # set when the backup was older and has been upgraded


def local_file(engine: Engine) -> Path:
    """The SQLite file behind ``engine``; a sentence pointing at pg_dump on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        raise StateError(ON_POSTGRESQL.format(url=engine.url.render_as_string(hide_password=True)))
    name = engine.url.database
    if not name or name == ":memory:":
        raise StateError("An in-memory database has no file to back up or restore.")
    return Path(name).resolve()


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _same_file(database: Path, other: Path) -> bool:
    """Is ``other`` the database file itself, or its write-ahead log or shared memory?"""
    return other.resolve() in {
        database,
        *(database.with_name(database.name + s) for s in ("-wal", "-shm")),
    }


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """Write ``source`` (one read transaction) into the new file ``target``, as a single file."""
    with contextlib.closing(sqlite3.connect(target, isolation_level=None)) as out:
        source.backup(out)
        out.execute("PRAGMA journal_mode=DELETE")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")


# --- backup -------------------------------------------------------------------------------------


def write_backup(engine: Engine, target: Path, *, overwrite: bool = False) -> BackupResult:
    """Copy the database behind ``engine`` to ``target`` (consistent even while others write)."""
    database = local_file(engine)
    target = Path(target)
    if _same_file(database, target):
        raise ValidationError.single("file", "Choose another file: this is the database itself.")
    if target.exists() and not overwrite:
        raise ValidationError.single(
            "file", f"{target} already exists; choose a new name (nothing was written)."
        )
    if not database.exists():
        raise StateError(f"There is no database file {database} to back up.")
    partial = target.with_name(f".{target.name}.partial")
    try:
        with contextlib.closing(sqlite3.connect(database)) as source:
            _copy(source, partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(
            f"The backup of {database} to {target} failed: {_first_line(exc)}."
        ) from None
    return BackupResult(
        database=database,
        file=target,
        revision=_revision_of(target),
        size=target.stat().st_size,
    )


def record_backup(session: Session, actor: Actor, result: BackupResult) -> None:
    """Audit the backup in the database it copied (the caller's transaction)."""
    audit.record(
        session,
        actor,
        "database",
        None,
        "backup",
        {"file": [None, str(result.file)], "schema_revision": [None, result.revision]},
    )


# --- restore ------------------------------------------------------------------------------------


def _revision_of(path: Path) -> str | None:
    engine = create_engine(sqlite_url(path))  # not make_engine: the file stays out of WAL mode
    try:
        return schema_state(engine).current
    finally:
        engine.dispose()


def _check_backup(staged: Path, shown: Path) -> tuple[str, bool]:
    """``(revision, at_head)`` of the staged copy, or a sentence saying why it cannot be used."""
    with contextlib.closing(sqlite3.connect(staged)) as conn:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise SchemaError(f"{shown} is a damaged database ({verdict}); it cannot be restored.")
    engine = make_engine(sqlite_url(staged))
    try:
        state = schema_state(engine)
        if state.unknown:
            raise SchemaError(
                f"{shown} is at schema revision {state.current}, which this version of "
                "mappa-desktop does not know (a newer version wrote it); use a newer "
                "mappa-desktop to restore it."
            )
        if state.current is None:
            raise SchemaError(f"{shown} is not a mappa-desktop database (no schema revision).")
        if state.at_head:
            check_schema(engine, allow_upgrade=False)  # every other rule of opening a file
        return state.current, state.at_head
    finally:
        engine.dispose()


def _stage(source: Path, database: Path) -> Path:
    staged = database.with_name(f".{database.name}.restoring-{_stamp()}")
    try:
        with contextlib.closing(sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)) as src:
            _copy(src, staged)
    except sqlite3.DatabaseError as exc:
        staged.unlink(missing_ok=True)
        raise SchemaError(
            f"{source} is not a mappa-desktop backup: it is not a database ({_first_line(exc)})."
        ) from None
    return staged


def _replace(database: Path, staged: Path) -> Path | None:
    """Under the database's exclusive lock: keep its content, then write ``staged`` over it."""
    existed = database.exists()
    live = sqlite3.connect(database, timeout=LOCK_WAIT_S, isolation_level=None)
    try:
        live.execute("PRAGMA locking_mode=EXCLUSIVE")
        try:
            live.execute("BEGIN EXCLUSIVE")  # held until the connection closes (exclusive mode)
            live.execute("COMMIT")
        except sqlite3.OperationalError:
            raise StateError(
                f"{database} is open in another window or program (mappa-desktop, the command "
                "line, a database tool); close it there and restore again. Nothing was changed."
            ) from None
        kept = database.with_name(f"{database.name}.replaced-{_stamp()}") if existed else None
        if kept is not None:
            _copy(live, kept)
        with contextlib.closing(sqlite3.connect(staged)) as backup:
            backup.backup(live)
        live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return kept
    finally:
        live.close()


def restore_backup(engine: Engine, source: Path) -> RestoreResult:
    """Replace the database behind ``engine`` with the backup ``source``, keeping what it
    replaces. ``engine``'s pooled connections are closed first; any other open connection makes
    the restore refuse. Audit it with ``record_restore`` once it returns."""
    database = local_file(engine)
    source = Path(source).resolve()
    if not source.is_file():
        raise ValidationError.single("file", f"There is no file {source}.")
    if _same_file(database, source):
        raise ValidationError.single("file", "That is the database itself, not a backup of it.")
    if not database.parent.is_dir():
        raise ValidationError.single("database", f"The folder {database.parent} does not exist.")
    engine.dispose()
    staged = _stage(source, database)
    try:
        revision, at_head = _check_backup(staged, source)
        kept = _replace(database, staged)
    except DBAPIError as exc:
        raise SchemaError(
            f"{source} is not a mappa-desktop backup ({_first_line(exc.orig or exc)})."
        ) from None
    except sqlite3.Error as exc:
        raise StorageError(f"The restore of {database} failed: {_first_line(exc)}.") from None
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            staged.with_name(staged.name + suffix).unlink(missing_ok=True)
    if not at_head:
        check_schema(engine, allow_upgrade=True)  # upgraded after its own backup copy
    return RestoreResult(
        database=database,
        file=source,
        kept=kept,
        revision=revision,
        upgraded_from=None if at_head else revision,
    )


def record_restore(session: Session, login: str | None, result: RestoreResult) -> None:
    """Audit the restore in the restored database, in the name of ``login`` when it is a user
    there (a backup older than that user has no such user: the login is then recorded only)."""
    actor: Actor | None = None
    if login:
        with contextlib.suppress(NotFound, PermissionDenied):
            actor = people.get_actor(session, login)
    changes = {
        "file": [None, str(result.file)],
        "replaced_file_kept_as": [None, str(result.kept) if result.kept else None],
        "schema_revision": [None, result.revision],
    }
    if actor is None:
        changes["restored_by_login"] = [None, login]
    audit.record(session, actor, "database", None, "restore", changes)
