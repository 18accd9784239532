"""Run the benchmarks: every ``benchmarks/bench_*.py`` module's ``measure(workdir)``.

    .venv/bin/python -m benchmarks.run [--only NAME ...] [--json] [--workdir DIR]

Prints each figure with its bar and PASS/FAIL (or JSON); exits 1 when any figure misses its bar.
Modules run in ``ORDER`` (default 100), then by name; they share the work directory, so the
100,000-case demo file made by ``bench_demo`` is reused by the others.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

from benchmarks.common import Figure

HERE = Path(__file__).parent


def discover() -> list[ModuleType]:
    modules = [importlib.import_module(f"benchmarks.{p.stem}") for p in HERE.glob("bench_*.py")]
    modules = [m for m in modules if callable(getattr(m, "measure", None))]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


def short_name(module: ModuleType) -> str:
    return module.__name__.rsplit(".", 1)[-1].removeprefix("bench_")


def _format(figure: Figure) -> str:
    if figure.bar is None:
        judged = "(no bar)"
    else:
        sign = "<=" if figure.lower_is_better else ">="
        judged = f"bar {sign} {figure.bar:g} {figure.unit}  {'PASS' if figure.passed else 'FAIL'}"
    return f"  {figure.name}: {figure.value:g} {figure.unit}  {judged}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="run only this benchmark (e.g. demo)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--workdir", type=Path, help="keep the databases in this directory")
    args = parser.parse_args(argv)

    modules = discover()
    if args.only:
        wanted = {name.removeprefix("bench_") for name in args.only}
        unknown = wanted - {short_name(m) for m in modules}
        if unknown:
            known = ", ".join(short_name(m) for m in modules)
            parser.error(f"unknown benchmark {', '.join(sorted(unknown))}; choose from {known}")
        modules = [m for m in modules if short_name(m) in wanted]

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="mappa-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, object]] = []
    failed = False
    try:
        for module in modules:
            started = time.perf_counter()
            figures: list[Figure] = module.measure(workdir)
            took = time.perf_counter() - started
            failed = failed or not all(f.passed for f in figures)
            results.append(
                {
                    "benchmark": short_name(module),
                    "seconds": round(took, 1),
                    "figures": [f.as_dict() for f in figures],
                }
            )
            if not args.json:
                print(f"{short_name(module)} ({took:.1f} s)")
                for figure in figures:
                    print(_format(figure))
                sys.stdout.flush()
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        json.dump(results, sys.stdout, indent=2, ensure_ascii=False)
        print()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
