"""The case list at 100,000 cases: ``list_cases`` beside a raw ``sqlite3`` read of the same rows.

The raw read runs the very statements ``list_cases`` runs (``case_list_sql``) with the standard
library's ``sqlite3`` and ``fetchall``: the limit for any Python reader. ``list_cases`` must stay
within 3x of it (TECH-NOTES measured about 2.2x on two machines 2x apart). The two are timed in
turn in one child process, as the app would read the list (the figures are not skewed by the
memory or caches of the process that generated the data); the process's peak memory keeps its
absolute bar of 400 MB (memory does not vary with the machine's speed).
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.common import (
    LARGE,
    Figure,
    case_list_sql,
    compare,
    demo_database,
    interleaved,
    peak_rss_mb,
)

BAR_RATIO = 3.0
BAR_MB = 400.0
RUNS = 3


def measure(workdir: Path) -> list[Figure]:
    path = demo_database(workdir, LARGE)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_case_list", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(done.stdout)
    n = f"{r['cases']:,} cases"
    return [
        compare(
            f"list_cases, {n} (median of {RUNS})",
            r["list_cases"],
            "raw sqlite3 read of the same rows",
            r["raw"],
            bar=BAR_RATIO,
        ),
        compare(
            f"list_cases, {n}, first call",
            r["first"],
            "raw sqlite3 read, first call",
            r["raw_first"],
            bar=None,
        ),
        Figure("peak memory while listing", round(r["peak_mb"], 1), "MB", BAR_MB),
    ]


def _child(path: str) -> None:
    from mappa_desktop.db.engine import make_engine, make_session_factory, read_engine
    from mappa_desktop.services.listing import list_cases

    statements = case_list_sql(Path(path))
    engine = make_engine(f"sqlite:///{path}")
    sessions = make_session_factory(read_engine(engine))
    raw = sqlite3.connect(path)
    counts: list[int] = []

    def ours() -> None:
        with sessions() as session:
            counts.append(len(list_cases(session)))

    def plain() -> None:
        for sql in statements:
            raw.execute(sql).fetchall()

    times = interleaved({"ours": ours, "raw": plain}, RUNS)
    json.dump(
        {
            "cases": counts[0],
            "first": times["ours"][0],
            "raw_first": times["raw"][0],
            "list_cases": statistics.median(times["ours"]),
            "raw": statistics.median(times["raw"]),
            "peak_mb": peak_rss_mb(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    _child(sys.argv[1])
