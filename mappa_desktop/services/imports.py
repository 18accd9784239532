"""Import cases from a CSV file: every row is checked first, then all rows are created or none.

The file is UTF-8 text (a byte-order mark, as spreadsheet programs write, is fine) with a header
row. Column names are matched ignoring case, surrounding spaces, and spaces or hyphens in place of
underscores ("Family name" is ``family_name``).

Required columns (a value may be blank only where noted):

- ``family_name``
- ``given_names`` (may be blank: a person known by one name)
- ``date_of_birth`` (may be blank when unknown) as YYYY-MM-DD or DD/MM/YYYY
- ``category``: 1-4 ("Category 2" and "Cat 2" are accepted too)
- ``level``: 1-3 ("Level 2", "L2" accepted); Category 3 cannot be held at Level 1
- ``lead_agency``: the full or short name of an active agency, any case ("Police", "probation")

Optional columns: ``gender``, ``ethnicity``, ``address_area``, ``custody_status`` (community,
custody or hospital; blank = community), ``index_offence``, ``sentence``,
``reason_for_referral``, ``referral_date`` (a date as above), the identifiers ``pnc``, ``visor``,
``crn``, ``nomis`` and ``nhs``, and ``aliases`` (several separated by ``;``). Any other column is
refused, so a misspelt header never drops data silently. Names, aliases, identifiers, gender,
ethnicity and address area refuse control and invisible bidi characters (``domain.text``).

Errors are reported together, keyed ``"row N, column"`` where N is the line number in the file
(the header is line 1), for example ``"row 3, level"``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import Agency, Case, CaseIdentifier
from mappa_desktop.domain.enums import AliasKind, CustodyStatus, IdentifierScheme, Role
from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.domain.validation import Checker
from mappa_desktop.services import cases, registration
from mappa_desktop.services.actor import Actor, require_role

REQUIRED_COLUMNS: tuple[str, ...] = (
    "family_name",
    "given_names",
    "date_of_birth",
    "category",
    "level",
    "lead_agency",
)
IDENTIFIER_COLUMNS: Mapping[str, IdentifierScheme] = {
    "pnc": IdentifierScheme.PNC,
    "visor": IdentifierScheme.VISOR,
    "crn": IdentifierScheme.CRN,
    "nomis": IdentifierScheme.NOMIS,
    "nhs": IdentifierScheme.NHS,
}
TEXT_COLUMNS: tuple[str, ...] = (
    "gender",
    "ethnicity",
    "address_area",
    "index_offence",
    "sentence",
    "reason_for_referral",
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    *TEXT_COLUMNS,
    "custody_status",
    "referral_date",
    *IDENTIFIER_COLUMNS,
    "aliases",
)
# Names, aliases, identifiers and labels: no control or invisible bidi character (domain.text).
ONE_LINE_COLUMNS: tuple[str, ...] = (
    "family_name",
    "given_names",
    "gender",
    "ethnicity",
    "address_area",
    "aliases",
    *IDENTIFIER_COLUMNS,
)
ALIAS_SEPARATOR = ";"
MAX_ROWS = 20_000

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_NUMBER = re.compile(r"^(?:(?:category|cat|level|l)\s*)?(\d+)$", re.IGNORECASE)
# Where a field error from the case service belongs in the file.
_SERVICE_FIELD_TO_COLUMN = {"lead_agency_id": "lead_agency", "registration_start": "date_of_birth"}


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    case_ids: tuple[int, ...]  # in file order


@dataclass(slots=True)
class _Row:
    line: int
    values: dict[str, Any]
    identifiers: dict[IdentifierScheme, str]


def column_key(header: str) -> str:
    """The column a header names: ``" Family-name "`` -> ``family_name``."""
    return re.sub(r"[\s\-]+", "_", header.strip().casefold())


def parse_date(text: str) -> date:
    """YYYY-MM-DD or DD/MM/YYYY; raises ValueError otherwise."""
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.strptime(text, "%Y-%m-%d").date()
    raise ValueError(text)


def is_csv_text(path_or_text: Path | str) -> bool:
    return isinstance(path_or_text, str) and ("\n" in path_or_text or "," in path_or_text)


def read_csv_text(path_or_text: Path | str) -> str:
    if is_csv_text(path_or_text):
        assert isinstance(path_or_text, str)
        return path_or_text.removeprefix("\ufeff")
    path = Path(path_or_text)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ValidationError.single("file", f"Cannot read {path}: {reason}.") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError.single(
            "file",
            f"{path.name} is not UTF-8 text (byte {exc.start + 1} cannot be read); save it from "
            "your spreadsheet as 'CSV UTF-8' and import it again.",
        ) from None


def csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells) for each non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValidationError.single(
                "file", f"Line {reader.line_num} is not valid CSV ({exc}); fix it and try again."
            ) from None
        if any(cell.strip() for cell in cells):
            yield start, cells


def _columns(header: Sequence[str]) -> list[str]:
    keys = [column_key(h) for h in header]
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    errors: dict[str, str] = {}
    missing = [c for c in REQUIRED_COLUMNS if c not in keys]
    if missing:
        errors["columns"] = (
            f"The header row has no {', '.join(missing)} column"
            f"{'s' if len(missing) > 1 else ''}; every file needs: "
            f"{', '.join(REQUIRED_COLUMNS)}."
        )
    unknown = [
        h.strip() or f"(column {n})"
        for n, (h, k) in enumerate(zip(header, keys, strict=True), start=1)
        if k not in known
    ]
    if unknown:
        errors["unknown_columns"] = (
            f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. Rename or "
            f"remove {'them' if len(unknown) > 1 else 'it'}; the optional columns are: "
            f"{', '.join(OPTIONAL_COLUMNS)}."
        )
    repeated = sorted({k for k in keys if k in known and keys.count(k) > 1})
    if repeated:
        errors["duplicate_columns"] = (
            f"The header names {', '.join(repeated)} more than once; keep one of each."
        )
    if errors:
        raise ValidationError(errors)
    return keys


def _number(check: Checker, column: str, text: str, what: str, allowed: range) -> int | None:
    cleaned = text.strip()
    match = _NUMBER.match(cleaned)
    value = int(match.group(1)) if match else None
    if value is not None and value in allowed:
        return value
    choices = ", ".join(str(v) for v in allowed)
    check.fail(
        column,
        f"'{cleaned}' is not a MAPPA {what}; use {choices}."
        if cleaned
        else f"Enter the MAPPA {what} ({choices}); it cannot be empty.",
    )
    return None


def _date(check: Checker, column: str, text: str) -> date | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        return parse_date(cleaned)
    except ValueError:
        check.fail(
            column,
            f"'{cleaned}' is not a date; write it as YYYY-MM-DD (1984-03-27) or DD/MM/YYYY "
            "(27/03/1984).",
        )
        return None


class _Agencies:
    def __init__(self, session: Session) -> None:
        self.by_name: dict[str, Agency] = {}
        self.names: list[str] = []
        for agency in session.scalars(select(Agency).where(Agency.active.is_(True))):
            self.by_name[agency.name.casefold()] = agency
            self.by_name[agency.short_name.casefold()] = agency
            self.names.append(agency.short_name)

    def find(self, check: Checker, text: str) -> int | None:
        cleaned = text.strip()
        if not cleaned:
            check.fail("lead_agency", "Enter the lead agency; it cannot be empty.")
            return None
        agency = self.by_name.get(cleaned.casefold())
        if agency is None:
            check.fail(
                "lead_agency",
                f"There is no active agency called '{cleaned}'; use the full or short name of "
                f"one of: {', '.join(sorted(self.names, key=str.casefold))}.",
            )
            return None
        return agency.id


def _parse_row(
    line: int, cells: Sequence[str], keys: Sequence[str], agencies: _Agencies, source: str
) -> tuple[_Row | None, dict[str, str]]:
    if len(cells) != len(keys):
        return None, {
            f"row {line}": (
                f"This row has {len(cells)} values but the header has {len(keys)} columns; "
                "check for a missing or stray comma, or an unclosed quote."
            )
        }
    raw = dict(zip(keys, cells, strict=True))
    check = Checker()
    values: dict[str, Any] = {
        "family_name": raw["family_name"],
        "given_names": raw["given_names"],
        "date_of_birth": _date(check, "date_of_birth", raw["date_of_birth"]),
        "category": _number(check, "category", raw["category"], "category", range(1, 5)),
        "level": _number(check, "level", raw["level"], "level", range(1, 4)),
        "lead_agency_id": agencies.find(check, raw["lead_agency"]),
        "rationale": f"Initial registration, imported from {source} (row {line}).",
    }
    for column in ONE_LINE_COLUMNS:
        if column in raw:
            check.one_line(column, raw[column].strip(), joiners=column not in IDENTIFIER_COLUMNS)
    check.text("family_name", raw["family_name"])
    if values["category"] is not None and values["level"] is not None:
        registration.check_category_level(check, values["category"], values["level"])
    for column in TEXT_COLUMNS:
        if column in raw:
            values[column] = raw[column]
    if raw.get("custody_status", "").strip():
        status = check.enum("custody_status", raw["custody_status"].strip().lower(), CustodyStatus)
        values["custody_status"] = status or CustodyStatus.COMMUNITY
    if "referral_date" in raw:
        values["referral_date"] = _date(check, "referral_date", raw["referral_date"])
    if raw.get("aliases", "").strip():
        names = [n.strip() for n in raw["aliases"].split(ALIAS_SEPARATOR) if n.strip()]
        unique = list(dict.fromkeys(names))
        values["aliases"] = [(name, AliasKind.ALIAS) for name in unique]
    identifiers = {  # only those that passed: a refused one must not reach a query (NUL)
        scheme: raw[column].strip()
        for column, scheme in IDENTIFIER_COLUMNS.items()
        if raw.get(column, "").strip() and column not in check.errors
    }
    values["identifiers"] = identifiers
    errors = {f"row {line}, {field}": message for field, message in check.errors.items()}
    return _Row(line, values, identifiers), errors


def _identifier_clashes(session: Session, rows: Sequence[_Row]) -> dict[str, str]:
    """Identifiers repeated within the file, or already held by a case in the database."""
    errors: dict[str, str] = {}
    first_seen: dict[tuple[IdentifierScheme, str], int] = {}
    wanted: dict[tuple[IdentifierScheme, str], list[_Row]] = {}
    for row in rows:
        for scheme, value in list(row.identifiers.items()):
            column = scheme.value
            key = (scheme, value.lower())
            if key in first_seen:
                errors[f"row {row.line}, {column}"] = (
                    f"{cases.IDENTIFIER_LABELS[scheme]} {value} is also given in row "
                    f"{first_seen[key]}; an identifier belongs to one person only, so correct "
                    "one of the two rows."
                )
                continue
            first_seen[key] = row.line
            wanted.setdefault(key, []).append(row)
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        stmt = (
            select(
                CaseIdentifier.scheme,
                CaseIdentifier.value,
                Case.id,
                Case.family_name,
                Case.given_names,
            )
            .join(Case, Case.id == CaseIdentifier.case_id)
            .where(
                or_(
                    *(
                        and_(CaseIdentifier.scheme == s, func.lower(CaseIdentifier.value) == v)
                        for s, v in chunk
                    )
                )
            )
        )
        for scheme, value, case_id, family, given in session.execute(stmt):
            for row in wanted.get((scheme, value.lower()), []):
                name = f"{family}, {given}" if given else family
                errors[f"row {row.line}, {scheme.value}"] = (
                    f"{cases.IDENTIFIER_LABELS[scheme]} {value} is already recorded for case "
                    f"{case_id} ({name}); check the number, or leave this person out of the "
                    "file."
                )
    return errors


def _service_column(field: str) -> str:
    if field.startswith("identifiers."):
        return field.removeprefix("identifiers.")
    if field.startswith("aliases"):
        return "aliases"
    return _SERVICE_FIELD_TO_COLUMN.get(field, field)


def error_row_order(key: str) -> tuple[int, str]:
    match = re.match(r"row (\d+)", key)
    return (int(match.group(1)) if match else 0, key)


def errors_by_row(errors: dict[str, str]) -> dict[str, str]:
    """Per-row errors in the file's order (row 3 before row 10)."""
    return dict(sorted(errors.items(), key=lambda kv: error_row_order(kv[0])))


def import_cases_csv(session: Session, actor: Actor, path_or_text: Path | str) -> ImportResult:
    """Create a case (with its first registration) for every row of a CSV file, or none.

    ``path_or_text`` is a ``Path`` (or a path string) to read, or the CSV text itself (a string
    holding a comma or a line break). Every row is validated before anything is written; any
    problem raises one ``ValidationError`` naming each row and column, and nothing is imported.
    """
    require_role(actor, Role.ADMINISTRATOR, Role.COORDINATOR, doing="import cases")
    text = read_csv_text(path_or_text)
    source = "a CSV file" if is_csv_text(path_or_text) else Path(path_or_text).name
    records = csv_records(text)
    try:
        _, header = next(records)
    except StopIteration:
        raise ValidationError.single(
            "file", "The file is empty; it needs a header row and one row per case."
        ) from None
    keys = _columns(header)
    agencies = _Agencies(session)
    rows: list[_Row] = []
    errors: dict[str, str] = {}
    for line, cells in records:
        if len(rows) >= MAX_ROWS:
            raise ValidationError.single(
                "file", f"The file has more than {MAX_ROWS:,} cases; split it into smaller files."
            )
        row, row_errors = _parse_row(line, cells, keys, agencies, source)
        errors.update(row_errors)
        if row is not None:
            rows.append(row)
    if not rows and not errors:
        raise ValidationError.single(
            "file", "The file has a header row but no cases; add one row per case."
        )
    errors.update(_identifier_clashes(session, rows))
    failed_lines = {error_row_order(k)[0] for k in errors}
    creatable = [r for r in rows if r.line not in failed_lines]

    # Create inside a savepoint: the case service checks what this module cannot (dates against
    # today, text lengths, ...); any error undoes every row created so far.
    case_ids: list[int] = []
    savepoint = session.begin_nested()
    try:
        for row in creatable:
            try:
                with session.begin_nested():
                    detail = cases.register_case(session, actor, **row.values)
            except ValidationError as exc:
                for field, message in exc.errors.items():
                    errors.setdefault(f"row {row.line}, {_service_column(field)}", message)
                continue
            case_ids.append(detail.id)
        if errors:
            raise ValidationError(errors_by_row(errors))
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return ImportResult(created=len(case_ids), case_ids=tuple(case_ids))
