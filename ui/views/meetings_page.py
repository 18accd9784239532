"""The meetings list: upcoming and past meetings with level, type, date, chair and status."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableView, QVBoxLayout, QWidget

from mappa_desktop.services.listing import MeetingListRow, list_meetings
from ui import messages, ui_state
from ui.context import AppContext
from ui.models.dto_table import Column, DtoTableModel
from ui.tasks import Progress

STATUS_LABELS = {
    "planned": "Planned",
    "in_progress": "In progress",
    "draft": "Draft minutes",
    "awaiting_sign_off": "Awaiting sign-off",
    "signed_off": "Signed off",
    "distributed": "Distributed",
}


def _value(v: object) -> str:
    return str(getattr(v, "value", v))


MEETING_COLUMNS: list[Column[MeetingListRow]] = [
    Column("Date", lambda m: m.meeting_date.isoformat(), sort_key=lambda m: m.meeting_date),
    Column("Level", lambda m: f"Level {m.level}", sort_key=lambda m: m.level),
    Column("Type", lambda m: _value(m.meeting_type).title()),
    Column("Chair", lambda m: m.chair),
    Column("Venue", lambda m: m.venue),
    Column("Cases", lambda m: str(m.case_count), sort_key=lambda m: m.case_count),
    Column(
        "Status",
        lambda m: STATUS_LABELS.get(_value(m.status), _value(m.status)),
    ),
]


class MeetingsPage(QWidget):
    meeting_opened = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.model: DtoTableModel[MeetingListRow] = DtoTableModel(MEETING_COLUMNS)
        self.table = QTableView()
        self.table.setAccessibleName("Meetings")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status_label = QLabel("Loading meetings…")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        ui_state.restore_header(self.table.horizontalHeader(), "meetings")
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.doubleClicked.connect(self._on_activated)

    def reload(self) -> None:
        def load(_p: Progress) -> list[MeetingListRow]:
            with self._ctx.read_sessions() as s:
                return list_meetings(s)

        self._ctx.runner.submit(load, self._on_loaded, self._on_failed)

    def _on_loaded(self, rows: list[MeetingListRow]) -> None:
        self.model.set_rows(rows)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        today = self._ctx.today()
        upcoming = sum(1 for m in rows if m.meeting_date >= today)
        self.status_label.setText(
            f"{len(rows)} meetings, {upcoming} upcoming" if rows else "No meetings yet."
        )

    def _on_failed(self, exc: Exception) -> None:
        self.status_label.setText("The meetings could not be loaded.")
        messages.show_error(self, "Meetings", exc)

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.meeting_opened.emit(self.model.row_at(index.row()).id)

    def save_state(self) -> None:
        ui_state.save_header(self.table.horizontalHeader(), "meetings")
