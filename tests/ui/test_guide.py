"""The user guide: F1 then "User guide" opens docs/user-guide.md rendered with its screenshots;
Esc closes it. The window icon is the shipped icon."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.enums import Role
from tests.conftest import Database, make_user
from ui.app_icon import app_icon
from ui.bus import ChangeBus
from ui.context import AppContext
from ui.dialogs.guide import MAX_IMAGE_WIDTH, GuideDialog, guide_path
from ui.main_window import MainWindow
from ui.tasks import SyncPool, TaskRunner

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[2]
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


def test_the_guide_covers_each_role_and_shows_every_screenshot(qtbot: QtBot) -> None:
    path = guide_path()
    assert path == REPO / "docs" / "user-guide.md"  # a source checkout reads docs/
    dialog = GuideDialog()
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    for heading in ("For the co-ordinator", "For the minute-taker", "For the chair"):
        assert heading in text
    images = IMAGE.findall(path.read_text(encoding="utf-8"))
    assert len(images) >= 6
    for name in images:
        assert (path.parent / name).is_file(), name
        image = dialog.browser.loadResource(
            QTextDocument.ResourceType.ImageResource.value, QUrl(name)
        )
        assert isinstance(image, QImage) and not image.isNull(), name
        assert image.width() <= MAX_IMAGE_WIDTH


def test_f1_then_user_guide_opens_the_guide_and_esc_closes_it(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    actor = make_user(sqlite_db, "chair", [Role.CHAIR])
    ctx = AppContext(
        url=sqlite_db.url,
        engine=sqlite_db.engine,
        actor=actor,
        runner=TaskRunner(SyncPool()),
        bus=ChangeBus(),
    )
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1 and boxes[0].windowTitle() == "Keyboard shortcuts"
    button = boxes[0].findChild(QPushButton, "openUserGuide")
    assert button is not None
    button.click()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(GuideDialog)))
    guide = next(d for d in window.findChildren(GuideDialog) if d.isVisible())
    assert "For the chair" in guide.browser.toPlainText()
    qtbot.keyClick(guide.browser, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not guide.isVisible())
    window.stop_live_refresh()


def test_the_window_icon_has_every_shipped_size() -> None:
    sizes = {s.width() for s in app_icon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes
