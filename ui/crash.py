"""Log every unexpected exception to the log directory and show a readable dialog."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from mappa_desktop.paths import log_dir

log = logging.getLogger("mappa_desktop.crash")


def configure_logging() -> Path:
    path = log_dir() / "mappa-desktop.log"
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def install_excepthook(log_path: Path) -> None:
    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("Unexpected error", exc_info=(exc_type, exc, tb))
        if QApplication.instance() is None:
            traceback.print_exception(exc_type, exc, tb)
            return
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "mappa-desktop: unexpected error",
            "Something went wrong that mappa-desktop did not expect. Your saved work is safe in "
            "the database; the last action may not have completed.\n\n"
            f"{exc_type.__name__}: {exc}\n\nDetails were written to {log_path}.",
            QMessageBox.StandardButton.Ok,
        )
        box.setObjectName("crashDialog")
        box.setDetailedText("".join(traceback.format_exception(exc_type, exc, tb)))
        box.open()

    sys.excepthook = hook
