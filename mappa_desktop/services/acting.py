"""Who is acting: one rule for the window and the command line (ARCHITECTURE.md section 5).

On a local SQLite file the person at the keyboard says who they are: a login asked for (``--user``,
``MAPPA_USER``, or the one this computer remembered for the file), else the operating-system
login when it is a user of the file, else the only user, else the first user of a new file (the
operating-system login, made an administrator). With several users and nothing to go on the
caller must ask (the window shows a list; the command line asks for ``--user``).

On PostgreSQL you are your database login, whatever is asked for: naming someone else is refused
unless the login owns the database or is a superuser (administration). A database with no users
yet makes its first login the first (administrator) user.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from mappa_desktop.db.models import User
from mappa_desktop.domain.errors import NotFound, PermissionDenied
from mappa_desktop.services import people
from mappa_desktop.services.actor import Actor


@dataclass(frozen=True, slots=True)
class AskWho:
    """Several users and nothing says which: the caller must ask which of these is acting."""

    users: tuple[people.UserRow, ...]


def os_login() -> str:
    """The operating-system login, made into a valid app login (lower case, safe characters)."""
    try:
        raw = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, no USER variable
        raw = "local"
    login = re.sub(r"[^a-z0-9_.-]", "_", raw.strip().lower())[:63]
    return login if login and (login[0].isalpha() or login[0] == "_") else f"_{login}"[:63]


def _sqlite_actor(session: Session, asked: str | None, this_computer: str) -> Actor | AskWho:
    if asked:
        return people.ensure_local_user(session, asked)
    users = list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.login)))
    if not users:
        return people.ensure_local_user(session, this_computer)  # a new file: its first user
    mine = [u for u in users if u.login == this_computer]
    if len(mine) == 1:
        return people.actor_for(mine[0])
    if len(users) == 1:
        return people.actor_for(users[0])
    return AskWho(tuple(people.user_row(u) for u in users))


def _server_actor(session: Session, asked: str | None, where: str) -> Actor:
    login_now = str(session.scalar(text("SELECT current_user")))
    chosen = asked or login_now
    if chosen != login_now and not session.scalar(
        text(
            "SELECT r.rolsuper OR d.datdba = r.oid FROM pg_roles r, pg_database d "
            "WHERE r.rolname = current_user AND d.datname = current_database()"
        )
    ):
        raise PermissionDenied(
            f"On a shared server you act as your database login '{login_now}'; to act as "
            f"'{chosen}', connect as '{chosen}'."
        )
    if not session.scalar(select(func.count()).select_from(User)):
        return people.ensure_local_user(session, chosen)
    try:
        return people.get_actor(session, chosen)
    except NotFound:
        raise PermissionDenied(
            f"'{chosen}' is not a mappa-desktop user in {where}; ask an administrator to add you."
        ) from None


def acting_user(
    session: Session,
    *,
    asked: str | None,
    where: str,
    this_computer: str | None = None,
) -> Actor | AskWho:
    """Who is acting in ``session``'s database (``where``: the database as shown to people).

    ``asked``: the login asked for (``--user``, ``MAPPA_USER``, or the one remembered for this
    file). ``this_computer``: the operating-system login (default :func:`os_login`)."""
    if session.get_bind().dialect.name == "postgresql":
        return _server_actor(session, asked, where)
    return _sqlite_actor(session, asked, this_computer or os_login())
