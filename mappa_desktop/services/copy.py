"""Copy a whole mappa-desktop database into an empty one: a local SQLite file onto a new shared
PostgreSQL server, or a server back into a file.

Both databases must be at this build's schema revision: run ``migrate`` on a PostgreSQL target
first; a SQLite target file that does not exist yet is created and migrated here. The target
must be empty: no rows in any table except the agencies that the first migration
puts in every new database, which are replaced by the source's. Every row is copied with its id,
in one transaction on the target, all or nothing; before committing, each table's row count in
the target is compared with the source's, and any difference undoes the whole copy. The source
is read in one transaction, so it is a consistent snapshot even while others use it.

This is a job for whoever owns the target database (its owner, or a superuser): row-level
security on the append-only tables lets an ordinary login insert only rows in its own name.
Every failure names the database it is about, the source or the target, by its URL (password
hidden).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Integer, Row, Table, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from mappa_desktop.db import models  # noqa: F401  (registers every table)
from mappa_desktop.db.base import Base
from mappa_desktop.db.engine import make_engine, resolve_url
from mappa_desktop.db.schema import check_schema
from mappa_desktop.db.triggers import sqlite_triggers_suspended
from mappa_desktop.domain.errors import StateError, StorageError, ValidationError

BATCH = 1_000
SEEDED_TABLES = ("agency",)  # filled by migration 0001 in every new database


@dataclass(frozen=True, slots=True)
class CopyResult:
    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)  # parents before children


def _count(conn: Connection, table: Table) -> int:
    return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def _describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _first_line(exc: DBAPIError) -> str:
    return (str(exc.orig or exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")


def _resolve(url: str, role: str) -> str:
    """``url`` made usable, or a one-field error naming the source or the target."""
    try:
        return resolve_url(url)
    except StorageError as exc:
        raise ValidationError.single(role, str(exc)) from None


@contextmanager
def _engine(url: str, role: str) -> Iterator[Engine]:
    if role == "source" and url.startswith("sqlite"):
        name = make_url(url).database
        if name and name != ":memory:" and not Path(name).is_file():
            # Opening it would create an empty file where the user expects their data.
            raise ValidationError.single(role, f"There is no file {name} to copy from.")
    try:
        engine = make_engine(url)
    except (StorageError, ArgumentError) as exc:
        raise ValidationError.single(role, f"'{url}' is not a usable database URL: {exc}") from None
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _about(engine: Engine, role: str) -> Iterator[None]:
    """Turn a database failure inside the block into one sentence naming that database."""
    try:
        yield
    except DBAPIError as exc:
        raise StorageError(
            f"The copy was undone: the {role} {_describe(engine)} refused it ({_first_line(exc)})."
        ) from None


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past the largest id."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:t, :c), "
                f"coalesce((SELECT max({pk[0].name}) FROM {table.name}), 0) + 1, false)"
            ),
            {"t": table.name, "c": pk[0].name},
        )


def copy_database(source_url: str, target_url: str) -> CopyResult:
    """Copy every table of ``source_url`` into the empty, migrated ``target_url``."""
    source_url, target_url = _resolve(source_url, "source"), _resolve(target_url, "target")
    if source_url == target_url:
        raise ValidationError.single("target", "The source and the target are the same database.")
    with _engine(source_url, "source") as source, _engine(target_url, "target") as target:
        for engine, role in ((source, "source"), (target, "target")):
            try:
                # A new SQLite target file is created here, at this build's schema.
                check_schema(engine, allow_upgrade=role == "target")
            except DBAPIError as exc:
                raise StorageError(
                    f"Cannot open the {role} {_describe(engine)}: {_first_line(exc)}."
                ) from None
        tables = _tables()
        read = source.execution_options(mappa_read_only=True)
        if source.dialect.name == "postgresql":
            read = read.execution_options(isolation_level="REPEATABLE READ")
        # Inside, every statement on the target fails naming the target, and every read of the
        # source (in _batches, or here) names the source before it gets that far.
        with (
            _about(source, "source"),
            read.connect() as src,
            src.begin(),
            _about(target, "target"),
            target.begin() as dst,
            sqlite_triggers_suspended(dst),  # a signed meeting arrives before its content
        ):
            copied = _copy_rows(src, dst, tables, source, target)
        return CopyResult(source=_describe(source), target=_describe(target), rows=copied)


def _batches(src: Connection, table: Table, source: Engine) -> Iterator[Sequence[Row[Any]]]:
    """The source's rows of ``table`` in primary-key order, a batch at a time; a failure while
    reading names the source."""
    with _about(source, "source"):
        pk = list(table.primary_key.columns)
        yield from src.execute(
            select(table).order_by(*pk).execution_options(yield_per=BATCH)
        ).partitions()


def _copy_rows(
    src: Connection, dst: Connection, tables: list[Table], source: Engine, target: Engine
) -> dict[str, int]:
    """Every row of ``tables`` from ``src`` into the empty ``dst`` (each in its transaction);
    raising undoes the whole copy."""
    busy = [t.name for t in tables if t.name not in SEEDED_TABLES and _count(dst, t) > 0]
    if busy:
        raise StateError(
            f"The target {_describe(target)} is not empty (it has rows in "
            f"{', '.join(busy)}); copy only into a newly migrated database."
        )
    for name in SEEDED_TABLES:
        dst.execute(Base.metadata.tables[name].delete())
    copied: dict[str, int] = {}
    for table in tables:
        for batch in _batches(src, table, source):
            dst.execute(table.insert(), [dict(row._mapping) for row in batch])
        with _about(source, "source"):
            copied[table.name] = _count(src, table)
    if target.dialect.name == "postgresql":
        _reset_sequences(dst, tables)
    wrong = {
        t.name: (copied[t.name], found)
        for t in tables
        if (found := _count(dst, t)) != copied[t.name]
    }
    if wrong:
        detail = "; ".join(f"{n}: {a} in the source, {b} copied" for n, (a, b) in wrong.items())
        raise StorageError(f"The copy was undone: the row counts differ ({detail}).")
    return copied
