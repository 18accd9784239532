"""Opening a database: the one way the window, the command line and the screenshot tool do it.

``open_database`` builds the engine for a URL, makes sure this build can use the schema (a local
SQLite file is created or upgraded after a backup; a shared PostgreSQL server must already be at
this build's revision, which only ``mappa-desktop migrate`` changes) and hands out the two session
factories every caller needs: one for user actions (``BEGIN IMMEDIATE`` on SQLite) and one for
reads that never take SQLite's write lock. The GUI reaches the engine and the schema only through
here (an import contract keeps ``ui`` off ``mappa_desktop.db.engine`` and the ORM models).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.db.engine import make_engine, make_session_factory, read_engine, resolve_url
from mappa_desktop.db.schema import check_schema
from mappa_desktop.domain.errors import StorageError

__all__ = ["Database", "open_database", "resolve_url", "safe_url", "session_factories"]


@dataclass(slots=True)
class Database:
    """An opened database: the resolved URL (for messages), the engine and session factories.

    Not frozen: the command modules' protocols (``cli_admin.AdminDatabase``…) declare plain
    attributes, which a frozen dataclass would not satisfy."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]  # one ``.begin()`` per user action
    read_sessions: sessionmaker[Session]  # reads only: no write lock on SQLite

    @property
    def safe_url(self) -> str:
        return safe_url(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


def safe_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def session_factories(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    """The factories for user actions and for reads, sharing the engine's pool."""
    return make_session_factory(engine), make_session_factory(read_engine(engine))


def open_database(url: str, *, check: bool = True) -> Database:
    """Open ``url`` (already resolved: see ``resolve_url``) and, unless ``check`` is off (the
    ``migrate`` and ``restore`` commands look at the schema themselves), make sure the schema is
    usable, creating or upgrading a local SQLite file. A refused database is closed again before
    the typed error (``StorageError``, ``SchemaError``) or the driver's ``OperationalError`` leaves.
    """
    try:
        engine = make_engine(url)
    except ArgumentError as exc:
        raise StorageError(f"'{safe_url(url)}' is not a usable database URL: {exc}") from None
    sessions, read_sessions = session_factories(engine)
    database = Database(url=url, engine=engine, sessions=sessions, read_sessions=read_sessions)
    if check:
        try:
            check_schema(engine, allow_upgrade=database.is_sqlite)
        except BaseException:
            engine.dispose()
            raise
    return database
