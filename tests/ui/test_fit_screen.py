"""Every screen fits a 1024x700 screen at scale factors 1, 1.25, 1.5 and 2 (issue 12 §2): the
main window stays 1024x700 (it never grows itself past the screen), no visible widget is cut by
the window unless it sits in a scroll area, no label or button shows less than its text, and
every dialog fits the screen.

Qt reads ``QT_SCALE_FACTOR`` once, when the application starts, so each factor runs in its own
process: the test starts pytest again on ``test_fit_in_this_process`` with the factor and an
offscreen screen whose size in logical pixels is 1024x700 (2048x1400 device pixels at 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.conftest import Database
from tests.ui.meeting_helpers import context
from tests.ui.test_palette_contrast import build_screens
from ui.forms.fit import FlowLayout
from ui.forms.wrapping import WrappingCheckBox
from ui.main_window import MainWindow
from ui.screenshots import SMALL, tour

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]
CHILD = "MAPPA_FIT_CHILD"  # set in the child process: the factor it runs at
REPORT = "MAPPA_FIT_REPORT"  # where the child writes what does not fit, one line each


# ----- what "fits" means -------------------------------------------------------------------------


def _in_scroll_area(widget: QWidget, window: QWidget) -> bool:
    """Inside a scroll area's viewport (a case page, a table's cells): reached by scrolling."""
    current = widget.parentWidget()
    while current is not None and current is not window:
        parent = current.parentWidget()
        if isinstance(parent, QAbstractScrollArea) and parent.viewport() is current:
            return True
        current = parent
    return False


def _inside_a_tab_bar(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    return isinstance(parent, QTabBar)  # the bar's own scroll buttons


def _name(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QLabel | QAbstractButton) else ""
    shown = widget.objectName() or widget.accessibleName() or text[:40]
    return f"{type(widget).__name__}({shown!r})"


def cut_off(window: QWidget) -> list[str]:
    """Visible widgets of ``window`` that the window cuts, labels or buttons narrower or shorter
    than their text, and pages that scroll sideways (a table may; a page should reflow), one
    line each."""
    problems: list[str] = []
    bounds = window.rect()
    for widget in window.findChildren(QWidget):
        if widget.window() is not window or not widget.isVisible():
            continue
        if _inside_a_tab_bar(widget):
            continue
        scrolled = _in_scroll_area(widget, window)
        place = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        if not scrolled and not bounds.contains(place):
            problems.append(f"{_name(widget)} at {place.getRect()} is cut by the window {bounds}")
        problems.extend(_text_cut(widget))
        if isinstance(widget, QScrollArea) and widget.horizontalScrollBar().isVisible():
            problems.append(f"{_name(widget)} scrolls sideways: its content does not reflow")
    return problems


def _text_cut(widget: QWidget) -> list[str]:
    if isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
        if widget.wordWrap():
            needed = widget.heightForWidth(widget.width())
            if needed > widget.height() + 1:
                return [f"{_name(widget)} needs {needed} px of height, has {widget.height()}"]
        elif widget.minimumSizeHint().width() > widget.width() + 1:
            wide = widget.minimumSizeHint().width()
            return [f"{_name(widget)} needs {wide} px of width, has {widget.width()}"]
    if isinstance(widget, QAbstractButton) and widget.text():
        hint = widget.minimumSizeHint()
        if hint.width() > widget.width() + 1 or hint.height() > widget.height() + 1:
            return [f"{_name(widget)} is {widget.size().toTuple()}, needs {hint.toTuple()}"]
    return []


def off_screen(window: QWidget) -> list[str]:
    """A window larger than the screen it is on (in logical pixels)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    assert screen is not None
    room = screen.availableGeometry()
    size = window.size()  # without the frame: the offscreen screen draws none
    if size.width() > room.width() or size.height() > room.height():
        return [f"{window.windowTitle()!r} is {size.toTuple()} on a {room.size().toTuple()} screen"]
    return []


# ----- the parts that make screens fit ------------------------------------------------------------


def test_a_long_check_box_wraps_and_still_works(qtbot: QtBot) -> None:
    box = WrappingCheckBox(
        "&Formal multi-agency meetings would add value to the lead agency's management of the "
        "risk of serious harm"
    )
    qtbot.addWidget(box)
    one_line = box.heightForWidth(box.sizeHint().width())
    assert box.heightForWidth(260) >= 2 * box.fontMetrics().lineSpacing() > one_line / 2
    assert box.minimumSizeHint().width() < box.sizeHint().width() / 2
    box.resize(260, box.heightForWidth(260))
    box.show()
    qtbot.waitExposed(box)
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked()
    QTest.mouseClick(
        box,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(200, box.height() - 4),
    )
    assert not box.isChecked()  # a click on the second line of its text toggles it too


def test_buttons_flow_onto_more_lines_when_the_row_is_narrow(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    flow = FlowLayout(host)
    buttons = [QPushButton(f"Button number {n}") for n in range(6)]
    for button in buttons:
        flow.addWidget(button)
    host.show()
    for width, lines in ((2000, 1), (320, 3)):
        host.resize(width, flow.heightForWidth(width))
        settle()
        assert len({b.y() for b in buttons}) >= lines, width
        assert all(host.rect().contains(b.geometry()) for b in buttons), width
    host.resize(2000, flow.heightForWidth(2000))
    settle()
    assert len({b.y() for b in buttons}) == 1


# ----- the child: one scale factor, every screen -------------------------------------------------


def settle() -> None:
    app = QCoreApplication.instance()
    assert app is not None
    for _ in range(5):
        app.processEvents()


@pytest.mark.skipif(CHILD not in os.environ, reason="runs in the process each factor starts")
def test_fit_in_this_process(qtbot: QtBot, sqlite_db: Database) -> None:
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    assert screen.availableGeometry().size().toTuple() == SMALL, screen.availableGeometry()
    assert screen.devicePixelRatio() == pytest.approx(float(os.environ[CHILD]))
    actor = build_screens(sqlite_db)
    window = MainWindow(context(sqlite_db, actor))
    qtbot.addWidget(window)
    window.resize(*SMALL)
    window.show()
    window.reload_all()
    problems: list[str] = []
    stops = 0
    for stem, shown in tour(window, wait=lambda c: qtbot.waitUntil(c, timeout=20_000)):
        settle()
        stops += 1
        if shown is window and window.size().toTuple() != SMALL:
            problems.append(f"{stem}: the window grew to {window.size().toTuple()}")
            window.resize(*SMALL)
            settle()
        problems += [f"{stem}: {p}" for p in off_screen(shown) + cut_off(shown)]
    found = list(dict.fromkeys(problems))
    Path(os.environ[REPORT]).write_text("\n".join(found), encoding="utf-8")
    assert stops >= 30, stops
    assert not found, "\n".join(found)


# ----- the parent: one process per factor --------------------------------------------------------


@pytest.mark.parametrize("factor", ["1", "1.25", "1.5", "2"])
def test_every_screen_fits_1024x700(tmp_path: Path, factor: str) -> None:
    scale = float(factor)
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "laptop",
                        "x": 0,
                        "y": 0,
                        "width": round(SMALL[0] * scale),
                        "height": round(SMALL[1] * scale),
                        "logicalDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        )
    )
    report = tmp_path / "report.txt"
    env = {
        **os.environ,
        CHILD: factor,
        REPORT: str(report),
        "QT_SCALE_FACTOR": factor,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
    }
    env.pop("PYTEST_ADDOPTS", None)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-x",
            f"{Path(__file__).relative_to(ROOT)}::test_fit_in_this_process",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    found = report.read_text(encoding="utf-8") if report.exists() else ""
    assert run.returncode == 0, found or (run.stdout[-8_000:] + run.stderr[-4_000:])
    assert "1 passed" in run.stdout, run.stdout[-4_000:]
