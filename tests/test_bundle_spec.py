"""The bundle's PyInstaller spec leaves out only Qt modules that no project code imports (an
excluded module the app uses breaks the bundle at run time, and only the slow smoke test
would notice)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / ".ci" / "bundle" / "mappa-desktop.spec"
QT_IMPORT = re.compile(r"^\s*(?:from|import)\s+(PySide6\.Qt\w+)", re.MULTILINE)


def test_no_excluded_qt_module_is_imported_by_the_app() -> None:
    spec = SPEC.read_text(encoding="utf-8")
    block = re.search(r"^excludes = \[(.*?)^\]", spec, re.MULTILINE | re.DOTALL)
    assert block is not None
    excluded = set(re.findall(r'"(PySide6\.Qt\w+)"', block.group(1)))
    assert "PySide6.QtWebEngineCore" in excluded
    used: dict[str, str] = {}
    for package in ("mappa_desktop", "ui", "reports"):
        for source in (REPO / package).rglob("*.py"):
            for module in QT_IMPORT.findall(source.read_text(encoding="utf-8")):
                used.setdefault(module, str(source.relative_to(REPO)))
    assert "PySide6.QtWidgets" in used
    clash = {module: used[module] for module in excluded & set(used)}
    assert not clash, f"the bundle spec excludes Qt modules the app imports: {clash}"
