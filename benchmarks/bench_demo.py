"""Demo generation at 100,000 cases on SQLite beside raw ``executemany`` of as many rows.

The reference inserts the very rows the generator wrote (every table, read back from the demo
file untimed) into a fresh file with the same tables and indexes, with the standard ``sqlite3``
module (the triggers are added after the rows: they refuse, for instance, actions of a meeting
already signed off, which the generator wrote before signing it): one ``executemany`` per
table, parents first, one transaction, WAL and foreign keys on as the app has them. That is the
floor for writing those rows from Python; the
generator also invents them (names, dates, risk grids, meetings) and goes through SQLAlchemy
Core, and must stay within 4x of it (1.9x measured when the bar was set).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from benchmarks.common import LARGE, Figure, compare, make_demo

ORDER = 0  # first: the other benchmarks reuse the file it leaves
BAR_RATIO = 4.0


def raw_executemany(source: Path, target: Path) -> tuple[float, int]:
    """Seconds to insert every row of ``source`` into a new ``target`` with raw executemany,
    and the number of rows."""
    from mappa_desktop.db import models  # noqa: F401  (registers every table)
    from mappa_desktop.db.base import Base

    for stale in (target, target.with_name(target.name + "-wal")):
        stale.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        schema, triggers = (
            src.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
                f"AND type {kind} 'trigger' ORDER BY type = 'table' DESC"
            ).fetchall()
            for kind in ("!=", "=")
        )
        tables = [t.name for t in Base.metadata.sorted_tables]  # parents before children
        rows = {name: src.execute(f'SELECT * FROM "{name}"').fetchall() for name in tables}
        dst.execute("PRAGMA journal_mode=WAL")
        dst.execute("PRAGMA foreign_keys=ON")
        for (sql,) in schema:
            dst.execute(sql)
        dst.commit()
        start = time.perf_counter()
        for name in tables:
            if rows[name]:
                marks = ", ".join("?" * len(rows[name][0]))
                dst.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows[name])
        dst.commit()
        seconds = time.perf_counter() - start
        for (sql,) in triggers:
            dst.execute(sql)
        dst.commit()
    finally:
        src.close()
        dst.close()
    return seconds, sum(len(r) for r in rows.values())


def measure(workdir: Path) -> list[Figure]:
    path, seconds = make_demo(workdir, LARGE)
    raw_seconds, rows = raw_executemany(path, workdir / "demo-raw-executemany.sqlite3")
    return [
        compare(
            f"demo generation, {LARGE:,} cases ({rows:,} rows), SQLite",
            seconds,
            "raw sqlite3 executemany of the same rows",
            raw_seconds,
            bar=BAR_RATIO,
        )
    ]
