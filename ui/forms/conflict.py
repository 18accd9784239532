"""Someone else saved first: their saved values next to yours, and the two ways out.

One view for every screen (the case record's details dialog, the meeting's autosaved texts), so a
conflict always looks and reads the same. Nothing is overwritten here: the view only shows and
emits ``keep_mine`` or ``use_theirs``; the screen's controller does the rest (the record puts the
edits back for checking, the meeting's autosave saves them at once), and says so in the button's
words and tooltip.

Two ways to show what clashed: ``show_texts`` for one free text (two read-only boxes side by side),
``show_rows`` for a form of several fields (a table, one row per field that either side changed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.forms import style
from ui.forms.style import Tone
from ui.models.dto_table import Column, DtoTableModel
from ui.widgets.tables import row_table


@dataclass(frozen=True, slots=True)
class ConflictRow:
    """One field of a form, as both sides left it."""

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


@dataclass(frozen=True, slots=True)
class Choice:
    """A button's words (with its mnemonic) and what it does, for the tooltip."""

    text: str
    tooltip: str = ""


def _button(choice: Choice) -> QPushButton:
    button = QPushButton(choice.text)
    button.setAccessibleName(choice.text.replace("&", ""))
    if choice.tooltip:
        button.setToolTip(choice.tooltip)
    return button


def _comparison_table() -> QTableView:
    table = row_table("Their saved values and yours, side by side")
    table.setAlternatingRowColors(True)
    table.setWordWrap(True)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


class ConflictView(QFrame):
    """Their saved values next to yours, keep mine / use theirs. Hidden until a show_ call.

    ``boxed``: a tinted error panel (inside a page); a dialog that is itself the alert passes
    False. The object name is set before the tint, which is scoped to it."""

    keep_mine = Signal()
    use_theirs = Signal()

    def __init__(
        self,
        message: str,
        *,
        keep: Choice,
        theirs: Choice,
        object_name: str = "conflictView",
        boxed: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        if boxed:
            self.setFrameShape(QFrame.Shape.StyledPanel)
            style.set_box(self, Tone.ERROR)
        self.message = QLabel(message)
        self.message.setWordWrap(True)
        # one free text
        self.theirs = QPlainTextEdit()
        self.theirs.setReadOnly(True)
        self.theirs.setAccessibleName("Their saved text")
        self.mine = QPlainTextEdit()
        self.mine.setReadOnly(True)
        self.mine.setAccessibleName("Your text")
        self.texts = QWidget()
        texts = QHBoxLayout(self.texts)
        texts.setContentsMargins(0, 0, 0, 0)
        for caption, box in (("Saved by someone else:", self.theirs), ("Yours:", self.mine)):
            box.setMaximumHeight(90)
            column = QVBoxLayout()
            column.addWidget(QLabel(caption))
            column.addWidget(box)
            texts.addLayout(column)
        # a form of fields
        self.model: DtoTableModel[ConflictRow] = DtoTableModel(
            COLUMNS, highlight=lambda r: style.brush(Tone.ERROR) if r.clash else None
        )
        self.table = _comparison_table()
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        for column_at, mode in enumerate(
            (
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.ResizeToContents,
            )
        ):
            header.setSectionResizeMode(column_at, mode)
        # the ways out
        self.keep_button = _button(keep)
        self.theirs_button = _button(theirs)
        self.keep_button.clicked.connect(self.keep_mine.emit)
        self.theirs_button.clicked.connect(self.use_theirs.emit)
        self.button_row = QHBoxLayout()  # a dialog adds its Cancel here
        self.button_row.addWidget(self.keep_button)
        self.button_row.addWidget(self.theirs_button)
        self.button_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.texts)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.button_row)
        self.texts.setVisible(False)
        self.table.setVisible(False)
        self.setVisible(False)

    def show_texts(self, theirs: str, mine: str) -> None:
        """One free text: both versions in full, side by side."""
        self.theirs.setPlainText(theirs)
        self.mine.setPlainText(mine)
        self.table.setVisible(False)
        self.texts.setVisible(True)
        self.setVisible(True)

    def show_rows(self, rows: Sequence[ConflictRow]) -> None:
        """A form: one row per field either side changed, clashes in the error tone."""
        self.model.set_rows(rows)
        self.message.setBuddy(self.table)
        self.texts.setVisible(False)
        self.table.setVisible(True)
        self.setVisible(True)
