"""``mappa-desktop self-audit MEETING_ID [--json]``: the sign-off self-audit of a meeting
(``services.self_audit``), one finding a line: case, grade, criterion and the sentence.
``mappa-desktop meeting-audit MEETING_ID -o FILE.pdf|FILE.csv``: the MAPPA L meeting audit and
the case audits of a signed meeting (``services.meeting_audit``). Registered by
``cli.build_parser`` through ``add_audit_commands``.

The PDF builder is in ``reports`` and is looked up by name only when a PDF is asked for (the
core does not import ``reports``; ``cli_coordination`` does the same).

Exit status: self-audit 0 when nothing must be fixed, 1 when something must be fixed (or
refused); meeting-audit 0 when written, 1 refused (not signed off, a file type other than .pdf
or .csv, the file cannot be written); 2 usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Protocol, TextIO, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.services import csv_files, meeting_audit, self_audit

EXIT_OK = 0
EXIT_MUST_FIX = 1
# The PDF builder, ``function(MeetingAudit) -> bytes``, by module and function name.
AUDIT_PDF = ("reports.meeting_audit_pdf", "render_meeting_audit_pdf")
AUDIT_SUFFIXES = (".pdf", ".csv")


class AuditDatabase(Protocol):
    """What this command needs from ``cli.Database``."""

    read_sessions: sessionmaker[Session]


D = TypeVar("D", bound=AuditDatabase)
JsonWriter = Callable[[TextIO, object], None]


def add_audit_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    open_database: Callable[[argparse.Namespace], D],
    options: Callable[[argparse.ArgumentParser], None],
    write_json: JsonWriter,
) -> None:
    """Add ``self-audit`` and ``meeting-audit``. ``open_database(args)`` opens ``--database``;
    ``options(parser)`` adds ``--database`` and ``--user``; ``write_json`` prints as
    ``cases --json`` does."""

    def run(args: argparse.Namespace, out: TextIO) -> int:
        database = open_database(args)
        with database.read_sessions() as s:
            result = self_audit.self_audit(s, args.meeting_id, date.today())
        return print_audit(result, out, as_json=args.json, write_json=write_json)

    parser = subparsers.add_parser(
        "self-audit",
        help="audit a meeting's record before sign-off (exit 1 while something must be fixed)",
        description="The sign-off self-audit of a meeting: each finding with its case, grade "
        "(must_fix or needs_reason), criterion and what to do. A signed meeting shows the "
        "chair's stored reasons. Thresholds are local policy (team settings).",
    )
    options(parser)
    parser.add_argument("meeting_id", type=int, metavar="MEETING_ID")
    parser.add_argument("--json", action="store_true", help="print JSON (UTF-8) instead")
    parser.set_defaults(run=run)

    def run_meeting_audit(args: argparse.Namespace, out: TextIO) -> int:
        path = Path(args.output)
        if path.suffix.lower() not in AUDIT_SUFFIXES:
            raise ValidationError.single(
                "output",
                f"Cannot write a meeting audit to '{path}': give a file name ending in .pdf "
                "or .csv.",
            )
        database = open_database(args)
        with database.read_sessions() as s:
            audit = meeting_audit.meeting_audit(s, args.meeting_id)
        csv_files.write_file(path, write_meeting_audit(audit, path.suffix.lower()))
        out.write(
            f"Wrote the audit of meeting {audit.meeting_id} ({audit.meeting_date.isoformat()}, "
            f"{len(audit.cases)} case(s)) to {path}.\n"
        )
        return EXIT_OK

    audit_parser = subparsers.add_parser(
        "meeting-audit",
        help="write the MAPPA L meeting audit and the case audits of a signed meeting",
        description="The MAPPA L meeting audit and the case audit per offender, answered from "
        "the signed minutes (Yes / No / Partly with the evidence); criteria only an observer "
        "can judge are left for the auditor. Written to FILE.pdf or FILE.csv.",
    )
    options(audit_parser)
    audit_parser.add_argument("meeting_id", type=int, metavar="MEETING_ID")
    audit_parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="FILE.pdf or FILE.csv"
    )
    audit_parser.set_defaults(run=run_meeting_audit)


def write_meeting_audit(audit: meeting_audit.MeetingAudit, suffix: str) -> bytes:
    """The audit as the bytes of a .csv or .pdf file."""
    if suffix == ".csv":
        return meeting_audit.meeting_audit_csv(audit)
    module, function = AUDIT_PDF
    render: Callable[[meeting_audit.MeetingAudit], bytes] = getattr(
        importlib.import_module(module), function
    )
    return render(audit)


def print_audit(
    result: self_audit.SelfAudit, out: TextIO, *, as_json: bool, write_json: JsonWriter
) -> int:
    if as_json:
        write_json(out, [_as_object(f) for f in result.findings])
    elif not result.findings:
        out.write(_nothing(result) + "\n")
    else:
        for f in result.findings:
            case = f"case {f.case_id}" if f.case_id is not None else "meeting"
            reason = f" Chair's reason: {f.reason}" if f.reason else ""
            out.write(f"{case}\t{f.grade.value}\t{f.criterion}\t{f.message}{reason}\n")
    if as_json and result.predates_audit:
        sys.stderr.write(self_audit.PREDATES_MESSAGE + "\n")
    return EXIT_MUST_FIX if result.must_fix else EXIT_OK


def _nothing(result: self_audit.SelfAudit) -> str:
    if result.predates_audit:
        return self_audit.PREDATES_MESSAGE
    return f"Meeting {result.meeting_id}: the self-audit found nothing to fix or explain."


def _as_object(f: self_audit.Finding) -> dict[str, object]:
    row: dict[str, object] = {
        "id": f.id,
        "case_id": f.case_id,
        "grade": f.grade.value,
        "criterion": f.criterion,
        "message": f.message,
        "field": f.field,
    }
    if f.reason:
        row["reason"] = f.reason
    return row
