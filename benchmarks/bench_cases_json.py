"""``mappa-desktop cases --json`` at 100,000 cases beside the sqlite3 shell writing the same rows.

Three processes, each timed from spawn to exit with its output going to a file, in turn (min of
3): the command itself; ``sqlite3 -json`` running the very statements ``list_cases`` runs
(``case_list_sql``: the cases joined to their current registration, lead agency, latest risk,
open actions and identifiers, then the aliases); and a bare Python process reading the same
rows with the standard ``sqlite3`` module (the floor for any Python command, start-up
included). The command must stay within 4x of the shell. Without the shell (Debian package
``sqlite3``) that comparison is skipped with the reason printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import LARGE, Figure, case_list_sql, compare, demo_database, interleaved

BAR_RATIO = 4.0
RUNS = 3
RAW_READ = (
    "import sqlite3, sys\n"
    "c = sqlite3.connect(sys.argv[1])\n"
    "for q in sys.argv[2:]:\n"
    "    c.execute(q).fetchall()\n"
)


def _run(args: list[str], out: Path, stdin: str | None = None) -> None:
    with out.open("w", encoding="utf-8") as sink:
        subprocess.run(args, input=stdin, stdout=sink, text=True, check=True, timeout=600)


def measure(workdir: Path) -> list[Figure]:
    path = demo_database(workdir, LARGE)
    statements = case_list_sql(path)
    mappa = [sys.executable, "-m", "mappa_desktop", "cases", "--json", "--database"]
    env_home = workdir / "cases-json-home"
    os.environ.setdefault("MAPPA_HOME", str(env_home))
    ours_out, shell_out, raw_out = (workdir / n for n in ("cases.json", "shell.json", "raw.txt"))
    paths: dict[str, Callable[[], object]] = {
        "ours": lambda: _run([*mappa, f"sqlite:///{path}"], ours_out),
        "raw": lambda: _run([sys.executable, "-c", RAW_READ, str(path), *statements], raw_out),
    }
    shell = shutil.which("sqlite3")
    if shell:
        script = ";\n".join(statements) + ";\n"
        paths["shell"] = lambda: _run([shell, "-json", str(path)], shell_out, stdin=script)
    times = interleaved(paths, RUNS)
    written = len(json.loads(ours_out.read_text(encoding="utf-8")))
    n = f"{written:,} cases"
    figures = []
    if shell:
        shell_rows, _end = json.JSONDecoder().raw_decode(shell_out.read_text(encoding="utf-8"))
        assert len(shell_rows) == written, (len(shell_rows), written)
        figures.append(
            compare(
                f"cases --json, {n} (process, min of {RUNS})",
                min(times["ours"]),
                "sqlite3 -json shell, same rows",
                min(times["shell"]),
                bar=BAR_RATIO,
            )
        )
    else:
        print(
            "  (cases --json vs the sqlite3 shell skipped: no 'sqlite3' on PATH; it is the "
            "Debian package sqlite3)"
        )
    figures.append(
        compare(
            f"cases --json, {n} (process, min of {RUNS})",
            min(times["ours"]),
            "python + raw sqlite3 read, same rows",
            min(times["raw"]),
            bar=None,
        )
    )
    return figures
