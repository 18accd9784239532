"""The README and docs/ point only at files that are in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\s]+)`")
TOP = ("mappa_desktop/", "ui/", "reports/", "resources/", "tests/", "benchmarks/", "docs/", ".ci/")
DOCUMENT = re.compile(r"\b([A-Za-z][\w-]*\.md)\b")


def _repo_path(text: str) -> Path | None:
    """A path into the repository named in running text, or None for anything else."""
    candidate = text.rstrip(".,:;")
    if not candidate.startswith(TOP):
        return None
    return REPO / candidate


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_link_and_image_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    missing = [
        target
        for target in LINK.findall(text)
        if "://" not in target
        and not target.startswith(("#", "mailto:"))
        and not (doc.parent / target.split("#", 1)[0]).exists()
    ]
    assert not missing, f"{doc.name} links to files that do not exist: {missing}"


def _missing(token: str) -> bool:
    """Whether a path (a glob, or a pytest node id ``file::test``) named in the text is missing."""
    path_text, _, test = token.partition("::")
    path = _repo_path(path_text)
    if path is None:
        return False
    if "*" in path_text:
        return not list(path.parent.glob(path.name))
    if not path.exists():
        return True
    return bool(test) and f"def {test.split('[')[0]}(" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_repository_path_and_document_named_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    missing = [token for token in CODE.findall(text) if _missing(token)]
    names = {p.name for p in REPO.glob("*.md")} | {p.name for p in (REPO / "docs").glob("*.md")}
    missing += sorted({name for name in DOCUMENT.findall(text) if name not in names})
    assert not missing, f"{doc.name} names files that are not in the repository: {missing}"
