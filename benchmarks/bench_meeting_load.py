"""Opening a meeting: ``meetings.get_meeting`` beside a naive loader that reads case by case.

``get_meeting`` runs the same number of SQL statements for 25 cases with 250 actions as for 5
cases with 50 (an absolute bar: statement counts do not vary with the machine). The naive path
(``naive_load``) reads the same things the way a first version would: the meeting, its
attendance and agenda, then for each case its record, current registration, latest assessment,
invited agencies, information, decisions and actions, one statement each. Both the statement
count and the time are judged as ratios to it: at most 1/3 of its statements and at most its
time (the time was an absolute 0.2 s bar, which machines 2x apart could not share).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.common import Figure, compare, interleaved
from mappa_desktop.db.engine import make_engine, make_session_factory
from mappa_desktop.db.models import (
    Action,
    Attendance,
    Case,
    CaseDiscussion,
    Decision,
    InformationShared,
    InvitedAgency,
    Meeting,
    Registration,
    RiskAssessment,
)
from mappa_desktop.db.schema import migrate
from mappa_desktop.demo.generate import generate_demo
from mappa_desktop.domain.enums import AttendanceStatus, DecisionKind, MeetingType
from mappa_desktop.services import actions, attendance, discussions, meetings, people
from mappa_desktop.services.actor import Actor

BAR_STATEMENTS = 1 / 3
BAR_TIME = 1.0
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


def naive_load(session: Session, meeting_id: int) -> int:
    """The meeting read case by case (N+1 statements); returns the number of rows read."""
    meeting = session.get(Meeting, meeting_id)
    assert meeting is not None
    rows = len(session.scalars(select(Attendance).where(Attendance.meeting_id == meeting_id)).all())
    agenda = session.scalars(
        select(CaseDiscussion)
        .where(CaseDiscussion.meeting_id == meeting_id)
        .order_by(CaseDiscussion.agenda_order)
    ).all()
    for item in agenda:
        case_id = item.case_id
        per_case = [
            select(Case).where(Case.id == case_id),
            select(Registration).where(Registration.case_id == case_id, Registration.is_current),
            select(RiskAssessment)
            .where(RiskAssessment.case_id == case_id)
            .order_by(RiskAssessment.version_no.desc())
            .limit(1),
            select(InvitedAgency).where(InvitedAgency.discussion_id == item.id),
            select(InformationShared).where(InformationShared.discussion_id == item.id),
            select(Decision).where(Decision.discussion_id == item.id),
            select(Action).where(Action.case_id == case_id).order_by(Action.due_date),
        ]
        rows += sum(len(session.scalars(stmt).all()) for stmt in per_case)
    return rows


def _statements(
    engine: Engine,
    sessions: sessionmaker[Session],
    meeting_id: int,
    load: Callable[[Session, int], object] = meetings.get_meeting,
) -> int:
    count = 0

    def counter(*_: Any) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", counter)
    try:
        with sessions() as s:
            load(s, meeting_id)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def measure(workdir: Path) -> list[Figure]:
    engine, sessions, small, large = _setup(workdir)
    try:
        few = _statements(engine, sessions, small)
        many = _statements(engine, sessions, large)
        naive = _statements(engine, sessions, large, naive_load)
        with sessions() as s:
            detail = meetings.get_meeting(s, large)
        n_actions = sum(len(item.new_actions) for item in detail.agenda)

        def ours() -> None:
            with sessions() as s:
                meetings.get_meeting(s, large)

        def per_case() -> None:
            with sessions() as s:
                naive_load(s, large)

        times = interleaved({"ours": ours, "naive": per_case}, RUNS)
    finally:
        engine.dispose()
    what = f"{len(detail.agenda)} cases / {n_actions} actions"
    return [
        Figure("get_meeting SQL statements, 5 cases / 50 actions", few, "statements", None),
        Figure(
            f"get_meeting SQL statements, {what} (bar: the 5-case count)",
            many,
            "statements",
            float(few),
        ),
        compare(
            f"get_meeting SQL statements, {what}",
            many,
            "naive per-case loader",
            naive,
            bar=BAR_STATEMENTS,
            unit="statements",
        ),
        compare(
            f"get_meeting time, {what} (median of {RUNS})",
            statistics.median(times["ours"]),
            "naive per-case loader",
            statistics.median(times["naive"]),
            bar=BAR_TIME,
        ),
    ]
