"""UI state that is harmless to lose: window geometry, splitters, column layouts (QSettings)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter

ORG = "mappa-desktop"
APP = "mappa-desktop"


def settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORG, APP)


def _bytes(value: object) -> QByteArray | None:
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def save_window(window: QMainWindow, key: str = "main_window") -> None:
    s = settings()
    s.setValue(f"{key}/geometry", window.saveGeometry())
    s.setValue(f"{key}/state", window.saveState())


def restore_window(window: QMainWindow, key: str = "main_window") -> bool:
    s = settings()
    geometry = _bytes(s.value(f"{key}/geometry"))
    state = _bytes(s.value(f"{key}/state"))
    if geometry is not None:
        window.restoreGeometry(geometry)
    if state is not None:
        window.restoreState(state)
    return geometry is not None


def save_header(header: QHeaderView, key: str) -> None:
    settings().setValue(f"headers/{key}", header.saveState())


def restore_header(header: QHeaderView, key: str) -> bool:
    state = _bytes(settings().value(f"headers/{key}"))
    return state is not None and header.restoreState(state)


def save_splitter(splitter: QSplitter, key: str) -> None:
    settings().setValue(f"splitters/{key}", splitter.saveState())


def restore_splitter(splitter: QSplitter, key: str) -> bool:
    state = _bytes(settings().value(f"splitters/{key}"))
    return state is not None and splitter.restoreState(state)


def remember_splitter(splitter: QSplitter, key: str) -> bool:
    """Restore the splitter's last position and save it whenever the user moves it; says
    whether there was a position to restore (callers then skip their default sizes)."""
    restored = restore_splitter(splitter, key)
    splitter.splitterMoved.connect(lambda _pos, _index: save_splitter(splitter, key))
    return restored


def remembered_login(database_key: str) -> str | None:
    value = settings().value(f"users/{database_key}")
    return value if isinstance(value, str) and value else None


def remember_login(database_key: str, login: str) -> None:
    settings().setValue(f"users/{database_key}", login)
