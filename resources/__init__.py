"""Shipped resources (fonts, statement texts, icons), read through ``resources.files``."""

from __future__ import annotations

from importlib import resources as _resources
from importlib.abc import Traversable


def path(*parts: str) -> Traversable:
    """A shipped resource file, e.g. ``path("fonts", "DejaVuSans.ttf")``."""
    node = _resources.files(__name__)
    for part in parts:
        node = node / part
    return node


def text(*parts: str) -> str:
    return path(*parts).read_text(encoding="utf-8")
