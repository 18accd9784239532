"""The application icon on every window (the PNG sizes shipped in resources/icons, the same
files the desktop entry installs)."""

from __future__ import annotations

from PySide6.QtGui import QIcon, QPixmap

from mappa_desktop.desktop_entry import app_icon_pngs


def app_icon() -> QIcon:
    icon = QIcon()
    for _size, source in sorted(app_icon_pngs().items()):
        pixmap = QPixmap()
        if pixmap.loadFromData(source.read_bytes()):
            icon.addPixmap(pixmap)
    return icon
