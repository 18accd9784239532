"""Shared fixtures: real SQLite files and real PostgreSQL databases, each test its own.

PostgreSQL tests use the server at ``MAPPA_TEST_PG_URL`` (default: the local trust-auth server).
Without a server they skip with the reason; with ``MAPPA_REQUIRE_PG=1`` (set by CI) they fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Before any Qt import, and before anything reads the platform directories.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="mappa-test-home-")
os.environ["MAPPA_HOME"] = _HOME
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")  # QSettings, keyring config
os.environ.pop("MAPPA_DATABASE_URL", None)

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlalchemy import Engine  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from mappa_desktop.db.engine import make_engine, make_session_factory  # noqa: E402
from mappa_desktop.db.schema import migrate  # noqa: E402
from mappa_desktop.domain.enums import Role  # noqa: E402
from mappa_desktop.services import people  # noqa: E402
from mappa_desktop.services.actor import Actor  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "MAPPA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_PG = os.environ.get("MAPPA_REQUIRE_PG") == "1"


@dataclass
class Database:
    """A throwaway database at head: its URL, engine and session factory."""

    kind: str
    url: str
    engine: Engine
    sessions: sessionmaker[Session]


def _pg_admin_engine() -> Engine | None:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError:
        engine.dispose()
        return None
    return engine


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine | None]:
    engine = _pg_admin_engine()
    yield engine
    if engine is not None:
        engine.dispose()


def pg_url_for(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _require_pg(pg_admin: Engine | None) -> Engine:
    if pg_admin is None:
        reason = f"no PostgreSQL server at {make_url(PG_ADMIN_URL).render_as_string()}"
        if REQUIRE_PG:
            pytest.fail(f"{reason}, and MAPPA_REQUIRE_PG=1 says the PostgreSQL tests must run")
        pytest.skip(f"{reason} (set MAPPA_TEST_PG_URL to run the PostgreSQL tests)")
    return pg_admin


@pytest.fixture(scope="session")
def pg_template(pg_admin: Engine | None) -> Iterator[str | None]:
    """A database migrated to head once per test run; each test copies it."""
    if pg_admin is None:
        yield None
        return
    name = f"mappa_tmpl_{uuid.uuid4().hex[:10]}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(pg_url_for(name))
    migrate(engine)
    engine.dispose()
    yield name
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def new_pg_database(pg_admin: Engine | None) -> Iterator[str]:
    """An empty PostgreSQL database (no schema), dropped afterwards; yields its URL."""
    admin = _require_pg(pg_admin)
    name = f"mappa_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield pg_url_for(name)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


def _sqlite_db(template: Path, directory: Path) -> Database:
    path = directory / "mappa.sqlite3"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    return Database("sqlite", url, engine, make_session_factory(engine))


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    pg_admin: Engine | None,
) -> Iterator[Database]:
    """A fresh database at head, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        database = _sqlite_db(sqlite_template, tmp_path)
        yield database
        database.engine.dispose()
        return
    admin = _require_pg(pg_admin)
    template = request.getfixturevalue("pg_template")
    name = f"mappa_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = pg_url_for(name)
    engine = make_engine(url)
    yield Database("pg", url, engine, make_session_factory(engine))
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """A fresh SQLite database only (for tests that are about SQLite itself, or the UI)."""
    database = _sqlite_db(sqlite_template, tmp_path)
    yield database
    database.engine.dispose()


def make_user(
    database: Database,
    login: str,
    roles: list[Role],
    *,
    family_name: str = "",
    agency: str = "Police",
) -> Actor:
    with database.sessions.begin() as s:
        ag = people.find_agency(s, agency)
        assert ag is not None
        person = people.add_person(
            s, None, family_name=family_name or login.title(), given_names="Test", agency_id=ag.id
        )
        # The first user may be created without an actor; later ones need an administrator.
        admin = None
        existing = s.scalar(sa.select(sa.func.count()).select_from(sa.table("app_user")))
        if existing:
            admin = people.get_actor(s, "admin")
        people.add_user(s, admin, login=login, person_id=person.id, roles=roles)
        return people.get_actor(s, login)


@pytest.fixture
def admin(db: Database) -> Actor:
    """An administrator who also holds every other writing role."""
    return make_user(
        db,
        "admin",
        [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER],
        family_name="Okonkwo-Smith",
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_HOME, ignore_errors=True)
