"""Who was there for each case: the core panel (Responsible Authority agencies and the
co-ordinator) with their meeting-wide status unless overridden for the case, the agencies invited
for the case, and anyone else recorded for it ("other"); recorded, cleared, audited, refused after
sign-off, and loaded for every case with a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from mappa_desktop.db.models import CaseAttendance
from mappa_desktop.domain.enums import AgencyKind, AttendanceStatus, Role
from mappa_desktop.domain.errors import NotFound, PermissionDenied, StateError, ValidationError
from mappa_desktop.services import attendance, audit, discussions, meetings, minutes
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.attendance import CaseAttendeeRow
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import (
    MEETING_DAY,
    agency_id,
    make_case,
    person,
    ready_meeting,
    schedule,
)
from tests.statements import count_statements

PRESENT, APOLOGIES, ABSENT = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.APOLOGIES,
    AttendanceStatus.ABSENT,
)
REPORT = AttendanceStatus.REPORT_SUBMITTED


@dataclass(frozen=True)
class Panel:
    meeting_id: int
    first: int  # discussion ids
    second: int
    people: dict[str, int]
    agencies: dict[str, int]


def _panel(db: Database, admin: Actor) -> Panel:
    """A meeting of two cases: Police and Probation present and Prison's apologies (core), a
    co-ordinator from Adult Services with no attendance row, Housing present and invited for
    the first case only, DWP present but invited for neither, Children's Services invited for
    the first case with nothing recorded, and Mental Health invited for the second."""
    with db.sessions.begin() as s:
        names = ("Police", "Probation", "Prison", "Housing", "DWP", "Children's Services")
        ag = {n: agency_id(s, n) for n in (*names, "Mental Health", "Education", "Adult Services")}
        who = {
            "police": person(s, "Constable", "Cara", agency="Police"),
            "probation": person(s, "Manager", "Priya", agency="Probation"),
            "housing": person(s, "Officer", "Hal", agency="Housing"),
            "dwp": person(s, "Adviser", "Dee", agency="DWP"),
            "nurse": person(s, "Nurse", "Meg", agency="Mental Health"),
            "coordinator": person(s, "Coordinator", "Cody", agency="Adult Services"),
        }
        m = schedule(s, admin)
        meetings.edit_meeting(
            s, admin, m.id, expected_version=m.version, coordinator_id=who["coordinator"]
        )
        first = meetings.add_to_agenda(s, admin, m.id, make_case(s, "First", "Fay")).id
        second = meetings.add_to_agenda(s, admin, m.id, make_case(s, "Second", "Sid")).id
        for key, agency in (
            ("police", "Police"),
            ("probation", "Probation"),
            ("housing", "Housing"),
            ("dwp", "DWP"),
        ):
            attendance.record_attendance(
                s, admin, m.id, agency_id=ag[agency], status=PRESENT, person_id=who[key]
            )
        attendance.record_attendance(s, admin, m.id, agency_id=ag["Prison"], status=APOLOGIES)
        discussions.invite_agency(s, admin, first, ag["Housing"])
        discussions.invite_agency(s, admin, first, ag["Children's Services"])
        discussions.invite_agency(s, admin, second, ag["Mental Health"])
    return Panel(m.id, first, second, who, ag)


def _seen(rows: list[CaseAttendeeRow]) -> list[tuple[str, str, str, str | None, bool]]:
    return [
        (r.panel, r.agency_name, r.person_name, r.status.value if r.status else None, r.in_room)
        for r in rows
    ]


CORE_BEFORE = [  # by agency name; the co-ordinator is core whatever their agency
    ("core", "HM Prison Service", "", "apologies", False),
    ("core", "Local Authority Adult Social Care", "Cody Coordinator", None, False),
    ("core", "Police", "Cara Constable", "present", True),
]


def test_case_attendance_follows_the_panel_rules(db: Database, admin: Actor) -> None:
    panel = _panel(db, admin)
    with db.sessions.begin() as s:
        # Probation's manager left the room for the first case; Education, never invited, sent
        # a written report on it.
        attendance.record_case_attendance(
            s,
            admin,
            panel.first,
            agency_id=panel.agencies["Probation"],
            person_id=panel.people["probation"],
            status="absent",
        )
        attendance.record_case_attendance(
            s, admin, panel.second, agency_id=panel.agencies["Mental Health"], status=REPORT
        )
        attendance.record_case_attendance(
            s,
            admin,
            panel.second,
            agency_id=panel.agencies["Mental Health"],
            person_id=panel.people["nurse"],
            status=PRESENT,
        )
        attendance.record_case_attendance(
            s, admin, panel.first, agency_id=panel.agencies["Education"], status=REPORT
        )
    with db.sessions() as s:
        first = attendance.case_attendance(s, panel.first)
        second = attendance.case_attendance(s, panel.second)
        detail = meetings.get_meeting(s, panel.meeting_id)
    assert _seen(first) == [
        *CORE_BEFORE,
        ("core", "Probation Service", "Priya Manager", "absent", False),
        ("invited", "Local Authority Children's Social Care", "", None, False),
        ("invited", "Local Housing Authority", "Hal Officer", "present", True),
        ("other", "Local Authority Education", "", "report_submitted", False),
    ]
    assert _seen(second) == [
        *CORE_BEFORE,
        ("core", "Probation Service", "Priya Manager", "present", True),
        ("invited", "NHS Trust (Mental Health)", "", "report_submitted", False),
        ("invited", "NHS Trust (Mental Health)", "Meg Nurse", "present", True),
    ]
    # DWP attended the meeting but was invited for neither case, so is listed for neither.
    assert all(r.agency_id != panel.agencies["DWP"] for r in (*first, *second))
    # Derived entries have no row to edit; recorded ones carry theirs.
    by_name = {r.person_name or r.agency_name: r for r in first}
    assert by_name["Priya Manager"].id is not None and by_name["Priya Manager"].version == 1
    assert by_name["Cara Constable"].id is None and by_name["Cara Constable"].version is None
    assert by_name["Cara Constable"].agency_kind is AgencyKind.RESPONSIBLE_AUTHORITY
    assert by_name["Hal Officer"].agency_kind is AgencyKind.DUTY_TO_COOPERATE
    # The meeting loader gives each agenda item the same list the service gives.
    assert [item.attendance for item in detail.agenda] == [tuple(first), tuple(second)]


def test_recording_again_updates_and_clearing_returns_to_the_meeting_wide_status(
    db: Database, admin: Actor
) -> None:
    panel = _panel(db, admin)
    probation, manager = panel.agencies["Probation"], panel.people["probation"]
    with db.sessions.begin() as s:
        first = attendance.record_case_attendance(
            s, admin, panel.first, agency_id=probation, person_id=manager, status="apologies"
        )
    with db.sessions.begin() as s:
        again = attendance.record_case_attendance(
            s, admin, panel.first, agency_id=probation, person_id=manager, status=ABSENT
        )
        same = attendance.record_case_attendance(
            s, admin, panel.first, agency_id=probation, person_id=manager, status=ABSENT
        )
    assert again.id == first.id and again.version == 2 and same.version == 2
    assert (again.status, again.in_room, again.panel) == (ABSENT, False, "core")
    with db.sessions.begin() as s:
        attendance.clear_case_attendance(
            s, admin, panel.first, agency_id=probation, person_id=manager
        )
        attendance.clear_case_attendance(  # nothing recorded: nothing changes
            s, admin, panel.first, agency_id=probation, person_id=manager
        )
    with db.sessions() as s:
        rows = attendance.case_attendance(s, panel.first)
        events = [
            (e.action, e.changes)
            for e in audit.list_events(s, meeting_id=panel.meeting_id)
            if e.entity == "case_attendance"
        ]
        left = s.scalar(select(func.count()).select_from(CaseAttendance))
    (entry,) = [r for r in rows if r.person_id == manager]
    assert (entry.id, entry.status, entry.in_room) == (None, PRESENT, True)
    assert left == 0
    assert events == [
        (
            "create",
            {
                "discussion_id": [None, panel.first],
                "agency_id": [None, probation],
                "person_id": [None, manager],
                "status": [None, "apologies"],
            },
        ),
        ("update", {"status": ["apologies", "absent"]}),
        (
            "delete",
            {
                "agency_id": [probation, None],
                "person_id": [manager, None],
                "status": ["absent", None],
            },
        ),
    ]


def test_an_invited_agency_with_a_case_row_is_no_longer_a_placeholder(
    db: Database, admin: Actor
) -> None:
    panel = _panel(db, admin)
    csc = panel.agencies["Children's Services"]
    with db.sessions.begin() as s:
        row = attendance.record_case_attendance(
            s, admin, panel.first, agency_id=csc, status="apologies"
        )
        rows = attendance.case_attendance(s, panel.first)
    assert (row.panel, row.status, row.person_id) == ("invited", APOLOGIES, None)
    assert [r.status for r in rows if r.agency_id == csc] == [APOLOGIES]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"status": "asleep"}, "status", "not a valid status"),
        ({"status": None}, "status", "required"),
        ({"status": "present", "person": None}, "person", "names a person"),
        ({"status": "deputy", "person": None}, "person", "names a person"),
        ({"status": "present", "person": "dwp"}, "person", "works for Department for Work"),
        ({"status": "apologies", "agency": 999_999}, "agency", "does not exist"),
        ({"status": "apologies", "person": 999_999}, "person", "does not exist"),
    ],
)
def test_bad_case_attendance_names_the_field_and_writes_nothing(
    db: Database, admin: Actor, change: dict[str, Any], field: str, words: str
) -> None:
    panel = _panel(db, admin)
    person_key = change.get("person", "housing")
    person_id = panel.people.get(person_key, person_key) if person_key is not None else None
    with db.sessions() as s:
        before = len(audit.list_events(s, meeting_id=panel.meeting_id))
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        attendance.record_case_attendance(
            s,
            admin,
            panel.first,
            agency_id=change.get("agency", panel.agencies["Housing"]),
            person_id=person_id,
            status=change["status"],
        )
    assert words in exc.value.errors[field]
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CaseAttendance)) == 0
        assert len(audit.list_events(s, meeting_id=panel.meeting_id)) == before


def test_unknown_discussion_and_a_reader_are_refused(db: Database, admin: Actor) -> None:
    panel = _panel(db, admin)
    reader = make_user(db, "reader", [Role.READER])
    with pytest.raises(NotFound), db.sessions.begin() as s:
        attendance.record_case_attendance(
            s, admin, 999_999, agency_id=panel.agencies["Police"], status="apologies"
        )
    with pytest.raises(NotFound), db.sessions() as s:
        attendance.case_attendance(s, 999_999)
    with pytest.raises(PermissionDenied), db.sessions.begin() as s:
        attendance.record_case_attendance(
            s, reader, panel.first, agency_id=panel.agencies["Police"], status="apologies"
        )


def test_recording_while_awaiting_sign_off_returns_the_minutes_to_draft_and_sign_off_freezes(
    db: Database, admin: Actor
) -> None:
    ready = ready_meeting(db, admin)
    disc = ready.discussion_ids[0]
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        housing = agency_id(s, "Housing")
        attendance.record_case_attendance(s, admin, disc, agency_id=housing, status=REPORT)
        assert meetings.get_meeting_row(s, ready.meeting_id).status.value == "draft"
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        minutes.sign_off(s, admin, ready.meeting_id)
    for attempt in (
        lambda s: attendance.record_case_attendance(
            s, admin, disc, agency_id=housing, status="apologies"
        ),
        lambda s: attendance.clear_case_attendance(s, admin, disc, agency_id=housing),
    ):
        with pytest.raises(StateError, match="signed off"), db.sessions.begin() as s:
            attempt(s)
    with db.sessions() as s:
        (row,) = [r for r in attendance.case_attendance(s, disc) if r.agency_id == housing]
    assert row.status is REPORT


def test_a_case_with_attendance_recorded_for_it_stays_on_the_agenda(
    db: Database, admin: Actor
) -> None:
    panel = _panel(db, admin)
    housing = panel.agencies["Housing"]
    with db.sessions.begin() as s:
        attendance.record_case_attendance(s, admin, panel.second, agency_id=housing, status=REPORT)
    with pytest.raises(StateError, match="attendance for the case"), db.sessions.begin() as s:
        meetings.remove_from_agenda(s, admin, panel.second)
    with db.sessions.begin() as s:
        attendance.clear_case_attendance(s, admin, panel.second, agency_id=housing)
        meetings.remove_from_agenda(s, admin, panel.second)
        assert [i.discussion.id for i in meetings.get_meeting(s, panel.meeting_id).agenda] == [
            panel.first
        ]


# --- the loader: a fixed number of statements ----------------------------------------------------


def _meeting_of(db: Database, admin: Actor, n_cases: int) -> int:
    """``n_cases`` cases, each with an invited agency, two case attendance rows, and
    information given by a named person as at a date."""
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        police, housing = agency_id(s, "Police"), agency_id(s, "Housing")
        officer = person(s, "Officer", "Olu")
        attendance.record_attendance(
            s, admin, m.id, agency_id=police, status="present", person_id=officer
        )
        for n in range(n_cases):
            disc = meetings.add_to_agenda(s, admin, m.id, make_case(s, f"Case{n}", "Kim")).id
            discussions.invite_agency(s, admin, disc, housing)
            helper = person(s, f"Helper{n}", "Hana", agency="Housing")
            attendance.record_case_attendance(
                s, admin, disc, agency_id=housing, person_id=helper, status="present"
            )
            attendance.record_case_attendance(
                s, admin, disc, agency_id=police, person_id=officer, status="absent"
            )
            discussions.add_information(
                s,
                admin,
                disc,
                agency_id=housing,
                text=f"Tenancy {n}",
                given_by_id=helper,
                as_at=MEETING_DAY - timedelta(days=n),
            )
    return m.id


def _count(db: Database, fn: Any) -> int:
    return count_statements(db.engine, fn)


def test_loading_per_case_attendance_takes_a_fixed_number_of_statements(
    db: Database, admin: Actor
) -> None:
    small, large = _meeting_of(db, admin, 2), _meeting_of(db, admin, 9)
    loaded: dict[int, meetings.MeetingDetail] = {}
    built: dict[int, int] = {}

    def load(meeting_id: int) -> None:
        with db.sessions() as s:
            loaded[meeting_id] = meetings.get_meeting(s, meeting_id)

    def build(meeting_id: int) -> None:
        with db.sessions() as s:
            built[meeting_id] = len(minutes.build_content(s, meeting_id).cases)

    assert _count(db, lambda: load(small)) == _count(db, lambda: load(large))
    assert _count(db, lambda: build(small)) == _count(db, lambda: build(large))
    assert built == {small: 2, large: 9}
    for item in loaded[large].agenda:
        n = item.case.family_name.removeprefix("Case")
        assert [(r.person_name, r.status, r.panel) for r in item.attendance] == [
            ("Olu Officer", ABSENT, "core"),
            (f"Hana Helper{n}", PRESENT, "invited"),
        ]
        (info,) = item.information
        assert (info.given_by, info.as_at) == (
            f"Hana Helper{n}",
            MEETING_DAY - timedelta(days=int(n)),
        )
