"""Enter or double-click on a table row calls back with the row's DTO (the one way the
co-ordinator's pages open the place to act)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QTableView

from ui.models.dto_table import DtoTableModel

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class RowOpener(QObject):
    """Watches ``table`` (over a ``DtoTableModel``): Enter or a double-click opens the row."""

    def __init__(self, table: QTableView, on_open: Callable[[Any], None]) -> None:
        super().__init__(table)
        self._table = table
        self._on_open = on_open
        table.installEventFilter(self)
        table.doubleClicked.connect(self._open)

    def _open(self, index: QModelIndex) -> None:
        model = self._table.model()
        if index.isValid() and isinstance(model, DtoTableModel):
            self._on_open(model.row_at(index.row()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in _ENTER and event.modifiers() == Qt.KeyboardModifier.NoModifier:
                self._open(self._table.currentIndex())
                return True
        return super().eventFilter(watched, event)
