"""Collect field errors and raise them together, so a form can show every problem at once."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TypeVar

from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.domain.text import free_text_problem, name_problem

E = TypeVar("E", bound=Enum)

MAX_NAME = 100
MAX_SHORT = 200
MAX_TEXT = 20_000


def _label(field: str) -> str:
    return field.replace("_", " ")


class Checker:
    """Accumulates field errors; ``done()`` raises one ``ValidationError`` naming them all."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def text(
        self, field: str, value: str | None, *, required: bool = True, max_len: int = MAX_SHORT
    ) -> str | None:
        """Trimmed free text, or ``None`` when optional and blank. Line breaks, tabs and bidi
        marks are kept (``domain.text`` contains them when shown); other controls refused."""
        cleaned = (value or "").strip()
        if not cleaned:
            if required:
                self.fail(field, f"Enter the {_label(field)}; it cannot be empty.")
            return None
        if len(cleaned) > max_len:
            self.fail(
                field,
                f"The {_label(field)} is {len(cleaned):,} characters long; "
                f"shorten it to {max_len:,} or fewer.",
            )
        problem = free_text_problem(cleaned)
        if problem is not None:
            self.fail(field, f"The {_label(field)} contains {problem}; remove it.")
        return cleaned

    def name(
        self,
        field: str,
        value: str | None,
        *,
        required: bool = True,
        max_len: int = MAX_NAME,
        joiners: bool = True,
    ) -> str | None:
        """A trimmed name, alias, identifier or other one-line label, or ``None`` when optional
        and blank: :meth:`text`, then :meth:`one_line` on what is kept."""
        cleaned = self.text(field, value, required=required, max_len=max_len)
        if cleaned is not None:
            self.one_line(field, cleaned, joiners=joiners)
        return cleaned

    def one_line(self, field: str, value: str, *, joiners: bool = True) -> None:
        """Refuse control, bidi and other invisible format characters (``domain.text``) in a
        trimmed value; ``joiners=False`` (identifiers) refuses ZWNJ/ZWJ too."""
        problem = name_problem(value, joiners=joiners)
        if problem is not None:
            self.fail(
                field,
                f"The {_label(field)} contains {problem}, which has no place in a name: it can "
                "hide, reorder or break the text. Remove it (retype the value, do not paste it).",
            )

    def required(self, field: str, value: object) -> None:
        if value is None:
            self.fail(field, f"Choose the {_label(field)}; it is required.")

    def enum(
        self, field: str, value: object, enum_type: type[E], *, required: bool = True
    ) -> E | None:
        if value is None or value == "":
            if required:
                self.fail(field, f"Choose the {_label(field)}; it is required.")
            return None
        try:
            return enum_type(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in enum_type)
            self.fail(field, f"'{value}' is not a valid {_label(field)}; use one of: {allowed}.")
            return None

    def date_not_before(
        self, field: str, value: date | None, earliest: date | None, what: str
    ) -> None:
        if value is not None and earliest is not None and value < earliest:
            self.fail(
                field,
                f"The {_label(field)} ({value.isoformat()}) is before {what} "
                f"({earliest.isoformat()}); choose a later date.",
            )

    def date_not_after(
        self, field: str, value: date | None, latest: date | None, what: str
    ) -> None:
        if value is not None and latest is not None and value > latest:
            self.fail(
                field,
                f"The {_label(field)} ({value.isoformat()}) is after {what} "
                f"({latest.isoformat()}); correct it.",
            )

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
