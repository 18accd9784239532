"""The local journal of unsaved edits: nothing typed is lost when the database is out of reach.

Before the app writes a free-text field to the database it writes the text here, synchronously,
to a small SQLite file under the data directory (``synchronous=FULL``: the commit returns only
after the operating system has the bytes on disk). Once the database has the text the entry is
removed. If the app is killed, the power fails or the server is unreachable, the entry stays;
the next time the meeting is opened the app puts the text back and saves it.

Entries are keyed by the database (its URL without the password), the meeting and a field key
chosen by the caller, e.g. ``risk_summary/12`` or ``information/12/3`` for autosaved fields, or
``case:12:decision:new`` for the draft of a form saved by its button (the text is then the whole
form as JSON; it is never written to the database by itself). Plain ``sqlite3``, no Qt.
Every call opens its own short connection, so any thread (or a second process) may use it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from mappa_desktop.paths import data_dir

JOURNAL_FILE = "unsaved-edits.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending_edit (
    database TEXT NOT NULL,
    meeting_id INTEGER NOT NULL,
    field TEXT NOT NULL,
    text TEXT NOT NULL,
    base_version INTEGER,
    base_text TEXT,
    written_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (database, meeting_id, field)
)
"""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    database: str
    meeting_id: int
    field: str
    text: str
    base_version: int | None  # the version the user was editing against (None: new)
    base_text: str | None  # the saved text the user started from (to tell a real conflict)
    written_at: datetime
    attempts: int
    last_error: str


def database_key(url: str) -> str:
    """The database URL without its password (the journal never stores secrets)."""
    parsed = make_url(url)
    bare = URL.create(
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return bare.render_as_string(hide_password=False)


def default_path() -> Path:
    return data_dir() / JOURNAL_FILE


class Journal:
    """Pending edits of one database. Cheap to create; safe to share between threads."""

    def __init__(self, database_url: str, path: Path | None = None) -> None:
        self.database = database_key(database_url)
        self.path = path if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as conn:
            conn.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            try:
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                conn.close()

    def write(
        self,
        meeting_id: int,
        field: str,
        text: str,
        *,
        base_version: int | None = None,
        base_text: str | None = None,
    ) -> None:
        """Keep ``text`` for this field until ``discard`` says the database has it. A second
        write for the same field replaces the text and keeps the first base (what the user
        started from)."""
        now = datetime.now(UTC).isoformat()
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO pending_edit (database, meeting_id, field, text, base_version, "
                "base_text, written_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (database, meeting_id, field) DO UPDATE SET "
                "text = excluded.text, written_at = excluded.written_at",
                (self.database, meeting_id, field, text, base_version, base_text, now),
            )

    def rebase(
        self, meeting_id: int, field: str, *, base_version: int | None, base_text: str | None
    ) -> None:
        """After the user resolved a conflict: the entry now edits ``base_version``."""
        with self._connect() as conn:
            conn.execute(
                "UPDATE pending_edit SET base_version = ?, base_text = ? "
                "WHERE database = ? AND meeting_id = ? AND field = ?",
                (base_version, base_text, self.database, meeting_id, field),
            )

    def note_failure(self, meeting_id: int, field: str, error: str) -> None:
        with self._connect() as conn:
            conn.execute(
                "UPDATE pending_edit SET attempts = attempts + 1, last_error = ? "
                "WHERE database = ? AND meeting_id = ? AND field = ?",
                (error[:500], self.database, meeting_id, field),
            )

    def discard(self, meeting_id: int, field: str, *, text: str | None = None) -> bool:
        """Remove the entry once the database has it. With ``text``, only when the entry still
        holds exactly that text (a newer edit typed meanwhile stays). True when removed."""
        with self._connect() as conn:
            if text is None:
                cur = conn.execute(
                    "DELETE FROM pending_edit WHERE database = ? AND meeting_id = ? AND field = ?",
                    (self.database, meeting_id, field),
                )
            else:
                cur = conn.execute(
                    "DELETE FROM pending_edit WHERE database = ? AND meeting_id = ? "
                    "AND field = ? AND text = ?",
                    (self.database, meeting_id, field, text),
                )
            return cur.rowcount > 0

    def get(self, meeting_id: int, field: str) -> JournalEntry | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT database, meeting_id, field, text, base_version, base_text, written_at, "
                "attempts, last_error FROM pending_edit "
                "WHERE database = ? AND meeting_id = ? AND field = ?",
                (self.database, meeting_id, field),
            ).fetchone()
        return None if row is None else _entry(row)

    def pending(self, meeting_id: int | None = None) -> list[JournalEntry]:
        """Entries not yet saved, oldest first (all meetings of this database when None)."""
        sql = (
            "SELECT database, meeting_id, field, text, base_version, base_text, written_at, "
            "attempts, last_error FROM pending_edit WHERE database = ?"
        )
        params: tuple[object, ...] = (self.database,)
        if meeting_id is not None:
            sql += " AND meeting_id = ?"
            params = (self.database, meeting_id)
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY written_at, field", params).fetchall()
        return [_entry(r) for r in rows]


def _entry(row: tuple[object, ...]) -> JournalEntry:
    database, meeting_id, field, text, base_version, base_text, written, attempts, error = row
    assert isinstance(written, str)
    return JournalEntry(
        database=str(database),
        meeting_id=int(meeting_id),  # type: ignore[call-overload]
        field=str(field),
        text=str(text),
        base_version=None if base_version is None else int(base_version),  # type: ignore[call-overload]
        base_text=None if base_text is None else str(base_text),
        written_at=datetime.fromisoformat(written),
        attempts=int(attempts),  # type: ignore[call-overload]
        last_error=str(error),
    )
