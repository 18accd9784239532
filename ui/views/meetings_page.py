"""The meetings list: upcoming and past meetings with level, type, date, chair and status.

"New meeting…" (Ctrl+N) schedules one; "Agenda…" (Ctrl+E) builds the selected meeting's agenda;
Enter or a double-click opens the meeting screen (``meeting_opened``)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import MeetingStatus, Role
from mappa_desktop.services.listing import MeetingListRow, list_meetings
from reports.labels import label
from ui import messages, ui_state
from ui.context import AppContext
from ui.models.dto_table import Column, DtoTableModel
from ui.tasks import Progress
from ui.widgets.tables import focus_rows, row_table

STATUS_LABELS = {status.value: label(status) for status in MeetingStatus}  # as reports say it
SCHEDULERS = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR)


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
        self._generation = 0
        self._dialogs: list[QWidget] = []
        self._select_after_load: int | None = None
        self.model: DtoTableModel[MeetingListRow] = DtoTableModel(MEETING_COLUMNS)
        self.table = row_table("Meetings", self.model)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.new_button = QPushButton("&New meeting… (Ctrl+N)")
        self.new_button.setObjectName("newMeeting")
        self.agenda_button = QPushButton("A&genda… (Ctrl+E)")
        self.open_button = QPushButton("&Open meeting (Enter)")
        can_schedule = ctx.actor.has(*SCHEDULERS)
        self.new_button.setEnabled(can_schedule)
        if not can_schedule:
            self.new_button.setToolTip(
                "Scheduling needs the administrator, co-ordinator or chair role."
            )
        self.status_label = QLabel("Loading meetings…")
        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addWidget(self.agenda_button)
        bar.addWidget(self.open_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        ui_state.restore_header(self.table.horizontalHeader(), "meetings")
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        for keys, slot in (("Ctrl+N", self.new_meeting), ("Ctrl+E", self.edit_agenda)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.table.doubleClicked.connect(self._on_activated)
        self.table.installEventFilter(self)
        self.new_button.clicked.connect(self.new_meeting)
        self.agenda_button.clicked.connect(self.edit_agenda)
        self.open_button.clicked.connect(lambda: self._on_activated(self.table.currentIndex()))

    def reload(self) -> None:
        def load(_p: Progress) -> list[MeetingListRow]:
            with self._ctx.read_sessions() as s:
                return list_meetings(s)

        # Loads may overlap (live refresh): only the newest one's result is shown.
        self._generation += 1
        generation = self._generation
        self._ctx.runner.submit(
            load,
            lambda rows: self._on_loaded(rows) if generation == self._generation else None,
            self._on_failed,
        )

    def _on_loaded(self, rows: list[MeetingListRow]) -> None:
        selected = self.selected_meeting_id()
        self.model.set_rows(rows)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        today = self._ctx.today()
        upcoming = sum(1 for m in rows if m.meeting_date >= today)
        self.status_label.setText(
            f"{len(rows)} meetings, {upcoming} upcoming" if rows else "No meetings yet."
        )
        wanted = self._select_after_load or selected
        self._select_after_load = None
        if wanted is not None:
            self.select_meeting(wanted)
        elif rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def _on_failed(self, exc: Exception) -> None:
        self.status_label.setText("The meetings could not be loaded.")
        messages.show_error(self, "Meetings", exc)

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid() and index.row() < self.model.rowCount():
            self.meeting_opened.emit(self.model.row_at(index.row()).id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._on_activated(self.table.currentIndex())
                return True
        return super().eventFilter(watched, event)

    def focus_first(self) -> None:
        """Ctrl+2: the focus on the selected meeting (Enter opens it, Ctrl+E its agenda)."""
        focus_rows(self.table, self.new_button)

    def selected_meeting_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row_at(index.row()).id

    def select_meeting(self, meeting_id: int) -> bool:
        for position, row in enumerate(self.model.rows()):
            if row.id == meeting_id:
                self.table.selectRow(position)
                self.table.scrollTo(self.model.index(position, 0))
                return True
        return False

    # ----- scheduling and the agenda --------------------------------------------------------
    def _keep(self, dialog: QWidget) -> None:
        self._dialogs.append(dialog)
        dialog.destroyed.connect(lambda _o=None, d=dialog: self._forget(d))

    def _forget(self, dialog: QWidget) -> None:
        if dialog in self._dialogs:
            self._dialogs.remove(dialog)

    def new_meeting(self) -> QWidget | None:
        """Open the non-modal "New meeting" dialog; on success, the agenda builder follows."""
        if not self._ctx.actor.has(*SCHEDULERS):
            return None
        from ui.views.meeting.schedule import ScheduleDialog

        dialog = ScheduleDialog(self._ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.scheduled.connect(self._on_scheduled)
        self._keep(dialog)
        dialog.open()
        return dialog

    def _on_scheduled(self, meeting_id: int) -> None:
        self._select_after_load = meeting_id
        self.reload()
        self.edit_agenda(meeting_id)

    def edit_agenda(self, meeting_id: int | None = None) -> QWidget | None:
        target = meeting_id if meeting_id is not None else self.selected_meeting_id()
        if target is None:
            return None
        from ui.views.meeting.agenda import AgendaDialog

        dialog = AgendaDialog(self._ctx, target, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._keep(dialog)
        dialog.show()
        return dialog

    def open_dialogs(self) -> list[QWidget]:
        return list(self._dialogs)

    def save_state(self) -> None:
        ui_state.save_header(self.table.horizontalHeader(), "meetings")
