"""Screenshots of every screen and dialog on demo data, for the README and for review, in each
palette and at each window size asked for.

    QT_QPA_PLATFORM=offscreen python -m ui.screenshots --out docs/screenshots
    QT_QPA_PLATFORM=offscreen python -m ui.screenshots --out /tmp/shots --cases 200 \\
        --palette light --palette dark --palette high-contrast --size 1400x860 --size 1024x700

Builds a throwaway demo database, opens the main window at a fixed size and walks ``tour``:
the co-ordinator's pages, a case record tab by tab (and the risk form showing a validation
error), a meeting (attendance, a case, its decisions, the checklist, the shortcuts), the chair's
sign-off window, distribution and the other dialogs. With one palette and one size the PNGs go
straight into ``--out`` (the README's names); with more, into ``--out/<palette>-<width>x<height>``.
The palette-contrast and fit-the-screen tests walk the same ``tour``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QTabWidget, QWidget
from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import MeetingStatus
from mappa_desktop.services import people
from ui.bus import ChangeBus
from ui.context import AppContext
from ui.forms import palettes, style
from ui.main_window import MainWindow
from ui.tasks import SyncPool, TaskRunner

SIZE = (1400, 860)
SMALL = (1024, 700)
TODAY = date(2026, 11, 24)

Wait = Callable[[Callable[[], bool]], None]  # process events until the condition holds
Stop = tuple[str, QWidget]  # (file stem, the window to look at)


def settle(app: QCoreApplication | None = None) -> None:
    """Let posted events (palette changes, layouts, deferred loads) run."""
    target = app or QCoreApplication.instance()
    if target is not None:
        for _ in range(5):
            target.processEvents()


def wait_for(condition: Callable[[], bool], timeout_s: float = 15.0) -> None:
    """Process events until ``condition`` holds (or the time is up: the shot is taken anyway)."""
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        settle()
        time.sleep(0.02)
    settle()


# ----- the tour ---------------------------------------------------------------------------------


def tour(window: MainWindow, wait: Wait = wait_for) -> Iterator[Stop]:
    """Show every screen and dialog of ``window`` in turn. A generator: each step changes what
    is shown, so look at the yielded window before asking for the next step. Dialogs are closed
    after their step. Steps whose data is missing (no meeting, no referral) are left out."""
    yield from _pages(window)
    yield from _record(window, wait)
    yield from _meeting(window, wait)
    yield from _signed_meeting(window, wait)
    yield from _dialogs(window, wait)


def _pages(window: MainWindow) -> Iterator[Stop]:
    window.show_page(window.case_list)
    window.case_list.table.selectRow(0)
    yield "01-case-list", window
    window.case_list.filter_edit.setText("ov")
    yield "02-case-list-filtered", window
    window.case_list.filter_edit.clear()
    for stem, page in (
        ("30-meetings", window.meetings),
        ("31-actions", window.actions_page),
        ("32-today", window.start_page),
        ("33-referrals", window.referrals_page),
        ("34-statistics", window.statistics_page),
    ):
        window.show_page(page)
        yield stem, window


def _record(window: MainWindow, wait: Wait) -> Iterator[Stop]:
    """A Level 2/3 case (a richer record), each of its tabs, then a risk-form validation error."""
    from ui.views.case_record import CaseRecord

    model = window.case_list.model
    if model.rowCount() == 0:
        return
    target = next(
        (model.row_at(r).id for r in range(model.rowCount()) if (model.row_at(r).level or 0) >= 2),
        model.row_at(0).id,
    )
    window.open_case(target)
    record = window.tabs.currentWidget()
    if not isinstance(record, CaseRecord):
        return
    wait(lambda: record.is_loaded)
    tabs = record.tabs
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        label = tabs.tabText(i).replace("&", "").lower().replace(" ", "-")
        yield f"{3 + i:02d}-record-{label}", window
    _risk_validation_example(record, tabs)
    yield "20-risk-form-validation", window


def _risk_validation_example(record: QWidget, tabs: QTabWidget) -> None:
    """Fill the risk form but date it before the date of birth, and press save."""
    from mappa_desktop.domain.enums import RiskSetting
    from ui.views.case_record import CaseRecord

    if not isinstance(record, CaseRecord):
        return
    risk = record.risk
    tabs.setCurrentWidget(risk)
    form = risk.form
    view = form.view

    def pick(combo: QComboBox, text: str) -> None:
        combo.setCurrentIndex(max(combo.findText(text), 0))

    pick(view.overall_combo, "High")
    for (setting, _group), combo in view.rating_combos.items():
        if setting is RiskSetting.COMMUNITY:
            pick(combo, "Medium")
    view.date_edit.setText("1901-01-01")
    form.save()


def _meeting(window: MainWindow, wait: Wait) -> Iterator[Stop]:
    """The richest open meeting (``meeting.tour``), then its audit trail."""
    from ui.views.meeting.tour import screenshot_tour
    from ui.views.meeting.view import MeetingView

    yield from screenshot_tour(window)
    view = window.tabs.currentWidget()
    if isinstance(view, MeetingView):
        trail = view.open_audit_trail()
        wait(lambda: trail.isVisible())
        yield "46-meeting-audit-trail", trail
        trail.close()


def _signed_meeting(window: MainWindow, wait: Wait) -> Iterator[Stop]:
    """The chair's sign-off window (the PDF preview loaded) and distribution, on the latest
    signed meeting (else one awaiting sign-off, for the sign-off window only)."""
    from ui.views.signoff import open_distribution, open_sign_off
    from ui.views.signoff.window import SignOffWindow

    rows = window.meetings.model.rows()
    signed = [r for r in rows if r.status in (MeetingStatus.SIGNED_OFF, MeetingStatus.DISTRIBUTED)]
    waiting = [r for r in rows if r.status is MeetingStatus.AWAITING_SIGN_OFF]
    if signed or waiting:
        sign_off = open_sign_off(window.ctx, (signed or waiting)[-1].id, window)
        assert isinstance(sign_off, SignOffWindow)
        wait(lambda: sign_off.data is not None and sign_off.preview.ready)
        yield "50-sign-off-preview", sign_off
        sign_off.close()
    if signed:
        dialog = open_distribution(window.ctx, signed[-1].id, window)
        wait(dialog.isVisible)
        yield "51-distribution", dialog
        dialog.close()


def _dialogs(window: MainWindow, wait: Wait) -> Iterator[Stop]:
    """The other dialogs, each with what it shows on opening."""
    from ui.dialogs.connection import ConnectionDialog
    from ui.dialogs.guide import open_guide
    from ui.dialogs.who import WhoDialog
    from ui.views.record.conflict_dialog import ConflictDialog, ConflictRow

    meetings = window.meetings
    schedule = meetings.new_meeting()
    if schedule is not None:
        yield "60-schedule-meeting", schedule
        schedule.close()
    planned = [r for r in meetings.model.rows() if r.status is MeetingStatus.PLANNED]
    if planned:
        agenda = meetings.edit_agenda(planned[0].id)
        if agenda is not None:
            yield "61-agenda", agenda
            agenda.close()
    referrals = window.referrals_page
    window.show_page(referrals)
    new_referral = referrals.new_referral()
    yield "62-new-referral", new_referral
    new_referral.close()
    if referrals.table.model() is not None and referrals.table.model().rowCount():
        referrals.table.selectRow(0)
        screening = referrals.screen_selected()
        if screening is not None:
            yield "63-screening", screening
            screening.close()
    conflict = ConflictDialog(
        "Details",
        "a co-ordinator (today at 10:42)",
        [
            ConflictRow("Family name", "Wiśniewska", "Wiśniewski", True, True),
            ConflictRow("Date of birth", "1984-03-02", "1984-03-02", True, False),
            ConflictRow("Address", "12 Mill Lane", "", False, True),
        ],
        window,
    )
    conflict.open()
    yield "64-conflict", conflict
    conflict.close()
    with window.ctx.read_sessions() as s:
        users = people_rows(s)
    who = WhoDialog(users, window)
    who.open()
    yield "65-who-is-using", who
    who.close()
    connection = ConnectionDialog(window.ctx.url, window)
    connection.open()
    yield "66-connection", connection
    connection.close()
    guide = open_guide(window)
    yield "67-user-guide", guide
    guide.close()
    window.show_shortcuts()
    for box in [b for b in window.findChildren(QMessageBox) if b.isVisible()]:
        yield "68-keyboard-shortcuts", box
        box.close()


# ----- the command --------------------------------------------------------------------------------


def take(
    out: Path,
    cases: int,
    *,
    palette_names: tuple[str, ...] = ("system",),
    sizes: tuple[tuple[int, int], ...] = (SIZE,),
) -> list[Path]:
    from mappa_desktop.demo.generate import generate_demo
    from mappa_desktop.services.database import open_database

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    style.follow_palette(app)
    system = QPalette(app.palette())
    work = Path(tempfile.mkdtemp(prefix="mappa-shots-"))
    os.environ.setdefault("MAPPA_HOME", str(work / "home"))
    database = open_database(f"sqlite:///{work / 'demo.sqlite3'}")  # a new file, at head
    engine = database.engine
    generate_demo(engine, cases=cases, seed=2026, today=TODAY)
    with database.sessions.begin() as s:
        login = next(u.login for u in people_rows(s) if "coordinator" in {r.value for r in u.roles})
        actor = people.get_actor(s, login)
    saved: list[Path] = []
    several = len(palette_names) * len(sizes) > 1
    for name in palette_names:
        app.setPalette(system if name == "system" else palettes.BY_NAME[name]())
        settle(app)
        for width, height in sizes:
            folder = out / f"{name}-{width}x{height}" if several else out
            ctx = AppContext(
                url=str(engine.url),
                engine=engine,
                actor=actor,
                runner=TaskRunner(SyncPool()),
                bus=ChangeBus(),
                today=lambda: TODAY,
            )
            saved.extend(_shoot(app, ctx, folder, (width, height)))
    engine.dispose()
    return saved


def _shoot(app: QApplication, ctx: AppContext, out: Path, size: tuple[int, int]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow(ctx)
    window.resize(*size)
    window.show()
    window.reload_all()
    settle(app)
    saved: list[Path] = []
    for stem, widget in tour(window):
        if stem == "50-sign-off-preview":
            wait_for(lambda: False, 2.0)  # QPdfView paints the pages asynchronously
        settle(app)
        path = out / f"{stem}.png"
        widget.grab().save(str(path))
        saved.append(path)
    window.close()
    window.deleteLater()
    settle(app)
    return saved


def people_rows(session: Session) -> list[people.UserRow]:
    """Every user in the order they were created (the tour's dialog and actor depend on it)."""
    return sorted(people.list_users(session), key=lambda u: u.id)


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument(
        "--palette",
        action="append",
        choices=["system", *palettes.BY_NAME],
        help="system (default), light, dark or high-contrast; repeat for several",
    )
    parser.add_argument(
        "--size", action="append", type=_size, help="WIDTHxHEIGHT (default 1400x860); repeat"
    )
    args = parser.parse_args(argv)
    chosen = tuple(args.palette or ["system"])
    sizes = tuple(args.size or [SIZE])
    for path in take(args.out, args.cases, palette_names=chosen, sizes=sizes):
        sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
