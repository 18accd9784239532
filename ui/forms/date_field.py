"""The one date INPUT field: a date typed as ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (the UK order).

A line edit rather than a spin box: a person types the date they read off a letter, in either
order, without stepping through day, month and year sections; blank means "not known", and a
date that is not one is named in a sentence (``problem``) for the field's ``FieldError``.
"""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtWidgets import QLineEdit, QWidget

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_UK = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*$")


def parse_date(text: str) -> date | None:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY``; raises ValueError for anything else (blank -> None)."""
    if not text.strip():
        return None
    if m := _ISO.match(text):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := _UK.match(text):
        return date(int(m[3]), int(m[2]), int(m[1]))
    raise ValueError(text)


class DateField(QLineEdit):
    """A date typed as YYYY-MM-DD or DD/MM/YYYY (the UK order); blank means "not known"."""

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setPlaceholderText("YYYY-MM-DD or DD/MM/YYYY")
        self.setMaxLength(10)
        width = self.fontMetrics().horizontalAdvance("YYYY-MM-DD or DD/MM/YYYY") + 24
        self.setMinimumWidth(min(width, 260))
        self.setMaximumWidth(max(width, 200))

    def date_value(self) -> date | None:
        """The date, or None when blank or not a valid date (see ``is_valid``)."""
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

    def set_date(self, value: date | None) -> None:
        self.setText(value.isoformat() if value is not None else "")

    def problem(self, what: str) -> str | None:
        if self.is_valid():
            return None
        return (
            f"“{self.text().strip()}” is not a date: type the {what} as YYYY-MM-DD or DD/MM/YYYY."
        )
