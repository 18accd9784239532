"""The meeting screen on a real SQLite file: a whole Level 2 meeting with three cases run from
the keyboard and checked in the database; the checklist refusing incomplete cases; scheduling,
the agenda builder, conflicts, and the shortcuts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

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
    RiskAssessment,
    RmpRevision,
)
from mappa_desktop.domain.enums import (
    ActionStatus,
    AttendanceStatus,
    DecisionKind,
    Level,
    MeetingStatus,
    NotDoneReason,
    RiskGroup,
    RiskSetting,
    RmpPillar,
    RoshLevel,
)
from mappa_desktop.journal import Journal
from mappa_desktop.services import discussions, meetings, settings
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import MEETING_DAY, add_risk, agency_id, make_case
from tests.ui.meeting_helpers import (
    FAST,
    chair,
    confirm_step,
    context,
    journal_for,
    journaled,
    scheduled_meeting,
    seed,
    type_text,
)
from ui.main_window import MainWindow
from ui.views.meeting import MeetingView
from ui.views.meeting.agenda import AgendaDialog
from ui.views.meeting.case_page import CasePage
from ui.views.meeting.draft_keys import DraftKey, KeyKind
from ui.views.meeting.risk_update import risk_draft_key
from ui.views.meeting.schedule import ScheduleDialog
from ui.views.meeting.sections.decisions import decision_draft_key

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


def record_no_disclosure(dec: Any, rationale: str) -> None:
    """Disclosure is considered at every meeting: record "no disclosure" from the form."""
    choose(dec.kind, DecisionKind.DISCLOSURE)
    choose(dec.disclose, False)
    type_text(dec.rationale, rationale)
    dec.record_button.click()
    assert dec.error.isHidden(), dec.error.text()


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
    review = case.previous.review_rows[seeded.action_ids[0]]
    choose(review.outcome, ActionStatus.DONE)
    review.note.setFocus()
    type_text(review.note, "Visited 20/11 — all well")
    police = case.information.info_fields[agency_id_of(db, "Police")]
    police.editor.setFocus()
    type_text(police.editor, "Intelligence: seen near the victim's street — Łódź car")
    probation = case.information.info_fields[agency_id_of(db, "Probation")]
    type_text(probation.editor, "Compliant with licence; attends appointments.")
    type_text(case.risk.summary.editor, "High risk to ex-partner; imminence low while in AP.")
    qtbot.keySequence(case.risk.summary.editor, "Ctrl+S")
    assert case.risk.summary.state.text().startswith("Saved")
    assert review.state.text().startswith("Saved"), review.state.text()
    # RMP: a new supervision item
    choose(case.plan.pillar, RmpPillar.SUPERVISION)
    case.plan.text.setText("Weekly home visits by the police")
    choose(case.plan.agency, agency_id_of(db, "Police"))
    case.plan.add_button.click()
    assert case.plan.error.isHidden(), case.plan.error.text()
    assert any(line.here == "Added" for line in case.plan.model.rows())
    # New action: Ctrl+Shift+A, type, Enter
    qtbot.keySequence(case.risk.summary.editor, "Ctrl+Shift+A")
    assert case.new_actions.text.hasFocus()
    choose(case.new_actions.agency, agency_id_of(db, "Housing"))
    choose(case.new_actions.person, seeded.people["Housing"])
    qtbot.keyClicks(case.new_actions.text, "Refer to the housing panel")
    qtbot.keyClick(case.new_actions.text, Qt.Key.Key_Return)
    assert case.new_actions.error.isHidden(), case.new_actions.error.text()
    assert case.new_actions.model.rowCount() == 1
    # Decisions: Ctrl+D, a level decision (next review defaulted), then a dissent
    qtbot.keySequence(case.new_actions.text, "Ctrl+D")
    dec = case.decisions
    assert dec.kind.hasFocus()
    assert dec.kind.currentData() == DecisionKind.LEVEL
    expected_review = MEETING_DAY + timedelta(days=112)
    assert dec.review_date.date() == expected_review
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
    record_no_disclosure(dec, "Nobody identified who needs to know to be protected.")

    # --- case 2: O'Brien (moved up the agenda): change the curfew, level decision ---
    qtbot.keySequence(dec.dissent_view, "Ctrl+PgDown")
    case = current_case(view)
    assert case.case_id == obrien
    case.plan.table.setFocus()
    case.plan.table.selectRow(0)
    case.plan.text.setText("Curfew 20:00-07:00")
    case.plan.rationale.setText("Works a late shift; agreed by the panel.")
    case.plan.change_button.click()
    assert case.plan.error.isHidden(), case.plan.error.text()
    assert [line.here for line in case.plan.model.rows()] == ["Changed"]
    probation = case.information.info_fields[agency_id_of(db, "Probation")]
    type_text(probation.editor, "Working nights since May.")
    qtbot.keySequence(case.header, "Ctrl+D")
    type_text(case.decisions.rationale, "No new concerns.")
    case.decisions.record_button.click()
    assert case.decisions.error.isHidden(), case.decisions.error.text()
    record_no_disclosure(case.decisions, "No third party at risk from this information.")

    # --- case 3: Иванов (Category 1): carried-over action, disclosure with s.327A ---
    qtbot.keySequence(case.header, "Ctrl+PgDown")
    case = current_case(view)
    assert case.case_id == ivanov
    review = case.previous.review_rows[seeded.action_ids[1]]
    choose(review.outcome, ActionStatus.CARRIED_OVER)
    choose(review.reason, NotDoneReason.CIRCUMSTANCES_CHANGED)
    review.has_due.setChecked(True)
    due = review.due.date()
    assert due is not None
    review.due.set_date(due + timedelta(days=14))
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
    confirm_step(view)  # submitting asks first
    refusal = view.checklist_page.refusal
    assert view.stack.currentWidget() is view.checklist_page
    assert refusal.isVisibleTo(view)
    assert "Not submitted for sign-off" in refusal.text()
    assert "Дмитрий Иванов: no level decision has been recorded" in refusal.text()
    assert "Дмитрий Иванов: no next review date has been set" in refusal.text()
    assert "Wiśniewski" not in refusal.text() and "O&#x27;Brien" not in refusal.text()
    assert "no disclosure decision" not in refusal.text()

    view.nav.setFocus()
    qtbot.keySequence(view.nav, "Ctrl+PgUp")
    case = current_case(view)
    assert case.case_id == ivanov
    qtbot.keySequence(view.nav, "Ctrl+D")
    choose(case.decisions.kind, DecisionKind.LEVEL)
    type_text(case.decisions.rationale, "Keep at Level 2 while the disclosure is made.")
    case.decisions.record_button.click()
    view.submit_button.click()
    confirm_step(view)  # submitting asks first
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
    confirm_step(view)  # submitting asks first
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
    field = case.risk.summary
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
    type_text(case.risk.summary.editor, "Stable.")
    view.hub.flush_all()
    assert case.risk.summary.state.text().startswith("Saved")
    assert not case.risk.summary.conflict.isVisibleTo(view)


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
    assert current_case(view).risk.summary.text() == "Typed before the crash"


def test_schedule_dialog_shows_field_errors_inline(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    actor = chair(sqlite_db)
    ctx = context(sqlite_db, actor)
    dialog = ScheduleDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.open()
    shown_date = dialog.meeting_date.text()
    dialog.meeting_date.setText("31/02/2027")  # not a date: named, nothing else checked
    dialog.save_button.click()
    assert dialog.errors["meeting_date"].text() == (
        "“31/02/2027” is not a date: type the meeting date as YYYY-MM-DD or DD/MM/YYYY."
    )
    dialog.meeting_date.setText(shown_date)
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


# --- risk update, criteria helper, drafts, lazy pages, closing the app ---------------------------


def test_risk_update_records_a_new_version_linked_to_the_meeting(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    with db.sessions.begin() as s:
        add_risk(s, seeded.case_ids[0], RoshLevel.HIGH)  # version 1: two community ratings
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids[:1])
    journal = journal_for(db, tmp_path)
    view = MeetingView(context(db, actor), meeting_id, journal=journal, **FAST)
    qtbot.addWidget(view)
    view.show()
    view.step_page(1)
    case = current_case(view)
    assert "RoSH <b>High</b>" in case.header.text()
    case.risk.update_button.click()
    form = case.risk.form
    assert form.isVisibleTo(view)
    # Prefilled from version 1.
    assert form.overall.currentData() == RoshLevel.HIGH.value
    known_adult = form.ratings[(RiskSetting.COMMUNITY, RiskGroup.KNOWN_ADULT)]
    assert known_adult.currentData() == RoshLevel.HIGH.value
    assert form.narratives["who_at_risk"].toPlainText() == "Known adult"
    assert "Prefilled from version 1" in form.status.text()
    assert "version 2" in form.status.text()
    draft = risk_draft_key(discs[0])
    assert journaled(journal, meeting_id, draft) is None  # a prefill is not typing

    # Saving with the public and staff unrated: the errors show next to those fields.
    choose(form.overall, RoshLevel.VERY_HIGH.value)
    type_text(form.narratives["imminence"], "Imminent on release — Łódź address")
    form.save_button.click()
    public_error = form.errors.error_for("ratings.community.public")
    assert public_error is not None and public_error.isVisibleTo(view)
    assert "Rate the risk to the public in community" in public_error.text()
    staff_error = form.errors.error_for("ratings.community.staff")
    assert staff_error is not None and staff_error.isVisibleTo(view)
    assert "Not saved" in form.status.text()
    assert journaled(journal, meeting_id, draft) is not None  # kept meanwhile

    for group in (RiskGroup.PUBLIC, RiskGroup.STAFF):
        choose(form.ratings[(RiskSetting.COMMUNITY, group)], RoshLevel.MEDIUM.value)
    form.save_button.click()
    assert not form.isVisibleTo(view)
    saved = case.risk.saved_label.text()
    assert "Saved as risk-assessment version 2 (overall RoSH Very High)" in saved
    assert "RoSH <b>Very High</b>" in current_case(view).header.text()  # the header follows
    assert journal.pending(meeting_id) == []
    with db.sessions() as s:
        rows = list(
            s.scalars(
                select(RiskAssessment)
                .where(RiskAssessment.case_id == seeded.case_ids[0])
                .order_by(RiskAssessment.version_no)
            )
        )
        assert [(r.version_no, r.meeting_id) for r in rows] == [(1, None), (2, meeting_id)]
        new = rows[1]
        assert new.overall_rosh is RoshLevel.VERY_HIGH
        assert new.imminence == "Imminent on release — Łódź address"
        assert new.who_at_risk == "Known adult"  # carried over from version 1
        assert {(r.setting, r.risk_group): r.level for r in new.ratings}[
            (RiskSetting.COMMUNITY, RiskGroup.PUBLIC)
        ] is RoshLevel.MEDIUM
        assert rows[0].overall_rosh is RoshLevel.HIGH  # the earlier version is unchanged


def test_criteria_helper_suggests_level_2_for_high_rosh_and_multi_agency_value(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    with db.sessions.begin() as s:
        add_risk(s, seeded.case_ids[0], RoshLevel.HIGH)
        settings.set_review_intervals(s, actor, {Level.LEVEL_3: 42})
    meeting_id, _ = scheduled_meeting(db, actor, seeded.case_ids[:2])
    view = MeetingView(context(db, actor), meeting_id, journal=journal_for(db, tmp_path), **FAST)
    qtbot.addWidget(view)
    view.show()
    view.step_page(1)
    dec = current_case(view).decisions
    assert dec.kind.currentData() == DecisionKind.LEVEL
    helper = dec.helper
    assert helper.isVisibleTo(view)
    assert helper.criteria["high_rosh"].isChecked()  # pre-ticked from the latest assessment
    assert "overall RoSH High" in helper.rosh_note.text()
    assert helper.suggested() is Level.LEVEL_1  # High RoSH alone is not enough
    helper.criteria["adds_value"].click()
    assert helper.suggested() is Level.LEVEL_2
    assert "Suggested: Level 2" in helper.suggestion.text()
    assert "multi-agency meetings add value" in helper.met.text()
    # The chair chooses Level 3: the note asks why; the review date follows the policy (42 days).
    choose(dec.level, 3)
    assert "You have chosen Level 3; the criteria suggest Level 2" in helper.choice_note.text()
    assert dec.review_date.date() == MEETING_DAY + timedelta(days=42)
    assert "Level 3 policy: 6 weeks" in dec.review_hint.text()
    helper.use_button.click()
    assert dec.level.currentData() == 2
    assert dec.review_date.date() == MEETING_DAY + timedelta(days=112)
    assert "matches the suggestion" in helper.choice_note.text()
    helper.criteria["senior"].click()
    assert helper.suggested() is Level.LEVEL_3
    # Another case with no assessment: nothing pre-ticked; other kinds hide the helper.
    view.step_page(1)
    other = current_case(view).decisions
    assert not other.helper.criteria["high_rosh"].isChecked()
    assert "No risk assessment is recorded" in other.helper.rosh_note.text()
    choose(other.kind, DecisionKind.DISCLOSURE)
    assert not other.helper.isVisibleTo(view)


def test_level_chosen_survives_a_reload(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, _ = scheduled_meeting(db, actor, seeded.case_ids[:1])
    view = MeetingView(context(db, actor), meeting_id, journal=journal_for(db, tmp_path), **FAST)
    qtbot.addWidget(view)
    view.step_page(1)
    dec = current_case(view).decisions
    dec.level.setCurrentIndex(dec.level.findData(3))
    dec.level.activated.emit(dec.level.currentIndex())  # as a person picking it
    view.reload()  # e.g. someone else recorded something
    assert dec.level.currentData() == 3
    assert dec.review_date.date() == MEETING_DAY + timedelta(days=56)


def test_drafts_are_journaled_put_back_on_reopening_and_cleared_when_recorded(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids[:2])
    journal = journal_for(db, tmp_path)
    view = MeetingView(context(db, actor), meeting_id, journal=journal, **FAST)
    qtbot.addWidget(view)
    view.step_page(1)
    view.step_page(1)
    case = current_case(view)
    assert case.discussion_id == discs[1]
    dec = case.decisions
    choose(dec.kind, DecisionKind.NEXT_REVIEW)
    type_text(dec.rationale, "Дмитрий moved; review sooner.")
    type_text(case.new_actions.text, "Check the new address")
    type_text(case.plan.rationale, "Curfew to be reconsidered")
    assert "Draft — kept on this computer" in dec.draft_state.text()
    assert "Record decision" in dec.draft_state.text()
    decision_key = decision_draft_key(discs[1])
    action_key = DraftKey(KeyKind.ACTION_DRAFT, discs[1])
    plan_key = DraftKey(KeyKind.RMP_DRAFT, discs[1])
    for key in (decision_key, action_key, plan_key):
        qtbot.waitUntil(lambda key=key: journaled(journal, meeting_id, key) is not None)
    assert "3 drafts typed but not recorded" in view.save_summary.text()
    with db.sessions() as s:
        assert not list(s.scalars(select(Decision)))  # nothing is in the minutes yet

    # The app goes away (no flush: as if killed); the meeting is opened again.
    again = MeetingView(context(db, actor), meeting_id, journal=journal, **FAST)
    qtbot.addWidget(again)
    notice = again.notice.text()
    assert "3 drafts typed but not recorded were put back" in notice
    assert "2. Дмитрий Иванов: decision" in notice
    assert "new action" in notice and "plan change" in notice
    assert not again.notice.isHidden()
    built = again.case_pages[discs[1]]  # built at once: it had text waiting
    assert built.decisions.rationale.toPlainText() == "Дмитрий moved; review sooner."
    assert built.decisions.kind.currentData() == DecisionKind.NEXT_REVIEW
    assert "Put back from this computer" in built.decisions.draft_state.text()
    assert built.new_actions.text.text() == "Check the new address"
    assert built.plan.rationale.text() == "Curfew to be reconsidered"
    assert len(journal.pending(meeting_id)) == 3  # kept until recorded

    built.decisions.record_button.click()
    assert built.decisions.error.isHidden(), built.decisions.error.text()
    assert journaled(journal, meeting_id, decision_key) is None
    assert built.decisions.rationale.toPlainText() == ""
    built.new_actions.add_button.click()
    assert built.new_actions.error.isHidden(), built.new_actions.error.text()
    assert journaled(journal, meeting_id, action_key) is None
    built.plan.rationale.clear()  # the person drops the plan change: its draft goes too
    built.plan.draft.write_now()
    assert journal.pending(meeting_id) == []
    assert "draft" not in again.save_summary.text()
    with db.sessions() as s:
        decision = s.scalar(select(Decision).where(Decision.discussion_id == discs[1]))
        assert decision is not None
        assert decision.kind is DecisionKind.NEXT_REVIEW
        assert decision.rationale == "Дмитрий moved; review sooner."
        action = s.scalar(select(Action).where(Action.set_in_meeting_id == meeting_id))
        assert action is not None and action.text == "Check the new address"


def test_case_pages_are_built_when_first_shown(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    db = sqlite_db
    actor = chair(db)
    with db.sessions.begin() as s:
        case_ids = [make_case(s, f"Case{n:02d}", "Łucja") for n in range(25)]
    meeting_id, discs = scheduled_meeting(db, actor, case_ids)
    view = MeetingView(context(db, actor), meeting_id, journal=journal_for(db, tmp_path), **FAST)
    qtbot.addWidget(view)
    view.show()
    activate(qtbot, view)
    assert view.nav.count() == 27  # attendance, 25 cases, checklist
    assert list(view.case_pages) == [discs[0]]  # only the first case page is built
    assert len(view.findChildren(CasePage)) == 1
    view.nav.setFocus()
    qtbot.keySequence(view.nav, "Ctrl+PgDown")
    assert current_case(view).discussion_id == discs[0]
    assert list(view.case_pages) == [discs[0]]
    qtbot.keySequence(view.nav, "Ctrl+PgDown")
    assert current_case(view).discussion_id == discs[1]
    assert list(view.case_pages) == [discs[0], discs[1]]  # the next one, built on showing
    assert "2. Łucja Case01" in current_case(view).header.text()
    qtbot.keySequence(view.nav, "Ctrl+Shift+K")
    assert view.stack.currentWidget() is view.checklist_page
    assert "25" not in str(len(view.case_pages))  # the checklist builds no page
    assert len(view.case_pages) == 2
    qtbot.keySequence(view.nav, "Ctrl+PgUp")
    assert current_case(view).discussion_id == discs[24]
    assert len(view.case_pages) == 3


def test_closing_the_app_saves_and_journals_what_the_meeting_holds(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids[:1])
    window = MainWindow(context(db, actor))
    qtbot.addWidget(window)
    window.open_meeting(meeting_id)
    view = window.tabs.currentWidget()
    assert isinstance(view, MeetingView)
    view.step_page(1)
    case = current_case(view)
    # Typed, then the window closes at once: before the debounce and the journal throttle.
    type_text(case.risk.summary.editor, "Said just before closing")
    type_text(case.decisions.rationale, "A rationale not yet recorded")
    journal = Journal(db.url)
    assert journaled(journal, meeting_id, decision_draft_key(discs[0])) is None
    window.close()
    with db.sessions() as s:
        assert discussions.get_discussion(s, discs[0]).risk_summary == "Said just before closing"
    kept = journaled(journal, meeting_id, decision_draft_key(discs[0]))
    assert kept is not None and "A rationale not yet recorded" in kept.text


def test_closing_the_meeting_is_refused_while_a_form_holds_an_unrecorded_draft(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, _ = scheduled_meeting(db, actor, seeded.case_ids[:1])
    with db.sessions.begin() as s:
        meetings.start_meeting(s, actor, meeting_id)
    view = MeetingView(context(db, actor), meeting_id, journal=journal_for(db, tmp_path), **FAST)
    qtbot.addWidget(view)
    view.step_page(1)
    dec = current_case(view).decisions
    type_text(dec.rationale, "Typed, never recorded")
    view.close_button.click()
    assert "Not done: text typed in these forms has not been recorded" in (view.status_error.text())
    assert "1. Łukasz Wiśniewski: decision" in view.status_error.text()
    with db.sessions() as s:
        assert meetings.get_meeting(s, meeting_id).meeting.status is MeetingStatus.IN_PROGRESS
    dec.rationale.clear()  # the person drops it
    view.close_button.click()
    assert view.status_error.isHidden(), view.status_error.text()
    with db.sessions() as s:
        assert meetings.get_meeting(s, meeting_id).meeting.status is MeetingStatus.DRAFT


def test_recorded_decision_rationale_is_corrected_by_autosave(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids[:2])
    with db.sessions.begin() as s:
        first = discussions.record_decision(
            s, actor, discs[0], kind="level", outcome="Remain", rationale="Stabel", new_level=2
        )
        second = discussions.record_decision(
            s, actor, discs[1], kind="other", outcome="Refer", rationale="Old words"
        )
    journal = journal_for(db, tmp_path)
    # A correction of the second case's decision typed earlier and never saved (a crash).
    journal.write(
        meeting_id,
        f"decision/{second.id}/rationale",
        "Old words, corrected offline",
        base_version=second.version,
        base_text="Old words",
    )
    view = MeetingView(context(db, actor), meeting_id, journal=journal, **FAST)
    qtbot.addWidget(view)
    view.show()
    # The second case's page was built at once to put the correction back, and it was saved.
    assert discs[1] in view.case_pages
    assert "2. Дмитрий Иванов" in view.notice.text()
    with db.sessions() as s:
        assert s.get(Decision, second.id).rationale == "Old words, corrected offline"  # type: ignore[union-attr]
    assert journal.pending(meeting_id) == []

    view.step_page(1)
    dec = current_case(view).decisions
    field = dec.correction_for_selected()
    assert field is not None and field.isVisibleTo(view)
    assert field.text() == "Stabel"
    field.editor.selectAll()
    type_text(field.editor, "Stable; Łukasz complies")
    view.hub.flush_all()
    assert field.state.text().startswith("Saved")
    with db.sessions() as s:
        saved = s.get(Decision, first.id)
        assert saved is not None
        assert saved.rationale == "Stable; Łukasz complies"
        assert saved.version == first.version + 1
    # Someone else corrects it too: both texts are shown, nothing is overwritten.
    with db.sessions.begin() as s:
        discussions.edit_decision(
            s, actor, first.id, expected_version=first.version + 1, rationale="Theirs"
        )
    type_text(field.editor, ".")
    view.hub.flush_all()
    assert field.conflict.isVisibleTo(view)
    assert field.conflict.theirs.toPlainText() == "Theirs"
    with db.sessions() as s:
        assert s.get(Decision, first.id).rationale == "Theirs"  # type: ignore[union-attr]
