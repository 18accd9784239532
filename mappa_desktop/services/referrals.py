"""Referrals to Level 2 or 3 (MAPPA A): recording, screening by the co-ordinator, and the
proposal of accepted referrals for their initial meeting (DOMAIN.md §3.1).

A referral names a case already on the system (a new offender is registered first, at the
level the lead agency manages them at). Referrals reach the MAPPA co-ordinator, who records
them (or imports them) and screens them: accept at a level (the case's registration moves to
that level with the screening reason as its rationale), decline with a reason, or return for
more information (the referral can then be resubmitted). Only the co-ordinator and
administrator roles record and screen referrals; every write is audited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import Session, aliased

from mappa_desktop.db.models import (
    Agency,
    Case,
    CaseDiscussion,
    CaseIdentifier,
    Meeting,
    Person,
    Referral,
    Registration,
    User,
)
from mappa_desktop.domain.coordination import (
    SCREENING_RESULT,
    ReferralSource,
    ReferralStatus,
    ScreeningOutcome,
)
from mappa_desktop.domain.enums import IdentifierScheme, MeetingStatus, Role, RoshLevel
from mappa_desktop.domain.errors import StateError, ValidationError
from mappa_desktop.domain.validation import MAX_SHORT, MAX_TEXT, Checker
from mappa_desktop.services import audit, registration
from mappa_desktop.services.actor import Actor, require_role
from mappa_desktop.services.attendance import resolve_person
from mappa_desktop.services.common import check_version, flush, get_or_404
from mappa_desktop.services.imports import (
    column_key,
    csv_records,
    errors_by_row,
    is_csv_text,
    parse_date,
    read_csv_text,
)
from mappa_desktop.services.people import resolve_agency

COORDINATION_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)
EDITABLE_FIELDS = (
    "referring_agency_id",
    "referral_date",
    "category",
    "level_sought",
    "reason",
    "current_rosh",
    "added_value",
    "level3_reason",
    "referrer_person_id",
    "referrer_name",
)

# --- DTOs -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReferralRow:
    id: int
    version: int
    case_id: int
    case_name: str  # "Given Family"
    referring_agency_id: int
    referring_agency: str
    referrer_person_id: int | None
    referrer_name: str  # the person's name (typed, or the linked person's)
    referral_date: date
    category: int
    level_sought: int
    reason: str
    current_rosh: RoshLevel
    added_value: str  # what multi-agency management would add
    level3_reason: str  # for Level 3: what cannot be managed at Level 2 ("" otherwise)
    source: ReferralSource
    status: ReferralStatus
    accepted_level: int | None
    screening_reason: str
    screened_on: date | None
    screened_by: str  # display name ("" until screened)
    created_at: datetime
    first_meeting_id: int | None  # accepted: the first meeting on or after the referral date
    first_meeting_date: date | None  # that lists the case
    days_to_first_meeting: int | None  # referral date -> that meeting, in calendar days

    @property
    def status_label(self) -> str:
        return self.status.label


@dataclass(frozen=True, slots=True)
class ReferralImportResult:
    created: int
    referral_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class MeetingSuggestion:
    """The next suitable meeting for an accepted referral's initial discussion."""

    referral_id: int
    case_id: int
    level: int
    meeting_id: int | None  # None: no planned meeting at that level yet (schedule one)
    meeting_date: date | None


# --- reading --------------------------------------------------------------------------------------


def _first_meeting(column: Any) -> Any:
    """A correlated subquery: ``column`` of the first meeting on or after the referral date
    whose agenda lists the referral's case."""
    return (
        select(column)
        .select_from(CaseDiscussion)
        .join(Meeting, Meeting.id == CaseDiscussion.meeting_id)
        .where(
            CaseDiscussion.case_id == Referral.case_id,
            Meeting.meeting_date >= Referral.referral_date,
        )
        .order_by(Meeting.meeting_date, Meeting.id)
        .limit(1)
        .correlate(Referral)
        .scalar_subquery()
    )


def _select() -> Select[Any]:
    referrer = aliased(Person)
    screener = aliased(Person)
    screener_user = aliased(User)
    return (
        select(
            Referral,
            Case.given_names,
            Case.family_name,
            Agency.name,
            referrer,
            screener,
            _first_meeting(Meeting.id).label("first_meeting_id"),
            _first_meeting(Meeting.meeting_date).label("first_meeting_date"),
        )
        .join(Case, Case.id == Referral.case_id)
        .join(Agency, Agency.id == Referral.referring_agency_id)
        .outerjoin(referrer, referrer.id == Referral.referrer_person_id)
        .outerjoin(screener_user, screener_user.id == Referral.screened_by_id)
        .outerjoin(screener, screener.id == screener_user.person_id)
    )


def _rows(session: Session, stmt: Select[Any]) -> list[ReferralRow]:
    out: list[ReferralRow] = []
    for r, given, family, agency, referrer, screener, meeting_id, meeting_date in session.execute(
        stmt
    ):
        accepted = r.status is ReferralStatus.ACCEPTED and meeting_id is not None
        out.append(
            ReferralRow(
                id=r.id,
                version=r.version,
                case_id=r.case_id,
                case_name=f"{given} {family}".strip(),
                referring_agency_id=r.referring_agency_id,
                referring_agency=agency,
                referrer_person_id=r.referrer_person_id,
                referrer_name=r.referrer_name or (referrer.display_name if referrer else ""),
                referral_date=r.referral_date,
                category=r.category,
                level_sought=r.level_sought,
                reason=r.reason,
                current_rosh=r.current_rosh,
                added_value=r.added_value,
                level3_reason=r.level3_reason,
                source=r.source,
                status=r.status,
                accepted_level=r.accepted_level,
                screening_reason=r.screening_reason,
                screened_on=r.screened_on,
                screened_by=screener.display_name if screener else "",
                created_at=r.created_at,
                first_meeting_id=meeting_id if accepted else None,
                first_meeting_date=meeting_date if accepted else None,
                days_to_first_meeting=(meeting_date - r.referral_date).days if accepted else None,
            )
        )
    return out


def get_referral(session: Session, referral_id: int) -> ReferralRow:
    """One referral (``NotFound`` if there is none)."""
    get_or_404(session, Referral, referral_id, "referral")
    return _rows(session, _select().where(Referral.id == referral_id))[0]


def list_referrals(
    session: Session,
    *,
    status: ReferralStatus | None = None,
    case_id: int | None = None,
) -> list[ReferralRow]:
    """Referrals, newest referral date first; optionally of one status or one case."""
    stmt = _select().order_by(Referral.referral_date.desc(), Referral.id.desc())
    if status is not None:
        stmt = stmt.where(Referral.status == status)
    if case_id is not None:
        stmt = stmt.where(Referral.case_id == case_id)
    return _rows(session, stmt)


def awaiting_screening(session: Session) -> list[ReferralRow]:
    """Referrals the co-ordinator has still to screen, oldest first (the start page's list)."""
    stmt = _select().where(Referral.status == ReferralStatus.AWAITING_SCREENING)
    return _rows(session, stmt.order_by(Referral.referral_date, Referral.id))


def _awaiting_meeting(level: int, by: date) -> Any:
    """The condition: accepted at ``level``, referred by ``by``, case on no agenda since."""
    discussed_since = (
        select(CaseDiscussion.id)
        .join(Meeting, Meeting.id == CaseDiscussion.meeting_id)
        .where(
            CaseDiscussion.case_id == Referral.case_id,
            Meeting.meeting_date >= Referral.referral_date,
        )
        .correlate(Referral)
    )
    return and_(
        Referral.status == ReferralStatus.ACCEPTED,
        Referral.accepted_level == level,
        Referral.referral_date <= by,
        ~exists(discussed_since),
    )


def cases_awaiting_initial_meeting(level: int, by: date) -> Select[int]:
    """The ids of cases with an accepted referral at ``level`` (referred on or before ``by``)
    that no meeting has discussed since the referral: for the agenda builder's ``IN``."""
    return select(Referral.case_id).where(_awaiting_meeting(level, by))


def awaiting_initial_meeting(session: Session, level: int, by: date) -> list[ReferralRow]:
    """Accepted referrals at ``level`` referred on or before ``by`` whose case has not been on
    any meeting's agenda since the referral date: what the agenda builder proposes as new
    referrals (initial meetings)."""
    stmt = _select().where(_awaiting_meeting(level, by))
    return _rows(session, stmt.order_by(Referral.referral_date, Referral.id))


def suggest_meeting(
    session: Session, referral_id: int, *, today: date | None = None
) -> MeetingSuggestion:
    """The next planned meeting at the accepted level, on or after ``today`` (default: the
    current date) and the screening date, for an accepted referral (``StateError`` if the
    referral is not accepted)."""
    referral = get_or_404(session, Referral, referral_id, "referral")
    if referral.status is not ReferralStatus.ACCEPTED or referral.accepted_level is None:
        raise StateError(
            f"Referral {referral.id} is {referral.status.label}; only an accepted referral is "
            "proposed for a meeting."
        )
    earliest = max(today or date.today(), referral.screened_on or referral.referral_date)
    found = session.execute(
        select(Meeting.id, Meeting.meeting_date)
        .where(
            Meeting.level == referral.accepted_level,
            Meeting.status == MeetingStatus.PLANNED,
            Meeting.meeting_date >= earliest,
        )
        .order_by(Meeting.meeting_date, Meeting.id)
        .limit(1)
    ).first()
    return MeetingSuggestion(
        referral_id=referral.id,
        case_id=referral.case_id,
        level=referral.accepted_level,
        meeting_id=found[0] if found else None,
        meeting_date=found[1] if found else None,
    )


# --- checks ---------------------------------------------------------------------------------------


def _check_level(check: Checker, field: str, value: object) -> int | None:
    if isinstance(value, bool) or value not in (2, 3):
        check.fail(field, "Choose Level 2 or Level 3.")
        return None
    assert isinstance(value, int)
    return value


def _check_values(session: Session, check: Checker, values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a referral's fields; returns the cleaned values (errors stay in ``check``)."""
    clean: dict[str, Any] = {}
    resolve_agency(session, "referring_agency_id", values["referring_agency_id"], check)
    clean["referring_agency_id"] = values["referring_agency_id"]
    person = resolve_person(
        session, "referrer_person_id", values["referrer_person_id"], check, what="referrer"
    )
    clean["referrer_person_id"] = values["referrer_person_id"]
    clean["referrer_name"] = (
        check.text(
            "referrer_name", values["referrer_name"], required=person is None, max_len=MAX_SHORT
        )
        or ""
    )
    day = values["referral_date"]
    if not isinstance(day, date):
        check.fail("referral_date", "Give the referral date as a date.")
    else:
        check.date_not_after("referral_date", day, date.today(), "today")
    clean["referral_date"] = day
    level = _check_level(check, "level_sought", values["level_sought"])
    clean["level_sought"] = level
    category, _ = registration.check_category_level(check, values["category"], level or 2)
    clean["category"] = category
    clean["reason"] = check.text("reason", values["reason"], max_len=MAX_TEXT)
    clean["current_rosh"] = check.enum("current_rosh", values["current_rosh"], RoshLevel)
    clean["added_value"] = check.text("added_value", values["added_value"], max_len=MAX_TEXT)
    clean["level3_reason"] = (
        check.text("level3_reason", values["level3_reason"], required=False, max_len=MAX_TEXT) or ""
    )
    if level == 3 and not clean["level3_reason"]:
        check.fail(
            "level3_reason",
            "A Level 3 referral must say which parts of the risk management plan cannot be "
            "delivered at Level 2.",
        )
    return clean


def _refuse_second_open_referral(
    session: Session, check: Checker, case_id: int, except_id: int | None = None
) -> None:
    stmt = select(Referral.id).where(
        Referral.case_id == case_id, Referral.status == ReferralStatus.AWAITING_SCREENING
    )
    if except_id is not None:
        stmt = stmt.where(Referral.id != except_id)
    open_id = session.scalar(stmt.limit(1))
    if open_id is not None:
        check.fail(
            "case_id",
            f"Case {case_id} already has a referral awaiting screening (referral {open_id}); "
            "screen that one first.",
        )


# --- writing --------------------------------------------------------------------------------------


def create_referral(
    session: Session,
    actor: Actor,
    *,
    case_id: int,
    referring_agency_id: int,
    referral_date: date,
    category: int,
    level_sought: int,
    reason: str,
    current_rosh: RoshLevel | str,
    added_value: str,
    level3_reason: str = "",
    referrer_person_id: int | None = None,
    referrer_name: str = "",
    source: ReferralSource = ReferralSource.APP,
) -> ReferralRow:
    """Record a referral (co-ordinator or administrator: referrals are sent to the co-ordinator).

    ``level3_reason`` is required when ``level_sought`` is 3. Either ``referrer_person_id`` or
    ``referrer_name`` names who referred."""
    require_role(actor, *COORDINATION_ROLES, doing="record a referral")
    check = Checker()
    case = session.get(Case, case_id) if isinstance(case_id, int) else None
    if case is None:
        check.fail("case_id", f"Case {case_id} does not exist; choose the case from the list.")
    else:
        _refuse_second_open_referral(session, check, case.id)
    clean = _check_values(
        session,
        check,
        {
            "referring_agency_id": referring_agency_id,
            "referrer_person_id": referrer_person_id,
            "referrer_name": referrer_name,
            "referral_date": referral_date,
            "category": category,
            "level_sought": level_sought,
            "reason": reason,
            "current_rosh": current_rosh,
            "added_value": added_value,
            "level3_reason": level3_reason,
        },
    )
    check.done()
    referral = Referral(
        case_id=case_id,
        source=ReferralSource(source),
        status=ReferralStatus.AWAITING_SCREENING,
        screening_reason="",
        created_by_id=actor.user_id,
        **clean,
    )
    session.add(referral)
    flush(session, "referral")
    audit.record(
        session,
        actor,
        "referral",
        referral.id,
        "create",
        audit.created({**clean, "source": referral.source}),
        case_id=case_id,
    )
    return get_referral(session, referral.id)


def _apply_acceptance(
    session: Session, actor: Actor, referral: Referral, level: int, day: date, reason: str
) -> None:
    """Move the case's registration to the accepted level (or start one)."""
    rationale = f"Referral {referral.id} accepted at Level {level} on screening: {reason}"
    current = session.scalar(
        select(Registration).where(
            Registration.case_id == referral.case_id, Registration.is_current
        )
    )
    if current is not None and current.ended_on is None:
        registration.change_registration(
            session,
            actor,
            referral.case_id,
            category=referral.category,
            level=level,
            rationale=rationale,
            effective_date=day,
        )
        return
    if current is not None:  # re-referred after leaving MAPPA: a new registration period
        left = current.ended_on
        if left is not None and day < left:
            raise ValidationError.single(
                "screened_on",
                f"The case left MAPPA on {left.isoformat()}; the screening date must not be "
                "earlier.",
            )
        current.is_current = False
        flush(session, "registration", current.id)
    registration.create_first_registration(
        session,
        actor,
        referral.case_id,
        category=referral.category,
        level=level,
        start_date=day,
        rationale=rationale,
    )


def screen_referral(
    session: Session,
    actor: Actor,
    referral_id: int,
    *,
    outcome: ScreeningOutcome | str,
    reason: str,
    level: int | None = None,
    screened_on: date | None = None,
    expected_version: int | None = None,
) -> ReferralRow:
    """The co-ordinator's decision (co-ordinator or administrator role only).

    ``accept`` needs ``level`` (2 or 3) and moves the case's registration to it (or starts one);
    every outcome needs a ``reason`` (the rationale, the reason for declining, or what more
    information is needed). Only a referral awaiting screening can be screened. ``screened_on``
    defaults to today."""
    require_role(actor, *COORDINATION_ROLES, doing="screen a referral")
    referral = get_or_404(session, Referral, referral_id, "referral")
    check_version(
        referral, expected_version, "referral", lambda: get_referral(session, referral_id)
    )
    if referral.status is not ReferralStatus.AWAITING_SCREENING:
        raise StateError(
            f"Referral {referral.id} is already {referral.status.label}; only a referral awaiting "
            "screening can be screened."
        )
    day = screened_on or date.today()
    check = Checker()
    clean_outcome = check.enum("outcome", outcome, ScreeningOutcome)
    clean_reason = check.text("reason", reason, max_len=MAX_TEXT)
    accepted_level = None
    if clean_outcome is ScreeningOutcome.ACCEPT:
        accepted_level = _check_level(check, "level", level)
    elif level is not None:
        check.fail("level", "A level is given only when the referral is accepted.")
    check.date_not_before("screened_on", day, referral.referral_date, "the referral date")
    check.date_not_after("screened_on", day, date.today(), "today")
    check.done()
    assert clean_outcome is not None and clean_reason is not None
    values: dict[str, Any] = {
        "status": SCREENING_RESULT[clean_outcome],
        "accepted_level": accepted_level,
        "screening_reason": clean_reason,
        "screened_on": day,
        "screened_by_id": actor.user_id,
    }
    changes = audit.changes_between(referral, values)
    for name, value in values.items():
        setattr(referral, name, value)
    flush(session, "referral", referral.id)
    audit.record(
        session, actor, "referral", referral.id, "screen", changes, case_id=referral.case_id
    )
    if accepted_level is not None:
        _apply_acceptance(session, actor, referral, accepted_level, day, clean_reason)
    return get_referral(session, referral.id)


def resubmit_referral(
    session: Session,
    actor: Actor,
    referral_id: int,
    *,
    expected_version: int | None = None,
    **fields: Any,
) -> ReferralRow:
    """Put a referral returned for more information back for screening, with changed fields
    (any of ``EDITABLE_FIELDS``)."""
    require_role(actor, *COORDINATION_ROLES, doing="resubmit a referral")
    referral = get_or_404(session, Referral, referral_id, "referral")
    check_version(
        referral, expected_version, "referral", lambda: get_referral(session, referral_id)
    )
    if referral.status is not ReferralStatus.RETURNED:
        raise StateError(
            f"Referral {referral.id} is {referral.status.label}; only a referral returned for "
            "more information can be resubmitted."
        )
    check = Checker()
    for name in fields:
        if name not in EDITABLE_FIELDS:
            check.fail(name, f"'{name}' cannot be changed; use: {', '.join(EDITABLE_FIELDS)}.")
    check.done()
    values = {name: getattr(referral, name) for name in EDITABLE_FIELDS}
    values.update(fields)
    _refuse_second_open_referral(session, check, referral.case_id, except_id=referral.id)
    clean = _check_values(session, check, values)
    check.done()
    clean.update(
        status=ReferralStatus.AWAITING_SCREENING,
        screened_on=None,
        screened_by_id=None,
        screening_reason="",
    )
    changes = audit.changes_between(referral, clean)
    for name, value in clean.items():
        setattr(referral, name, value)
    flush(session, "referral", referral.id)
    audit.record(
        session, actor, "referral", referral.id, "resubmit", changes, case_id=referral.case_id
    )
    return get_referral(session, referral.id)


# --- CSV import -----------------------------------------------------------------------------------

REQUIRED_COLUMNS = (
    "referring_agency",
    "referrer_name",
    "referral_date",
    "category",
    "level_sought",
    "reason",
    "current_rosh",
    "added_value",
)
CASE_COLUMNS: Mapping[str, IdentifierScheme | None] = {
    "case_id": None,
    "crn": IdentifierScheme.CRN,
    "pnc": IdentifierScheme.PNC,
    "visor": IdentifierScheme.VISOR,
    "nomis": IdentifierScheme.NOMIS,
}
OPTIONAL_COLUMNS = ("level3_reason", *CASE_COLUMNS)
MAX_ROWS = 5_000
# Where a field error from ``create_referral`` belongs in the file.
_FIELD_TO_COLUMN = {
    "referring_agency_id": "referring_agency",
    "referrer_person_id": "referrer_name",
}
_NUMBER = re.compile(r"^(?:(?:category|cat|level|l)\s*)?(\d+)$", re.IGNORECASE)


def _import_columns(header: list[str]) -> list[str]:
    keys = [column_key(h) for h in header]
    known = {*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS}
    errors: dict[str, str] = {}
    missing = [c for c in REQUIRED_COLUMNS if c not in keys]
    if missing:
        errors["columns"] = (
            f"The header row has no {', '.join(missing)} column; every referral file needs: "
            f"{', '.join(REQUIRED_COLUMNS)}."
        )
    if not any(c in keys for c in CASE_COLUMNS):
        errors["case"] = (
            f"The header row names no case column; add one of: {', '.join(CASE_COLUMNS)}."
        )
    unknown = [h.strip() or "(blank)" for h, k in zip(header, keys, strict=True) if k not in known]
    if unknown:
        errors["unknown_columns"] = (
            f"Unknown columns: {', '.join(unknown)}; the optional columns are: "
            f"{', '.join(OPTIONAL_COLUMNS)}."
        )
    if errors:
        raise ValidationError(errors)
    return keys


def _find_case(session: Session, check: Checker, raw: Mapping[str, str]) -> int | None:
    for column, scheme in CASE_COLUMNS.items():
        text = raw.get(column, "").strip()
        if not text:
            continue
        if scheme is None:
            case_id = int(text) if text.isdigit() else None
            if case_id is None or session.get(Case, case_id) is None:
                check.fail("case_id", f"There is no case {text}; give an existing case id.")
            return case_id
        found = session.scalar(
            select(CaseIdentifier.case_id).where(
                CaseIdentifier.scheme == scheme, CaseIdentifier.value == text
            )
        )
        if found is None:
            check.fail(column, f"No case has the {column.upper()} {text}; check the number.")
        return found
    check.fail("case", f"Give the case: fill one of {', '.join(CASE_COLUMNS)}.")
    return None


def _import_value(check: Checker, column: str, text: str) -> int | None:
    match = _NUMBER.match(text.strip())
    if match is None:
        check.fail(column, f"'{text.strip()}' is not a number; write e.g. 2.")
        return None
    return int(match.group(1))


def _parse_import_row(
    session: Session, raw: Mapping[str, str], agencies: Mapping[str, int]
) -> tuple[dict[str, Any], dict[str, str]]:
    check = Checker()
    values: dict[str, Any] = {"case_id": _find_case(session, check, raw)}
    agency = raw["referring_agency"].strip()
    values["referring_agency_id"] = agencies.get(agency.casefold())
    if values["referring_agency_id"] is None:
        check.fail("referring_agency", f"There is no agency called '{agency}'.")
    values["referrer_name"] = raw["referrer_name"]
    try:
        values["referral_date"] = parse_date(raw["referral_date"].strip())
    except ValueError:
        check.fail("referral_date", "Write the date as YYYY-MM-DD or DD/MM/YYYY.")
    values["category"] = _import_value(check, "category", raw["category"])
    values["level_sought"] = _import_value(check, "level_sought", raw["level_sought"])
    values["current_rosh"] = re.sub(r"[\s\-]+", "_", raw["current_rosh"].strip().casefold())
    for column in ("reason", "added_value", "level3_reason"):
        values[column] = raw.get(column, "")
    return values, check.errors


def import_referrals_csv(
    session: Session, actor: Actor, path_or_text: Path | str
) -> ReferralImportResult:
    """Import referrals from a CSV file (or its text): all rows or none, with every row's
    problems reported together (``ValidationError`` keyed "row N, column"; N is the file's
    line number). The case is named by ``case_id`` or an identifier column (crn, pnc, visor,
    nomis); the referring agency by its full or short name."""
    require_role(actor, *COORDINATION_ROLES, doing="import referrals")
    text = read_csv_text(path_or_text)
    source = "a CSV file" if is_csv_text(path_or_text) else Path(path_or_text).name
    records = csv_records(text)
    try:
        _, header = next(records)
    except StopIteration:
        raise ValidationError.single("file", f"{source} is empty; it needs a header row.") from None
    keys = _import_columns(header)
    agencies: dict[str, int] = {}
    for agency in session.scalars(select(Agency)):
        agencies[agency.name.casefold()] = agency.id
        agencies[agency.short_name.casefold()] = agency.id
    errors: dict[str, str] = {}
    ids: list[int] = []
    savepoint = session.begin_nested()
    try:
        for count, (line, cells) in enumerate(records, start=1):
            if count > MAX_ROWS:
                raise ValidationError.single(
                    "file", f"The file has more than {MAX_ROWS:,} referrals; split it."
                )
            if len(cells) != len(keys):
                errors[f"row {line}"] = (
                    f"This row has {len(cells)} values but the header has {len(keys)} columns."
                )
                continue
            values, row_errors = _parse_import_row(
                session, dict(zip(keys, cells, strict=True)), agencies
            )
            errors.update({f"row {line}, {f}": m for f, m in row_errors.items()})
            if row_errors:
                continue
            try:
                with session.begin_nested():
                    ids.append(
                        create_referral(session, actor, source=ReferralSource.IMPORT, **values).id
                    )
            except ValidationError as exc:
                for field, message in exc.errors.items():
                    errors[f"row {line}, {_FIELD_TO_COLUMN.get(field, field)}"] = message
        if not ids and not errors:
            raise ValidationError.single("file", "The file has a header row but no referrals.")
        if errors:
            raise ValidationError(errors_by_row(errors))
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return ReferralImportResult(created=len(ids), referral_ids=tuple(ids))
