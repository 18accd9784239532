"""The attacks of issue 9, tried the way an ordinary login would: plain SQL sent straight to the
PostgreSQL server as each user's own login (never the superuser), and refused by the server
itself (migration 0005, with 0003's roles). The allowed operations still work through the same
logins. The last test races two administrators removing each other on both engines.

The SQLite counterpart of the frozen-meeting attacks is test_db_attacks_sqlite.py.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from mappa_desktop.db import logins
from mappa_desktop.db.engine import make_engine
from mappa_desktop.db.models import Meeting
from mappa_desktop.db.schema import check_schema, migrate
from mappa_desktop.domain.enums import ActionStatus, Role
from mappa_desktop.domain.errors import SchemaError, StateError
from mappa_desktop.services import actions, meetings, minutes, people
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user, pg_url_for
from tests.mappa_desktop import test_pg_roles
from tests.mappa_desktop.factories_meetings import MEETING_DAY, schedule
from tests.mappa_desktop.signed_record import (
    ATTACKS,
    Record,
    draft_with_everything,
    params,
    submit,
    used,
)
from tests.mappa_desktop.test_pg_roles import (
    INSUFFICIENT_PRIVILEGE,
    PASSWORD,
    Area,
    add_login,
    awaiting_sign_off,
    drop_roles,
    run_cli,
)
from tests.polling import wait_until

area = test_pg_roles.area  # the fixture: one login per kind of user
LAST_ADMINISTRATOR = "MA001"  # migration 0005's own SQLSTATE
SERIALIZATION_FAILURE = "40001"
WRITERS = ("taker", "chair_a", "chair_b", "coord", "admin")


def sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def refused(engine: Engine, statement: str, values: dict[str, int] | None = None) -> str:
    """``statement`` sent as the engine's login must be refused for lack of privilege."""
    with pytest.raises(DBAPIError) as exc, engine.begin() as conn:
        conn.execute(sa.text(statement), used(statement, values or {}))
    assert sqlstate(exc.value) == INSUFFICIENT_PRIVILEGE, exc.value
    return str(exc.value.orig)


def sign_off_as(area: Area, key: str, meeting_id: int) -> None:
    with area.db_as(key).sessions.begin() as s:
        minutes.sign_off(s, people.get_actor(s, area.login(key)), meeting_id)


@pytest.fixture
def signed(area: Area) -> Record:
    """A meeting chaired by chair_a with a row in every table, signed off by chair_a's login."""
    record = draft_with_everything(area.su, area.users["chair_a"])
    submit(area.su, area.users["chair_a"], record.meeting_id)
    sign_off_as(area, "chair_a", record.meeting_id)
    return record


# --- 1. a signed meeting is frozen -----------------------------------------------------------


@pytest.mark.pg
@pytest.mark.parametrize("key", WRITERS)
def test_no_writer_login_can_change_a_signed_meetings_record(
    area: Area, signed: Record, key: str
) -> None:
    engine = area.engine_as(key)
    for table, update, insert in ATTACKS:
        values = params(signed, table)
        for statement in (update, f"DELETE FROM {table} WHERE id = :id", insert):
            assert "the meeting is signed off" in refused(engine, statement, values), statement
    m = {"m": signed.meeting_id}
    for statement in (
        "UPDATE meeting SET venue = 'Elsewhere' WHERE id = :m",
        "UPDATE meeting SET meeting_date = meeting_date - 1 WHERE id = :m",
        "UPDATE meeting SET chair_id = (SELECT max(id) FROM person) WHERE id = :m",
        "DELETE FROM meeting WHERE id = :m",
    ):
        refused(engine, statement, m)
    assert "never back" in refused(engine, "UPDATE meeting SET status = 'draft' WHERE id = :m", m)


@pytest.mark.pg
def test_a_reader_is_refused_by_the_grants_before_any_trigger(area: Area, signed: Record) -> None:
    reader = area.engine_as("reader")
    for table, update, _insert in ATTACKS:
        assert "permission denied" in refused(reader, update, params(signed, table))


@pytest.mark.pg
def test_the_owner_is_exempt_and_its_edit_is_what_the_hash_must_catch(
    area: Area, signed: Record
) -> None:
    with area.su.engine.begin() as conn:  # the superuser that owns the tables
        changed = conn.execute(
            sa.text("UPDATE decision SET outcome = 'Level 1' WHERE id = :id"),
            {"id": signed.ids["decision"]},
        ).rowcount
    assert changed == 1


@pytest.mark.pg
def test_after_sign_off_logins_still_distribute_correct_and_record_outcomes(
    area: Area, signed: Record
) -> None:
    chair = area.db_as("chair_a")
    with chair.sessions.begin() as s:
        actor = people.get_actor(s, area.login("chair_a"))
        minutes.record_distribution(
            s,
            actor,
            signed.meeting_id,
            recipient_name=actor.display_name,
            recipient_person_id=actor.person_id,  # the chair: every record is theirs to hold
        )
        minutes.add_addendum(s, actor, signed.meeting_id, reason="Typo", text="Read 12 May.")
    taker = area.engine_as("taker")
    m = {"m": signed.meeting_id}
    refused(taker, "UPDATE meeting SET status = 'signed_off' WHERE id = :m", m)
    with area.su.sessions.begin() as s:
        later = schedule(s, area.users["chair_b"], day=MEETING_DAY + timedelta(days=28)).id
        meetings.add_to_agenda(s, area.users["chair_b"], later, signed.case_id)
        meetings.start_meeting(s, area.users["chair_b"], later)
    with area.db_as("taker").sessions.begin() as s:
        row = actions.review_action(
            s,
            people.get_actor(s, area.login("taker")),
            later,
            signed.ids["action"],
            outcome=ActionStatus.CARRIED_OVER,
            not_done_reason="not_done_by_agency",
            new_due_date=MEETING_DAY + timedelta(days=40),
        )
    assert (row.status, row.text) == (ActionStatus.CARRIED_OVER, "Visit the address")
    with taker.begin() as conn:  # the outcome columns, and only those, by plain SQL too
        conn.execute(
            sa.text(
                "UPDATE action SET status = 'done', completed_on = CURRENT_DATE, "
                "not_done_reason = NULL, outcome_note = 'Seen', version = version + 1 "
                "WHERE id = :id"
            ),
            {"id": signed.ids["action"]},
        )
    refused(taker, "UPDATE action SET text = 'Other' WHERE id = :id", {"id": signed.ids["action"]})
    with area.su.sessions() as s:
        assert meetings.get_meeting_row(s, signed.meeting_id).status.value == "distributed"


# --- 2. who chairs -----------------------------------------------------------------------------


@pytest.mark.pg
def test_only_coordination_decides_who_chairs_and_never_after_sign_off(area: Area) -> None:
    meeting_id = awaiting_sign_off(area, "chair_a")
    m = {"m": meeting_id}
    # Making oneself the chair, or (for the chair) handing the meeting to someone else.
    for key, to in (("taker", "taker"), ("chair_b", "chair_b"), ("chair_a", "chair_b")):
        message = refused(
            area.engine_as(key),
            f"UPDATE meeting SET chair_id = {area.users[to].person_id} WHERE id = :m",
            m,
        )
        assert "decides who chairs" in message
    # Nor may a minute-taker make a meeting of their own to chair and sign.
    message = refused(
        area.engine_as("taker"),
        "INSERT INTO meeting (level, meeting_type, meeting_date, venue, chair_id, status, "
        "template_version, created_at, version) VALUES (2, 'review', CURRENT_DATE, '', "
        f"{area.users['taker'].person_id}, 'draft', 'x', now(), 1)",
    )
    assert "schedules a meeting" in message
    # The chair stayed chair_a's, so the minute-taker's sign-off is refused as well.
    refused(
        area.engine_as("taker"),
        "INSERT INTO minutes (meeting_id, content, content_sha256, signed_by_id, signed_at) "
        f"VALUES (:m, '{{}}', '{'e' * 64}', {area.users['taker'].user_id}, now())",
        m,
    )
    # A co-ordinator may hand the meeting to another chair, by plain SQL or through the app.
    coord = area.engine_as("coord")
    with coord.begin() as conn:
        conn.execute(
            sa.text("UPDATE meeting SET chair_id = :p WHERE id = :m"),
            {"p": area.users["chair_b"].person_id, "m": meeting_id},
        )
    with area.db_as("coord").sessions.begin() as s:
        version = s.get(Meeting, meeting_id).version  # type: ignore[union-attr]
        row = meetings.edit_meeting(
            s,
            people.get_actor(s, area.login("coord")),
            meeting_id,
            expected_version=version,
            chair_id=area.users["chair_a"].person_id,
        )
    assert row.chair_id == area.users["chair_a"].person_id
    with area.su.sessions.begin() as s:  # the edit returned the minutes to draft
        meetings.submit_for_sign_off(s, area.users["chair_a"], meeting_id)
    sign_off_as(area, "chair_a", meeting_id)
    message = refused(
        coord, f"UPDATE meeting SET chair_id = {area.users['chair_b'].person_id} WHERE id = :m", m
    )
    assert "the meeting is signed off" in message


# --- 3. disabling a user takes effect at once --------------------------------------------------


def open_session_as(area: Area, key: str) -> sa.Connection:
    conn = area.engine_as(key).connect()
    assert conn.scalar(sa.text("SELECT count(*) FROM meeting")) == 0
    conn.commit()
    return conn


@pytest.mark.pg
def test_a_connection_opened_before_the_disable_can_no_longer_read_or_write(area: Area) -> None:
    conn = open_session_as(area, "taker")
    with area.su.sessions.begin() as s:  # as the owner would, without ending any session
        people.disable_user(s, area.users["admin"], area.login("taker"))
        logins.disable_login(s, area.login("taker"))
    for statement in (
        "UPDATE mappa_case SET version = version",
        "INSERT INTO case_alias (case_id, name, kind) VALUES (1, 'x', 'alias')",
        "SELECT count(*) FROM meeting",
    ):
        with pytest.raises(DBAPIError) as exc:
            conn.execute(sa.text(statement))
        assert sqlstate(exc.value) == INSUFFICIENT_PRIVILEGE, statement
        conn.rollback()
    conn.close()


def backends_of(pg_admin: Engine, login: str) -> int:
    with pg_admin.connect() as conn:
        return int(
            conn.scalar(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE usename = :n"), {"n": login}
            )
            or 0
        )


@pytest.mark.pg
def test_disable_user_run_by_a_superuser_ends_the_open_connections(
    area: Area, pg_admin: Engine, tmp_path: Path
) -> None:
    conn = open_session_as(area, "taker")
    code, out, err = run_cli(
        "admin", "disable-user", area.login("taker"), "--database", area.url,
        "--user", area.login("admin"), home=tmp_path,
    )  # fmt: skip
    assert code == 0, err
    assert "its group roles are revoked" in out
    assert "Ended 1 open connection of theirs." in out
    wait_until(
        lambda: backends_of(pg_admin, area.login("taker")) == 0, "the ended connection", 20.0
    )
    with pytest.raises(OperationalError):
        conn.execute(sa.text("SELECT 1"))
    conn.invalidate()


@pytest.fixture
def owned_area(pg_admin: Engine) -> Iterator[tuple[str, str]]:
    """A database owned by a non-superuser with CREATEROLE (as a managed server gives), migrated
    by that owner; yields (owner's URL, suffix)."""
    suffix = uuid.uuid4().hex[:8]
    owner, name = f"own_{suffix}", f"mappa_test_owned_{suffix}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '{PASSWORD}'"))
        conn.execute(sa.text(f'CREATE DATABASE "{name}" OWNER {owner}'))
    url = (
        make_url(pg_url_for(name))
        .set(username=owner, password=PASSWORD)
        .render_as_string(hide_password=False)
    )
    try:
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url, suffix
    finally:
        with pg_admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        drop_roles(pg_admin, suffix)


@pytest.mark.pg
def test_disable_user_says_so_when_the_owner_cannot_end_connections(
    owned_area: tuple[str, str], tmp_path: Path
) -> None:
    url, suffix = owned_area
    boss, taker = f"boss_{suffix}", f"taker_{suffix}"
    env = {"NEW_PW": PASSWORD}
    for login, role in ((boss, "administrator"), (taker, "minute-taker")):
        code, _out, err = run_cli(
            "admin", "add-user", login, "--name", f"Pat {login.title()}", "--agency", "Police",
            "--role", role, "--password-env", "NEW_PW", "--database", url, "--user", boss,
            home=tmp_path, env=env,
        )  # fmt: skip
        assert code == 0, err
    as_taker = make_engine(make_url(url).set(username=taker).render_as_string(hide_password=False))
    try:
        conn = as_taker.connect()
        conn.execute(sa.text("SELECT count(*) FROM meeting"))
        conn.commit()
        code, out, err = run_cli(
            "admin", "disable-user", taker, "--database", url, "--user", boss, home=tmp_path
        )
        assert code == 0, err
        assert "may not end other logins' connections" in out
        assert "Ended" not in out
        with pytest.raises(DBAPIError) as exc:
            conn.execute(
                sa.text("INSERT INTO case_alias (case_id, name, kind) VALUES (1, 'x', 'alias')")
            )
        assert sqlstate(exc.value) == INSUFFICIENT_PRIVILEGE
        conn.close()
    finally:
        as_taker.dispose()


# --- 3b. the last administrator --------------------------------------------------------------


def race(*jobs: Callable[[], None]) -> list[BaseException | None]:
    """Run ``jobs`` in threads released together; each job's exception (or None)."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    results: list[BaseException | None] = [None] * len(jobs)

    def run(n: int) -> None:
        try:
            barrier.wait()
            jobs[n]()
        except BaseException as exc:
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


ACTIVE_ADMINS = (
    "SELECT u.login FROM app_user u JOIN user_role r ON r.user_id = u.id "
    "WHERE u.active AND r.role = 'administrator' ORDER BY u.login"
)
RESTORE = (
    "UPDATE app_user SET active = true WHERE login IN (:a, :b)",
    "INSERT INTO user_role (user_id, role) SELECT u.id, 'administrator' FROM app_user u "
    "WHERE u.login IN (:a, :b) AND NOT EXISTS (SELECT 1 FROM user_role r "
    "WHERE r.user_id = u.id AND r.role = 'administrator')",
)


def restore(engine: Engine, a: str, b: str) -> None:
    with engine.begin() as conn:
        for statement in RESTORE:
            conn.execute(sa.text(statement), {"a": a, "b": b})


@pytest.mark.pg
@pytest.mark.parametrize("isolation", ["READ COMMITTED", "REPEATABLE READ"])
def test_two_administrator_logins_removing_each_other_leave_one(area: Area, isolation: str) -> None:
    second = add_login(area.su, area.users["admin"], f"adm2_{area.suffix}", [Role.ADMINISTRATOR])
    a, b = area.login("admin"), second.login
    engine_a = area.engine_as("admin").execution_options(isolation_level=isolation)
    engine_b = make_engine(area.url_as(b)).execution_options(isolation_level=isolation)
    area.engines.append(engine_b)

    def disable(engine: Engine, login: str) -> Callable[[], None]:
        def go() -> None:
            with engine.begin() as conn:
                conn.execute(
                    sa.text("UPDATE app_user SET active = false WHERE login = :n"), {"n": login}
                )

        return go

    def demote(engine: Engine, login: str) -> Callable[[], None]:
        def go() -> None:
            with engine.begin() as conn:
                conn.execute(
                    sa.text(
                        "DELETE FROM user_role WHERE role = 'administrator' AND user_id = "
                        "(SELECT id FROM app_user WHERE login = :n)"
                    ),
                    {"n": login},
                )

        return go

    for attempt in range(10):
        restore(area.su.engine, a, b)
        second_job = demote if attempt % 2 else disable
        errors = race(disable(engine_a, b), second_job(engine_b, a))
        with area.su.engine.connect() as conn:
            left = conn.scalars(sa.text(ACTIVE_ADMINS)).all()
        assert len(left) == 1, (attempt, left, errors)
        failed = [e for e in errors if e is not None]
        assert len(failed) == 1, errors
        assert isinstance(failed[0], DBAPIError)
        assert sqlstate(failed[0]) in (LAST_ADMINISTRATOR, SERIALIZATION_FAILURE), failed[0]


def test_two_administrators_removing_each_other_in_the_app_leave_one(
    db: Database, admin: Actor
) -> None:
    second = make_user(db, "second", [Role.ADMINISTRATOR])
    for attempt in range(10):
        restore(db.engine, "admin", "second")

        def remove(actor: Actor, login: str, demote: bool) -> Callable[[], None]:
            def go() -> None:
                with db.sessions.begin() as s:
                    if demote:
                        people.set_roles(s, actor, login, [Role.READER])
                    else:
                        people.disable_user(s, actor, login)

            return go

        errors = race(
            remove(admin, "second", demote=False), remove(second, "admin", demote=attempt % 2 == 1)
        )
        with db.sessions() as s:
            left = [
                u.login for u in people.list_users(s) if u.active and Role.ADMINISTRATOR in u.roles
            ]
        assert len(left) == 1, (attempt, left, errors)
        failed = [e for e in errors if e is not None]
        assert len(failed) == 1 and isinstance(failed[0], StateError), errors
        assert "last active administrator" in str(failed[0])


# --- 4. a database missing a table is refused when opened ------------------------------------


def test_a_database_missing_a_table_is_refused_in_one_line(db: Database, tmp_path: Path) -> None:
    assert check_schema(db.engine, allow_upgrade=False).at_head
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE invited_agency")
    with pytest.raises(SchemaError) as exc:
        check_schema(db.engine, allow_upgrade=True)
    assert "has no table invited_agency" in str(exc.value)
    db.engine.dispose()
    code, out, err = run_cli("meetings", "--database", db.url, home=tmp_path)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "has no table invited_agency" in err, err
