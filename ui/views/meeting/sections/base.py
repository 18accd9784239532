"""What every section of a case page is given, and the pieces they share."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLayout, QTableView, QWidget
from sqlalchemy.orm import Session

from mappa_desktop.services.actor import Actor
from ui.forms.field_error import FieldError
from ui.models.dto_table import DtoTableModel
from ui.views.meeting.autosave import AutoSaveHub
from ui.widgets.tables import row_table


class Writer(Protocol):
    """How a page asks the meeting screen to write: in the background, errors to ``error``."""

    def __call__(
        self,
        work: Callable[[Session, Actor], object],
        error: FieldError,
        done: Callable[[Any], None] | None = None,
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class CaseContext:
    """One case at one meeting, and how its sections save: the autosave hub (free text, kept
    in the local journal until the database has it) and the writer (forms saved by a button)."""

    hub: AutoSaveHub
    actor: Actor
    write: Writer
    meeting_id: int
    meeting_date: date
    discussion_id: int
    case_id: int


def section_table(name: str, model: DtoTableModel[Any], rows: int = 5) -> QTableView:
    """A section's read-only list: Tab leaves it (``row_table``), text wraps, ``rows`` high."""
    table = row_table(name, model)
    table.setWordWrap(True)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.setMinimumHeight(table.fontMetrics().lineSpacing() * (rows + 2))
    return table


def layout_focus_order(root: QWidget) -> list[QWidget]:
    """The widgets under ``root`` that Tab stops at, in the order their layouts hold them: top
    to bottom, and left to right within a row, as the sections are laid out. A widget with a
    layout of its own (a section, a form, a conflict panel) is walked into; one without (a
    field, a table, a button) is a single stop."""
    out: list[QWidget] = []

    def walk_layout(layout: QLayout) -> None:
        for i in range(layout.count()):
            entry = layout.itemAt(i)
            if entry is None:
                continue
            widget, inner = entry.widget(), entry.layout()
            if widget is not None:
                walk_widget(widget)
            elif inner is not None:
                walk_layout(inner)

    def walk_widget(widget: QWidget) -> None:
        if widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value:
            out.append(widget)
        layout = widget.layout()
        if layout is not None:
            walk_layout(layout)

    layout = root.layout()
    if layout is not None:
        walk_layout(layout)
    return out


def tab_in_reading_order(root: QWidget) -> None:
    """Make Tab and Shift+Tab follow ``layout_focus_order``: widgets built later (a new review
    row, an agency that came into the room) take their place instead of going last."""
    order = layout_focus_order(root)
    for first, second in itertools.pairwise(order):
        QWidget.setTabOrder(first, second)
