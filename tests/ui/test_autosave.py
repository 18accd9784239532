"""Nothing typed is lost: the app process killed with SIGKILL after or during typing, and the
PostgreSQL connection lost mid-edit. The journal itself is tested in
tests/mappa_desktop/test_journal.py."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from mappa_desktop.db.models import Decision
from mappa_desktop.domain.enums import DecisionKind
from mappa_desktop.journal import Journal
from mappa_desktop.services import discussions, meetings
from tests.conftest import Database
from tests.ui.meeting_helpers import (
    FAST,
    chair,
    context,
    journal_for,
    journaled,
    scheduled_meeting,
    seed,
    type_text,
)
from ui.views.meeting import MeetingView
from ui.views.meeting.case_page import CasePage
from ui.views.meeting.sections.decisions import decision_draft_key

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[2]

# The app as a user runs it: a real QThreadPool, the default journal under MAPPA_HOME and the
# default autosave timings (journal after 250 ms, database after 800 ms).
APP_SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QThreadPool, QTimer, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from mappa_desktop.db.engine import make_engine, make_session_factory
    from mappa_desktop.services import people
    from ui.bus import ChangeBus
    from ui.context import AppContext
    from ui.tasks import TaskRunner
    from ui.views.meeting import MeetingView

    url, login, meeting_id, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    first, second, target = sys.argv[5], sys.argv[6], sys.argv[7]
    app = QApplication(sys.argv[:1])
    engine = make_engine(url)
    with make_session_factory(engine).begin() as s:
        actor = people.get_actor(s, login)
    ctx = AppContext(url=url, engine=engine, actor=actor,
                     runner=TaskRunner(QThreadPool.globalInstance()), bus=ChangeBus())
    view = MeetingView(ctx, meeting_id)
    view.resize(1200, 800)
    view.show()
    state = {"started": False}

    def start():
        if state["started"]:
            return
        state["started"] = True
        view.step_page(1)
        page = view.stack.currentWidget()
        editor = page.risk.summary.editor if target == "risk" else page.decisions.rationale
        editor.setFocus()
        chars = list(first)

        def key(ch):
            QTest.sendKeyEvent(QTest.KeyAction.Click, editor, Qt.Key.Key_unknown, ch,
                               Qt.KeyboardModifier.NoModifier)

        def tick():
            if chars:
                key(chars.pop(0))
                if not chars:
                    print("TYPED-FIRST", flush=True)
                    if mode == "stop":
                        timer.stop()
                        print("STOPPED-TYPING", flush=True)
                    else:
                        timer.setInterval(100)  # keep typing, slowly, until killed
                        chars.extend(second)
            else:
                timer.stop()

        timer = QTimer()
        timer.setInterval(20)
        timer.timeout.connect(tick)
        timer.start()
        state["timer"] = timer

    view.loaded.connect(start)
    sys.exit(app.exec())
    """
)


def _run_app_and_kill(
    tmp_path: Path,
    db: Database,
    login: str,
    meeting_id: int,
    mode: str,
    first: str,
    second: str,
    target: str = "risk",
) -> None:
    script = tmp_path / "app.py"
    script.write_text(APP_SCRIPT, encoding="utf-8")
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO), PYTHONIOENCODING="utf-8")
    log = tmp_path / "app-stderr.txt"
    with (
        log.open("w") as errors,
        subprocess.Popen(
            [
                sys.executable,
                str(script),
                db.url,
                login,
                str(meeting_id),
                mode,
                first,
                second,
                target,
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        ) as proc,
    ):
        _wait_then_kill(proc, mode, log)


def _wait_then_kill(proc: subprocess.Popen[str], mode: str, log: Path) -> None:
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        wanted = "STOPPED-TYPING" if mode == "stop" else "TYPED-FIRST"
        fd = proc.stdout.fileno()
        seen = b""
        # Read the raw pipe (no Python buffering) and never block past the deadline.
        while wanted not in seen.decode("utf-8", "replace").splitlines():
            remaining = deadline - time.monotonic()
            ready, _w, _x = select.select([fd], [], [], max(remaining, 0))
            if not ready:
                raise AssertionError(f"the app never finished typing: {log.read_text()}")
            chunk = os.read(fd, 4096)
            if not chunk:
                raise AssertionError(f"the app ended early: {log.read_text()}")
            seen += chunk
        # "stop": killed 2 s after the last keystroke; "mid": killed while still typing.
        time.sleep(2.0 if mode == "stop" else 0.7)
        assert proc.poll() is None, "the app should still be running"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["stop", "mid"])
def test_text_survives_the_app_being_killed(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, mode: str
) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids[:1])
    first = "Risk to ex-partner in Łódź; Дмитрий says «no contact»."
    second = " Further: new partner has two children."
    _run_app_and_kill(tmp_path, db, actor.login, meeting_id, mode, first, second)

    journal = Journal(db.url)  # the default journal, under MAPPA_HOME, as the app used it
    with db.sessions() as s:
        in_db = discussions.get_discussion(s, discs[0]).risk_summary
    pending = [e.text for e in journal.pending(meeting_id)]
    if mode == "stop":
        # 2 s after typing stopped the database has every word (saved after 800 ms).
        assert in_db == first
    else:
        assert pending or in_db, "neither the database nor the journal holds the text"

    # Reopen the meeting: anything only in the journal is put back and saved.
    view = MeetingView(context(db, actor), meeting_id, **FAST)
    qtbot.addWidget(view)
    with db.sessions() as s:
        recovered = discussions.get_discussion(s, discs[0]).risk_summary
    assert recovered.startswith(first)
    assert (first + second).startswith(recovered)
    if mode == "mid" and pending:
        assert "had not reached the database" in view.notice.text()
    assert journal.pending(meeting_id) == []
    view.step_page(1)
    page = view.stack.currentWidget()
    assert isinstance(page, CasePage)
    assert page.risk.summary.text() == recovered


@pytest.mark.slow
def test_decision_rationale_typed_but_not_recorded_survives_the_app_being_killed(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    """The rationale is typed, the button never pressed, the process SIGKILLed: the next
    opening puts the draft back into the decision form (it is not recorded by itself)."""
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids[:1])
    rationale = "Łukasz: risk stable — «оставить» at Level 2; police agree."
    # "mid": killed 0.7 s into slow typing (one key every 100 ms) after the first part.
    _run_app_and_kill(
        tmp_path, db, actor.login, meeting_id, "mid", rationale, " More words.", "decision"
    )

    journal = Journal(db.url)
    kept = journaled(journal, meeting_id, decision_draft_key(discs[0]))
    assert kept is not None, "the draft never reached the journal"
    with db.sessions() as s:
        assert s.query(Decision).count() == 0  # a draft is never recorded by itself

    view = MeetingView(context(db, actor), meeting_id, **FAST)
    qtbot.addWidget(view)
    assert "1 draft typed but not recorded was put back into its form" in view.notice.text()
    assert "1. Łukasz Wiśniewski: decision" in view.notice.text()
    view.step_page(1)
    page = view.stack.currentWidget()
    assert isinstance(page, CasePage)
    dec = page.decisions
    restored = dec.rationale.toPlainText()
    # At most ~2 s of typing is lost: everything before the kill's last 250 ms or so is there.
    assert restored.startswith(rationale)
    assert (rationale + " More words.").startswith(restored)
    assert "Put back from this computer" in dec.draft_state.text()
    kept = journaled(journal, meeting_id, decision_draft_key(discs[0]))
    assert kept is not None  # until recorded
    dec.record_button.click()
    assert dec.error.isHidden(), dec.error.text()
    assert journal.pending(meeting_id) == []
    with db.sessions() as s:
        decision = s.query(Decision).one()
        assert decision.kind is DecisionKind.LEVEL
        assert decision.rationale == restored.strip()  # the service trims it


@pytest.mark.pg
@pytest.mark.parametrize("db", ["pg"], indirect=True)
def test_lost_postgresql_connection_keeps_edits_and_retries(
    qtbot: QtBot, db: Database, pg_admin: Engine | None, tmp_path: Path
) -> None:
    assert pg_admin is not None
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids[:1])
    journal = journal_for(db, tmp_path)
    view = MeetingView(context(db, actor), meeting_id, journal=journal, **FAST)
    qtbot.addWidget(view)
    view.step_page(1)
    page = view.stack.currentWidget()
    assert isinstance(page, CasePage)
    field = page.risk.summary
    type_text(field.editor, "Before the outage.")
    view.hub.flush_all()
    assert field.state.text().startswith("Saved")

    name = make_url(db.url).database
    away = f"{name}_away"

    def cut() -> None:
        with pg_admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(sa.text(f'ALTER DATABASE "{name}" RENAME TO "{away}"'))

    def restore() -> None:
        with pg_admin.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :away"), {"away": away}
            ).first()
            if exists:
                conn.execute(sa.text(f'ALTER DATABASE "{away}" RENAME TO "{name}"'))

    cut()
    try:
        type_text(field.editor, " During the outage: Łukasz called.")
        view.hub.flush_all()
        assert "Not saved: the database cannot be reached" in field.state.text()
        assert "will retry" in field.state.text()
        assert view.offline_banner.isVisibleTo(view)
        assert "cannot be reached" in view.offline_banner.text()
        kept = journal.get(meeting_id, f"risk_summary/{discs[0]}")
        assert kept is not None
        assert kept.text == "Before the outage. During the outage: Łukasz called."
        type_text(field.editor, " Still typing.")
        qtbot.wait(300)  # a retry or two fail while the database is away
        assert view.hub.offline
        assert journal.get(meeting_id, f"risk_summary/{discs[0]}") is not None
    finally:
        restore()
    qtbot.waitUntil(lambda: field.state.text().startswith("Saved"), timeout=10_000)
    assert not view.offline_banner.isVisibleTo(view)
    assert journal.pending(meeting_id) == []
    with db.sessions() as s:
        saved = discussions.get_discussion(s, discs[0]).risk_summary
        assert saved == "Before the outage. During the outage: Łukasz called. Still typing."
        assert meetings.get_meeting(s, meeting_id).meeting.status.value == "planned"
