"""The command line: the composition root that builds the engine and hands over to a command or
to the GUI (ARCHITECTURE.md sections 2 and 7).

Exit status: 0 success, 1 refused (bad input, schema or database problem, permission), 2 usage.
Every error is one line (or one line per field) on stderr starting "error: ", never a traceback.
A command is a ``Command`` in ``COMMANDS``: its ``setup`` adds the arguments and its ``run`` does
the work; adding one (``minutes``, ``verify``) means adding an entry there.

``ui`` is imported only when the GUI is asked for, so ``mappa-desktop cases`` never loads Qt.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import re
import sys
import traceback
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from json.encoder import encode_basestring as json_string
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from mappa_desktop import (
    __version__,
    cli_admin,
    cli_audit,
    cli_backup,
    cli_coordination,
    cli_reports,
    desktop_entry,
    paths,
)
from mappa_desktop.db.schema import current_revision, migrate
from mappa_desktop.domain.enums import CustodyStatus, RoshLevel
from mappa_desktop.domain.errors import (
    MappaError,
    StorageError,
    ValidationError,
)
from mappa_desktop.services import acting, imports, listing
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.database import Database, resolve_url, safe_url
from mappa_desktop.services.database import open_database as open_url

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
USER_ENV = "MAPPA_USER"
DEFAULT_DEMO_CASES = 2_000
DEFAULT_DEMO_SEED = 1


# --- plumbing ------------------------------------------------------------------------------------


def open_database(args: argparse.Namespace, *, check: bool = True) -> Database:
    """Open ``--database`` (or the fallbacks) the one way the window does too
    (``services.database``): unless ``check`` is off, a local SQLite file is created or upgraded
    automatically, a PostgreSQL database must already be at this build's revision (``migrate``
    upgrades it). ``main`` closes every engine opened here."""
    url = resolve_url(args.database)
    args.resolved_url = url
    database = open_url(url, check=check)
    args.opened_engines = [*getattr(args, "opened_engines", []), database.engine]
    return database


def acting_user(session: Session, database: Database, login: str | None) -> Actor:
    """Who is acting: ``--user``, else ``MAPPA_USER``, then the one rule the window also uses
    (``services.acting``). With several users on a local file and nothing to say which, the
    command asks for ``--user``."""
    found = acting.acting_user(
        session, asked=login or os.environ.get(USER_ENV) or None, where=database.safe_url
    )
    if isinstance(found, acting.AskWho):
        logins = ", ".join(u.login for u in found.users[:10])
        raise ValidationError.single(
            "user", f"This file has several users; say which you are with --user LOGIN ({logins})."
        )
    return found


def _json_default(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_json(out: TextIO, data: object) -> None:
    # One string, one write: json.dump would call write() for every token.
    out.write(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n")


def display_width(value: str) -> int:
    """Terminal columns a string takes: combining marks take none, wide characters two."""
    width = 0
    for ch in value:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def write_table(out: TextIO, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """An aligned plain-text table (left-aligned columns, two spaces apart)."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        for n, cell in enumerate(row):
            widths[n] = max(widths[n], display_width(cell))

    def line(cells: Sequence[str]) -> str:
        padded = [c + " " * (w - display_width(c)) for c, w in zip(cells, widths, strict=True)]
        return "  ".join(padded).rstrip()

    out.write(line(headers) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for row in rows:
        out.write(line(row) + "\n")


# --- commands ------------------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace, out: TextIO) -> int:
    database = open_database(args, check=False)
    before = current_revision(database.engine)
    backup = migrate(database.engine)
    after = current_revision(database.engine)
    if before == after:
        out.write(f"{database.safe_url} is already at schema revision {after}.\n")
    else:
        out.write(
            f"{database.safe_url} upgraded from schema revision {before or '(none)'} to {after}.\n"
        )
    if backup is not None:
        out.write(f"Backup of the previous file: {backup}\n")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from mappa_desktop.demo.generate import generate_demo  # only this command needs it

    database = open_database(args)
    with database.sessions.begin() as session:
        actor = acting_user(session, database, args.user)
    progress = _progress_printer() if sys.stderr.isatty() else None
    summary = generate_demo(
        database.engine, cases=args.cases, seed=args.seed, actor=actor, progress=progress
    )
    out.write(
        f"Demo data in {database.safe_url} (seed {summary.seed}): {summary.cases:,} cases, "
        f"{summary.people} practitioners ({summary.users} with logins), "
        f"{summary.actions:,} actions, {summary.meetings} meetings "
        f"({summary.meetings_signed_off} signed off).\n"
    )
    return EXIT_OK


def _progress_printer() -> Callable[[str, int, int], None]:
    def show(stage: str, done: int, total: int) -> None:
        sys.stderr.write(f"\r{stage}: {done:,} of {total:,}   ")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


# ``cases --json`` writes 100,000 cases in a few seconds: json.dumps with ``indent`` runs the
# pure-Python encoder (it was 80 % of the time), so each case is laid out from a fixed template,
# straight from the driver's rows (``listing.CaseTable``), with json's own string escaper.
_CUSTODY_JSON = {s.value: json_string(s.value) for s in CustodyStatus}
_ROSH_JSON: dict[str | None, str] = {r.value: json_string(r.value) for r in RoshLevel}
_ROSH_JSON[None] = "null"
_IDENT_KEYS = tuple(f"      {json_string(s.value)}: " for s in listing.IDENTIFIER_COLUMNS)
CASES_PER_WRITE = 2_000


def write_cases_json(out: TextIO, table: listing.CaseTable) -> None:
    """The cases as one JSON list, laid out exactly as ``write_json`` lays out the same values
    (tests/mappa_desktop/test_cases_json.py compares the two), ``CASES_PER_WRITE`` at a time."""
    q = json_string
    text_dates = isinstance(table.due_before, str)  # SQLite: ISO text; PostgreSQL: dates
    aliases, overdue = table.aliases, table.overdue
    k_visor, k_pnc, k_crn, k_nomis, k_nhs = _IDENT_KEYS
    opening, chunk = "[\n", []
    for (
        case_id,
        family,
        given,
        dob,
        custody,
        _version,
        agency,
        category,
        level,
        review_due,
        ended_on,
        rosh,
        actions,
        v_visor,
        v_pnc,
        v_crn,
        v_nomis,
        v_nhs,
    ) in table.rows:
        ids = []
        if v_visor is not None:
            ids.append(k_visor + q(v_visor))
        if v_pnc is not None:
            ids.append(k_pnc + q(v_pnc))
        if v_crn is not None:
            ids.append(k_crn + q(v_crn))
        if v_nomis is not None:
            ids.append(k_nomis + q(v_nomis))
        if v_nhs is not None:
            ids.append(k_nhs + q(v_nhs))
        idents = "{\n" + ",\n".join(ids) + "\n    }" if ids else "{}"
        names = aliases.get(case_id)
        alias_list = "[\n      " + ",\n      ".join(map(q, names)) + "\n    ]" if names else "[]"
        if not text_dates:
            dob = dob and dob.isoformat()
            review_due_text = review_due and review_due.isoformat()
        else:
            review_due_text = review_due
        chunk.append(
            "  {\n"
            f'    "id": {case_id},\n'
            f'    "family_name": {q(family)},\n'
            f'    "given_names": {q(given)},\n'
            f'    "date_of_birth": {"null" if dob is None else q(dob)},\n'
            f'    "category": {"null" if category is None else category},\n'
            f'    "level": {"null" if level is None else level},\n'
            f'    "lead_agency": {q(agency)},\n'
            f'    "identifiers": {idents},\n'
            f'    "aliases": {alias_list},\n'
            f'    "custody_status": {_CUSTODY_JSON[custody]},\n'
            f'    "next_review_due": {"null" if review_due is None else q(review_due_text)},\n'
            f'    "review_overdue": {"true" if overdue(review_due, ended_on) else "false"},\n'
            f'    "overall_rosh": {_ROSH_JSON[rosh]},\n'
            f'    "open_actions": {actions or 0}\n'
            "  }"
        )
        if len(chunk) == CASES_PER_WRITE:
            out.write(opening + ",\n".join(chunk))
            opening, chunk = ",\n", []
    if chunk:
        out.write(opening + ",\n".join(chunk))
        opening = ""
    out.write("[]\n" if opening == "[\n" else "\n]\n")


def cmd_cases(args: argparse.Namespace, out: TextIO) -> int:
    database = open_database(args)
    with database.read_sessions() as session:
        if args.json:
            write_cases_json(out, listing.case_table(session))
            return EXIT_OK
        rows = listing.list_cases(session)

    def review(r: listing.CaseRow) -> str:
        if r.registration_ended_on is not None:
            return f"ended {r.registration_ended_on.isoformat()}"
        if r.next_review_due is None:
            return ""
        return r.next_review_due.isoformat() + (" overdue" if r.review_overdue else "")

    write_table(
        out,
        ["ID", "Name", "Born", "Cat", "Level", "Lead", "RoSH", "Next review", "Open actions"],
        [
            [
                str(r.id),
                r.display_name,
                r.date_of_birth.isoformat() if r.date_of_birth else "",
                str(r.category or ""),
                str(r.level or ""),
                r.lead_agency,
                r.overall_rosh.label if r.overall_rosh else "",
                review(r),
                str(r.open_actions),
            ]
            for r in rows
        ],
    )
    out.write(f"{len(rows):,} case{'s' if len(rows) != 1 else ''}\n")
    return EXIT_OK


def meeting_json(row: listing.MeetingListRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "date": row.meeting_date,
        "start_time": row.start_time.strftime("%H:%M") if row.start_time else None,
        "level": row.level,
        "type": row.meeting_type.value,
        "status": row.status.value,
        "chair": row.chair,
        "venue": row.venue,
        "case_count": row.case_count,
    }


def cmd_meetings(args: argparse.Namespace, out: TextIO) -> int:
    database = open_database(args)
    with database.read_sessions() as session:
        rows = listing.list_meetings(session)
    if args.json:
        write_json(out, [meeting_json(r) for r in rows])
        return EXIT_OK
    write_table(
        out,
        ["ID", "Date", "Time", "Level", "Type", "Status", "Chair", "Cases", "Venue"],
        [
            [
                str(r.id),
                r.meeting_date.isoformat(),
                r.start_time.strftime("%H:%M") if r.start_time else "",
                str(r.level),
                r.meeting_type.value,
                r.status.value.replace("_", " "),
                r.chair,
                str(r.case_count),
                r.venue,
            ]
            for r in rows
        ],
    )
    out.write(f"{len(rows):,} meeting{'s' if len(rows) != 1 else ''}\n")
    return EXIT_OK


def cmd_import_cases(args: argparse.Namespace, out: TextIO) -> int:
    path = Path(args.file)
    database = open_database(args)
    with database.sessions.begin() as session:
        actor = acting_user(session, database, args.user)
        result = imports.import_cases_csv(session, actor, path)
    if result.created:
        first, last = min(result.case_ids), max(result.case_ids)
        ids = f"case {first}" if first == last else f"cases {first}-{last}"
        out.write(
            f"Imported {result.created:,} case{'s' if result.created != 1 else ''} ({ids}).\n"
        )
    return EXIT_OK


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    setup: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, TextIO], int]


def _no_arguments(_: argparse.ArgumentParser) -> None:
    return None


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON (UTF-8) instead of a table")


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cases",
        type=_positive_int,
        default=DEFAULT_DEMO_CASES,
        metavar="N",
        help=f"how many cases to create (default {DEFAULT_DEMO_CASES:,})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_DEMO_SEED,
        metavar="S",
        help=f"random seed: the same seed gives the same data (default {DEFAULT_DEMO_SEED})",
    )


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.csv", help="UTF-8 CSV file with a header row")


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("give a number of 1 or more")
    return number


COMMANDS: tuple[Command, ...] = (
    Command("migrate", "create or upgrade the database schema", _no_arguments, cmd_migrate),
    Command("demo", "fill an empty database with realistic demo data", _demo_arguments, cmd_demo),
    Command("cases", "list cases", _json_flag, cmd_cases),
    Command("meetings", "list meetings with id, date, level and status", _json_flag, cmd_meetings),
    Command(
        "import-cases",
        "import cases from a CSV file: all rows or none",
        _import_arguments,
        cmd_import_cases,
    ),
)


def _connection_options(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    # The sub-commands accept the same options; SUPPRESS keeps a value given before the
    # command from being overwritten by the sub-command's default.
    default = None if top_level else argparse.SUPPRESS
    parser.add_argument(
        "--database",
        metavar="URL",
        default=default,
        help="sqlite:///path/file.sqlite3 or postgresql+psycopg://user@host/db "
        "(default: $MAPPA_DATABASE_URL, else the local file)",
    )
    parser.add_argument(
        "--user",
        metavar="LOGIN",
        default=default,
        help="who is acting (default: $MAPPA_USER, else your login; on PostgreSQL the "
        "database login)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mappa-desktop",
        description="MAPPA panels: cases, risk, meetings and signed-off minutes. "
        "Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _connection_options(parser, top_level=True)
    parser.add_argument(
        "--demo", action="store_true", help="open the app on a ready-made demo database"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        _connection_options(child, top_level=False)
        command.setup(child)
        child.set_defaults(run=command.run)
    # minutes, distribute, verify, certificate: ReportLab loads only when one of them runs.
    cli_reports.add_report_commands(
        sub,
        connect=_report_database,
        options=lambda p: _connection_options(p, top_level=False),
    )
    # desktop-entry: the desktop menu entry and icon (no database).
    desktop_entry.add_command(sub)
    # self-audit (the sign-off self-audit of a meeting).
    cli_audit.add_audit_commands(
        sub,
        open_database=open_database,
        options=lambda p: _connection_options(p, top_level=False),
        write_json=write_json,
    )
    # admin (users and logins), audit (CSV of the audit trail), copy (a whole database).
    cli_admin.add_admin_commands(
        sub,
        open_database=open_database,
        acting_user=acting_user,
        options=lambda p: _connection_options(p, top_level=False),
    )
    # backup, restore (the local SQLite file).
    cli_backup.add_backup_commands(
        sub,
        open_database=open_database,
        acting_user=acting_user,
        options=lambda p: _connection_options(p, top_level=False),
    )
    # statistics, chronology, referrals (the co-ordinator's year).
    cli_coordination.add_coordination_commands(
        sub,
        open_database=open_database,
        acting_user=acting_user,
        options=lambda p: _connection_options(p, top_level=False),
        write_table=write_table,
        write_json=write_json,
    )
    return parser


def _report_database(args: argparse.Namespace) -> cli_reports.ReportDatabase:
    database = open_database(args)
    return cli_reports.ReportDatabase(
        sessions=database.sessions,
        read_sessions=database.read_sessions,
        actor=lambda session: acting_user(session, database, args.user),
        url=database.safe_url,
    )


# --- entry point ---------------------------------------------------------------------------------


def _utf8_streams() -> None:
    """UTF-8 output whatever the locale (a C locale would otherwise fail on any accent)."""
    for stream, errors in ((sys.stdout, "strict"), (sys.stderr, "backslashreplace")):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors=errors)


def report(error: BaseException, url: str | None) -> list[str]:
    """The lines to print on stderr for a refused command."""
    if isinstance(error, ValidationError):
        lines = []
        for field, message in error.errors.items():
            match = re.match(r"^(row \d+), (.+)$", field)
            where = f"{match.group(1)}, column {match.group(2)}" if match else field
            for part in message.splitlines() or [""]:
                lines.append(f"{where}: {part}")
        return lines
    if isinstance(error, MappaError):
        return [str(error)]
    where = f"the database {safe_url(url)}" if url else "the database"
    assert isinstance(error, DBAPIError)
    reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
    if isinstance(error, OperationalError):
        return [f"cannot use {where}: {reason.rstrip('.')}."]
    return [f"{where} refused the operation: {reason.rstrip('.')}."]


def _log_crash(exc: BaseException) -> Path | None:
    try:
        log = paths.log_dir() / "cli-errors.log"
        with log.open("a", encoding="utf-8") as f:
            f.write(f"--- {datetime.now(UTC).isoformat()} {' '.join(sys.argv)}\n")
            f.write("".join(traceback.format_exception(exc)))
        return log
    except OSError:
        return None


def _no_display() -> bool:
    """On Linux without a display Qt aborts the process; say so in a sentence instead."""
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    )


def _open_gui(argv: Sequence[str], parser: argparse.ArgumentParser) -> int:
    try:
        app = importlib.import_module("ui.app")
    except ModuleNotFoundError as exc:
        if exc.name not in ("ui", "ui.app"):
            raise
        app = None
    start = getattr(app, "main", None)
    if not callable(start):
        parser.print_help()
        return EXIT_OK
    if _no_display():
        raise StorageError(
            "There is no display to open the app on (DISPLAY is not set); run it from a desktop "
            "session, or use a command such as 'mappa-desktop cases' (see --help)."
        )
    result = start(list(argv))
    return int(result) if isinstance(result, int) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    _utf8_streams()
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)  # exits with status 2 on a usage error
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    args.resolved_url = None
    try:
        if args.command is None:
            return _open_gui(arguments, parser)
        status: int = args.run(args, sys.stdout)
        sys.stdout.flush()
        return status
    except (MappaError, DBAPIError) as exc:
        for line in report(exc, args.resolved_url or _guess_url(args)):
            sys.stderr.write(f"error: {line}\n")
        return EXIT_REFUSED
    except BrokenPipeError:
        # The reader went away (``mappa-desktop cases | head``): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted; nothing more was changed.\n")
        return 130
    except Exception as exc:
        log = _log_crash(exc)
        where = f"; the details are in {log}" if log else ""
        sys.stderr.write(f"error: unexpected internal error ({type(exc).__name__}: {exc}){where}\n")
        return EXIT_REFUSED
    finally:
        for engine in getattr(args, "opened_engines", ()):
            engine.dispose()  # the command's connections close before main returns


def _guess_url(args: argparse.Namespace) -> str | None:
    try:
        return resolve_url(getattr(args, "database", None))
    except StorageError:
        return None
