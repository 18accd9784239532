"""Create, upgrade and check the schema with Alembic; back up SQLite files before upgrading."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from mappa_desktop.db import models  # noqa: F401  (registers every table on Base.metadata)
from mappa_desktop.db.base import Base
from mappa_desktop.domain.errors import SchemaError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@dataclass(frozen=True, slots=True)
class SchemaState:
    current: str | None
    head: str
    has_tables: bool
    tables: frozenset[str] = frozenset()

    @property
    def at_head(self) -> bool:
        return self.current == self.head

    @property
    def unknown(self) -> bool:
        return self.current is not None and self.current not in known_revisions()


def schema_state(engine: Engine) -> SchemaState:
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        tables = frozenset(inspect(conn).get_table_names())
    return SchemaState(
        current=current, head=head_revision(), has_tables=bool(tables), tables=tables
    )


def _describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def check_schema(engine: Engine, *, allow_upgrade: bool) -> SchemaState:
    """Make sure the database is usable by this build.

    A local SQLite file is created or upgraded (after a backup) when ``allow_upgrade``; a shared
    PostgreSQL server is only ever upgraded by the explicit ``migrate`` command.
    """
    state = schema_state(engine)
    if state.unknown:
        raise SchemaError(
            f"The database {_describe(engine)} is at schema revision {state.current}, which this "
            "version of mappa-desktop does not know (a newer version may have upgraded it); "
            "use a newer mappa-desktop."
        )
    if state.at_head:
        return _complete(engine, state)
    if state.current is None and state.has_tables:
        raise SchemaError(
            f"The database {_describe(engine)} holds tables but no mappa-desktop schema revision; "
            "it is not a mappa-desktop database."
        )
    if allow_upgrade and engine.dialect.name == "sqlite":
        migrate(engine)
        return _complete(engine, schema_state(engine))
    verb = "has no mappa-desktop schema yet" if state.current is None else "has an older schema"
    raise SchemaError(
        f"The database {_describe(engine)} {verb}; an administrator must run "
        "'mappa-desktop migrate --database URL' first."
    )


def _complete(engine: Engine, state: SchemaState) -> SchemaState:
    """Refuse, in one line, a database at this build's revision that lacks one of its tables
    (the models' tables are the head revision's: test_schema checks they do not drift)."""
    missing = sorted(set(Base.metadata.tables) - state.tables)
    if missing:
        raise SchemaError(
            f"The database {_describe(engine)} is at schema revision {state.current} but has no "
            f"table {', '.join(missing)}; it is damaged or was changed by hand: restore it from "
            "a backup."
        )
    return state


def backup_sqlite(engine: Engine, revision: str | None) -> Path | None:
    """Copy a SQLite file (consistently, even in WAL mode) before an upgrade."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    source = Path(database)
    if not source.exists() or revision is None:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = source.with_name(f"{source.name}.backup-{revision}-{stamp}")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


def migrate(engine: Engine, revision: str = "head") -> Path | None:
    """Upgrade to ``revision`` (refusing unknown revisions); returns the backup path, if any."""
    state = schema_state(engine)
    if state.unknown:
        raise SchemaError(
            f"The database is at schema revision {state.current}, which this version of "
            "mappa-desktop does not know; it will not be changed."
        )
    if state.at_head and revision == "head":
        return None
    backup = backup_sqlite(engine, state.current)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    return backup
