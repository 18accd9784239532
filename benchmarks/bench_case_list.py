"""The case list at 100,000 cases: ``list_cases`` within 1 s, the process within 400 MB.

The list is read in a child process, as the app would read it: the figures are not skewed by
the memory or caches of the process that generated the data.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.common import LARGE, Figure, demo_database, peak_rss_mb, timed

BAR_SECONDS = 1.0
BAR_MB = 400.0
RUNS = 3


def measure(workdir: Path) -> list[Figure]:
    path = demo_database(workdir, LARGE)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_case_list", f"sqlite:///{path}"],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    return [
        Figure(
            f"list_cases, {LARGE:,} cases (median of {RUNS})",
            round(result["median_seconds"], 3),
            "s",
            BAR_SECONDS,
        ),
        Figure(
            f"list_cases, {LARGE:,} cases (first call)",
            round(result["first_seconds"], 3),
            "s",
            None,
        ),
        Figure("peak memory while listing", round(result["peak_mb"], 1), "MB", BAR_MB),
    ]


def _child(url: str) -> None:
    from mappa_desktop.db.engine import make_engine, make_session_factory, read_engine
    from mappa_desktop.services.listing import list_cases

    engine = make_engine(url)
    sessions = make_session_factory(read_engine(engine))
    times: list[float] = []
    count = 0
    for _ in range(RUNS):
        with sessions() as session:
            seconds, rows = timed(lambda: list_cases(session))
        times.append(seconds)
        count = len(rows)
        del rows
    json.dump(
        {
            "first_seconds": times[0],
            "median_seconds": statistics.median(times),
            "cases": count,
            "peak_mb": peak_rss_mb(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    _child(sys.argv[1])
