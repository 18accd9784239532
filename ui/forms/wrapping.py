"""A check box whose text wraps onto more lines when the window is narrow. A plain QCheckBox is
as wide as its whole text on one line: one long criterion made the case record and the meeting
wider than a 1024-pixel screen (issue 12 §2)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QCheckBox, QSizePolicy, QStyle, QStyleOptionButton, QWidget

_FLAGS = Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextShowMnemonic
_NARROWEST_CHARACTERS = 28  # below this a criterion reads badly; the layout scrolls instead


class WrappingCheckBox(QCheckBox):
    """A QCheckBox (keyboard, mnemonic, accessible name and checked state as usual) that draws
    its text word-wrapped beside the indicator, and asks for height as its width shrinks."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    # ----- geometry --------------------------------------------------------------------------
    def _option(self) -> QStyleOptionButton:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        return option

    def _indent(self) -> int:
        """The indicator and the gap after it."""
        style = self.style()
        option = self._option()
        return style.pixelMetric(
            QStyle.PixelMetric.PM_IndicatorWidth, option, self
        ) + style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing, option, self)

    def _text_rect(self, width: int) -> QRect:
        room = QRect(0, 0, max(width - self._indent() - 4, 1), 100_000)
        return self.fontMetrics().boundingRect(room, int(_FLAGS), self.text())

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        indicator = self.style().pixelMetric(
            QStyle.PixelMetric.PM_IndicatorHeight, self._option(), self
        )
        return max(indicator, self._text_rect(width).height()) + 4

    def sizeHint(self) -> QSize:  # noqa: N802
        width = self._indent() + self.fontMetrics().horizontalAdvance(self.text()) + 6
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        narrowest = self.fontMetrics().averageCharWidth() * _NARROWEST_CHARACTERS
        width = self._indent() + min(narrowest, self.sizeHint().width())
        return QSize(width, self.heightForWidth(self.sizeHint().width()))

    def hitButton(self, pos: object) -> bool:  # noqa: N802
        return self.rect().contains(pos)  # type: ignore[call-overload, no-any-return]

    # ----- painting ----------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        style = self.style()
        option = self._option()
        indicator = style.subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, self)
        indicator.moveTop(2)
        option.rect = indicator
        style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorCheckBox, option, painter, self)
        text = QRect(self._indent(), 2, self.width() - self._indent(), self.height() - 2)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(text, int(_FLAGS | Qt.AlignmentFlag.AlignLeft), self.text())
        if self.hasFocus():
            focus = QStyleOptionButton()
            focus.initFrom(self)
            focus.rect = (
                self._text_rect(self.width()).translated(self._indent(), 2).adjusted(-2, -1, 2, 1)
            )
            style.drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, focus, painter, self)
