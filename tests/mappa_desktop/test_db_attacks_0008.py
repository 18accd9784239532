"""What migration 0008 adds to a meeting's record is frozen with it: once the meeting is signed
off, plain SQL can neither insert, change nor delete a case attendance row, change an action's
purpose, or change who gave information, as at when, or whether the agency declined. Tried on
PostgreSQL as each ordinary login (never the owner) and on SQLite through the bare ``sqlite3``
module; the same statements succeed while the meeting is a draft, so the refusal is the freeze.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from mappa_desktop.db.models import Action
from mappa_desktop.domain.enums import Role
from mappa_desktop.services import attendance, discussions, minutes, people
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop import test_pg_roles
from tests.mappa_desktop.factories_meetings import MEETING_DAY, agency_id, person
from tests.mappa_desktop.signed_record import Record, draft_with_everything, submit, used
from tests.mappa_desktop.test_pg_roles import INSUFFICIENT_PRIVILEGE, Area

area = test_pg_roles.area  # the fixture: one login per kind of user
WRITERS = ("taker", "chair_a", "chair_b", "coord", "admin")
FROZEN = "the meeting is signed off"
TRIGGER = "SQLITE_CONSTRAINT_TRIGGER"

# Plain SQL against the rows 0008 added: :ca a case attendance row, :disc its discussion,
# :agency another agency, :info an information item, :action an action set at the meeting.
ATTACKS = (
    "INSERT INTO case_attendance (discussion_id, agency_id, person_id, status, version) "
    "VALUES (:disc, :agency, NULL, 'report_submitted', 1)",
    "UPDATE case_attendance SET status = 'present', version = version + 1 WHERE id = :ca",
    "DELETE FROM case_attendance WHERE id = :ca",
    "UPDATE action SET purpose = 'No reason' WHERE id = :action",
    "UPDATE information_shared SET declined = NOT declined WHERE id = :info",
    "UPDATE information_shared SET given_by_id = NULL WHERE id = :info",
    "UPDATE information_shared SET as_at = NULL WHERE id = :info",
)
SNAPSHOT = (
    "SELECT id, agency_id, person_id, status, version FROM case_attendance "
    "WHERE discussion_id = :disc ORDER BY id",
    "SELECT purpose, text FROM action WHERE id = :action",
    "SELECT declined, given_by_id, as_at, text FROM information_shared WHERE id = :info",
)


def draft_with_0008_rows(db: Database, chair: Actor) -> dict[str, int]:
    """``draft_with_everything`` plus a row or value in each thing 0008 added."""
    record: Record = draft_with_everything(db, chair)
    disc = record.ids["case_discussion"]
    with db.sessions.begin() as s:
        police, housing = agency_id(s, "Police"), agency_id(s, "Housing")
        constable = person(s, "Constable", "Cara", agency="Police")
        case_row = attendance.record_case_attendance(
            s, chair, disc, agency_id=police, person_id=constable, status="absent"
        )
        info = discussions.edit_information(
            s,
            chair,
            record.ids["information_shared"],
            expected_version=1,
            text="Seen twice; a third sighting is not confirmed.",
            given_by_id=constable,
            as_at=MEETING_DAY - timedelta(days=2),
        )
        action = s.get(Action, record.ids["action"])
        assert action is not None
        action.purpose = "Confirm he lives at the approved address."
    assert case_row.id is not None
    return {
        "m": record.meeting_id,
        "disc": disc,
        "ca": case_row.id,
        "agency": housing,
        "info": info.id,
        "action": record.ids["action"],
    }


# --- PostgreSQL: each login, refused by the server ------------------------------------------------


def _snapshot_pg(engine: Engine, ids: dict[str, int]) -> list[list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return [[tuple(r) for r in conn.execute(sa.text(q), used(q, ids))] for q in SNAPSHOT]


def _refused_pg(engine: Engine, statement: str, ids: dict[str, int]) -> str:
    with pytest.raises(DBAPIError) as exc, engine.begin() as conn:
        conn.execute(sa.text(statement), used(statement, ids))
    assert getattr(exc.value.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE, exc.value
    return str(exc.value.orig)


@pytest.mark.pg
def test_no_login_can_change_what_0008_added_to_a_signed_meeting(area: Area) -> None:
    chair = area.users["chair_a"]
    ids = draft_with_0008_rows(area.su, chair)
    taker = area.engine_as("taker")
    with taker.connect() as conn:  # while a draft, a writer's login may do each of these
        for statement in ATTACKS:
            assert conn.execute(sa.text(statement), used(statement, ids)).rowcount == 1
        conn.rollback()
    submit(area.su, chair, ids["m"])
    with area.db_as("chair_a").sessions.begin() as s:
        minutes.sign_off(s, people.get_actor(s, area.login("chair_a")), ids["m"])
    before = _snapshot_pg(area.su.engine, ids)
    assert before[0] and before[1] == [
        ("Confirm he lives at the approved address.", "Visit the address")
    ]
    for key in WRITERS:
        engine = area.engine_as(key)
        for statement in ATTACKS:
            assert FROZEN in _refused_pg(engine, statement, ids), (key, statement)
    reader = area.engine_as("reader")
    for statement in ATTACKS:
        assert "permission denied" in _refused_pg(reader, statement, ids), statement
    assert _snapshot_pg(area.su.engine, ids) == before


# --- SQLite: the file itself refuses -------------------------------------------------------------


@pytest.fixture
def chair(sqlite_db: Database) -> Actor:
    return make_user(
        sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER]
    )


@pytest.fixture
def raw(sqlite_db: Database) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection to the file, autocommit off (each test rolls back), FKs on."""
    path = sqlite_db.engine.url.database
    assert path
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA foreign_keys=ON")
        yield conn


def _snapshot_sqlite(
    conn: sqlite3.Connection, ids: dict[str, int]
) -> list[list[tuple[object, ...]]]:
    return [list(conn.execute(q, used(q, ids))) for q in SNAPSHOT]


def test_sqlite_refuses_changing_what_0008_added_to_a_signed_meeting(
    sqlite_db: Database, chair: Actor, raw: sqlite3.Connection
) -> None:
    ids = draft_with_0008_rows(sqlite_db, chair)
    for statement in ATTACKS:  # while a draft, the same statements go through
        assert raw.execute(statement, used(statement, ids)).rowcount == 1
    raw.rollback()
    submit(sqlite_db, chair, ids["m"])
    with sqlite_db.sessions.begin() as s:
        minutes.sign_off(s, chair, ids["m"])
    before = _snapshot_sqlite(raw, ids)
    assert before[0] and before[2][0][1] is not None  # the case row and who gave it
    for statement in ATTACKS:
        with pytest.raises(sqlite3.IntegrityError) as exc:
            raw.execute(statement, used(statement, ids))
        assert exc.value.sqlite_errorname == TRIGGER, statement
        assert FROZEN in str(exc.value), statement
    raw.rollback()
    assert _snapshot_sqlite(raw, ids) == before
