"""``minutes``, ``verify`` and ``certificate create`` in a real subprocess, on SQLite and
PostgreSQL: genuine copies verify, one changed byte or a bad signature does not, a record
altered behind the database's back is caught, a copy made before an addendum is superseded."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import DBAPIError

from mappa_desktop.db.schema import alembic_config, current_revision, head_revision
from mappa_desktop.domain.enums import Role
from mappa_desktop.services import issued, meetings, minutes
from mappa_desktop.services.actor import Actor
from reports.signing import SELF_SIGNED_LABEL, signature_count
from reports.stamp import read_stamp
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import person, ready_meeting

ROOT = Path(__file__).resolve().parents[2]
RECIPIENT = "Zoë Ångström (Probation)"  # as printed on her copy: the person, then the agency
CHAIR = "Test Okonkwo-Smith (Police)"  # the login "admin", who chairs every meeting here
OFFICER = "Pat Officer Probation (Probation)"  # present at every ready meeting
PASSWORD = "correct horse battery"


@dataclass
class Result:
    code: int
    out: str
    err: str


def run(db: Database, *args: str, env: dict[str, str] | None = None) -> Result:
    """``python -m mappa_desktop ARGS --database URL --user admin`` (the real command line)."""
    command_args = list(args)
    if command_args[0] in ("minutes", "verify"):
        command_args += ["--database", db.url, "--user", "admin"]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "mappa_desktop", *command_args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=full_env,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return Result(done.returncode, done.stdout, done.stderr)


def signed_meeting(db: Database, admin: Actor) -> int:
    ready = ready_meeting(db, admin)
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        minutes.sign_off(s, admin, ready.meeting_id)
    return ready.meeting_id


def flip(path: Path, position: int) -> None:
    data = bytearray(path.read_bytes())
    data[position] ^= 0x01
    path.write_bytes(bytes(data))


# --- minutes and verify -------------------------------------------------------------------------


def test_copy_for_recipient_then_verify_is_genuine_and_current(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    meeting_id = signed_meeting(db, admin)
    with db.sessions.begin() as s:  # Probation is core for every case: no reason needed
        zoe = person(s, "Ångström", "Zoë", agency="Probation")
    out = tmp_path / "copy.pdf"
    made = run(db, "minutes", str(meeting_id), "-o", str(out), "--copy-for", "zoë ångström")
    assert made.code == 0, made.err
    assert f"copy 1 for {RECIPIENT}" in made.out
    stamp = read_stamp(out.read_bytes())
    assert stamp is not None
    assert (stamp.meeting_id, stamp.copy_number, stamp.recipient) == (meeting_id, 1, RECIPIENT)
    with db.sessions() as s:
        copies = minutes.list_distributions(s, meeting_id)
        logged = issued.list_issued_files(s, meeting_id)
    assert [
        (c.copy_number, c.recipient_name, c.recipient_person_id, c.channel) for c in copies
    ] == [(1, RECIPIENT, zoe, "command line")]
    assert [(f.copy_number, f.byte_size) for f in logged] == [(1, out.stat().st_size)]

    checked = run(db, "verify", str(out))
    assert checked.code == 0, checked.err
    line = checked.out.strip()
    assert "\n" not in line
    assert "Genuine and current" in line
    assert "hash scheme 2" in line and "re-rendered from the record, byte for byte" in line
    assert f"(checked against {db.url.split('://')[0]}" in line
    assert f"meeting {meeting_id}" in line
    assert "signed off by Test Okonkwo-Smith" in line
    assert f"copy 1 issued to {RECIPIENT}" in line
    assert re.search(r"on \d{1,2} \w+ \d{4} \d\d:\d\d UTC", line)


def test_verify_refuses_a_copy_with_one_byte_changed(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    meeting_id = signed_meeting(db, admin)
    out = tmp_path / "copy.pdf"
    assert run(db, "minutes", str(meeting_id), "-o", str(out), "--copy-for", "admin").code == 0
    flip(out, out.stat().st_size // 2)
    assert read_stamp(out.read_bytes()) is not None  # the stamp alone still looks right
    checked = run(db, "verify", str(out))
    assert checked.code == 1
    assert checked.out == ""
    assert "NOT VERIFIED" in checked.err
    assert "changed since it was issued" in checked.err
    assert len(checked.err.strip().splitlines()) == 1


def test_unnumbered_export_of_signed_minutes_is_logged_and_verifies(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    meeting_id = signed_meeting(db, admin)
    out = tmp_path / "minutes.pdf"
    made = run(db, "minutes", str(meeting_id), "-o", str(out), "--disclosure-summary")
    assert made.code == 0, made.err
    assert "disclosure summary" in made.out
    assert made.err == ""
    stamp = read_stamp(out.read_bytes())
    assert stamp is not None and stamp.copy_number is None
    assert stamp.variant == "disclosure_summary"
    with db.sessions() as s:
        assert minutes.list_distributions(s, meeting_id) == []
        assert [f.variant.value for f in issued.list_issued_files(s, meeting_id)] == [
            "disclosure_summary"
        ]
    checked = run(db, "verify", str(out))
    assert checked.code == 0, checked.err
    assert "Genuine and current" in checked.out
    assert "copy" not in checked.out


def test_copy_made_before_an_addendum_is_reported_superseded(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    meeting_id = signed_meeting(db, admin)
    old, new = tmp_path / "old.pdf", tmp_path / "new.pdf"
    assert run(db, "minutes", str(meeting_id), "-o", str(old), "--copy-for", "admin").code == 0
    with db.sessions.begin() as s:
        minutes.add_addendum(s, admin, meeting_id, reason="Wrong date", text="It was Tuesday.")
    made = run(
        db, "minutes", str(meeting_id), "-o", str(new), "--copy-for", "Pat Officer Probation"
    )
    assert made.code == 0, made.err

    earlier = run(db, "verify", str(old))
    assert earlier.code == 0, earlier.err
    assert "Genuine but superseded by addendum 1" in earlier.out
    assert f"copy 1 issued to {CHAIR}" in earlier.out
    current = run(db, "verify", str(new))
    assert current.code == 0, current.err
    assert "Genuine and current" in current.out
    assert f"copy 2 issued to {OFFICER}" in current.out


def _drop_minutes_update_trigger(db: Database) -> None:
    with db.engine.begin() as conn:
        if db.kind == "pg":
            conn.execute(sa.text("DROP TRIGGER minutes_append_only ON minutes"))
        else:
            conn.execute(sa.text("DROP TRIGGER minutes_no_update"))


def test_verify_detects_a_stored_record_altered_behind_the_database(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    meeting_id = signed_meeting(db, admin)
    out = tmp_path / "copy.pdf"
    assert run(db, "minutes", str(meeting_id), "-o", str(out), "--copy-for", "admin").code == 0
    with pytest.raises(DBAPIError), db.engine.begin() as conn:  # the trigger refuses first
        conn.execute(sa.text("UPDATE minutes SET content = '{}'"))
    _drop_minutes_update_trigger(db)  # as a superuser could
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE minutes SET content = replace(content, 'Remain at Level 2', 'Exit')")
        )
    checked = run(db, "verify", str(out))
    assert checked.code == 1
    assert "no longer match their hash" in checked.err
    assert "database has been altered" in checked.err


def test_meeting_not_signed_off_gives_a_draft_that_does_not_verify(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    ready = ready_meeting(db, admin)
    out = tmp_path / "draft.pdf"
    made = run(db, "minutes", str(ready.meeting_id), "-o", str(out))
    assert made.code == 0, made.err
    assert "DRAFT" in made.out
    assert made.err.startswith("warning: ") and "not signed off" in made.err
    stamp = read_stamp(out.read_bytes())
    assert stamp is not None and stamp.status == "draft"
    with db.sessions() as s:
        assert issued.list_issued_files(s, ready.meeting_id) == []
    checked = run(db, "verify", str(out))
    assert checked.code == 1
    assert "DRAFT" in checked.err and "never signed off" in checked.err


def test_copy_for_a_meeting_not_signed_off_is_refused(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    ready = ready_meeting(db, admin)
    out = tmp_path / "copy.pdf"
    made = run(db, "minutes", str(ready.meeting_id), "-o", str(out), "--copy-for", "admin")
    assert made.code == 1
    assert made.err.startswith("error: ") and "not signed off" in made.err
    assert not out.exists()


def test_minutes_bad_input_is_one_line_each(db: Database, admin: Actor, tmp_path: Path) -> None:
    meeting_id = signed_meeting(db, admin)
    missing = run(db, "minutes", "4242", "-o", str(tmp_path / "x.pdf"))
    assert missing.code == 1 and "No meeting with id 4242" in missing.err
    no_folder = run(db, "minutes", str(meeting_id), "-o", str(tmp_path / "nope" / "x.pdf"))
    assert no_folder.code == 1 and "does not exist" in no_folder.err
    usage = run(db, "minutes", "twelve", "-o", str(tmp_path / "x.pdf"))
    assert usage.code == 2
    blank = run(db, "minutes", str(meeting_id), "-o", str(tmp_path / "x.pdf"), "--copy-for", " ")
    assert blank.code == 1 and "copy-for: Name the recipient" in blank.err
    unknown = run(db, "minutes", str(meeting_id), "-o", str(tmp_path / "x.pdf"), "--copy-for", "A")
    assert unknown.code == 1
    assert "No active person or login is called 'A'" in unknown.err
    assert len(unknown.err.strip().splitlines()) == 1
    assert not (tmp_path / "x.pdf").exists()
    with db.sessions() as s:
        assert minutes.list_distributions(s, meeting_id) == []


def test_verify_refuses_files_that_are_not_minutes(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    text_file = tmp_path / "notes.pdf"
    text_file.write_text("just some notes")
    checked = run(db, "verify", str(text_file))
    assert checked.code == 1 and "not a mappa-desktop minutes PDF" in checked.err
    gone = run(db, "verify", str(tmp_path / "missing.pdf"))
    assert gone.code == 1 and gone.err.startswith("error: Cannot read")


# --- signatures ---------------------------------------------------------------------------------


def make_certificate(db: Database, path: Path, name: str = "Łukasz Wiśniewski") -> None:
    made = run(
        db,
        "certificate",
        "create",
        "-o",
        str(path),
        "--name",
        name,
        "--organisation",
        "Thames Valley Police",
        "--password-env",
        "CERT_PASSWORD",
        env={"CERT_PASSWORD": PASSWORD},
    )
    assert made.code == 0, made.err
    assert "self-signed certificate for" in made.out


def test_signed_copy_verifies_and_a_bad_signature_is_refused(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    meeting_id = signed_meeting(db, admin)
    cert = tmp_path / "me.p12"
    make_certificate(db, cert)
    out = tmp_path / "signed.pdf"
    made = run(
        db,
        "minutes",
        str(meeting_id),
        "-o",
        str(out),
        "--copy-for",
        "admin",
        "--sign",
        str(cert),
        "--password-env",
        "CERT_PASSWORD",
        env={"CERT_PASSWORD": PASSWORD},
    )
    assert made.code == 0, made.err
    assert "digitally signed" in made.out
    assert signature_count(out.read_bytes()) == 1
    good = run(db, "verify", str(out))
    assert good.code == 0, good.err
    assert "digitally signed by Łukasz Wiśniewski" in good.out
    assert "not registered at sign-off" in good.out

    data = bytearray(out.read_bytes())
    start = data.rindex(b"/Contents <") + len(b"/Contents <") + 600
    data[start] = ord("0") if data[start] != ord("0") else ord("1")  # one hex digit of the CMS
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(data))
    refused = run(db, "verify", str(bad))
    assert refused.code == 1
    assert "signature" in refused.err


def test_signing_with_a_wrong_password_is_refused_and_nothing_is_logged(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    meeting_id = signed_meeting(db, admin)
    cert = tmp_path / "me.p12"
    make_certificate(db, cert)
    out = tmp_path / "signed.pdf"
    made = run(
        db,
        "minutes",
        str(meeting_id),
        "-o",
        str(out),
        "--copy-for",
        "admin",
        "--sign",
        str(cert),
        "--password-env",
        "CERT_PASSWORD",
        env={"CERT_PASSWORD": "wrong password"},
    )
    assert made.code == 1
    assert "password is wrong" in made.err
    assert not out.exists()
    with db.sessions() as s:
        assert minutes.list_distributions(s, meeting_id) == []


def test_certificate_create_rules(db: Database, tmp_path: Path) -> None:
    cert = tmp_path / "me.p12"
    make_certificate(db, cert)
    again = run(
        db,
        "certificate",
        "create",
        "-o",
        str(cert),
        "--name",
        "X",
        "--password-env",
        "P",
        env={"P": PASSWORD},
    )
    assert again.code == 1 and "already exists" in again.err
    short = run(
        db,
        "certificate",
        "create",
        "-o",
        str(tmp_path / "b.p12"),
        "--name",
        "X",
        "--password-env",
        "P",
        env={"P": "short"},
    )
    assert short.code == 1 and "at least 8 characters" in short.err
    unset = run(
        db, "certificate", "create", "-o", str(tmp_path / "c.p12"), "--name", "X",
        "--password-env", "NOT_SET_ANYWHERE",
    )  # fmt: skip
    assert unset.code == 1 and "NOT_SET_ANYWHERE is not set" in unset.err
    on_command_line = run(
        db, "certificate", "create", "-o", str(tmp_path / "d.p12"), "--name", "X",
        "--password", PASSWORD,
    )  # fmt: skip
    assert on_command_line.code == 2  # refused as a usage error, the value not echoed
    assert "never given on the command line" in on_command_line.err
    assert PASSWORD not in on_command_line.err
    abbreviated = run(
        db, "certificate", "create", "-o", str(tmp_path / "e.p12"), "--name", "X",
        "--password-e", "P",
    )  # fmt: skip
    assert abbreviated.code == 2  # no abbreviations: --password-e is not --password-env
    assert not any((tmp_path / f"{n}.p12").exists() for n in "bcde")
    from cryptography.hazmat.primitives.serialization import pkcs12

    loaded = pkcs12.load_pkcs12(cert.read_bytes(), PASSWORD.encode())
    assert loaded.cert is not None
    assert SELF_SIGNED_LABEL in loaded.cert.certificate.subject.rfc4514_string()


# --- the issued-file log ------------------------------------------------------------------------


def test_issued_file_log_is_append_only(db: Database, admin: Actor, tmp_path: Path) -> None:
    meeting_id = signed_meeting(db, admin)
    assert run(db, "minutes", str(meeting_id), "-o", str(tmp_path / "a.pdf")).code == 0
    for statement in (
        "UPDATE issued_file SET file_sha256 = 'x'",
        "DELETE FROM issued_file",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text(statement))
    with db.sessions() as s:
        assert len(issued.list_issued_files(s, meeting_id)) == 1


def test_record_issued_file_rules(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin)
    from mappa_desktop.domain.errors import StateError, ValidationError

    with pytest.raises(StateError, match="not signed off"), db.sessions.begin() as s:
        issued.record_issued_file(
            s, admin, ready.meeting_id, b"%PDF", version_sha256="0" * 64, renderer="test"
        )
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        record = minutes.sign_off(s, admin, ready.meeting_id)
    with pytest.raises(ValidationError) as bad, db.sessions.begin() as s:
        issued.record_issued_file(
            s,
            admin,
            ready.meeting_id,
            b"",
            version_sha256=record.version_sha256,
            variant="everything",
            distribution_id=999,
            renderer="test",
        )
    assert set(bad.value.errors) == {"file", "variant", "distribution"}
    with pytest.raises(StateError, match="addendum"), db.sessions.begin() as s:
        issued.record_issued_file(
            s, admin, ready.meeting_id, b"%PDF", version_sha256="0" * 64, renderer="test"
        )
    with db.sessions.begin() as s:
        row = issued.record_issued_file(
            s,
            admin,
            ready.meeting_id,
            b"%PDF-1.4",
            version_sha256=record.version_sha256,
            renderer="test",
        )
    with db.sessions() as s:
        found = issued.find_issued_file(s, b"%PDF-1.4")
        assert issued.find_issued_file(s, b"%PDF-1.5") is None
    assert found is not None and found.id == row.id and found.meeting_id == ready.meeting_id


def test_migration_0002_downgrades_and_upgrades_again(db: Database) -> None:
    assert current_revision(db.engine) == head_revision()
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    assert "issued_file" not in sa.inspect(db.engine).get_table_names()
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    assert "issued_file" in sa.inspect(db.engine).get_table_names()
    assert _triggers(db) == (
        {"issued_file_append_only", "issued_file_no_truncate"}
        if db.kind == "pg"
        else {"issued_file_no_update", "issued_file_no_delete"}
    )


def _triggers(db: Database) -> set[str]:
    query = (
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'issued_file'::regclass AND NOT tgisinternal"
        if db.kind == "pg"
        else "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'issued_file'"
    )
    with db.engine.connect() as conn:
        return set(conn.scalars(sa.text(query)))


# --- verify without the database ------------------------------------------------------------------


def verify_alone(pdf: Path, home: Path, *extra: str, env: dict[str, str] | None = None) -> Result:
    """``mappa-desktop verify PDF`` with no database configured (an empty MAPPA_HOME)."""
    environment = {k: v for k, v in os.environ.items() if k != "MAPPA_DATABASE_URL"}
    environment.update({"MAPPA_HOME": str(home), "PYTHONPATH": str(ROOT), **(env or {})})
    done = subprocess.run(
        [sys.executable, "-m", "mappa_desktop", "verify", str(pdf), *extra],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=environment,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return Result(done.returncode, done.stdout, done.stderr)


def test_verify_without_a_database_answers_from_the_file_alone(
    sqlite_db: Database, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    from mappa_desktop.operations import issuing
    from mappa_desktop.operations.rendering import SigningKey
    from reports import signing
    from reports.export import PdfRenderer
    from tests.conftest import make_user

    admin = make_user(sqlite_db, "admin", [Role.ADMINISTRATOR, Role.CHAIR], family_name="Okonkwo")
    meeting_id = signed_meeting(sqlite_db, admin)
    p12 = signing.make_self_signed_certificate("Łukasz Wiśniewski", "TVP", password=PASSWORD)
    other = signing.make_self_signed_certificate("Mallory", "Nowhere", password=PASSWORD)
    for name, data in (("right", p12), ("wrong", other)):
        cert = pkcs12.load_pkcs12(data, PASSWORD.encode()).cert
        assert cert is not None
        (tmp_path / f"{name}.pem").write_bytes(cert.certificate.public_bytes(Encoding.PEM))
    (tmp_path / "right.p12").write_bytes(p12)
    key = SigningKey(pkcs12=p12, password=PASSWORD, signer_name="Łukasz Wiśniewski")
    plain, signed = tmp_path / "plain.pdf", tmp_path / "signed.pdf"
    with sqlite_db.sessions.begin() as s:
        issuing.export_minutes(s, PdfRenderer(), admin, meeting_id, plain)
        issuing.export_minutes(s, PdfRenderer(), admin, meeting_id, signed, signing=key)
    home = tmp_path / "home"
    home.mkdir()

    unsigned = verify_alone(plain, home)
    assert unsigned.code == 1 and "carries no digital signature" in unsigned.err
    assert "NOT compared with the area's record" in unsigned.err
    untrusted = verify_alone(signed, home)
    assert untrusted.code == 1
    assert "signature by Łukasz Wiśniewski on" in untrusted.err and "intact" in untrusted.err
    assert "--trust" in untrusted.err
    trusted = verify_alone(signed, home, "--trust", str(tmp_path / "right.pem"))
    assert trusted.code == 0, trusted.err
    assert "with the certificate you trust" in trusted.out
    assert f"minutes of meeting {meeting_id}" in trusted.out
    assert "NOT compared with the area's record" in trusted.out
    from_p12 = verify_alone(
        signed, home, "--trust", str(tmp_path / "right.p12"), "--password-env", "P",
        env={"P": PASSWORD},
    )  # fmt: skip
    assert from_p12.code == 0, from_p12.err
    wrong = verify_alone(signed, home, "--trust", str(tmp_path / "wrong.pem"))
    assert wrong.code == 1 and "NOT the certificate you trust" in wrong.err
    assert not [p for p in home.rglob("*") if p.is_file()]  # no database was created

    # With a database it says which one, and --trust applies there too.
    with_db = run(sqlite_db, "verify", str(signed), "--trust", str(tmp_path / "wrong.pem"))
    assert with_db.code == 1 and "not the certificate you trust" in with_db.err
    assert f"(checked against {sqlite_db.url})" in with_db.err
    missing = tmp_path / "nowhere.sqlite3"
    gone = verify_alone(plain, home, "--database", f"sqlite:///{missing}")
    assert gone.code == 1 and "There is no database at" in gone.err
    assert not missing.exists()
