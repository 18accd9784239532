"""Canary for the PySide6 6.12.0 bug on Python 3.11 (TECH-NOTES §0): void Qt calls must not drop
references to None. If this fails, a PySide6 upgrade would abort the app after a few thousand
calls."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

pytestmark = pytest.mark.gui


def test_void_qt_calls_keep_none_refcount_stable(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(10_000):
        label.setText(str(i))
    after = sys.getrefcount(None)
    assert after >= before - 50, f"None refcount fell by {before - after}: broken PySide6 build"
