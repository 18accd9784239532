"""Driving the app by key events only, as a keyboard user does: Tab (or Shift+Tab) until a
control has the focus, Alt+letter, shortcuts, typing (one key event per character: TECH-NOTES
§4). Nothing here calls a slot, clicks or sets a value; ``focused`` and ``tab_to`` only read
where the focus is."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.meeting_helpers import type_text

W = TypeVar("W", bound=QWidget)
NO_MODIFIER = Qt.KeyboardModifier.NoModifier
STEPS = 400  # Tab presses allowed to reach a control (a date field keeps the focus 3 times)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def key(k: Qt.Key, modifier: Qt.KeyboardModifier = NO_MODIFIER) -> None:
    """One key press and release on the control that has the focus."""
    QTest.keyClick(focused(), k, modifier)


def shortcut(keys: str) -> None:
    """A key sequence such as ``"Ctrl+N"``, sent where the focus is."""
    QTest.keySequence(focused(), keys)


def alt(letter: str) -> None:
    key(Qt.Key(ord(letter.upper())), Qt.KeyboardModifier.AltModifier)


def type_here(text: str) -> None:
    type_text(focused(), text)


def replace_here(text: str) -> None:
    """Select what the focused field holds (Ctrl+A) and type over it."""
    key(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        type_here(text)
    else:
        key(Qt.Key.Key_Delete)


def tab_to(target: QWidget, *, back: bool = False, steps: int = STEPS) -> None:
    """Press Tab (Shift+Tab) until ``target`` has the focus; fail naming it if Tab never
    gets there (not reachable from the keyboard, or a trap)."""
    k = Qt.Key.Key_Backtab if back else Qt.Key.Key_Tab
    for _ in range(steps):
        if focused() is target:
            return
        key(k)
    name = target.accessibleName() or target.objectName() or type(target).__name__
    raise AssertionError(f"Tab never reached {name}; the focus is on {describe(focused())}")


def describe(widget: QWidget) -> str:
    text = getattr(widget, "text", lambda: "")()
    return f"{type(widget).__name__}({widget.accessibleName() or widget.objectName() or text!r})"


def arrow_until(matches: object, *, down: bool = True, steps: int = 60) -> None:
    """Press Down (Up) in the focused list or combo until ``matches()`` holds."""
    assert callable(matches)
    for _ in range(steps):
        if matches():
            return
        key(Qt.Key.Key_Down if down else Qt.Key.Key_Up)
    assert matches(), f"the arrow keys never reached the entry in {describe(focused())}"


def shown(qtbot: QtBot, kind: type[W]) -> W:
    """The one visible top-level window of ``kind``, once it has opened (a window that opens
    after a background load appears a moment after the key that asked for it)."""

    def visible() -> list[W]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]

    qtbot.waitUntil(lambda: len(visible()) == 1, timeout=10_000)
    return visible()[0]


def wait_active(qtbot: QtBot, window: QWidget) -> None:
    """A new window or dialog: wait until it is shown and is the active window (the keys go
    there), as a user waits for it to appear. A window manager activates a window it shows;
    offscreen Qt has none, so this does (no key event is skipped by it)."""
    qtbot.waitExposed(window)
    if QApplication.activeWindow() is not window:
        window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10_000)


def visible_confirmations(parent: QWidget) -> list[QMessageBox]:
    return [b for b in parent.findChildren(QMessageBox, "confirmBox") if b.isVisible()]


def confirmation(parent: QWidget) -> QMessageBox:
    boxes = visible_confirmations(parent)
    assert len(boxes) == 1, f"expected one confirmation, found {len(boxes)}"
    return boxes[0]


def go_ahead(qtbot: QtBot, parent: QWidget) -> None:
    """In the confirmation the last step opened: the focus starts on Cancel (checked), the
    user moves to the button that goes ahead with Shift+Tab and presses Space. The keys go to
    the box's own focus widget: offscreen Qt does not always make a window-modal box the
    active window, which a window manager would."""
    qtbot.waitUntil(lambda: len(visible_confirmations(parent)) == 1, timeout=10_000)
    box = confirmation(parent)
    qtbot.waitExposed(box)
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    assert box.focusWidget() is cancel, f"the focus starts on {box.focusWidget()}, not Cancel"
    go = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    for _ in range(len(box.buttons())):
        if box.focusWidget() is go:
            break
        QTest.keyClick(box.focusWidget(), Qt.Key.Key_Backtab)
    assert box.focusWidget() is go, "Shift+Tab never reached the button that goes ahead"
    QTest.keyClick(go, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not box.isVisible())


def back_to(qtbot: QtBot, window: QWidget) -> None:
    """A dialog closed: the window under it becomes active again."""
    wait_active(qtbot, window)
