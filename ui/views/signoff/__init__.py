"""Sign-off and distribution of minutes: ``open_sign_off`` and ``open_distribution`` are what
the meeting view calls."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ui.context import AppContext
from ui.forms.fit import resize_within_screen
from ui.views.signoff.distribution import DistributionDialog
from ui.views.signoff.window import SignOffWindow

__all__ = ["DistributionDialog", "SignOffWindow", "open_distribution", "open_sign_off"]


def open_sign_off(ctx: AppContext, meeting_id: int, parent: QWidget | None) -> QWidget:
    """Show the sign-off window for the meeting (a separate top-level window that deletes
    itself when closed) and return it."""
    window = SignOffWindow(ctx, meeting_id, parent)
    window.setWindowFlag(Qt.WindowType.Window, True)
    resize_within_screen(window, 1200, 820)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    window.show()
    return window


def open_distribution(ctx: AppContext, meeting_id: int, parent: QWidget | None) -> QWidget:
    """Open the distribution dialog (window-modal to ``parent``) and return it."""
    dialog = DistributionDialog(ctx, meeting_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.open()
    return dialog
