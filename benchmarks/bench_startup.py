"""Start-up to a usable main window beside a bare Qt window, measured in the same run.

A fresh Python process (as `mappa-desktop` would be) imports the app, opens a 2,000-case demo
database through the real start-up path (schema check, who is acting, main window, background
load) and reports when the window is shown with the first screenful of cases; the parent times
it from spawning the process. The reference is the least any PySide6 app pays: a process that
imports QtWidgets, creates the QApplication and shows an empty QMainWindow. Runs alternate
(median of 3); start-up must stay within 6x of the bare window (ARCHITECTURE.md §8 asks for
2 s, which is about that on the reference machine). Offscreen: no window manager time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import Figure, compare, interleaved, make_demo

CASES = 2_000
RUNS = 3
BAR_RATIO = 6.0
BARE_QT = (
    "import os\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication([])\n"
    "window = QMainWindow()\n"
    "window.show()\n"
    "app.processEvents()\n"
    "print('READY', flush=True)\n"
    "os._exit(0)\n"
)


def measure(workdir: Path) -> list[Figure]:
    path, _seconds = make_demo(workdir, CASES)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "MAPPA_HOME": str(workdir / "startup-home"),
        "XDG_CONFIG_HOME": str(workdir / "startup-config"),
    }

    def start(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, *args], capture_output=True, text=True, env=env, timeout=120
        )
        assert "READY" in done.stdout, done.stdout + done.stderr

    times = interleaved(
        {
            "app": lambda: start("-m", "benchmarks.bench_startup", f"sqlite:///{path}"),
            "bare": lambda: start("-c", BARE_QT),
        },
        RUNS,
    )
    return [
        compare(
            f"start-up to a usable main window ({CASES:,} cases), median of {RUNS}",
            statistics.median(times["app"]),
            "bare PySide6 QMainWindow shown",
            statistics.median(times["bare"]),
            bar=BAR_RATIO,
        )
    ]


def _child(url: str) -> None:
    from PySide6.QtWidgets import QApplication

    from ui.app import Launcher

    app = QApplication([])
    launcher = Launcher(app, user=_first_login(url))
    failures: list[str] = []
    launcher.open(url, on_failed=failures.append)
    while not failures and (launcher.window is None or launcher.window.case_list.model.total == 0):
        app.processEvents()
        time.sleep(0.002)
    if failures:
        sys.stdout.write(f"FAILED {failures[0]}\n")
        return
    app.processEvents()
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    os._exit(0)  # the measurement is over; skip tearing down Qt


def _first_login(url: str) -> str:
    import sqlite3

    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        (login,) = conn.execute("SELECT login FROM app_user ORDER BY id LIMIT 1").fetchone()
    return str(login)


if __name__ == "__main__":
    _child(sys.argv[1])
