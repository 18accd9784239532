"""File › Back up… and File › Restore from backup…: the local file, through
``mappa_desktop.services.backup`` (the same code as ``mappa-desktop backup`` / ``restore``).

Both run as tasks (the status bar's busy indicator shows while they work). A restore asks first,
with Cancel the default; it is refused while a case has unsaved changes. It stops this window's
live refresh and closes its connections (the restore needs the file to itself), and when done
asks for the database to be opened again, so every screen and the acting user come from the
restored file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from mappa_desktop.domain.errors import MappaError
from mappa_desktop.services import backup
from ui import messages

if TYPE_CHECKING:
    from ui.main_window import MainWindow

TITLE = "Back-up and restore"
FILTER = "mappa-desktop database (*.sqlite3);;All files (*)"


class BackupActions(QObject):
    def __init__(self, window: MainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self._window = window
        self.backup_action = QAction("&Back up…", window)
        self.backup_action.setObjectName("backupAction")
        self.backup_action.setStatusTip("Save a copy of the local database file")
        self.restore_action = QAction("&Restore from backup…", window)
        self.restore_action.setObjectName("restoreAction")
        self.restore_action.setStatusTip("Replace the local database with a backup")
        self.backup_action.triggered.connect(self.ask_backup_file)
        self.restore_action.triggered.connect(self.ask_restore_file)
        menu.addAction(self.backup_action)
        menu.addAction(self.restore_action)
        self.dialog: QFileDialog | None = None  # the open file dialog, for tests
        self.question: QMessageBox | None = None  # the restore confirmation, for tests
        self.finished: QMessageBox | None = None  # the message after a restore, for tests

    # ----- back up -------------------------------------------------------------------------
    def _local_file(self) -> Path | None:
        try:
            return backup.local_file(self._window.ctx.engine)
        except MappaError as exc:
            messages.show_error(self._window, TITLE, exc)  # PostgreSQL: points at pg_dump
            return None

    def _file_dialog(self, caption: str, save: bool, start: Path) -> QFileDialog:
        dialog = QFileDialog(self._window, caption, str(start), FILTER)
        dialog.setAcceptMode(
            QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen
        )
        dialog.setFileMode(
            QFileDialog.FileMode.AnyFile if save else QFileDialog.FileMode.ExistingFile
        )
        self.dialog = dialog
        return dialog

    def ask_backup_file(self) -> None:
        database = self._local_file()
        if database is None:
            return
        name = f"{database.stem}-{date.today().isoformat()}.sqlite3"
        dialog = self._file_dialog("Back up the database to", True, Path.home() / name)
        dialog.fileSelected.connect(lambda path: self.back_up(Path(path)))
        dialog.open()

    def back_up(self, target: Path) -> None:
        ctx = self._window.ctx
        self.backup_action.setEnabled(False)

        def work(_report: object) -> backup.BackupResult:
            # The file dialog has already asked before replacing an existing file.
            result = backup.write_backup(ctx.engine, target, overwrite=True)
            with ctx.sessions.begin() as session:
                backup.record_backup(session, ctx.actor, result)
            return result

        def done(result: backup.BackupResult) -> None:
            self.backup_action.setEnabled(True)
            messages.show_info(
                self._window,
                TITLE,
                f"The database was backed up to {result.file} ({result.size:,} bytes).",
            )

        def failed(exc: Exception) -> None:
            self.backup_action.setEnabled(True)
            messages.show_error(self._window, TITLE, exc)

        ctx.runner.submit(work, done, failed)

    # ----- restore -------------------------------------------------------------------------
    def ask_restore_file(self) -> None:
        database = self._local_file()
        if database is None:
            return
        if self._window.unsaved_records():
            messages.show_error(
                self._window,
                TITLE,
                "A case has changes that are not saved; save or close it before restoring.",
            )
            return
        dialog = self._file_dialog("Restore the database from", False, database.parent)
        dialog.fileSelected.connect(lambda path: self.confirm_restore(Path(path)))
        dialog.open()

    def confirm_restore(self, source: Path) -> None:
        database = backup.local_file(self._window.ctx.engine)

        def answered(button: QMessageBox.StandardButton) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self.restore(source)

        self.question = messages.ask(
            self._window,
            TITLE,
            f"Replace everything in {database} with the backup {source}?\n\nWhat the database "
            f"holds now is kept next to it as {database.name}.replaced-<time>. Every other "
            "window and program using it must be closed first.",
            answered,
            buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            default=QMessageBox.StandardButton.Cancel,
        )
        self.question.button(QMessageBox.StandardButton.Yes).setText("&Restore")

    def restore(self, source: Path) -> None:
        window = self._window
        ctx = window.ctx
        window.stop_live_refresh()
        ctx.runner.wait_all()
        ctx.engine.dispose()  # this window's connections; the restore needs the file alone
        self.restore_action.setEnabled(False)
        login = ctx.actor.login

        def work(_report: object) -> backup.RestoreResult:
            result = backup.restore_backup(ctx.engine, source)
            with ctx.sessions.begin() as session:
                backup.record_restore(session, login, result)
            ctx.engine.dispose()
            return result

        def done(result: backup.RestoreResult) -> None:
            kept = f" What it replaced is kept as {result.kept}." if result.kept else ""
            window.reopen_requested.emit()  # this window makes way for one on the restored file
            self.finished = messages.show_info(
                None, TITLE, f"The database was restored from {result.file}.{kept}"
            )

        def failed(exc: Exception) -> None:
            self.restore_action.setEnabled(True)
            window.start_live_refresh()
            messages.show_error(window, TITLE, exc)

        ctx.runner.submit(work, done, failed)
