"""``backup -o FILE`` and ``restore FILE``: the local SQLite file, copied consistently while it
is in use, and put back with the file it replaces kept (``services/backup.py`` says how).
Registered by ``cli.build_parser`` through ``add_backup_commands``. On PostgreSQL both refuse
with a sentence pointing at pg_dump.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TextIO, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from mappa_desktop.cli_admin import AdminDatabase
from mappa_desktop.domain.errors import MappaError
from mappa_desktop.services import backup
from mappa_desktop.services.actor import Actor

EXIT_OK = 0


D = TypeVar("D", bound=AdminDatabase)
D_co = TypeVar("D_co", bound=AdminDatabase, covariant=True)


class Opener(Protocol[D_co]):
    def __call__(self, args: argparse.Namespace, *, check: bool = True) -> D_co: ...


def add_backup_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    open_database: Opener[D],
    acting_user: Callable[[Session, D, str | None], Actor],
    options: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add ``backup`` and ``restore``. ``open_database(args, check=...)`` opens ``--database``;
    ``acting_user(session, database, login)`` says who is acting; ``options(parser)`` adds
    ``--database`` and ``--user``."""
    save = subparsers.add_parser(
        "backup",
        help="copy the local database file to FILE (safe while the app is open)",
        description="Write a consistent copy of the local SQLite database to FILE, even while "
        "the app or another program is using it. On PostgreSQL use pg_dump instead.",
    )
    options(save)
    save.add_argument("-o", "--output", required=True, metavar="FILE", help="a new file")
    save.set_defaults(run=lambda args, out: run_backup(args, out, open_database, acting_user))

    put_back = subparsers.add_parser(
        "restore",
        help="replace the local database file with a backup (the replaced file is kept)",
        description="Replace the local SQLite database with the backup FILE. The backup must be "
        "a mappa-desktop database at a schema revision this version knows; the file it "
        "replaces is kept next to it as <file>.replaced-<time>. Refused while any other window "
        "or program has the database open. On PostgreSQL use pg_restore instead.",
    )
    options(put_back)
    put_back.add_argument("file", metavar="FILE", help="a backup written by 'backup'")
    put_back.set_defaults(run=lambda args, out: run_restore(args, out, open_database, acting_user))


def run_backup(
    args: argparse.Namespace,
    out: TextIO,
    open_database: Opener[D],
    acting_user: Callable[[Session, D, str | None], Actor],
) -> int:
    unopened = open_database(args, check=False).engine
    unopened.dispose()
    backup.local_file(unopened)  # PostgreSQL: refused before connecting
    database = open_database(args)
    try:
        with database.sessions.begin() as session:
            actor = acting_user(session, database, args.user)
        result = backup.write_backup(database.engine, Path(args.output))
        with database.sessions.begin() as session:
            backup.record_backup(session, actor, result)
    finally:
        database.engine.dispose()  # the file is left as this command found it: closed
    out.write(
        f"Backed up {result.database} to {result.file} ({result.size:,} bytes, schema revision "
        f"{result.revision}).\n"
    )
    return EXIT_OK


def _login_before(
    args: argparse.Namespace, database: D, acting: Callable[[Session, D, str | None], Actor]
) -> str | None:
    """Who is restoring, as the database being replaced knows them. A damaged file or one this
    version cannot read cannot say: then ``--user`` is recorded as given (or nobody)."""
    try:
        with database.sessions.begin() as session:
            return acting(session, database, args.user).login
    except (MappaError, DBAPIError):
        return str(args.user) if args.user else None


def run_restore(
    args: argparse.Namespace,
    out: TextIO,
    open_database: Opener[D],
    acting_user: Callable[[Session, D, str | None], Actor],
) -> int:
    database = open_database(args, check=False)
    backup.local_file(database.engine)  # PostgreSQL: refused with a sentence
    try:
        login = _login_before(args, database, acting_user)
        result = backup.restore_backup(database.engine, Path(args.file))
        with database.sessions.begin() as session:
            backup.record_restore(session, login, result)
    finally:
        database.engine.dispose()
    kept = f"; the file it replaced is kept as {result.kept}" if result.kept else ""
    upgraded = (
        f" (upgraded from schema revision {result.upgraded_from})" if result.upgraded_from else ""
    )
    out.write(f"Restored {result.database} from {result.file}{upgraded}{kept}.\n")
    return EXIT_OK
