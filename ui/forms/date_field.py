"""The one date INPUT field of both screens: a date typed as ``YYYY-MM-DD`` or ``DD/MM/YYYY``.

A line edit rather than a spin box: a person types the date they read off a letter, in either
order, without stepping through day, month and year sections; blank means "not known", and a
date that is not one (or is outside the field's range) is named in a sentence (``problem``) for
the field's ``FieldError``. The meeting limits some dates (information "as at" not after the
meeting): ``set_range`` keeps a date set by the program inside, and names one typed outside.
"""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_UK = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*$")
_FORMATS = "YYYY-MM-DD or DD/MM/YYYY"


def parse_date(text: str) -> dt.date | None:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY``; raises ValueError for anything else (blank -> None)."""
    if not text.strip():
        return None
    if m := _ISO.match(text):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := _UK.match(text):
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    raise ValueError(text)


class DateField(QLineEdit):
    """A date typed as YYYY-MM-DD or DD/MM/YYYY (the UK order); blank means "not known".

    ``changed`` is emitted on every edit (typed or set), for autosave and live checks."""

    changed = Signal()

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.minimum: dt.date | None = None
        self.maximum: dt.date | None = None
        self.setAccessibleName(accessible_name)
        self.setPlaceholderText(_FORMATS)
        self.setMaxLength(10)
        # Room for the formats hint where there is some, for a typed date where there is not
        # (a meeting row on a 1024-pixel screen): the hint is also in the problem sentence.
        metrics = self.fontMetrics()
        self.setMinimumWidth(metrics.horizontalAdvance("0000-00-00") + 24)
        self.setMaximumWidth(max(metrics.horizontalAdvance(_FORMATS) + 24, 200))
        self.textChanged.connect(self.changed)
        # Whoever has no error line of its own still hears and sees what is wrong on leaving.
        self.editingFinished.connect(self._describe_problem)

    def date(self) -> dt.date | None:
        """The date, or None when blank, not a date or outside the range (see ``problem``)."""
        value = self.date_value()
        return value if value is not None and self._in_range(value) else None

    def date_value(self) -> dt.date | None:
        """The typed date, or None when blank or not a valid date (see ``is_valid``)."""
        try:
            return parse_date(self.text())
        except ValueError:
            return None

    def is_valid(self) -> bool:
        try:
            parse_date(self.text())
        except ValueError:
            return False
        return True

    def set_date(self, value: dt.date | None) -> None:
        """Show ``value`` (None: blank), moved inside the range as a spin box would."""
        if value is not None:
            value = self._clamped(value)
        self.setText(value.isoformat() if value is not None else "")

    def set_range(self, minimum: dt.date | None = None, maximum: dt.date | None = None) -> None:
        """The first and last date allowed (None: no limit); the shown date moves inside."""
        self.minimum, self.maximum = minimum, maximum
        value = self.date_value()
        if value is not None and not self._in_range(value):
            self.set_date(value)

    def iso(self) -> str | None:
        """``date()`` as ``YYYY-MM-DD`` (None when there is none), for a draft."""
        value = self.date()
        return value.isoformat() if value is not None else None

    def problem(self, what: str | None = None, *, required: bool = False) -> str | None:
        """The sentence naming what is wrong with the typed date (None: nothing); ``what`` is
        the field's name in the sentence (default: its accessible name)."""
        what = what or self.accessibleName().lower()
        if required and not self.text().strip():
            return f"Type the {what} ({_FORMATS})."
        if not self.is_valid():
            typed = self.text().strip()
            return f"“{typed}” is not a date: type the {what} as {_FORMATS}."
        value = self.date_value()
        if value is None or self._in_range(value):
            return None
        limit = self._clamped(value)
        side = "before" if limit > value else "after"
        return f"The {what} cannot be {side} {limit.isoformat()}."

    def _in_range(self, value: dt.date) -> bool:
        return (self.minimum is None or value >= self.minimum) and (
            self.maximum is None or value <= self.maximum
        )

    def _clamped(self, value: dt.date) -> dt.date:
        if self.minimum is not None and value < self.minimum:
            return self.minimum
        if self.maximum is not None and value > self.maximum:
            return self.maximum
        return value

    def _describe_problem(self) -> None:
        text = self.problem() or ""
        self.setToolTip(text)
        self.setAccessibleDescription(text)
