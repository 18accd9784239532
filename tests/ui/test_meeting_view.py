"""The meeting screen on a real SQLite file: a whole Level 2 meeting with three cases run from
the keyboard and checked in the database; the checklist refusing incomplete cases; scheduling,
the agenda builder, conflicts, and the shortcuts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mappa_desktop.db.models import (
    Action,
    ActionReview,
    Attendance,
    CaseDiscussion,
    Decision,
    InformationShared,
    Meeting,
    RmpRevision,
)
from mappa_desktop.domain.enums import (
    ActionStatus,
    AttendanceStatus,
    DecisionKind,
    MeetingStatus,
    NotDoneReason,
    RmpPillar,
)
from mappa_desktop.services import discussions, meetings
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import MEETING_DAY, agency_id
from tests.ui.meeting_helpers import (
    FAST,
    chair,
    context,
    journal_for,
    scheduled_meeting,
    seed,
    type_text,
)
from ui.main_window import MainWindow
from ui.views.meeting import MeetingView
from ui.views.meeting.agenda import AgendaDialog
from ui.views.meeting.case_page import CasePage
from ui.views.meeting.schedule import ScheduleDialog

pytestmark = pytest.mark.gui


def choose(combo: QComboBox, data: object) -> None:
    position = combo.findData(data)
    assert position >= 0, f"{data!r} not offered by {combo.accessibleName()}"
    combo.setCurrentIndex(position)


def choose_text(combo: QComboBox, fragment: str) -> None:
    for i in range(combo.count()):
        if fragment in combo.itemText(i):
            combo.setCurrentIndex(i)
            return
    raise AssertionError(f"{fragment!r} not offered by {combo.accessibleName()}")


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """Shortcuts only fire in the active window (offscreen activation is asynchronous)."""
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


def current_case(view: MeetingView) -> CasePage:
    page = view.stack.currentWidget()
    assert isinstance(page, CasePage)
    return page


def test_journey_level_2_meeting_with_three_cases_from_the_keyboard(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    wisniewski, ivanov, obrien = seeded.case_ids
    ctx = context(db, actor)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    activate(qtbot, window)
    window.reload_all()

    # --- schedule the meeting: Ctrl+2, Ctrl+N, venue, Enter ---
    qtbot.keySequence(window, "Ctrl+2")
    page = window.meetings
    page.table.setFocus()
    qtbot.keySequence(page.table, "Ctrl+N")
    dialog = next(d for d in page.open_dialogs() if isinstance(d, ScheduleDialog))
    assert dialog.isVisible()  # opened with open(): the window is not blocked by exec()
    assert dialog.chair.currentData() == actor.person_id  # the chair defaults to the user
    dialog.venue.setFocus()
    qtbot.keyClicks(dialog.venue, "Room 4, Central Police Station")
    qtbot.keyClick(dialog.venue, Qt.Key.Key_Return)
    agenda = next(d for d in page.open_dialogs() if isinstance(d, AgendaDialog))
    meeting_id = agenda.meeting_id

    # --- the agenda: all three proposed (review due), then O'Brien moved down with Alt+Down ---
    assert agenda.proposal_model.rowCount() == 3
    assert "Review due" in agenda.proposal_model.row_at(0).detail
    agenda.add_all_button.click()
    order = [i.case.case_id for i in agenda.agenda_model.rows()]
    assert sorted(order) == sorted(seeded.case_ids)
    assert order == [obrien, wisniewski, ivanov]  # same due date: by family name
    agenda.agenda_table.setFocus()
    agenda.agenda_table.selectRow(0)
    qtbot.keyClick(agenda.agenda_table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert [i.case.case_id for i in agenda.agenda_model.rows()] == [wisniewski, obrien, ivanov]
    assert agenda.agenda_table.currentIndex().row() == 1  # the moved case stays selected
    agenda.reject()

    # --- open it with Enter ---
    assert page.select_meeting(meeting_id)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    view = window.tabs.currentWidget()
    assert isinstance(view, MeetingView) and view.meeting_id == meeting_id
    assert view.stack.currentWidget() is view.attendance_page  # the statement comes first
    assert (
        "Confidentiality and Diversity Statement"
        in view.attendance_page.statement_text.toPlainText()
    )

    view.start_button.click()
    assert view.data is not None and view.data.detail.meeting.status is MeetingStatus.IN_PROGRESS

    # --- statement and attendance ---
    att = view.attendance_page
    att.confirm_button.click()
    assert "Confirmed read and agreed by Test Okonkwo-Smith" in att.confirmed_label.text()
    assert not att.confirm_button.isEnabled()
    assert "Police" in att.warnings.text()  # Responsible Authority not yet represented

    def record(
        short: str, status: AttendanceStatus, person: bool = True, arrived: str = ""
    ) -> None:
        with db.sessions() as s:
            choose(att.agency, agency_id(s, short))
        if person:
            choose(att.person, seeded.people[short])
        choose(att.status, status)
        att.arrived.setFocus()
        att.arrived.clear()
        if arrived:
            qtbot.keyClicks(att.arrived, arrived)
        qtbot.keyClick(att.arrived, Qt.Key.Key_Return)

    record("Police", AttendanceStatus.PRESENT, arrived="09:30")
    record("Probation", AttendanceStatus.APOLOGIES)
    record("Prison", AttendanceStatus.PRESENT, arrived="09:35")
    record("Housing", AttendanceStatus.REPORT_SUBMITTED, person=False)
    # The probation officer turns up after all: select the line, Ctrl+P.
    probation_line = next(
        i
        for i, line in enumerate(att.model.rows())
        if line.row is not None and line.row.person_id == seeded.people["Probation"]
    )
    att.table.setFocus()
    att.table.selectRow(probation_line)
    qtbot.keySequence(att.table, "Ctrl+P")
    assert att.warnings.isHidden(), att.warnings.text()  # every RA agency is present now
    assert "⚠" not in view.nav.item(0).text()

    # --- case 1: Wiśniewski ---
    view.nav.setFocus()
    qtbot.keySequence(view.nav, "Ctrl+PgDown")
    case = current_case(view)
    assert case.case_id == wisniewski
    assert "Category 2" in case.header.text() and "Level 2" in case.header.text()
    review = case.review_rows[seeded.action_ids[0]]
    choose(review.outcome, ActionStatus.DONE)
    review.note.setFocus()
    type_text(review.note, "Visited 20/11 — all well")
    police = case.info_fields[agency_id_of(db, "Police")]
    police.editor.setFocus()
    type_text(police.editor, "Intelligence: seen near the victim's street — Łódź car")
    probation = case.info_fields[agency_id_of(db, "Probation")]
    type_text(probation.editor, "Compliant with licence; attends appointments.")
    type_text(case.risk_summary.editor, "High risk to ex-partner; imminence low while in AP.")
    qtbot.keySequence(case.risk_summary.editor, "Ctrl+S")
    assert case.risk_summary.state.text().startswith("Saved")
    assert review.state.text().startswith("Saved"), review.state.text()
    # RMP: a new supervision item
    choose(case.rmp_pillar, RmpPillar.SUPERVISION)
    case.rmp_text.setText("Weekly home visits by the police")
    choose(case.rmp_agency, agency_id_of(db, "Police"))
    case.rmp_add.click()
    assert case.rmp_error.isHidden(), case.rmp_error.text()
    assert any(line.here == "Added" for line in case.rmp_model.rows())
    # New action: Ctrl+Shift+A, type, Enter
    qtbot.keySequence(case.risk_summary.editor, "Ctrl+Shift+A")
    assert case.action_text.hasFocus()
    choose(case.action_agency, agency_id_of(db, "Housing"))
    choose(case.action_person, seeded.people["Housing"])
    qtbot.keyClicks(case.action_text, "Refer to the housing panel")
    qtbot.keyClick(case.action_text, Qt.Key.Key_Return)
    assert case.action_error.isHidden(), case.action_error.text()
    assert case.actions_model.rowCount() == 1
    # Decisions: Ctrl+D, a level decision (next review defaulted), then a dissent
    qtbot.keySequence(case.action_text, "Ctrl+D")
    dec = case.decisions
    assert dec.kind.hasFocus()
    assert dec.kind.currentData() == DecisionKind.LEVEL
    expected_review = MEETING_DAY + timedelta(days=112)
    assert dec.review_date.date().toPython() == expected_review
    type_text(dec.rationale, "Risk is stable; multi-agency oversight still adds value.")
    dec.record_button.click()
    assert dec.error.isHidden(), dec.error.text()
    assert dec.model.rowCount() == 1
    choose(dec.dissent_agency, agency_id_of(db, "Police"))
    dec.dissent_view.setFocus()
    qtbot.keyClicks(dec.dissent_view, "Police would raise to Level 3")
    qtbot.keyClick(dec.dissent_view, Qt.Key.Key_Return)
    assert dec.dissent_error.isHidden(), dec.dissent_error.text()
    assert "Police would raise to Level 3" in dec.model.row_at(0).dissents[0].view

    # --- case 2: O'Brien (moved up the agenda): change the curfew, level decision ---
    qtbot.keySequence(dec.dissent_view, "Ctrl+PgDown")
    case = current_case(view)
    assert case.case_id == obrien
    case.rmp_table.setFocus()
    case.rmp_table.selectRow(0)
    case.rmp_text.setText("Curfew 20:00-07:00")
    case.rmp_rationale.setText("Works a late shift; agreed by the panel.")
    case.rmp_change.click()
    assert case.rmp_error.isHidden(), case.rmp_error.text()
    assert [line.here for line in case.rmp_model.rows()] == ["Changed"]
    type_text(case.info_fields[agency_id_of(db, "Probation")].editor, "Working nights since May.")
    qtbot.keySequence(case.header, "Ctrl+D")
    type_text(case.decisions.rationale, "No new concerns.")
    case.decisions.record_button.click()
    assert case.decisions.error.isHidden(), case.decisions.error.text()

    # --- case 3: Иванов (Category 1): carried-over action, disclosure with s.327A ---
    qtbot.keySequence(case.header, "Ctrl+PgDown")
    case = current_case(view)
    assert case.case_id == ivanov
    review = case.review_rows[seeded.action_ids[1]]
    choose(review.outcome, ActionStatus.CARRIED_OVER)
    choose(review.reason, NotDoneReason.CIRCUMSTANCES_CHANGED)
    review.has_due.setChecked(True)
    review.due.setDate(review.due.date().addDays(14))
    type_text(review.note, "Moved address; new address to be checked.")
    dec = case.decisions
    assert dec.s327a_prompt.isVisibleTo(case) and "s.327A" in dec.s327a_prompt.text()
    choose(dec.kind, DecisionKind.DISCLOSURE)
    choose(dec.disclose, True)
    dec.disclosure_to.setText("New partner (mother of two children)")
    dec.disclosure_by.setText("PC Jones, police")
    dec.disclosure_method.setText("In person, with a leaflet")
    dec.s327a.setChecked(True)
    type_text(dec.rationale, "Children at risk; s.327A presumption applies.")
    dec.record_button.click()
    assert dec.error.isHidden(), dec.error.text()

    # --- close and submit: refused, Иванов has no level decision yet ---
    view.close_button.click()
    assert view.data.detail.meeting.status is MeetingStatus.DRAFT
    view.submit_button.click()
    refusal = view.checklist_page.refusal
    assert view.stack.currentWidget() is view.checklist_page
    assert refusal.isVisibleTo(view)
    assert "Not submitted for sign-off" in refusal.text()
    assert "Дмитрий Иванов: no level decision has been recorded" in refusal.text()
    assert "Дмитрий Иванов: no next review date has been set" in refusal.text()
    assert "Wiśniewski" not in refusal.text() and "O&#x27;Brien" not in refusal.text()

    view.nav.setFocus()
    qtbot.keySequence(view.nav, "Ctrl+PgUp")
    case = current_case(view)
    assert case.case_id == ivanov
    qtbot.keySequence(view.nav, "Ctrl+D")
    choose(case.decisions.kind, DecisionKind.LEVEL)
    type_text(case.decisions.rationale, "Keep at Level 2 while the disclosure is made.")
    case.decisions.record_button.click()
    view.submit_button.click()
    assert view.status_error.isHidden(), view.status_error.text()
    assert view.data.detail.meeting.status is MeetingStatus.AWAITING_SIGN_OFF

    # --- everything is in the database ---
    with db.sessions() as s:
        meeting = s.get(Meeting, meeting_id)
        assert meeting is not None
        assert meeting.status is MeetingStatus.AWAITING_SIGN_OFF
        assert meeting.venue == "Room 4, Central Police Station"
        assert meeting.statement_confirmed_by_id == actor.user_id
        rows = {
            a.person_id: a
            for a in s.scalars(select(Attendance).where(Attendance.meeting_id == meeting_id))
        }
        assert rows[seeded.people["Police"]].status is AttendanceStatus.PRESENT
        assert rows[seeded.people["Police"]].arrived_at is not None
        assert rows[seeded.people["Police"]].arrived_at.strftime("%H:%M") == "09:30"
        assert rows[seeded.people["Probation"]].status is AttendanceStatus.PRESENT
        assert rows[None].status is AttendanceStatus.REPORT_SUBMITTED
        discs = {
            d.case_id: d
            for d in s.scalars(
                select(CaseDiscussion).where(CaseDiscussion.meeting_id == meeting_id)
            )
        }
        assert [discs[c].agenda_order for c in (wisniewski, obrien, ivanov)] == [1, 2, 3]
        assert discs[wisniewski].risk_summary.startswith("High risk to ex-partner")
        infos = {
            (i.discussion_id, i.agency_id): i.text for i in s.scalars(select(InformationShared))
        }
        police_id, probation_id = agency_id(s, "Police"), agency_id(s, "Probation")
        assert infos[(discs[wisniewski].id, police_id)] == (
            "Intelligence: seen near the victim's street — Łódź car"
        )
        assert infos[(discs[obrien].id, probation_id)] == "Working nights since May."
        reviews = {r.action_id: r for r in s.scalars(select(ActionReview))}
        done = reviews[seeded.action_ids[0]]
        assert done.outcome is ActionStatus.DONE and done.note == "Visited 20/11 — all well"
        carried = reviews[seeded.action_ids[1]]
        assert carried.outcome is ActionStatus.CARRIED_OVER
        assert carried.not_done_reason is NotDoneReason.CIRCUMSTANCES_CHANGED
        assert carried.new_due_date is not None and carried.new_due_date > MEETING_DAY
        new_action = s.scalar(select(Action).where(Action.set_in_meeting_id == meeting_id))
        assert new_action is not None and new_action.text == "Refer to the housing panel"
        assert new_action.owner_person_id == seeded.people["Housing"]
        revisions = list(s.scalars(select(RmpRevision).where(RmpRevision.meeting_id == meeting_id)))
        assert sorted(r.change.value for r in revisions) == ["added", "changed"]
        assert any(r.text == "Curfew 20:00-07:00" for r in revisions)
        decisions = list(s.scalars(select(Decision)))
        by_case = {(d.discussion_id, d.kind): d for d in decisions}
        level = by_case[(discs[wisniewski].id, DecisionKind.LEVEL)]
        assert level.new_level == 2 and level.next_review_date == MEETING_DAY + timedelta(days=112)
        assert [x.view for x in level.dissents] == ["Police would raise to Level 3"]
        assert level.dissents[0].agency_id == police_id
        disclosure = by_case[(discs[ivanov].id, DecisionKind.DISCLOSURE)]
        assert disclosure.disclose is True and disclosure.s327a_considered
        assert disclosure.disclosure_to.startswith("New partner")
        assert (discs[ivanov].id, DecisionKind.LEVEL) in by_case
        assert meetings.sign_off_problems(s, meeting_id) == []


def agency_id_of(db: Database, short: str) -> int:
    with db.sessions() as s:
        return agency_id(s, short)


def test_checklist_refuses_each_incomplete_case_with_a_sentence(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids)
    with db.sessions.begin() as s:
        meetings.start_meeting(s, actor, meeting_id)
        meetings.close_to_draft(s, actor, meeting_id)
        # the second case has a disclosure decision missing its details
        discussions.record_decision(
            s,
            actor,
            discs[1],
            kind="disclosure",
            outcome="Disclose",
            rationale="Children at risk",
            disclose=True,
        )
    view = MeetingView(context(db, actor), meeting_id, journal=journal_for(db, tmp_path), **FAST)
    qtbot.addWidget(view)
    view.show()
    view.submit_button.click()
    text = view.checklist_page.refusal.text()
    assert view.stack.currentWidget() is view.checklist_page
    assert "The confidentiality and diversity statement has not been confirmed" in text
    assert "No attendance has been recorded" in text
    for name in ("Łukasz Wiśniewski", "Дмитрий Иванов", "Seán O&#x27;Brien"):
        assert f"{name}: no level decision has been recorded" in text.replace("'", "&#x27;")
    assert "the previous action &#x27;Home visit&#x27;" in text.replace("'", "&#x27;")
    assert "does not say to whom, by whom, how, when" in text
    with db.sessions() as s:
        assert s.get(Meeting, meeting_id).status is MeetingStatus.DRAFT  # type: ignore[union-attr]
    assert "to do" in view.nav.item(view.nav.count() - 1).text()


def test_concurrent_edit_shows_both_texts_and_never_overwrites(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids[:1])
    view = MeetingView(context(db, actor), meeting_id, journal=journal_for(db, tmp_path), **FAST)
    qtbot.addWidget(view)
    view.show()
    view.step_page(1)
    case = current_case(view)
    field = case.risk_summary
    # Someone else saves first, from another computer.
    with db.sessions.begin() as s:
        discussions.set_risk_summary(s, actor, discs[0], "Their assessment: risk rising.")
    type_text(field.editor, "My notes: risk stable.")
    view.hub.flush_all()
    assert field.conflict.isVisibleTo(view)
    assert field.conflict.theirs.toPlainText() == "Their assessment: risk rising."
    assert field.conflict.mine.toPlainText() == "My notes: risk stable."
    assert "someone else changed this text" in field.state.text()
    with db.sessions() as s:
        assert (
            discussions.get_discussion(s, discs[0]).risk_summary == "Their assessment: risk rising."
        )
    assert view.journal.get(meeting_id, f"risk_summary/{discs[0]}") is not None  # mine is kept
    field.conflict.keep_button.click()
    assert field.state.text().startswith("Saved")
    with db.sessions() as s:
        assert discussions.get_discussion(s, discs[0]).risk_summary == "My notes: risk stable."
    assert view.journal.pending(meeting_id) == []


def test_reordered_agenda_is_not_a_conflict_for_an_unchanged_text(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids[:2])
    view = MeetingView(context(db, actor), meeting_id, journal=journal_for(db, tmp_path), **FAST)
    qtbot.addWidget(view)
    view.step_page(1)
    case = current_case(view)
    with db.sessions.begin() as s:  # bumps both discussions' versions, not their texts
        meetings.reorder_agenda(s, actor, meeting_id, list(reversed(discs)))
    type_text(case.risk_summary.editor, "Stable.")
    view.hub.flush_all()
    assert case.risk_summary.state.text().startswith("Saved")
    assert not case.risk_summary.conflict.isVisibleTo(view)


def test_journal_entries_are_put_back_and_saved_on_opening(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids[:1])
    journal = journal_for(db, tmp_path)
    police = agency_id_of(db, "Police")
    journal.write(
        meeting_id,
        f"risk_summary/{discs[0]}",
        "Typed before the crash",
        base_version=1,
        base_text="",
    )
    journal.write(
        meeting_id,
        f"information/{discs[0]}/{police}",
        "Police: seen on CCTV",
        base_version=None,
        base_text="",
    )
    journal.write(meeting_id, "information/99999/1", "for a case no longer on the agenda")
    view = MeetingView(context(db, actor), meeting_id, journal=journal, **FAST)
    qtbot.addWidget(view)
    assert "2 edits typed on this computer had not reached the database" in view.notice.text()
    assert "1 earlier edit could not be put back" in view.notice.text()
    with db.sessions() as s:
        detail = meetings.get_meeting(s, meeting_id)
    item = detail.agenda[0]
    assert item.discussion.risk_summary == "Typed before the crash"
    assert [(i.agency_id, i.text) for i in item.information] == [(police, "Police: seen on CCTV")]
    assert [e.field for e in journal.pending(meeting_id)] == ["information/99999/1"]
    view.step_page(1)
    assert current_case(view).risk_summary.text() == "Typed before the crash"


def test_schedule_dialog_shows_field_errors_inline(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    actor = chair(sqlite_db)
    ctx = context(sqlite_db, actor)
    dialog = ScheduleDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.chair.setCurrentIndex(0)  # no chair
    dialog.save_button.click()
    assert dialog.isVisible()
    assert "Choose the chair" in dialog.errors["chair"].text()
    choose(dialog.chair, actor.person_id)
    dialog.venue.setText("x" * 300)
    dialog.save_button.click()
    assert "300 characters" in dialog.errors["venue"].text()
    assert dialog.isVisible()


def test_shortcut_overlay_lists_the_meeting_shortcuts(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, _ = scheduled_meeting(db, actor, seeded.case_ids)
    view = MeetingView(context(db, actor), meeting_id, journal=journal_for(db, tmp_path), **FAST)
    qtbot.addWidget(view)
    view.show()
    activate(qtbot, view)
    view.nav.setFocus()
    qtbot.keySequence(view.nav, "Ctrl+/")
    assert view.overlay.isVisible()
    for keys in ("Ctrl+PgDown", "Ctrl+Shift+A", "Ctrl+P", "Ctrl+D"):
        assert keys in view.overlay.label.text()
    qtbot.keyClick(view.overlay, Qt.Key.Key_Escape)
    assert not view.overlay.isVisible()
    qtbot.keySequence(view.nav, "Ctrl+PgDown")
    qtbot.keySequence(view.nav, "Ctrl+PgDown")
    assert current_case(view).case_id == seeded.case_ids[1]
    qtbot.keySequence(view.nav, "Ctrl+Shift+K")
    assert view.stack.currentWidget() is view.checklist_page
