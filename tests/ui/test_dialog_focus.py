"""Every dialog and secondary window of ``ui.screenshots.tour`` (the sign-off window,
distribution, schedule, agenda, referral dialogs, screening, conflict, who-is-using, connection,
user guide, shortcuts, audit trail) is walked by Tab and by Shift+Tab from its first focus
widget: every enabled, visible, focusable widget is reached both ways and none traps the focus
(issue 12). The main window's screens are walked in ``test_keyboard.py``."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import Database
from tests.ui.meeting_helpers import context
from tests.ui.test_keyboard import identity, interactive, name, tab_walk
from tests.ui.test_palette_contrast import build_screens
from ui.main_window import MainWindow
from ui.screenshots import tour

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def first_focus(window: QWidget) -> QWidget:
    """The first widget of the window's focus chain that Tab should reach: where Tab starts
    when the window opens with nothing focused."""
    reachable = {identity(w) for w in interactive(window)}
    assert reachable, f"{name(window)} has nothing to focus"
    current = window.nextInFocusChain()
    while identity(current) not in reachable:
        current = current.nextInFocusChain()
        assert current is not window, f"{name(window)}: no focusable widget in the chain"
    return current


def walk_problems(qtbot: QtBot, stem: str, window: QWidget) -> list[str]:
    """Tab, then Shift+Tab, from the first focus widget: the traps and the widgets missed."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    start = first_focus(window)
    problems: list[str] = []
    for back in (False, True):
        seen, traps = tab_walk(window, start, back=back)
        way = "Shift+Tab" if back else "Tab"
        problems += [f"{stem}: {way} is trapped in {t}" for t in traps]
        missed = [name(w) for w in interactive(window) if identity(w) not in seen]
        problems += [f"{stem}: not reached by {way}: {m}" for m in missed]
    return problems


def test_every_dialog_is_walked_by_tab_and_shift_tab(qtbot: QtBot, sqlite_db: Database) -> None:
    actor = build_screens(sqlite_db)
    window = MainWindow(context(sqlite_db, actor))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.reload_all()
    walked: list[str] = []
    problems: list[str] = []
    for stem, shown in tour(window, wait=lambda c: qtbot.waitUntil(c, timeout=20_000)):
        if shown is window:
            continue
        walked.append(stem)
        problems += walk_problems(qtbot, stem, shown)
    expected = {
        "46-meeting-audit-trail",
        "50-sign-off-preview",
        "51-distribution",
        "60-schedule-meeting",
        "61-agenda",
        "62-new-referral",
        "63-screening",
        "64-conflict",
        "65-who-is-using",
        "66-connection",
        "67-user-guide",
        "68-keyboard-shortcuts",
    }
    assert expected <= set(walked), sorted(expected - set(walked))
    assert not problems, "\n".join(problems)
    window.close()
