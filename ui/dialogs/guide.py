"""The user guide in a window (F1, then "User guide"): docs/user-guide.md rendered from Markdown
with its screenshots. Installed packages and the bundle carry it as resources/guide/ (see
pyproject.toml); a source checkout reads docs/ directly. Esc closes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import resources
from ui.forms.fit import resize_within_screen

GUIDE_NAME = "user-guide.md"
MAX_IMAGE_WIDTH = 760  # screenshots are shown no wider than this (pixels)


def guide_path() -> Path | None:
    """The guide shipped with the package, else the one in a source checkout's docs/."""
    shipped = Path(str(resources.path("guide", GUIDE_NAME)))
    if shipped.is_file():
        return shipped
    checkout = Path(str(resources.path())).parent / "docs" / GUIDE_NAME
    return checkout if checkout.is_file() else None


class GuideBrowser(QTextBrowser):
    """A text browser that scales screenshots down to fit the window."""

    def loadResource(self, type: int, name: QUrl | str) -> Any:  # noqa: N802
        data = super().loadResource(type, name)
        if type != QTextDocument.ResourceType.ImageResource.value or data is None:
            return data
        image = data if isinstance(data, QImage) else QImage.fromData(data)
        if image.isNull() or image.width() <= MAX_IMAGE_WIDTH:
            return data
        return image.scaledToWidth(MAX_IMAGE_WIDTH, Qt.TransformationMode.SmoothTransformation)


class GuideDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("mappa-desktop user guide")
        self.setObjectName("userGuide")
        self.browser = GuideBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setAccessibleName("User guide")
        path = guide_path()
        if path is None:
            self.browser.setPlainText(
                "The user guide is missing from this installation (resources/guide/"
                f"{GUIDE_NAME}); reinstall mappa-desktop."
            )
        else:
            self.browser.setSearchPaths([str(path.parent)])
            self.browser.document().setBaseUrl(QUrl.fromLocalFile(f"{path.parent}/"))
            self.browser.setMarkdown(path.read_text(encoding="utf-8"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        resize_within_screen(self, 860, 700)


def open_guide(parent: QWidget | None) -> GuideDialog:
    dialog = GuideDialog(parent)
    dialog.open()
    return dialog


def add_guide_button(box: QMessageBox, parent: QWidget | None) -> None:
    """A "User guide" button on the keyboard-shortcuts box (F1) that opens the guide."""
    button = box.addButton("User &guide", QMessageBox.ButtonRole.HelpRole)
    button.setObjectName("openUserGuide")
    button.clicked.connect(lambda: open_guide(parent))
