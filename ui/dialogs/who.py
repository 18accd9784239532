"""On a local file: who is using it? Pick an existing user; remembered per database.

It opens only when nothing says who is acting (``services.acting``: several users, none of them
this computer's login). Nobody is preselected: choosing the wrong person would record every change
against them, so OK stays disabled until a user is chosen."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.services.people import UserRow


class WhoDialog(QDialog):
    def __init__(self, users: Sequence[UserRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who is using mappa-desktop?")
        label = QLabel(
            "Every change is recorded against a named person. Choose yourself; this computer will "
            "remember the choice for this database."
        )
        label.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Users")
        for user in users:
            roles = ", ".join(sorted(r.value.replace("_", "-") for r in user.roles))
            item = QListWidgetItem(
                f"{user.person.display_name} — {user.person.agency_short_name} ({roles})"
            )
            item.setData(Qt.ItemDataRole.UserRole, user.login)
            self.list.addItem(item)
        label.setBuddy(self.list)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(self.chosen_login() is not None)
        self.list.itemSelectionChanged.connect(
            lambda: self.ok.setEnabled(self.chosen_login() is not None)
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _i: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.list.setFocus()
        self.resize(560, 380)

    def chosen_login(self) -> str | None:
        """The selected user's login; None until one is selected (Qt gives the list a current
        item on keyboard focus without selecting it, so the current item is not a choice)."""
        selected = self.list.selectedItems()
        return str(selected[0].data(Qt.ItemDataRole.UserRole)) if selected else None
