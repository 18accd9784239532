"""Database-level protection of history: frozen minutes, addenda, distribution log, audit log.

Any UPDATE or DELETE (and TRUNCATE on PostgreSQL) on these tables is refused by the database,
whoever sends it. A later migration that rebuilds one of these tables on SQLite (batch mode) must
call ``create_frozen_triggers`` again.
"""

from __future__ import annotations

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
