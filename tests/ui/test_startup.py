"""The real program starts and stays up: `mappa-desktop --demo` on SQLite (creating the demo
database on first run) and `mappa-desktop --database URL` on PostgreSQL, with no traceback."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Database

pytestmark = [pytest.mark.gui, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
READY_DEADLINE_S = 240.0  # a condition is awaited; this only bounds a hang


def _start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        MAPPA_HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    env.pop("MAPPA_DATABASE_URL", None)
    log = tmp_path / "stderr.txt"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mappa_desktop", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    return proc, log


def _log_text(home: Path) -> str:
    path = home / "logs" / "mappa-desktop.log"
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _stays_up_until(
    proc: subprocess.Popen[bytes], log: Path, ready: Callable[[], bool], what: str
) -> str:
    """Poll until ``ready()`` while the app must stay up; then stop it and check stderr.

    The deadline is generous (a busy machine is slow); the test waits for the condition, never
    for a fixed time, and fails at once if the app exits."""
    try:
        deadline = time.monotonic() + READY_DEADLINE_S
        while not ready():
            assert proc.poll() is None, f"the app exited with {proc.returncode}: {log.read_text()}"
            assert time.monotonic() < deadline, f"{what} not seen within {READY_DEADLINE_S} s"
            time.sleep(0.1)
        assert proc.poll() is None, f"the app exited with {proc.returncode}: {log.read_text()}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text, text
    assert "error:" not in text, text
    return text


def test_demo_starts_stays_up_and_creates_the_demo_database(tmp_path: Path) -> None:
    proc, log = _start(tmp_path, "--demo")
    home = tmp_path / "home"
    _stays_up_until(proc, log, lambda: "demo data ready" in _log_text(home), "the demo fill")
    demo = tmp_path / "home" / "data" / "mappa-demo.sqlite3"
    assert demo.exists()
    with sqlite3.connect(demo) as conn:
        (cases,) = conn.execute("SELECT count(*) FROM mappa_case").fetchone()
        (meetings,) = conn.execute("SELECT count(*) FROM meeting").fetchone()
    assert cases == 2000 and meetings > 0
    assert (tmp_path / "home" / "logs" / "mappa-desktop.log").exists()


@pytest.mark.pg
@pytest.mark.parametrize("db", ["pg"], indirect=True)
def test_opens_a_postgresql_database_and_stays_up(tmp_path: Path, db: Database) -> None:
    proc, log = _start(tmp_path, "--database", db.url)
    home = tmp_path / "home"
    _stays_up_until(proc, log, lambda: "main window shown" in _log_text(home), "the main window")


def test_refuses_an_unreachable_database_with_one_line(tmp_path: Path) -> None:
    proc, log = _start(tmp_path, "--database", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline:
        if "error:" in log.read_text(encoding="utf-8", errors="replace"):
            break  # the error box now waits for a click; the message is on stderr
        time.sleep(0.2)
    proc.kill()
    proc.wait()
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text, text
    assert "could not be opened" in text or "error:" in text, text
