"""Journey 2, the minute-taker, by key events only: the meeting opened from the list (Enter),
started, attendance recorded from the form, then the first case's page: information shared
with who gave it, victim and diversity issues, the risk discussion and trend, a new action
with its purpose and a level decision, the police officer leaving the room for this case, the
review of the previous action, a new plan item then a change to it with its rationale; then
the second case (Category 1): a disclosure decision with s.327A considered. The database is
read after each step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mappa_desktop.db.models import (
    Action,
    ActionReview,
    Attendance,
    CaseAttendance,
    CaseDiscussion,
    Decision,
    InformationShared,
    RmpRevision,
)
from mappa_desktop.domain.enums import (
    ActionStatus,
    AttendanceStatus,
    DecisionKind,
    MeetingStatus,
    RiskTrend,
    RmpChange,
    RmpPillar,
)
from mappa_desktop.services import meetings
from tests.acceptance.conftest import open_main_window
from tests.acceptance.keys import (
    alt,
    arrow_until,
    focused,
    go_ahead,
    key,
    replace_here,
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

    # The police officer leaves the room for this case: Tab to the room table, Ctrl+Home, Down
    # to the officer's line, Enter (to the status), Home, Down to "absent", Enter records.
    room = case.room
    tab_to(room.table)
    key(Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    arrow_until(lambda: room.person.currentData() == officer)
    key(Qt.Key.Key_Return)
    assert focused() is room.status
    key(Qt.Key.Key_Home)
    arrow_until(lambda: room.status.currentData() == AttendanceStatus.ABSENT)
    key(Qt.Key.Key_Return)
    assert room.error.isHidden(), room.error.text()
    assert in_room(sqlite_db, discs[0]) == [(police, officer, AttendanceStatus.ABSENT)]

    # The previous action is reviewed: done, with a note (autosaved on leaving the note).
    review = case.previous.review_rows[seeded.action_ids[0]]
    tab_to(review.outcome)
    key(Qt.Key.Key_Home)
    arrow_until(lambda: review.outcome.currentData() == ActionStatus.DONE)
    tab_to(review.note)
    type_here("Visited on 20/11; all well.")
    key(Qt.Key.Key_Tab)
    qtbot.waitUntil(
        lambda: (
            reviews_of(sqlite_db, meeting_id)
            == [(seeded.action_ids[0], ActionStatus.DONE, "Visited on 20/11; all well.")]
        ),
        timeout=int(SAVED_S * 1000),
    )

    # The plan: a new supervision item by the police, then a change to it with its rationale.
    plan = case.plan
    tab_to(plan.pillar)
    key(Qt.Key.Key_Home)
    arrow_until(lambda: plan.pillar.currentData() == RmpPillar.SUPERVISION)
    tab_to(plan.text)
    type_here("Weekly home visits by the police")
    tab_to(plan.agency)
    arrow_until(lambda: plan.agency.currentData() == police)
    tab_to(plan.add_button)
    key(Qt.Key.Key_Space)
    assert plan.error.isHidden(), plan.error.text()
    assert plan_changes(sqlite_db, meeting_id) == [
        (RmpChange.ADDED, "Weekly home visits by the police")
    ]
    tab_to(plan.table)
    key(Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    arrow_until(lambda: plan.text.text() == "Weekly home visits by the police")
    tab_to(plan.text)
    replace_here("Twice-weekly home visits by the police")
    tab_to(plan.rationale)
    type_here("A new associate was seen near the school.")
    tab_to(plan.change_button)
    key(Qt.Key.Key_Space)
    assert plan.error.isHidden(), plan.error.text()
    assert plan_changes(sqlite_db, meeting_id) == [
        (RmpChange.ADDED, "Weekly home visits by the police"),
        (RmpChange.CHANGED, "Twice-weekly home visits by the police"),
    ]

    # The second case, Category 1: Ctrl+PgDown; disclosure with s.327A considered.
    shortcut("Ctrl+PgDown")
    second = view.stack.currentWidget()
    assert isinstance(second, CasePage) and second.discussion_id == discs[1]
    dec = second.decisions
    assert dec.s327a_prompt.isVisibleTo(second) and "s.327A" in dec.s327a_prompt.text()
    shortcut("Ctrl+D")
    tab_to(dec.kind)
    arrow_until(lambda: dec.kind.currentData() == DecisionKind.DISCLOSURE)
    tab_to(dec.disclose)
    arrow_until(lambda: dec.disclose.currentData() is True)
    for field, text in (
        (dec.disclosure_to, "New partner (mother of two children)"),
        (dec.disclosure_by, "PC Jones, police"),
        (dec.disclosure_method, "In person, with a leaflet"),
    ):
        tab_to(field)
        type_here(text)
    tab_to(dec.s327a)
    key(Qt.Key.Key_Space)
    assert dec.s327a.isChecked()
    tab_to(dec.rationale)
    type_here("Children at risk; the s.327A presumption applies.")
    tab_to(dec.record_button)
    key(Qt.Key.Key_Space)
    assert dec.error.isHidden(), dec.error.text()
    qtbot.waitUntil(lambda: disclosures_of(sqlite_db, discs[1]) != [])
    assert disclosures_of(sqlite_db, discs[1]) == [
        (
            True,
            "New partner (mother of two children)",
            "PC Jones, police",
            "In person, with a leaflet",
            True,
            "Children at risk; the s.327A presumption applies.",
        )
    ]


def decisions_of(db: Database, discussion_id: int) -> list[tuple[DecisionKind, str]]:
    with db.sessions() as s:
        rows = s.scalars(select(Decision).where(Decision.discussion_id == discussion_id))
        return [(d.kind, d.rationale) for d in rows]


def in_room(db: Database, discussion_id: int) -> list[tuple[int, int | None, AttendanceStatus]]:
    """This case's own attendance entries (the meeting-wide ones are not repeated)."""
    with db.sessions() as s:
        rows = s.scalars(
            select(CaseAttendance).where(CaseAttendance.discussion_id == discussion_id)
        )
        return [(r.agency_id, r.person_id, r.status) for r in rows]


def reviews_of(db: Database, meeting_id: int) -> list[tuple[int, ActionStatus, str]]:
    with db.sessions() as s:
        rows = s.scalars(select(ActionReview).where(ActionReview.meeting_id == meeting_id))
        return [(r.action_id, r.outcome, r.note) for r in rows]


def plan_changes(db: Database, meeting_id: int) -> list[tuple[RmpChange, str]]:
    with db.sessions() as s:
        rows = s.scalars(
            select(RmpRevision).where(RmpRevision.meeting_id == meeting_id).order_by(RmpRevision.id)
        )
        return [(r.change, r.text) for r in rows]


def disclosures_of(
    db: Database, discussion_id: int
) -> list[tuple[bool | None, str, str, str, bool, str]]:
    with db.sessions() as s:
        rows = s.scalars(
            select(Decision).where(
                Decision.discussion_id == discussion_id,
                Decision.kind == DecisionKind.DISCLOSURE,
            )
        )
        return [
            (
                d.disclose,
                d.disclosure_to,
                d.disclosure_by,
                d.disclosure_method,
                d.s327a_considered,
                d.rationale,
            )
            for d in rows
        ]
