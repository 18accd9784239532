"""One engine factory for SQLite (local file) and PostgreSQL (shared server)."""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.domain.errors import StorageError
from mappa_desktop.paths import default_database_path, sqlite_url

DATABASE_ENV = "MAPPA_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_S = 15
READ_ONLY_OPTION = "mappa_read_only"


def resolve_url(explicit: str | None) -> str:
    """``--database URL``, else ``MAPPA_DATABASE_URL``, else the local default file."""
    url = explicit or os.environ.get(DATABASE_ENV) or sqlite_url(default_database_path())
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(f"'{url}' is not a database URL: {exc}") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StorageError(
            f"Unsupported database '{parsed.get_backend_name()}': use a SQLite file "
            "(sqlite:///path) or PostgreSQL (postgresql+psycopg://user@host/db)."
        )
    if parsed.get_backend_name() == "postgresql" and parsed.drivername != "postgresql+psycopg":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys on, and BEGIN IMMEDIATE so concurrent writers queue instead of failing."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Reads (see read_engine) use a deferred BEGIN so they never hold the write lock.
        deferred = conn.get_execution_options().get(READ_ONLY_OPTION, False)
        conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for one user action each: ``with factory.begin() as session: ...``."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def read_engine(engine: Engine) -> Engine:
    """The same pool, for read-only work: on SQLite it does not take the write lock."""
    return engine.execution_options(**{READ_ONLY_OPTION: True})
