"""Two read-only tabs of the case record: the case events between meetings (returns to custody,
breaches, orders, serious further offences, reviews, exit) and the chronology (every recorded
event in date order, filtered by kind and dates, exported as PDF or CSV). Each loads its own
data in the task runner when the record loads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.services import chronology, csv_files
from mappa_desktop.services.case_events import CaseEventRow, list_case_events
from mappa_desktop.services.chronology import Chronology, ChronologyEntry, EntryKind
from ui import messages
from ui.context import AppContext
from ui.models.dto_table import Column, DtoTableModel, size_columns
from ui.tasks import Progress
from ui.views.record.common import DateField, FieldError, fmt_date, heading, make_table
from ui.views.record.history_tabs import ListTab
from ui.widgets.files import ask_save_file

EVENT_COLUMNS: list[Column[CaseEventRow]] = [
    Column("Date", lambda e: fmt_date(e.event_date), sort_key=lambda e: e.event_date),
    Column("Event", lambda e: e.label),
    Column("Source", lambda e: e.source + (f" ({e.source_agency})" if e.source_agency else "")),
    Column("Detail", lambda e: e.detail.replace("\n", " "), tooltip=lambda e: e.detail),
    Column("Restricted", lambda e: "yes" if e.restricted else ""),
    Column("Recorded by", lambda e: e.recorded_by or "—"),
]
CHRONOLOGY_COLUMNS: list[Column[ChronologyEntry]] = [
    Column("Date", lambda e: fmt_date(e.on), sort_key=lambda e: e.on),
    Column("Kind", lambda e: e.kind.label),
    Column("Entry", lambda e: ("[Withheld] " if e.withheld else "") + e.title),
    Column("Detail", lambda e: e.detail.replace("\n", " "), tooltip=lambda e: e.detail),
    Column("Who", lambda e: e.who or "—"),
]
EXPORTS = (".pdf", ".csv")


def chronology_bytes(result: Chronology, suffix: str) -> bytes:
    if suffix == ".pdf":
        from reports.chronology_pdf import render_chronology_pdf

        return render_chronology_pdf(result)
    return chronology.chronology_csv_bytes(result)


class CaseEventsTab(ListTab):
    def __init__(self, ctx: AppContext, case_id: int) -> None:
        super().__init__(
            "Case events between meetings",
            "No case events are recorded for this case.",
            "Case events",
        )
        self._ctx = ctx
        self._case_id = case_id
        self.model: DtoTableModel[CaseEventRow] = DtoTableModel(EVENT_COLUMNS)
        self.table.setModel(self.model)
        size_columns(self.table, (12, 36, 30, 50, 10, 20), stretch=3)

    def reload(self) -> None:
        ctx, case_id = self._ctx, self._case_id

        def load(_p: Progress) -> list[CaseEventRow]:
            with ctx.read_sessions() as s:
                return list_case_events(s, case_id)

        ctx.runner.submit(load, self._on_loaded, self._on_failed)

    def _on_loaded(self, rows: list[CaseEventRow]) -> None:
        self.model.set_rows(rows)
        self.show_count(len(rows), "event")

    def _on_failed(self, exc: Exception) -> None:
        messages.show_error(self, "Case events", exc)


class ChronologyTab(QWidget):
    """Filters, the date-ordered table and the exports; the reader is the signed-in user."""

    def __init__(self, ctx: AppContext, case_id: int) -> None:
        super().__init__()
        self._ctx = ctx
        self._case_id = case_id
        self.result: Chronology | None = None
        self._dialog: QFileDialog | None = None
        self.title_label = heading("Chronology")
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Kind of entry")
        self.kind_combo.addItem("All kinds", None)
        for kind in EntryKind:
            self.kind_combo.addItem(kind.label, kind.value)
        kind_label = QLabel("Kind:")
        kind_label.setBuddy(self.kind_combo)
        self.from_edit = DateField("From date")
        from_label = QLabel("From:")
        from_label.setBuddy(self.from_edit)
        self.to_edit = DateField("To date")
        to_label = QLabel("To:")
        to_label.setBuddy(self.to_edit)
        self.apply_button = QPushButton("Apply filter")
        self.pdf_button = QPushButton("Export PDF…")
        self.csv_button = QPushButton("Export CSV…")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Export progress")
        self.progress.setMaximumWidth(120)
        self.progress.setVisible(False)
        self.error = FieldError("Chronology filter")
        self.table = make_table("Chronology")
        self.title_label.setBuddy(self.table)
        self.model: DtoTableModel[ChronologyEntry] = DtoTableModel(CHRONOLOGY_COLUMNS)
        self.table.setModel(self.model)
        size_columns(self.table, (12, 18, 40, 60, 30), stretch=3)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Number of chronology entries")
        # The exports beside the title, the filters under it: one row would be wider than a
        # 1024-pixel screen.
        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label)
        title_row.addStretch(1)
        title_row.addWidget(self.pdf_button)
        title_row.addWidget(self.csv_button)
        title_row.addWidget(self.progress)
        bar = QHBoxLayout()
        for widget in (kind_label, self.kind_combo, from_label, self.from_edit, to_label):
            bar.addWidget(widget)
        bar.addWidget(self.to_edit)
        bar.addWidget(self.apply_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        self.apply_button.clicked.connect(self.reload)
        self.kind_combo.currentIndexChanged.connect(self.reload)
        self.from_edit.returnPressed.connect(self.reload)
        self.to_edit.returnPressed.connect(self.reload)
        self.pdf_button.clicked.connect(lambda: self.ask_export(".pdf"))
        self.csv_button.clicked.connect(lambda: self.ask_export(".csv"))

    def _filters(self) -> tuple[frozenset[EntryKind] | None, date | None, date | None] | None:
        for edit, what in ((self.from_edit, "start date"), (self.to_edit, "end date")):
            problem = edit.problem(what)
            if problem:
                self.error.show_message(problem)
                edit.setFocus(Qt.FocusReason.OtherFocusReason)
                return None
        value = self.kind_combo.currentData()
        kinds = frozenset({EntryKind(value)}) if value else None
        return kinds, self.from_edit.date_value(), self.to_edit.date_value()

    def reload(self, *_args: object) -> None:
        filters = self._filters()
        if filters is None:
            return
        self.error.clear_message()
        kinds, date_from, date_to = filters
        ctx, case_id = self._ctx, self._case_id

        def load(_p: Progress) -> Chronology:
            with ctx.read_sessions() as s:
                return chronology.case_chronology(
                    s, case_id, ctx.actor, kinds=kinds, date_from=date_from, date_to=date_to
                )

        ctx.runner.submit(load, self._on_loaded, self._on_failed)

    def _on_loaded(self, result: Chronology) -> None:
        self.result = result
        self.model.set_rows(result.entries)
        withheld = f", {result.withheld_count} withheld" if result.withheld_count else ""
        self.count_label.setText(f"{len(result.entries)} entries{withheld}")

    def _on_failed(self, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            self.error.show_message(messages.describe(exc))
        else:
            messages.show_error(self, "Chronology", exc)

    def ask_export(self, suffix: str) -> None:
        if self.result is None:
            return
        name = f"Chronology case {self._case_id}{suffix}"
        self._dialog = ask_save_file(
            self, "Export the chronology", Path.home() / name, lambda path: self.export_to(path)
        )

    def export_to(self, path: Path, on_done: Callable[[bool], None] | None = None) -> None:
        """Write the chronology shown (with its filters) to ``path`` (.pdf or .csv)."""
        result, suffix = self.result, path.suffix.lower()
        if result is None or suffix not in EXPORTS:
            return

        def work(progress: Progress) -> Path:
            progress(0, 2)
            data = chronology_bytes(result, suffix)
            progress(1, 2)
            csv_files.write_file(path, data)
            progress(2, 2)
            return path

        buttons = (self.pdf_button, self.csv_button)
        for button in buttons:
            button.setEnabled(False)
        self.progress.setRange(0, 2)
        self.progress.setVisible(True)

        def done(ok: bool, exc: Exception | None = None) -> None:
            for button in buttons:
                button.setEnabled(True)
            self.progress.setVisible(False)
            if exc is not None:
                messages.show_error(self, "Export", exc)
            else:
                self.count_label.setText(f"{self.count_label.text()} - exported to {path}")
            if on_done is not None:
                on_done(ok)

        self._ctx.runner.submit(
            work,
            lambda _p: done(True),
            lambda exc: done(False, exc),
            lambda d, _t: self.progress.setValue(d),
        )
