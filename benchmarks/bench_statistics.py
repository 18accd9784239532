"""The annual statistics and a case chronology.

- ``statistics.annual_counts`` over the 100,000-case demo (the last complete reporting year)
  beside the same counts from hand-written SQL run on the raw ``sqlite3`` driver in the same run
  (the raw limit); judged on the ratio (at most 2x), the time is printed for information (the
  target on this machine kind is under 1 s). The two must give the same counts.
- ``chronology.case_chronology`` of a case with 50 meetings (each with information shared, a
  decision, actions set and reviewed, an RMP change) beside a raw ``sqlite3`` UNION of the same
  rows (information: the chronology builds ORM rows and DTOs, the UNION only fetches tuples),
  and its statement count beside a case with 5 meetings: judged, it must not grow.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from benchmarks.common import LARGE, Figure, compare, demo_database, interleaved
from mappa_desktop.db.engine import make_engine, make_session_factory, read_engine
from mappa_desktop.db.models import (
    Action,
    ActionReview,
    CaseDiscussion,
    Decision,
    InformationShared,
    Meeting,
    RmpItem,
    RmpRevision,
)
from mappa_desktop.db.schema import migrate
from mappa_desktop.domain.coordination import ReportingYear
from mappa_desktop.domain.enums import (
    ActionStatus,
    AgendaReason,
    DecisionKind,
    MeetingStatus,
    MeetingType,
    RmpChange,
    RmpItemStatus,
    RmpPillar,
)
from mappa_desktop.services import cases, chronology, people, statistics
from mappa_desktop.services.actor import Actor

ORDER = 60  # after bench_demo has made the 100,000-case file
RUNS = 5
BAR_STATISTICS = 2.0

_LATER = (
    "SELECT 1 FROM registration n WHERE n.case_id = r.case_id AND (n.start_date > r.start_date "
    "OR (n.start_date = r.start_date AND n.id > r.id))"
)
_IN_YEAR = (
    "FROM registration r WHERE r.level IN (2, 3) AND r.start_date <= :last AND (r.ended_on IS "
    "NULL OR (r.ended_on > :first AND r.ended_on > r.start_date)) AND (r.is_current OR NOT EXISTS "
    f"({_LATER} AND (n.start_date <= :first OR n.start_date = r.start_date))) "
)
# The same counts written by hand for SQLite (as a co-ordinator's analyst would).
RAW_SQL = (
    "SELECT category, count(*) FROM registration r WHERE r.start_date <= :last AND (r.ended_on "
    "IS NULL OR r.ended_on > :last) AND (r.is_current OR NOT EXISTS "
    f"({_LATER} AND n.start_date <= :last)) GROUP BY category",
    f"SELECT level, category, count(DISTINCT case_id) {_IN_YEAR} GROUP BY level, category",
    f"SELECT level, count(DISTINCT case_id) {_IN_YEAR} GROUP BY level",
    "SELECT kind, subtype, level, count(*) FROM (SELECT e.kind, e.subtype, (SELECT g.level FROM "
    "registration g WHERE g.case_id = e.case_id AND g.start_date <= e.event_date ORDER BY "
    "g.start_date DESC, g.id DESC LIMIT 1) AS level FROM case_event e WHERE e.kind IN "
    "('notification_breach', 'order_imposed', 'return_to_custody', 'serious_further_offence', "
    "'serious_case_review') AND e.event_date BETWEEN :first AND :last) "
    "GROUP BY kind, subtype, level",
)


_ANY_LEVEL = (None, 1, 2, 3)
_COUNTED_LEVELS: dict[str, tuple[int | None, ...]] = {
    "notification_breach": _ANY_LEVEL,
    "order_imposed": _ANY_LEVEL,
    "return_to_custody": (2, 3),
    "serious_further_offence": (1, 2, 3),
    "serious_case_review": (1, 2, 3),
}


def _raw_counts(path: Path, year: ReportingYear) -> list[list[tuple[Any, ...]]]:
    params = {"first": year.first_day.isoformat(), "last": year.last_day.isoformat()}
    conn = sqlite3.connect(path)
    try:
        return [sorted(conn.execute(sql, params).fetchall()) for sql in RAW_SQL]
    finally:
        conn.close()


def _same_counts(counts: statistics.AnnualCounts, raw: list[list[tuple[Any, ...]]]) -> bool:
    eligible = {c: n for c, n in raw[0]}
    levels = {(lvl, c): n for lvl, c, n in raw[1]}
    totals = {lvl: n for lvl, n in raw[2]}
    return (
        all(counts.eligible_by_category[c] == eligible.get(c, 0) for c in (1, 2, 3, 4))
        and all(
            counts.level_by_category[lvl][c] == levels.get((lvl, c), 0)
            for lvl in (2, 3)
            for c in (1, 2, 3, 4)
        )
        and all(counts.level_totals[lvl] == totals.get(lvl, 0) for lvl in (2, 3))
        and sum(n for kind, _, level, n in raw[3] if level in _COUNTED_LEVELS[kind])
        == sum(counts.orders_imposed.values())
        + sum(counts.notification_breaches.values())
        + sum(sum(r.values()) for r in counts.returns_to_custody.values())
        + sum(counts.serious_further_offences.values())
        + sum(counts.serious_case_reviews.values())
    )


def _statistics(workdir: Path) -> list[Figure]:
    path = demo_database(workdir, LARGE)
    engine = make_engine(f"sqlite:///{path}")
    year = ReportingYear(ReportingYear.containing(date.today()).start_year - 1)
    sessions = make_session_factory(read_engine(engine))
    found: list[statistics.AnnualCounts] = []
    raw: list[list[list[tuple[Any, ...]]]] = []

    def ours() -> None:
        with sessions() as s:
            found.append(statistics.annual_counts(s, year))

    try:
        times = interleaved(
            {"ours": ours, "raw": lambda: raw.append(_raw_counts(path, year))}, RUNS
        )
    finally:
        engine.dispose()
    if not _same_counts(found[-1], raw[-1]):
        raise AssertionError("annual_counts and the hand-written SQL disagree")
    best = min(times["ours"])
    return [
        compare(
            f"annual statistics {year.label}, {LARGE:,} cases",
            best,
            "hand-written SQL on raw sqlite3",
            min(times["raw"]),
            bar=BAR_STATISTICS,
        ),
        Figure(f"annual statistics {year.label} (target under 1 s)", best, "s", None),
    ]


# --- chronology -----------------------------------------------------------------------------------


def _history(engine: Engine, actor: Actor, meetings: int) -> int:
    """A case discussed at ``meetings`` meetings a fortnight apart, with a full record each."""
    start = date.today() - timedelta(days=14 * meetings + 30)
    now = datetime.now(UTC)
    with make_session_factory(engine).begin() as s:
        police = people.find_agency(s, "Police")
        assert police is not None
        case = cases.register_case(
            s,
            actor,
            family_name=f"History{meetings}",
            date_of_birth=date(1975, 3, 3),
            lead_agency_id=police.id,
            category=1,
            level=2,
            registration_start=start,
        )
        previous: list[Action] = []
        for n in range(meetings):
            day = start + timedelta(days=14 * (n + 1))
            meeting = Meeting(
                level=2,
                meeting_type=MeetingType.REVIEW,
                meeting_date=day,
                chair_id=actor.person_id,
                status=MeetingStatus.DRAFT,
            )
            s.add(meeting)
            s.flush()
            d = CaseDiscussion(
                meeting_id=meeting.id,
                case_id=case.id,
                agenda_order=1,
                agenda_reason=AgendaReason.REVIEW_DUE,
                risk_summary=f"Summary {n}",
            )
            s.add(d)
            s.flush()
            s.add_all(
                [
                    InformationShared(discussion_id=d.id, agency_id=police.id, text=f"Info {n}"),
                    InformationShared(
                        discussion_id=d.id, agency_id=police.id, text="Intel", restricted=True
                    ),
                    Decision(
                        discussion_id=d.id,
                        kind=DecisionKind.OTHER,
                        outcome=f"Outcome {n}",
                        rationale="Because",
                        recorded_at=now,
                    ),
                ]
            )
            for action in previous:
                s.add(
                    ActionReview(
                        meeting_id=meeting.id, action_id=action.id, outcome=ActionStatus.DONE
                    )
                )
            previous = [
                Action(
                    case_id=case.id,
                    text=f"Action {n}.{k}",
                    owner_agency_id=police.id,
                    due_date=day + timedelta(days=10),
                    set_in_meeting_id=meeting.id,
                    outcome_note="",
                )
                for k in range(2)
            ]
            s.add_all(previous)
            item = RmpItem(
                case_id=case.id,
                pillar=RmpPillar.SUPERVISION,
                text=f"Item {n}",
                status=RmpItemStatus.ACTIVE,
            )
            s.add(item)
            s.flush()
            s.add(
                RmpRevision(
                    item_id=item.id,
                    revision_no=1,
                    change=RmpChange.ADDED,
                    text=item.text,
                    status=RmpItemStatus.ACTIVE,
                    meeting_id=meeting.id,
                )
            )
        return case.id


RAW_CHRONOLOGY = """
SELECT m.meeting_date, 'meeting', m.id FROM case_discussion d JOIN meeting m ON m.id = d.meeting_id
 WHERE d.case_id = :c
UNION ALL SELECT m.meeting_date, 'information', i.id || i.text FROM information_shared i
 JOIN case_discussion d ON d.id = i.discussion_id JOIN meeting m ON m.id = d.meeting_id
 WHERE d.case_id = :c
UNION ALL SELECT m.meeting_date, 'decision', x.id || x.outcome || x.rationale FROM decision x
 JOIN case_discussion d ON d.id = x.discussion_id JOIN meeting m ON m.id = d.meeting_id
 WHERE d.case_id = :c
UNION ALL SELECT m.meeting_date, 'action', a.id || a.text FROM action a
 JOIN meeting m ON m.id = a.set_in_meeting_id WHERE a.case_id = :c
UNION ALL SELECT m.meeting_date, 'review', r.id FROM action_review r
 JOIN action a ON a.id = r.action_id JOIN meeting m ON m.id = r.meeting_id WHERE a.case_id = :c
UNION ALL SELECT m.meeting_date, 'rmp', v.id || v.text FROM rmp_revision v
 JOIN rmp_item t ON t.id = v.item_id JOIN meeting m ON m.id = v.meeting_id WHERE t.case_id = :c
UNION ALL SELECT start_date, 'registration', id || rationale FROM registration WHERE case_id = :c
ORDER BY 1, 2, 3
"""


def _statements(engine: Engine, fn: Callable[[Session], object]) -> int:
    count = 0

    def seen(*_: object) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with make_session_factory(engine)() as s:
            fn(s)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return count


def _chronology(workdir: Path) -> list[Figure]:
    path = workdir / "chronology.sqlite3"
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
        with make_session_factory(engine).begin() as s:
            reader = people.ensure_local_user(s, "coordinator")  # the first user: administrator
        long_case = _history(engine, reader, 50)
        short_case = _history(engine, reader, 5)
        sessions = make_session_factory(engine)
        entries: list[int] = []

        def ours() -> None:
            with sessions() as s:
                entries.append(len(chronology.case_chronology(s, long_case, reader).entries))

        def raw() -> None:
            conn = sqlite3.connect(path)
            try:
                conn.execute(RAW_CHRONOLOGY, {"c": long_case}).fetchall()
            finally:
                conn.close()

        times = interleaved({"ours": ours, "raw": raw}, RUNS)
        many = _statements(engine, lambda s: chronology.case_chronology(s, long_case, reader))
        few = _statements(engine, lambda s: chronology.case_chronology(s, short_case, reader))
    finally:
        engine.dispose()
    return [
        compare(
            f"chronology of a case with 50 meetings ({entries[-1]} entries)",
            min(times["ours"]),
            "raw sqlite3 UNION of the same rows",
            min(times["raw"]),
            bar=None,
        ),
        Figure("chronology statements: 50 meetings minus 5 meetings", many - few, "", 0.0),
        Figure("chronology statements (50 meetings)", many, "", None),
    ]


def measure(workdir: Path) -> list[Figure]:
    return _statistics(workdir) + _chronology(workdir)
