"""PostgreSQL login roles for mappa-desktop users (migration 0003 made the group roles).

A user's login role is a member of one group role per app role (``mappa_reader``,
``mappa_chair``, ...), and may CONNECT to this database. The password is encrypted by the client
(SCRAM-SHA-256, or whatever the server's ``password_encryption`` asks for) before it is sent, so
the plain password never appears in a statement or a server log.

These run inside the caller's transaction: the login role and the app user are created, changed
or disabled together or not at all. They need a connection with the right to create roles (a
superuser or the database owner with CREATEROLE), which is why the admin commands run on the
owner's connection.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import Role
from mappa_desktop.domain.errors import PermissionDenied, StateError, ValidationError

GROUP_ROLES: dict[Role, str] = {role: f"mappa_{role.value}" for role in Role}
RESERVED_PREFIXES = ("mappa_", "pg_")


def group_role(role: Role) -> str:
    return GROUP_ROLES[role]


def _driver(session: Session) -> psycopg.Connection[object]:
    conn = session.connection().connection.driver_connection
    if not isinstance(conn, psycopg.Connection):
        raise StateError("PostgreSQL logins need a PostgreSQL database (psycopg driver).")
    return conn


def _run(session: Session, statement: sql.Composable, doing: str) -> None:
    query = statement.as_string(_driver(session))
    try:
        with session.begin_nested():
            session.connection().exec_driver_sql(query)
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        if getattr(exc.orig, "sqlstate", None) == "42501":  # insufficient_privilege
            raise PermissionDenied(
                f"The database refused to {doing} ({reason.rstrip('.')}); run this command as "
                "the database owner (a role with CREATEROLE) or a superuser."
            ) from None
        raise StateError(f"The database refused to {doing}: {reason.rstrip('.')}.") from None


def login_exists(session: Session, login: str) -> bool:
    return bool(
        session.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname = :n"), {"n": login})
    )


def check_login_name(login: str) -> None:
    if login.startswith(RESERVED_PREFIXES):
        raise ValidationError.single(
            "login",
            f"'{login}' cannot be a login: names starting with "
            f"{' or '.join(repr(p) for p in RESERVED_PREFIXES)} are reserved for the database.",
        )


def _encrypted(session: Session, login: str, password: str) -> str:
    try:
        secret = _driver(session).pgconn.encrypt_password(
            password.encode("utf-8"), login.encode("utf-8")
        )
    except psycopg.Error as exc:
        raise StateError(f"The password could not be encrypted: {exc}") from None
    return secret.decode("ascii")


def create_login(
    session: Session,
    login: str,
    roles: Iterable[Role],
    *,
    password: str | None,
    adopt_existing: bool = False,
) -> None:
    """Create the LOGIN role ``login`` (with ``password``, or none for certificate or other
    external authentication), make it a member of the group roles of ``roles`` and let it
    connect to this database. With ``adopt_existing`` an existing role (for example the same
    person's login for another area's database on this server) is used instead; its password is
    left alone."""
    check_login_name(login)
    ident = sql.Identifier(login)
    if login_exists(session, login):
        if not adopt_existing:
            raise ValidationError.single(
                "login",
                f"A database role '{login}' already exists on this server. If it is this "
                "person's login (for example for another database here), give --existing-login "
                "to use it; otherwise choose another login.",
            )
        super_user = session.scalar(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = :n"), {"n": login}
        )
        if super_user:
            raise ValidationError.single(
                "login",
                f"'{login}' is a superuser role; a superuser is not held to any rule, so it "
                "cannot be a mappa-desktop user's login.",
            )
        _run(session, sql.SQL("ALTER ROLE {} LOGIN").format(ident), f"let '{login}' log in")
    else:
        statement = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(
            ident
        )
        if password is not None:
            statement = sql.SQL("{} PASSWORD {}").format(
                statement, sql.Literal(_encrypted(session, login, password))
            )
        _run(session, statement, f"create the login '{login}'")
    set_login_roles(session, login, roles)
    database = session.scalar(text("SELECT current_database()"))
    _run(
        session,
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(str(database)), ident),
        f"let '{login}' connect",
    )


def set_login_roles(session: Session, login: str, roles: Iterable[Role]) -> None:
    """Make ``login`` a member of exactly the group roles of ``roles``."""
    wanted = {group_role(r) for r in roles}
    current = set(
        session.scalars(
            text(
                "SELECT g.rolname FROM pg_auth_members m "
                "JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
                "WHERE u.rolname = :n AND g.rolname LIKE 'mappa\\_%'"
            ),
            {"n": login},
        )
    )
    ident = sql.Identifier(login)
    for group in sorted(current - wanted):
        _run(
            session,
            sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), ident),
            f"take {group} from '{login}'",
        )
    for group in sorted(wanted - current):
        _run(
            session,
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), ident),
            f"give {group} to '{login}'",
        )


def disable_login(session: Session, login: str) -> None:
    """Make ``login`` NOLOGIN and take every mappa group role from it: the server refuses every
    new connection of it, and a connection already open can no longer read or write (the server
    checks role membership at every statement, from the moment this transaction commits)."""
    set_login_roles(session, login, ())
    _run(session, sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(login)), "disable")


def end_sessions(session: Session, login: str) -> int:
    """End the open connections of ``login`` (needs a superuser or pg_signal_backend); returns
    how many were ended, or -1 when the server did not allow it."""
    try:
        with session.begin_nested():
            ended = session.scalars(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE usename = :n AND pid <> pg_backend_pid()"
                ),
                {"n": login},
            ).all()
    except DBAPIError:
        return -1
    return sum(1 for e in ended if e)
