"""Is this PDF a genuine, current copy of signed-off minutes? (``mappa-desktop verify``)

Three independent checks, all of which must pass:

1. the identity stamp in the file names signed-off minutes whose stored content still hashes to
   the stamped SHA-256 (``services.minutes.verify``; the stored content is re-hashed, so a
   record altered behind the database's back is caught), and the stamped version is one that
   was issued;
2. a digitally signed file carries an intact, valid PAdES signature covering the whole file
   (trusted when made with the certificate the chair signed off with);
3. the file's own SHA-256 is in the issued-file log: it is byte for byte a file the app issued.

A copy made before a later addendum is still genuine, but reported as superseded.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from mappa_desktop.services import issued
from mappa_desktop.services import minutes as minutes_service
from reports import signing
from reports.labels import datetime_text
from reports.stamp import Stamp, read_stamp


@dataclass(frozen=True, slots=True)
class FileCheck:
    genuine: bool  # all checks passed (possibly superseded)
    current: bool  # genuine and no later addendum
    summary: str  # one line for a person
    meeting_id: int | None = None
    copy_number: int | None = None
    recipient: str = ""
    signed_by: str = ""  # the chair who signed the minutes off
    signed_at: str = ""  # when (ISO)
    superseded_by_addenda: int = 0
    latest_addendum: int = 0
    digital_signature: signing.SignatureCheck | None = None


def _refused(summary: str, stamp: Stamp | None = None) -> FileCheck:
    return FileCheck(
        genuine=False,
        current=False,
        summary=summary,
        meeting_id=stamp.meeting_id if stamp else None,
        copy_number=stamp.copy_number if stamp else None,
        recipient=stamp.recipient if stamp else "",
    )


def check_file(session: Session, pdf: bytes) -> FileCheck:
    """Verify the bytes of a minutes PDF against the database."""
    stamp = read_stamp(pdf)
    if stamp is None:
        return _refused(
            "This is not a mappa-desktop minutes PDF (it carries no minutes identity stamp)."
        )
    if stamp.status != "signed":
        return _refused(
            f"This is a DRAFT of the minutes of meeting {stamp.meeting_id}, never signed off: "
            "it is not an approved record.",
            stamp,
        )
    record = minutes_service.verify(session, stamp.content_sha256, stamp.version_sha256 or None)
    if not record.genuine:
        return _refused(record.reason, stamp)
    if record.meeting_id != stamp.meeting_id:
        return _refused(
            f"The file says it is the minutes of meeting {stamp.meeting_id}, but its content "
            f"belongs to meeting {record.meeting_id}: the file has been altered.",
            stamp,
        )
    assert record.meeting_id is not None
    digital = None
    if signing.signature_count(pdf):
        roots = []
        master = issued.minutes_signature(session, record.meeting_id)
        chair_cert = signing.signer_certificate(master) if master else None
        if chair_cert:
            roots.append(chair_cert)
        digital = signing.validate_pdf_signature(pdf, roots)
        if not digital.ok:
            return _refused(digital.summary, stamp)
    logged = issued.find_issued_file(session, pdf)
    if logged is None or logged.meeting_id != record.meeting_id:
        return _refused(
            "The stamp matches signed-off minutes, but this file is not byte for byte a copy "
            "issued from this database: it has been changed since it was issued (or was made "
            "elsewhere).",
            stamp,
        )
    signed_at = record.signed_at.isoformat() if record.signed_at else ""
    minutes = minutes_service.get_minutes(session, record.meeting_id)
    latest = minutes.addenda if minutes is not None else 0
    who = ""
    if logged.copy_number is not None:
        who = f"; copy {logged.copy_number} issued to {logged.recipient_name}"
    sig = ""
    if digital is not None:
        trust = (
            "the certificate the chair signed off with"
            if digital.trusted
            else "a certificate not registered at sign-off"
        )
        sig = f"; digitally signed by {digital.signer} ({trust})"
    when = datetime_text(signed_at)
    base = (
        f"minutes of meeting {record.meeting_id}, signed off by {record.signed_by} on {when}"
        f"{who}{sig}"
    )
    if record.superseded_by_addenda:
        summary = f"Genuine but superseded by addendum {latest}: {base}. Obtain the current copy."
    else:
        summary = f"Genuine and current: {base}."
    return FileCheck(
        genuine=True,
        current=record.current,
        summary=summary,
        meeting_id=record.meeting_id,
        copy_number=logged.copy_number,
        recipient=logged.recipient_name,
        signed_by=record.signed_by,
        signed_at=signed_at,
        superseded_by_addenda=record.superseded_by_addenda,
        latest_addendum=latest,
        digital_signature=digital,
    )
