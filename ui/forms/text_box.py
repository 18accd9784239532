"""The multi-line text box of both screens (the record's narratives, the meeting's risk update)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QPlainTextEdit


class TextBox(QPlainTextEdit):
    """A multi-line box sized for ``lines`` lines (it may grow), where Tab moves on: keyboard
    users would otherwise be trapped in it."""

    def __init__(self, accessible_name: str, lines: int = 3) -> None:
        super().__init__()
        self.lines = lines
        self.setAccessibleName(accessible_name)
        self.setTabChangesFocus(True)
        self.setMinimumHeight(self._height(min(lines, 2)))

    def _height(self, lines: int) -> int:
        margins = self.contentsMargins()
        doc_margin = int(self.document().documentMargin() * 2)
        return (
            self.fontMetrics().lineSpacing() * lines
            + doc_margin
            + margins.top()
            + margins.bottom()
            + 2 * self.frameWidth()
        )

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(super().sizeHint().width(), self._height(self.lines))
