"""Opening a meeting: ``meetings.get_meeting`` runs the same number of SQL statements for 25 cases
with 250 actions as for 5 cases with 50, and takes at most 0.2 s."""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.common import Figure, timed
from mappa_desktop.db.engine import make_engine, make_session_factory
from mappa_desktop.db.models import Registration
from mappa_desktop.db.schema import migrate
from mappa_desktop.demo.generate import generate_demo
from mappa_desktop.domain.enums import AttendanceStatus, DecisionKind, MeetingType
from mappa_desktop.services import actions, attendance, discussions, meetings, people
from mappa_desktop.services.actor import Actor

BAR_SECONDS = 0.2
BACKGROUND_CASES = 2_000
ACTIONS_PER_CASE = 10
RUNS = 5


def _meeting(s: Session, actor: Actor, case_ids: list[int], day: date) -> int:
    police = people.find_agency(s, "Police")
    probation = people.find_agency(s, "Probation")
    assert police is not None and probation is not None
    meeting = meetings.schedule_meeting(
        s,
        actor,
        level=2,
        meeting_type=MeetingType.REVIEW,
        meeting_date=day,
        chair_id=actor.person_id,
        minute_taker_id=actor.person_id,
        venue="Benchmark room",
    )
    attendance.record_attendance(
        s,
        actor,
        meeting.id,
        agency_id=police.id,
        status=AttendanceStatus.PRESENT,
        person_id=actor.person_id,
    )
    for case_id in case_ids:
        item = meetings.add_to_agenda(s, actor, meeting.id, case_id)
        for agency in (police, probation):
            discussions.add_information(
                s, actor, item.id, agency_id=agency.id, text=f"{agency.short_name} update & news"
            )
        discussions.record_decision(
            s,
            actor,
            item.id,
            kind=DecisionKind.LEVEL,
            outcome="Remain at Level 2",
            rationale="Multi-agency management still adds value.",
            new_level=2,
            next_review_date=day + timedelta(days=112),
        )
        for n in range(ACTIONS_PER_CASE):
            actions.set_action(
                s,
                actor,
                case_id,
                text=f"Action {n + 1}",
                owner_agency_id=police.id if n % 2 else probation.id,
                due_date=day + timedelta(days=14 + n),
                meeting_id=meeting.id,
            )
    return meeting.id


def _setup(workdir: Path) -> tuple[Engine, sessionmaker[Session], int, int]:
    path = workdir / "meeting-load.sqlite3"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as s:
        actor = people.ensure_local_user(s, "bench")
    generate_demo(engine, cases=BACKGROUND_CASES, seed=1, actor=actor, meetings=False)
    day = date.today() + timedelta(days=7)
    with sessions.begin() as s:
        case_ids = list(
            s.scalars(
                select(Registration.case_id)
                .where(Registration.is_current.is_(True), Registration.ended_on.is_(None))
                .order_by(Registration.case_id)
                .limit(25)
            )
        )
        small = _meeting(s, actor, case_ids[:5], day)
        large = _meeting(s, actor, case_ids, day + timedelta(days=7))
    return engine, sessions, small, large


def _statements(engine: Engine, sessions: sessionmaker[Session], meeting_id: int) -> int:
    count = 0

    def counter(*_: Any) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", counter)
    try:
        with sessions() as s:
            meetings.get_meeting(s, meeting_id)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def measure(workdir: Path) -> list[Figure]:
    engine, sessions, small, large = _setup(workdir)
    try:
        few = _statements(engine, sessions, small)
        many = _statements(engine, sessions, large)
        times = []
        for _ in range(RUNS):
            with sessions() as s:
                seconds, detail = timed(lambda: meetings.get_meeting(s, large))
            times.append(seconds)
        n_actions = sum(len(item.new_actions) for item in detail.agenda)
    finally:
        engine.dispose()
    return [
        Figure("get_meeting SQL statements, 5 cases / 50 actions", few, "statements", None),
        Figure(
            f"get_meeting SQL statements, {len(detail.agenda)} cases / {n_actions} actions "
            "(bar: the 5-case count)",
            many,
            "statements",
            float(few),
        ),
        Figure(
            f"get_meeting time, {len(detail.agenda)} cases / {n_actions} actions "
            f"(median of {RUNS})",
            round(statistics.median(times), 4),
            "s",
            BAR_SECONDS,
        ),
    ]
