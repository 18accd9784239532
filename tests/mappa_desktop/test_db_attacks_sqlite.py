"""What a local SQLite file itself refuses (migration 0005), tried with plain SQL through the
standard ``sqlite3`` module, as anyone holding the file could: the record of a signed-off
meeting, and removing the last administrator. A trigger cannot tell users apart, so nobody is
exempt; the app's own writes after sign-off (distribution, addenda, a later meeting recording an
action's outcome) still work. The PostgreSQL counterpart, per login, is test_db_attacks.py."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command

from mappa_desktop.db.schema import alembic_config, migrate
from mappa_desktop.domain.enums import ActionStatus, Role
from mappa_desktop.services import actions, meetings, minutes
from mappa_desktop.services import copy as copying
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import MEETING_DAY, schedule
from tests.mappa_desktop.signed_record import (
    ATTACKS,
    Record,
    draft_with_everything,
    params,
    submit,
    used,
)

TRIGGER = "SQLITE_CONSTRAINT_TRIGGER"


@pytest.fixture
def chair(sqlite_db: Database) -> Actor:
    return make_user(
        sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER]
    )


@pytest.fixture
def signed(sqlite_db: Database, chair: Actor) -> Record:
    record = draft_with_everything(sqlite_db, chair)
    submit(sqlite_db, chair, record.meeting_id)
    with sqlite_db.sessions.begin() as s:
        minutes.sign_off(s, chair, record.meeting_id)
    return record


@pytest.fixture
def raw(sqlite_db: Database) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection to the file, in autocommit mode, foreign keys on."""
    path = sqlite_db.engine.url.database
    assert path
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys=ON")
        yield conn


def refused(conn: sqlite3.Connection, statement: str, values: dict[str, int] | None = None) -> str:
    with pytest.raises(sqlite3.IntegrityError) as exc:
        conn.execute(statement, used(statement, values or {}))
    assert exc.value.sqlite_errorname == TRIGGER, exc.value
    return str(exc.value)


def count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.mark.parametrize(("table", "update", "insert"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_every_table_of_a_signed_meeting_refuses_update_delete_and_insert(
    signed: Record, raw: sqlite3.Connection, table: str, update: str, insert: str
) -> None:
    values = params(signed, table)
    before = raw.execute(f"SELECT * FROM {table} WHERE id = ?", (values["id"],)).fetchone()
    rows = count(raw, table)
    assert "meeting is signed off" in refused(raw, update, values)
    assert "meeting is signed off" in refused(raw, f"DELETE FROM {table} WHERE id = :id", values)
    assert "meeting is signed off" in refused(raw, insert, values)
    assert raw.execute(f"SELECT * FROM {table} WHERE id = ?", (values["id"],)).fetchone() == before
    assert count(raw, table) == rows


def test_a_signed_meeting_row_only_moves_on_to_distributed(
    signed: Record, raw: sqlite3.Connection
) -> None:
    m = {"m": signed.meeting_id}
    for statement in (
        "UPDATE meeting SET venue = 'Elsewhere' WHERE id = :m",
        "UPDATE meeting SET chair_id = (SELECT max(id) FROM person) WHERE id = :m",
        "UPDATE meeting SET status = 'draft' WHERE id = :m",
        "UPDATE meeting SET meeting_date = '2001-01-01' WHERE id = :m",
        "DELETE FROM meeting WHERE id = :m",
    ):
        refused(raw, statement, m)
    raw.execute("UPDATE meeting SET status = 'distributed', version = version + 1 WHERE id = :m", m)
    refused(raw, "UPDATE meeting SET status = 'signed_off' WHERE id = :m", m)
    row = raw.execute("SELECT status, venue FROM meeting WHERE id = :m", m).fetchone()
    assert row == ("distributed", "Room 4, Central Police Station")


def test_an_action_set_at_a_signed_meeting_keeps_its_wording_but_takes_an_outcome(
    signed: Record, raw: sqlite3.Connection
) -> None:
    action = {"id": signed.ids["action"]}
    refused(raw, "UPDATE action SET due_date = due_date, text = 'Other' WHERE id = :id", action)
    refused(raw, "UPDATE action SET set_in_meeting_id = NULL WHERE id = :id", action)
    raw.execute(
        "UPDATE action SET status = 'done', completed_on = CURRENT_DATE, outcome_note = 'Seen', "
        "version = version + 1 WHERE id = :id",
        action,
    )
    assert raw.execute("SELECT status, text FROM action WHERE id = :id", action).fetchone() == (
        "done",
        "Visit the address",
    )


def test_an_unsigned_meeting_stays_editable(
    sqlite_db: Database, chair: Actor, raw: sqlite3.Connection
) -> None:
    record = draft_with_everything(sqlite_db, chair)
    for table, update, _insert in ATTACKS:
        raw.execute(update, used(update, params(record, table)))
    raw.execute("UPDATE meeting SET venue = 'Room 5' WHERE id = ?", (record.meeting_id,))


def test_the_app_still_distributes_corrects_and_reviews_after_sign_off(
    sqlite_db: Database, chair: Actor, signed: Record
) -> None:
    with sqlite_db.sessions.begin() as s:
        minutes.record_distribution(
            s,
            chair,
            signed.meeting_id,
            recipient_name=chair.display_name,
            recipient_person_id=chair.person_id,  # the chair: every record is theirs to hold
        )
        minutes.add_addendum(
            s, chair, signed.meeting_id, reason="Wrong date", text="The visit is on 12 May."
        )
        later = schedule(s, chair, day=MEETING_DAY + timedelta(days=28)).id
        meetings.add_to_agenda(s, chair, later, signed.case_id)
        meetings.start_meeting(s, chair, later)
        row = actions.review_action(
            s, chair, later, signed.ids["action"], outcome=ActionStatus.DONE
        )
    assert (row.status, row.closed_in_meeting_id, row.text) == (
        ActionStatus.DONE,
        later,
        "Visit the address",
    )
    with sqlite_db.sessions() as s:
        assert meetings.get_meeting_row(s, signed.meeting_id).status.value == "distributed"


def test_the_last_administrator_cannot_be_removed_with_plain_sql(
    sqlite_db: Database, chair: Actor, raw: sqlite3.Connection
) -> None:
    make_user(sqlite_db, "second", [Role.ADMINISTRATOR])
    make_user(sqlite_db, "rita", [Role.READER])
    message = refused(raw, "UPDATE app_user SET active = 0")
    assert "no active administrator" in message
    refused(raw, "DELETE FROM user_role WHERE role = 'administrator'")
    refused(raw, "UPDATE user_role SET role = 'reader' WHERE role = 'administrator'")
    raw.execute("UPDATE app_user SET active = 0 WHERE login IN ('rita', 'second')")
    refused(raw, f"UPDATE app_user SET active = 0 WHERE id = {chair.user_id}")
    assert raw.execute("SELECT active FROM app_user WHERE login = 'admin'").fetchone() == (1,)


def test_copying_a_signed_meeting_into_a_new_file_keeps_it_frozen(
    sqlite_db: Database, signed: Record, tmp_path: Path
) -> None:
    target = tmp_path / "copy.sqlite3"
    copying.copy_database(sqlite_db.url, f"sqlite:///{target}")
    with closing(sqlite3.connect(target, isolation_level=None)) as conn:
        triggers = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
        assert triggers.fetchone()[0] == count_triggers(sqlite_db)
        refused(
            conn, "UPDATE decision SET outcome = 'x' WHERE id = :id", params(signed, "decision")
        )


def count_triggers(database: Database) -> int:
    with database.engine.connect() as conn:
        return int(
            conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
            ).scalar()
            or 0
        )


def test_the_freeze_downgrades_cleanly_and_upgrades_an_existing_file_keeping_every_row(
    sqlite_db: Database, signed: Record
) -> None:
    def rows() -> dict[str, int]:
        with sqlite_db.engine.connect() as conn:
            return {
                t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() or 0)
                for t in [*(a[0] for a in ATTACKS), "meeting", "minutes"]
            }

    before, triggers = rows(), count_triggers(sqlite_db)
    with sqlite_db.engine.begin() as setup:
        command.downgrade(alembic_config(setup), "0004")
    assert count_triggers(sqlite_db) < triggers
    with sqlite_db.engine.begin() as old:  # the protection is gone with the revision
        old.exec_driver_sql(
            f"UPDATE decision SET outcome = outcome WHERE id = {signed.ids['decision']}"
        )
    migrate(sqlite_db.engine)
    assert rows() == before and count_triggers(sqlite_db) == triggers
    path = sqlite_db.engine.url.database
    assert path
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        refused(conn, "DELETE FROM decision WHERE id = :id", params(signed, "decision"))
