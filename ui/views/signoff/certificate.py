"""Choosing a signing certificate (PKCS#12) and typing its password.

The password lives in the password field and in memory while signing; it is never saved (no
settings, no keyring): the user types it each time it is needed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.operations.rendering import SigningKey
from reports import signing

MAX_CERTIFICATE_BYTES = 1024 * 1024
NOT_STORED = "The password is never saved; you type it each time you sign."


class CertificateBox(QWidget):
    """Optional digital signing: a checkbox, the certificate file and its password."""

    changed = Signal()

    def __init__(self, purpose: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox(f"Digitally sign {purpose} with a certificate (PAdES)")
        self.enabled.setObjectName("signWithCertificate")
        self.path = QLineEdit()
        self.path.setObjectName("certificatePath")
        self.path.setPlaceholderText("A .p12 or .pfx file")
        self.path.setAccessibleName("Certificate file")
        self.browse = QPushButton("Choose…")
        self.browse.setObjectName("chooseCertificate")
        self.password = QLineEdit()
        self.password.setObjectName("certificatePassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Certificate password")
        self.info = QLabel(NOT_STORED)
        self.info.setWordWrap(True)
        self.info.setObjectName("certificateInfo")
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        self._fields = QWidget()
        form = QFormLayout(self._fields)
        form.setContentsMargins(20, 0, 0, 0)
        form.addRow("Certificate file:", row)
        form.addRow("Password:", self.password)
        form.addRow("", self.info)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(self.enabled)
        layout.addRow(self._fields)
        self._dialog: QFileDialog | None = None
        self.enabled.toggled.connect(self._update)
        self.browse.clicked.connect(self._choose)
        self.path.textChanged.connect(lambda _t: self.changed.emit())
        self.password.textChanged.connect(lambda _t: self.changed.emit())
        self._update()

    def _update(self) -> None:
        self._fields.setEnabled(self.enabled.isChecked())
        self.changed.emit()

    def _choose(self) -> None:
        dialog = QFileDialog(self, "Choose a signing certificate")
        dialog.setNameFilter("Certificates (*.p12 *.pfx);;All files (*)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.path.setText)
        self._dialog = dialog
        dialog.open()

    @property
    def wanted(self) -> bool:
        return self.enabled.isChecked()

    def problem(self) -> str:
        """Why signing cannot go ahead yet ("" when it can, or when not wanted)."""
        if not self.wanted:
            return ""
        if not self.path.text().strip():
            return "Choose the certificate file to sign with, or untick digital signing."
        if not self.password.text():
            return "Type the certificate's password."
        return ""

    def signing_key(self, signer_name: str, reason: str) -> SigningKey | None:
        """The key to sign with (None when signing is not wanted). Reads the file and checks
        the password; raises ``ValidationError`` or ``signing.SigningError`` with a sentence."""
        if not self.wanted:
            return None
        problem = self.problem()
        if problem:
            raise ValidationError.single("certificate", problem)
        path = Path(self.path.text().strip())
        try:
            if path.stat().st_size > MAX_CERTIFICATE_BYTES:
                raise ValidationError.single("certificate", f"{path} is not a certificate file.")
            data = path.read_bytes()
        except OSError as exc:
            raise ValidationError.single(
                "certificate", f"Cannot read {path}: {exc.strerror or exc}."
            ) from None
        info = signing.certificate_info(data, self.password.text())
        self.info.setText(f"Signs as {info.label}. {NOT_STORED}")
        return SigningKey(
            pkcs12=data, password=self.password.text(), signer_name=signer_name, reason=reason
        )

    def forget_password(self) -> None:
        self.password.clear()
