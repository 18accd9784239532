"""Database-level protection of history: frozen minutes, addenda, distribution log, audit log.

Any UPDATE or DELETE (and TRUNCATE on PostgreSQL) on these tables is refused by the database,
whoever sends it. A later migration that rebuilds one of these tables on SQLite (batch mode) must
call ``create_frozen_triggers`` again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

from mappa_desktop.db.models.records import FROZEN_TABLES

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION mappa_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'mappa: % on % refused: signed records and the audit log are append-only',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""


def create_frozen_triggers(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text(PG_FUNCTION))
        for table in FROZEN_TABLES:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
            conn.execute(
                text(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION mappa_refuse_change()"
                )
            )
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"))
            conn.execute(
                text(
                    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION mappa_refuse_change()"
                )
            )
        return
    for table in FROZEN_TABLES:
        for op in ("UPDATE", "DELETE"):
            name = f"{table}_no_{op.lower()}"
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
            conn.execute(
                text(
                    f"CREATE TRIGGER {name} BEFORE {op} ON {table} BEGIN "
                    f"SELECT RAISE(ABORT, 'mappa: {op} on {table} refused: signed records and "
                    "the audit log are append-only'); END"
                )
            )


def drop_frozen_triggers(conn: Connection) -> None:
    for table in FROZEN_TABLES:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"))
        else:
            for op in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{op}"))
    if conn.dialect.name == "postgresql":
        conn.execute(text("DROP FUNCTION IF EXISTS mappa_refuse_change()"))


@contextmanager
def sqlite_triggers_suspended(conn: Connection) -> Iterator[None]:
    """For a bulk load by whoever holds the file (``copy``, which inserts a signed-off meeting
    before what was recorded at it): on SQLite, drop every trigger inside the caller's
    transaction and create each again from its stored definition when the block ends; an error
    rolls the transaction back, triggers included. On PostgreSQL nothing changes: the owner who
    copies is exempt from the signed-meeting triggers (migration 0005)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    saved = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
    for name, _definition in saved:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, definition in saved:
        conn.exec_driver_sql(definition)
