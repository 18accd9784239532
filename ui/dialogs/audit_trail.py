"""The audit trail of one meeting (or one case) in its own window, exportable as CSV."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.services import audit, audit_export
from mappa_desktop.services.audit import AuditRow
from ui import messages
from ui.context import AppContext
from ui.models.dto_table import DtoTableModel
from ui.tasks import Progress
from ui.views.record.history_tabs import AUDIT_COLUMNS, AuditLine, audit_lines


class AuditTrailWindow(QDialog):
    """Who changed what, when, old -> new; "Export CSV…" writes the same for an inspection."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        title: str,
        case_id: int | None = None,
        meeting_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._case_id = case_id
        self._meeting_id = meeting_id
        self.setWindowTitle(f"Audit trail — {title}")
        self.resize(1100, 600)
        self.summary = QLabel("Loading the audit trail…")
        self.model: DtoTableModel[AuditLine] = DtoTableModel(AUDIT_COLUMNS)
        self.table = QTableView()
        self.table.setAccessibleName("Audit trail")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in range(5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.setEnabled(False)
        close = QPushButton("&Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.reload()

    def reload(self) -> None:
        case_id, meeting_id = self._case_id, self._meeting_id

        def load(_p: Progress) -> list[AuditRow]:
            with self._ctx.read_sessions() as s:
                return audit.list_events(s, case_id=case_id, meeting_id=meeting_id)

        self._ctx.runner.submit(load, self._on_loaded, self._on_failed)

    def _on_loaded(self, events: list[AuditRow]) -> None:
        self.model.set_rows(audit_lines(events))
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # newest first, shown as such
        self.summary.setText(
            f"{len(events)} recorded changes, newest first." if events else "No changes recorded."
        )
        self.export_button.setEnabled(bool(events))

    def _on_failed(self, exc: Exception) -> None:
        self.summary.setText("The audit trail could not be loaded.")
        messages.show_error(self, "Audit trail", exc)

    def _on_export_clicked(self) -> None:
        dialog = QFileDialog(self, "Export the audit trail as CSV")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("CSV files (*.csv)")
        dialog.setDefaultSuffix("csv")
        dialog.fileSelected.connect(lambda name: self.export_to(Path(name)))
        dialog.open()

    def export_to(self, path: Path) -> None:
        """Write the CSV in the background (atomically: a complete file or none)."""
        case_id, meeting_id = self._case_id, self._meeting_id
        self.export_button.setEnabled(False)

        def work(_p: Progress) -> int:
            with self._ctx.read_sessions() as s:
                return audit_export.export_csv(s, path, case_id=case_id, meeting_id=meeting_id)

        def done(count: int) -> None:
            self.export_button.setEnabled(True)
            self.summary.setText(f"Exported {count} rows to {path}.")

        def failed(exc: Exception) -> None:
            self.export_button.setEnabled(True)
            messages.show_error(self, "Export", exc)

        self._ctx.runner.submit(work, done, failed)
