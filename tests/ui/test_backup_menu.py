"""File › Back up… and File › Restore from backup… on a real SQLite file: reachable from the
keyboard, the backup is written and audited, and a restore asks first (Cancel is the default and
changes nothing), then replaces the file, keeps the old one and asks for the database to be
opened again."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.enums import Role
from tests.conftest import Database, make_user
from ui.bus import ChangeBus
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.tasks import SyncPool, TaskRunner

pytestmark = pytest.mark.gui


def _count(path: Path, sql: str) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute(sql).fetchone()[0])


@pytest.fixture
def window(qtbot: QtBot, sqlite_db: Database) -> MainWindow:
    actor = make_user(sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR])
    ctx = AppContext(
        url=sqlite_db.url,
        engine=sqlite_db.engine,
        actor=actor,
        runner=TaskRunner(SyncPool()),
        bus=ChangeBus(),
    )
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def _file_menu(window: MainWindow) -> QMenu:
    (menu,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&File" and a.menu()]
    assert isinstance(menu, QMenu)
    return menu


def _choose(qtbot: QtBot, dialog: QFileDialog | None, path: Path) -> None:
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.selectFile(str(path))
    dialog.accept()


@pytest.mark.qt_log_ignore("^This plugin does not support (raise|grabbing the keyboard)")
def test_the_file_menu_actions_have_their_own_mnemonics_and_open_by_keyboard(
    qtbot: QtBot, window: MainWindow
) -> None:
    menu = _file_menu(window)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert "&Back up…" in texts and "&Restore from backup…" in texts
    keys = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
    assert len(keys) == len(set(keys)), texts  # each mnemonic picks one action
    actions = window.backup_actions
    menu.popup(window.mapToGlobal(QPoint(0, 0)))
    qtbot.waitUntil(menu.isVisible)
    qtbot.keyClick(menu, Qt.Key.Key_B)  # Alt+F, then B
    qtbot.waitUntil(lambda: actions.dialog is not None and actions.dialog.isVisible())
    assert actions.dialog is not None
    assert actions.dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    actions.dialog.reject()
    menu.popup(window.mapToGlobal(QPoint(0, 0)))
    qtbot.waitUntil(menu.isVisible)
    qtbot.keyClick(menu, Qt.Key.Key_R)
    qtbot.waitUntil(
        lambda: (
            actions.dialog is not None
            and actions.dialog.isVisible()
            and actions.dialog.acceptMode() == QFileDialog.AcceptMode.AcceptOpen
        )
    )
    assert actions.dialog is not None
    actions.dialog.reject()


def test_back_up_then_restore_asks_first_with_cancel_the_default(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, tmp_path: Path
) -> None:
    live = Path(str(sqlite_db.engine.url.database))
    actions = window.backup_actions
    copy = tmp_path / "copies" / "backup.sqlite3"
    copy.parent.mkdir()
    actions.backup_action.trigger()
    _choose(qtbot, actions.dialog, copy)
    assert copy.is_file()
    assert _count(live, "SELECT count(*) FROM audit_event WHERE action = 'backup'") == 1
    assert _count(copy, "SELECT count(*) FROM app_user") == 1

    # Something happens after the backup; the restore must take it away again.
    make_user(sqlite_db, "later", [Role.READER])
    sqlite_db.engine.dispose()
    assert _count(live, "SELECT count(*) FROM app_user") == 2

    actions.restore_action.trigger()
    _choose(qtbot, actions.dialog, copy)
    question = actions.question
    assert question is not None
    qtbot.waitUntil(question.isVisible)
    cancel = question.button(QMessageBox.StandardButton.Cancel)
    assert question.defaultButton() is cancel
    qtbot.waitUntil(lambda: QApplication.focusWidget() is cancel)
    qtbot.keyClick(cancel, Qt.Key.Key_Return)  # Enter answers Cancel
    qtbot.waitUntil(lambda: not cancel.isVisible())
    assert _count(live, "SELECT count(*) FROM app_user") == 2  # nothing changed
    assert not list(live.parent.glob(f"{live.name}.replaced-*"))

    actions.restore_action.trigger()
    _choose(qtbot, actions.dialog, copy)
    question = actions.question
    assert question is not None
    qtbot.waitUntil(question.isVisible)
    with qtbot.waitSignal(window.reopen_requested):
        question.button(QMessageBox.StandardButton.Yes).click()
    assert _count(live, "SELECT count(*) FROM app_user") == 1
    (kept,) = live.parent.glob(f"{live.name}.replaced-*")
    assert _count(kept, "SELECT count(*) FROM app_user") == 2
    assert _count(live, "SELECT count(*) FROM audit_event WHERE action = 'restore'") == 1
    assert actions.finished is not None and str(kept) in actions.finished.text()
    actions.finished.close()
