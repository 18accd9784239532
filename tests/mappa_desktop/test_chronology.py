"""The chronology: a demo case's every meeting, decision and action in order (checked against
the database with independent SQL), need-to-know withholding, filters and CSV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from mappa_desktop.db.engine import make_engine, make_session_factory
from mappa_desktop.db.models import Decision, InformationShared
from mappa_desktop.db.schema import migrate
from mappa_desktop.demo.generate import generate_demo
from mappa_desktop.domain.coordination import CaseEventKind
from mappa_desktop.domain.enums import DecisionKind, MeetingStatus, Role
from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.services import case_events, people
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.chronology import (
    WITHHELD_TEXT,
    EntryKind,
    case_chronology,
    chronology_csv_bytes,
)
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_cases import agency_id, days_ago, new_case, new_meeting

TODAY = date.today()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("chronology") / "demo.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    generate_demo(engine, cases=300, seed=11, today=TODAY)
    yield engine
    engine.dispose()


def _coordinator(engine: Engine) -> Actor:
    with make_session_factory(engine)() as s:
        login = next(u.login for u in people.list_users(s) if Role.COORDINATOR in u.roles)
        return people.get_actor(s, login)


def test_a_demo_case_lists_every_meeting_decision_and_action_in_order(demo: Engine) -> None:
    with demo.connect() as conn:
        case_id = conn.execute(
            text(
                "SELECT case_id FROM case_discussion GROUP BY case_id "
                "ORDER BY COUNT(*) DESC, case_id LIMIT 1"
            )
        ).scalar_one()
        meetings = conn.execute(
            text(
                "SELECT m.id, m.meeting_date FROM case_discussion d JOIN meeting m "
                "ON m.id = d.meeting_id WHERE d.case_id = :c ORDER BY m.meeting_date, m.id"
            ),
            {"c": case_id},
        ).all()
        decisions = conn.execute(
            text(
                "SELECT x.id, d.meeting_id FROM decision x JOIN case_discussion d "
                "ON d.id = x.discussion_id WHERE d.case_id = :c"
            ),
            {"c": case_id},
        ).all()
        actions = (
            conn.execute(text("SELECT id FROM action WHERE case_id = :c"), {"c": case_id})
            .scalars()
            .all()
        )
        reviews = (
            conn.execute(
                text(
                    "SELECT r.id FROM action_review r JOIN action a ON a.id = r.action_id "
                    "WHERE a.case_id = :c"
                ),
                {"c": case_id},
            )
            .scalars()
            .all()
        )
    assert len(meetings) >= 2 and decisions and actions
    with make_session_factory(demo)() as s:
        chronology = case_chronology(s, case_id, _coordinator(demo))
    entries = chronology.entries
    assert [e.on for e in entries] == sorted(e.on for e in entries)
    meeting_entries = [e for e in entries if e.kind is EntryKind.MEETING]
    assert [(e.entity_id, e.on) for e in meeting_entries] == [
        (m_id, date.fromisoformat(str(day))) for m_id, day in meetings
    ]
    meeting_dates = {m_id: date.fromisoformat(str(day)) for m_id, day in meetings}
    decision_entries = {e.entity_id: e for e in entries if e.entity == "decision"}
    assert set(decision_entries) == {d_id for d_id, _ in decisions}
    for d_id, m_id in decisions:
        assert decision_entries[d_id].meeting_id == m_id
        assert decision_entries[d_id].on == meeting_dates[m_id]
    assert {e.entity_id for e in entries if e.kind is EntryKind.ACTION_SET} == set(actions)
    assert {e.entity_id for e in entries if e.entity == "action_review"} == set(reviews)
    # The meeting comes first, then what was recorded at it, decisions before new actions.
    for meeting in meeting_entries:
        same = [e for e in entries if e.meeting_id == meeting.entity_id]
        assert same[0] == meeting
        kinds = [e.kind for e in same]
        if EntryKind.DECISION in kinds and EntryKind.ACTION_SET in kinds:
            assert kinds.index(EntryKind.DECISION) < kinds.index(EntryKind.ACTION_SET)
    assert chronology.withheld_count == 0
    assert any(e.kind is EntryKind.REGISTRATION for e in entries)


def test_demo_statistics_and_referrals_are_present(demo: Engine) -> None:
    with demo.connect() as conn:
        kinds = set(conn.execute(text("SELECT DISTINCT kind FROM case_event")).scalars())
        states = set(conn.execute(text("SELECT DISTINCT status FROM referral")).scalars())
        years = conn.execute(
            text("SELECT COUNT(DISTINCT substr(CAST(event_date AS TEXT), 1, 4)) FROM case_event")
        ).scalar_one()
    assert kinds == {k.value for k in CaseEventKind}
    assert states == {"awaiting_screening", "accepted", "declined", "returned"}
    assert years >= 4


def test_restricted_items_are_withheld_from_readers_without_access(
    db: Database, admin: Actor
) -> None:
    case_id = new_case(db, admin, registration_start=days_ago(300)).id
    meeting_id = new_meeting(
        db, case_ids=[case_id], status=MeetingStatus.DRAFT, meeting_date=days_ago(30)
    )
    with db.sessions.begin() as s:
        discussion_id = s.execute(
            text("SELECT id FROM case_discussion WHERE meeting_id = :m"), {"m": meeting_id}
        ).scalar_one()
        police, probation = agency_id(s, "Police"), agency_id(s, "Probation")
        s.add_all(
            [
                InformationShared(
                    discussion_id=discussion_id,
                    agency_id=police,
                    text="Covert intelligence: secret",
                    restricted=True,
                ),
                InformationShared(
                    discussion_id=discussion_id, agency_id=probation, text="Attends appointments."
                ),
                Decision(
                    discussion_id=discussion_id,
                    kind=DecisionKind.DISCLOSURE,
                    outcome="Disclose to the new partner",
                    rationale="Risk to children in the household",
                    disclose=True,
                    restricted=True,
                ),
            ]
        )
        case_events.record_case_event(
            s,
            admin,
            case_id,
            kind="serious_case_review",
            event_date=days_ago(3),
            source="SMB",
            detail="Review details",
            restricted=True,
        )
    probation_reader = make_user(db, "reader1", [Role.READER], agency="Probation")
    police_reader = make_user(db, "reader2", [Role.READER], agency="Police")
    with db.sessions() as s:
        hidden = case_chronology(s, case_id, probation_reader)
        partly = case_chronology(s, case_id, police_reader)
        full = case_chronology(s, case_id, admin)
    secret = [e for e in hidden.entries if e.withheld]
    assert hidden.withheld_count == 3 == len(secret)
    assert {e.kind for e in secret} == {
        EntryKind.INFORMATION,
        EntryKind.DISCLOSURE,
        EntryKind.CASE_EVENT,
    }
    assert all(e.detail == WITHHELD_TEXT for e in secret)
    rendered = "\n".join(f"{e.title} {e.detail}" for e in hidden.entries)
    assert "secret" not in rendered and "new partner" not in rendered
    assert "Review details" not in rendered
    assert "Attends appointments." in rendered
    assert partly.withheld_count == 2  # the police reader sees what the police shared
    assert full.withheld_count == 0
    assert "Covert intelligence: secret" in {e.detail for e in full.entries}
    csv_text = chronology_csv_bytes(hidden).decode("utf-8-sig")
    assert "secret" not in csv_text and csv_text.count(",yes,") == 3


def test_filters_by_kind_and_date(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin, registration_start=days_ago(300)).id
    for n, kind in enumerate(("serious_further_offence", "serious_case_review")):
        with db.sessions.begin() as s:
            case_events.record_case_event(
                s, admin, case_id, kind=kind, event_date=days_ago(50 - 20 * n), source="Test"
            )
    with db.sessions() as s:
        events = case_chronology(s, case_id, admin, kinds=frozenset({EntryKind.CASE_EVENT}))
        late = case_chronology(s, case_id, admin, date_from=days_ago(40), date_to=days_ago(10))
        with pytest.raises(ValidationError):
            case_chronology(s, case_id, admin, date_from=days_ago(1), date_to=days_ago(2))
    assert [e.kind for e in events.entries] == [EntryKind.CASE_EVENT] * 2
    assert [e.title for e in late.entries] == ["Serious case review commissioned"]


def test_csv_of_the_chronology(tmp_path: Path, db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin, family_name="=HYPERLINK(x)", registration_start=days_ago(9)).id
    with db.sessions() as s:
        data = chronology_csv_bytes(case_chronology(s, case_id, admin))
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "date,kind,title,detail,who,withheld,entity,entity_id,meeting_id"
    assert lines[1].startswith(f"{days_ago(9).isoformat()},registration,")
