"""Asking where to save an export: one save dialog for every page that writes a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

FILE_FILTERS = {
    ".pdf": "PDF document (*.pdf)",
    ".csv": "CSV file (*.csv)",
    ".xlsx": "Excel workbook (*.xlsx)",
}


def ask_save_file(
    parent: QWidget, caption: str, start: Path, on_chosen: Callable[[Path], None]
) -> QFileDialog:
    """Open a save dialog at ``start`` for files of its suffix (the suffix is added when the user
    leaves it out); ``on_chosen`` gets the path. The caller keeps the returned dialog alive."""
    suffix = start.suffix.lower()
    dialog = QFileDialog(parent, caption, str(start))
    dialog.setNameFilter(FILE_FILTERS[suffix])
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix(suffix[1:])
    dialog.fileSelected.connect(lambda path: on_chosen(Path(path)))
    dialog.open()
    return dialog
