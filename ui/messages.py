"""Every message box goes through here (tests patch this one place). Never ``exec()``."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from sqlalchemy import exc as sa_exc

from mappa_desktop.domain.errors import MappaError, ValidationError


def describe(exc: BaseException) -> str:
    """A sentence for a user. Known failures say what to do; anything else is a bug report."""
    if isinstance(exc, ValidationError):
        return "\n".join(
            f"• {field.replace('_', ' ').capitalize()}: {msg}" for field, msg in exc.errors.items()
        )
    if isinstance(exc, MappaError):
        return str(exc)
    if isinstance(exc, sa_exc.DBAPIError):
        database = _describe_database_error(exc)
        if database is not None:
            return database
    return f"Something went wrong that mappa-desktop did not expect ({type(exc).__name__}: {exc})."


INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL: a grant or row-level security policy refused it


def _reason(exc: sa_exc.DBAPIError) -> str:
    text = str(exc.orig if exc.orig is not None else exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__).rstrip(".")


def _describe_database_error(exc: sa_exc.DBAPIError) -> str | None:
    if getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
        return (
            f"The database refused this change: your role does not allow it ({_reason(exc)}). "
            "Ask an administrator to give your login the role this needs."
        )
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) or (
        exc.connection_invalidated
    ):
        return (
            f"The database cannot be reached ({_reason(exc)}). What you typed stays on screen: "
            "try again once the connection is back."
        )
    return None


def show_error(parent: QWidget | None, title: str, exc: BaseException | str) -> QMessageBox:
    text = exc if isinstance(exc, str) else describe(exc)
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.open()
    return box


def show_info(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    box = QMessageBox(
        QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent
    )
    box.open()
    return box


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    on_answer: Callable[[QMessageBox.StandardButton], None],
    buttons: QMessageBox.StandardButton = (
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    ),
    default: QMessageBox.StandardButton = QMessageBox.StandardButton.Save,
) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, buttons, parent)
    box.setDefaultButton(default)
    box.finished.connect(lambda _r: on_answer(box.standardButton(box.clickedButton())))
    box.open()
    return box


def confirm(
    parent: QWidget | None, title: str, text: str, action: str, on_yes: Callable[[], None]
) -> QMessageBox:
    """Ask before an irreversible or state-changing step. The focus starts on Cancel, the safe
    choice: Enter or Esc there does nothing; ``action`` names the step on the other button."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    box.setObjectName("confirmBox")
    box.setTextFormat(Qt.TextFormat.PlainText)  # the text may quote what a user typed
    go = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.finished.connect(lambda _r: on_yes() if box.clickedButton() is go else None)
    box.open()
    cancel.setFocus(Qt.FocusReason.OtherFocusReason)
    return box
