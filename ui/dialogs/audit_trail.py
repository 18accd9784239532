"""The audit trail of one meeting (or one case) in its own window, exportable as CSV."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.services import audit, audit_export
from mappa_desktop.services.audit import AuditRow
from ui import messages
from ui.context import AppContext
from ui.forms.fit import resize_within_screen
from ui.tasks import Progress
from ui.views.record.history_tabs import AuditTab


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
        resize_within_screen(self, 1100, 600)
        self.summary = QLabel("Loading the audit trail…")
        self.trail = AuditTab("No changes have been recorded for this meeting.")
        self.table = self.trail.table
        self.model = self.trail.model
        self.table.setSortingEnabled(True)
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.setEnabled(False)
        close = QPushButton("&Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.trail, 1)
        layout.addLayout(buttons)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.reload()

    def reload(self) -> None:
        case_id, meeting_id = self._case_id, self._meeting_id

        def load(_p: Progress) -> list[AuditRow]:
            with self._ctx.read_sessions() as s:
                events = audit.list_events(s, case_id=case_id, meeting_id=meeting_id)
                return audit.readable_events(s, events)

        self._ctx.runner.submit(load, self._on_loaded, self._on_failed)

    def _on_loaded(self, events: list[AuditRow]) -> None:
        self.trail.set_events(events)
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
