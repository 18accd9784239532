"""The read-only tabs of the case record: RMP (by pillar, with an item's history), Meetings,
Actions and Audit (who changed what, when, old -> new)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import ActionStatus, RmpChange
from mappa_desktop.services.actions import ActionRow
from mappa_desktop.services.audit import AuditRow
from mappa_desktop.services.case_meetings import MeetingRef
from mappa_desktop.services.rmp import PILLAR_LABELS, PILLAR_ORDER, RmpRevisionRow, item_history
from ui import messages, ui_state
from ui.context import AppContext
from ui.forms import style
from ui.forms.style import Tone
from ui.models.dto_table import Column, DtoTableModel
from ui.tasks import Progress
from ui.views.record.common import fmt_date, heading, make_table
from ui.views.record.data import RecordData

ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _titled(text: str) -> str:
    return text.replace("_", " ").capitalize()


class ListTab(QWidget):
    """A heading, a table and a line shown instead of the table when there is nothing."""

    def __init__(self, title: str, empty_text: str, table_name: str) -> None:
        super().__init__()
        self.title_label = heading(title)
        self.empty_label = QLabel(empty_text)
        self.empty_label.setWordWrap(True)
        # With nothing to list the table is hidden; the sentence takes focus instead, so the tab
        # can still be entered (and read by a screen reader) from the keyboard.
        self.empty_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.empty_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # after: the flags reset it
        self.empty_label.setAccessibleName(f"{table_name}: none")
        self.empty_label.setStyleSheet("QLabel:focus { border: 2px solid palette(highlight); }")
        self.table = make_table(table_name)
        self.title_label.setBuddy(self.table)
        self.count_label = QLabel()
        self.count_label.setAccessibleName(f"Number of {table_name.lower()}")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

    def show_count(self, count: int, noun: str) -> None:
        self.empty_label.setVisible(count == 0)
        self.table.setVisible(count > 0)
        self.count_label.setText(f"{count} {noun}{'s' if count != 1 else ''}" if count else "")


def _fit_columns(table: QTableView, stretch: int) -> None:
    header = table.horizontalHeader()
    for column in range(header.count()):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if column == stretch
            else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(column, mode)


# --- Meetings ----------------------------------------------------------------------------------

MEETING_COLUMNS: list[Column[MeetingRef]] = [
    Column("Date", lambda m: fmt_date(m.meeting_date), sort_key=lambda m: m.meeting_date),
    Column("Level", lambda m: str(m.level), sort_key=lambda m: m.level),
    Column("Type", lambda m: _titled(m.meeting_type.value)),
    Column("Status", lambda m: _titled(m.status.value)),
    Column("Chair", lambda m: m.chair or "—"),
    Column("Venue", lambda m: m.venue or "—"),
    Column("Why on the agenda", lambda m: _titled(m.agenda_reason.value)),
]


class MeetingsTab(ListTab):
    def __init__(self) -> None:
        super().__init__(
            "Meetings this case was discussed at",
            "This case has not been on a meeting agenda yet.",
            "Meetings",
        )
        self.model: DtoTableModel[MeetingRef] = DtoTableModel(MEETING_COLUMNS)
        self.table.setModel(self.model)
        _fit_columns(self.table, len(MEETING_COLUMNS) - 1)

    def set_data(self, data: RecordData) -> None:
        self.model.set_rows(data.meetings)
        self.show_count(len(data.meetings), "meeting")


# --- Actions -----------------------------------------------------------------------------------


class ActionsTab(ListTab):
    def __init__(self) -> None:
        super().__init__("Open actions", "This case has no open actions.", "Open actions")
        columns: list[Column[ActionRow]] = [
            Column(
                "Due",
                lambda a: fmt_date(a.due_date) + (" ⚠ overdue" if a.overdue else ""),
                sort_key=lambda a: a.due_date,
            ),
            Column("Action", lambda a: a.text, tooltip=lambda a: a.text),
            Column("Owner", lambda a: a.owner_person_name or "—"),
            Column("Agency", lambda a: a.owner_agency_name),
            Column("Status", lambda a: _titled(ActionStatus(a.status).value)),
        ]
        self.model: DtoTableModel[ActionRow] = DtoTableModel(
            columns, highlight=lambda a: style.brush(Tone.ERROR) if a.overdue else None
        )
        self.table.setModel(self.model)
        _fit_columns(self.table, 1)

    def set_data(self, data: RecordData) -> None:
        self.model.set_rows(data.actions)
        overdue = sum(1 for a in data.actions if a.overdue)
        self.show_count(len(data.actions), "open action")
        if overdue:
            self.count_label.setText(f"{self.count_label.text()}, {overdue} overdue")


# --- Audit -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditLine:
    occurred_at: datetime
    who: str
    record: str
    action: str
    field: str
    old: str
    new: str


def _plain(value: Any) -> str:
    """A stored value as a person reads it: lists joined, pairs as "key: value", no JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return "; ".join(f"{str(k).replace('_', ' ')}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        if all(isinstance(v, list) for v in value):
            return "; ".join(" ".join(_plain(x) for x in v) for v in value)
        return ", ".join(_plain(v) for v in value)
    return str(value)


def audit_lines(events: list[AuditRow]) -> list[AuditLine]:
    """One line per changed field, newest event first."""
    out: list[AuditLine] = []
    for ev in reversed(events):
        record = _titled(ev.entity) + (f" {ev.entity_id}" if ev.entity_id is not None else "")
        who = ev.user_login or "(system)"
        if not ev.changes:
            out.append(AuditLine(ev.occurred_at, who, record, ev.action, "", "", ""))
            continue
        lines = 0
        for field, change in ev.changes.items():
            old, new = [*change, None, None][:2] if isinstance(change, list) else (None, change)
            if old is None and new in (None, "", [], {}):
                continue  # a new record's empty fields say nothing
            lines += 1
            out.append(
                AuditLine(
                    ev.occurred_at,
                    who,
                    record,
                    ev.action,
                    field.replace("_", " "),
                    _plain(old),
                    _plain(new),
                )
            )
        if not lines:
            out.append(AuditLine(ev.occurred_at, who, record, ev.action, "", "", ""))
    return out


AUDIT_COLUMNS: list[Column[AuditLine]] = [
    Column("When", lambda a: fmt_date(a.occurred_at), sort_key=lambda a: a.occurred_at),
    Column("Who", lambda a: a.who),
    Column("Record", lambda a: a.record),
    Column("Change", lambda a: a.action.replace("_", " ")),
    Column("Field", lambda a: a.field),
    Column("Old", lambda a: a.old, tooltip=lambda a: a.old or None),
    Column("New", lambda a: a.new, tooltip=lambda a: a.new or None),
]


class AuditTab(ListTab):
    """The audit trail of a case (a record tab) or of a meeting (the audit-trail window)."""

    def __init__(self, empty_text: str = "No changes have been recorded for this case.") -> None:
        super().__init__("Who changed what, and when (old → new)", empty_text, "Audit trail")
        self.model: DtoTableModel[AuditLine] = DtoTableModel(AUDIT_COLUMNS)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        for column in range(5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)

    def set_data(self, data: RecordData) -> None:
        self.set_events(list(data.audit))

    def set_events(self, events: list[AuditRow]) -> None:
        self.model.set_rows(audit_lines(events))
        self.show_count(len(events), "recorded change")


# --- RMP ---------------------------------------------------------------------------------------

REVISION_COLUMNS: list[Column[RmpRevisionRow]] = [
    Column("Rev.", lambda r: str(r.revision_no), sort_key=lambda r: r.revision_no),
    Column("Change", lambda r: _titled(RmpChange(r.change).value)),
    Column("When", lambda r: fmt_date(r.recorded_at), sort_key=lambda r: r.recorded_at),
    Column("Who", lambda r: r.recorded_by or "—"),
    Column("Agency", lambda r: r.responsible_agency or "—"),
    Column("Review", lambda r: fmt_date(r.review_date)),
    Column("Text", lambda r: r.text, tooltip=lambda r: r.text),
    Column("Rationale", lambda r: r.rationale, tooltip=lambda r: r.rationale or None),
]


class RmpTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.model = QStandardItemModel(0, 5)
        self.model.setHorizontalHeaderLabels(
            ["Item", "Responsible agency", "Start", "Review", "Revision"]
        )
        self.tree = QTreeView()
        self.tree.setAccessibleName("Risk management plan by pillar")
        self.tree.setModel(self.model)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        plan_label = heading("Current risk management plan")
        plan_label.setBuddy(self.tree)
        self.empty_label = QLabel("No active items in the risk management plan.")

        self.history_model: DtoTableModel[RmpRevisionRow] = DtoTableModel(REVISION_COLUMNS)
        self.history_table = make_table("History of the selected plan item")
        self.history_table.setModel(self.history_model)
        _fit_columns(self.history_table, 6)
        self.history_label = heading("Item history")
        self.history_label.setBuddy(self.history_table)
        self.history_hint = QLabel("Select an item above to see how it changed, and why.")
        self.history_hint.setWordWrap(True)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(plan_label)
        top_layout.addWidget(self.empty_label)
        top_layout.addWidget(self.tree, 1)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.history_label)
        bottom_layout.addWidget(self.history_hint)
        bottom_layout.addWidget(self.history_table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        ui_state.remember_splitter(splitter, "record_rmp")
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.tree.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._selected_item: int | None = None

    def set_data(self, data: RecordData) -> None:
        self.model.removeRows(0, self.model.rowCount())
        by_pillar = {p: [i for i in data.plan if i.pillar == p] for p in PILLAR_ORDER}
        for pillar in PILLAR_ORDER:
            items = by_pillar[pillar]
            count = f"{len(items)} item{'s' if len(items) != 1 else ''}" if items else "no items"
            parent = QStandardItem(f"{PILLAR_LABELS[pillar]} ({count})")
            font = parent.font()
            font.setBold(True)
            parent.setFont(font)
            parent.setSelectable(False)
            row = [parent] + [QStandardItem("") for _ in range(4)]
            for cell in row[1:]:
                cell.setSelectable(False)
            for item in items:
                cells = [
                    QStandardItem(item.text + (" (restricted)" if item.restricted else "")),
                    QStandardItem(item.responsible_agency or "—"),
                    QStandardItem(fmt_date(item.start_date)),
                    QStandardItem(fmt_date(item.review_date)),
                    QStandardItem(str(item.revision_no)),
                ]
                cells[0].setData(item.id, ITEM_ID_ROLE)
                cells[0].setToolTip(item.text)
                parent.appendRow(cells)
            self.model.appendRow(row)
        self.tree.expandAll()
        self.empty_label.setVisible(not data.plan)
        if self._selected_item is not None and any(i.id == self._selected_item for i in data.plan):
            self.load_history(self._selected_item)

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        first: QModelIndex = indexes[0].siblingAtColumn(0)
        item_id = first.data(ITEM_ID_ROLE)
        if isinstance(item_id, int):
            self.load_history(item_id)

    def load_history(self, item_id: int) -> None:
        self._selected_item = item_id
        self.history_hint.setText("Loading the item's history…")
        ctx = self._ctx

        def load(_progress: Progress) -> list[RmpRevisionRow]:
            with ctx.read_sessions() as s:
                return item_history(s, item_id)

        self._ctx.runner.submit(load, self._on_history_loaded, self._on_history_failed)

    def _on_history_loaded(self, rows: list[RmpRevisionRow]) -> None:
        self.history_model.set_rows(rows)
        self.history_hint.setText(
            f"{len(rows)} revision{'s' if len(rows) != 1 else ''}, newest first."
        )

    def _on_history_failed(self, exc: Exception) -> None:
        self.history_hint.setText("The item's history could not be loaded.")
        messages.show_error(self, "Risk management plan", exc)
