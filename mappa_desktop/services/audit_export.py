"""The audit trail as a CSV file for a spreadsheet: one row per changed field.

Columns: when (UTC, ISO 8601), who (login), name, entity, entity_id, action, field, old, new,
case_id, meeting_id. An event that changed no field (such as a sign-off with no values) still
gives one row, with the field empty. Values that are not plain text (lists, mappings) are written
as JSON; an empty value (None) as an empty cell.

The file is written by ``csv_files``, as every CSV export is: UTF-8 with a byte-order mark
(so Excel reads accents and non-Latin names right), all or nothing. A cell that a spreadsheet
would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is
written with a leading apostrophe, so a name typed as ``=HYPERLINK(...)`` shows as text instead
of running. Text is contained as on screen and in print (``domain.text.contain_bidi``): a value
holding a bidi control is balanced and isolated, so it cannot reorder the cells beside it, and
control characters other than line breaks and tabs are written as U+FFFD.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import AuditEvent, Case, Meeting, Person, User
from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.services import csv_files
from mappa_desktop.services.common import get_or_404

HEADER = (
    "when",
    "who",
    "name",
    "entity",
    "entity_id",
    "action",
    "field",
    "old",
    "new",
    "case_id",
    "meeting_id",
)
BATCH = 2_000


@dataclass(frozen=True, slots=True)
class AuditCsvRow:
    when: datetime
    who: str
    name: str
    entity: str
    entity_id: int | None
    action: str
    field: str
    old: str
    new: str
    case_id: int | None
    meeting_id: int | None


def cell(value: Any) -> str:
    """A JSON value from the audit log as the text of one cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def audit_rows(
    session: Session, *, case_id: int | None = None, meeting_id: int | None = None
) -> Iterator[AuditCsvRow]:
    """The audit trail (of one case or one meeting, or all of it) in order, one row per
    changed field. Read in batches, so a long trail does not sit in memory at once."""
    if case_id is not None and meeting_id is not None:
        raise ValidationError.single("filter", "Give a case or a meeting, not both.")
    stmt = (
        select(AuditEvent, User.login, Person.given_names, Person.family_name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Person, Person.id == User.person_id)
        .order_by(AuditEvent.id)
        .execution_options(yield_per=BATCH)
    )
    if case_id is not None:
        stmt = stmt.where(AuditEvent.case_id == case_id)
    if meeting_id is not None:
        stmt = stmt.where(AuditEvent.meeting_id == meeting_id)
    for ev, login, given, family in session.execute(stmt):
        name = f"{given or ''} {family or ''}".strip()
        try:
            changes = json.loads(ev.changes or "{}")
        except ValueError:
            changes = {"(unreadable)": [None, ev.changes]}
        fields: list[tuple[str, str, str]] = []
        if isinstance(changes, dict):
            for field in sorted(changes):
                pair = changes[field]
                old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
                fields.append((field, cell(old), cell(new)))
        for field, old, new in fields or [("", "", "")]:
            yield AuditCsvRow(
                when=ev.occurred_at,
                who=login or "",
                name=name,
                entity=ev.entity,
                entity_id=ev.entity_id,
                action=ev.action,
                field=field,
                old=old,
                new=new,
                case_id=ev.case_id,
                meeting_id=ev.meeting_id,
            )


def csv_bytes(rows: Iterator[AuditCsvRow]) -> tuple[bytes, int]:
    """The CSV file's bytes (``csv_files``: UTF-8 with BOM, CRLF, cells made safe) and its
    number of data rows."""
    lines: list[Sequence[object]] = [HEADER]
    for r in rows:
        lines.append(
            (
                r.when.isoformat(timespec="seconds"),
                r.who,
                r.name,
                r.entity,
                r.entity_id,
                r.action,
                r.field,
                r.old,
                r.new,
                r.case_id,
                r.meeting_id,
            )
        )
    return csv_files.csv_bytes(lines), len(lines) - 1


def export_csv(
    session: Session,
    path: Path,
    *,
    case_id: int | None = None,
    meeting_id: int | None = None,
) -> int:
    """Write the audit trail (of one case, one meeting, or all) to ``path`` as CSV; returns the
    number of data rows. The file is complete or, on failure, untouched."""
    path = Path(path)
    if case_id is not None:
        get_or_404(session, Case, case_id, "case")
    if meeting_id is not None:
        get_or_404(session, Meeting, meeting_id, "meeting")
    data, count = csv_bytes(audit_rows(session, case_id=case_id, meeting_id=meeting_id))
    csv_files.write_file(path, data)
    return count
