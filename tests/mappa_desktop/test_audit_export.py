"""The audit trail as CSV: one row per changed field, who and when, UTF-8 with BOM, written all
or nothing, formulas neutralised."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mappa_desktop.domain.errors import NotFound, StorageError, ValidationError
from mappa_desktop.services import audit_export, cases, people
from mappa_desktop.services.actor import Actor
from tests.conftest import Database


def _case(db: Database, actor: Actor, family_name: str = "Wiśniewski") -> cases.CaseDetail:
    with db.sessions.begin() as s:
        police = people.find_agency(s, "Police")
        assert police is not None
        return cases.register_case(
            s,
            actor,
            family_name=family_name,
            given_names="Łukasz",
            date_of_birth=None,
            lead_agency_id=police.id,
            category=2,
            level=2,
        )


def _read(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets look for
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_export_writes_one_row_per_changed_field_for_a_case(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    case = _case(db, admin)
    other = _case(db, admin, "Other")
    with db.sessions.begin() as s:
        cases.edit_case(
            s, admin, case.id, expected_version=case.version, family_name="Wiśniewska",
            index_offence="=HYPERLINK(\"http://x\")",
        )  # fmt: skip
    target = tmp_path / "audit.csv"
    with db.sessions() as s:
        count = audit_export.export_csv(s, target, case_id=case.id)
    rows = _read(target)
    assert len(rows) == count
    assert list(rows[0]) == list(audit_export.HEADER)
    assert {r["case_id"] for r in rows} == {str(case.id)}  # the other case is left out
    assert str(other.id) not in {r["case_id"] for r in rows}
    update = {r["field"]: r for r in rows if r["action"] == "update"}
    assert set(update) == {"family_name", "index_offence"}
    assert (update["family_name"]["old"], update["family_name"]["new"]) == (
        "Wiśniewski",
        "Wiśniewska",
    )
    assert update["index_offence"]["new"] == '\'=HYPERLINK("http://x")'  # shown, not run
    assert update["family_name"]["who"] == "admin"
    assert update["family_name"]["name"] == "Test Okonkwo-Smith"
    assert update["family_name"]["entity"] == "case"
    assert update["family_name"]["when"].endswith("+00:00")


def test_export_of_everything_includes_events_without_a_case(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    _case(db, admin)
    target = tmp_path / "all.csv"
    with db.sessions() as s:
        count = audit_export.export_csv(s, target)
    rows = _read(target)
    assert count == len(rows) > 0
    assert {"user", "person", "case"} <= {r["entity"] for r in rows}


def test_export_refuses_unknown_filters_and_leaves_the_old_file(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "audit.csv"
    target.write_bytes(b"old contents")
    with pytest.raises(NotFound), db.sessions() as s:
        audit_export.export_csv(s, target, case_id=9999)
    with pytest.raises(NotFound), db.sessions() as s:
        audit_export.export_csv(s, target, meeting_id=9999)
    with pytest.raises(ValidationError), db.sessions() as s:
        list(audit_export.audit_rows(s, case_id=1, meeting_id=1))
    with pytest.raises(ValidationError), db.sessions() as s:
        audit_export.export_csv(s, folder)
    with pytest.raises(StorageError), db.sessions() as s:
        audit_export.export_csv(s, folder / "missing" / "audit.csv")
    assert target.read_bytes() == b"old contents"
    assert [p.name for p in folder.iterdir()] == ["audit.csv"]  # no temporary file left


def test_audit_command_writes_the_csv(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'area.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k not in ("MAPPA_DATABASE_URL", "MAPPA_USER")}
    env["MAPPA_HOME"] = str(tmp_path)
    base = [sys.executable, "-m", "mappa_desktop", "--database", url]
    done = subprocess.run(
        [*base, "admin", "add-user", "boss", "--name", "Ada Boss", "--agency", "Police",
         "--role", "administrator"],
        capture_output=True, env=env, timeout=120, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = tmp_path / "trail.csv"
    done = subprocess.run(
        [*base, "audit", "-o", str(out)], capture_output=True, env=env, timeout=120, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "of the audit trail to" in done.stdout
    rows = _read(out)
    assert ("user", "create", "login", "boss") in {
        (r["entity"], r["action"], r["field"], r["new"]) for r in rows
    }
    done = subprocess.run(
        [*base, "audit", "--case", "42", "-o", str(out)],
        capture_output=True, env=env, timeout=120, text=True,
    )  # fmt: skip
    assert done.returncode == 1 and "No case with id 42" in done.stderr
