"""Counting the SQL statements a piece of work sends (the fixed-statement-count tests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event


def count_statements(engine: Engine, fn: Callable[[], Any]) -> int:
    """How many statements ``engine`` executes while ``fn()`` runs."""
    count = 0

    def on_execute(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return count
