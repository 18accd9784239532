"""On a local file: who is using it? Pick an existing user; remembered per database."""

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
        self.list.setCurrentRow(0)
        label.setBuddy(self.list)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _i: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def chosen_login(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))
