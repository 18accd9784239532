"""Screenshots of every screen on demo data, for the README and for review.

    QT_QPA_PLATFORM=offscreen python -m ui.screenshots --out docs/screenshots

Builds a throwaway demo database, opens the main window at a fixed size, and saves a PNG of the
case list, each tab of a case record, the risk form showing a validation error, the meetings and
the actions lists.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

from mappa_desktop.db.engine import make_engine
from mappa_desktop.db.schema import migrate
from mappa_desktop.services import people
from ui.bus import ChangeBus
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.tasks import SyncPool, TaskRunner

SIZE = (1400, 860)
TODAY = date(2026, 11, 24)


def _settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def _tabs(widget: QWidget) -> Iterator[QTabWidget]:
    yield from widget.findChildren(QTabWidget)


def take(out: Path, cases: int) -> list[Path]:
    from mappa_desktop.demo.generate import generate_demo

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    work = Path(tempfile.mkdtemp(prefix="mappa-shots-"))
    os.environ.setdefault("MAPPA_HOME", str(work / "home"))
    engine = make_engine(f"sqlite:///{work / 'demo.sqlite3'}")
    migrate(engine)
    generate_demo(engine, cases=cases, seed=2026, today=TODAY)
    from mappa_desktop.db.engine import make_session_factory

    with make_session_factory(engine).begin() as s:
        login = next(u.login for u in people_rows(s) if "coordinator" in {r.value for r in u.roles})
        actor = people.get_actor(s, login)
    ctx = AppContext(
        url=str(engine.url),
        engine=engine,
        actor=actor,
        runner=TaskRunner(SyncPool()),
        bus=ChangeBus(),
        today=lambda: TODAY,
    )
    window = MainWindow(ctx)
    window.setMinimumSize(*SIZE)
    window.resize(*SIZE)
    window.show()
    window.reload_all()
    _settle(app)
    saved: list[Path] = []

    def shot(name: str) -> None:
        _settle(app)
        path = out / f"{name}.png"
        window.grab().save(str(path))
        saved.append(path)

    window.case_list.table.selectRow(0)
    shot("01-case-list")
    window.case_list.filter_edit.setText("ov")
    shot("02-case-list-filtered")
    window.case_list.filter_edit.clear()
    # Open a Level 2/3 case: richer record.
    model = window.case_list.model
    target = next(
        (model.row_at(r).id for r in range(model.rowCount()) if (model.row_at(r).level or 0) >= 2),
        model.row_at(0).id,
    )
    window.open_case(target)
    _settle(app)
    record = window.tabs.currentWidget()
    inner = [t for t in _tabs(record)]
    if inner:
        tabs = inner[0]
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            label = tabs.tabText(i).replace("&", "").lower().replace(" ", "-")
            shot(f"{3 + i:02d}-record-{label}")
        _risk_validation_example(record, tabs)
        shot("20-risk-form-validation")
    window.tabs.setCurrentIndex(1)
    shot("30-meetings")
    window.tabs.setCurrentIndex(2)
    shot("31-actions")
    from ui.views.meeting.tour import screenshot_tour

    for name, widget in screenshot_tour(window):
        _settle(app)
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        saved.append(path)
    saved.extend(_sign_off_shots(app, ctx, window, out))
    window.close()
    engine.dispose()
    return saved


def _risk_validation_example(record: QWidget, tabs: QTabWidget) -> None:
    """Fill the risk form but date it before the date of birth, and press save."""
    from PySide6.QtWidgets import QComboBox

    from mappa_desktop.domain.enums import RiskSetting
    from ui.views.case_record import CaseRecord

    if not isinstance(record, CaseRecord):
        return
    risk = record.risk
    for i in range(tabs.count()):
        if tabs.widget(i) is risk:
            tabs.setCurrentIndex(i)
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


def _sign_off_shots(
    app: QApplication, ctx: AppContext, window: MainWindow, out: Path
) -> list[Path]:
    """The chair's sign-off window on a signed meeting (the PDF preview loaded)."""
    import time

    from ui.views.signoff import open_sign_off

    rows = [r for r in window.meetings.model.rows() if r.status.value == "signed_off"]
    if not rows:
        return []
    widget = open_sign_off(ctx, rows[-1].id, window)
    widget.resize(*SIZE)
    widget.show()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # QPdfView renders asynchronously
        app.processEvents()
        time.sleep(0.05)
    path = out / "50-sign-off-preview.png"
    widget.grab().save(str(path))
    widget.close()
    return [path]


def people_rows(session: object) -> list[people.UserRow]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from mappa_desktop.db.models import User

    assert isinstance(session, Session)
    return [people.user_row(u) for u in session.scalars(select(User).order_by(User.id))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args(argv)
    for path in take(args.out, args.cases):
        sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
