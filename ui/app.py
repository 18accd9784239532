"""GUI start-up: arguments, logging and crash handler, database and schema, who is acting,
then the main window. ``mappa-desktop`` and ``python -m mappa_desktop`` end up in ``main``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from mappa_desktop.domain.errors import MappaError, StorageError
from mappa_desktop.paths import demo_database_path, sqlite_url
from mappa_desktop.services import acting, cases
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.database import Database, open_database, resolve_url, safe_url
from ui import messages, ui_state
from ui.app_icon import app_icon
from ui.bus import ChangeBus
from ui.context import AppContext
from ui.crash import configure_logging, install_excepthook
from ui.dialogs.connection import ConnectionDialog
from ui.dialogs.who import WhoDialog
from ui.forms import style
from ui.main_window import MainWindow
from ui.tasks import Pool, Progress, TaskRunner

log = logging.getLogger(__name__)
DEMO_CASES = 2_000
DEMO_SEED = 2026


def database_key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True).replace("/", "|")


def _describe_failure(url: str, exc: BaseException) -> str:
    if isinstance(exc, MappaError):
        return str(exc)
    return f"The database {safe_url(url)} could not be opened: {str(exc).splitlines()[0]}"


class Launcher:
    """Opens databases and windows; replaces the window when the user switches database."""

    def __init__(self, app: QApplication, *, user: str | None, pool: Pool | None = None) -> None:
        self.app = app
        self.user = user
        self.pool = pool
        self.window: MainWindow | None = None
        self.bus = ChangeBus()
        self._pending_demo = False

    # ----- opening -------------------------------------------------------------------------
    def open(self, url: str, *, demo: bool = False, on_failed: Callable[[str], None]) -> None:
        try:
            database = open_database(url)  # creates or upgrades a local file, after a backup
        except (MappaError, OperationalError) as exc:
            on_failed(_describe_failure(url, exc))
            return
        self._pending_demo = demo
        self._resolve_actor(
            database,
            on_actor=lambda actor: self._show(url, database.engine, actor),
            on_failed=on_failed,
        )

    def _resolve_actor(
        self,
        database: Database,
        on_actor: Callable[[Actor], None],
        on_failed: Callable[[str], None],
    ) -> None:
        engine = database.engine
        key = database_key(engine)
        found: Actor | acting.AskWho
        try:
            with database.sessions.begin() as s:  # committed before any window is built
                found = acting.acting_user(
                    s,
                    asked=self.user or ui_state.remembered_login(key),
                    where=engine.url.render_as_string(),
                )
        except MappaError as exc:
            on_failed(str(exc))
            return
        if isinstance(found, Actor):
            if engine.dialect.name == "sqlite":
                ui_state.remember_login(key, found.login)
            on_actor(found)
            return
        dialog = WhoDialog(list(found.users))

        def chosen(result: int) -> None:
            login = dialog.chosen_login()
            if not result or login is None:
                on_failed("No user was chosen, so nothing was opened.")
                return
            self.user = login
            self._resolve_actor(database, on_actor, on_failed)
            self.user = None

        dialog.finished.connect(chosen)
        dialog.open()

    def _show(self, url: str, engine: Engine, actor: Actor) -> None:
        ctx = AppContext(
            url=url, engine=engine, actor=actor, runner=TaskRunner(self.pool), bus=self.bus
        )
        old = self.window
        window = MainWindow(ctx)
        window.database_switch_requested.connect(self.ask_for_database)
        window.demo_requested.connect(self.load_demo)
        window.reopen_requested.connect(
            lambda: self.open(url, on_failed=lambda m: self._show_error(self.window, m))
        )
        self.window = window
        window.show()
        if old is not None:
            old.stop_live_refresh()  # the old database's changes no longer concern anyone
            old.close()
            old.deleteLater()
        window.reload_all()
        window.start_live_refresh()
        log.info("main window shown for %s", engine.url.render_as_string(hide_password=True))
        if self._pending_demo:
            self._pending_demo = False
            QTimer.singleShot(0, lambda: self.load_demo(only_if_empty=True))

    # ----- switching -----------------------------------------------------------------------
    def ask_for_database(self) -> None:
        window = self.window
        dialog = ConnectionDialog(
            window.ctx.url if window else sqlite_url(demo_database_path()), window
        )

        def done(result: int) -> None:
            url = dialog.chosen_url()
            if result and url:
                self.open(url, on_failed=lambda m: self._show_error(window, m))

        dialog.finished.connect(done)
        dialog.open()

    @staticmethod
    def _show_error(window: MainWindow | None, message: str) -> None:
        messages.show_error(window, "Database", message)

    # ----- demo data -----------------------------------------------------------------------
    def load_demo(self, only_if_empty: bool = False) -> None:
        window = self.window
        if window is None:
            return
        ctx = window.ctx
        with ctx.read_sessions() as s:
            has_cases = bool(cases.case_count(s))
        if has_cases:
            if not only_if_empty:
                messages.show_info(
                    window,
                    "Demo data",
                    "Demo data can only be loaded into an empty database; this one already "
                    "holds cases. Use File › Connect to database… to open an empty file.",
                )
            return
        progress = QProgressDialog("Creating demonstration data…", "", 0, 100, window)
        progress.setCancelButton(None)
        progress.setMinimumDuration(0)
        progress.setWindowTitle("Demo data")
        progress.open()

        def work(report: Progress) -> object:
            from mappa_desktop.demo.generate import generate_demo

            return generate_demo(
                ctx.engine,
                cases=DEMO_CASES,
                seed=DEMO_SEED,
                today=ctx.today(),
                actor=ctx.actor,
                progress=lambda _stage, done, total: report(done, total),
            )

        def done(_summary: object) -> None:
            progress.close()
            log.info("demo data ready")
            window.welcome.dismissed = True
            self.bus.cases_changed.emit(set())
            self.bus.meetings_changed.emit(set())
            self.bus.actions_changed.emit(set())

        def failed(exc: Exception) -> None:
            progress.close()
            messages.show_error(window, "Demo data", exc)

        def moved(done_count: int, total: int) -> None:
            progress.setMaximum(max(total, 1))
            progress.setValue(done_count)

        ctx.runner.submit(work, done, failed, moved)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="mappa-desktop", description="Open the app.")
    parser.add_argument("--database", help="database URL (default: the local file)")
    parser.add_argument("--demo", action="store_true", help="open the ready-made demo database")
    parser.add_argument("--user", help="act as this login (local files)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    log_path = configure_logging()
    install_excepthook(log_path)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "mappa-desktop"])
    assert isinstance(app, QApplication)
    app.setApplicationName("mappa-desktop")
    app.setOrganizationName("mappa-desktop")
    app.setApplicationDisplayName("mappa-desktop")
    app.setDesktopFileName("mappa-desktop")  # the menu entry (mappa-desktop desktop-entry)
    app.setWindowIcon(app_icon())
    style.follow_palette(app)  # readable selection and placeholders in any system palette
    try:
        url = sqlite_url(demo_database_path()) if args.demo else resolve_url(args.database)
    except StorageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    launcher = Launcher(app, user=args.user)
    failure: list[str] = []

    def failed(message: str) -> None:
        failure.append(message)
        sys.stderr.write(f"error: {message}\n")
        box = QMessageBox(
            QMessageBox.Icon.Critical, "mappa-desktop", message, QMessageBox.StandardButton.Ok
        )
        box.finished.connect(lambda _r: app.quit())
        box.open()

    launcher.open(url, demo=args.demo, on_failed=failed)
    status = app.exec()
    return 1 if failure and launcher.window is None else status
