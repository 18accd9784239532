"""What every benchmark shares: the ``Figure`` it reports, how it is judged, and the demo databases.

Machines of this kind differ by 2x in speed, so a time is judged only against a reference measured
in the same run: the naive path, a peer (another library doing the same job) or the raw limit
(the driver or tool underneath). A benchmark module has ``measure(workdir) -> list[Figure]`` and
builds its figures with two helpers::

    from benchmarks.common import Figure, compare, interleaved

    def measure(workdir: Path) -> list[Figure]:
        times = interleaved({"ours": run_ours, "raw": run_raw}, runs=3)  # alternated runs
        return [
            # judged: ours / raw must be <= 4 (the absolute times are printed beside it)
            compare("statistics, 100,000 cases", min(times["ours"]),
                    "raw sqlite3 GROUP BY", min(times["raw"]), bar=4.0),
            # information only: bar=None
            compare("statistics vs the ORM", ..., "ORM objects", ..., bar=None),
            # not a time (memory, statement counts): a plain Figure keeps an absolute bar
            Figure("peak memory", 120.0, "MB", 400.0),
        ]

``python -m benchmarks.run`` prints each figure as one line,
``name: figure | reference: time | ratio | bar | PASS/FAIL`` (``format_figure``), then a summary
(``summary``). ``Figure(name, value, unit, bar)`` without a reference is judged on its value, as
before; give absolute *times* ``bar=None`` (information) and judge their ratio instead.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

BENCH_SEED = 1
LARGE = 100_000


@dataclass
class Figure:
    """One measured number and the bar it must meet (``None``: reported, not judged).

    With a ``reference`` (measured in the same run) the bar applies to ``ratio`` = value /
    reference, not to the value: ``bar=4`` means "at most 4x the reference"."""

    name: str
    value: float
    unit: str
    bar: float | None
    lower_is_better: bool = True
    reference: float | None = None
    reference_name: str = ""

    @property
    def ratio(self) -> float | None:
        if self.reference is None:
            return None
        return self.value / self.reference if self.reference else float("inf")

    @property
    def judged(self) -> float:
        """What the bar applies to: the ratio when there is a reference, else the value."""
        ratio = self.ratio
        return self.value if ratio is None else ratio

    @property
    def passed(self) -> bool:
        if self.bar is None:
            return True
        return self.judged <= self.bar if self.lower_is_better else self.judged >= self.bar

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "reference_name": self.reference_name or None,
            "reference": self.reference,
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "bar": self.bar,
            "lower_is_better": self.lower_is_better,
            "passed": self.passed,
        }


def compare(
    name: str,
    value: float,
    reference_name: str,
    reference: float,
    *,
    bar: float | None,
    unit: str = "s",
    lower_is_better: bool = True,
) -> Figure:
    """The project's figure beside a reference measured in the same run, judged on their ratio
    (``bar``: the highest ratio allowed, or the lowest with ``lower_is_better=False``)."""
    return Figure(name, value, unit, bar, lower_is_better, reference, reference_name)


def _amount(value: float, unit: str) -> str:
    if unit == "s" and value < 1:
        return f"{value * 1000:.3g} ms"
    return f"{value:.4g} {unit}".rstrip()


def format_figure(figure: Figure) -> str:
    """One line: ``name: figure | reference | ratio | bar | PASS/FAIL`` (or ``information``)."""
    parts = [f"{figure.name}: {_amount(figure.value, figure.unit)}"]
    sign = "<=" if figure.lower_is_better else ">="
    if figure.ratio is not None:
        parts.append(f"{figure.reference_name}: {_amount(figure.reference or 0, figure.unit)}")
        parts.append(f"ratio {figure.ratio:.3g}x")
        if figure.bar is not None:
            parts.append(f"bar {sign} {figure.bar:.3g}x")
    elif figure.bar is not None:
        parts.append(f"bar {sign} {_amount(figure.bar, figure.unit)}")
    if figure.bar is None:
        parts.append("information")
    else:
        parts.append("PASS" if figure.passed else "FAIL")
    return "  " + " | ".join(parts)


def summary(figures: Sequence[Figure]) -> list[str]:
    """Closing lines: how many ratios and absolute bars passed, and each failure by name."""
    ratios = [f for f in figures if f.bar is not None and f.ratio is not None]
    absolute = [f for f in figures if f.bar is not None and f.ratio is None]
    lines = [
        f"{sum(f.passed for f in ratios)} of {len(ratios)} ratios within their bars; "
        f"{sum(f.passed for f in absolute)} of {len(absolute)} absolute bars (memory, counts) "
        f"met; {sum(f.bar is None for f in figures)} figures for information."
    ]
    lines += [f"FAIL {format_figure(f).strip()}" for f in figures if not f.passed]
    return lines


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Wall-clock seconds taken by ``fn()`` and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def interleaved(paths: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Wall-clock seconds of ``runs`` runs of each path, taken in turn (a, b, a, b, ...), so a
    change in the machine's load falls on every path alike; compare their ``min`` (noise only
    ever adds time) or ``statistics.median``."""
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(runs):
        for name, fn in paths.items():
            times[name].append(timed(fn)[0])
    return times


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB.

    On Linux, ``VmHWM`` of /proc/self/status: ``getrusage``'s ``ru_maxrss`` is carried over from
    the parent at fork, so a child started by a parent holding 900 MB would report 900 MB."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
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


def case_list_sql(path: Path) -> list[str]:
    """The SELECT statements ``listing.list_cases`` runs on the SQLite file at ``path``, as run
    (traced by the driver): what the raw-``sqlite3`` and ``sqlite3 -json`` references replay."""
    import sqlite3

    from mappa_desktop.db.engine import make_engine, make_session_factory, read_engine
    from mappa_desktop.services.listing import list_cases

    engine = make_engine(f"sqlite:///{path}")
    statements: list[str] = []
    try:
        with make_session_factory(read_engine(engine))() as session:
            raw = session.connection().connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            raw.set_trace_callback(statements.append)
            try:
                list_cases(session, limit=1)
            finally:
                raw.set_trace_callback(None)
    finally:
        engine.dispose()
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The same statements without the limit of one case (and its alias filter).
    cases, aliases = selects
    limit, alias_filter = "\n LIMIT 1 OFFSET 0", "WHERE case_alias.case_id <= 1 "
    assert cases.endswith(limit) and alias_filter in aliases, selects
    return [cases.removesuffix(limit), aliases.replace(alias_filter, "")]
