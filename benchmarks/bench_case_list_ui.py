"""The GUI case list at 100,000 cases: shown <= 1 s, <= 100 ms per filter keystroke, <= 150 ms
per sort, peak memory <= 400 MB (ARCHITECTURE.md §8).

Runs in a child process with an offscreen QApplication: the real CaseList widget on a demo file,
loading through the app's own background task runner (a real thread pool). "Shown" is the time
until the first screenful of cases (alphabetical) is painted; "whole list" until all 100,000 are
in the model and filtering/sorting work on all of them.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import LARGE, Figure, demo_database, peak_rss_mb

TYPED = "petrov a"  # typed one key at a time, then erased one key at a time


def measure(workdir: Path) -> list[Figure]:
    path = demo_database(workdir, LARGE)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_case_list_ui", f"sqlite:///{path}"],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    r = json.loads(done.stdout.strip().splitlines()[-1])
    n = f"{r['cases']:,} cases"
    return [
        Figure(f"case list shown (first screenful painted), {n}", r["shown"], "s", 1.0),
        Figure(f"case list: whole list loaded and painted, {n}", r["whole"], "s", None),
        Figure(f"filter keystroke, worst of {r['keys']}, {n}", r["key_max"], "s", 0.100),
        Figure(f"filter keystroke, median, {n}", r["key_median"], "s", None),
        Figure(f"sort by a column, worst of {r['sorts']}, {n}", r["sort_max"], "s", 0.150),
        Figure(f"sort by a column, median, {n}", r["sort_median"], "s", None),
        Figure("peak memory of the GUI process", r["peak_mb"], "MB", 400.0),
    ]


def _child(url: str) -> None:
    from PySide6.QtCore import Qt, QThreadPool
    from PySide6.QtWidgets import QApplication

    from mappa_desktop.db.engine import make_engine, make_session_factory
    from mappa_desktop.services import people
    from mappa_desktop.services.actor import Actor
    from ui.bus import ChangeBus
    from ui.context import AppContext
    from ui.models.case_table import CaseTableModel
    from ui.tasks import TaskRunner
    from ui.views.case_list import CaseList

    app = QApplication([])
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        first = people.list_people(s)[0]
    actor = Actor(1, "bench", first.id, first.display_name, frozenset())
    ctx = AppContext(
        url=url,
        engine=engine,
        actor=actor,
        runner=TaskRunner(QThreadPool.globalInstance()),
        bus=ChangeBus(),
    )
    widget = CaseList(ctx)
    widget.resize(1400, 800)
    start = time.perf_counter()
    widget.show()
    widget.reload()
    while widget.model.total == 0:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()
    widget.repaint()
    shown = time.perf_counter() - start
    while widget.model.total < 1000:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()
    widget.repaint()
    whole = time.perf_counter() - start
    cases = widget.model.total

    keys: list[float] = []
    text = ""
    for ch in TYPED:
        text += ch
        t0 = time.perf_counter()
        widget.filter_edit.setText(text)
        app.processEvents()
        keys.append(time.perf_counter() - t0)
    while text:
        text = text[:-1]
        t0 = time.perf_counter()
        widget.filter_edit.setText(text)
        app.processEvents()
        keys.append(time.perf_counter() - t0)

    sorts: list[float] = []
    for column in range(len(CaseTableModel.COLUMNS)):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            t0 = time.perf_counter()
            widget.table.sortByColumn(column, order)
            app.processEvents()
            sorts.append(time.perf_counter() - t0)
    result = {
        "cases": cases,
        "shown": round(shown, 3),
        "whole": round(whole, 3),
        "keys": len(keys),
        "key_max": round(max(keys), 4),
        "key_median": round(statistics.median(keys), 4),
        "sorts": len(sorts),
        "sort_max": round(max(sorts), 4),
        "sort_median": round(statistics.median(sorts), 4),
        "peak_mb": round(peak_rss_mb(), 1),
    }
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    _child(sys.argv[1])
