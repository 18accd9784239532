"""Switch between a local SQLite file and a shared PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL, make_url

from mappa_desktop.paths import default_database_path
from ui import credentials


class ConnectionDialog(QDialog):
    def __init__(self, current_url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to a database")
        self.local_radio = QRadioButton("A &local file on this computer")
        self.server_radio = QRadioButton("A shared &PostgreSQL server")
        group = QButtonGroup(self)
        group.addButton(self.local_radio)
        group.addButton(self.server_radio)

        self.path_edit = QLineEdit(str(default_database_path()))
        self.path_edit.setAccessibleName("Database file")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._on_browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        local_box = QGroupBox()
        local_form = QFormLayout(local_box)
        local_form.addRow("&File:", path_row)

        self.host_edit = QLineEdit("localhost")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(5432)
        self.database_edit = QLineEdit("mappa")
        self.user_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember_check = QCheckBox("&Remember the password in the system keyring")
        self.keyring_note = QLabel("")
        self.keyring_note.setWordWrap(True)
        server_box = QGroupBox()
        form = QFormLayout(server_box)
        for label, widget in (
            ("&Host:", self.host_edit),
            ("P&ort:", self.port_spin),
            ("&Database:", self.database_edit),
            ("&User:", self.user_edit),
            ("Pass&word:", self.password_edit),
        ):
            widget.setAccessibleName(label.replace("&", "").rstrip(":"))
            form.addRow(label, widget)
        form.addRow(self.remember_check)
        form.addRow(self.keyring_note)

        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setObjectName("errorLabel")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.local_radio)
        layout.addWidget(local_box)
        layout.addWidget(self.server_radio)
        layout.addWidget(server_box)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.local_radio.toggled.connect(local_box.setEnabled)
        self.server_radio.toggled.connect(server_box.setEnabled)
        self._url: str | None = None
        self._prefill(current_url)
        self.user_edit.editingFinished.connect(self._load_saved_password)

    def _prefill(self, current_url: str) -> None:
        url = make_url(current_url)
        if url.get_backend_name() == "sqlite":
            self.local_radio.setChecked(True)
            self.path_edit.setText(url.database or str(default_database_path()))
            self.server_radio.setChecked(False)
            self.findChildren(QGroupBox)[1].setEnabled(False)
        else:
            self.server_radio.setChecked(True)
            self.findChildren(QGroupBox)[0].setEnabled(False)
            self.host_edit.setText(url.host or "localhost")
            self.port_spin.setValue(url.port or 5432)
            self.database_edit.setText(url.database or "")
            self.user_edit.setText(url.username or "")
            self._load_saved_password()

    def _key(self) -> str:
        return credentials.key_for(
            self.user_edit.text().strip(),
            self.host_edit.text().strip(),
            self.port_spin.value(),
            self.database_edit.text().strip(),
        )

    def _load_saved_password(self) -> None:
        password, problem = credentials.load_password(self._key())
        if password:
            self.password_edit.setText(password)
        self.keyring_note.setText(problem or "")
        self.remember_check.setEnabled(problem is None)

    def _on_browse(self) -> None:
        dialog = QFileDialog(
            self, "Choose a database file", str(Path(self.path_edit.text()).parent)
        )
        dialog.setNameFilter("mappa-desktop databases (*.sqlite3 *.db);;All files (*)")
        dialog.fileSelected.connect(self.path_edit.setText)
        dialog.open()

    def _on_accept(self) -> None:
        if self.local_radio.isChecked():
            path = self.path_edit.text().strip()
            if not path:
                self.error_label.setText("File: choose where the database file is (or will be).")
                return
            self._url = f"sqlite:///{Path(path).expanduser()}"
            self.accept()
            return
        missing = [
            name
            for name, edit in (
                ("Host", self.host_edit),
                ("Database", self.database_edit),
                ("User", self.user_edit),
            )
            if not edit.text().strip()
        ]
        if missing:
            self.error_label.setText(f"{', '.join(missing)}: fill in to connect to a server.")
            return
        password = self.password_edit.text()
        if password and self.remember_check.isChecked():
            problem = credentials.store_password(self._key(), password)
            if problem:
                self.keyring_note.setText(problem)
        self._url = URL.create(
            "postgresql+psycopg",
            username=self.user_edit.text().strip(),
            password=password or None,
            host=self.host_edit.text().strip(),
            port=self.port_spin.value(),
            database=self.database_edit.text().strip(),
        ).render_as_string(hide_password=False)
        self.accept()

    def chosen_url(self) -> str | None:
        return self._url
