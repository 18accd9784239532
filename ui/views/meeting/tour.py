"""A walk through the meeting screen for screenshots (``ui/screenshots.py`` can call it).

    for name, widget in screenshot_tour(window):
        settle(); widget.grab().save(f"{name}.png")

It is a generator: each step changes what the screen shows, so grab each widget before asking
for the next step.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from mappa_desktop.domain.enums import MeetingStatus

if TYPE_CHECKING:
    from ui.main_window import MainWindow

PREFERRED = (MeetingStatus.DRAFT, MeetingStatus.IN_PROGRESS, MeetingStatus.PLANNED)


def screenshot_tour(window: MainWindow) -> Iterator[tuple[str, QWidget]]:
    """Open the richest open meeting and show attendance, a case, its decisions, the checklist
    refusing submission, and the shortcut list. Yields (file stem, widget to grab)."""
    from ui.views.meeting.view import MeetingView

    window.meetings.reload()
    rows = [r for r in window.meetings.model.rows() if r.case_count > 0]
    if not rows:
        return
    rows.sort(
        key=lambda r: (
            PREFERRED.index(r.status) if r.status in PREFERRED else len(PREFERRED),
            -r.case_count,
        )
    )
    window.open_meeting(rows[0].id)
    view = window.tabs.currentWidget()
    if not isinstance(view, MeetingView):
        return
    view.show_page(view.attendance_page)
    yield "40-meeting-attendance", window
    case = view.current_case()
    if case is None:
        return
    view.show_page(case)
    case.verticalScrollBar().setValue(0)
    yield "41-meeting-case", window
    case.ensureWidgetVisible(case.plan)
    yield "42-meeting-case-rmp-actions", window
    view.jump_to_decisions()
    yield "43-meeting-decisions", window
    view.show_checklist()
    detail = view.data.detail if view.data is not None else None
    if (
        detail is not None
        and detail.sign_off_problems
        and detail.meeting.status is MeetingStatus.DRAFT
    ):
        view.submit()  # refused (the checklist has problems): nothing changes
    yield "44-meeting-checklist", window
    view.overlay.toggle()
    yield "45-meeting-shortcuts", window
    view.overlay.hide()
