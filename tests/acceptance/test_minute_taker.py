"""Journey 2, the minute-taker, by key events only: the meeting opened from the list (Enter),
started, attendance recorded from the form, then the first case's page: information shared
with who gave it, victim and diversity issues, the risk discussion and trend, a new action
with its purpose and a level decision; the database is read after each step.

Not yet driven here (time): the per-case "in the room" status, the previous-action review,
an RMP change and the disclosure decision with s.327A; ``tests/ui/test_case_sections.py``
drives each of those by keys on its own."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mappa_desktop.db.models import Action, Attendance, CaseDiscussion, Decision, InformationShared
from mappa_desktop.domain.enums import DecisionKind, MeetingStatus, RiskTrend
from mappa_desktop.services import meetings
from tests.acceptance.conftest import open_main_window
from tests.acceptance.keys import (
    alt,
    arrow_until,
    focused,
    go_ahead,
    key,
    shortcut,
    tab_to,
    type_here,
    visible_confirmations,
)
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import agency_id
from tests.ui.meeting_helpers import chair, scheduled_meeting, seed
from ui.views.meeting import MeetingView
from ui.views.meeting.case_page import CasePage

pytestmark = [pytest.mark.gui, pytest.mark.slow]

SAVED_S = 15.0  # autosave waits for a pause in typing (800 ms) and runs on a busy machine


def status_of(db: Database, meeting_id: int) -> MeetingStatus:
    with db.sessions() as s:
        return meetings.get_meeting_row(s, meeting_id).status


def discussion(db: Database, discussion_id: int) -> CaseDiscussion:
    with db.sessions() as s:
        found = s.get(CaseDiscussion, discussion_id)
        assert found is not None
        return found


def test_a_minute_taker_records_the_meeting_and_a_case(qtbot: QtBot, sqlite_db: Database) -> None:
    actor = chair(sqlite_db)
    seeded = seed(sqlite_db, actor)
    meeting_id, discs = scheduled_meeting(sqlite_db, actor, seeded.case_ids[:2])
    with sqlite_db.sessions() as s:
        police = agency_id(s, "Police")
    officer = seeded.people["Police"]
    window = open_main_window(qtbot, sqlite_db, actor)

    # Ctrl+2, Enter: the meeting; Alt+T starts it.
    shortcut("Ctrl+2")
    key(Qt.Key.Key_Return)
    view = window.tabs.currentWidget()
    assert isinstance(view, MeetingView)
    qtbot.waitUntil(lambda: view.data is not None)
    alt("t")
    qtbot.waitUntil(
        lambda: (
            status_of(sqlite_db, meeting_id) is MeetingStatus.IN_PROGRESS
            or bool(visible_confirmations(view))
        )
    )
    if visible_confirmations(view):
        go_ahead(qtbot, view)
    qtbot.waitUntil(lambda: status_of(sqlite_db, meeting_id) is MeetingStatus.IN_PROGRESS)

    # Attendance from the form: Alt+Y agency, Alt+N person, Alt+D arrived, Enter records.
    page = view.attendance_page
    qtbot.waitUntil(lambda: page.agency.isEnabled())
    alt("y")
    assert focused() is page.agency
    arrow_until(lambda: page.agency.currentData() == police)
    alt("n")
    assert focused() is page.person
    arrow_until(lambda: page.person.currentData() == officer)
    alt("d")
    assert focused() is page.arrived
    type_here("10:02")
    key(Qt.Key.Key_Return)
    assert page.form_error.isHidden(), page.form_error.text()
    with sqlite_db.sessions() as s:
        rows = s.scalars(select(Attendance).where(Attendance.meeting_id == meeting_id)).all()
        assert [(r.person_id, str(r.arrived_at)[:5]) for r in rows] == [(officer, "10:02")]

    # The first case: Ctrl+PgDown.
    shortcut("Ctrl+PgDown")
    case = view.stack.currentWidget()
    assert isinstance(case, CasePage) and case.discussion_id == discs[0]

    # Information shared by the police, with who gave it.
    info = case.information.info_fields[police]
    tab_to(info.editor)
    type_here("Seen near the school on Monday.")
    tab_to(info.given_by)
    arrow_until(lambda: info.given_by.currentData() == officer)

    def shared() -> InformationShared | None:
        with sqlite_db.sessions() as s:
            return s.scalars(
                select(InformationShared).where(
                    InformationShared.discussion_id == discs[0],
                    InformationShared.agency_id == police,
                )
            ).one_or_none()

    def police_shared() -> bool:
        row = shared()
        return row is not None and (row.text, row.given_by_id) == (
            "Seen near the school on Monday.",
            officer,
        )

    qtbot.waitUntil(police_shared, timeout=int(SAVED_S * 1000))

    # Victim and diversity issues, the risk discussion and its trend: autosaved.
    victim = "Former partner in Łódź; no-contact order in force."
    diversity = "Needs a Polish interpreter for supervision."
    summary = "Police raised a new associate; probation reported good compliance."
    tab_to(case.issues.victim_issues.editor)
    type_here(victim)
    tab_to(case.issues.diversity_issues.editor)
    type_here(diversity)
    tab_to(case.risk.summary.editor)
    type_here(summary)
    tab_to(case.risk.trend)
    arrow_until(lambda: case.risk.trend.currentData() == RiskTrend.INCREASING.value)
    tab_to(case.plan.table)  # leaving the field saves it
    qtbot.waitUntil(
        lambda: (
            (
                discussion(sqlite_db, discs[0]).victim_issues,
                discussion(sqlite_db, discs[0]).diversity_issues,
                discussion(sqlite_db, discs[0]).risk_trend,
            )
            == (victim, diversity, RiskTrend.INCREASING)
        ),
        timeout=int(SAVED_S * 1000),
    )

    # A new action with its purpose: Ctrl+Shift+A, what, Tab, why, Enter.
    shortcut("Ctrl+Shift+A")
    assert focused() is case.new_actions.text
    type_here("Check the new address")
    key(Qt.Key.Key_Tab)
    assert focused() is case.new_actions.purpose
    type_here("To confirm he lives away from the victim")
    key(Qt.Key.Key_Return)
    assert case.new_actions.error.isHidden(), case.new_actions.error.text()
    with sqlite_db.sessions() as s:
        action = s.scalars(select(Action).where(Action.text == "Check the new address")).one()
        assert action.purpose == "To confirm he lives away from the victim"

    # A level decision: Ctrl+D, the kind, a rationale, Alt+R records it.
    shortcut("Ctrl+D")
    decisions = case.decisions
    tab_to(decisions.kind)
    arrow_until(lambda: decisions.kind.currentData() == DecisionKind.LEVEL)
    tab_to(decisions.rationale)
    type_here("Risk is stable but needs multi-agency oversight.")
    alt("r")
    qtbot.waitUntil(lambda: decisions_of(sqlite_db, discs[0]) != [])
    [(kind, rationale)] = decisions_of(sqlite_db, discs[0])
    assert (kind, rationale) == (
        DecisionKind.LEVEL,
        "Risk is stable but needs multi-agency oversight.",
    )


def decisions_of(db: Database, discussion_id: int) -> list[tuple[DecisionKind, str]]:
    with db.sessions() as s:
        rows = s.scalars(select(Decision).where(Decision.discussion_id == discussion_id))
        return [(d.kind, d.rationale) for d in rows]
