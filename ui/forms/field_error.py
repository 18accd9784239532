"""The line that says what is wrong: under a field of the case record, or under a form of the
meeting. One widget for both screens, so an error looks and reads the same everywhere.

The "⚠" sign is drawn in the label's left margin, not written into its text: colour alone does
not tell a problem apart (WCAG 1.4.1), while ``text()`` stays the sentence itself, as the
services word it ("Arrived: …"), for anyone reading it back.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.forms import style
from ui.forms.style import Tone

SIGN = "⚠"


class FieldError(QLabel):
    """The error line for ``field_label`` (hidden while nothing is wrong). A screen reader hears
    it as "Problem with <field>", its description being the message."""

    def __init__(self, field_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setVisible(False)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName(f"Problem with {field_label.lower()}")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setContentsMargins(self.fontMetrics().horizontalAdvance(SIGN + " "), 0, 0, 0)
        style.set_tone(self, Tone.ERROR)

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(True)

    def clear_message(self) -> None:
        self.clear()
        self.setAccessibleDescription("")
        self.setVisible(False)

    def set_message(self, text: str) -> None:
        """Show ``text``, or hide the line when it is blank."""
        if text:
            self.show_message(text)
        else:
            self.clear_message()

    @property
    def message(self) -> str:
        return "" if self.isHidden() else self.accessibleDescription()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self.text():
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        margin = self.contentsMargins().left()
        painter.drawText(
            QRect(0, self.contentsRect().top(), margin, self.fontMetrics().lineSpacing()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            SIGN,
        )
        painter.end()


def field_cell(widget: QWidget, error: FieldError) -> QWidget:
    """The widget with its error line underneath, for the field column of a form."""
    cell = QWidget()
    box = QVBoxLayout(cell)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(2)
    box.addWidget(widget)
    box.addWidget(error)
    return cell
