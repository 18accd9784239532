"""Demo generation: 100,000 cases on SQLite within 30 s (bulk Core inserts, one transaction)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.common import LARGE, Figure, make_demo

ORDER = 0  # first: the other benchmarks reuse the file it leaves
BAR_SECONDS = 30.0


def measure(workdir: Path) -> list[Figure]:
    _, seconds = make_demo(workdir, LARGE)
    return [
        Figure(f"demo generation, {LARGE:,} cases, SQLite", round(seconds, 2), "s", BAR_SECONDS)
    ]
