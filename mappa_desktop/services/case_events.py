"""Case events between meetings: returns to custody, notification breaches, civil orders,
serious further offences, serious case reviews and exits from MAPPA (DOMAIN.md §6.5, §7a).

Each event has a date and a source, is audited, shows on the case record and the chronology,
and is offered to the next meeting's agenda ("since the case was last discussed"). Recording a
MAPPA exit also ends the case's current registration on that date (when it has not ended
already). Only the co-ordinator and administrator roles record or correct events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from mappa_desktop.db.models import (
    Agency,
    Case,
    CaseDiscussion,
    CaseEvent,
    Meeting,
    Person,
    Registration,
    User,
)
from mappa_desktop.domain.coordination import SUBTYPE_LABELS, CaseEventKind, subtype_problem
from mappa_desktop.domain.validation import MAX_SHORT, MAX_TEXT, Checker
from mappa_desktop.services import audit, registration
from mappa_desktop.services.actor import Actor, require_role
from mappa_desktop.services.common import check_version, flush, get_or_404
from mappa_desktop.services.people import resolve_agency
from mappa_desktop.services.referrals import COORDINATION_ROLES

CORRECTABLE_FIELDS = ("event_date", "source", "source_agency_id", "subtype", "detail", "restricted")

# --- DTOs -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseEventRow:
    id: int
    version: int
    case_id: int
    kind: CaseEventKind
    subtype: str | None  # CustodyReason / BreachOutcome / CivilOrder value, by kind
    event_date: date
    source: str
    source_agency_id: int | None
    source_agency: str
    detail: str
    restricted: bool
    recorded_by: str
    recorded_at: datetime

    @property
    def label(self) -> str:
        """E.g. "Returned to custody: breach of licence"."""
        if self.subtype:
            return f"{self.kind.label}: {SUBTYPE_LABELS.get(self.subtype, self.subtype)}"
        return self.kind.label


# --- reading --------------------------------------------------------------------------------------


def _select() -> Select[CaseEvent, str, Person]:
    recorder = aliased(Person)
    return (
        select(CaseEvent, Agency.name, recorder)
        .outerjoin(Agency, Agency.id == CaseEvent.source_agency_id)
        .outerjoin(User, User.id == CaseEvent.recorded_by_id)
        .outerjoin(recorder, recorder.id == User.person_id)
    )


def _rows(session: Session, stmt: Select[CaseEvent, str, Person]) -> list[CaseEventRow]:
    return [
        CaseEventRow(
            id=e.id,
            version=e.version,
            case_id=e.case_id,
            kind=e.kind,
            subtype=e.subtype,
            event_date=e.event_date,
            source=e.source,
            source_agency_id=e.source_agency_id,
            source_agency=agency or "",
            detail=e.detail,
            restricted=e.restricted,
            recorded_by=person.display_name if person else "",
            recorded_at=e.recorded_at,
        )
        for e, agency, person in session.execute(stmt)
    ]


def get_case_event(session: Session, event_id: int) -> CaseEventRow:
    get_or_404(session, CaseEvent, event_id, "case event")
    return _rows(session, _select().where(CaseEvent.id == event_id))[0]


def list_case_events(session: Session, case_id: int) -> list[CaseEventRow]:
    """A case's events, oldest first."""
    get_or_404(session, Case, case_id, "case")
    stmt = _select().where(CaseEvent.case_id == case_id)
    return _rows(session, stmt.order_by(CaseEvent.event_date, CaseEvent.id))


def events_since_last_meeting(session: Session, meeting_id: int) -> dict[int, list[CaseEventRow]]:
    """For each case on the meeting's agenda: its events dated after the last earlier meeting
    that discussed it (all its events when it was never discussed), up to the meeting date.
    One statement for the whole agenda; cases without such events are left out."""
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    earlier = aliased(Meeting)
    earlier_discussion = aliased(CaseDiscussion)
    last_discussed = (
        select(func.max(earlier.meeting_date))
        .select_from(earlier_discussion)
        .join(earlier, earlier.id == earlier_discussion.meeting_id)
        .where(
            earlier_discussion.case_id == CaseEvent.case_id,
            earlier.meeting_date < meeting.meeting_date,
        )
        .correlate(CaseEvent)
        .scalar_subquery()
    )
    stmt = (
        _select()
        .join(CaseDiscussion, CaseDiscussion.case_id == CaseEvent.case_id)
        .where(
            CaseDiscussion.meeting_id == meeting.id,
            CaseEvent.event_date <= meeting.meeting_date,
            or_(last_discussed.is_(None), CaseEvent.event_date > last_discussed),
        )
        .order_by(CaseEvent.case_id, CaseEvent.event_date, CaseEvent.id)
    )
    out: dict[int, list[CaseEventRow]] = {}
    for row in _rows(session, stmt):
        out.setdefault(row.case_id, []).append(row)
    return out


# --- writing --------------------------------------------------------------------------------------


def _check(
    session: Session, check: Checker, kind: CaseEventKind | None, values: dict[str, Any]
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    day = values["event_date"]
    if not isinstance(day, date):
        check.fail("event_date", "Give the date of the event as a date.")
    else:
        check.date_not_after("event_date", day, date.today(), "today")
    clean["event_date"] = day
    clean["source"] = check.text("source", values["source"], max_len=MAX_SHORT)
    if values["source_agency_id"] is not None:
        resolve_agency(session, "source_agency_id", values["source_agency_id"], check)
    clean["source_agency_id"] = values["source_agency_id"]
    subtype = (values["subtype"] or "").strip() or None
    if kind is not None:
        problem = subtype_problem(kind, subtype)
        if problem:
            check.fail("subtype", problem)
    clean["subtype"] = subtype
    clean["detail"] = check.text("detail", values["detail"], required=False, max_len=MAX_TEXT) or ""
    if not isinstance(values["restricted"], bool):
        check.fail("restricted", "Say yes or no: is this event restricted?")
    clean["restricted"] = bool(values["restricted"])
    return clean


def _end_registration_on_exit(
    session: Session, actor: Actor, case_id: int, day: date, detail: str, source: str
) -> None:
    current = session.scalar(
        select(Registration).where(Registration.case_id == case_id, Registration.is_current)
    )
    if current is None or current.ended_on is not None:
        return
    registration.end_registration(
        session, actor, case_id, ended_on=day, end_reason=detail or f"Exit from MAPPA ({source})"
    )


def record_case_event(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    kind: CaseEventKind | str,
    event_date: date,
    source: str,
    subtype: str | None = None,
    source_agency_id: int | None = None,
    detail: str = "",
    restricted: bool = False,
) -> CaseEventRow:
    """Record an event (co-ordinator or administrator). ``subtype`` is required for returns to
    custody (the reason), notification breaches (cautioned or convicted) and civil orders (which
    order), and refused for other kinds."""
    require_role(actor, *COORDINATION_ROLES, doing="record a case event")
    get_or_404(session, Case, case_id, "case")
    check = Checker()
    clean_kind = check.enum("kind", kind, CaseEventKind)
    clean = _check(
        session,
        check,
        clean_kind,
        {
            "event_date": event_date,
            "source": source,
            "source_agency_id": source_agency_id,
            "subtype": subtype,
            "detail": detail,
            "restricted": restricted,
        },
    )
    check.done()
    assert clean_kind is not None
    event = CaseEvent(case_id=case_id, kind=clean_kind, recorded_by_id=actor.user_id, **clean)
    session.add(event)
    flush(session, "case event")
    audit.record(
        session,
        actor,
        "case_event",
        event.id,
        "create",
        audit.created({"kind": clean_kind, **clean}),
        case_id=case_id,
    )
    if clean_kind is CaseEventKind.MAPPA_EXIT:
        _end_registration_on_exit(
            session, actor, case_id, clean["event_date"], clean["detail"], clean["source"]
        )
    return get_case_event(session, event.id)


def correct_case_event(
    session: Session,
    actor: Actor,
    event_id: int,
    *,
    expected_version: int,
    **fields: Any,
) -> CaseEventRow:
    """Correct an event's date, source, detail, subtype or restricted flag (audited); its kind
    cannot change (record a new event instead)."""
    require_role(actor, *COORDINATION_ROLES, doing="correct a case event")
    event = get_or_404(session, CaseEvent, event_id, "case event")
    check_version(event, expected_version, "case event", lambda: get_case_event(session, event_id))
    check = Checker()
    for name in fields:
        if name not in CORRECTABLE_FIELDS:
            check.fail(name, f"'{name}' cannot be corrected; use: {', '.join(CORRECTABLE_FIELDS)}.")
    check.done()
    values = {name: getattr(event, name) for name in CORRECTABLE_FIELDS}
    values.update(fields)
    clean = _check(session, check, event.kind, values)
    check.done()
    changes = audit.changes_between(event, clean)
    if changes:
        for name, value in clean.items():
            setattr(event, name, value)
        flush(session, "case event", event.id)
        audit.record(
            session, actor, "case_event", event.id, "update", changes, case_id=event.case_id
        )
    return get_case_event(session, event.id)
