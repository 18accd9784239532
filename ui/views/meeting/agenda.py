"""The agenda builder: the cases proposed for a meeting (with why), cases found by name, and the
agenda itself, reordered from the keyboard (Alt+Up / Alt+Down) and trimmed with Delete."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import AgendaReason
from mappa_desktop.services import case_events, meetings
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.case_events import CaseEventRow
from mappa_desktop.services.listing import CaseRow, list_cases
from mappa_desktop.services.meetings import AgendaItem, AgendaProposal, MeetingDetail
from reports import labels
from ui import messages
from ui.context import AppContext
from ui.forms.field_error import FieldError
from ui.models.dto_table import Column, DtoTableModel
from ui.tasks import Progress
from ui.user_text import shown
from ui.widgets.tables import row_table

REASON_TEXT = labels.labels_for(AgendaReason)  # as the minutes say it

AGENDA_COLUMNS: list[Column[AgendaItem]] = [
    Column(
        "#", lambda i: str(i.discussion.agenda_order), sort_key=lambda i: i.discussion.agenda_order
    ),
    Column("Case", lambda i: i.case.display_name),
    Column("Cat.", lambda i: str(i.case.category or "")),
    Column("Level", lambda i: str(i.case.level or "")),
    Column("Why", lambda i: REASON_TEXT[i.discussion.agenda_reason]),
]
PROPOSAL_COLUMNS: list[Column[AgendaProposal]] = [
    Column("Case", lambda p: f"{p.given_names} {p.family_name}".strip()),
    Column("Cat.", lambda p: str(p.category)),
    Column("Level", lambda p: str(p.level)),
    Column("Why", lambda p: p.detail),
]


# What the agenda page loads: the meeting, the proposed cases, and the case events since each
# case on the agenda was last discussed.
Loaded = tuple[MeetingDetail, list[AgendaProposal], dict[int, list[CaseEventRow]]]


@dataclass(frozen=True, slots=True)
class Found:
    case_id: int
    name: str
    level: int | None
    category: int | None


FOUND_COLUMNS: list[Column[Found]] = [
    Column("Case", lambda f: f.name),
    Column("Cat.", lambda f: str(f.category or "")),
    Column("Level", lambda f: str(f.level or "")),
]


def _table(name: str, model: QAbstractItemModel) -> QTableView:
    table = row_table(name, model)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


class AgendaDialog(QDialog):
    """Non-modal: open with ``open()`` or ``show()``."""

    agenda_changed = Signal(int)

    def __init__(self, ctx: AppContext, meeting_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agendaDialog")
        self.setWindowTitle("Meeting agenda")
        self._ctx = ctx
        self.meeting_id = meeting_id
        self._cases: list[CaseRow] | None = None
        self.heading = QLabel("Loading…")
        # Case events (recalls, breaches, orders, ...) since each case was last discussed.
        self._events: dict[int, list[CaseEventRow]] = {}
        since = Column[AgendaItem]("Since last discussed", self._events_text)
        self.agenda_model: DtoTableModel[AgendaItem] = DtoTableModel([*AGENDA_COLUMNS, since])
        self.agenda_table = _table("Agenda", self.agenda_model)
        self.agenda_table.setObjectName("agendaTable")
        self.agenda_table.setColumnWidth(0, 30)
        self.agenda_table.setColumnWidth(1, 220)
        self.proposal_model: DtoTableModel[AgendaProposal] = DtoTableModel(PROPOSAL_COLUMNS)
        self.proposal_table = _table("Proposed cases", self.proposal_model)
        self.proposal_table.setObjectName("proposalTable")
        self.proposal_table.setColumnWidth(0, 200)
        self.find_edit = QLineEdit()
        self.find_edit.setAccessibleName("Find a case to add")
        self.find_edit.setPlaceholderText("Find another case by name (Enter searches)")
        self.found_model: DtoTableModel[Found] = DtoTableModel(FOUND_COLUMNS)
        self.found_table = _table("Cases found", self.found_model)
        self.found_table.setColumnWidth(0, 260)
        self.add_button = QPushButton("&Add selected proposal")
        self.add_all_button = QPushButton("Add a&ll proposed")
        self.add_found_button = QPushButton("Add &found case")
        self.up_button = QPushButton("Move &up (Alt+Up)")
        self.down_button = QPushButton("Move do&wn (Alt+Down)")
        self.remove_button = QPushButton("&Remove (Delete)")
        self.error = FieldError("Agenda")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Agenda</b> (in meeting order)"))
        left.addWidget(self.agenda_table, 1)
        moves = QHBoxLayout()
        for button in (self.up_button, self.down_button, self.remove_button):
            moves.addWidget(button)
        left.addLayout(moves)
        right = QVBoxLayout()
        right.addWidget(QLabel("<b>Proposed</b>: review due, new referrals, overdue actions"))
        right.addWidget(self.proposal_table, 2)
        adds = QHBoxLayout()
        adds.addWidget(self.add_button)
        adds.addWidget(self.add_all_button)
        right.addLayout(adds)
        right.addWidget(self.find_edit)
        right.addWidget(self.found_table, 1)
        right.addWidget(self.add_found_button)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(body, 1)
        layout.addWidget(self.error)
        layout.addWidget(close)
        self.resize(1000, 560)
        self._connect_signals()
        self.reload()

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self._on_add_proposal)
        self.add_all_button.clicked.connect(self._on_add_all)
        self.add_found_button.clicked.connect(self._on_add_found)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.remove_button.clicked.connect(self.remove_selected)
        self.proposal_table.doubleClicked.connect(lambda _i: self._on_add_proposal())
        self.found_table.doubleClicked.connect(lambda _i: self._on_add_found())
        self.find_edit.returnPressed.connect(self._on_find)
        for table in (self.agenda_table, self.proposal_table, self.found_table):
            table.installEventFilter(self)

    def _events_text(self, item: AgendaItem) -> str:
        events = self._events.get(item.case.case_id, [])
        return "; ".join(f"{e.event_date.isoformat()} {e.label}" for e in events)

    # ----- loading --------------------------------------------------------------------------
    def reload(self, select_discussion: int | None = None) -> None:
        meeting_id = self.meeting_id

        def load(_p: Progress) -> Loaded:
            with self._ctx.read_sessions() as s:
                return (
                    meetings.get_meeting(s, meeting_id),
                    meetings.propose_agenda(s, meeting_id),
                    case_events.events_since_last_meeting(s, meeting_id),
                )

        self._ctx.runner.submit(
            load, lambda r: self._on_loaded(r, select_discussion), self._on_failed
        )

    def _on_loaded(self, result: Loaded, select: int | None) -> None:
        detail, proposals, self._events = result
        m = detail.meeting
        self.heading.setText(
            f"<b>Level {m.level} {m.meeting_type.value} meeting, {m.meeting_date.isoformat()}</b>"
            f" — {len(detail.agenda)} case(s) on the agenda, {len(proposals)} proposed."
        )
        self.agenda_model.set_rows(list(detail.agenda))
        self.proposal_model.set_rows(proposals)
        if select is not None:
            for position, item in enumerate(detail.agenda):
                if item.discussion.id == select:
                    self.agenda_table.selectRow(position)
        elif detail.agenda and not self.agenda_table.currentIndex().isValid():
            self.agenda_table.selectRow(0)
        if proposals:
            self.proposal_table.selectRow(0)

    def _on_failed(self, exc: Exception) -> None:
        self.error.set_message(messages.describe(exc))

    # ----- writes ---------------------------------------------------------------------------
    def _write(self, work: Callable[[Session, Actor], object], select: int | None = None) -> None:
        actor = self._ctx.actor

        def run(_p: Progress) -> object:
            with self._ctx.sessions.begin() as s:
                return work(s, actor)

        def ok(_r: object) -> None:
            self.error.set_message("")
            self._ctx.bus.meetings_changed.emit({self.meeting_id})
            self.agenda_changed.emit(self.meeting_id)
            self.reload(select)

        self._ctx.runner.submit(run, ok, self._on_failed)

    def _selected_agenda(self) -> AgendaItem | None:
        index = self.agenda_table.currentIndex()
        if not index.isValid() or index.row() >= self.agenda_model.rowCount():
            return None
        return self.agenda_model.row_at(index.row())

    def _add(self, case_ids: list[tuple[int, AgendaReason]]) -> None:
        meeting_id = self.meeting_id

        def work(s: Session, actor: Actor) -> object:
            for case_id, reason in case_ids:
                meetings.add_to_agenda(s, actor, meeting_id, case_id, reason=reason)
            return None

        self._write(work)

    def _on_add_proposal(self) -> None:
        index = self.proposal_table.currentIndex()
        if index.isValid() and index.row() < self.proposal_model.rowCount():
            p = self.proposal_model.row_at(index.row())
            self._add([(p.case_id, p.reason)])

    def _on_add_all(self) -> None:
        rows = self.proposal_model.rows()
        if rows:
            self._add([(p.case_id, p.reason) for p in rows])

    def _on_add_found(self) -> None:
        index = self.found_table.currentIndex()
        if index.isValid() and index.row() < self.found_model.rowCount():
            self._add([(self.found_model.row_at(index.row()).case_id, AgendaReason.ADDED)])

    def move_selected(self, step: int) -> None:
        item = self._selected_agenda()
        if item is None:
            return
        ids = [i.discussion.id for i in self.agenda_model.rows()]
        position = ids.index(item.discussion.id)
        target = position + step
        if not 0 <= target < len(ids):
            return
        ids[position], ids[target] = ids[target], ids[position]
        meeting_id = self.meeting_id

        def work(s: Session, actor: Actor) -> object:
            meetings.reorder_agenda(s, actor, meeting_id, ids)
            return None

        self._write(work, select=item.discussion.id)

    def remove_selected(self) -> None:
        item = self._selected_agenda()
        if item is None:
            return
        disc = item.discussion.id

        def work(s: Session, actor: Actor) -> object:
            meetings.remove_from_agenda(s, actor, disc)
            return None

        messages.confirm(
            self,
            "Remove from the agenda",
            f"Take {shown(item.case.display_name)} off this meeting's agenda?",
            "&Remove from agenda",
            lambda: self._write(work),
        )

    # ----- finding cases --------------------------------------------------------------------
    def _on_find(self) -> None:
        if self._cases is None:

            def load(_p: Progress) -> list[CaseRow]:
                with self._ctx.read_sessions() as s:
                    return list_cases(s)

            self._ctx.runner.submit(load, self._on_cases, self._on_failed)
        else:
            self._filter()

    def _on_cases(self, rows: list[CaseRow]) -> None:
        self._cases = rows
        self._filter()

    def _filter(self) -> None:
        needle = self.find_edit.text().strip().casefold()
        on_agenda = {i.case.case_id for i in self.agenda_model.rows()}
        found: list[Found] = []
        for row in self._cases or []:
            name = f"{row.given_names} {row.family_name}".strip()
            if needle and needle not in name.casefold():
                continue
            if row.id in on_agenda:
                continue
            found.append(Found(row.id, name, row.level, row.category))
            if len(found) >= 50:
                break
        self.found_model.set_rows(found)
        if found:
            self.found_table.selectRow(0)
            self.found_table.setFocus()

    # ----- keys -----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent)
        key, alt = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if watched is self.agenda_table:
            if alt and key == Qt.Key.Key_Up:
                self.move_selected(-1)
                return True
            if alt and key == Qt.Key.Key_Down:
                self.move_selected(1)
                return True
            if key == Qt.Key.Key_Delete:
                self.remove_selected()
                return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if watched is self.proposal_table:
                self._on_add_proposal()
                return True
            if watched is self.found_table:
                self._on_add_found()
                return True
        return super().eventFilter(watched, event)
