"""The three palettes every screen is checked and photographed under (tests, ``ui.screenshots``):
Qt's standard light palette, a dark one like the desktops' dark themes, and a high-contrast one
(white and yellow on black, like Windows' "High contrast black")."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QStyleFactory

Role = QPalette.ColorRole
Group = QPalette.ColorGroup


def light() -> QPalette:
    """Fusion's standard palette (black on light grey and white)."""
    fusion = QStyleFactory.create("Fusion")
    assert fusion is not None
    return fusion.standardPalette()


def _palette(roles: dict[Role, str], disabled: dict[Role, str]) -> QPalette:
    palette = QPalette()
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    for role, value in disabled.items():
        palette.setColor(Group.Disabled, role, QColor(value))
    return palette


def dark() -> QPalette:
    """A dark scheme: light grey text on charcoal, blue selection and links."""
    return _palette(
        {
            Role.Window: "#353535",
            Role.WindowText: "#f0f0f0",
            Role.Base: "#262626",
            Role.AlternateBase: "#303030",
            Role.ToolTipBase: "#1f1f1f",
            Role.ToolTipText: "#f0f0f0",
            Role.PlaceholderText: "#a0a0a0",
            Role.Text: "#f0f0f0",
            Role.Button: "#404040",
            Role.ButtonText: "#f0f0f0",
            Role.BrightText: "#ff8a80",
            Role.Light: "#505050",
            Role.Midlight: "#454545",
            Role.Mid: "#2e2e2e",
            Role.Dark: "#1e1e1e",
            Role.Shadow: "#000000",
            Role.Highlight: "#3d7fd9",
            Role.HighlightedText: "#ffffff",
            Role.Link: "#8ab4f8",
            Role.LinkVisited: "#c58af9",
        },
        {
            Role.WindowText: "#8a8a8a",
            Role.Text: "#8a8a8a",
            Role.ButtonText: "#8a8a8a",
        },
    )


def high_contrast() -> QPalette:
    """White text on black, yellow for the selection, links and buttons' text."""
    return _palette(
        {
            Role.Window: "#000000",
            Role.WindowText: "#ffffff",
            Role.Base: "#000000",
            Role.AlternateBase: "#0a0a0a",
            Role.ToolTipBase: "#000000",
            Role.ToolTipText: "#ffff00",
            Role.PlaceholderText: "#c0c0c0",
            Role.Text: "#ffffff",
            Role.Button: "#000000",
            Role.ButtonText: "#ffff00",
            Role.BrightText: "#ffff00",
            Role.Light: "#ffffff",
            Role.Midlight: "#c0c0c0",
            Role.Mid: "#808080",
            Role.Dark: "#ffffff",
            Role.Shadow: "#ffffff",
            Role.Highlight: "#ffff00",
            Role.HighlightedText: "#000000",
            Role.Link: "#ffff00",
            Role.LinkVisited: "#ffff00",
        },
        {
            Role.WindowText: "#3ff23f",
            Role.Text: "#3ff23f",
            Role.ButtonText: "#3ff23f",
        },
    )


BY_NAME: dict[str, Callable[[], QPalette]] = {
    "light": light,
    "dark": dark,
    "high-contrast": high_contrast,
}
