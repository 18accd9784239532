"""Shared builders for the meeting-screen tests: a seeded SQLite database, the app context and
typing helpers (non-ASCII text is typed one key event per character: TECH-NOTES §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QWidget

from mappa_desktop.domain.enums import Role
from mappa_desktop.journal import Journal, JournalEntry
from mappa_desktop.services import meetings, people, rmp
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import (
    MEETING_DAY,
    agency_id,
    make_case,
    old_action,
    person,
)
from ui.bus import ChangeBus
from ui.context import AppContext
from ui.tasks import Pool, SyncPool, TaskRunner
from ui.views.meeting.draft_keys import DraftKey

FAST = {"debounce_ms": 40, "journal_ms": 10, "retry_ms": 100}


def type_text(widget: QWidget, text: str) -> None:
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def context(db: Database, actor: Actor, pool: Pool | None = None) -> AppContext:
    return AppContext(
        url=db.url,
        engine=db.engine,
        actor=actor,
        runner=TaskRunner(pool if pool is not None else SyncPool()),
        bus=ChangeBus(),
        today=lambda: MEETING_DAY,
    )


def chair(db: Database) -> Actor:
    return make_user(
        db,
        "chair",
        [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER],
        family_name="Okonkwo-Smith",
    )


@dataclass(frozen=True)
class Seeded:
    case_ids: list[int]  # Wiśniewski (Cat 2), Иванов (Cat 1), O'Brien (Cat 2)
    action_ids: list[int]  # previous open actions of the first two cases
    rmp_item_id: int  # an active plan item of the third case
    people: dict[str, int]  # short agency name -> a person there


def seed(db: Database, actor: Actor) -> Seeded:
    """Three Level 2 cases due for review, two old open actions, one plan item, staff."""
    due = MEETING_DAY - timedelta(days=3)
    with db.sessions.begin() as s:
        cases = [
            make_case(s, "Wiśniewski", "Łukasz", category=2, next_review_due=due),
            make_case(s, "Иванов", "Дмитрий", category=1, next_review_due=due),
            make_case(s, "O'Brien", "Seán", category=2, next_review_due=due),
        ]
        acts = [
            old_action(s, cases[0], due=MEETING_DAY - timedelta(days=5), text="Home visit"),
            old_action(
                s,
                cases[1],
                due=MEETING_DAY - timedelta(days=2),
                text="Check address",
                agency="Probation",
            ),
        ]
        item = rmp.add_item(
            s,
            actor,
            cases[2],
            pillar="monitoring_control",
            text="Curfew 19:00-07:00",
            responsible_agency_id=agency_id(s, "Probation"),
            start_date=MEETING_DAY - timedelta(days=60),
            rationale="Licence condition",
        )
        staff = {
            short: person(s, f"Officer{short.replace(' ', '')}", "Pat", agency=short)
            for short in ("Police", "Probation", "Prison", "Housing")
        }
    return Seeded(case_ids=cases, action_ids=acts, rmp_item_id=item.id, people=staff)


def scheduled_meeting(
    db: Database, actor: Actor, case_ids: list[int], *, day: date = MEETING_DAY
) -> tuple[int, list[int]]:
    with db.sessions.begin() as s:
        m = meetings.schedule_meeting(
            s,
            actor,
            level=2,
            meeting_type="review",
            meeting_date=day,
            venue="Room 4",
            chair_id=actor.person_id,
        )
        discs = [meetings.add_to_agenda(s, actor, m.id, c).id for c in case_ids]
    return m.id, discs


def journal_for(db: Database, tmp_path: Path) -> Journal:
    return Journal(db.url, tmp_path / "journal.sqlite3")


def journaled(journal: Journal, meeting_id: int, key: DraftKey) -> JournalEntry | None:
    """The journal's entry for a field or draft of the meeting screen (by its typed key)."""
    return journal.get(meeting_id, key.to_journal())


def police_id(db: Database) -> int:
    with db.sessions() as s:
        found = people.find_agency(s, "Police")
        assert found is not None
        return found.id


def open_confirmation(parent: QWidget) -> QMessageBox:
    """The confirmation (``ui.messages.confirm``) the last step opened over ``parent``."""
    boxes = [b for b in parent.findChildren(QMessageBox, "confirmBox") if b.isVisible()]
    assert len(boxes) == 1, f"expected one confirmation, found {len(boxes)}"
    return boxes[0]


def confirm_step(parent: QWidget) -> None:
    """Press the button that goes ahead in the confirmation the last step opened."""
    box = open_confirmation(parent)
    go = [b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole]
    go[0].click()
