"""Attendance: one row per person per meeting, agency entries, warnings about missing agencies."""

from __future__ import annotations

from datetime import time

import pytest

from mappa_desktop.domain.enums import AttendanceStatus, MeetingStatus, Role
from mappa_desktop.domain.errors import NotFound, PermissionDenied, ValidationError
from mappa_desktop.services import attendance, discussions, meetings
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import (
    agency_id,
    make_case,
    person,
    ready_meeting,
    schedule,
)


def test_record_attendance_second_call_updates_the_same_row(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        police = agency_id(s, "Police")
        pc = person(s, "Constable", "Cara")
        first = attendance.record_attendance(
            s, admin, m.id, agency_id=police, status="apologies", person_id=pc
        )
    with db.sessions.begin() as s:
        second = attendance.record_attendance(
            s,
            admin,
            m.id,
            agency_id=police,
            status=AttendanceStatus.PRESENT,
            person_id=pc,
            arrived_at=time(10, 0),
            departed_at=time(11, 15),
        )
    assert second.id == first.id
    assert second.status is AttendanceStatus.PRESENT and second.version == first.version + 1
    assert second.person_name == "Cara Constable" and second.agency_name == "Police"
    with db.sessions() as s:
        rows = attendance.list_attendance(s, m.id)
    assert [(r.person_id, r.status) for r in rows] == [(pc, AttendanceStatus.PRESENT)]


def test_record_attendance_deputy_names_whom(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        probation = agency_id(s, "Probation")
        boss, deputy = (
            person(s, "Boss", agency="Probation"),
            person(s, "Deputy", agency="Probation"),
        )
        row = attendance.record_attendance(
            s,
            admin,
            m.id,
            agency_id=probation,
            status="deputy",
            person_id=deputy,
            deputy_for_id=boss,
        )
    assert row.deputy_for_id == boss and row.deputy_for_name == "Boss"


def test_record_attendance_agency_report_without_a_person(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        housing = agency_id(s, "Housing")
        first = attendance.record_attendance(s, admin, m.id, agency_id=housing, status="apologies")
        second = attendance.record_attendance(
            s, admin, m.id, agency_id=housing, status="report_submitted"
        )
    assert first.id == second.id and second.person_name == ""
    assert second.status is AttendanceStatus.REPORT_SUBMITTED


def test_record_attendance_rejects_bad_input(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        police = agency_id(s, "Police")
        pc = person(s, "Constable")
    bad: list[tuple[dict[str, object], str, str]] = [
        ({"agency_id": 9999, "status": "present", "person_id": pc}, "agency", "does not exist"),
        ({"agency_id": police, "status": "asleep", "person_id": pc}, "status", "not a valid"),
        ({"agency_id": police, "status": "present"}, "person", "Choose who attended"),
        ({"agency_id": police, "status": "present", "person_id": 4242}, "person", "4242"),
        ({"agency_id": police, "status": "deputy", "person_id": pc}, "deputy_for", "required"),
        (
            {"agency_id": police, "status": "deputy", "person_id": pc, "deputy_for_id": pc},
            "deputy_for",
            "themselves",
        ),
        (
            {"agency_id": police, "status": "present", "person_id": pc, "deputy_for_id": pc},
            "deputy_for",
            "Only a deputy",
        ),
        (
            {
                "agency_id": police,
                "status": "present",
                "person_id": pc,
                "arrived_at": time(11, 0),
                "departed_at": time(10, 0),
            },
            "departed_at",
            "before the arrival",
        ),
    ]
    for kwargs, field, fragment in bad:
        with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
            attendance.record_attendance(s, admin, m.id, **kwargs)  # type: ignore[arg-type]
        assert fragment in exc.value.errors[field], (kwargs, exc.value.errors)
    with pytest.raises(NotFound), db.sessions.begin() as s:
        attendance.record_attendance(s, admin, 5050, agency_id=police, status="absent")


def test_record_attendance_refused_for_a_reader(db: Database, admin: Actor) -> None:
    reader = make_user(db, "reader", [Role.READER])
    with db.sessions.begin() as s:
        m = schedule(s, admin)
    with pytest.raises(PermissionDenied), db.sessions.begin() as s:
        attendance.record_attendance(
            s, reader, m.id, agency_id=agency_id(s, "Police"), status="absent"
        )


def test_attendance_warnings_name_missing_and_silent_agencies(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        disc = meetings.add_to_agenda(s, admin, m.id, make_case(s, "Case", "Casey")).id
        housing, police = agency_id(s, "Housing"), agency_id(s, "Police")
        discussions.invite_agency(s, admin, disc, housing)
        attendance.record_attendance(
            s, admin, m.id, agency_id=police, status="present", person_id=person(s, "Cop")
        )
    with db.sessions() as s:
        warnings = attendance.attendance_warnings(s, m.id)
    assert not any(w.startswith("No one from Police ") for w in warnings)
    assert any(w.startswith("No one from Probation Service") for w in warnings)
    assert any(w.startswith("No one from HM Prison Service") for w in warnings)
    assert any("Local Housing Authority was invited (for Casey Case)" in w for w in warnings)
    with db.sessions.begin() as s:
        attendance.record_attendance(s, admin, m.id, agency_id=housing, status="report_submitted")
    with db.sessions() as s:
        warnings = attendance.attendance_warnings(s, m.id)
    assert not any("Local Housing Authority" in w for w in warnings)
    with pytest.raises(NotFound), db.sessions() as s:
        attendance.attendance_warnings(s, 6060)


def test_record_attendance_while_awaiting_sign_off_returns_to_draft(
    db: Database, admin: Actor
) -> None:
    ready = ready_meeting(db, admin)
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        attendance.record_attendance(
            s, admin, ready.meeting_id, agency_id=agency_id(s, "DWP"), status="apologies"
        )
    with db.sessions() as s:
        assert meetings.get_meeting_row(s, ready.meeting_id).status is MeetingStatus.DRAFT
