"""Who is acting: one rule for the window and the command line (``services.acting``)."""

from __future__ import annotations

import pytest

from mappa_desktop.domain.enums import Role
from mappa_desktop.domain.errors import PermissionDenied, ValidationError
from mappa_desktop.services import acting, people
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user


def _add(db: Database, admin: Actor, login: str) -> None:
    with db.sessions.begin() as s:
        unit = people.find_agency(s, "MAPPA Unit")
        assert unit is not None
        person = people.add_person(s, admin, family_name=login.title(), agency_id=unit.id)
        people.add_user(s, admin, login=login, person_id=person.id, roles=[Role.READER])


def _who(db: Database, asked: str | None, this_computer: str) -> Actor | acting.AskWho:
    with db.sessions.begin() as s:
        return acting.acting_user(s, asked=asked, where=db.url, this_computer=this_computer)


def test_a_new_file_makes_this_computers_login_its_first_administrator(
    sqlite_db: Database,
) -> None:
    first = _who(sqlite_db, None, "olu")
    assert isinstance(first, Actor)
    assert first.login == "olu" and first.has(Role.ADMINISTRATOR)


def test_the_only_user_acts_and_several_users_are_asked(sqlite_db: Database) -> None:
    admin = make_user(sqlite_db, "admin", [Role.ADMINISTRATOR])
    only = _who(sqlite_db, None, "somebody-else")
    assert isinstance(only, Actor) and only.login == "admin"

    _add(sqlite_db, admin, "mtaker")
    ask = _who(sqlite_db, None, "somebody-else")
    assert isinstance(ask, acting.AskWho)
    assert [u.login for u in ask.users] == ["admin", "mtaker"]

    mine = _who(sqlite_db, None, "mtaker")  # this computer's login is one of them
    assert isinstance(mine, Actor) and mine.login == "mtaker"
    asked = _who(sqlite_db, "admin", "mtaker")  # --user, MAPPA_USER or remembered wins
    assert isinstance(asked, Actor) and asked.login == "admin"
    with pytest.raises(ValidationError, match="no user 'ghost'"):
        _who(sqlite_db, "ghost", "mtaker")


def test_on_a_server_you_are_your_database_login(db: Database) -> None:
    if db.kind != "pg":
        pytest.skip("the server rule; SQLite is above")
    make_user(db, "admin", [Role.ADMINISTRATOR])
    # The tests connect as a superuser login, which is not a user of this database...
    with pytest.raises(PermissionDenied, match="is not a mappa-desktop user in the server"):
        _who_on_server(db, None)
    # ...and a superuser (administration) may act as a named user.
    named = _who_on_server(db, "admin")
    assert isinstance(named, Actor) and named.login == "admin"


def _who_on_server(db: Database, asked: str | None) -> Actor | acting.AskWho:
    with db.sessions.begin() as s:
        return acting.acting_user(s, asked=asked, where="the server")
