"""A small table model over a list of DTOs, described by column specs. For lists of hundreds or
a few thousand rows (meetings, actions); the 100,000-row case list has its own model. Text is
shown contained (``domain.text.contain_bidi``): a value holding a bidi control cannot reorder
the rest of its cell."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QHeaderView, QTableView

from mappa_desktop.domain.text import contain_bidi

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[T]):
    header: str
    text: Callable[[T], str]
    sort_key: Callable[[T], Any] | None = None
    tooltip: Callable[[T], str | None] | None = None


class DtoTableModel(QAbstractTableModel, Generic[T]):
    def __init__(
        self,
        columns: Sequence[Column[T]],
        highlight: Callable[[T], QBrush | None] | None = None,
    ) -> None:
        super().__init__()
        self._columns = list(columns)
        self._rows: list[T] = []
        self._highlight = highlight

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[T]:
        return list(self._rows)

    def row_at(self, position: int) -> T:
        return self._rows[position]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = DISPLAY
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role in (DISPLAY, ACCESSIBLE) and 0 <= section < len(self._columns):
            return self._columns[section].header
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role in (DISPLAY, ACCESSIBLE):
            return contain_bidi(column.text(row))
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return column.sort_key(row) if column.sort_key else column.text(row).casefold()
        if role == TOOLTIP and column.tooltip is not None:
            tip = column.tooltip(row)
            return None if tip is None else contain_bidi(tip)
        if role == FOREGROUND and self._highlight is not None:
            return self._highlight(row)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        spec = self._columns[column]

        def key(row: T) -> Any:
            return spec.sort_key(row) if spec.sort_key else spec.text(row).casefold()

        self.layoutAboutToBeChanged.emit()
        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


def size_columns(table: QTableView, widths: Sequence[int], stretch: int) -> None:
    """Give each column a sensible width in character units and let one column take the rest."""
    header = table.horizontalHeader()
    char = table.fontMetrics().averageCharWidth()
    header.setStretchLastSection(False)
    for column, chars in enumerate(widths):
        header.resizeSection(column, chars * char + 16)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
