"""All open actions across cases: owner, agency, due date; overdue ones stand out (icon + text)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.services.actions import ActionRow, list_open_actions
from ui import messages, ui_state
from ui.context import AppContext
from ui.forms import style
from ui.forms.style import Tone
from ui.models.dto_table import Column, DtoTableModel, size_columns
from ui.tasks import Progress
from ui.views.row_opener import RowOpener
from ui.widgets.tables import focus_rows, row_table

ACTION_COLUMNS: list[Column[ActionRow]] = [
    Column(
        "Due",
        lambda a: a.due_date.isoformat() + (" ⚠ overdue" if a.overdue else ""),
        sort_key=lambda a: a.due_date,
    ),
    Column("Case", lambda a: a.case_name),
    Column("Action", lambda a: a.text, tooltip=lambda a: a.text),
    Column("Owner", lambda a: a.owner_person_name or "—"),
    Column("Agency", lambda a: a.owner_agency_name),
    Column("Status", lambda a: str(getattr(a.status, "value", a.status)).replace("_", " ")),
]


class ActionsPage(QWidget):
    case_opened = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._generation = 0
        self._all: list[ActionRow] = []
        self.model: DtoTableModel[ActionRow] = DtoTableModel(
            ACTION_COLUMNS, highlight=lambda a: style.brush(Tone.ERROR) if a.overdue else None
        )
        self.agency_combo = QComboBox()
        self.agency_combo.setAccessibleName("Filter actions by agency")
        agency_label = QLabel("A&gency:")
        agency_label.setBuddy(self.agency_combo)
        self.owner_combo = QComboBox()
        self.owner_combo.setAccessibleName("Filter actions by owner")
        owner_label = QLabel("O&wner:")
        owner_label.setBuddy(self.owner_combo)
        self.table = row_table("Open actions", self.model)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        size_columns(self.table, (18, 28, 40, 24, 26, 14), stretch=2)
        self.status_label = QLabel("Loading actions…")
        bar = QHBoxLayout()
        bar.addWidget(agency_label)
        bar.addWidget(self.agency_combo)
        bar.addWidget(owner_label)
        bar.addWidget(self.owner_combo)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        ui_state.restore_header(self.table.horizontalHeader(), "actions")
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.agency_combo.currentIndexChanged.connect(self._apply_filter)
        self.owner_combo.currentIndexChanged.connect(self._apply_filter)
        RowOpener(self.table, lambda action: self.case_opened.emit(action.case_id))

    def reload(self) -> None:
        today = self._ctx.today()

        def load(_p: Progress) -> list[ActionRow]:
            with self._ctx.read_sessions() as s:
                return list_open_actions(s, as_of=today)

        # Loads may overlap (live refresh): only the newest one's result is shown.
        self._generation += 1
        generation = self._generation
        self._ctx.runner.submit(
            load,
            lambda rows: self._on_loaded(rows) if generation == self._generation else None,
            self._on_failed,
        )

    def _on_loaded(self, rows: list[ActionRow]) -> None:
        self._all = rows
        for combo, values, everyone in (
            (self.agency_combo, sorted({a.owner_agency_name for a in rows}), "All agencies"),
            (
                self.owner_combo,
                sorted({a.owner_person_name for a in rows if a.owner_person_name}),
                "Everyone",
            ),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everyone, None)
            for value in values:
                combo.addItem(value, value)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)
        self._apply_filter()

    def _apply_filter(self, *_args: object) -> None:
        agency, owner = self.agency_combo.currentData(), self.owner_combo.currentData()
        rows = [
            a
            for a in self._all
            if (agency is None or a.owner_agency_name == agency)
            and (owner is None or a.owner_person_name == owner)
        ]
        self.model.set_rows(rows)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        overdue = sum(1 for a in rows if a.overdue)
        self.status_label.setText(
            f"{len(rows)} open actions, {overdue} overdue" if self._all else "No open actions."
        )

    def _on_failed(self, exc: Exception) -> None:
        self.status_label.setText("The actions could not be loaded.")
        messages.show_error(self, "Actions", exc)

    def focus_first(self) -> None:
        """Ctrl+3: the focus on the selected action (Enter opens its case)."""
        focus_rows(self.table, self.agency_combo)

    def save_state(self) -> None:
        ui_state.save_header(self.table.horizontalHeader(), "actions")
