"""An editor for a case's aliases and nicknames: one row per name, each with its kind."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import AliasKind
from ui.views.record.common import FieldError, FormErrors

ALIAS_KIND_LABELS = {
    AliasKind.ALIAS: "Alias",
    AliasKind.NICKNAME: "Nickname",
    AliasKind.PREVIOUS_NAME: "Previous name",
}


class AliasRowWidgets:
    def __init__(self, number: int) -> None:
        self.label = QLabel(f"Name {number}:")
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(f"Alias {number} name")
        self.name_edit.setMaxLength(200)
        self.label.setBuddy(self.name_edit)
        self.kind_label = QLabel("Kind:")
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName(f"Alias {number} kind")
        for kind, text in ALIAS_KIND_LABELS.items():
            self.kind_combo.addItem(text, kind.value)
        self.kind_label.setBuddy(self.kind_combo)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName(f"Remove alias {number}")
        self.error = FieldError(f"Alias {number}")

    def widgets(self) -> list[QWidget]:
        return [self.label, self.name_edit, self.kind_label, self.kind_combo, self.remove_button]

    def value(self) -> tuple[str, str]:
        return (self.name_edit.text().strip(), str(self.kind_combo.currentData()))


class AliasEditor(QWidget):
    changed = Signal()
    rows_changed = Signal()  # rows added or removed (labels need new mnemonics)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AliasRowWidgets] = []
        self.chain_after: QWidget | None = None
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(1, 1)
        self.empty_label = QLabel("No aliases or nicknames recorded.")
        self.add_button = QPushButton("Add alias or nickname")
        self.add_button.setAccessibleName("Add alias or nickname")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.error = FieldError("Aliases")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_label)
        layout.addLayout(self._grid)
        layout.addWidget(self.error)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    # ----- values ------------------------------------------------------------------------------
    def set_aliases(self, aliases: Sequence[tuple[str, str]]) -> None:
        for row in self._rows:
            for widget in (*row.widgets(), row.error):
                self._grid.removeWidget(widget)
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        self._rows = []
        for name, kind in aliases:
            row = self._append_row()
            row.name_edit.setText(name)
            row.kind_combo.setCurrentIndex(max(row.kind_combo.findData(kind), 0))
        self._relayout()

    def aliases(self) -> list[tuple[str, str]]:
        """The names typed (blank rows are left out), in row order."""
        return [row.value() for row in self._rows if row.value()[0]]

    def register_errors(self, errors: FormErrors) -> None:
        """Map ``aliases.<n>`` (n counts the non-blank rows, as ``aliases()`` does)."""
        errors.unregister_prefix("aliases")
        errors.register("aliases", self.add_button, self.error)
        n = 0
        for row in self._rows:
            if row.value()[0]:
                errors.register(f"aliases.{n}", row.name_edit, row.error)
                n += 1

    @property
    def row_widgets(self) -> list[AliasRowWidgets]:
        return list(self._rows)

    # ----- rows ---------------------------------------------------------------------------------
    def _append_row(self) -> AliasRowWidgets:
        row = AliasRowWidgets(len(self._rows) + 1)
        row.name_edit.textChanged.connect(self._on_row_edited)
        row.kind_combo.currentIndexChanged.connect(self._on_row_edited)
        row.remove_button.clicked.connect(lambda _c=False, r=row: self._remove(r))
        self._rows.append(row)
        return row

    def _on_row_edited(self, *_args: object) -> None:
        self.changed.emit()

    def _on_add_clicked(self) -> None:
        row = self._append_row()
        self._relayout()
        row.name_edit.setFocus()
        self.changed.emit()

    def _remove(self, row: AliasRowWidgets) -> None:
        index = self._rows.index(row)
        values = [r.value() for r in self._rows]
        del values[index]
        self.set_aliases(values)
        if self._rows:
            self._rows[min(index, len(self._rows) - 1)].name_edit.setFocus()
        else:
            self.add_button.setFocus()
        self.changed.emit()

    def _relayout(self) -> None:
        for number, row in enumerate(self._rows):
            r = number * 2
            for column, widget in enumerate(row.widgets()):
                self._grid.addWidget(widget, r, column)
                widget.show()  # now, not when the event loop next turns: it may take focus
            self._grid.addWidget(row.error, r + 1, 1, 1, 4)
            row.name_edit.setAccessibleName(f"Alias {number + 1} name")
            row.kind_combo.setAccessibleName(f"Alias {number + 1} kind")
            row.remove_button.setAccessibleName(f"Remove alias {number + 1}")
            row.label.setText(f"Name {number + 1}:")
        self.empty_label.setVisible(not self._rows)
        # Tab order: after ``chain_after`` (the field before the editor), each row left to
        # right, then the Add button (new rows would otherwise join the end of the window).
        previous: QWidget | None = self.chain_after
        for row in self._rows:
            for widget in (row.name_edit, row.kind_combo, row.remove_button):
                if previous is not None:
                    QWidget.setTabOrder(previous, widget)
                previous = widget
        if previous is not None:
            QWidget.setTabOrder(previous, self.add_button)
        self.rows_changed.emit()
