"""Waiting for a condition in a test: poll it until a deadline, never sleep a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest


def wait_until(predicate: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    """Return as soon as ``predicate()`` holds; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {seconds:g} s")
        time.sleep(0.01)
