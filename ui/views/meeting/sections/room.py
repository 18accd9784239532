"""Who is in the room for this case: the core panel (Responsible Authority agencies and the
co-ordinator), the agencies invited for the case, and any other agency that took part, each with
their status for this case. The minute-taker records a status for this case (someone left the
room, an invited agency sent apologies or a written report), clears it back to the meeting-wide
status, and invites a Duty-to-Co-operate agency, all from the keyboard: arrow to a line, Enter
goes to its status, Enter records it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QBrush, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import AgencyKind, AttendanceStatus
from mappa_desktop.services import attendance, discussions
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.attendance import CaseAttendeeRow
from mappa_desktop.services.meetings import AgendaItem
from ui.forms import style
from ui.forms.field_error import FieldError
from ui.forms.style import Tone
from ui.models.dto_table import Column, DtoTableModel, size_columns
from ui.user_text import escaped as _esc
from ui.views.meeting.common import (
    ScreenData,
    buddy,
    fill_agencies,
    fill_people,
    set_combo,
)
from ui.views.meeting.sections.base import CaseContext, section_table

PANEL_LABELS = {"core": "Core panel", "invited": "Invited", "other": "Other"}
# The statuses the minute-taker can record for one case, as the form offers them.
CASE_STATUS_CHOICES = {
    AttendanceStatus.PRESENT: "Present",
    AttendanceStatus.APOLOGIES: "Apologies",
    AttendanceStatus.ABSENT: "Absent (invited but absent, or left the room)",
    AttendanceStatus.REPORT_SUBMITTED: "Written report received",
    AttendanceStatus.DEPUTY: "Present as a deputy",
}
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def status_text(row: CaseAttendeeRow) -> str:
    """The line's status for this case, as the table shows it."""
    if row.status is None:
        return "Invited — nothing recorded (absent)"
    if row.status is AttendanceStatus.ABSENT:
        return "Absent (not in the room)" if row.panel == "core" else "Invited but absent"
    if row.status is AttendanceStatus.DEPUTY:
        return "Present (deputy)"
    return CASE_STATUS_CHOICES[row.status]


def _recorded(row: CaseAttendeeRow) -> str:
    if row.id is not None:
        return "for this case"
    return "as at the meeting" if row.status is not None else ""


ROOM_COLUMNS: list[Column[CaseAttendeeRow]] = [
    Column("Panel", lambda r: PANEL_LABELS.get(r.panel, r.panel)),
    Column("Agency", lambda r: r.agency_name),
    Column("Person", lambda r: r.person_name or "(the agency)"),
    Column("Role", lambda r: r.role_title),
    Column("For this case", status_text),
    Column("Recorded", _recorded),
]


def _highlight(row: CaseAttendeeRow) -> QBrush | None:
    if row.in_room:
        return style.brush(Tone.SUCCESS)
    if row.panel != "core" and row.status in (None, AttendanceStatus.ABSENT):
        return style.brush(Tone.WARNING)
    return None


def room_summary(rows: Sequence[CaseAttendeeRow], short: Mapping[int, str]) -> str:
    """Who is in the room for the case, at a glance (rich text, user text escaped)."""

    def who(r: CaseAttendeeRow) -> str:
        agency = _esc(short.get(r.agency_id, r.agency_name))
        return f"{_esc(r.person_name)} ({agency})" if r.person_name else agency

    def listed(rows: Sequence[CaseAttendeeRow]) -> str:
        return ", ".join(who(r) for r in rows)

    in_room = [r for r in rows if r.in_room]
    reports = [r for r in rows if r.status is AttendanceStatus.REPORT_SUBMITTED]
    apologies = [r for r in rows if r.status is AttendanceStatus.APOLOGIES]
    invited_absent = [
        r for r in rows if r.panel != "core" and r.status in (None, AttendanceStatus.ABSENT)
    ]
    left = [r for r in rows if r.panel == "core" and r.status is AttendanceStatus.ABSENT]
    parts = [
        f"<b>In the room for this case ({len(in_room)}):</b> {listed(in_room)}."
        if in_room
        else "<b>Nobody is recorded in the room for this case yet.</b>"
    ]
    if reports:
        parts.append(f"Written reports received: {listed(reports)}.")
    if apologies:
        parts.append(f"Apologies: {listed(apologies)}.")
    if left:
        parts.append(f"Not in the room: {listed(left)}.")
    if invited_absent:
        parts.append(style.span(f"Invited but absent: {listed(invited_absent)}.", Tone.WARNING))
    return "<br>".join(parts)


class RoomView(QGroupBox):
    """The summary and the table, the form recording a status for this case, and inviting."""

    def __init__(self) -> None:
        super().__init__("In the room for this case")
        self.setObjectName("inTheRoom")
        self.summary = QLabel()
        self.summary.setObjectName("roomSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.model: DtoTableModel[CaseAttendeeRow] = DtoTableModel(ROOM_COLUMNS, _highlight)
        self.table = section_table("In the room for this case", self.model, rows=4)
        size_columns(self.table, (10, 18, 18, 12, 22, 12), stretch=2)
        self.agency = QComboBox()
        self.agency.setAccessibleName("Agency (this case)")
        self.person = QComboBox()
        self.person.setAccessibleName("Person (this case)")
        self.status = QComboBox()
        self.status.setObjectName("caseStatus")
        self.status.setAccessibleName("Status for this case")
        for status, label in CASE_STATUS_CHOICES.items():
            self.status.addItem(label, status)
        self.record_button = QPushButton("Record for this case")
        self.record_button.setObjectName("recordCaseAttendance")
        self.clear_button = QPushButton("Back to the meeting-wide status")
        self.clear_button.setObjectName("clearCaseAttendance")
        self.error = FieldError("Attendance for this case")
        self.invited = QLabel()
        self.invited.setWordWrap(True)
        self.invite_combo = QComboBox()
        self.invite_combo.setAccessibleName("Agency to invite for this case")
        self.invite_button = QPushButton("Invite agenc&y")
        self.invite_error = FieldError("Invitation")
        form = QGridLayout()
        form.addWidget(buddy("Agency:", self.agency), 0, 0)
        form.addWidget(self.agency, 0, 1)
        form.addWidget(buddy("Person:", self.person), 0, 2)
        form.addWidget(self.person, 0, 3)
        form.addWidget(buddy("For this case:", self.status), 1, 0)
        form.addWidget(self.status, 1, 1)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.clear_button)
        form.addLayout(buttons, 1, 2, 1, 2)
        invite_row = QHBoxLayout()
        invite_row.addWidget(self.invited, 1)
        invite_row.addWidget(self.invite_combo)
        invite_row.addWidget(self.invite_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(invite_row)
        layout.addWidget(self.invite_error)

    def form_fields(self) -> tuple[QWidget, ...]:
        return (self.agency, self.person, self.status)


class RoomSection(RoomView):
    """Selecting a line puts it in the form; Enter in the form records it for this case."""

    def __init__(self, ctx: CaseContext, data: ScreenData, item: AgendaItem) -> None:
        super().__init__()
        self._ctx = ctx
        self._data = data
        self.update_data(data, item)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)
        self.agency.currentIndexChanged.connect(self._on_agency_changed)
        self.person.currentIndexChanged.connect(self._update_clear)
        self.record_button.clicked.connect(self._on_record)
        self.clear_button.clicked.connect(self._on_clear)
        self.invite_button.clicked.connect(self._on_invite)
        self.table.installEventFilter(self)
        for field in self.form_fields():
            field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            if watched is self.table:  # Enter on a line: on to its status for this case
                self.status.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
            if watched in self.form_fields():
                self._on_record()
                return True
        return super().eventFilter(watched, event)

    # ----- data -----------------------------------------------------------------------------
    def update_data(self, data: ScreenData, item: AgendaItem) -> None:
        self._data = data
        fill_agencies(self.agency, data.agencies)
        self._on_agency_changed()
        rows = list(item.attendance)
        self.model.set_rows(rows)  # the line in the form stays selected (it was just recorded)
        self._select(self._form_key())
        short = {a.id: a.short_name for a in data.agencies}
        self.summary.setText(room_summary(rows, short))
        self._update_clear()
        invited = ", ".join(item.invited_agencies) or "none"
        self.invited.setText(f"Duty-to-Co-operate agencies invited for this case: {invited}")
        fill_agencies(
            self.invite_combo,
            [
                a
                for a in data.agencies
                if a.kind is AgencyKind.DUTY_TO_COOPERATE and a.name not in item.invited_agencies
            ],
        )

    def rows(self) -> list[CaseAttendeeRow]:
        return self.model.rows()

    def _select(self, key: tuple[int | None, int | None]) -> None:
        for position, row in enumerate(self.model.rows()):
            if (row.agency_id, row.person_id) == key:
                self.table.selectRow(position)
                return

    def _form_key(self) -> tuple[int | None, int | None]:
        return (self.agency.currentData(), self.person.currentData())

    def _on_row_changed(self, *_args: object) -> None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return
        row = self.model.row_at(index.row())
        set_combo(self.agency, row.agency_id)
        self._on_agency_changed()
        set_combo(self.person, row.person_id)
        if row.status is not None:
            set_combo(self.status, row.status)
        self._update_clear()

    def _on_agency_changed(self, *_args: object) -> None:
        fill_people(
            self.person,
            self._data.people,
            agency_id=self.agency.currentData(),
            blank="(the agency itself)",
        )
        self._update_clear()

    def _update_clear(self, *_args: object) -> None:
        """Clearing is offered when this case has its own entry for the form's line."""
        agency_id, person_id = self._form_key()
        own = any(
            r.id is not None and (r.agency_id, r.person_id) == (agency_id, person_id)
            for r in self.model.rows()
        )
        self.clear_button.setEnabled(own and not self._ctx.hub.read_only)

    # ----- writes ---------------------------------------------------------------------------
    def _on_record(self) -> None:
        if self._ctx.hub.read_only:
            return
        disc = self._ctx.discussion_id
        agency_id, person_id = self._form_key()
        status = self.status.currentData()
        if agency_id is None:
            self.error.set_message("Agency: choose the agency whose attendance you record.")
            return

        def work(s: Session, actor: Actor) -> object:
            return attendance.record_case_attendance(
                s, actor, disc, agency_id=agency_id, person_id=person_id, status=status
            )

        self._ctx.write(work, self.error)

    def _on_clear(self) -> None:
        disc = self._ctx.discussion_id
        agency_id, person_id = self._form_key()
        if agency_id is None:
            return

        def work(s: Session, actor: Actor) -> object:
            attendance.clear_case_attendance(
                s, actor, disc, agency_id=agency_id, person_id=person_id
            )
            return None

        self._ctx.write(work, self.error)

    def _on_invite(self) -> None:
        agency_id = self.invite_combo.currentData()
        disc = self._ctx.discussion_id

        def work(s: Session, actor: Actor) -> object:
            discussions.invite_agency(s, actor, disc, agency_id)
            return None

        self._ctx.write(work, self.invite_error)
