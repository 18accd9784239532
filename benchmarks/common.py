"""What every benchmark shares: the ``Figure`` it reports and the demo databases it measures."""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

BENCH_SEED = 1
LARGE = 100_000


@dataclass
class Figure:
    """One measured number and the bar it must meet (``None``: reported, not judged)."""

    name: str
    value: float
    unit: str
    bar: float | None
    lower_is_better: bool = True

    @property
    def passed(self) -> bool:
        if self.bar is None:
            return True
        return self.value <= self.bar if self.lower_is_better else self.value >= self.bar

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "bar": self.bar,
            "lower_is_better": self.lower_is_better,
            "passed": self.passed,
        }


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Wall-clock seconds taken by ``fn()`` and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def demo_path(workdir: Path, cases: int) -> Path:
    return workdir / f"demo-{cases}.sqlite3"


def make_demo(workdir: Path, cases: int, *, meetings: bool = True) -> tuple[Path, float]:
    """Generate a fresh demo SQLite file of ``cases`` cases; returns it and the seconds taken
    by the generation itself (the schema is created first, untimed)."""
    from mappa_desktop.db.engine import make_engine
    from mappa_desktop.db.schema import migrate
    from mappa_desktop.demo.generate import generate_demo

    path = demo_path(workdir, cases)
    done = path.with_suffix(".done")
    done.unlink(missing_ok=True)
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
        seconds, _ = timed(
            lambda: generate_demo(engine, cases=cases, seed=BENCH_SEED, meetings=meetings)
        )
    finally:
        engine.dispose()
    done.write_text(f"{seconds}\n")
    return path, seconds


def demo_database(workdir: Path, cases: int) -> Path:
    """The demo file of ``cases`` cases in ``workdir``, generated only if no complete one exists
    (``bench_demo`` leaves one for the others)."""
    path = demo_path(workdir, cases)
    if not path.with_suffix(".done").exists():
        make_demo(workdir, cases)
    return path
