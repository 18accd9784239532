"""Schedule a new Level 2 or 3 panel meeting (a non-modal dialog, opened with ``open()``)."""

from __future__ import annotations

from datetime import date, time

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import MeetingType
from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.services import meetings, people
from mappa_desktop.services.meetings import MeetingRow
from mappa_desktop.services.people import PersonRow
from ui import messages
from ui.context import AppContext
from ui.forms.field_error import FieldError
from ui.tasks import Progress
from ui.views.meeting.common import (
    buddy,
    date_edit,
    fill_people,
)

FIELD_OF = {
    "level": "level",
    "meeting_type": "meeting_type",
    "meeting_date": "meeting_date",
    "start_time": "start_time",
    "venue": "venue",
    "chair": "chair",
    "minute_taker": "minute_taker",
    "coordinator": "coordinator",
}


class ScheduleDialog(QDialog):
    scheduled = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheduleDialog")
        self.setWindowTitle("New panel meeting")
        self._ctx = ctx
        self.level = QComboBox()
        self.level.setAccessibleName("Level")
        self.level.addItem("Level 2", 2)
        self.level.addItem("Level 3", 3)
        self.meeting_type = QComboBox()
        self.meeting_type.setAccessibleName("Type of meeting")
        for kind, label in (
            (MeetingType.INITIAL, "Initial"),
            (MeetingType.REVIEW, "Review"),
            (MeetingType.SPECIAL, "Special"),
        ):
            self.meeting_type.addItem(label, kind)
        self.meeting_type.setCurrentIndex(1)
        self.meeting_date = date_edit(ctx.today(), "Meeting date")
        self.has_time = QCheckBox("at")
        self.has_time.setChecked(True)
        self.start_time = QTimeEdit(QTime(10, 0))
        self.start_time.setDisplayFormat("HH:mm")
        self.start_time.setAccessibleName("Start time")
        self.has_time.toggled.connect(self.start_time.setEnabled)
        self.venue = QLineEdit()
        self.venue.setAccessibleName("Venue")
        self.venue.setPlaceholderText("e.g. Room 4, Central Police Station, or video call")
        self.chair = QComboBox()
        self.chair.setAccessibleName("Chair")
        self.minute_taker = QComboBox()
        self.minute_taker.setAccessibleName("Minute-taker")
        self.coordinator = QComboBox()
        self.coordinator.setAccessibleName("MAPPA co-ordinator")
        self.errors = {name: FieldError(name) for name in FIELD_OF}
        self.general_error = FieldError("Meeting")

        form = QFormLayout()
        # Each label's buddy is the control itself, not its holder (which takes no focus): the
        # label's Alt+letter moves the focus there.
        form.addRow(buddy("&Level:", self.level), self._with_error(self.level, "level"))
        form.addRow(
            buddy("&Type:", self.meeting_type), self._with_error(self.meeting_type, "meeting_type")
        )
        when = QHBoxLayout()
        when.addWidget(self.meeting_date)
        when.addWidget(self.has_time)
        when.addWidget(self.start_time)
        when.addStretch(1)
        when_widget = QWidget()
        when_widget.setLayout(when)
        form.addRow(
            buddy("&Date:", self.meeting_date),
            self._with_error(when_widget, "meeting_date", "start_time"),
        )
        form.addRow(buddy("&Venue:", self.venue), self._with_error(self.venue, "venue"))
        form.addRow(buddy("&Chair:", self.chair), self._with_error(self.chair, "chair"))
        form.addRow(
            buddy("&Minute-taker:", self.minute_taker),
            self._with_error(self.minute_taker, "minute_taker"),
        )
        form.addRow(
            buddy("Co-o&rdinator:", self.coordinator),
            self._with_error(self.coordinator, "coordinator"),
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Schedule")
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(560, 380)
        self._load_people()

    def _with_error(self, widget: QWidget, *fields: str) -> QWidget:
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(widget)
        for name in fields:
            box.addWidget(self.errors[name])
        return holder

    def _load_people(self) -> None:
        def load(_p: Progress) -> list[PersonRow]:
            with self._ctx.read_sessions() as s:
                return people.list_people(s)

        self._ctx.runner.submit(load, self._on_people, self._on_failed)

    def _on_people(self, persons: list[PersonRow]) -> None:
        fill_people(self.chair, persons, blank="— choose the chair —")
        fill_people(self.minute_taker, persons, blank="(not decided yet)")
        fill_people(self.coordinator, persons, blank="(not decided yet)")
        me = self._ctx.actor.person_id
        position = self.chair.findData(me)
        if position >= 0:
            self.chair.setCurrentIndex(position)

    def _on_failed(self, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            for name, text in exc.errors.items():
                label = self.errors.get(name)
                (label if label is not None else self.general_error).set_message(text)
        else:
            self.general_error.set_message(messages.describe(exc))
        self.save_button.setEnabled(True)

    def values(self) -> dict[str, object]:
        start: time | None = None
        if self.has_time.isChecked():
            t = self.start_time.time()
            start = time(t.hour(), t.minute())
        meeting_date: date | None = self.meeting_date.date()
        return {
            "level": self.level.currentData(),
            "meeting_type": self.meeting_type.currentData(),
            "meeting_date": meeting_date,
            "start_time": start,
            "venue": self.venue.text(),
            "chair_id": self.chair.currentData(),
            "minute_taker_id": self.minute_taker.currentData(),
            "coordinator_id": self.coordinator.currentData(),
        }

    def _on_save(self) -> None:
        for label in (*self.errors.values(), self.general_error):
            label.set_message("")
        values = self.values()
        if problem := self.meeting_date.problem(required=True):
            self.errors["meeting_date"].set_message(problem)
            self.meeting_date.setFocus()
            return
        if values["chair_id"] is None:
            self.errors["chair"].set_message("Choose the chair; every meeting needs one.")
            self.chair.setFocus()
            return
        actor = self._ctx.actor
        self.save_button.setEnabled(False)

        def run(_p: Progress) -> MeetingRow:
            with self._ctx.sessions.begin() as s:
                return meetings.schedule_meeting(s, actor, **values)  # type: ignore[arg-type]

        self._ctx.runner.submit(run, self._on_scheduled, self._on_failed)

    def _on_scheduled(self, row: MeetingRow) -> None:
        self.save_button.setEnabled(True)
        self._ctx.bus.meetings_changed.emit({row.id})
        self.scheduled.emit(row.id)
        self.accept()
