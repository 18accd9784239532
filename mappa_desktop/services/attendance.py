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
