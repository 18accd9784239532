"""The Qt-free change listener on both engines: committed writes are reported with their case,
meeting and action ids; rolled-back writes are not; the PostgreSQL listener reconnects after its
connection is killed; a missing SQLite file is reported as offline (and never created)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from mappa_desktop.db.changes import (
    ChangeBatch,
    ChangeListener,
    PostgresChangeListener,
    SqliteChangeListener,
    make_listener,
    parse_payload,
)
from mappa_desktop.db.engine import make_engine
from mappa_desktop.services import actions, cases, people
from mappa_desktop.services.actor import Actor
from tests.conftest import Database

TODAY = date(2026, 11, 24)


class Collected:
    """What a listener reported, gathered from its thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batches: list[ChangeBatch] = []
        self.states: list[tuple[bool, str]] = []

    def on_changes(self, batch: ChangeBatch) -> None:
        with self.lock:
            self.batches.append(batch)

    def on_state(self, online: bool, reason: str) -> None:
        with self.lock:
            self.states.append((online, reason))

    def case_ids(self) -> set[int]:
        with self.lock:
            return {i for b in self.batches for i in b.case_ids}

    def everything(self) -> bool:
        with self.lock:
            return any(b.everything for b in self.batches)


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def listening(db: Database) -> Iterator[tuple[ChangeListener, Collected]]:
    got = Collected()
    listener = make_listener(db.engine, got.on_changes, got.on_state, interval=0.1)
    listener.start()
    assert wait_for(lambda: listener.online is True), got.states
    yield listener, got
    listener.stop()
    assert not listener.running


def register(db: Database, actor: Actor, family_name: str = "Kowalski") -> int:
    with db.sessions.begin() as s:
        police = people.find_agency(s, "Police")
        assert police is not None
        return cases.register_case(
            s,
            actor,
            family_name=family_name,
            given_names="Jan",
            date_of_birth=date(1980, 5, 1),
            lead_agency_id=police.id,
            category=2,
            level=2,
            registration_start=TODAY,
        ).id


def test_listener_reports_a_committed_change_with_its_case(
    db: Database, admin: Actor, listening: tuple[ChangeListener, Collected]
) -> None:
    listener, got = listening
    assert isinstance(
        listener, SqliteChangeListener if db.kind == "sqlite" else PostgresChangeListener
    )
    case_id = register(db, admin)
    assert wait_for(lambda: case_id in got.case_ids(), timeout=2.0), got.batches
    changes = [c for b in got.batches for c in b.changes]
    assert {c.entity for c in changes} >= {"case"}
    assert not got.everything()


def test_listener_reports_action_changes_with_the_case_of_the_action(
    db: Database, admin: Actor, listening: tuple[ChangeListener, Collected]
) -> None:
    _listener, got = listening
    case_id = register(db, admin)
    assert wait_for(lambda: case_id in got.case_ids(), timeout=2.0)
    with got.lock:
        got.batches.clear()
    with db.sessions.begin() as s:
        police = people.find_agency(s, "Police")
        assert police is not None
        actions.set_action(
            s, admin, case_id, text="Home visit", owner_agency_id=police.id, due_date=TODAY
        )

    def seen() -> bool:
        with got.lock:
            return any(case_id in b.action_case_ids for b in got.batches)

    assert wait_for(seen, timeout=2.0), got.batches


def test_listener_ignores_a_rolled_back_change_then_reports_the_next(
    db: Database, admin: Actor, listening: tuple[ChangeListener, Collected]
) -> None:
    _listener, got = listening
    with db.sessions() as s, s.begin():
        police = people.find_agency(s, "Police")
        assert police is not None
        cases.register_case(
            s,
            admin,
            family_name="Rolled Back",
            given_names="Never",
            date_of_birth=date(1980, 5, 1),
            lead_agency_id=police.id,
            category=2,
            level=2,
            registration_start=TODAY,
        )
        s.flush()
        s.rollback()
    time.sleep(0.6)
    assert got.batches == []
    case_id = register(db, admin)
    assert wait_for(lambda: case_id in got.case_ids(), timeout=2.0)


def test_listener_reports_nothing_when_nothing_changes(
    db: Database, admin: Actor, listening: tuple[ChangeListener, Collected]
) -> None:
    _listener, got = listening
    with db.sessions() as s:
        assert s.scalar(sa.text("SELECT count(*) FROM mappa_case")) == 0
    time.sleep(0.5)
    assert got.batches == []
    assert got.states == [(True, "")]


@pytest.mark.pg
@pytest.mark.parametrize("db", ["pg"], indirect=True)
def test_postgres_listener_reconnects_after_its_connection_is_terminated(
    db: Database, admin: Actor, pg_admin: Engine | None
) -> None:
    assert pg_admin is not None
    got = Collected()
    listener = make_listener(db.engine, got.on_changes, got.on_state, interval=0.1, max_backoff=0.3)
    assert isinstance(listener, PostgresChangeListener)
    listener.start()
    try:
        assert wait_for(lambda: listener.online is True)
        pid = listener.backend_pid
        assert pid is not None
        with pg_admin.connect() as conn:
            killed = conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            assert killed.scalar() is True
        assert wait_for(lambda: listener.connects == 2 and listener.online is True, timeout=5.0)
        assert listener.backend_pid != pid
        assert got.states[0] == (True, "")
        assert got.states[1][0] is False and got.states[1][1]  # offline, with a reason
        assert got.states[2] == (True, "")
        # What happened while it was away is unknown: everything is to be reloaded.
        assert wait_for(got.everything)
        case_id = register(db, admin)
        assert wait_for(lambda: case_id in got.case_ids(), timeout=2.0)
    finally:
        listener.stop()
    assert not listener.running


@pytest.mark.pg
@pytest.mark.parametrize("db", ["pg"], indirect=True)
def test_postgres_listener_reports_an_unreachable_server_as_offline(db: Database) -> None:
    unreachable = make_engine(
        db.engine.url.set(host="127.0.0.1", port=1).render_as_string(hide_password=False)
    )
    got = Collected()
    listener = make_listener(unreachable, got.on_changes, got.on_state, interval=0.1)
    listener.start()
    try:
        assert wait_for(lambda: listener.online is False)
        assert got.states[0][0] is False
        assert got.states[0][1]  # a reason to show
        assert got.batches == []
    finally:
        listener.stop()
        unreachable.dispose()


def test_sqlite_listener_reports_a_missing_file_as_offline_and_never_creates_it(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "moved-away.sqlite3"
    got = Collected()
    listener = SqliteChangeListener(str(missing), got.on_changes, got.on_state, interval=0.05)
    listener.start()
    try:
        assert wait_for(lambda: listener.online is False)
        assert "unable to open" in got.states[0][1]
    finally:
        listener.stop()
    assert not missing.exists()


def test_listener_marks_a_change_that_concerns_no_case_as_unscoped(
    db: Database, admin: Actor, listening: tuple[ChangeListener, Collected]
) -> None:
    _listener, got = listening
    with db.sessions.begin() as s:
        police = people.find_agency(s, "Police")
        assert police is not None
        people.add_person(s, admin, family_name="Newman", given_names="A", agency_id=police.id)
    # A person concerns no one case or meeting: the GUI reloads everything for it.
    assert wait_for(lambda: any(b.has_unscoped for b in got.batches), timeout=2.0), got.batches
    assert got.case_ids() == set()


def test_make_listener_refuses_an_in_memory_database() -> None:
    engine = make_engine("sqlite://")
    try:
        with pytest.raises(ValueError, match="database file"):
            make_listener(engine, lambda _b: None)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("payload", "entity", "case_id"),
    [
        (
            '{"id": 7, "entity": "case", "entity_id": 3, "case_id": 3, "meeting_id": null}',
            "case",
            3,
        ),
        ('{"entity": "meeting", "meeting_id": 4}', "meeting", None),
        ("not json", None, None),
        ('{"id": 1}', None, None),
        ('["case"]', None, None),
    ],
)
def test_parse_payload_accepts_ours_and_refuses_anything_else(
    payload: str, entity: str | None, case_id: int | None
) -> None:
    change = parse_payload(payload)
    if entity is None:
        assert change is None
    else:
        assert change is not None
        assert change.entity == entity
        assert change.case_id == case_id


def test_listener_stops_when_its_receiver_fails(db: Database, admin: Actor) -> None:
    def gone(_batch: ChangeBatch) -> None:
        raise RuntimeError("the window that listened was closed")

    listener = make_listener(db.engine, gone, interval=0.1)
    listener.start()
    try:
        assert wait_for(lambda: listener.online is True)
        register(db, admin)
        assert wait_for(lambda: not listener.running, timeout=3.0)  # no endless error loop
    finally:
        listener.stop()
