"""The main window on a real SQLite file: lists load, filter as you type, Enter opens a case,
status bar names database and user, empty databases offer demo data, layout is remembered."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.enums import Role
from mappa_desktop.services import actions, cases, people
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from ui.bus import ChangeBus
from ui.context import AppContext
from ui.main_window import FIXED_TABS, MainWindow
from ui.tasks import SyncPool, TaskRunner

pytestmark = pytest.mark.gui
TODAY = date(2026, 11, 24)


def _ctx(db: Database, actor: Actor) -> AppContext:
    return AppContext(
        url=db.url,
        engine=db.engine,
        actor=actor,
        runner=TaskRunner(SyncPool()),
        bus=ChangeBus(),
        today=lambda: TODAY,
    )


def _seed(db: Database, actor: Actor) -> list[int]:
    ids = []
    with db.sessions.begin() as s:
        police = people.find_agency(s, "Police")
        probation = people.find_agency(s, "Probation")
        assert police and probation
        for family, given, level, agency, pnc in (
            ("Иванов", "Дмитрий", 2, police.id, "2019/0000001A"),
            ("O'Brien", "Seán", 1, probation.id, "2019/0000002B"),
            ("Nguyễn", "Thị Hồng", 3, police.id, "2019/0000003C"),
        ):
            detail = cases.register_case(
                s,
                actor,
                family_name=family,
                given_names=given,
                date_of_birth=date(1980, 5, 1),
                lead_agency_id=agency,
                category=1,
                level=level,
                registration_start=TODAY - timedelta(days=400),
                identifiers={"pnc": pnc},
                aliases=[("Big & Tall", "nickname")] if level == 1 else (),
            )
            ids.append(detail.id)
        actions.set_action(
            s,
            actor,
            ids[0],
            text="Home visit & report",
            owner_agency_id=police.id,
            due_date=TODAY - timedelta(days=3),
        )
    return ids


@pytest.fixture
def coordinator(sqlite_db: Database) -> Actor:
    return make_user(
        sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR], family_name="Kowalczyk"
    )


def test_lists_load_and_status_bar_names_database_and_user(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor
) -> None:
    _seed(sqlite_db, coordinator)
    window = MainWindow(_ctx(sqlite_db, coordinator))
    qtbot.addWidget(window)
    window.reload_all()
    assert window.case_list.model.rowCount() == 3
    assert window.case_list.count_label.text() == "3 cases"
    assert "Local file" in window.database_label.text()
    assert "Kowalczyk" in window.user_label.text()
    actions_model = window.actions_page.model
    assert actions_model.rowCount() == 1
    assert "overdue" in actions_model.data(actions_model.index(0, 0))
    assert "1 overdue" in window.actions_page.status_label.text()


def test_filter_as_you_type_then_enter_opens_the_case(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor
) -> None:
    ids = _seed(sqlite_db, coordinator)
    window = MainWindow(_ctx(sqlite_db, coordinator))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.reload_all()
    qtbot.keySequence(window, "Ctrl+F")
    assert window.case_list.filter_edit.hasFocus()
    qtbot.keyClicks(window.case_list.filter_edit, "2019/0000003")  # ASCII only: TECH-NOTES §4
    assert window.case_list.model.rowCount() == 1
    assert window.case_list.count_label.text() == "1 of 3 cases match"
    window.case_list.table.setFocus()
    with qtbot.waitSignal(window.case_list.case_opened) as opened:
        qtbot.keyClick(window.case_list.table, Qt.Key.Key_Return)
    assert opened.args == [ids[2]]
    assert window.tabs.count() == FIXED_TABS + 1


def test_empty_database_offers_demo_data(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor
) -> None:
    window = MainWindow(_ctx(sqlite_db, coordinator))
    qtbot.addWidget(window)
    window.show()
    window.reload_all()
    assert window.welcome.isVisible()
    assert window.case_list.count_label.text() == "No cases yet."
    with qtbot.waitSignal(window.demo_requested):
        window.welcome.demo_button.click()
    window.welcome.fresh_button.click()
    assert not window.welcome.isVisible()


def test_window_geometry_and_columns_are_remembered(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor
) -> None:
    window = MainWindow(_ctx(sqlite_db, coordinator))
    qtbot.addWidget(window)
    window.show()
    window.resize(777, 555)  # inside the 800x800 offscreen screen
    window.case_list.table.horizontalHeader().resizeSection(0, 333)
    window.close()
    again = MainWindow(_ctx(sqlite_db, coordinator))
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (777, 555)
    assert again.case_list.table.horizontalHeader().sectionSize(0) == 333


def test_splitter_positions_are_remembered(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QLabel, QSplitter

    from ui import ui_state

    def make() -> QSplitter:
        splitter = QSplitter()
        splitter.addWidget(QLabel("left"))
        splitter.addWidget(QLabel("right"))
        splitter.resize(600, 200)
        qtbot.addWidget(splitter)
        return splitter

    first = make()
    assert not ui_state.remember_splitter(first, "test_split")
    first.setSizes([150, 450])
    first.splitterMoved.emit(150, 1)  # what a drag by the user emits
    second = make()
    assert ui_state.remember_splitter(second, "test_split")
    left, right = second.sizes()
    assert abs(left - 150) <= 3 and abs(right - 450) <= 5  # restored, give or take the handle
