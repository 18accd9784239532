"""The meeting screen: opening a meeting with 25 cases and 250 actions, and autosave latency.

- ``get_meeting`` beside the naive per-case loader (``bench_meeting_load.naive_load``) on the
  same meeting, alternated: at most its time; and the same number of SQL statements as a 5-case
  meeting (an absolute bar: counts do not vary with the machine).
- One autosave (journal write with fsync + database save through the service + journal
  removal), median of 50, beside the raw limit: the same text written to a file with fsync, one
  raw ``sqlite3`` UPDATE of the discussion committed, the file removed; at most 10x it.
- The whole screen (its loader and every widget), for information.

ARCHITECTURE.md §8's absolute bars (0.2 s and 0.1 s) are printed as information beside them.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.bench_meeting_load import naive_load
from benchmarks.common import Figure, compare, format_figure, interleaved, timed
from mappa_desktop.db.engine import make_engine, make_session_factory
from mappa_desktop.db.schema import migrate
from mappa_desktop.domain.enums import AttendanceStatus, DecisionKind, MeetingType
from mappa_desktop.journal import Journal
from mappa_desktop.services import (
    actions,
    attendance,
    cases,
    discussions,
    meetings,
    people,
)
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.meetings import MeetingDetail

CASES = 25
SMALL = 5
ACTIONS_PER_CASE = 10
RUNS = 5
SAVES = 50
BAR_OPEN = 1.0  # x the naive loader
BAR_SAVE = 10.0  # x the raw write


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
        discussions.add_information(s, actor, item.id, agency_id=police.id, text="Update & news")
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


def _setup(workdir: Path) -> tuple[Engine, sessionmaker[Session], Actor, int, int]:
    path = workdir / "meeting-view.sqlite3"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    sessions = make_session_factory(engine)
    day = date.today()
    with sessions.begin() as s:
        actor = people.ensure_local_user(s, "bench")
        police = people.find_agency(s, "Police")
        assert police is not None
        case_ids = [
            cases.register_case(
                s,
                actor,
                family_name=f"Benchmark{n:02d}",
                given_names="Łukasz",
                date_of_birth=date(1980, 1, 1 + n),
                lead_agency_id=police.id,
                category=2,
                level=2,
                registration_start=day - timedelta(days=100),
            ).id
            for n in range(CASES)
        ]
        small = _meeting(s, actor, case_ids[:SMALL], day)
        large = _meeting(s, actor, case_ids, day + timedelta(days=7))
    return engine, sessions, actor, small, large


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


def _timed_open(sessions: sessionmaker[Session], meeting_id: int) -> tuple[float, MeetingDetail]:
    with sessions() as s:
        return timed(lambda: meetings.get_meeting(s, meeting_id))


def _open_screen(engine: Engine, actor: Actor, meeting_id: int, workdir: Path) -> float:
    """Seconds to build the whole meeting screen (loader + widgets), offscreen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.bus import ChangeBus
    from ui.context import AppContext
    from ui.tasks import SyncPool, TaskRunner
    from ui.views.meeting import MeetingView

    app = QApplication.instance() or QApplication([])
    ctx = AppContext(
        url=str(engine.url),
        engine=engine,
        actor=actor,
        runner=TaskRunner(SyncPool()),
        bus=ChangeBus(),
    )
    journal = Journal(str(engine.url), workdir / "bench-journal.sqlite3")
    times = []
    for _ in range(3):
        start = time.perf_counter()
        view = MeetingView(ctx, meeting_id, journal=journal)
        view.resize(1300, 850)
        view.show()
        app.processEvents()
        times.append(time.perf_counter() - start)
        view.close()
        view.deleteLater()
        app.processEvents()
    return statistics.median(times)


def _autosave_latency(
    sessions: sessionmaker[Session], actor: Actor, meeting_id: int, engine: Engine, workdir: Path
) -> float:
    """Median seconds for one field: journal write (fsync), database save, journal removal."""
    journal = Journal(str(engine.url), workdir / "bench-journal.sqlite3")
    with sessions() as s:
        discussion = meetings.get_meeting(s, meeting_id).agenda[0].discussion
    version = discussion.version
    key = f"risk_summary/{discussion.id}"
    times = []
    for n in range(SAVES):
        text = f"Risk summary revision {n}: stable, ex-partner protected — Łódź."
        start = time.perf_counter()
        journal.write(meeting_id, key, text, base_version=version)
        with sessions.begin() as s:
            row = discussions.set_risk_summary(
                s, actor, discussion.id, text, expected_version=version
            )
        version = row.version
        journal.discard(meeting_id, key, text=text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _raw_save_latency(engine: Engine, discussion_id: int, workdir: Path) -> float:
    """Median seconds for the raw limit of one autosave: file + fsync, UPDATE + commit, unlink."""
    import sqlite3

    conn = sqlite3.connect(engine.url.database or "")
    conn.execute("PRAGMA synchronous=NORMAL")  # as the app's engine has it
    path = workdir / "raw-journal.txt"
    times = []
    try:
        for n in range(SAVES):
            text = f"Raw risk summary revision {n}: stable, ex-partner protected — Łódź."
            start = time.perf_counter()
            with path.open("w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            conn.execute(
                "UPDATE case_discussion SET risk_summary = ? WHERE id = ?", (text, discussion_id)
            )
            conn.commit()
            path.unlink()
            times.append(time.perf_counter() - start)
    finally:
        conn.close()
    return statistics.median(times)


def measure(workdir: Path) -> list[Figure]:
    engine, sessions, actor, small, large = _setup(workdir)
    try:
        with sessions() as s:
            meetings.get_meeting(s, large)  # warm-up
        _seconds, detail = _timed_open(sessions, large)

        def per_case() -> None:
            with sessions() as s:
                naive_load(s, large)

        times = interleaved({"ours": lambda: _timed_open(sessions, large), "naive": per_case}, RUNS)
        assert len(detail.agenda) == CASES
        assert sum(len(i.new_actions) for i in detail.agenda) == CASES * ACTIONS_PER_CASE
        small_count = _statements(engine, sessions, small)
        large_count = _statements(engine, sessions, large)
        discussion_id = detail.agenda[0].discussion.id
        return [
            compare(
                f"meeting view: get_meeting, {CASES} cases / {CASES * ACTIONS_PER_CASE} actions",
                statistics.median(times["ours"]),
                "naive per-case loader",
                statistics.median(times["naive"]),
                bar=BAR_OPEN,
            ),
            Figure(
                f"meeting view: SQL statements, {CASES} cases minus {SMALL} cases "
                f"({large_count} vs {small_count})",
                float(large_count - small_count),
                "statements",
                0.0,
            ),
            Figure(
                f"meeting view: whole screen built, {CASES} cases (loader + widgets, offscreen)",
                _open_screen(engine, actor, large, workdir),
                "s",
                None,
            ),
            compare(
                f"meeting view: autosave of one field (journal + database), median of {SAVES}",
                _autosave_latency(sessions, actor, large, engine, workdir),
                "raw file fsync + sqlite3 UPDATE",
                _raw_save_latency(engine, discussion_id, workdir),
                bar=BAR_SAVE,
            ),
        ]
    finally:
        engine.dispose()


if __name__ == "__main__":
    import tempfile

    for figure in measure(Path(tempfile.mkdtemp(prefix="bench-meeting-view-"))):
        print(format_figure(figure))
