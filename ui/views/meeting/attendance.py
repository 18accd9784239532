"""The first page of a meeting: the confidentiality and diversity statement, then attendance by
agency (Responsible Authority agencies always expected, Duty-to-Co-operate agencies when invited
for a case) with the warnings the service gives."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import resources
from mappa_desktop.domain.enums import AgencyKind, AttendanceStatus
from mappa_desktop.services import meetings
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.attendance import AttendanceRow
from ui.forms import style
from ui.forms.field_error import FieldError
from ui.forms.fit import scrolled
from ui.forms.style import Tone
from ui.models.dto_table import Column, DtoTableModel
from ui.views.meeting.common import (
    ATTENDANCE_CHOICES,
    ATTENDANCE_LABELS,
    ScreenData,
    buddy,
    fill_agencies,
    fill_people,
    fmt_time,
    fmt_when,
    section,
    set_combo,
    tame_combos,
)
from ui.widgets.tables import row_table


@dataclass(frozen=True, slots=True)
class AttendanceLine:
    """One line of the attendance table: a recorded attendee, or an expected agency with no one
    recorded yet."""

    agency_id: int
    agency: str
    expected: str  # why the agency is expected ("" when it is not)
    row: AttendanceRow | None

    @property
    def key(self) -> tuple[int, int | None, int]:
        return (
            self.agency_id,
            self.row.person_id if self.row else None,
            self.row.id if self.row else 0,
        )


def _status(line: AttendanceLine) -> str:
    if line.row is None:
        return "Not recorded yet"
    text = ATTENDANCE_LABELS[line.row.status]
    if line.row.status is AttendanceStatus.DEPUTY and line.row.deputy_for_name:
        text = f"Deputy for {line.row.deputy_for_name}"
    return text


ATTENDANCE_COLUMNS: list[Column[AttendanceLine]] = [
    Column("Agency", lambda x: x.agency),
    Column("Person", lambda x: (x.row.person_name or "(agency entry)") if x.row else "—"),
    Column("Role", lambda x: x.row.role_title if x.row else ""),
    Column("Attendance", _status),
    Column("Arrived", lambda x: fmt_time(x.row.arrived_at) if x.row else ""),
    Column("Left", lambda x: fmt_time(x.row.departed_at) if x.row else ""),
    Column("Expected because", lambda x: x.expected),
]


def _highlight(line: AttendanceLine) -> QBrush | None:
    if line.row is None and line.expected:
        return style.brush(Tone.WARNING)
    return None


def attendance_lines(data: ScreenData) -> list[AttendanceLine]:
    detail = data.detail
    expected: dict[int, list[str]] = {}
    for agency in data.agencies:
        if agency.kind is AgencyKind.RESPONSIBLE_AUTHORITY:
            expected.setdefault(agency.id, []).append("Responsible Authority")
    names = {a.name: a.id for a in data.agencies}
    for item in detail.agenda:
        for invited in item.invited_agencies:
            agency_id = names.get(invited)
            if agency_id is not None:
                expected.setdefault(agency_id, []).append(f"invited for {item.case.display_name}")
    lines: list[AttendanceLine] = []
    recorded: set[int] = set()
    for row in detail.attendance:
        recorded.add(row.agency_id)
        lines.append(
            AttendanceLine(
                row.agency_id, row.agency_name, "; ".join(expected.get(row.agency_id, [])), row
            )
        )
    for agency_id, reasons in expected.items():
        if agency_id not in recorded:
            found = data.agency(agency_id)
            if found is not None:
                lines.append(AttendanceLine(agency_id, found.name, "; ".join(reasons), None))
    lines.sort(key=lambda x: (x.agency.casefold(), x.row is None, x.row.id if x.row else 0))
    return lines


class AttendancePage(QWidget):
    """View and controller of the statement and the attendance list."""

    confirm_requested = Signal()
    record_requested = Signal(dict)  # keyword arguments for record_attendance
    mark_present_requested = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attendancePage")
        self._data: ScreenData | None = None
        self._restoring = False  # reselecting after a reload: the form keeps what it holds
        self.actor: Actor | None = None  # who is using the screen (set by the meeting view)

        # --- the statement ---
        statement = section("Confidentiality and diversity statement", "statementBox")
        self.statement_text = QTextBrowser()
        self.statement_text.setPlainText(
            resources.text("statements", "confidentiality_diversity.txt")
        )
        self.statement_text.setAccessibleName("Confidentiality and diversity statement")
        self.statement_text.setMaximumHeight(150)
        self.confirm_button = QPushButton("Confirm read and a&greed")
        self.confirm_button.setObjectName("confirmStatement")
        self.confirmed_label = QLabel("Not yet confirmed: read it out, or draw attention to it.")
        self.confirmed_label.setObjectName("statementConfirmed")
        self.confirmed_label.setWordWrap(True)
        self.statement_error = FieldError("Statement")
        confirm_row = QHBoxLayout()
        confirm_row.addWidget(self.confirm_button)
        confirm_row.addWidget(self.confirmed_label, 1)
        box = QVBoxLayout(statement)
        box.addWidget(self.statement_text)
        box.addLayout(confirm_row)
        box.addWidget(self.statement_error)

        # --- attendance ---
        attendance = section("Attendance by agency", "attendanceBox")
        self.warnings = QLabel("")
        self.warnings.setObjectName("attendanceWarnings")
        self.warnings.setWordWrap(True)
        style.set_box(self.warnings, Tone.WARNING)
        self.warnings.setAccessibleName("Attendance warnings")
        self.model: DtoTableModel[AttendanceLine] = DtoTableModel(ATTENDANCE_COLUMNS, _highlight)
        self.table = row_table("Attendance", self.model)
        self.table.setObjectName("attendanceTable")
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((220, 200, 150, 170, 60, 60)):
            self.table.setColumnWidth(column, width)

        self.agency = QComboBox()
        self.agency.setAccessibleName("Attendee's agency")
        self.person = QComboBox()
        self.person.setAccessibleName("Attendee")
        self.status = QComboBox()
        self.status.setAccessibleName("Attendance status")
        for status, label in ATTENDANCE_CHOICES.items():
            self.status.addItem(label, status)
        self.deputy_for = QComboBox()
        self.deputy_for.setAccessibleName("Deputising for")
        self.arrived = QLineEdit()
        self.arrived.setPlaceholderText("hh:mm")
        self.arrived.setAccessibleName("Arrival time")
        self.arrived.setMaximumWidth(70)
        self.departed = QLineEdit()
        self.departed.setPlaceholderText("hh:mm")
        self.departed.setAccessibleName("Departure time")
        self.departed.setMaximumWidth(70)
        self.record_button = QPushButton("&Record attendance")
        self.record_button.setObjectName("recordAttendance")
        self.form_error = FieldError("Attendance")
        form = QGridLayout()
        form.addWidget(buddy("Agenc&y:", self.agency), 0, 0)
        form.addWidget(self.agency, 0, 1)
        form.addWidget(buddy("Perso&n:", self.person), 0, 2)
        form.addWidget(self.person, 0, 3)
        form.addWidget(buddy("&Status:", self.status), 1, 0)
        form.addWidget(self.status, 1, 1)
        form.addWidget(buddy("De&puty for:", self.deputy_for), 1, 2)
        form.addWidget(self.deputy_for, 1, 3)
        times = QHBoxLayout()
        times.addWidget(buddy("Arrive&d:", self.arrived))
        times.addWidget(self.arrived)
        times.addWidget(buddy("&Left:", self.departed))
        times.addWidget(self.departed)
        times.addStretch(1)
        times.addWidget(self.record_button)
        form.addLayout(times, 2, 0, 1, 4)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        hint = QLabel(
            "Select a line and press Ctrl+P to mark that person present (arrival time now). "
            "Enter in the form records the line."
        )
        hint.setWordWrap(True)
        style.set_tone(hint, Tone.MUTED)
        box2 = QVBoxLayout(attendance)
        box2.addWidget(self.warnings)
        box2.addWidget(self.table, 1)
        box2.addLayout(form)
        box2.addWidget(self.form_error)
        box2.addWidget(hint)

        content = QWidget()
        inner = QVBoxLayout(content)
        inner.addWidget(statement)
        inner.addWidget(attendance, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scrolled(content))  # a short screen scrolls: nothing is squeezed
        self._connect_signals()
        tame_combos(self, 20)

    def _connect_signals(self) -> None:
        self.confirm_button.clicked.connect(self.confirm_requested.emit)
        self.record_button.clicked.connect(self._on_record_clicked)
        self.agency.currentIndexChanged.connect(self._on_agency_changed)
        self.status.currentIndexChanged.connect(self._on_status_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)
        for field in self.form_fields():
            field.installEventFilter(self)  # Enter in any field of the form records the line

    def form_fields(self) -> tuple[QWidget, ...]:
        return (self.agency, self.person, self.status, self.deputy_for, self.arrived, self.departed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and watched in self.form_fields()
        ):
            self._on_record_clicked()
            return True
        return super().eventFilter(watched, event)

    def form_recorded(self) -> None:
        """The line reached the database: clear the person and times for the next attendee
        (the agency and status stay, the next one is often from the same agency)."""
        self.person.setCurrentIndex(0)
        self.arrived.clear()
        self.departed.clear()
        self.agency.setFocus(Qt.FocusReason.OtherFocusReason)

    # ----- data -----------------------------------------------------------------------------
    def set_data(self, data: ScreenData) -> None:
        self._data = data
        meeting = data.detail.meeting
        if meeting.statement_confirmed_by:
            self.confirmed_label.setText(
                f"✔ Confirmed read and agreed by {meeting.statement_confirmed_by} at "
                f"{fmt_when(meeting.statement_confirmed_at)}."
            )
            self.confirm_button.setEnabled(False)
        elif self.actor is not None and not meetings.may_confirm_statement(
            self.actor, meeting.chair_id
        ):
            self.confirmed_label.setText(
                f"Not yet confirmed. The chair ({meeting.chair_name}), a co-ordinator or an "
                "administrator confirms it from their own login."
            )
            self.confirm_button.setEnabled(False)
        else:
            self.confirmed_label.setText("Not yet confirmed: read it out, or draw attention to it.")
            self.confirm_button.setEnabled(not meeting.is_frozen)
        warnings = data.detail.attendance_warnings
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings.setVisible(bool(warnings))
        selected = self.selected_line()
        agency, person = self.agency.currentData(), self.person.currentData()
        self.model.set_rows(attendance_lines(data))
        fill_agencies(self.agency, data.agencies)
        self._on_agency_changed()
        fill_people(self.deputy_for, data.people, blank="(not a deputy)")
        if selected is None:
            if self.model.rowCount():
                self.table.selectRow(0)
            return
        # A reload (a save here, or another user's change) keeps what the form holds.
        self._restoring = True
        try:
            self.select_key(selected.key)
        finally:
            self._restoring = False
        set_combo(self.agency, agency)
        self._on_agency_changed()
        set_combo(self.person, person)

    def selected_line(self) -> AttendanceLine | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row_at(index.row())

    def select_key(self, key: tuple[int, int | None, int]) -> None:
        for position, line in enumerate(self.model.rows()):
            if line.key[:2] == key[:2]:
                self.table.selectRow(position)
                return

    # ----- slots ----------------------------------------------------------------------------
    def _on_agency_changed(self, *_args: object) -> None:
        if self._data is None:
            return
        fill_people(
            self.person,
            self._data.people,
            agency_id=self.agency.currentData(),
            blank="(the agency itself, no person)",
        )

    def _on_status_changed(self, *_args: object) -> None:
        is_deputy = self.status.currentData() == AttendanceStatus.DEPUTY
        self.deputy_for.setEnabled(is_deputy)

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self._restoring:
            return
        line = self.model.row_at(current.row())
        set_combo(self.agency, line.agency_id)
        self._on_agency_changed()
        if line.row is not None:
            set_combo(self.person, line.row.person_id)
            set_combo(self.status, line.row.status)
            set_combo(self.deputy_for, line.row.deputy_for_id)
            self.arrived.setText(fmt_time(line.row.arrived_at))
            self.departed.setText(fmt_time(line.row.departed_at))
        else:
            self.person.setCurrentIndex(0)
            self.arrived.clear()
            self.departed.clear()
        self._on_status_changed()

    def _on_record_clicked(self) -> None:
        self.record_requested.emit(
            {
                "agency_id": self.agency.currentData(),
                "person_id": self.person.currentData(),
                "status": self.status.currentData(),
                "deputy_for_id": self.deputy_for.currentData()
                if self.status.currentData() == AttendanceStatus.DEPUTY
                else None,
                "arrived": self.arrived.text(),
                "departed": self.departed.text(),
            }
        )

    def mark_selected_present(self) -> bool:
        """Ctrl+P: the selected person is present (arrival now unless already recorded)."""
        line = self.selected_line()
        if line is None or line.row is None or line.row.person_id is None:
            self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.form_error.show_message(
                "Select a person's line first: Ctrl+P marks the selected person present. For an "
                "agency with no one recorded, choose the person in the form below."
            )
            return False
        self.mark_present_requested.emit(
            {
                "agency_id": line.row.agency_id,
                "person_id": line.row.person_id,
                "status": AttendanceStatus.PRESENT,
                "deputy_for_id": None,
                "arrived_at": line.row.arrived_at,
                "departed_at": line.row.departed_at,
            }
        )
        return True
