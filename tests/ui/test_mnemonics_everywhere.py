"""No two controls answer the same Alt+letter in any window: every page, record tab, meeting
page, the sign-off window and every dialog (the walk of ``ui.screenshots.tour``)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import Database
from tests.ui.meeting_helpers import context
from tests.ui.test_keyboard import mnemonics
from tests.ui.test_palette_contrast import build_screens
from ui.main_window import MainWindow
from ui.screenshots import tour

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_no_mnemonic_clashes_in_any_window(qtbot: QtBot, sqlite_db: Database) -> None:
    actor = build_screens(sqlite_db)
    window = MainWindow(context(sqlite_db, actor))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.reload_all()
    stops = 0
    clashes: list[str] = []
    for stem, shown in tour(window, wait=lambda c: qtbot.waitUntil(c, timeout=20_000)):
        stops += 1
        for letter, owners in sorted(mnemonics(shown).items()):
            if len(owners) > 1:
                clashes.append(f"{stem}: Alt+{letter.upper()} -> {', '.join(owners)}")
    assert stops >= 30, stops
    assert not clashes, "\n".join(clashes)
    window.close()
