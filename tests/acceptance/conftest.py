"""The main window on a real SQLite file, shown and active, its lists loaded: where each
journey starts. Tasks run synchronously (``SyncPool``) so the database can be read after each
step; the windows, widgets and key events are the real ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from mappa_desktop.services.actor import Actor
from tests.acceptance.keys import wait_active
from tests.conftest import Database
from tests.ui.meeting_helpers import context
from ui.main_window import MainWindow


def open_main_window(qtbot: QtBot, db: Database, actor: Actor) -> MainWindow:
    window = MainWindow(context(db, actor))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    window.activateWindow()
    wait_active(qtbot, window)
    window.reload_all()
    return window


@pytest.fixture
def main_window(qtbot: QtBot) -> Iterator[list[MainWindow]]:
    """Windows a journey opens, closed afterwards (drafts flushed, dialogs gone)."""
    opened: list[MainWindow] = []
    yield opened
    for window in opened:
        window.close()
