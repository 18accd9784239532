"""Who is in the room at a demo meeting, and for each case.

Meeting-wide: the chair, the minute-taker and the co-ordinator; police, probation and prison
(present, a deputy, a written report or apologies, as it falls); and each Duty-to-Co-operate
agency invited for any case (one representative each), which may also send a report, send
apologies or not respond at all.

For each case (``services.attendance``' rules: the core panel is there for every case, invited
agencies only for theirs): the invited agencies' outcome is recorded per case; now and then a
core member leaves the room for one case (absent), an invited representative leaves before
their second case, or an agency not invited sends a written report ("other").
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import AttendanceStatus
from mappa_desktop.services import attendance
from mappa_desktop.services.actor import Actor

CORE_AGENCIES = ("Police", "Probation", "Prison")
IN_ROOM = (AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY)
SHARES = (*IN_ROOM, AttendanceStatus.REPORT_SUBMITTED)
# An agency not invited that sends a written report now and then (electronic monitoring).
REPORTING_AGENCY = "EMS"

PersonPicker = Callable[[str, set[int]], int | None]
"""``pick(short, used)``: a person of that agency not in ``used`` (added to it), or None."""


@dataclass(frozen=True, slots=True)
class Seat:
    """One agency at one meeting: its outcome (None: no response to the invitation) and its
    person: who attended, deputised or wrote the report (None: no one named)."""

    status: AttendanceStatus | None
    person_id: int | None


@dataclass(frozen=True, slots=True)
class MeetingPeople:
    chair_id: int
    minute_taker_id: int | None
    coordinator_id: int | None
    agency_of: Callable[[int], int]  # a person's agency id


def _core_status(rng: random.Random, short: str) -> AttendanceStatus:
    roll = rng.random()
    if short in ("Police", "Probation"):
        return AttendanceStatus.PRESENT if roll < 0.9 else AttendanceStatus.DEPUTY
    if roll < 0.5:
        return AttendanceStatus.PRESENT
    if roll < 0.65:
        return AttendanceStatus.DEPUTY
    if roll < 0.85:
        return AttendanceStatus.REPORT_SUBMITTED
    return AttendanceStatus.APOLOGIES


def _invited_status(rng: random.Random) -> AttendanceStatus | None:
    roll = rng.random()
    if roll < 0.45:
        return AttendanceStatus.PRESENT
    if roll < 0.55:
        return AttendanceStatus.DEPUTY
    if roll < 0.78:
        return AttendanceStatus.REPORT_SUBMITTED
    if roll < 0.9:
        return AttendanceStatus.APOLOGIES
    return None  # invited, no response


def record_meeting(
    session: Session,
    rng: random.Random,
    minute_taker: Actor,
    meeting_id: int,
    day: date,
    start: time,
    people: MeetingPeople,
    agencies: Mapping[str, int],
    pick: PersonPicker,
    invited: Sequence[str],
    *,
    silent: bool = False,
) -> dict[str, Seat]:
    """Record the meeting-wide attendance; returns each agency's seat by short name.
    ``silent``: the last invited agency does not respond (so the demo shows one for sure)."""
    used: set[int] = set()
    for person_id in (people.chair_id, people.minute_taker_id, people.coordinator_id):
        if person_id is None or person_id in used:
            continue
        used.add(person_id)
        attendance.record_attendance(
            session,
            minute_taker,
            meeting_id,
            agency_id=people.agency_of(person_id),
            status=AttendanceStatus.PRESENT,
            person_id=person_id,
            arrived_at=start,
        )
    seats: dict[str, Seat] = {}
    for short in (*CORE_AGENCIES, *invited):
        status = _core_status(rng, short) if short in CORE_AGENCIES else _invited_status(rng)
        if silent and invited and short == invited[-1]:
            status = None
        person_id = pick(short, used)
        deputy_for = pick(short, used) if status is AttendanceStatus.DEPUTY else None
        if status in IN_ROOM and (
            person_id is None or (status is AttendanceStatus.DEPUTY and deputy_for is None)
        ):
            status = AttendanceStatus.REPORT_SUBMITTED
        seats[short] = Seat(status, person_id)
        if status is None:
            continue
        late = timedelta(minutes=rng.choice((0, 0, 0, 5, 10)))
        attendance.record_attendance(
            session,
            minute_taker,
            meeting_id,
            agency_id=agencies[short],
            status=status,
            person_id=person_id if status in IN_ROOM else None,
            deputy_for_id=deputy_for,
            arrived_at=(datetime.combine(day, start) + late).time() if status in IN_ROOM else None,
        )
    return seats


def leaver(
    rng: random.Random, seats: Mapping[str, Seat], chair_agency: int, agencies: Mapping[str, int]
) -> int | None:
    """The core member who leaves the room for one case at this meeting (about half the
    meetings), or None: the prison's representative, else the representative of the chair's own
    agency (so the agency stays in the room through the chair)."""
    if rng.random() < 0.5:
        return None
    prison = seats.get("Prison")
    if prison is not None and prison.status in IN_ROOM:
        return prison.person_id
    for short in ("Police", "Probation"):
        seat = seats.get(short)
        if seat is not None and seat.status in IN_ROOM and agencies[short] == chair_agency:
            return seat.person_id
    return None


def record_case(
    session: Session,
    rng: random.Random,
    minute_taker: Actor,
    discussion_id: int,
    *,
    invited: Sequence[str],
    seats: Mapping[str, Seat],
    agencies: Mapping[str, int],
    left_room: tuple[int, int] | None,
    gone_before: set[str],
    pick: PersonPicker,
) -> dict[str, Seat]:
    """Record who was there for one case; returns the seats of the agencies that shared
    information for it (invited ones there or reporting, and an "other" agency's report).

    ``left_room``: (agency id, person id) of a core member absent for this case.
    ``gone_before``: invited agencies whose representative left before this case (filled in
    here when one leaves after their first case)."""
    if left_room is not None:
        attendance.record_case_attendance(
            session,
            minute_taker,
            discussion_id,
            agency_id=left_room[0],
            person_id=left_room[1],
            status=AttendanceStatus.ABSENT,
        )
    shared: dict[str, Seat] = {}
    for short in invited:
        seat = seats[short]
        if seat.status is None:
            continue  # invited, no response: listed as invited but absent
        in_room = seat.status in IN_ROOM
        if in_room and short in gone_before:
            attendance.record_case_attendance(
                session,
                minute_taker,
                discussion_id,
                agency_id=agencies[short],
                person_id=seat.person_id,
                status=AttendanceStatus.ABSENT,
            )
            continue
        attendance.record_case_attendance(
            session,
            minute_taker,
            discussion_id,
            agency_id=agencies[short],
            person_id=seat.person_id if in_room else None,
            status=seat.status,
        )
        if in_room and rng.random() < 0.3:
            gone_before.add(short)  # leaves after this case
        if seat.status in SHARES:
            shared[short] = seat
    if REPORTING_AGENCY in agencies and REPORTING_AGENCY not in invited and rng.random() < 0.12:
        author = pick(REPORTING_AGENCY, set())
        attendance.record_case_attendance(
            session,
            minute_taker,
            discussion_id,
            agency_id=agencies[REPORTING_AGENCY],
            status=AttendanceStatus.REPORT_SUBMITTED,
        )
        shared[REPORTING_AGENCY] = Seat(AttendanceStatus.REPORT_SUBMITTED, author)
    return shared
