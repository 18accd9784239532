"""Someone else saved first: show their saved values next to yours and let the person choose.

Nothing is overwritten here. "Reload theirs" drops your edits; "Keep mine and reapply" puts your
edits back on top of their version so you can check them and save again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.forms import style
from ui.forms.style import Tone
from ui.models.dto_table import Column, DtoTableModel
from ui.views.record.common import make_table


@dataclass(frozen=True, slots=True)
class ConflictRow:
    field: str  # the label shown to the person
    theirs: str
    mine: str
    changed_by_me: bool
    changed_by_them: bool

    @property
    def clash(self) -> bool:
        return self.changed_by_me and self.changed_by_them and self.theirs != self.mine


def _note(row: ConflictRow) -> str:
    if row.clash:
        return "Both changed: choose"
    if row.changed_by_me and row.theirs == row.mine:
        return "Same change"
    if row.changed_by_me:
        return "Your change"
    return "Their change"


COLUMNS: list[Column[ConflictRow]] = [
    Column("Field", lambda r: r.field),
    Column("Their saved value", lambda r: r.theirs or "—", tooltip=lambda r: r.theirs or None),
    Column("Your value", lambda r: r.mine or "—", tooltip=lambda r: r.mine or None),
    Column("Who changed it", _note),
]


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
        intro = QLabel(
            f"While you were editing, {who_when} saved a change to the {what.lower()}. "
            "Nothing has been overwritten. Compare their saved values with yours, then choose."
        )
        intro.setWordWrap(True)
        self.model: DtoTableModel[ConflictRow] = DtoTableModel(
            COLUMNS, highlight=lambda r: style.brush(Tone.ERROR) if r.clash else None
        )
        self.model.set_rows(self.rows)
        self.table = make_table("Their saved values and yours, side by side")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        intro.setBuddy(self.table)
        self.reload_button = QPushButton("&Reload theirs")
        self.reload_button.setAccessibleName("Reload theirs")
        self.reload_button.setToolTip("Drop your edits and show the version they saved.")
        self.keep_button = QPushButton("&Keep mine and reapply")
        self.keep_button.setAccessibleName("Keep mine and reapply")
        self.keep_button.setToolTip(
            "Start from their saved version and put your edits back on top; "
            "check them, then save again."
        )
        buttons = QDialogButtonBox()
        buttons.addButton(self.reload_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.ApplyRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        self.reload_button.clicked.connect(self._on_reload_clicked)
        self.keep_button.clicked.connect(self._on_keep_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        width = self.fontMetrics().averageCharWidth() * 110
        self.resize(width, self.fontMetrics().lineSpacing() * (8 + 2 * len(self.rows)))

    def _on_reload_clicked(self) -> None:
        self.accept()
        self.reload_theirs.emit()

    def _on_keep_clicked(self) -> None:
        self.accept()
        self.keep_mine.emit()
