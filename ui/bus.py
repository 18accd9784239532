"""App-wide change notifications: after a write succeeds, say what changed; screens decide."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class ChangeBus(QObject):
    cases_changed = Signal(object)  # set[int] of case ids; empty set = "reload everything"
    meetings_changed = Signal(object)  # set[int] of meeting ids
    actions_changed = Signal(object)  # set[int] of case ids whose actions changed
    database_replaced = Signal()
