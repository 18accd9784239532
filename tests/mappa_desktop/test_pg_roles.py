"""Who may do what, enforced by PostgreSQL itself (migration 0003), and the user administration
that keeps logins and app users in step (``people.disable_user`` / ``set_roles``, the ``admin``
commands).

The PostgreSQL tests connect AS each user's login role, never as the superuser, and send the
forbidden statements straight to the server: the refusal comes from the database, not the app.
Login roles belong to the whole cluster, so each test run uses its own names and drops them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from mappa_desktop.db import logins
from mappa_desktop.db.engine import make_engine, make_session_factory
from mappa_desktop.db.models import Minutes, User
from mappa_desktop.db.schema import migrate
from mappa_desktop.domain.enums import Role
from mappa_desktop.domain.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    StateError,
    ValidationError,
)
from mappa_desktop.services import audit, cases, meetings, minutes, people
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import ready_meeting

PASSWORD = "correct horse battery staple"
INSUFFICIENT_PRIVILEGE = "42501"


# --- the app-level services (both engines) -------------------------------------------------------


def test_disable_user_marks_the_user_inactive_and_audits(db: Database, admin: Actor) -> None:
    make_user(db, "rita", [Role.READER])
    with db.sessions.begin() as s:
        row = people.disable_user(s, admin, "RITA")
    assert row.active is False
    with db.sessions() as s:
        assert people.get_user(s, "rita").active is False
        events = [e for e in audit.list_events(s) if e.entity == "user" and e.action == "disable"]
        with pytest.raises(PermissionDenied, match="disabled"):
            people.get_actor(s, "rita")
    assert events[-1].changes == {"active": [True, False]}
    assert events[-1].user_login == "admin"


def test_disable_user_refused_for_non_administrators(db: Database, admin: Actor) -> None:
    chair = make_user(db, "chair1", [Role.CHAIR, Role.COORDINATOR])
    make_user(db, "rita", [Role.READER])
    with pytest.raises(PermissionDenied, match="administrator"), db.sessions.begin() as s:
        people.disable_user(s, chair, "rita")
    with db.sessions() as s:
        assert people.get_user(s, "rita").active is True


def test_disable_user_refused_for_self_unknown_repeat_and_last_admin(
    db: Database, admin: Actor
) -> None:
    other = make_user(db, "second", [Role.ADMINISTRATOR])
    with pytest.raises(PermissionDenied, match="your own login"), db.sessions.begin() as s:
        people.disable_user(s, admin, "admin")
    with pytest.raises(NotFound), db.sessions.begin() as s:
        people.disable_user(s, admin, "nobody")
    with db.sessions.begin() as s:
        people.disable_user(s, other, "admin")
    with pytest.raises(StateError, match="already disabled"), db.sessions.begin() as s:
        people.disable_user(s, other, "admin")
    # "second" is now the last active administrator: they keep the role and stay enabled (here
    # refused to a stale actor whose screen still shows them as an administrator).
    with pytest.raises(StateError, match="last active administrator"), db.sessions.begin() as s:
        people.set_roles(s, other, "second", [Role.READER])
    with pytest.raises(StateError, match="last active administrator"), db.sessions.begin() as s:
        people.disable_user(s, admin, "second")
    with db.sessions() as s:
        assert people.get_actor(s, "second").roles == {Role.ADMINISTRATOR}


def test_disable_user_refuses_a_stale_version(db: Database, admin: Actor) -> None:
    make_user(db, "rita", [Role.READER])
    with db.sessions.begin() as s:
        people.set_roles(s, admin, "rita", [Role.MINUTE_TAKER])  # moves the version on
    with pytest.raises(ConflictError), db.sessions.begin() as s:
        people.disable_user(s, admin, "rita", expected_version=1)


def test_set_roles_replaces_roles_and_audits_old_and_new(db: Database, admin: Actor) -> None:
    make_user(db, "rita", [Role.READER])
    with db.sessions.begin() as s:
        row = people.set_roles(s, admin, "rita", ["chair", Role.MINUTE_TAKER])
    assert row.roles == {Role.CHAIR, Role.MINUTE_TAKER}
    with db.sessions() as s:
        assert people.get_actor(s, "rita").roles == {Role.CHAIR, Role.MINUTE_TAKER}
        event = [e for e in audit.list_events(s) if e.action == "set_roles"][-1]
    assert event.changes == {"roles": [["reader"], ["chair", "minute_taker"]]}


def test_set_roles_refuses_bad_input_and_non_administrators(db: Database, admin: Actor) -> None:
    reader = make_user(db, "rita", [Role.READER])
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        people.set_roles(s, admin, "rita", [])
    assert "at least one role" in exc.value.errors["roles"]
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        people.set_roles(s, admin, "rita", ["superhero"])
    assert "roles" in exc.value.errors
    with pytest.raises(PermissionDenied), db.sessions.begin() as s:
        people.set_roles(s, reader, "rita", [Role.ADMINISTRATOR])
    with pytest.raises(NotFound), db.sessions.begin() as s:
        people.set_roles(s, admin, "nobody", [Role.READER])
    with db.sessions() as s:
        assert people.get_user(s, "rita").roles == {Role.READER}


# --- the admin commands, run as a real program ---------------------------------------------------


def run_cli(*args: str, home: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("MAPPA_DATABASE_URL",)}
    environment.pop("MAPPA_USER", None)
    environment["MAPPA_HOME"] = str(home)
    environment.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "mappa_desktop", *args],
        capture_output=True,
        env=environment,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


def test_admin_commands_on_a_local_file_manage_app_users(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'area.sqlite3'}"
    common = ("--database", url)
    code, out, err = run_cli(
        "admin", "add-user", "boss", "--name", "Ada Boss", "--agency", "Police",
        "--role", "administrator", *common, home=tmp_path,
    )  # fmt: skip
    assert (code, err) == (0, "") and "Added user boss: Ada Boss (Police)" in out
    code, out, err = run_cli(
        "admin", "add-user", "rita", "--name", "Reed, Rita", "--agency", "probation",
        "--role", "reader", *common, "--user", "boss", home=tmp_path,
    )  # fmt: skip
    assert code == 0, err
    assert "Rita Reed (Probation), roles reader" in out
    code, out, err = run_cli(
        "admin", "set-roles", "rita", "--role", "minute-taker", "--role", "chair",
        *common, "--user", "boss", home=tmp_path,
    )  # fmt: skip
    assert code == 0, err
    assert "now has roles chair, minute_taker" in out
    code, out, err = run_cli(
        "admin", "disable-user", "rita", *common, "--user", "boss", home=tmp_path
    )
    assert code == 0 and "Disabled rita" in out
    code, out, _ = run_cli("admin", "users", *common, "--user", "boss", home=tmp_path)
    assert "rita  Rita Reed (Probation)  chair, minute_taker  (disabled)" in out
    code, out, err = run_cli("cases", *common, "--user", "rita", home=tmp_path)
    assert code == 0  # reading needs no acting user
    code, out, err = run_cli(
        "admin", "add-user", "x1", "--name", "X One", "--agency", "Nowhere", "--role", "reader",
        *common, "--user", "rita", home=tmp_path,
    )  # fmt: skip
    assert code == 1 and "disabled" in err


def test_add_user_refuses_bad_input_with_one_line_errors(tmp_path: Path) -> None:
    common = ("--database", f"sqlite:///{tmp_path / 'area.sqlite3'}")
    code, _, err = run_cli(
        "admin", "add-user", "boss", "--name", "Ada Boss", "--agency", "Police",
        "--role", "chair", *common, home=tmp_path,
    )  # fmt: skip
    assert code == 1 and "the first user must be an administrator" in err
    code, _, err = run_cli(
        "admin", "add-user", "boss", "--name", "Ada Boss", "--agency", "Nowhere",
        "--role", "administrator", *common, home=tmp_path,
    )  # fmt: skip
    assert code == 1 and "There is no agency 'Nowhere'" in err and "Police" in err
    code, _, err = run_cli(
        "admin", "add-user", "Bad Login!", "--name", "Ada Boss", "--agency", "Police",
        "--role", "wizard", *common, home=tmp_path,
    )  # fmt: skip
    assert code == 1 and "Unknown role 'wizard'" in err
    assert "Traceback" not in err


# --- PostgreSQL: the database enforces the roles -------------------------------------------------


@dataclass
class Area:
    """A migrated PostgreSQL database with one login per kind of user."""

    url: str
    su: Database  # the superuser (owner) connection: set-up only
    suffix: str
    users: dict[str, Actor]
    engines: list[Engine]

    def login(self, key: str) -> str:
        return self.users[key].login

    def url_as(self, login: str, password: str | None = PASSWORD) -> str:
        return (
            make_url(self.url)
            .set(username=login, password=password)
            .render_as_string(hide_password=False)
        )

    def engine_as(self, key: str) -> Engine:
        engine = make_engine(self.url_as(self.login(key)))
        self.engines.append(engine)
        return engine

    def db_as(self, key: str) -> Database:
        engine = self.engine_as(key)
        return Database("pg", self.url_as(self.login(key)), engine, make_session_factory(engine))


def add_login(su: Database, actor: Actor | None, login: str, roles: list[Role]) -> Actor:
    with su.sessions.begin() as s:
        agency = people.find_agency(s, "Probation")
        assert agency is not None
        person = people.add_person(
            s,
            actor,
            family_name=login.split("_")[0].title(),
            given_names="Pat",
            agency_id=agency.id,
        )
        people.add_user(s, actor, login=login, person_id=person.id, roles=roles)
        logins.create_login(s, login, roles, password=PASSWORD)
        return people.get_actor(s, login)


def drop_roles(admin: Engine, suffix: str) -> None:
    with admin.connect() as conn:
        names = conn.scalars(
            sa.text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"), {"p": f"%\\_{suffix}"}
        ).all()
        for name in names:
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{name}"'))


@pytest.fixture
def area(new_pg_database: str, pg_admin: Engine) -> Iterator[Area]:
    suffix = uuid.uuid4().hex[:8]
    engine = make_engine(new_pg_database)
    migrate(engine)
    su = Database("pg", new_pg_database, engine, make_session_factory(engine))
    users: dict[str, Actor] = {}
    users["admin"] = add_login(su, None, f"adm_{suffix}", [Role.ADMINISTRATOR])
    for key, roles in (
        ("reader", [Role.READER]),
        ("taker", [Role.MINUTE_TAKER]),
        ("chair_a", [Role.CHAIR, Role.MINUTE_TAKER]),
        ("chair_b", [Role.CHAIR, Role.MINUTE_TAKER]),
        ("coord", [Role.COORDINATOR]),
    ):
        users[key] = add_login(su, users["admin"], f"{key.replace('_', '')}_{suffix}", roles)
    area = Area(new_pg_database, su, suffix, users, [])
    try:
        yield area
    finally:
        for e in area.engines:
            e.dispose()
        engine.dispose()
        # Roles can be dropped only once the database holding their privileges is gone.
        name = make_url(new_pg_database).database
        with pg_admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        drop_roles(pg_admin, suffix)


def refused(engine: Engine, statement: str, **params: object) -> str:
    """Run ``statement`` as the engine's login; it must be refused for lack of privilege."""
    with pytest.raises(DBAPIError) as exc, engine.begin() as conn:
        conn.execute(sa.text(statement), params)
    assert getattr(exc.value.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE, exc.value
    return str(exc.value.orig)


def assert_cannot_connect(url: str, reason: str) -> None:
    engine = make_engine(url)
    try:
        with pytest.raises(OperationalError, match=reason), engine.connect():
            pass
    finally:
        engine.dispose()


def signed_off_meeting(area: Area, chair: str) -> int:
    """A meeting chaired by ``chair``, signed off by that chair through their own login."""
    meeting_id = awaiting_sign_off(area, chair)
    as_chair = area.db_as(chair)
    with as_chair.sessions.begin() as s:
        minutes.sign_off(s, people.get_actor(s, area.login(chair)), meeting_id)
    return meeting_id


def awaiting_sign_off(area: Area, chair: str) -> int:
    ready = ready_meeting(area.su, area.users[chair])
    with area.su.sessions.begin() as s:
        meetings.submit_for_sign_off(s, area.users[chair], ready.meeting_id)
    return ready.meeting_id


@pytest.mark.pg
def test_reader_can_read_but_the_server_refuses_their_writes(area: Area) -> None:
    reader = area.engine_as("reader")
    with reader.connect() as conn:
        assert conn.scalar(sa.text("SELECT current_user")) == area.login("reader")
        assert conn.scalar(sa.text("SELECT count(*) FROM agency")) > 0
        assert conn.scalar(sa.text("SELECT count(*) FROM alembic_version")) == 1
    message = refused(
        reader,
        "INSERT INTO mappa_case (family_name, given_names) VALUES ('Smith', 'John')",
    )
    assert "permission denied for table mappa_case" in message
    refused(reader, "UPDATE agency SET name = name")
    refused(reader, "DELETE FROM person")


@pytest.mark.pg
def test_writer_login_edits_cases_through_the_services(area: Area) -> None:
    taker = area.db_as("taker")
    with taker.sessions.begin() as s:
        actor = people.get_actor(s, area.login("taker"))
        police = people.find_agency(s, "Police")
        assert police is not None
        case = cases.register_case(
            s,
            actor,
            family_name="Wiśniewski",
            given_names="Łukasz",
            date_of_birth=None,
            lead_agency_id=police.id,
            category=2,
            level=2,
        )
    with taker.sessions.begin() as s:
        edited = cases.edit_case(
            s, actor, case.id, expected_version=case.version, aliases=[("Luke W", "alias")]
        )
    assert [a.name for a in edited.aliases] == ["Luke W"]
    with area.su.sessions() as s:
        events = audit.list_events(s, case_id=case.id)
    assert {e.user_login for e in events} == {area.login("taker")}


@pytest.mark.pg
def test_agencies_and_users_are_changed_only_by_administrator_logins(area: Area) -> None:
    coord = area.engine_as("coord")
    refused(coord, "UPDATE agency SET active = false")
    refused(coord, "INSERT INTO user_role (user_id, role) VALUES (1, 'administrator')")
    with area.engine_as("admin").begin() as conn:
        assert conn.execute(sa.text("UPDATE agency SET version = version")).rowcount > 0


@pytest.mark.pg
def test_chair_signs_off_own_meeting_through_the_service(area: Area) -> None:
    meeting_id = signed_off_meeting(area, "chair_a")
    with area.su.sessions() as s:
        row = s.scalar(sa.select(Minutes).where(Minutes.meeting_id == meeting_id))
        assert row is not None and row.signed_by_id == area.users["chair_a"].user_id
        sign_offs = [
            e for e in audit.list_events(s, meeting_id=meeting_id) if e.entity == "minutes"
        ]
    assert [e.user_login for e in sign_offs] == [area.login("chair_a")]


@pytest.mark.pg
def test_minute_taker_cannot_insert_minutes_for_a_meeting_they_do_not_chair(area: Area) -> None:
    meeting_id = awaiting_sign_off(area, "chair_a")
    message = refused(
        area.engine_as("taker"),
        "INSERT INTO minutes (meeting_id, content, content_sha256, signed_by_id, signed_at) "
        "VALUES (:m, '{}', :h, :u, now())",
        m=meeting_id,
        h="a" * 64,
        u=area.users["taker"].user_id,
    )
    assert "row-level security" in message
    with area.su.sessions() as s:
        assert minutes.get_minutes(s, meeting_id) is None


@pytest.mark.pg
def test_chair_of_one_meeting_cannot_sign_another(area: Area) -> None:
    meeting_b = awaiting_sign_off(area, "chair_b")
    chair_a = area.engine_as("chair_a")
    insert = (
        "INSERT INTO minutes (meeting_id, content, content_sha256, signed_by_id, signed_at) "
        "VALUES (:m, '{}', :h, :u, now())"
    )
    refused(chair_a, insert, m=meeting_b, h="b" * 64, u=area.users["chair_a"].user_id)
    # Nor in the real chair's name: the signer must be the login itself.
    refused(chair_a, insert, m=meeting_b, h="c" * 64, u=area.users["chair_b"].user_id)
    # The app refuses first, and says why.
    as_chair_a = area.db_as("chair_a")
    with (
        pytest.raises(PermissionDenied, match="only the meeting's chair"),
        as_chair_a.sessions.begin() as s,
    ):
        minutes.sign_off(s, people.get_actor(s, area.login("chair_a")), meeting_b)


@pytest.mark.pg
def test_only_the_chair_adds_an_addendum(area: Area) -> None:
    meeting_id = signed_off_meeting(area, "chair_a")
    with area.su.sessions() as s:
        record = minutes.get_minutes(s, meeting_id)
    assert record is not None
    insert = (
        "INSERT INTO addendum (minutes_id, seq, reason, text, content_sha256, signed_by_id, "
        "signed_at) VALUES (:mi, 1, 'Typo', 'Read 12 May', :h, :u, now())"
    )
    for key in ("chair_b", "admin"):
        refused(area.engine_as(key), insert, mi=record.id, h="d" * 64, u=area.users[key].user_id)
    with area.db_as("chair_a").sessions.begin() as s:
        row = minutes.add_addendum(
            s,
            people.get_actor(s, area.login("chair_a")),
            meeting_id,
            reason="Wrong date",
            text="The home visit is on 12 May.",
        )
    assert row.seq == 1


@pytest.mark.pg
def test_nobody_may_update_or_delete_minutes_or_the_audit_log(area: Area) -> None:
    signed_off_meeting(area, "chair_a")
    for key in ("chair_a", "admin", "coord"):
        engine = area.engine_as(key)
        refused(engine, "UPDATE minutes SET content = '{}'")
        refused(engine, "DELETE FROM minutes")
        refused(engine, "UPDATE audit_event SET action = 'x'")
        refused(engine, "DELETE FROM audit_event")
        refused(engine, "TRUNCATE audit_event")
        refused(engine, "DELETE FROM distribution")
    with area.su.sessions() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Minutes)) == 1


@pytest.mark.pg
def test_audit_events_must_name_the_login_itself(area: Area) -> None:
    taker = area.engine_as("taker")
    insert = (
        "INSERT INTO audit_event (occurred_at, user_id, entity, action, changes) "
        "VALUES (now(), :u, 'case', 'update', '{}')"
    )
    refused(taker, insert, u=area.users["admin"].user_id)
    with taker.begin() as conn:
        conn.execute(sa.text(insert), {"u": area.users["taker"].user_id})


@pytest.mark.pg
def test_disabled_user_cannot_connect_and_an_open_connection_cannot_write(area: Area) -> None:
    taker = area.engine_as("taker")
    with taker.connect() as open_conn:
        with area.su.sessions.begin() as s:
            people.disable_user(s, area.users["admin"], area.login("taker"))
            logins.disable_login(s, area.login("taker"))
        with pytest.raises(DBAPIError) as exc, open_conn.begin():
            open_conn.execute(
                sa.text(
                    "INSERT INTO audit_event (occurred_at, user_id, entity, action, changes) "
                    "VALUES (now(), :u, 'case', 'update', '{}')"
                ),
                {"u": area.users["taker"].user_id},
            )
        # Its group roles were revoked with the disable: no privilege is left at all.
        assert getattr(exc.value.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE
        assert "permission denied for table audit_event" in str(exc.value.orig)
    assert_cannot_connect(area.url_as(area.login("taker")), "not permitted to log in")


@pytest.mark.pg
def test_set_roles_changes_what_the_server_allows(area: Area) -> None:
    reader = area.engine_as("reader")
    statement = "UPDATE mappa_case SET version = version"
    refused(reader, statement)
    with area.su.sessions.begin() as s:
        row = people.set_roles(s, area.users["admin"], area.login("reader"), [Role.MINUTE_TAKER])
        logins.set_login_roles(s, area.login("reader"), row.roles)
    reader.dispose()
    with reader.begin() as conn:
        conn.execute(sa.text(statement))
        groups = set(
            conn.scalars(
                sa.text(
                    "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                    "WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
                )
            )
        )
    assert groups == {"mappa_minute_taker"}


@pytest.mark.pg
def test_a_login_cannot_open_another_areas_database(area: Area, pg_admin: Engine) -> None:
    other = f"mappa_test_other_{area.suffix}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{other}"'))
    try:
        other_url = make_url(area.url).set(database=other).render_as_string(hide_password=False)
        engine = make_engine(other_url)
        migrate(engine)
        engine.dispose()
        stranger = make_url(area.url_as(area.login("admin"))).set(database=other)
        assert_cannot_connect(
            stranger.render_as_string(hide_password=False), "permission denied for database"
        )
    finally:
        with pg_admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{other}" WITH (FORCE)'))


@pytest.mark.pg
def test_admin_add_user_creates_a_login_with_an_encrypted_password(
    area: Area, tmp_path: Path, pg_admin: Engine
) -> None:
    login = f"newcomer_{area.suffix}"
    code, out, err = run_cli(
        "admin", "add-user", login, "--name", "Nguyễn Thị Hồng", "--agency", "Prison",
        "--role", "chair", "--role", "reader", "--password-env", "NEW_PW",
        "--database", area.url, "--user", area.login("admin"),
        home=tmp_path, env={"NEW_PW": PASSWORD},
    )  # fmt: skip
    assert code == 0, err
    assert f"Added PostgreSQL login and user {login}: Nguyễn Thị Hồng (Prison)" in out
    with pg_admin.connect() as conn:
        secret = conn.scalar(
            sa.text("SELECT rolpassword FROM pg_authid WHERE rolname = :n"), {"n": login}
        )
    assert secret is not None and secret.startswith("SCRAM-SHA-256$") and PASSWORD not in secret
    newcomer = make_engine(area.url_as(login))
    area.engines.append(newcomer)
    with newcomer.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM mappa_case")) == 0
        assert conn.scalar(sa.text("SELECT pg_has_role(current_user, 'mappa_chair', 'MEMBER')"))
    code, out, err = run_cli(
        "admin", "disable-user", login, "--database", area.url, "--user", area.login("admin"),
        home=tmp_path,
    )  # fmt: skip
    assert code == 0, err
    assert_cannot_connect(area.url_as(login), "not permitted to log in")


@pytest.mark.pg
def test_admin_add_user_refused_over_a_login_without_createrole_changes_nothing(
    area: Area, tmp_path: Path
) -> None:
    login = f"late_{area.suffix}"
    code, _, err = run_cli(
        "admin", "add-user", login, "--name", "Late Comer", "--agency", "Police",
        "--role", "reader", "--no-password", "--database", area.url_as(area.login("admin")),
        home=tmp_path,
    )  # fmt: skip
    assert code == 1 and "run this command as the database owner" in err
    with area.su.sessions() as s:
        assert s.scalar(sa.select(User.id).where(User.login == login)) is None


@pytest.mark.pg
def test_admin_add_user_refuses_reserved_and_existing_role_names(
    area: Area, tmp_path: Path
) -> None:
    common = ("--database", area.url, "--user", area.login("admin"), "--no-password")
    base = ("--name", "Pat Jones", "--agency", "Police", "--role", "reader")
    code, _, err = run_cli("admin", "add-user", "mappa_chair", *base, *common, home=tmp_path)
    assert code == 1 and "reserved for the database" in err
    code, _, err = run_cli("admin", "add-user", "postgres", *base, *common, home=tmp_path)
    assert code == 1 and "already exists on this server" in err
    code, _, err = run_cli(
        "admin", "add-user", "postgres", *base, *common, "--existing-login", home=tmp_path
    )
    assert code == 1 and "superuser" in err
    with area.su.sessions() as s:
        assert s.scalar(sa.select(User.id).where(User.login == "postgres")) is None


@pytest.mark.pg
def test_a_login_cannot_act_as_another_user_on_the_command_line(area: Area, tmp_path: Path) -> None:
    url = area.url_as(area.login("taker"))
    csv_path = tmp_path / "cases.csv"
    csv_path.write_text(
        "family_name,given_names,date_of_birth,category,level,lead_agency\nSmith,Jo,,1,1,Police\n",
        encoding="utf-8",
    )
    code, _out, err = run_cli(
        "import-cases",
        str(csv_path),
        "--database",
        url,
        "--user",
        area.login("coord"),
        home=tmp_path,
    )
    assert code == 1
    assert f"you act as your database login '{area.login('taker')}'" in err
    with area.su.sessions() as s:
        assert s.scalar(sa.text("SELECT count(*) FROM mappa_case")) == 0


def test_add_user_refuses_a_password_on_the_command_line_without_echoing_it(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/area.sqlite3"
    code, out, err = run_cli(
        "admin",
        "add-user",
        "jsmith",
        "--name",
        "Jo Smith",
        "--agency",
        "Police",
        "--role",
        "administrator",
        "--password",
        "hunter2secret",
        "--database",
        url,
        home=tmp_path,
    )
    assert code == 2
    assert "never given on the command line" in err
    assert "hunter2secret" not in out + err
