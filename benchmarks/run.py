"""Run the benchmarks: every ``benchmarks/bench_*.py`` module's ``measure(workdir)``.

    .venv/bin/python -m benchmarks.run [--only NAME ...] [--json] [--workdir DIR]

Prints each figure beside the reference measured in the same run (naive path, peer or raw limit),
their ratio, the ratio's bar and PASS/FAIL (``benchmarks.common.format_figure``), then a summary;
or JSON. Exits 1 when any figure misses its bar or any benchmark fails to run.
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
import traceback
from pathlib import Path
from types import ModuleType

from benchmarks.common import Figure, format_figure, summary

HERE = Path(__file__).parent


def discover() -> list[ModuleType]:
    modules = [importlib.import_module(f"benchmarks.{p.stem}") for p in HERE.glob("bench_*.py")]
    modules = [m for m in modules if callable(getattr(m, "measure", None))]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


def short_name(module: ModuleType) -> str:
    return module.__name__.rsplit(".", 1)[-1].removeprefix("bench_")


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
    every: list[Figure] = []
    errors: list[str] = []
    try:
        for module in modules:
            started = time.perf_counter()
            try:
                figures: list[Figure] = module.measure(workdir)
                error = None
            except Exception as exc:  # one broken benchmark must not hide the others' figures
                traceback.print_exc()
                figures, error = [], f"{short_name(module)}: {type(exc).__name__}: {exc}"
                errors.append(error)
            took = time.perf_counter() - started
            every += figures
            results.append(
                {
                    "benchmark": short_name(module),
                    "seconds": round(took, 1),
                    "figures": [f.as_dict() for f in figures],
                    "error": error,
                }
            )
            if not args.json:
                print(f"{short_name(module)} ({took:.1f} s)")
                for figure in figures:
                    print(format_figure(figure))
                if error:
                    print(f"  ERROR {error}")
                sys.stdout.flush()
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        json.dump(results, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print()
        print("\n".join(summary(every) + [f"ERROR {e}" for e in errors]))
    return 0 if all(f.passed for f in every) and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
