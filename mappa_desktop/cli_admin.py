"""Commands for running a shared database: ``admin add-user | grant-login | disable-user |
set-roles | users``, ``audit`` (the audit trail as CSV) and ``copy`` (a whole database from one
place to another). Registered by ``cli.build_parser`` through ``add_admin_commands``.

On PostgreSQL the admin commands change the user's LOGIN role and its group roles (migration
0003) in the same transaction as the app user, so the two never disagree; they must run on a
connection allowed to create roles (the database owner with CREATEROLE, or a superuser), with
``--user`` naming the administrator who is acting. On a SQLite file only the app user changes.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, TextIO, TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.cli_passwords import password_options, read_password
from mappa_desktop.db import logins
from mappa_desktop.db.models import User
from mappa_desktop.domain.enums import Role
from mappa_desktop.domain.errors import StateError, ValidationError
from mappa_desktop.domain.validation import Checker
from mappa_desktop.services import audit_export, people
from mappa_desktop.services.actor import Actor

MIN_PASSWORD = 12
EXIT_OK = 0


class AdminDatabase(Protocol):
    """What these commands need from ``cli.Database``."""

    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]

    @property
    def safe_url(self) -> str: ...

    @property
    def is_sqlite(self) -> bool: ...


D = TypeVar("D", bound=AdminDatabase)
Run = Callable[[argparse.Namespace, TextIO], int]


def add_admin_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    open_database: Callable[[argparse.Namespace], D],
    acting_user: Callable[[Session, D, str | None], Actor],
    options: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add ``admin``, ``audit`` and ``copy``. ``open_database(args)`` opens ``--database`` (at
    this build's schema); ``acting_user(session, database, login)`` says who is acting;
    ``options(parser)`` adds ``--database`` and ``--user``."""

    admin = subparsers.add_parser(
        "admin",
        help="add, disable and change the roles of users (on PostgreSQL: their logins too)",
        description="User administration. On PostgreSQL, run it as the database owner (or a "
        "superuser) with --user naming the acting administrator.",
    )
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)

    def bind(
        run: Callable[[argparse.Namespace, TextIO, D, Callable[[Session], Actor]], int],
    ) -> Run:
        def go(args: argparse.Namespace, out: TextIO) -> int:
            database = open_database(args)
            return run(args, out, database, lambda s: acting_user(s, database, args.user))

        return go

    add = admin_sub.add_parser(
        "add-user",
        allow_abbrev=False,  # "--password x" must never be read as "--password-env x"
        help="add a user (a practitioner with a login and roles)",
        description="Add a user. On PostgreSQL also creates the LOGIN role with a password read "
        "from --password-env or asked for (never given on the command line).",
    )
    options(add)
    add.add_argument("login", metavar="LOGIN", help="lower-case login, e.g. jsmith")
    add.add_argument(
        "--name", required=True, help='the person\'s name: "Given Family" or "Family, Given"'
    )
    add.add_argument("--agency", required=True, metavar="NAME", help="agency name or short name")
    _role_option(add)
    add.add_argument("--title", default="", help="job title (optional)")
    _login_secret_options(add)
    add.set_defaults(run=bind(run_add_user))

    grant = admin_sub.add_parser(
        "grant-login",
        allow_abbrev=False,
        help="give an existing user (e.g. one copied from a local file) a PostgreSQL login",
        description="Give an existing user a PostgreSQL login with their roles, keeping their "
        "user record and history (for users copied onto a server with 'copy'). With --login "
        "the login gets a new name (on a server the database login is the user's login).",
    )
    options(grant)
    grant.add_argument("existing", metavar="USER", help="the user's current login")
    grant.add_argument("--login", metavar="NAME", help="a new login name (default: USER)")
    _login_secret_options(grant)
    grant.set_defaults(run=bind(run_grant_login))

    disable = admin_sub.add_parser(
        "disable-user",
        help="disable a user: they can no longer act or (on PostgreSQL) connect",
        description="Disable a user. On PostgreSQL the login becomes NOLOGIN, loses its group "
        "roles (so a connection still open can no longer read or write), and its open "
        "connections are ended where the server allows it.",
    )
    options(disable)
    disable.add_argument("login", metavar="LOGIN")
    disable.set_defaults(run=bind(run_disable_user))

    roles = admin_sub.add_parser(
        "set-roles",
        help="replace a user's roles",
        description="Replace a user's roles (and on PostgreSQL the login's group roles).",
    )
    options(roles)
    roles.add_argument("login", metavar="LOGIN")
    _role_option(roles)
    roles.set_defaults(run=bind(run_set_roles))

    users = admin_sub.add_parser("users", help="list users with their roles")
    options(users)
    users.set_defaults(run=bind(run_list_users))

    trail = subparsers.add_parser(
        "audit",
        help="write the audit trail as CSV (who, when, what, old and new values)",
        description="Write the audit trail, one row per changed field, as a UTF-8 CSV file "
        "that spreadsheets open directly.",
    )
    options(trail)
    which = trail.add_mutually_exclusive_group()
    which.add_argument("--case", type=int, metavar="ID", help="only this case's events")
    which.add_argument("--meeting", type=int, metavar="ID", help="only this meeting's events")
    trail.add_argument("-o", "--output", required=True, metavar="FILE.csv", help="file to write")
    trail.set_defaults(run=bind(run_audit))

    copy = subparsers.add_parser(
        "copy",
        help="copy a whole database into an empty one (SQLite file <-> PostgreSQL server)",
        description="Copy every table from one database into another that is migrated and "
        "empty, in one transaction: all rows or none. Run 'migrate' on the target first.",
    )
    copy.add_argument("--from", dest="source", required=True, metavar="URL")
    copy.add_argument("--to", dest="target", required=True, metavar="URL")
    copy.set_defaults(run=run_copy)


def _login_secret_options(parser: argparse.ArgumentParser) -> None:
    """How a new database login gets (or does without) its password."""
    secret = parser.add_mutually_exclusive_group()
    password_options(secret, "read the new login's password from this environment variable")
    secret.add_argument(
        "--no-password",
        action="store_true",
        help="no password (the server authenticates the login another way, e.g. certificates)",
    )
    parser.add_argument(
        "--existing-login",
        action="store_true",
        help="use a PostgreSQL role that already exists on the server (its password is kept)",
    )


def _role_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role",
        dest="roles",
        action="append",
        required=True,
        metavar="ROLE",
        help="a role (repeat for several): " + ", ".join(r.value for r in Role),
    )


# --- helpers -------------------------------------------------------------------------------------


def split_name(name: str) -> tuple[str, str]:
    """``(given_names, family_name)`` from "Given Family" or "Family, Given"."""
    clean = " ".join((name or "").split())
    if "," in clean:
        family, _, given = clean.partition(",")
        return given.strip(), family.strip()
    given, _, family = clean.rpartition(" ")
    return given, family


def _password(args: argparse.Namespace, login: str) -> str | None:
    """The new login's password: from ``--password-env``, else asked for twice."""
    if args.no_password or args.existing_login:
        return None
    value = read_password(args.password_env, prompt=f"Password for {login}: ", confirm=True)
    if len(value) < MIN_PASSWORD:
        raise ValidationError.single(
            "password", f"Use a password of at least {MIN_PASSWORD} characters."
        )
    return value


def _parse_roles(values: Sequence[str]) -> list[Role]:
    known = {r.value: r for r in Role} | {r.value.replace("_", "-"): r for r in Role}
    unknown = [v for v in values if v.strip().lower() not in known]
    if unknown:
        raise ValidationError.single(
            "role",
            f"Unknown role {', '.join(repr(u) for u in unknown)}; use "
            f"{', '.join(r.value for r in Role)}.",
        )
    return sorted({known[v.strip().lower()] for v in values})


def _roles_text(roles: Sequence[Role] | frozenset[Role]) -> str:
    return ", ".join(sorted(r.value for r in roles))


# --- commands ------------------------------------------------------------------------------------


def run_add_user(
    args: argparse.Namespace,
    out: TextIO,
    database: AdminDatabase,
    actor_of: Callable[[Session], Actor],
) -> int:
    roles = _parse_roles(args.roles)
    check = Checker()
    check.one_line("name", args.name.strip())  # split_name would make tabs and breaks spaces
    check.done()
    given, family = split_name(args.name)
    if not family:
        raise ValidationError.single("name", 'Give the person\'s name, e.g. "Jane Smith".')
    postgres = not database.is_sqlite
    login = args.login.strip().lower()
    if postgres:
        logins.check_login_name(login)
    password = _password(args, login) if postgres else None
    with database.sessions.begin() as session:
        first = not session.scalar(select(func.count()).select_from(User))
        if first and Role.ADMINISTRATOR not in roles:
            raise ValidationError.single(
                "role",
                "This database has no users yet: the first user must be an administrator "
                "(--role administrator), so that someone can add the others.",
            )
        actor = None if first else actor_of(session)
        agency = people.find_agency(session, args.agency)
        if agency is None:
            names = ", ".join(a.short_name for a in people.list_agencies(session))
            raise ValidationError.single(
                "agency", f"There is no agency '{args.agency}'; use one of: {names}."
            )
        person = people.add_person(
            session,
            actor,
            family_name=family,
            given_names=given,
            agency_id=agency.id,
            role_title=args.title,
        )
        user = people.add_user(session, actor, login=login, person_id=person.id, roles=roles)
        if postgres:
            logins.create_login(
                session, user.login, roles, password=password, adopt_existing=args.existing_login
            )
    where = "PostgreSQL login and user" if postgres else "user"
    out.write(
        f"Added {where} {user.login}: {person.display_name} ({agency.short_name}), roles "
        f"{_roles_text(user.roles)}.\n"
    )
    return EXIT_OK


def run_grant_login(
    args: argparse.Namespace,
    out: TextIO,
    database: AdminDatabase,
    actor_of: Callable[[Session], Actor],
) -> int:
    if database.is_sqlite:
        raise StateError(
            f"{database.safe_url} is a local file: its users act with --user and need no "
            "database login. Give logins on the PostgreSQL server (--database URL)."
        )
    login = (args.login or args.existing).strip().lower()
    logins.check_login_name(login)
    password = _password(args, login)
    with database.sessions.begin() as session:
        actor = actor_of(session)
        user = people.grant_login(session, actor, args.existing, new_login=args.login)
        logins.create_login(
            session, user.login, user.roles, password=password, adopt_existing=args.existing_login
        )
    out.write(
        f"{user.person.display_name} ({user.person.agency_short_name}) can now connect as "
        f"{user.login}, with roles {_roles_text(user.roles)}; their user record and history "
        "are kept.\n"
    )
    return EXIT_OK


def run_disable_user(
    args: argparse.Namespace,
    out: TextIO,
    database: AdminDatabase,
    actor_of: Callable[[Session], Actor],
) -> int:
    postgres = not database.is_sqlite
    with database.sessions.begin() as session:
        actor = actor_of(session)
        user = people.disable_user(session, actor, args.login)
        has_login = postgres and logins.login_exists(session, user.login)
        if has_login:
            logins.disable_login(session, user.login)
    out.write(f"Disabled {user.login} ({user.person.display_name}).\n")
    if has_login:
        out.write(
            f"The login {user.login} can no longer connect, and its group roles are revoked: "
            "a connection of theirs that is still open can no longer read or write.\n"
        )
        with database.sessions.begin() as session:
            ended = logins.end_sessions(session, user.login)
        if ended > 0:
            out.write(f"Ended {ended} open connection{'s' if ended != 1 else ''} of theirs.\n")
        elif ended < 0:
            out.write(
                "This login may not end other logins' connections, so open connections of "
                "theirs (if any) stay open, without any rights, until they close; a superuser "
                "(or a member of pg_signal_backend) can end them.\n"
            )
    elif postgres:
        out.write(f"There is no database login '{user.login}' on this server to disable.\n")
    return EXIT_OK


def run_set_roles(
    args: argparse.Namespace,
    out: TextIO,
    database: AdminDatabase,
    actor_of: Callable[[Session], Actor],
) -> int:
    roles = _parse_roles(args.roles)
    with database.sessions.begin() as session:
        actor = actor_of(session)
        user = people.set_roles(session, actor, args.login, roles)
        # A disabled user's login keeps no group role until it is enabled again.
        if not database.is_sqlite and user.active and logins.login_exists(session, user.login):
            logins.set_login_roles(session, user.login, user.roles)
    out.write(f"{user.login} ({user.person.display_name}) now has roles {_roles_text(roles)}.\n")
    return EXIT_OK


def run_list_users(
    args: argparse.Namespace,
    out: TextIO,
    database: AdminDatabase,
    actor_of: Callable[[Session], Actor],
) -> int:
    with database.read_sessions() as session:
        rows = people.list_users(session)
    for u in rows:
        state = "" if u.active else "  (disabled)"
        out.write(
            f"{u.login}  {u.person.display_name} ({u.person.agency_short_name})  "
            f"{_roles_text(u.roles)}{state}\n"
        )
    return EXIT_OK


def run_audit(
    args: argparse.Namespace,
    out: TextIO,
    database: AdminDatabase,
    actor_of: Callable[[Session], Actor],
) -> int:
    path = Path(args.output)
    with database.read_sessions() as session:
        count = audit_export.export_csv(session, path, case_id=args.case, meeting_id=args.meeting)
    out.write(f"Wrote {count:,} row{'s' if count != 1 else ''} of the audit trail to {path}.\n")
    return EXIT_OK


def run_copy(args: argparse.Namespace, out: TextIO) -> int:
    from mappa_desktop.services import copy as copying  # only this command needs it

    result = copying.copy_database(args.source, args.target)
    total = sum(result.rows.values())
    out.write(
        f"Copied {total:,} rows in {len(result.rows)} tables from {result.source} to "
        f"{result.target}; every table's row count matches.\n"
    )
    return EXIT_OK
