"""The co-ordinator's commands: ``statistics`` (the annual report tables), ``chronology`` (a
case's history for a review), ``referrals`` (the referral list) and ``import-referrals``.
Registered by ``cli.build_parser`` through ``add_coordination_commands``.

Output formats beyond CSV come from ``reports`` and are looked up only when asked for (by module
and function name in ``STATISTICS_FORMATS`` / ``CHRONOLOGY_FORMATS``: each function takes the
service's DTO and returns the file's bytes). Until a builder exists, asking for its format is
refused with "not yet" (exit 1).

Exit status: 0 success, 1 refused, 2 usage (a bad year, an unknown file type).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TextIO, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.domain.coordination import ReferralStatus, ReportingYear
from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.services import (
    agenda_pack,
    cases,
    chronology,
    csv_files,
    referrals,
    settings,
    statistics,
)
from mappa_desktop.services.actor import Actor

EXIT_OK = 0
# suffix -> (module, function): the builder of that file type, ``function(dto) -> bytes``.
STATISTICS_FORMATS: Mapping[str, tuple[str, str]] = {
    ".pdf": ("reports.statistics_pdf", "render_statistics_pdf"),
    ".xlsx": ("reports.statistics_xlsx", "render_statistics_xlsx"),
}
CHRONOLOGY_FORMATS: Mapping[str, tuple[str, str]] = {
    ".pdf": ("reports.chronology_pdf", "render_chronology_pdf"),
}
AGENDA_FORMATS: Mapping[str, tuple[str, str]] = {
    ".pdf": ("reports.agenda_pdf", "render_agenda_pdf"),  # (AgendaPack) -> bytes
}
REFERRAL_FORMATS: Mapping[str, tuple[str, str]] = {
    # (ReferralRow, CaseDetail, area name) -> bytes
    ".pdf": ("reports.referral_pdf", "render_referral_pdf"),
}


class CoordinationDatabase(Protocol):
    """What these commands need from ``cli.Database``."""

    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]


D = TypeVar("D", bound=CoordinationDatabase)
Run = Callable[[argparse.Namespace, TextIO], int]
TableWriter = Callable[[TextIO, Sequence[str], Sequence[Sequence[str]]], None]
JsonWriter = Callable[[TextIO, object], None]


@dataclass(frozen=True)
class Context:
    """What a command gets from the composition root."""

    database: CoordinationDatabase
    actor: Callable[[Session], Actor]  # who is acting, looked up inside a write session
    write_table: TableWriter
    write_json: JsonWriter


def add_coordination_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    open_database: Callable[[argparse.Namespace], D],
    acting_user: Callable[[Session, D, str | None], Actor],
    options: Callable[[argparse.ArgumentParser], None],
    write_table: TableWriter,
    write_json: JsonWriter,
) -> None:
    """Add ``statistics``, ``chronology`` and ``referrals``. ``open_database(args)`` opens
    ``--database``; ``acting_user(session, database, login)`` says who is reading (the
    chronology hides restricted items from readers without access); ``options(parser)`` adds
    ``--database`` and ``--user``; ``write_table`` and ``write_json`` print as ``cases`` does."""

    def bind(run: Callable[[argparse.Namespace, TextIO, Context], int]) -> Run:
        def go(args: argparse.Namespace, out: TextIO) -> int:
            database = open_database(args)
            context = Context(
                database=database,
                actor=lambda s: acting_user(s, database, args.user),
                write_table=write_table,
                write_json=write_json,
            )
            return run(args, out, context)

        return go

    stats = subparsers.add_parser(
        "statistics",
        help="the MAPPA annual report statistics for a reporting year",
        description="The area annual report tables for the year 1 April YYYY to 31 March "
        "YYYY+1, printed, as JSON, or written to a file (.csv; .pdf and .xlsx when built).",
    )
    options(stats)
    stats.add_argument(
        "--year",
        type=_year,
        required=True,
        metavar="YYYY",
        help="the year the reporting year starts",
    )
    stats.add_argument("--json", action="store_true", help="print the raw counts as JSON")
    stats.add_argument(
        "-o",
        "--output",
        type=_output(".csv", *STATISTICS_FORMATS),
        metavar="FILE",
        help="write the tables to FILE.csv, FILE.pdf or FILE.xlsx",
    )
    stats.add_argument(
        "--suppress",
        action="store_true",
        help="suppress small counts for publication (threshold from the team settings)",
    )
    stats.set_defaults(run=bind(run_statistics))

    chron = subparsers.add_parser(
        "chronology",
        help="write a case's chronology (every event in date order) for a review",
        description="Write a case's chronology to FILE.csv (or .pdf when built). Restricted "
        "items are marked withheld unless --user has access to them.",
    )
    options(chron)
    chron.add_argument("case_id", type=int, metavar="CASE_ID")
    chron.add_argument(
        "-o",
        "--output",
        type=_output(".csv", *CHRONOLOGY_FORMATS),
        required=True,
        metavar="FILE",
        help="FILE.csv or FILE.pdf",
    )
    chron.add_argument(
        "--kind",
        dest="kinds",
        action="append",
        choices=[k.value for k in chronology.EntryKind],
        help="only entries of this kind (repeat for several)",
    )
    chron.add_argument("--from", dest="date_from", type=_date, metavar="YYYY-MM-DD")
    chron.add_argument("--to", dest="date_to", type=_date, metavar="YYYY-MM-DD")
    chron.set_defaults(run=bind(run_chronology))

    refs = subparsers.add_parser(
        "referrals",
        help="list referrals (MAPPA A) with their screening status",
        description="List referrals, newest first, with status and days to the first meeting.",
    )
    options(refs)
    refs.add_argument("--json", action="store_true", help="print JSON (UTF-8) instead of a table")
    refs.add_argument(
        "--status", choices=[s.value for s in ReferralStatus], help="only referrals in this state"
    )
    refs.set_defaults(run=bind(run_referrals))

    imp = subparsers.add_parser(
        "import-referrals",
        help="import referrals (MAPPA A) from a CSV file: all rows or none",
        description="Import referrals from a UTF-8 CSV file with a header row: all rows or "
        "none, every row's problems reported together (services/referrals.py names the "
        "columns). Co-ordinators and administrators only.",
    )
    options(imp)
    imp.add_argument("file", metavar="FILE.csv")
    imp.set_defaults(run=bind(run_import_referrals))

    agenda = subparsers.add_parser(
        "agenda",
        help="write the agenda pack of a meeting (cases, time slots, invited agencies)",
        description="Write the agenda pack for a meeting to FILE.pdf: cases in order with "
        "time slots, the agencies invited to each, and the joining instructions.",
    )
    options(agenda)
    agenda.add_argument("meeting_id", type=int, metavar="MEETING_ID")
    agenda.add_argument(
        "-o", "--output", type=_output(*AGENDA_FORMATS), required=True, metavar="FILE.pdf"
    )
    agenda.set_defaults(run=bind(run_agenda))

    form = subparsers.add_parser(
        "referral-form",
        help="write a referral (MAPPA A) as a PDF form",
        description="Write the referral form (MAPPA A, national section order) to FILE.pdf.",
    )
    options(form)
    form.add_argument("referral_id", type=int, metavar="REFERRAL_ID")
    form.add_argument(
        "-o", "--output", type=_output(*REFERRAL_FORMATS), required=True, metavar="FILE.pdf"
    )
    form.set_defaults(run=bind(run_referral_form))


# --- argument types -------------------------------------------------------------------------------


def _year(text: str) -> int:
    if not text.isdigit() or not 1990 <= int(text) <= 2200:
        raise argparse.ArgumentTypeError(f"'{text}' is not a year such as 2025")
    return int(text)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _output(*suffixes: str) -> Callable[[str], Path]:
    def check(text: str) -> Path:
        path = Path(text)
        if path.suffix.lower() not in suffixes:
            wanted = " or ".join(filter(None, (", ".join(suffixes[:-1]), suffixes[-1])))
            raise argparse.ArgumentTypeError(f"'{text}' must end in {wanted}")
        return path

    return check


def _builder(formats: Mapping[str, tuple[str, str]], path: Path) -> Callable[..., bytes]:
    """The report builder for ``path``'s file type, or a refusal saying it is not there yet."""
    module_name, function = formats[path.suffix.lower()]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        module = None
    build = getattr(module, function, None)
    if not callable(build):
        raise ValidationError.single(
            "output", f"Writing {path.suffix.lower()} files is not yet available; use .csv."
        )
    return build  # type: ignore[no-any-return]


# --- commands -------------------------------------------------------------------------------------


def _print_statistics(out: TextIO, stats: statistics.AnnualStatistics) -> None:
    out.write(f"MAPPA annual statistics {stats.year.label} ({stats.area_name})\n")
    for table in stats.tables:
        out.write(f"\n{table.title}\n")
        if not table.rows:
            out.write("  (not computed: set the area's population)\n")
        width = max((len(r.label) for r in table.rows), default=0)
        if len(table.columns) > 1:
            out.write(f"  {'':<{width}}  " + "  ".join(f"{c:>9}" for c in table.columns) + "\n")
        for row in table.rows:
            cells = "  ".join(f"{c.text:>9}" for c in row.cells)
            out.write(f"  {row.label:<{width}}  {cells}\n")


def run_statistics(args: argparse.Namespace, out: TextIO, context: Context) -> int:
    year = ReportingYear(args.year)
    path: Path | None = args.output
    with context.database.read_sessions() as session:
        stats = statistics.annual_statistics(session, year, suppress=args.suppress)
    if path is not None:
        if path.suffix.lower() == ".csv":
            data = statistics.statistics_csv_bytes(stats)
        else:
            data = _builder(STATISTICS_FORMATS, path)(stats)
        csv_files.write_file(path, data)
        if not args.json:
            out.write(f"Wrote the {year.label} statistics to {path}.\n")
    if args.json:
        context.write_json(out, statistics.counts_json(stats.counts))
    elif path is None:
        _print_statistics(out, stats)
    return EXIT_OK


def run_chronology(args: argparse.Namespace, out: TextIO, context: Context) -> int:
    path: Path = args.output
    with context.database.sessions.begin() as session:
        reader = context.actor(session)  # a new local file gets its first user here
    kinds = frozenset(chronology.EntryKind(k) for k in args.kinds) if args.kinds else None
    with context.database.read_sessions() as session:
        result = chronology.case_chronology(
            session,
            args.case_id,
            reader,
            kinds=kinds,
            date_from=args.date_from,
            date_to=args.date_to,
        )
    if path.suffix.lower() == ".csv":
        data = chronology.chronology_csv_bytes(result)
    else:
        data = _builder(CHRONOLOGY_FORMATS, path)(result)
    csv_files.write_file(path, data)
    withheld = f" ({result.withheld_count} withheld)" if result.withheld_count else ""
    out.write(
        f"Wrote the chronology of case {result.case_id} ({result.case_name}): "
        f"{len(result.entries):,} entries{withheld} to {path}.\n"
    )
    return EXIT_OK


def referral_json(row: referrals.ReferralRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "case_id": row.case_id,
        "case_name": row.case_name,
        "referral_date": row.referral_date.isoformat(),
        "referring_agency": row.referring_agency,
        "referrer": row.referrer_name,
        "category": row.category,
        "level_sought": row.level_sought,
        "current_rosh": row.current_rosh.value,
        "status": row.status.value,
        "accepted_level": row.accepted_level,
        "screened_on": row.screened_on.isoformat() if row.screened_on else None,
        "screened_by": row.screened_by or None,
        "screening_reason": row.screening_reason or None,
        "first_meeting_id": row.first_meeting_id,
        "first_meeting_date": (
            row.first_meeting_date.isoformat() if row.first_meeting_date else None
        ),
        "days_to_first_meeting": row.days_to_first_meeting,
        "source": row.source.value,
    }


def run_referrals(args: argparse.Namespace, out: TextIO, context: Context) -> int:
    status = ReferralStatus(args.status) if args.status else None
    with context.database.read_sessions() as session:
        rows = referrals.list_referrals(session, status=status)
    if args.json:
        context.write_json(out, [referral_json(r) for r in rows])
        return EXIT_OK
    headers = ("ID", "Date", "Case", "Agency", "Sought", "Status", "Days to meeting")
    table = [
        (
            str(r.id),
            r.referral_date.isoformat(),
            f"{r.case_id} {r.case_name}",
            r.referring_agency,
            f"L{r.level_sought}",
            r.status_label + (f" (L{r.accepted_level})" if r.accepted_level else ""),
            "" if r.days_to_first_meeting is None else str(r.days_to_first_meeting),
        )
        for r in rows
    ]
    context.write_table(out, headers, table)
    out.write(f"{len(rows):,} referral{'s' if len(rows) != 1 else ''}\n")
    return EXIT_OK


def run_import_referrals(args: argparse.Namespace, out: TextIO, context: Context) -> int:
    with context.database.sessions.begin() as session:
        result = referrals.import_referrals_csv(session, context.actor(session), Path(args.file))
    ids = ", ".join(str(i) for i in result.referral_ids)
    plural = "s" if result.created != 1 else ""
    out.write(f"Imported {result.created:,} referral{plural}" + (f" ({ids}).\n" if ids else ".\n"))
    return EXIT_OK


def run_agenda(args: argparse.Namespace, out: TextIO, context: Context) -> int:
    path: Path = args.output
    build = _builder(AGENDA_FORMATS, path)
    with context.database.read_sessions() as session:
        pack = agenda_pack.agenda_pack(session, args.meeting_id)
    csv_files.write_file(path, build(pack))
    out.write(
        f"Wrote the agenda of meeting {pack.meeting_id} ({len(pack.items)} "
        f"case{'s' if len(pack.items) != 1 else ''}) to {path}.\n"
    )
    return EXIT_OK


def run_referral_form(args: argparse.Namespace, out: TextIO, context: Context) -> int:
    path: Path = args.output
    build = _builder(REFERRAL_FORMATS, path)
    with context.database.read_sessions() as session:
        referral = referrals.get_referral(session, args.referral_id)
        case = cases.get_case(session, referral.case_id)
        area = settings.policy(session).area_name
    csv_files.write_file(path, build(referral, case, area))
    out.write(f"Wrote referral {referral.id} ({referral.case_name}) to {path}.\n")
    return EXIT_OK
