"""Someone else saved first: show their saved values next to yours and let the person choose.

Nothing is overwritten here. "Reload theirs" drops your edits; "Keep mine and reapply" puts your
edits back on top of their version so you can check them and save again. The comparison is the
shared ``ui.forms.conflict.ConflictView`` (the meeting's autosaved texts use it too); this dialog
adds the title, the sentence naming who saved, and Cancel.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout, QWidget

from ui.forms.conflict import Choice, ConflictRow, ConflictView

__all__ = ["ConflictDialog", "ConflictRow"]

KEEP = Choice(
    "&Keep mine and reapply",
    "Start from their saved version and put your edits back on top; check them, then save again.",
)
RELOAD = Choice("&Reload theirs", "Drop your edits and show the version they saved.")


class ConflictDialog(QDialog):
    reload_theirs = Signal()
    keep_mine = Signal()

    def __init__(
        self,
        what: str,
        who_when: str,
        rows: Sequence[ConflictRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setWindowTitle(f"{what}: someone else saved first")
        self.rows = list(rows)
        self.view = ConflictView(
            f"While you were editing, {who_when} saved a change to the {what.lower()}. "
            "Nothing has been overwritten. Compare their saved values with yours, then choose.",
            keep=KEEP,
            theirs=RELOAD,
            boxed=False,
        )
        self.view.show_rows(self.rows)
        self.model = self.view.model
        self.table = self.view.table
        self.keep_button = self.view.keep_button
        self.reload_button = self.view.theirs_button
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.view.button_row.addWidget(self.cancel_button)
        self.view.use_theirs.connect(self._on_reload_clicked)
        self.view.keep_mine.connect(self._on_keep_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        width = self.fontMetrics().averageCharWidth() * 110
        self.resize(width, self.fontMetrics().lineSpacing() * (8 + 2 * len(self.rows)))

    def _on_reload_clicked(self) -> None:
        self.accept()
        self.reload_theirs.emit()

    def _on_keep_clicked(self) -> None:
        self.accept()
        self.keep_mine.emit()
