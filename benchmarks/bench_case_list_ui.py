"""The GUI case list at 100,000 cases beside a plain Python list and ``QSortFilterProxyModel``.

Runs in a child process with an offscreen QApplication: the real CaseList widget on a demo file,
loading through the app's own background task runner (a real thread pool). "Shown" is the time
until the first screenful of cases (alphabetical) is painted; "whole list" until all of them are
in the model. Then, judged as ratios measured in the same process:

- a filter keystroke (typing "petrov a", then erasing it, one key at a time, each until
  painted) beside a plain Python scan of the same rows for the same text (one lower-cased string
  per row, ``needle in haystack``: the floor for filtering in Python), at most 3x;
- a sort by each column, both directions, until painted, beside sorting the same ``CaseRow``
  list in plain Python by that column, at most 1.5x;
- the same keystrokes and sorts on ``PEER_ROWS`` rows (the first of the register) through the
  case model and through ``QSortFilterProxyModel`` over a model of the same rows (all columns,
  case-insensitive fixed string; sorting calls ``data()`` on every comparison), each in its own
  offscreen ``QTableView``: the case list must be at least 4x faster (ratio <= 0.25). The proxy
  is capped at ``PEER_ROWS`` because sorting 100,000 rows through it takes about 9 s a column
  (TECH-NOTES §3); the cap is printed in the figure's name.

Absolute times are printed for information; peak memory keeps its absolute bar of 400 MB.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.common import LARGE, Figure, compare, demo_database, peak_rss_mb

TYPED = "petrov a"  # typed one key at a time, then erased one key at a time
PEER_ROWS = 10_000
PEER_TYPED = "petrov"
BAR_SCAN = 3.0
BAR_PLAIN_SORT = 1.5
BAR_PROXY = 0.25


def measure(workdir: Path) -> list[Figure]:
    path = demo_database(workdir, LARGE)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_case_list_ui", f"sqlite:///{path}"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    r = json.loads(done.stdout.strip().splitlines()[-1])
    n = f"{r['cases']:,} cases"
    peer = f"{PEER_ROWS:,} rows (proxy capped)"
    return [
        Figure(f"case list shown (first screenful painted), {n}", r["shown"], "s", None),
        Figure(f"case list: whole list loaded and painted, {n}", r["whole"], "s", None),
        compare(
            f"filter keystroke, median of {r['keys']}, {n}",
            r["key_median"],
            "plain Python scan of the same rows",
            r["scan_median"],
            bar=BAR_SCAN,
        ),
        compare(
            f"filter keystroke, worst of {r['keys']}, {n}",
            r["key_max"],
            "plain Python scan, worst",
            r["scan_max"],
            bar=None,
        ),
        compare(
            f"sort by a column, median of {r['sorts']}, {n}",
            r["sort_median"],
            "plain Python sort of the CaseRow list",
            r["plain_sort_median"],
            bar=BAR_PLAIN_SORT,
        ),
        compare(
            f"sort by a column, worst of {r['sorts']}, {n}",
            r["sort_max"],
            "plain Python sort, worst",
            r["plain_sort_max"],
            bar=None,
        ),
        compare(
            f"filter keystroke, median, {peer}",
            r["peer_key"],
            "QSortFilterProxyModel",
            r["proxy_key"],
            bar=BAR_PROXY,
        ),
        compare(
            f"sort by a column, median, {peer}",
            r["peer_sort"],
            "QSortFilterProxyModel",
            r["proxy_sort"],
            bar=BAR_PROXY,
        ),
        Figure("peak memory of the GUI process", r["peak_mb"], "MB", 400.0),
    ]


def _keystrokes(text: str) -> list[str]:
    typed = [text[: n + 1] for n in range(len(text))]
    return typed + typed[-2::-1] + [""]


def _painted(app: Any, fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    app.processEvents()
    return time.perf_counter() - start


def _child(url: str) -> None:
    from PySide6.QtCore import QSortFilterProxyModel, Qt, QThreadPool
    from PySide6.QtWidgets import QApplication, QTableView

    from mappa_desktop.db.engine import make_engine, make_session_factory
    from mappa_desktop.services import people
    from mappa_desktop.services.actor import Actor
    from mappa_desktop.services.listing import CaseRow
    from ui.bus import ChangeBus
    from ui.context import AppContext
    from ui.models.case_table import CaseFilter, CaseTableModel
    from ui.tasks import TaskRunner
    from ui.views.case_list import CaseList

    app = QApplication([])
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        first = people.list_people(s)[0]
        expected = int(
            s.connection().exec_driver_sql("SELECT count(*) FROM mappa_case").scalar_one()
        )
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
    while widget.model.total < expected:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()
    widget.repaint()
    whole = time.perf_counter() - start
    model = widget.model
    rows: list[CaseRow] = [model.row_at(i) for i in range(model.rowCount())]  # by name

    # Filter: the widget, and a plain scan of one lower-cased string per row.
    keys = [_painted(app, partial(widget.filter_edit.setText, t)) for t in _keystrokes(TYPED)]
    haystack = [
        "\x1f".join(
            (r.family_name, r.given_names, *r.aliases, *(v for _s, v in r.identifiers))
        ).casefold()
        for r in rows
    ]
    scans = []
    for text in _keystrokes(TYPED):
        t0 = time.perf_counter()
        for token in text.casefold().split():
            [i for i, h in enumerate(haystack) if token in h]
        scans.append(time.perf_counter() - t0)

    # Sort: the widget by each column, and the plain list by the same column's value.
    plain_keys: list[Callable[[CaseRow], Any]] = [
        lambda r: r.display_name.casefold(),
        lambda r: r.identifiers[0][1].casefold() if r.identifiers else "\uffff",
        lambda r: r.category or 0,
        lambda r: r.level or 0,
        lambda r: r.lead_agency.casefold(),
        lambda r: r.overall_rosh.rank if r.overall_rosh else 0,
        lambda r: r.next_review_due.toordinal() if r.next_review_due else 10**7,
        lambda r: r.open_actions,
    ]
    sorts, plain_sorts = [], []
    for column, key in enumerate(plain_keys):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            sorts.append(_painted(app, partial(widget.table.sortByColumn, column, order)))
            descending = order == Qt.SortOrder.DescendingOrder
            t0 = time.perf_counter()
            sorted(rows, key=key, reverse=descending)
            plain_sorts.append(time.perf_counter() - t0)
    widget.close()

    # Peer: the same PEER_ROWS rows through the case model and through the proxy.
    few = rows[:PEER_ROWS]
    ours = CaseTableModel()
    ours.set_rows(few)
    source = CaseTableModel()
    source.set_rows(few)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(source)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    views = []
    for m in (ours, proxy):
        view = QTableView()
        view.setModel(m)
        view.resize(1400, 800)
        view.show()
        views.append(view)
    app.processEvents()
    peer_keys = [
        _painted(app, partial(ours.set_filter, CaseFilter(text=t))) for t in _keystrokes(PEER_TYPED)
    ]
    proxy_keys = [
        _painted(app, partial(proxy.setFilterFixedString, t)) for t in _keystrokes(PEER_TYPED)
    ]
    peer_sorts, proxy_sorts = [], []
    for column in (CaseTableModel.IDENTIFIERS, CaseTableModel.AGENCY, CaseTableModel.REVIEW):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            peer_sorts.append(_painted(app, partial(ours.sort, column, order)))
            proxy_sorts.append(_painted(app, partial(proxy.sort, column, order)))

    result = {
        "cases": len(rows),
        "shown": round(shown, 3),
        "whole": round(whole, 3),
        "keys": len(keys),
        "key_max": max(keys),
        "key_median": statistics.median(keys),
        "scan_max": max(scans),
        "scan_median": statistics.median(scans),
        "sorts": len(sorts),
        "sort_max": max(sorts),
        "sort_median": statistics.median(sorts),
        "plain_sort_max": max(plain_sorts),
        "plain_sort_median": statistics.median(plain_sorts),
        "peer_key": statistics.median(peer_keys),
        "proxy_key": statistics.median(proxy_keys),
        "peer_sort": statistics.median(peer_sorts),
        "proxy_sort": statistics.median(proxy_sorts),
        "peak_mb": round(peak_rss_mb(), 1),
    }
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    _child(sys.argv[1])
