"""Is this PDF a genuine, current copy of signed-off minutes? (``mappa-desktop verify``)

With the area's record (``check_file``, given ``operations.verifying.Records``: the facts the
stamp points at, read by the core; this module only judges bytes), every check must pass:

1. the stored record is intact: every hash of the minutes and their addenda is recomputed from
   the stored fields (``services.minutes.verify``), and the version the file carries is one of
   theirs; the signer is the one frozen at sign-off;
2. the file is byte for byte the copy the record gives. A file made since hash scheme 2 names
   its renderer and printed time in its stamp: the copy is rendered again from the frozen record
   and must be identical, or, for a digitally signed copy, be followed by exactly one revision
   that adds a PAdES signature and nothing else, intact and covering the whole file. The
   issued-file log is bookkeeping and never makes a file genuine. A file issued before the
   upgrade (no renderer) is trusted, as it was then, only by a log row that existed at the
   upgrade (scheme 1, which no login but the owner can create).

A copy made before a later addendum is still genuine, but reported as superseded. A copy of
one offender's record carries the case in its stamp and is rendered again by the record's
renderer; the meeting-wide record, and every copy made before records per offender, by the
minutes' renderer as before.

Without a database (``check_file_alone``) only the file's own digital signature can be checked,
and the answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mappa_desktop.domain.errors import MappaError
from mappa_desktop.operations.issuing import for_issue
from mappa_desktop.operations.verifying import Records
from mappa_desktop.services.minutes_hash import SCHEME_NAMES
from reports import export, signing
from reports.labels import datetime_text
from reports.stamp import Stamp, read_stamp

HOW = Literal["re-rendered", "legacy log", "file only", ""]


@dataclass(frozen=True, slots=True)
class FileCheck:
    genuine: bool  # all checks passed (possibly superseded)
    current: bool  # genuine and no later addendum
    summary: str  # one line for a person
    meeting_id: int | None = None
    copy_number: int | None = None
    recipient: str = ""
    case_id: int | None = None  # the offender's record the file is; None: meeting-wide
    signed_by: str = ""  # the chair who signed the minutes off, as frozen at sign-off
    signed_at: str = ""  # when (ISO)
    superseded_by_addenda: int = 0
    latest_addendum: int = 0
    digital_signature: signing.SignatureCheck | None = None
    hash_scheme: int = 0  # the record's hash scheme checked (0: none)
    how: HOW = ""  # how the file itself was checked


def _refused(summary: str, stamp: Stamp | None = None, scheme: int = 0) -> FileCheck:
    return FileCheck(
        genuine=False,
        current=False,
        summary=summary,
        meeting_id=stamp.meeting_id if stamp else None,
        copy_number=stamp.copy_number if stamp else None,
        recipient=stamp.recipient if stamp else "",
        case_id=stamp.case_id if stamp else None,
        hash_scheme=scheme,
    )


def rerender(records: Records, stamp: Stamp) -> bytes:
    """The copy ``stamp`` describes (the meeting-wide record, or the offender's record
    ``stamp.case_id``), rendered again from the frozen record by its renderer."""
    doc = records.frozen_document(
        stamp.meeting_id,
        recipient=stamp.recipient,
        copy_number=stamp.copy_number,
        variant=stamp.variant,
        version_sha256=stamp.version_sha256 or None,
        generated_at=stamp.printed,
        case_id=stamp.case_id,
    )
    renderer = export.PdfRenderer()  # the one that issues copies, so the bytes can match
    return renderer.render_document(for_issue(renderer, doc))


def _signature(pdf: bytes, roots: list[bytes]) -> signing.SignatureCheck | str:
    """The one signature an issued copy may carry, or why it is not acceptable."""
    problem = signing.signing_revision_problem(pdf)
    if problem:
        return problem
    digital = signing.validate_pdf_signature(pdf, roots)
    return digital if digital.ok else digital.summary


def _same_copy(
    records: Records, stamp: Stamp, pdf: bytes, roots: list[bytes]
) -> str | tuple[HOW, signing.SignatureCheck | None]:
    """Check the file itself; a sentence when it is not the issued copy."""
    changed = (
        "The stamp matches signed-off minutes, but this file is not byte for byte a copy "
        "issued from this database: it has been changed since it was issued (or was made "
        "elsewhere)."
    )
    if not stamp.renderer:
        if records.legacy_meeting(pdf) != stamp.meeting_id:
            return changed
        if not signing.signature_count(pdf):
            return ("legacy log", None)
        checked = _signature(pdf, roots)
        return checked if isinstance(checked, str) else ("legacy log", checked)
    here = export.record_renderer_id() if stamp.case_id is not None else export.renderer_id()
    if stamp.renderer != here:
        return (
            f"This copy was made by {stamp.renderer}; this installation renders with "
            f"{here}, so it cannot render the copy again to compare it byte for "
            "byte. Verify it with the mappa-desktop version that issued it."
        )
    try:
        expected = rerender(records, stamp)
    except MappaError as exc:
        return f"The copy described by the file's stamp cannot be rendered again: {exc}"
    if pdf == expected:
        return ("re-rendered", None)
    if len(pdf) <= len(expected) or not pdf.startswith(expected):
        return changed
    checked = _signature(pdf, roots)
    if isinstance(checked, str):
        return (
            "The file starts with the issued copy, but what follows is not only its "
            f"signature: {checked}"
        )
    return ("re-rendered", checked)


def _roots(records: Records, meeting_id: int, trust: bytes | None) -> list[bytes]:
    roots = [trust] if trust else []
    master = records.chair_signature(meeting_id)
    chair_cert = signing.signer_certificate(master) if master else None
    if chair_cert:
        roots.append(chair_cert)
    return roots


def _trust_words(digital: signing.SignatureCheck, trust: bytes | None) -> str:
    if trust:
        return "the certificate you trust" if digital.trusted else "NOT the certificate you trust"
    if digital.trusted:
        return "the certificate the chair signed off with"
    return "a certificate not registered at sign-off"


def check_file(records: Records, pdf: bytes, *, trust: bytes | None = None) -> FileCheck:
    """Verify the bytes of a minutes PDF against the area's record (``records``, e.g.
    ``operations.verifying.SessionRecords(session)``; ``trust``: a certificate the signer of a
    digitally signed copy is also checked against)."""
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
    record = records.verify(stamp.content_sha256, stamp.version_sha256 or None)
    if not record.genuine:
        return _refused(record.reason, stamp, record.hash_scheme)
    if record.meeting_id != stamp.meeting_id:
        return _refused(
            f"The file says it is the minutes of meeting {stamp.meeting_id}, but its content "
            f"belongs to meeting {record.meeting_id}: the file has been altered.",
            stamp,
            record.hash_scheme,
        )
    assert record.meeting_id is not None
    same = _same_copy(records, stamp, pdf, _roots(records, record.meeting_id, trust))
    if isinstance(same, str):
        return _refused(same, stamp, record.hash_scheme)
    how, digital = same
    if digital is not None and trust and not digital.trusted:
        return _refused(
            f"The copy is intact, but it is digitally signed by {digital.signer}, which is not "
            "the certificate you trust.",
            stamp,
            record.hash_scheme,
        )
    signed_at = record.signed_at.isoformat() if record.signed_at else ""
    latest = records.latest_addendum(record.meeting_id)
    who = ""
    if stamp.copy_number is not None:
        logged = records.issued_copy(record.meeting_id, stamp.copy_number)
        who = f"; copy {stamp.copy_number} issued to {stamp.recipient}"
        if (
            logged is None
            or logged.recipient_name != stamp.recipient
            or logged.case_id != stamp.case_id
        ):
            who += " (not so recorded in the distribution log)"
        elif logged.reason:
            who += f" with the chair's permission ({logged.reason})"
    sig = ""
    if digital is not None:
        sig = f"; digitally signed by {digital.signer} ({_trust_words(digital, trust)})"
    scheme = SCHEME_NAMES.get(record.hash_scheme, f"hash scheme {record.hash_scheme}")
    checked = (
        "the file re-rendered from the record, byte for byte"
        if how == "re-rendered"
        else "the file's hash, logged before the upgrade"
    )
    what = (
        f"the record of case {stamp.case_id} at meeting {record.meeting_id}"
        if stamp.case_id is not None
        else f"minutes of meeting {record.meeting_id}"
    )
    base = (
        f"{what}, signed off by {record.signed_by} on "
        f"{datetime_text(signed_at)}{who}{sig} [checked: {scheme}; {checked}]"
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
        copy_number=stamp.copy_number,
        recipient=stamp.recipient,
        case_id=stamp.case_id,
        signed_by=record.signed_by,
        signed_at=signed_at,
        superseded_by_addenda=record.superseded_by_addenda,
        latest_addendum=latest,
        digital_signature=digital,
        hash_scheme=record.hash_scheme,
        how=how,
    )


def check_file_alone(pdf: bytes, *, trust: bytes | None = None) -> FileCheck:
    """What the file alone can show, without the area's database: its digital signature (and,
    with ``trust``, whether the signer is that certificate). Genuine only when a signature that
    covers the whole file and adds nothing else is intact and made with ``trust``."""
    stamp = read_stamp(pdf)
    said = ""
    if stamp is not None:
        copy = f", copy {stamp.copy_number} for {stamp.recipient}" if stamp.copy_number else ""
        case = f"the record of case {stamp.case_id} at" if stamp.case_id is not None else ""
        said = f" The file says it is {case or 'the minutes of'} meeting {stamp.meeting_id}{copy}."
    alone = (
        " It was NOT compared with the area's record (no database was given), so nothing "
        "shows that its content is the signed-off minutes."
    )
    if not signing.signature_count(pdf):
        return _refused(
            "The file carries no digital signature, so without the area's database nothing in "
            f"it can be checked.{said}{alone}",
            stamp,
        )
    checked = _signature(pdf, [trust] if trust else [])
    if isinstance(checked, str):
        return _refused(f"{checked}{said}{alone}", stamp)
    when = checked.signed_at.isoformat() if checked.signed_at else ""
    signer = f"by {checked.signer} on {datetime_text(when) or 'an unstated date'}"
    if trust is None:
        return _refused(
            f"The digital signature {signer} is intact and covers the whole file, but no "
            f"certificate was given to check who that signer is (use --trust).{said}{alone}",
            stamp,
        )
    if not checked.trusted:
        return _refused(
            f"The digital signature {signer} is intact, but the signer is NOT the certificate "
            f"you trust.{said}{alone}",
            stamp,
        )
    return FileCheck(
        genuine=True,
        current=False,
        summary=(
            f"Digitally signed {signer} with the certificate you trust; the signature is intact "
            f"and covers the whole file.{said}{alone}"
        ),
        meeting_id=stamp.meeting_id if stamp else None,
        copy_number=stamp.copy_number if stamp else None,
        recipient=stamp.recipient if stamp else "",
        case_id=stamp.case_id if stamp else None,
        digital_signature=checked,
        how="file only",
    )
