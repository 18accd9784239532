"""The local journal of unsaved edits: written before any database write, kept until the
database has the text, keyed by database (without password), meeting and field."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from mappa_desktop import paths
from mappa_desktop.journal import Journal, database_key, default_path

URL = "sqlite:////data/mappa.sqlite3"


def test_write_then_pending_and_get_return_the_text(tmp_path: Path) -> None:
    journal = Journal(URL, tmp_path / "j.sqlite3")
    journal.write(7, "risk_summary/3", "Łódź — «quoted» & <b>", base_version=2, base_text="old")
    entry = journal.get(7, "risk_summary/3")
    assert entry is not None
    assert entry.text == "Łódź — «quoted» & <b>"
    assert (entry.base_version, entry.base_text, entry.meeting_id) == (2, "old", 7)
    assert [e.field for e in journal.pending(7)] == ["risk_summary/3"]
    assert journal.pending(8) == []
    assert journal.get(7, "other") is None


def test_second_write_replaces_the_text_and_keeps_the_first_base(tmp_path: Path) -> None:
    journal = Journal(URL, tmp_path / "j.sqlite3")
    journal.write(1, "f", "first", base_version=4, base_text="saved")
    journal.write(1, "f", "first and more", base_version=5, base_text="other")
    entry = journal.get(1, "f")
    assert entry is not None and entry.text == "first and more"
    assert (entry.base_version, entry.base_text) == (4, "saved")
    journal.rebase(1, "f", base_version=6, base_text="theirs")
    entry = journal.get(1, "f")
    assert entry is not None and (entry.base_version, entry.base_text) == (6, "theirs")


def test_discard_with_text_keeps_a_newer_edit(tmp_path: Path) -> None:
    journal = Journal(URL, tmp_path / "j.sqlite3")
    journal.write(1, "f", "newer text typed while saving")
    assert not journal.discard(1, "f", text="older text that was saved")
    assert journal.get(1, "f") is not None
    assert journal.discard(1, "f", text="newer text typed while saving")
    assert journal.get(1, "f") is None
    journal.write(1, "g", "x")
    assert journal.discard(1, "g")
    assert not journal.discard(1, "g")


def test_entries_survive_a_new_journal_object_and_are_per_database(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    Journal(URL, path).write(3, "f", "kept")
    assert [e.text for e in Journal(URL, path).pending()] == ["kept"]
    other = Journal("sqlite:////elsewhere.sqlite3", path)
    assert other.pending() == []
    other.write(3, "f", "another database")
    assert [e.text for e in Journal(URL, path).pending(3)] == ["kept"]


def test_database_key_drops_the_password(tmp_path: Path) -> None:
    key = database_key("postgresql+psycopg://mappa:s3cret@db.example:5432/panel")
    assert "s3cret" not in key
    assert key == "postgresql+psycopg://mappa@db.example:5432/panel"
    journal = Journal("postgresql+psycopg://mappa:s3cret@db.example/panel", tmp_path / "j.sqlite3")
    journal.write(1, "f", "text")
    assert b"s3cret" not in (tmp_path / "j.sqlite3").read_bytes()
    same = Journal("postgresql+psycopg://mappa:other@db.example/panel", tmp_path / "j.sqlite3")
    assert [e.text for e in same.pending(1)] == ["text"]


def test_failures_are_counted_with_the_last_reason(tmp_path: Path) -> None:
    journal = Journal(URL, tmp_path / "j.sqlite3")
    journal.write(1, "f", "text")
    journal.note_failure(1, "f", "server closed the connection")
    journal.note_failure(1, "f", "connection refused")
    entry = journal.get(1, "f")
    assert entry is not None and entry.attempts == 2 and entry.last_error == "connection refused"


def test_default_file_is_in_the_data_directory() -> None:
    assert default_path().parent == paths.data_dir()
    assert Journal(URL).path == default_path()


def test_writes_are_durable_and_thread_safe(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    journal = Journal(URL, path)

    def writer(n: int) -> None:
        for i in range(20):
            journal.write(n, f"field/{i}", f"{n}-{i}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(journal.pending()) == 80
    # Another process would read the committed rows straight from the file.
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM pending_edit").fetchone() == (80,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
