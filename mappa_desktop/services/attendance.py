"""Who attended a meeting, for which agency, and which agencies are missing.

One row per person per meeting (a second call for the same person updates it); a row without a
person is the agency's own entry (e.g. "written report submitted" or "apologies from Housing"),
one per agency per meeting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import (
    Agency,
    Attendance,
    Case,
    CaseAttendance,
    CaseDiscussion,
    InvitedAgency,
    Meeting,
    Person,
)
from mappa_desktop.domain.enums import AgencyKind, AttendanceStatus
from mappa_desktop.domain.validation import Checker
from mappa_desktop.services import audit, meeting_guard
from mappa_desktop.services.actor import Actor, require_writer
from mappa_desktop.services.common import flush, get_or_404
from mappa_desktop.services.people import resolve_agency

ATTENDED = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY})
NEEDS_PERSON = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY})


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    id: int
    version: int
    meeting_id: int
    person_id: int | None
    person_name: str  # "" for an agency's own entry
    role_title: str
    agency_id: int
    agency_name: str
    agency_short_name: str
    status: AttendanceStatus
    deputy_for_id: int | None
    deputy_for_name: str
    arrived_at: time | None
    departed_at: time | None


def attendance_row(
    row: Attendance, persons: Mapping[int, Person], agencies: Mapping[int, Agency]
) -> AttendanceRow:
    person = persons.get(row.person_id) if row.person_id is not None else None
    deputy_for = persons.get(row.deputy_for_id) if row.deputy_for_id is not None else None
    agency = agencies[row.agency_id]
    return AttendanceRow(
        id=row.id,
        version=row.version,
        meeting_id=row.meeting_id,
        person_id=row.person_id,
        person_name=person.display_name if person else "",
        role_title=person.role_title if person else "",
        agency_id=row.agency_id,
        agency_name=agency.name,
        agency_short_name=agency.short_name,
        status=row.status,
        deputy_for_id=row.deputy_for_id,
        deputy_for_name=deputy_for.display_name if deputy_for else "",
        arrived_at=row.arrived_at,
        departed_at=row.departed_at,
    )


def resolve_person(
    session: Session,
    field: str,
    person_id: int | None,
    check: Checker,
    *,
    required: bool = False,
    what: str = "person",
) -> Person | None:
    """The person ``person_id`` names, or a field error (unknown, inactive, or missing)."""
    if person_id is None:
        if required:
            check.fail(field, f"Choose the {what}; it is required.")
        return None
    if isinstance(person_id, bool) or not isinstance(person_id, int):
        check.fail(field, f"Choose the {what} from the list of people.")
        return None
    person = session.get(Person, person_id)
    if person is None:
        check.fail(field, f"Person {person_id} does not exist; choose the {what} from the list.")
        return None
    if not person.active:
        check.fail(field, f"{person.display_name} is no longer active; choose another {what}.")
        return None
    return person


def record_attendance(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    agency_id: int,
    status: AttendanceStatus | str,
    person_id: int | None = None,
    deputy_for_id: int | None = None,
    arrived_at: time | None = None,
    departed_at: time | None = None,
) -> AttendanceRow:
    """Record (or update) one person's or one agency's attendance at a meeting."""
    require_writer(actor, "record attendance")
    meeting_guard.note_content_change(session, actor, meeting_id)
    check = Checker()
    clean_status = check.enum("status", status, AttendanceStatus)
    resolve_agency(session, "agency", agency_id, check)
    person = resolve_person(session, "person", person_id, check, what="attendee")
    if clean_status in NEEDS_PERSON and person_id is None:
        check.fail(
            "person",
            f"Choose who attended: a '{clean_status.value}' entry names a person.",
        )
    if clean_status is AttendanceStatus.DEPUTY:
        resolve_person(
            session, "deputy_for", deputy_for_id, check, required=True, what="person deputised for"
        )
        if deputy_for_id is not None and deputy_for_id == person_id:
            check.fail("deputy_for", "A person cannot deputise for themselves; choose whom.")
    elif deputy_for_id is not None:
        check.fail(
            "deputy_for",
            "Only a deputy names the person they stand in for; set the status to deputy "
            "or leave this empty.",
        )
    if arrived_at is not None and departed_at is not None and departed_at < arrived_at:
        check.fail(
            "departed_at",
            f"The departure time ({departed_at.strftime('%H:%M')}) is before the arrival time "
            f"({arrived_at.strftime('%H:%M')}); correct one of them.",
        )
    check.done()
    assert clean_status is not None

    stmt = select(Attendance).where(Attendance.meeting_id == meeting_id)
    if person is not None:
        stmt = stmt.where(Attendance.person_id == person.id)
    else:
        stmt = stmt.where(Attendance.person_id.is_(None), Attendance.agency_id == agency_id)
    row = session.scalar(stmt)
    values: dict[str, object] = {
        "agency_id": agency_id,
        "status": clean_status,
        "deputy_for_id": deputy_for_id if clean_status is AttendanceStatus.DEPUTY else None,
        "arrived_at": arrived_at,
        "departed_at": departed_at,
    }
    if row is None:
        row = Attendance(meeting_id=meeting_id, person_id=person_id, **values)
        session.add(row)
        flush(session, "attendance")
        audit.record(
            session,
            actor,
            "attendance",
            row.id,
            "create",
            audit.created({"person_id": person_id, **values}),
            meeting_id=meeting_id,
        )
    else:
        changes = audit.changes_between(row, values)
        for key, value in values.items():
            setattr(row, key, value)
        flush(session, "attendance", row.id)
        if changes:
            audit.record(
                session, actor, "attendance", row.id, "update", changes, meeting_id=meeting_id
            )
    ids = {i for i in (row.person_id, row.deputy_for_id) if i is not None}
    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    agency = get_or_404(session, Agency, row.agency_id, "agency")
    return attendance_row(row, persons, {agency.id: agency})


def list_attendance(session: Session, meeting_id: int) -> list[AttendanceRow]:
    """The meeting's attendance in the order it was recorded."""
    get_or_404(session, Meeting, meeting_id, "meeting")
    rows = list(
        session.scalars(
            select(Attendance).where(Attendance.meeting_id == meeting_id).order_by(Attendance.id)
        )
    )
    ids = {i for r in rows for i in (r.person_id, r.deputy_for_id) if i is not None}
    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    return [attendance_row(r, persons, agencies) for r in rows]


def warnings_for(
    attendance: Iterable[AttendanceRow],
    agencies: Iterable[Agency],
    invited: Iterable[tuple[int, str]],
) -> list[str]:
    """Attendance warnings from already-loaded data.

    ``invited`` holds (agency_id, case display name) for each agency invited for a case."""
    rows = list(attendance)
    by_id = {a.id: a for a in agencies}
    attended = {r.agency_id for r in rows if r.status in ATTENDED}
    reported = {r.agency_id for r in rows if r.status is AttendanceStatus.REPORT_SUBMITTED}
    out: list[str] = []
    for agency in sorted(by_id.values(), key=lambda a: a.name.casefold()):
        if (
            agency.kind is AgencyKind.RESPONSIBLE_AUTHORITY
            and agency.active
            and agency.id not in attended
        ):
            out.append(
                f"No one from {agency.name} is recorded as present or as a deputy; "
                "the Responsible Authority should be represented at every meeting."
            )
    cases_by_agency: dict[int, list[str]] = {}
    for agency_id, case_name in invited:
        names = cases_by_agency.setdefault(agency_id, [])
        if case_name not in names:
            names.append(case_name)
    for agency_id in sorted(cases_by_agency, key=lambda i: by_id[i].name.casefold()):
        if agency_id in attended or agency_id in reported:
            continue
        cases = ", ".join(cases_by_agency[agency_id])
        out.append(
            f"{by_id[agency_id].name} was invited (for {cases}) but no one attended and no "
            "written report is recorded; record their report or note why it is missing."
        )
    return out


def attendance_warnings(session: Session, meeting_id: int) -> list[str]:
    """Sentences about missing Responsible Authority agencies and silent invited agencies."""
    rows = list_attendance(session, meeting_id)
    invited_stmt = (
        select(InvitedAgency.agency_id, Case.given_names, Case.family_name)
        .join(CaseDiscussion, CaseDiscussion.id == InvitedAgency.discussion_id)
        .join(Case, Case.id == CaseDiscussion.case_id)
        .where(CaseDiscussion.meeting_id == meeting_id)
        .order_by(CaseDiscussion.agenda_order, InvitedAgency.id)
    )
    invited = [
        (agency_id, f"{given} {family}".strip())
        for agency_id, given, family in session.execute(invited_stmt)
    ]
    agencies = list(session.scalars(select(Agency)))
    return warnings_for(rows, agencies, invited)


# --- who is there for one case (migration 0008) ---------------------------------------------------

CORE, INVITED, OTHER = "core", "invited", "other"
_PANEL_ORDER = {CORE: 0, INVITED: 1, OTHER: 2}


@dataclass(frozen=True, slots=True)
class CaseAttendeeRow:
    """One entry of a case's attendance. ``id`` None: derived from the meeting-wide attendance
    (or an invited agency with nothing recorded), no case row to edit; ``status`` None: invited,
    nothing recorded yet (absent in the record). ``panel``: "core", "invited" or "other"."""

    id: int | None
    discussion_id: int
    agency_id: int
    agency_name: str
    agency_kind: AgencyKind
    person_id: int | None
    person_name: str
    role_title: str
    status: AttendanceStatus | None
    panel: str
    in_room: bool  # present, or a deputy, for this case
    version: int | None


def case_attendees(
    discussion_id: int,
    *,
    meeting_wide: Iterable[Attendance],
    case_rows: Iterable[CaseAttendance],
    invited: Iterable[int],
    coordinator_id: int | None,
    persons: Mapping[int, Person],
    agencies: Mapping[int, Agency],
) -> list[CaseAttendeeRow]:
    """Who was there for one case, from already-loaded data (``persons`` must hold every person
    named, the co-ordinator included; ``agencies`` every agency).

    The core panel (Responsible Authority agencies and the co-ordinator) and the agencies invited
    for the case come with their meeting-wide status; a case row for the same agency and person
    overrides it (someone left the room: absent). An invited agency with nothing recorded is
    one entry with no person and no status. A case row for any other agency is "other".
    Meeting-wide attendees of agencies neither core nor invited are not listed."""
    invited_ids = set(invited)

    def panel(agency_id: int, person_id: int | None) -> str:
        if agencies[agency_id].kind is AgencyKind.RESPONSIBLE_AUTHORITY or (
            person_id is not None and person_id == coordinator_id
        ):
            return CORE
        return INVITED if agency_id in invited_ids else OTHER

    found: dict[tuple[int, int | None], tuple[AttendanceStatus | None, CaseAttendance | None]] = {}
    for a in meeting_wide:
        if panel(a.agency_id, a.person_id) != OTHER:
            found[(a.agency_id, a.person_id)] = (a.status, None)
    coordinator = persons.get(coordinator_id) if coordinator_id is not None else None
    if coordinator is not None and not any(p == coordinator.id for _, p in found):
        found[(coordinator.agency_id, coordinator.id)] = (None, None)
    for row in case_rows:
        found[(row.agency_id, row.person_id)] = (row.status, row)
    present_agencies = {agency_id for agency_id, _ in found}
    for agency_id in invited_ids - present_agencies:
        found[(agency_id, None)] = (None, None)
    out = [
        _case_attendee(discussion_id, key, status, row, panel(*key), persons, agencies)
        for key, (status, row) in found.items()
    ]
    out.sort(
        key=lambda r: (
            _PANEL_ORDER[r.panel],
            r.agency_name.casefold(),
            r.person_name.casefold(),
            r.person_id or 0,
        )
    )
    return out


def _case_attendee(
    discussion_id: int,
    key: tuple[int, int | None],
    status: AttendanceStatus | None,
    row: CaseAttendance | None,
    panel: str,
    persons: Mapping[int, Person],
    agencies: Mapping[int, Agency],
) -> CaseAttendeeRow:
    agency_id, person_id = key
    agency = agencies[agency_id]
    person = persons.get(person_id) if person_id is not None else None
    return CaseAttendeeRow(
        id=row.id if row is not None else None,
        discussion_id=discussion_id,
        agency_id=agency.id,
        agency_name=agency.name,
        agency_kind=agency.kind,
        person_id=person_id,
        person_name=person.display_name if person else "",
        role_title=person.role_title if person else "",
        status=status,
        panel=panel,
        in_room=status in ATTENDED,
        version=row.version if row is not None else None,
    )


def case_attendance(session: Session, discussion_id: int) -> list[CaseAttendeeRow]:
    """Who was there for one case (``case_attendees``' rules), core panel first."""
    discussion = get_or_404(session, CaseDiscussion, discussion_id, "case discussion")
    meeting = get_or_404(session, Meeting, discussion.meeting_id, "meeting")
    meeting_wide = list(
        session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    )
    case_rows = list(
        session.scalars(select(CaseAttendance).where(CaseAttendance.discussion_id == discussion.id))
    )
    invited = list(
        session.scalars(
            select(InvitedAgency.agency_id).where(InvitedAgency.discussion_id == discussion.id)
        )
    )
    ids = {r.person_id for r in meeting_wide if r.person_id is not None}
    ids.update(r.person_id for r in case_rows if r.person_id is not None)
    if meeting.coordinator_id is not None:
        ids.add(meeting.coordinator_id)
    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    return case_attendees(
        discussion.id,
        meeting_wide=meeting_wide,
        case_rows=case_rows,
        invited=invited,
        coordinator_id=meeting.coordinator_id,
        persons=persons,
        agencies=agencies,
    )


def _case_row(
    session: Session, discussion_id: int, agency_id: int, person_id: int | None
) -> CaseAttendance | None:
    stmt = select(CaseAttendance).where(
        CaseAttendance.discussion_id == discussion_id, CaseAttendance.agency_id == agency_id
    )
    if person_id is None:
        stmt = stmt.where(CaseAttendance.person_id.is_(None))
    else:
        stmt = stmt.where(CaseAttendance.person_id == person_id)
    return session.scalar(stmt)


def _entry_for(
    session: Session, discussion_id: int, agency_id: int, person_id: int | None
) -> CaseAttendeeRow:
    for entry in case_attendance(session, discussion_id):
        if (entry.agency_id, entry.person_id) == (agency_id, person_id):
            return entry
    raise AssertionError("a recorded case attendance is always listed")  # pragma: no cover


def _check_case_entry(
    session: Session,
    check: Checker,
    agency_id: int,
    person_id: int | None,
) -> None:
    """The agency, and the person (if any) as one of that agency's people."""
    resolve_agency(session, "agency", agency_id, check)
    person = resolve_person(session, "person", person_id, check, what="attendee")
    agency = session.get(Agency, agency_id) if isinstance(agency_id, int) else None
    if person is not None and agency is not None and person.agency_id != agency.id:
        check.fail(
            "person",
            f"{person.display_name} works for {person.agency.name}, not {agency.name}; choose "
            f"someone from {agency.name} or the agency {person.display_name} works for.",
        )


def record_case_attendance(
    session: Session,
    actor: Actor,
    discussion_id: int,
    *,
    agency_id: int,
    person_id: int | None = None,
    status: AttendanceStatus | str,
) -> CaseAttendeeRow:
    """Record (or update) one person's or one agency's attendance for one case: present,
    apologies, absent (e.g. left the room), deputy, or a written report received. Allowed for
    any agency: one neither core nor invited is listed as "other"."""
    require_writer(actor, "record attendance for a case")
    discussion = get_or_404(session, CaseDiscussion, discussion_id, "case discussion")
    meeting = meeting_guard.note_content_change(session, actor, discussion.meeting_id)
    check = Checker()
    clean_status = check.enum("status", status, AttendanceStatus)
    _check_case_entry(session, check, agency_id, person_id)
    if clean_status in NEEDS_PERSON and person_id is None:
        check.fail(
            "person",
            f"Choose who attended: a '{clean_status.value}' entry names a person.",
        )
    check.done()
    assert clean_status is not None
    row = _case_row(session, discussion.id, agency_id, person_id)
    if row is None:
        row = CaseAttendance(
            discussion_id=discussion.id,
            agency_id=agency_id,
            person_id=person_id,
            status=clean_status,
        )
        session.add(row)
        flush(session, "case attendance")
        changes = audit.created(
            {
                "discussion_id": discussion.id,
                "agency_id": agency_id,
                "person_id": person_id,
                "status": clean_status,
            }
        )
        audit.record(
            session,
            actor,
            "case_attendance",
            row.id,
            "create",
            changes,
            case_id=discussion.case_id,
            meeting_id=meeting.id,
        )
    elif row.status is not clean_status:
        changes = audit.changes_between(row, {"status": clean_status})
        row.status = clean_status
        flush(session, "case attendance", row.id)
        audit.record(
            session,
            actor,
            "case_attendance",
            row.id,
            "update",
            changes,
            case_id=discussion.case_id,
            meeting_id=meeting.id,
        )
    return _entry_for(session, discussion.id, agency_id, person_id)


def clear_case_attendance(
    session: Session,
    actor: Actor,
    discussion_id: int,
    *,
    agency_id: int,
    person_id: int | None = None,
) -> None:
    """Remove what was recorded for this agency or person for this case: their entry goes back
    to the one derived from the meeting-wide attendance (nothing to remove: nothing changes)."""
    require_writer(actor, "record attendance for a case")
    discussion = get_or_404(session, CaseDiscussion, discussion_id, "case discussion")
    meeting = meeting_guard.note_content_change(session, actor, discussion.meeting_id)
    row = _case_row(session, discussion.id, agency_id, person_id)
    if row is None:
        return
    audit.record(
        session,
        actor,
        "case_attendance",
        row.id,
        "delete",
        {
            "agency_id": [row.agency_id, None],
            "person_id": [row.person_id, None],
            "status": [row.status.value, None],
        },
        case_id=discussion.case_id,
        meeting_id=meeting.id,
    )
    session.delete(row)
    flush(session, "case attendance", row.id)
