"""The case list model: all rows in memory, filtering and sorting done on precomputed keys.

Qt's QSortFilterProxyModel calls Python ``data()`` for every comparison (8.7 s to sort 100,000
rows, TECH-NOTES §3). Here the model keeps, per row, a lower-cased haystack and a sort key per
column, and filtering/sorting rebuild a list of visible row numbers in plain Python. Shown text
is contained (``domain.text.contain_bidi``) when a row is first displayed, so a name holding a
bidi override cannot reorder the rest of its cell.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from mappa_desktop.domain.enums import RoshLevel
from mappa_desktop.domain.text import contain_bidi
from mappa_desktop.services.listing import CaseRow
from ui.forms import style
from ui.forms.style import Tone

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
DECORATION = Qt.ItemDataRole.DecorationRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex
_FAR_FUTURE = date.max.toordinal()

ID_LABELS = {"pnc": "PNC", "crn": "CRN", "visor": "ViSOR", "nomis": "NOMIS", "nhs": "NHS"}


def rosh_label(value: object) -> str:
    if value is None or value == "":
        return ""
    try:
        return RoshLevel(str(getattr(value, "value", value))).label
    except ValueError:
        return str(value)


def rosh_rank(value: object) -> int:
    if value is None or value == "":
        return 0
    try:
        return RoshLevel(str(getattr(value, "value", value))).rank
    except ValueError:
        return 0


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class CaseFilter:
    text: str = ""
    level: int | None = None
    category: int | None = None
    lead_agency: str | None = None
    overdue_only: bool = False
    panel_only: bool = False  # Level 2 and 3 cases only (those a panel discusses)

    def same_quick_filters(self, other: CaseFilter) -> bool:
        return (
            self.level,
            self.category,
            self.lead_agency,
            self.overdue_only,
            self.panel_only,
        ) == (
            other.level,
            other.category,
            other.lead_agency,
            other.overdue_only,
            other.panel_only,
        )


class CaseTableModel(QAbstractTableModel):
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "Name",
        "Identifiers",
        "Cat.",
        "Level",
        "Lead agency",
        "RoSH",
        "Next review",
        "Open actions",
    )
    NAME, IDENTIFIERS, CATEGORY, LEVEL, AGENCY, ROSH, REVIEW, ACTIONS = range(8)

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[CaseRow] = []
        self._display: dict[int, tuple[str, ...]] = {}
        self._haystack: list[str] = []
        self._keys: list[list[Any]] = [[] for _ in self.COLUMNS]
        self._by_name: list[int] = []
        self._orders: dict[tuple[int, Qt.SortOrder], list[int]] = {}
        self._visible: list[int] = []
        self._filter = CaseFilter()
        self._sort_column = self.NAME
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._overdue_icon = QIcon()

    # ----- data in -------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[CaseRow]) -> None:
        with _collector_paused():
            self._set_rows(rows)
        # The rows are long-lived and acyclic: keep the cyclic collector from rescanning a
        # million objects in the middle of a keystroke (they are still freed by refcounting).
        gc.freeze()

    def _set_rows(self, rows: Sequence[CaseRow]) -> None:
        self.beginResetModel()
        self._rows = rows = list(rows)
        self._display = {}
        self._haystack = [
            "\x1f".join(
                (r.family_name, r.given_names, *r.aliases, *(v for _s, v in r.identifiers))
            ).casefold()
            for r in rows
        ]
        self._keys = [
            [r.display_name.casefold() for r in rows],
            [r.identifiers[0][1].casefold() if r.identifiers else "\uffff" for r in rows],
            [r.category or 0 for r in rows],
            [r.level or 0 for r in rows],
            [r.lead_agency.casefold() for r in rows],
            [rosh_rank(r.overall_rosh) for r in rows],
            [r.next_review_due.toordinal() if r.next_review_due else _FAR_FUTURE for r in rows],
            [r.open_actions for r in rows],
        ]
        names = self._keys[self.NAME]
        self._by_name = sorted(range(len(rows)), key=names.__getitem__)
        self._orders = {}
        self._visible = self._apply_filter(self._order(), self._filter)
        self.endResetModel()

    def _display_of(self, row_no: int) -> tuple[str, ...]:
        cached = self._display.get(row_no)
        if cached is not None:
            return cached
        r = self._rows[row_no]
        ids = ", ".join(
            f"{ID_LABELS.get(str(s), str(s).upper())} {contain_bidi(v)}" for s, v in r.identifiers
        )
        review = r.next_review_due.isoformat() if r.next_review_due else ""
        if review and r.review_overdue:
            review += " (overdue)"
        shown = (
            contain_bidi(r.display_name),  # exactly as typed (never re-cased), contained
            ids,
            str(r.category) if r.category is not None else "",
            str(r.level) if r.level is not None else "",
            contain_bidi(r.lead_agency),
            rosh_label(r.overall_rosh),
            review,
            str(r.open_actions) if r.open_actions else "",
        )
        self._display[row_no] = shown
        return shown

    # ----- filtering and sorting -----------------------------------------------------------
    def _order(self) -> list[int]:
        """All rows in the current sort order (cached per column and direction).

        Sorting the name-ordered list by one key keeps ties in name order (the sort is stable,
        also when reversed), so one sort per column is enough."""
        key = (self._sort_column, self._sort_order)
        order = self._orders.get(key)
        if order is None:
            keys = self._keys[self._sort_column]
            order = sorted(
                self._by_name,
                key=keys.__getitem__,
                reverse=self._sort_order == Qt.SortOrder.DescendingOrder,
            )
            self._orders[key] = order
        return order

    def set_filter(self, new: CaseFilter) -> None:
        old = self._filter
        narrowing = new.same_quick_filters(old) and new.text.casefold().startswith(
            old.text.casefold()
        )
        # Narrowing searches only what is shown now (already in order); otherwise all rows.
        candidates = self._visible if narrowing else self._order()
        self.beginResetModel()
        self._filter = new
        self._visible = self._apply_filter(candidates, new)
        self.endResetModel()

    def _apply_filter(self, candidates: list[int], f: CaseFilter) -> list[int]:
        """The candidates (in their order) that match every token and quick filter."""
        rows = self._rows
        hay = self._haystack
        out = candidates
        # A comma separates words, so the list's own "Family, Given" finds the case.
        for token in f.text.casefold().replace(",", " ").split():
            out = [i for i in out if token in hay[i]]
        if f.level is not None:
            levels = self._keys[self.LEVEL]
            out = [i for i in out if levels[i] == f.level]
        if f.panel_only:
            levels = self._keys[self.LEVEL]
            out = [i for i in out if levels[i] in (2, 3)]
        if f.category is not None:
            categories = self._keys[self.CATEGORY]
            out = [i for i in out if categories[i] == f.category]
        if f.lead_agency:
            out = [i for i in out if rows[i].lead_agency == f.lead_agency]
        if f.overdue_only:
            out = [i for i in out if rows[i].review_overdue]
        return out if out is not candidates else list(candidates)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        old_rows = [
            self._visible[i.row()] if i.row() < len(self._visible) else -1 for i in old_persistent
        ]
        self._sort_column, self._sort_order = column, order
        full = self._order()
        if len(self._visible) == len(full):
            self._visible = list(full)
        else:
            shown = bytearray(len(self._rows))
            for i in self._visible:
                shown[i] = 1
            self._visible = [i for i in full if shown[i]]
        if old_persistent:
            where = {row: pos for pos, row in enumerate(self._visible)}
            self.changePersistentIndexList(
                old_persistent,
                [
                    self.index(where[r], i.column()) if r in where else QModelIndex()
                    for i, r in zip(old_persistent, old_rows, strict=True)
                ],
            )
        self.layoutChanged.emit()

    # ----- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = DISPLAY
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role in (DISPLAY, ACCESSIBLE) and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        row_no = self._visible[index.row()]
        column = index.column()
        if role in (DISPLAY, ACCESSIBLE):
            return self._display_of(row_no)[column]
        if role == ROW_ROLE:
            return self._rows[row_no]
        if role == SORT_ROLE:
            return self._keys[column][row_no]
        row = self._rows[row_no]
        if role == TOOLTIP:
            if column == self.NAME and row.aliases:
                return "Also known as: " + "; ".join(contain_bidi(a) for a in row.aliases)
            if column == self.REVIEW and row.review_overdue:
                return "The review date has passed: schedule a review."
            return None
        if column == self.REVIEW and row.review_overdue:
            if role == DECORATION:
                if self._overdue_icon.isNull():
                    self._overdue_icon = QApplication.style().standardIcon(
                        QStyle.StandardPixmap.SP_MessageBoxWarning
                    )
                return self._overdue_icon
            if role == FOREGROUND:
                return style.brush(Tone.ERROR)  # readable on both row colours, any palette
        if role == ALIGN and column in (self.CATEGORY, self.LEVEL, self.ACTIONS):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    # ----- helpers for controllers ---------------------------------------------------------
    def row_at(self, position: int) -> CaseRow:
        return self._rows[self._visible[position]]

    def position_of(self, case_id: int) -> int | None:
        for pos, row_no in enumerate(self._visible):
            if self._rows[row_no].id == case_id:
                return pos
        return None

    @property
    def total(self) -> int:
        return len(self._rows)

    def agencies(self) -> list[str]:
        return sorted({r.lead_agency for r in self._rows})
