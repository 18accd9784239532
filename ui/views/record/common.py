"""Small building blocks shared by the case-record tabs: the save bar that says why it is
disabled, form rows with label buddies, and mnemonic assignment (the field error and the date
field are the toolkit's, ``ui/forms``, re-exported here)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.services.actor import WRITER_ROLES, Actor
from ui.forms.date_field import DateField as DateField  # re-exported: the one date input
from ui.forms.dates import fmt_date as fmt_date  # re-exported: the screens' one date format
from ui.forms.field_error import FieldError as FieldError  # re-exported: the one error line
from ui.forms.field_error import field_cell as field_cell
from ui.forms.text_box import TextBox as TextBox  # re-exported: the one multi-line box
from ui.widgets.tables import row_table

# Alt+letter keys the main window already uses (its tabs &Cases, &Meetings, &Actions and its
# menus &File, &Edit, &View, &Help): a label here must not take them.
MAIN_WINDOW_KEYS = "cmafevh"

READ_ONLY_REASON = "You have read-only access: ask a co-ordinator to make this change."


def can_write(actor: Actor) -> bool:
    return actor.has(*WRITER_ROLES)


def text_box(accessible_name: str, lines: int = 3) -> TextBox:
    return TextBox(accessible_name, lines)


class FormErrors:
    """Maps the service's error keys (``family_name``, ``identifiers.pnc``, ``aliases.0``,
    ``ratings.community.children``) to the widget and the error line under it."""

    def __init__(self) -> None:
        self._fields: dict[str, tuple[QWidget, FieldError]] = {}

    def register(self, key: str, widget: QWidget, error: FieldError) -> None:
        self._fields[key] = (widget, error)

    def unregister_prefix(self, prefix: str) -> None:
        for key in [k for k in self._fields if k.startswith(prefix)]:
            del self._fields[key]

    def error_for(self, key: str) -> FieldError | None:
        found = self._fields.get(key)
        return found[1] if found else None

    def _match(self, key: str) -> str | None:
        parts = key.split(".")
        while parts:
            candidate = ".".join(parts)
            if candidate in self._fields:
                return candidate
            parts.pop()
        return None

    def clear(self) -> None:
        for widget, error in self._fields.values():
            error.clear_message()
            widget.setAccessibleDescription("")

    def show(self, errors: Mapping[str, str]) -> dict[str, str]:
        """Show each error under its field; returns the ones no field claims. Focuses the first
        field with an error."""
        self.clear()
        unclaimed: dict[str, str] = {}
        first: QWidget | None = None
        for key, message in errors.items():
            match = self._match(key)
            if match is None:
                unclaimed[key] = message
                continue
            widget, error = self._fields[match]
            previous = error.message
            error.show_message(f"{previous} {message}".strip() if previous else message)
            widget.setAccessibleDescription(message)
            if first is None:
                first = widget
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return unclaimed

    def set_one(self, key: str, message: str | None) -> None:
        found = self._fields.get(key)
        if found is None:
            return
        widget, error = found
        if message:
            error.show_message(message)
            widget.setAccessibleDescription(message)
        else:
            error.clear_message()
            widget.setAccessibleDescription("")


def add_row(
    form: QFormLayout,
    text: str,
    widget: QWidget,
    errors: FormErrors | None = None,
    key: str | None = None,
) -> QLabel:
    """A labelled row: the label is the widget's buddy; an error line sits under the widget."""
    label = QLabel(text)
    label.setBuddy(widget)
    if not widget.accessibleName():
        widget.setAccessibleName(text.rstrip(":").replace("&", ""))
    if errors is not None and key is not None:
        error = FieldError(widget.accessibleName())
        errors.register(key, widget, error)
        form.addRow(label, field_cell(widget, error))
    else:
        form.addRow(label, widget)
    return label


def new_form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return form


class SaveBar(QWidget):
    """The Save button and, next to it, the line that says why it cannot be pressed yet."""

    save_clicked = Signal()

    def __init__(self, save_text: str, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.reason_label.setAccessibleName(f"Why “{accessible_name}” is not available")
        self.reason_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Save status")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setVisible(False)
        self.error_label = FieldError(accessible_name)
        self.save_button = QPushButton(save_text)
        self.save_button.setAccessibleName(accessible_name)
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_clicked.emit)
        self._extra = QHBoxLayout()
        row = QHBoxLayout()
        row.addLayout(self._extra)
        row.addWidget(self.reason_label, 1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addLayout(row)
        self._busy = False
        self._reasons: list[str] = []

    def add_button(self, button: QAbstractButton) -> None:
        """An extra button left of the reason line (Tab reaches it before Save, as it reads)."""
        self._extra.addWidget(button)
        QWidget.setTabOrder(button, self.save_button)

    def set_reasons(self, reasons: Iterable[str]) -> None:
        self._reasons = list(reasons)
        self._refresh()

    def set_busy(self, busy: bool, text: str = "Saving…") -> None:
        self._busy = busy
        if busy:
            self.show_status(text)
        self._refresh()

    def show_status(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    @property
    def reason(self) -> str:
        return self._reasons[0] if self._reasons else ""

    def _refresh(self) -> None:
        enabled = not self._busy and not self._reasons
        self.save_button.setEnabled(enabled)
        if self._reasons:
            shown = self._reasons[:3]
            more = len(self._reasons) - len(shown)
            self.reason_label.setText(
                "\n".join(shown) + (f"\n…and {more} more (see the tooltip)." if more else "")
            )
            self.save_button.setToolTip("\n".join(self._reasons))
            self.save_button.setAccessibleDescription(self._reasons[0])
        else:
            self.reason_label.setText("")
            self.save_button.setToolTip("")
            self.save_button.setAccessibleDescription("")


def make_table(accessible_name: str, *, stretch_last: bool = True) -> QTableView:
    table = row_table(accessible_name)
    table.setAlternatingRowColors(True)
    table.setWordWrap(True)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(stretch_last)
    table.horizontalHeader().setDefaultAlignment(
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    )
    return table


def heading(text: str) -> QLabel:
    """A bold label (relative to the user's font, never a fixed size)."""
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


# --- mnemonics -----------------------------------------------------------------------------------


def _strip(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&&")


def _candidates(text: str) -> list[int]:
    """Positions to try for a mnemonic: word initials first, then every other letter."""
    initials = [
        i for i, ch in enumerate(text) if ch.isalnum() and (i == 0 or text[i - 1] in " -/(")
    ]
    others = [i for i, ch in enumerate(text) if ch.isalnum() and i not in initials]
    return [i for i in initials + others if text[i].isascii()]


def mnemonic_text(text: str, used: set[str], reserved: str) -> str:
    """``text`` with an ``&`` before a letter not in ``used`` or ``reserved`` (adds it to
    ``used``), or with none when every letter of it is taken: a key is never shared (Qt would
    cycle between the controls that share it), and a control without one is still reached by
    Tab."""
    plain = _strip(text)
    for i in _candidates(plain):
        letter = plain[i].lower()
        if letter not in reserved and letter not in used:
            used.add(letter)
            return plain[:i] + "&" + plain[i:]
    return plain


def assign_mnemonics(widgets: Iterable[QLabel | QAbstractButton], reserved: str) -> None:
    """Give each label (with a buddy) and button a key of its own while letters last, in the
    order given (reading order, so the first and most-used fields keep theirs); the rest get
    none."""
    used: set[str] = set()
    for widget in widgets:
        if isinstance(widget, QLabel) and widget.buddy() is None:
            continue
        widget.setText(mnemonic_text(widget.text(), used, reserved))


def mnemonic_widgets(root: QWidget) -> list[QLabel | QAbstractButton]:
    """Labels with buddies and buttons under ``root``, in creation order."""
    out: list[QLabel | QAbstractButton] = []
    for child in root.findChildren(QWidget):
        labelled = isinstance(child, QLabel) and child.buddy() is not None
        if labelled or (isinstance(child, QAbstractButton) and child.text()):
            out.append(child)  # type: ignore[arg-type]
    return out


def mnemonic_of(text: str) -> str | None:
    m = re.search(r"(?<!&)&([^&])", text)
    return m[1].lower() if m else None
