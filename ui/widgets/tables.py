"""Read-only lists shown as tables, built one way so that every list behaves the same from the
keyboard: Tab and Shift+Tab leave the table, the arrow keys move inside it (WCAG 2.1.2, no
keyboard trap), a row is selected as a whole and cannot be edited in place."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget


def row_table(accessible_name: str, model: QAbstractItemModel | None = None) -> QTableView:
    """A table of rows picked one at a time; the caller adds its own sizing and look."""
    table = QTableView()
    table.setAccessibleName(accessible_name)
    if model is not None:
        table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)  # QTableView turns it on: Tab would cycle inside
    table.verticalHeader().setVisible(False)
    return table


def focus_rows(table: QTableView, fallback: QWidget | None = None) -> bool:
    """Put the keyboard focus in the table on a selected row (the first when none is), so that
    Enter and the page's shortcuts act on it. An empty table: the focus goes to ``fallback``."""
    model = table.model()
    if model is None or model.rowCount() == 0:
        if fallback is not None:
            fallback.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return False
    table.setFocus(Qt.FocusReason.ShortcutFocusReason)
    if not table.selectionModel().hasSelection():
        table.selectRow(max(table.currentIndex().row(), 0))
    return True
