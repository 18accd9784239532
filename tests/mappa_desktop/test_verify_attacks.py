# mypy: disable-error-code="no-untyped-call"
"""``verify`` tried the way an attacker would (issue 9, items 3, 4, 8 and 10).

- A superuser who bypasses the append-only triggers and changes any hashed field (content,
  signer, time, an addendum's text, reason, signer, time) is caught, and verify names the field.
- An issued copy with visible text added by an incremental update is refused, even after a
  writer login logged its hash in ``issued_file``; nobody but the owner can log a "legacy" row.
- Minutes and copies issued before hash scheme 2 (built at revision 0005, then upgraded) still
  verify, and verify says it checked scheme 1.
- A reader login makes its own, logged copy on PostgreSQL.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from mappa_desktop.db.base import UTCDateTime
from mappa_desktop.db.schema import alembic_config
from mappa_desktop.operations import issuing
from mappa_desktop.operations.verifying import SessionRecords
from mappa_desktop.services import issued, meetings, minutes, minutes_hash, people
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.minutes_content import (
    AddendumEntry,
    MinutesContent,
    MinutesDocument,
    SignOffBlock,
    canonical_json,
    content_hash,
)
from reports import minutes_pdf, signing
from reports.export import PdfRenderer
from reports.stamp import read_stamp
from reports.verify import check_file
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import ready_meeting
from tests.mappa_desktop.test_pg_roles import Area, area, refused, signed_off_meeting

__all__ = ["area"]  # the PostgreSQL logins fixture, shared with test_pg_roles
RENDERER = PdfRenderer()


def _signed_with_addendum(db: Database, admin: Actor) -> int:
    ready = ready_meeting(db, admin)
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        minutes.sign_off(s, admin, ready.meeting_id)
        minutes.add_addendum(s, admin, ready.meeting_id, reason="Wrong date", text="Tuesday.")
    return ready.meeting_id


def _export(db: Database, login: str, meeting_id: int, path: Path) -> bytes:
    with db.sessions.begin() as s:
        issuing.export_minutes(s, RENDERER, people.get_actor(s, login), meeting_id, path)
    return path.read_bytes()


def _check(db: Database, pdf: bytes) -> tuple[bool, str]:
    with db.sessions() as s:
        result = check_file(SessionRecords(s), pdf)
    return result.genuine, result.summary


# --- a superuser changes a hashed field -------------------------------------------------------

TRIGGERS = {
    "pg": (
        "DROP TRIGGER minutes_append_only ON minutes",
        "DROP TRIGGER addendum_append_only ON addendum",
    ),
    "sqlite": ("DROP TRIGGER minutes_no_update", "DROP TRIGGER addendum_no_update"),
}
LATER = {
    "pg": "{col} = {col} + interval '1 minute'",
    "sqlite": "{col} = datetime({col}, '+1 minute')",
}
# (the statement, what verify must name)
ALTERATIONS = (
    ("UPDATE minutes SET content = replace(content, 'Remain at Level 2', 'Exit')", "the content"),
    ("UPDATE minutes SET signer_name = 'Someone Else'", "the signer"),
    ("UPDATE minutes SET signer_agency = 'Housing'", "the signer"),
    ("UPDATE minutes SET signer_role = 'Chief Constable'", "the signer"),
    ("UPDATE minutes SET {later:signed_at}", "the sign-off time"),
    ("UPDATE addendum SET text = 'Wednesday.'", "addendum 1's text"),
    ("UPDATE addendum SET reason = 'Typo'", "addendum 1's reason"),
    ("UPDATE addendum SET signer_name = 'Someone Else'", "addendum 1's signer"),
    ("UPDATE addendum SET {later:signed_at}", "addendum 1's time"),
)


@pytest.mark.parametrize(("statement", "named"), ALTERATIONS, ids=[n for _, n in ALTERATIONS])
def test_a_superuser_changing_a_hashed_field_is_named_by_verify(
    db: Database, admin: Actor, tmp_path: Path, statement: str, named: str
) -> None:
    meeting_id = _signed_with_addendum(db, admin)
    pdf = _export(db, "admin", meeting_id, tmp_path / "copy.pdf")
    assert _check(db, pdf)[0]
    sql = statement.replace("{later:signed_at}", LATER[db.kind].format(col="signed_at"))
    with db.engine.connect() as conn:
        transaction = conn.begin()
        for drop in TRIGGERS[db.kind]:  # as only the owner or a superuser can
            conn.execute(sa.text(drop))
        assert conn.execute(sa.text(sql)).rowcount == 1
        with Session(bind=conn) as s:
            result = check_file(SessionRecords(s), pdf)
        transaction.rollback()
    assert not result.genuine
    assert "no longer match their hash" in result.summary
    assert f"{named} changed since sign-off" in result.summary
    assert result.hash_scheme == 2
    assert _check(db, pdf)[0]  # rolled back: the record is whole again


def test_verify_prints_the_signer_frozen_at_sign_off(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    meeting_id = _signed_with_addendum(db, admin)
    with db.engine.begin() as conn:  # renaming the person later changes nothing signed
        conn.execute(sa.text("UPDATE person SET family_name = 'Renamed'"))
    genuine, summary = _check(db, _export(db, "admin", meeting_id, tmp_path / "c.pdf"))
    assert genuine and "signed off by Test Okonkwo-Smith (Police)" in summary
    assert "Renamed" not in summary


# --- a changed copy whose hash a writer logged ----------------------------------------------------


def _add_visible_text(pdf: bytes, words: bytes) -> bytes:
    """``pdf`` with ``words`` drawn on page 1 by an incremental update (original bytes kept)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    font = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Font"),
            pdf_name("/Subtype"): pdf_name("/Type1"),
            pdf_name("/BaseFont"): pdf_name("/Helvetica"),
        }
    )
    stream = generic.StreamObject(stream_data=b"BT /Fake 20 Tf 60 420 Td (" + words + b") Tj ET")
    writer.add_stream_to_page(
        0,
        writer.add_object(stream),
        resources=generic.DictionaryObject(
            {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/Fake"): font})}
        ),
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


LOG_ROW = (
    "INSERT INTO issued_file (minutes_id, file_sha256, byte_size, version_sha256, variant, "
    "digitally_signed, issued_by_id, issued_at, scheme, renderer) "
    "VALUES (:minutes, :sha, :size, :version, 'full', false, :user, now(), :scheme, :renderer)"
)


@pytest.mark.pg
def test_an_incrementally_updated_copy_fails_even_once_a_writer_logged_it(
    area: Area, tmp_path: Path
) -> None:
    meeting_id = signed_off_meeting(area, "chair_a")
    chair = area.db_as("chair_a")
    pdf = _export(chair, area.login("chair_a"), meeting_id, tmp_path / "copy.pdf")
    assert _check(area.su, pdf)[0]
    changed = _add_visible_text(pdf, b"Level 1 - no further action")
    assert changed.startswith(pdf) and "no further action" in _page_text(changed)
    stamp = read_stamp(changed)
    assert stamp is not None
    with area.su.sessions() as s:
        record = minutes.get_minutes(s, meeting_id)
    assert record is not None
    row = {
        "minutes": record.id,
        "sha": issued.file_hash(changed),
        "size": len(changed),
        "version": stamp.version_sha256,
        "user": area.users["taker"].user_id,
        "renderer": stamp.renderer,
    }
    taker = area.engine_as("taker")
    # Nobody but the owner may log a "legacy" row, trusted by its hash alone ...
    message = refused(taker, LOG_ROW, **row, scheme=1)
    assert "row-level security" in message
    # ... and a scheme-2 row is bookkeeping: logged, still not genuine.
    with taker.begin() as conn:
        conn.execute(sa.text(LOG_ROW), {**row, "scheme": 2})
    genuine, summary = _check(area.su, changed)
    assert not genuine and "something was added to the file after it was issued" in summary
    # Signing the changed file does not help either.
    p12 = signing.make_self_signed_certificate("Mallory", "Nowhere", password="long password")
    signed = signing.sign_pdf(changed, p12, "long password", signer_name="M", reason="r")
    genuine, summary = _check(area.su, signed)
    assert not genuine and "not only its signature" in summary and "revisions" in summary


@pytest.mark.pg
def test_a_reader_makes_a_logged_copy_on_the_server(area: Area, tmp_path: Path) -> None:
    meeting_id = signed_off_meeting(area, "chair_a")
    reader = area.db_as("reader")
    pdf = _export(reader, area.login("reader"), meeting_id, tmp_path / "mine.pdf")
    with area.su.sessions() as s:
        logged = issued.list_issued_files(s, meeting_id)
    assert [(f.issued_by_id, f.scheme) for f in logged] == [(area.users["reader"].user_id, 2)]
    genuine, summary = _check(area.su, pdf)
    assert genuine and "Genuine and current" in summary
    # Still only in their own name.
    refused(
        area.engine_as("reader"),
        LOG_ROW,
        minutes=logged[0].minutes_id,
        sha="0" * 64,
        size=1,
        version=logged[0].version_sha256,
        user=area.users["chair_a"].user_id,
        scheme=2,
        renderer="",
    )


# --- minutes and copies issued before the upgrade ------------------------------------------------


def _legacy_record(db: Database, admin: Actor) -> tuple[int, bytes]:
    """Minutes, an addendum and a logged copy written as the code before hash scheme 2 did,
    at revision 0005; then the database is upgraded. Returns the meeting and the copy."""
    ready = ready_meeting(db, admin)
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        content = canonical_json(minutes.build_content(s, ready.meeting_id))
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0005")
    digest = content_hash(content)
    signed_at = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
    reason, text = "Wrong date", "It was Tuesday."
    addendum_sha = minutes_hash.legacy_addendum_hash(reason, text)
    version = minutes_hash.legacy_version(digest, [addendum_sha])
    doc = MinutesDocument(
        content=MinutesContent.from_dict(json.loads(content)),
        sign_off=SignOffBlock("Test Okonkwo-Smith", signed_at.isoformat(), digest),
        addenda=(
            AddendumEntry(
                1, reason, text, "Test Okonkwo-Smith", signed_at.isoformat(), addendum_sha
            ),
        ),
        generated_at=signed_at.isoformat(),
        extra={"version_sha256": version},
    )
    pdf = minutes_pdf.render_minutes(doc)  # no renderer in the stamp, as before
    at = sa.bindparam("at", type_=UTCDateTime())
    with db.engine.begin() as conn:
        minutes_id = conn.execute(
            sa.text(
                "INSERT INTO minutes (meeting_id, content, content_sha256, signed_by_id, "
                "signed_at) VALUES (:m, :c, :h, :u, :at) RETURNING id"
            ).bindparams(at),
            {"m": ready.meeting_id, "c": content, "h": digest, "u": admin.user_id, "at": signed_at},
        ).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO addendum (minutes_id, seq, reason, text, content_sha256, "
                "signed_by_id, signed_at) VALUES (:m, 1, :r, :t, :h, :u, :at)"
            ).bindparams(at),
            {"m": minutes_id, "r": reason, "t": text, "h": addendum_sha, "u": admin.user_id,
             "at": signed_at},
        )  # fmt: skip
        conn.execute(
            sa.text(
                "INSERT INTO issued_file (minutes_id, file_sha256, byte_size, version_sha256, "
                "variant, digitally_signed, issued_by_id, issued_at) "
                "VALUES (:m, :h, :n, :v, 'full', :f, :u, :at)"
            ).bindparams(at),
            {"m": minutes_id, "h": issued.file_hash(pdf), "n": len(pdf), "v": version,
             "f": False, "u": admin.user_id, "at": signed_at},
        )  # fmt: skip
        conn.execute(
            sa.text("UPDATE meeting SET status = 'signed_off' WHERE id = :m"),
            {"m": ready.meeting_id},
        )
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    return ready.meeting_id, pdf


def test_minutes_and_copies_issued_before_the_upgrade_still_verify(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    meeting_id, old_copy = _legacy_record(db, admin)
    with db.sessions() as s:
        record = minutes.get_minutes(s, meeting_id)
        result = check_file(SessionRecords(s), old_copy)
    assert record is not None and record.hash_scheme == 1
    assert record.signed_by == "Test Okonkwo-Smith"  # filled in at the upgrade
    assert result.genuine and result.current and result.how == "legacy log", result.summary
    assert "hash scheme 1" in result.summary and "logged before the upgrade" in result.summary
    # One changed byte is still caught.
    damaged = bytearray(old_copy)
    damaged[len(damaged) // 2] ^= 1
    assert not _check(db, bytes(damaged))[0]
    # A new addendum (scheme 2, chained on the old version) supersedes the old copy.
    with db.sessions.begin() as s:
        new = minutes.add_addendum(s, admin, meeting_id, reason="Typo", text="Fixed.")
    assert new.content_sha256 == minutes_hash.chain_hash(
        "addendum",
        minutes_hash.addendum_parts(
            "Fixed.", "Typo", minutes_hash.Signer("Test Okonkwo-Smith", "Police", ""),
            new.signed_at,
        ),
        read_stamp(old_copy).version_sha256,  # type: ignore[union-attr]
    )  # fmt: skip
    genuine, summary = _check(db, old_copy)
    assert genuine and "superseded by addendum 2" in summary
    genuine, summary = _check(db, _export(db, "admin", meeting_id, tmp_path / "new.pdf"))
    assert genuine and "Genuine and current" in summary
    assert "hash scheme 1" in summary and "re-rendered from the record" in summary
