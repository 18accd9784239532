"""Changes made by other users (other windows, other computers, the CLI), as they happen.

Every write records an ``audit_event`` in its own transaction, so the audit trail says what
changed. A ``ChangeListener`` runs on its own thread and calls ``on_changes`` with a
``ChangeBatch`` about once per ``interval`` while there is news:

- PostgreSQL: a dedicated psycopg connection LISTENs on ``mappa_changes`` (the trigger of
  migration 0004 notifies there on each audit event, delivered after commit). When the connection
  drops, it reconnects with backoff and then reports ``everything`` (what happened meanwhile is
  unknown).
- SQLite: a separate read connection polls ``PRAGMA data_version`` and, when another connection
  has committed, reads the audit events after the last one seen.

``on_state(online, reason)`` says when the database stops or starts answering. Both callbacks run
on the listener's thread. No Qt here: the GUI wraps this in ``ui.live``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import psycopg
from sqlalchemy import Engine

log = logging.getLogger(__name__)

CHANNEL = "mappa_changes"
POLL_INTERVAL_S = 0.5
MAX_BACKOFF_S = 10.0
KEEPALIVE_S = 5.0  # a quiet PostgreSQL connection is checked this often
MAX_ROWS = 2_000  # more new events than this at once: report "everything"
ACTION_ENTITIES = frozenset({"action", "action_review"})


@dataclass(frozen=True, slots=True)
class Change:
    """One audit event: what was changed and which case / meeting it concerns."""

    event_id: int | None
    entity: str
    entity_id: int | None
    case_id: int | None
    meeting_id: int | None


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    """Changes seen together. ``everything``: some changes may have been missed (after a lost
    connection), so everything shown should be reloaded."""

    changes: tuple[Change, ...] = ()
    everything: bool = False

    @property
    def case_ids(self) -> frozenset[int]:
        return frozenset(c.case_id for c in self.changes if c.case_id is not None)

    @property
    def meeting_ids(self) -> frozenset[int]:
        return frozenset(c.meeting_id for c in self.changes if c.meeting_id is not None)

    @property
    def action_case_ids(self) -> frozenset[int]:
        """Cases whose actions changed."""
        return frozenset(
            c.case_id for c in self.changes if c.entity in ACTION_ENTITIES and c.case_id is not None
        )

    @property
    def has_unscoped(self) -> bool:
        """A change that concerns no one case or meeting (agencies, people, users, settings)."""
        return any(c.case_id is None and c.meeting_id is None for c in self.changes)


ChangesCallback = Callable[[ChangeBatch], None]
StateCallback = Callable[[bool, str], None]


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_payload(payload: str) -> Change | None:
    """A notification's JSON payload as a Change (None if it is not one of ours)."""
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("entity"), str):
        return None
    return Change(
        event_id=_int_or_none(data.get("id")),
        entity=data["entity"],
        entity_id=_int_or_none(data.get("entity_id")),
        case_id=_int_or_none(data.get("case_id")),
        meeting_id=_int_or_none(data.get("meeting_id")),
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__).rstrip(".")


class ChangeListener(ABC):
    """Runs ``watch`` on a daemon thread until ``stop``; reconnects with backoff."""

    def __init__(
        self,
        on_changes: ChangesCallback,
        on_state: StateCallback | None = None,
        *,
        interval: float = POLL_INTERVAL_S,
        max_backoff: float = MAX_BACKOFF_S,
    ) -> None:
        self._on_changes = on_changes
        self._on_state = on_state
        self.interval = interval
        self.max_backoff = max_backoff
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.online: bool | None = None  # None: not known yet
        self.connects = 0  # successful (re)connections, for tests and diagnostics

    # ----- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=type(self).__name__, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop and wait for the thread (at most ``timeout`` seconds)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ----- the loop ----------------------------------------------------------------------------
    def _run(self) -> None:
        backoff = self.interval
        while not self._stop.is_set():
            try:
                self.watch()
            except Exception as exc:  # the database went away: say so, wait, try again
                log.info("change listener lost the database: %s", exc)
                self._set_state(False, _first_line(exc))
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
            else:
                backoff = self.interval
            finally:
                self.close()

    def _connected(self) -> None:
        self.connects += 1
        self._set_state(True, "")

    def _set_state(self, online: bool, reason: str) -> None:
        if self.online == online:
            return
        self.online = online
        if self._on_state is not None:
            self._deliver(self._on_state, online, reason)

    def _report(self, changes: Iterable[Change], *, everything: bool = False) -> None:
        batch = ChangeBatch(tuple(changes), everything)
        if (batch.changes or batch.everything) and not self._stop.is_set():
            self._deliver(self._on_changes, batch)

    def _deliver(self, callback: Callable[..., None], *args: Any) -> None:
        """Call back; if the receiver is gone (it raised), stop rather than loop on errors."""
        try:
            callback(*args)
        except Exception:
            log.exception("change listener: the receiver failed, stopping")
            self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @abstractmethod
    def watch(self) -> None:
        """Connect, then report changes until ``stopping``; raise when the connection fails."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection (called on the listener thread after ``watch`` returns)."""


class PostgresChangeListener(ChangeListener):
    """LISTEN on a dedicated autocommit psycopg connection."""

    def __init__(
        self,
        connect_args: tuple[Any, ...],
        connect_kwargs: dict[str, Any],
        on_changes: ChangesCallback,
        on_state: StateCallback | None = None,
        **options: float,
    ) -> None:
        super().__init__(on_changes, on_state, **options)
        self._args = connect_args
        self._kwargs = connect_kwargs
        self._conn: psycopg.Connection[Any] | None = None
        self.backend_pid: int | None = None

    def watch(self) -> None:
        kwargs = {"connect_timeout": 5, **self._kwargs, "autocommit": True}
        conn = psycopg.connect(*self._args, **kwargs)
        self._conn = conn
        conn.execute(f"LISTEN {CHANNEL}")
        self.backend_pid = conn.info.backend_pid
        reconnected = self.connects > 0
        self._connected()
        if reconnected:
            self._report((), everything=True)  # notifications sent meanwhile are lost
        quiet = 0.0
        while not self.stopping:
            changes: list[Change] = []
            for note in conn.notifies(timeout=self.interval):
                change = parse_payload(note.payload) if note.channel == CHANNEL else None
                if change is not None:
                    changes.append(change)
                if len(changes) >= MAX_ROWS:
                    break
            if changes:
                quiet = 0.0
                self._report(changes)
                continue
            quiet += self.interval
            if quiet >= KEEPALIVE_S:  # a half-open connection would otherwise never fail
                quiet = 0.0
                conn.execute("SELECT 1")

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                conn.close()


class SqliteChangeListener(ChangeListener):
    """Polls ``PRAGMA data_version`` and the audit events after the last one seen."""

    def __init__(
        self,
        path: str,
        on_changes: ChangesCallback,
        on_state: StateCallback | None = None,
        **options: float,
    ) -> None:
        super().__init__(on_changes, on_state, **options)
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self.last_id: int | None = None  # the newest audit event already seen

    def watch(self) -> None:
        # mode=rw: never create a missing file (that would hide a moved or deleted database).
        uri = f"file:{quote(self.path)}?mode=rw"
        conn = sqlite3.connect(uri, uri=True, timeout=5, check_same_thread=False)
        self._conn = conn
        conn.isolation_level = None  # autocommit: every poll sees the latest commit
        if self.last_id is None:
            self.last_id = int(
                conn.execute("SELECT coalesce(max(id), 0) FROM audit_event").fetchone()[0]
            )
        version = None
        self._connected()
        while not self.stopping:
            now = conn.execute("PRAGMA data_version").fetchone()[0]
            if now != version:
                version = now
                self._read_new(conn)
            self._stop.wait(self.interval)

    def _read_new(self, conn: sqlite3.Connection) -> None:
        rows = conn.execute(
            "SELECT id, entity, entity_id, case_id, meeting_id FROM audit_event "
            "WHERE id > ? ORDER BY id LIMIT ?",
            (self.last_id or 0, MAX_ROWS + 1),
        ).fetchall()
        if not rows:
            return
        if len(rows) > MAX_ROWS:
            self.last_id = int(
                conn.execute("SELECT coalesce(max(id), 0) FROM audit_event").fetchone()[0]
            )
            self._report((), everything=True)
            return
        self.last_id = int(rows[-1][0])
        self._report(Change(*row) for row in rows)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def make_listener(
    engine: Engine,
    on_changes: ChangesCallback,
    on_state: StateCallback | None = None,
    **options: float,
) -> ChangeListener:
    """The listener for the engine's database (not started)."""
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if not path or path == ":memory:":
            raise ValueError("Live refresh needs a database file, not an in-memory database.")
        return SqliteChangeListener(path, on_changes, on_state, **options)
    args, kwargs = engine.dialect.create_connect_args(engine.url)
    return PostgresChangeListener(tuple(args), dict(kwargs), on_changes, on_state, **options)
