"""Minute-taking from the keyboard alone (issue 12), on a real SQLite file with real widgets and
real key events: no Tab traps, page shortcuts that put the focus in the page, confirmation
before state-changing steps with the focus on Cancel, attendance and the find box from the
keyboard, no phantom plan-change draft, every control reachable by Tab, unique mnemonics."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QMessageBox,
    QTabBar,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mappa_desktop.db.models import Attendance, CaseDiscussion
from mappa_desktop.services import meetings
from mappa_desktop.services.actor import Actor
from tests.conftest import Database
from tests.ui.meeting_helpers import (
    FAST,
    Seeded,
    chair,
    confirm_step,
    context,
    journal_for,
    open_confirmation,
    scheduled_meeting,
    seed,
    type_text,
)
from ui.main_window import MainWindow
from ui.views.meeting import MeetingView
from ui.views.meeting.agenda import AgendaDialog
from ui.views.meeting.case_page import CasePage
from ui.views.meeting.draft_keys import DraftKey, KeyKind
from ui.views.record.common import mnemonic_of

pytestmark = pytest.mark.gui
SECTIONS = 4  # Tab presses a field may keep (a date's day, month, year) before it is a trap


@dataclass
class Opened:
    window: MainWindow
    seeded: Seeded
    meeting_id: int
    discussions: list[int]
    db: Database
    actor: Actor


def activate(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


@pytest.fixture
def opened(qtbot: QtBot, sqlite_db: Database) -> Iterator[Opened]:
    """The main window with the lists loaded, a meeting with three cases on its agenda."""
    actor = chair(sqlite_db)
    seeded = seed(sqlite_db, actor)
    meeting_id, discs = scheduled_meeting(sqlite_db, actor, seeded.case_ids)
    window = MainWindow(context(sqlite_db, actor))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    activate(qtbot, window)
    window.reload_all()
    yield Opened(window, seeded, meeting_id, discs, sqlite_db, actor)
    window.close()


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def interactive(window: QWidget) -> list[QWidget]:
    """Every visible, enabled widget of the window that Tab should reach."""
    out = []
    for widget in window.findChildren(QWidget):
        if widget.window() is not window or not widget.isVisible() or not widget.isEnabled():
            continue
        if widget.focusProxy() is not None:
            continue
        if widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value:
            out.append(widget)
    return out


def name(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QAbstractButton | QLabel) else ""
    return f"{type(widget).__name__}({widget.accessibleName() or widget.objectName() or text!r})"


def identity(widget: QWidget) -> int:
    """The address of the C++ widget: ``id()`` of a PySide wrapper is not stable (a widget Qt
    created, such as a tab widget's bar, gets a new wrapper each time it is fetched)."""
    address: int = shiboken6.getCppPointer(widget)[0]
    return address


def tab_walk(window: QWidget, start: QWidget, *, back: bool = False) -> tuple[set[int], list[str]]:
    """Press Tab (Shift+Tab) from ``start`` until the focus comes back to it: the widgets
    reached, and those where Tab did not move the focus (traps)."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    assert focused() is start
    key = Qt.Key.Key_Backtab if back else Qt.Key.Key_Tab
    seen = {identity(start)}
    traps: list[str] = []
    current = start
    stayed = 0
    for _ in range(1500):
        QTest.keyClick(current, key)
        after = focused()
        assert after is not None
        if after is current:  # a date field steps through day, month, year first
            stayed += 1
            if stayed < SECTIONS:
                continue
            traps.append(name(current))
            window.focusNextPrevChild(not back)
            after = focused()
            assert after is not None and after is not current
        stayed = 0
        if after is start:
            return seen, traps
        seen.add(identity(after))
        current = after
    raise AssertionError("Tab never came back to where it started")


def reload_view(qtbot: QtBot, view: MeetingView) -> None:
    before = view.data
    view.reload()
    qtbot.waitUntil(lambda: view.data is not before)


def screens(o: Opened, qtbot: QtBot) -> Iterator[str]:
    """Show each screen in turn: the lists, a case record, the meeting (attendance, a case)
    planned, then in progress and in draft minutes (other buttons at the top)."""
    w = o.window
    for page, label in (
        (w.case_list, "Cases"),
        (w.meetings, "Meetings"),
        (w.actions_page, "Actions"),
        (w.start_page, "Today"),
    ):
        w.show_page(page)
        yield label
    w.open_case(o.seeded.case_ids[2])
    record = w.tabs.currentWidget()
    qtbot.waitUntil(lambda: "Case " not in w.tabs.tabText(w.tabs.indexOf(record)))
    yield "Case record"
    w.open_meeting(o.meeting_id)
    view = w.tabs.currentWidget()
    assert isinstance(view, MeetingView)
    qtbot.waitUntil(lambda: view.data is not None)
    yield "Meeting: attendance"
    case_page = view.case_page(o.discussions[2])
    assert case_page is not None
    view.show_page(case_page)
    yield "Meeting: a case"
    for step, state in (
        (meetings.start_meeting, "in progress"),
        (meetings.close_to_draft, "draft"),
    ):
        with o.db.sessions.begin() as s:
            step(s, o.actor, o.meeting_id)
        reload_view(qtbot, view)
        view.show_page(view.attendance_page)
        yield f"Meeting {state}: attendance"
        case_page = view.case_page(o.discussions[2])
        assert case_page is not None
        view.show_page(case_page)
        yield f"Meeting {state}: a case"


# --- 1. no Tab traps ------------------------------------------------------------------------------


def test_tab_leaves_every_table_and_arrows_move_inside(qtbot: QtBot, opened: Opened) -> None:
    checked = 0
    for screen in screens(opened, qtbot):
        for table in opened.window.findChildren(QTableView):
            assert not table.tabKeyNavigation(), f"{screen}: {name(table)} traps Tab"
            if not table.isVisible() or table.model() is None:
                continue
            table.setFocus(Qt.FocusReason.TabFocusReason)
            rows = table.model().rowCount()
            if rows > 1:
                table.selectRow(0)
                QTest.keyClick(table, Qt.Key.Key_Down)
                assert table.currentIndex().row() == 1, f"{screen}: {name(table)}"
            QTest.keyClick(table, Qt.Key.Key_Tab)
            assert focused() is not table, f"{screen}: Tab stays in {name(table)}"
            checked += 1
    assert checked >= 10  # the lists, the record's tables, attendance, plan, actions, decisions


# --- 2. page shortcuts put the focus in the page --------------------------------------------------


def test_page_shortcuts_move_the_focus_into_the_page(qtbot: QtBot, opened: Opened) -> None:
    w = opened.window
    qtbot.keySequence(w, "Ctrl+2")
    assert w.tabs.currentWidget() is w.meetings and focused() is w.meetings.table
    assert w.meetings.selected_meeting_id() == opened.meeting_id
    QTest.keySequence(focused(), "Ctrl+E")  # now acts: the agenda of the selected meeting
    assert any(isinstance(d, AgendaDialog) for d in w.meetings.open_dialogs())
    for d in w.meetings.open_dialogs():
        d.close()
    activate(qtbot, w)
    qtbot.keySequence(w, "Ctrl+1")
    assert w.tabs.currentWidget() is w.case_list and focused() is w.case_list.filter_edit
    qtbot.keySequence(w, "Ctrl+3")
    assert w.tabs.currentWidget() is w.actions_page and focused() is w.actions_page.table
    qtbot.keySequence(w, "Ctrl+0")
    assert w.tabs.currentWidget() is w.start_page and w.start_page.isAncestorOf(focused())


def test_opening_a_meeting_puts_the_focus_on_attendance_not_a_status_button(
    qtbot: QtBot, opened: Opened
) -> None:
    w = opened.window
    w.show_page(w.meetings)
    QTest.keyClick(w.meetings.table, Qt.Key.Key_Return)
    view = w.tabs.currentWidget()
    assert isinstance(view, MeetingView)
    assert focused() is view.attendance_page.table
    assert focused() is not view.start_button


# --- 3. confirmation before state-changing steps ----------------------------------------------


def test_removing_an_agenda_item_asks_first_with_the_focus_on_cancel(
    qtbot: QtBot, opened: Opened, sqlite_db: Database
) -> None:
    dialog = opened.window.meetings.edit_agenda(opened.meeting_id)
    assert isinstance(dialog, AgendaDialog)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.agenda_model.rowCount() == 3)
    activate(qtbot, dialog)
    dialog.agenda_table.setFocus()
    dialog.agenda_table.selectRow(0)
    QTest.keyClick(dialog.agenda_table, Qt.Key.Key_Delete)
    box = open_confirmation(dialog)
    assert box.focusWidget() is box.button(QMessageBox.StandardButton.Cancel)
    QTest.keyClick(box.focusWidget(), Qt.Key.Key_Return)  # Enter on the safe choice
    with sqlite_db.sessions() as s:
        assert len(s.scalars(select(CaseDiscussion)).all()) == 3
    QTest.keyClick(dialog.agenda_table, Qt.Key.Key_Delete)
    confirm_step(dialog)
    with sqlite_db.sessions() as s:
        assert len(s.scalars(select(CaseDiscussion)).all()) == 2


def test_submit_for_sign_off_asks_first(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    actor = chair(sqlite_db)
    seeded = seed(sqlite_db, actor)
    meeting_id, _ = scheduled_meeting(sqlite_db, actor, seeded.case_ids[:1])
    with sqlite_db.sessions.begin() as s:
        meetings.start_meeting(s, actor, meeting_id)
        meetings.close_to_draft(s, actor, meeting_id)
    view = MeetingView(
        context(sqlite_db, actor),
        meeting_id,
        journal=journal_for(sqlite_db, tmp_path),
        debounce_ms=FAST["debounce_ms"],
        journal_ms=FAST["journal_ms"],
        retry_ms=FAST["retry_ms"],
    )
    qtbot.addWidget(view)
    view.show()
    activate(qtbot, view)
    view.submit_button.click()
    box = open_confirmation(view)
    assert box.focusWidget() is box.button(QMessageBox.StandardButton.Cancel)
    QTest.keyClick(box.focusWidget(), Qt.Key.Key_Escape)
    assert view.checklist_page.refusal.isHidden()  # nothing was tried
    view.submit_button.click()
    confirm_step(view)
    assert "Not submitted" in view.status_error.text()  # tried, and the checklist refused it


# --- 4. attendance and the plan table -------------------------------------------------------------


def test_attendance_records_on_enter_from_any_field_and_clears_the_form(
    qtbot: QtBot, opened: Opened, sqlite_db: Database
) -> None:
    w = opened.window
    w.open_meeting(opened.meeting_id)
    view = w.tabs.currentWidget()
    assert isinstance(view, MeetingView)
    page = view.attendance_page
    police = page.agency.findText("Police", Qt.MatchFlag.MatchContains)
    page.agency.setCurrentIndex(police)
    page.person.setCurrentIndex(page.person.findData(opened.seeded.people["Police"]))
    page.arrived.setFocus()
    type_text(page.arrived, "1002")
    page.person.setFocus()
    QTest.keyClick(page.person, Qt.Key.Key_Return)
    assert page.form_error.isVisibleTo(page)
    assert page.form_error.text().startswith("Arrived:"), page.form_error.text()
    assert focused() is page.arrived
    page.arrived.clear()
    type_text(page.arrived, "10:02")
    page.status.setFocus()
    QTest.keyClick(page.status, Qt.Key.Key_Return)  # from a choice, not a time field
    assert page.form_error.isHidden(), page.form_error.text()
    with sqlite_db.sessions() as s:
        rows = s.scalars(select(Attendance)).all()
        assert [(r.person_id, str(r.arrived_at)[:5]) for r in rows] == [
            (opened.seeded.people["Police"], "10:02")
        ]
    assert page.person.currentData() is None and page.arrived.text() == ""


def test_tabbing_through_the_plan_leaves_no_phantom_draft(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    actor = chair(sqlite_db)
    seeded = seed(sqlite_db, actor)
    meeting_id, discs = scheduled_meeting(sqlite_db, actor, seeded.case_ids[2:])  # has a plan
    journal = journal_for(sqlite_db, tmp_path)
    view = MeetingView(
        context(sqlite_db, actor),
        meeting_id,
        journal=journal,
        debounce_ms=FAST["debounce_ms"],
        journal_ms=FAST["journal_ms"],
        retry_ms=FAST["retry_ms"],
    )
    qtbot.addWidget(view)
    view.show()
    activate(qtbot, view)
    page = view.case_page(discs[0])
    assert isinstance(page, CasePage)
    view.show_page(page)
    page.plan.summary.setFocus()
    page.plan.table.setFocus(Qt.FocusReason.TabFocusReason)  # Tab in: the first item is shown
    assert page.plan.text.text() == "Curfew 19:00-07:00"
    for _ in range(6):
        QTest.keyClick(focused(), Qt.Key.Key_Tab)  # on through the plan form, typing nothing
    view.reload()  # any save reloads the screen (the plan table loses its selection)
    view.flush()  # closing: drafts are journaled
    assert [e.field for e in journal.pending(meeting_id)] == []
    assert not page.plan.draft.has_text()
    again = MeetingView(
        context(sqlite_db, actor),
        meeting_id,
        journal=journal,
        debounce_ms=FAST["debounce_ms"],
        journal_ms=FAST["journal_ms"],
        retry_ms=FAST["retry_ms"],
    )
    qtbot.addWidget(again)
    assert again.notice.isHidden(), again.notice.text()
    draft = DraftKey(KeyKind.RMP_DRAFT, discs[0])
    assert draft not in again.hub.drafts or not again.hub.pending_drafts()


# --- 5. the find box ------------------------------------------------------------------------------


def test_find_family_comma_given_then_down_and_enter_open_the_case(
    qtbot: QtBot, opened: Opened
) -> None:
    w = opened.window
    qtbot.keySequence(w, "Ctrl+F")
    assert focused() is w.case_list.filter_edit
    type_text(w.case_list.filter_edit, "O'Brien, Seán")  # as the list shows the name
    assert w.case_list.model.rowCount() == 1
    QTest.keyClick(w.case_list.filter_edit, Qt.Key.Key_Down)
    assert focused() is w.case_list.table
    assert w.case_list.selected_case_id() == opened.seeded.case_ids[2]
    qtbot.keySequence(w, "Ctrl+F")
    with qtbot.waitSignal(w.case_list.case_opened) as opened_case:
        QTest.keyClick(w.case_list.filter_edit, Qt.Key.Key_Return)  # to the results
        QTest.keyClick(focused(), Qt.Key.Key_Return)  # and open the one selected
    assert opened_case.args == [opened.seeded.case_ids[2]]


# --- 6. every control reachable by Tab, no mnemonic clash -----------------------------------------


def mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Alt+letter -> the visible controls of the window that answer it."""
    keys: dict[str, list[str]] = defaultdict(list)
    for widget in window.findChildren(QWidget):
        if widget.window() is not window or not widget.isVisible():
            continue
        if (isinstance(widget, QLabel) and widget.buddy() is not None) or isinstance(
            widget, QAbstractButton
        ):
            letter = mnemonic_of(widget.text())
            if letter:
                keys[letter].append(name(widget))
        if isinstance(widget, QTabBar):
            for i in range(widget.count()):
                letter = mnemonic_of(widget.tabText(i))
                if letter and widget.isTabVisible(i):
                    keys[letter].append(f"tab {widget.tabText(i)!r}")
    if isinstance(window, MainWindow):
        for action in window.menuBar().actions():
            letter = mnemonic_of(action.text())
            if letter:
                keys[letter].append(f"menu {action.text()!r}")
    return keys


def test_every_control_is_reachable_by_tab_and_mnemonics_do_not_clash(
    qtbot: QtBot, opened: Opened
) -> None:
    w = opened.window
    problems: list[str] = []
    for screen in screens(opened, qtbot):
        start = w.tabs.tabBar()
        for back in (False, True):
            seen, traps = tab_walk(w, start, back=back)
            way = "Shift+Tab" if back else "Tab"
            problems += [f"{screen}: {way} is trapped in {t}" for t in traps]
            missed = [name(x) for x in interactive(w) if identity(x) not in seen]
            problems += [f"{screen}: not reached by {way}: {m}" for m in missed]
        for letter, owners in sorted(mnemonics(w).items()):
            if len(owners) > 1:
                problems.append(f"{screen}: Alt+{letter.upper()} on {', '.join(owners)}")
    assert not problems, "\n".join(problems)
