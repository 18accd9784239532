"""The meeting screen (see ``view.MeetingView``) and its screenshot tour."""

from __future__ import annotations

from ui.views.meeting.tour import screenshot_tour
from ui.views.meeting.view import SHORTCUTS, MeetingView

__all__ = ["SHORTCUTS", "MeetingView", "screenshot_tour"]
