"""The issued-file log: the SHA-256 of every PDF of signed-off minutes the app writes.

Bookkeeping, not proof: any login may add rows in its own name, so ``verify`` never calls a file
genuine because its hash is here. Scheme-2 rows (every file logged since migration 0006) record
the renderer that made the file; ``verify`` renders the copy again from the frozen record and
compares the bytes. Only rows that existed at the upgrade (scheme 1, which no login but the
database owner can create) are still trusted by their hash, as they were when they were issued.
Rows are insert-only (the database refuses UPDATE and DELETE).

Recording a file needs no writing role: a reader who exports minutes is logged too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.base import utcnow
from mappa_desktop.db.models import Addendum, Distribution, IssuedFile, Meeting, Minutes
from mappa_desktop.domain.enums import DistributionVariant
from mappa_desktop.domain.errors import StateError, ValidationError
from mappa_desktop.domain.validation import Checker
from mappa_desktop.services import audit, minutes_hash, need_to_know
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.common import flush, get_or_404

MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class IssuedFileRow:
    id: int
    minutes_id: int
    meeting_id: int
    distribution_id: int | None
    copy_number: int | None
    recipient_name: str
    file_sha256: str
    byte_size: int
    version_sha256: str
    variant: DistributionVariant
    digitally_signed: bool
    issued_by_id: int
    issued_at: datetime
    scheme: int
    renderer: str
    case_id: int | None = None  # the offender's record the file is; None: meeting-wide


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _current_version(session: Session, minutes: Minutes) -> str:
    addenda = list(
        session.scalars(
            select(Addendum).where(Addendum.minutes_id == minutes.id).order_by(Addendum.seq)
        )
    )
    return minutes_hash.stored_versions(minutes, addenda)[-1]


def record_issued_file(
    session: Session,
    actor: Actor,
    meeting_id: int,
    data: bytes,
    *,
    version_sha256: str,
    variant: DistributionVariant | str = DistributionVariant.FULL,
    distribution_id: int | None = None,
    digitally_signed: bool = False,
    renderer: str,
    case_id: int | None = None,
) -> IssuedFileRow:
    """Log the bytes of a PDF of the meeting's signed-off minutes that is about to be written.

    ``version_sha256`` is the version the file carries; it must be the current one (a copy made
    from an older version while an addendum was being added is refused). ``distribution_id``
    links a numbered personal copy to its distribution record; ``renderer`` names the renderer
    that made the file (what ``verify`` needs to render it again); ``case_id`` the offender's
    record the file is (None: the meeting-wide record), the same as its copy record's."""
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    minutes = session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
    if minutes is None:
        raise StateError(
            f"The minutes of the meeting of {meeting.meeting_date.isoformat()} are not signed "
            "off, so a file of them cannot be issued; a draft is never logged as issued."
        )
    check = Checker()
    if not isinstance(data, bytes) or not data:
        check.fail("file", "The file is empty: nothing was issued.")
    elif len(data) > MAX_FILE_BYTES:
        check.fail("file", "The file is larger than 200 MB, which no minutes PDF should be.")
    clean_variant = check.enum("variant", variant, DistributionVariant)
    distribution = None
    if distribution_id is not None:
        distribution = session.get(Distribution, distribution_id)
        if distribution is None or distribution.minutes_id != minutes.id:
            check.fail(
                "distribution", f"Copy record {distribution_id} is not a copy of these minutes."
            )
        elif distribution.case_id != case_id:
            check.fail("case", "The file is not the record its copy record names.")
    elif case_id is not None and need_to_know.discussion_of(session, meeting.id, case_id) is None:
        check.fail("case", f"Case {case_id} was not on the agenda of this meeting.")
    check.done()
    assert clean_variant is not None
    current = _current_version(session, minutes)
    if version_sha256 != current or (
        distribution is not None and distribution.version_sha256 != current
    ):
        raise StateError(
            "The minutes changed (an addendum was added) while this copy was being made; "
            "make the copy again so it carries the current version."
        )
    if distribution is not None and distribution.variant != clean_variant:
        raise ValidationError.single(
            "variant", "The file's variant differs from the variant logged for this copy."
        )
    row = IssuedFile(
        minutes_id=minutes.id,
        distribution_id=distribution_id,
        file_sha256=file_hash(data),
        byte_size=len(data),
        version_sha256=current,
        variant=clean_variant,
        digitally_signed=bool(digitally_signed),
        issued_by_id=actor.user_id,
        issued_at=utcnow(),
        scheme=minutes_hash.SCHEME,
        renderer=renderer,
        case_id=case_id,
    )
    session.add(row)
    flush(
        session,
        "issued file",
        integrity_field="distribution",
        integrity_message="A file has already been logged for this copy.",
    )
    audit.record(
        session,
        actor,
        "issued_file",
        row.id,
        "create",
        audit.created(
            {
                "distribution_id": distribution_id,
                "file_sha256": row.file_sha256,
                "byte_size": row.byte_size,
                "version_sha256": current,
                "variant": clean_variant,
                "digitally_signed": row.digitally_signed,
                "renderer": renderer,
                "case_id": case_id,
            }
        ),
        case_id=case_id,
        meeting_id=meeting.id,
    )
    return _row(row, meeting.id, distribution)


def _row(row: IssuedFile, meeting_id: int, distribution: Distribution | None) -> IssuedFileRow:
    return IssuedFileRow(
        id=row.id,
        minutes_id=row.minutes_id,
        meeting_id=meeting_id,
        distribution_id=row.distribution_id,
        copy_number=distribution.copy_number if distribution is not None else None,
        recipient_name=distribution.recipient_name if distribution is not None else "",
        file_sha256=row.file_sha256,
        byte_size=row.byte_size,
        version_sha256=row.version_sha256,
        variant=row.variant,
        digitally_signed=row.digitally_signed,
        issued_by_id=row.issued_by_id,
        issued_at=row.issued_at,
        scheme=row.scheme,
        renderer=row.renderer,
        case_id=row.case_id,
    )


def find_issued_file(
    session: Session, data: bytes, *, scheme: int | None = None
) -> IssuedFileRow | None:
    """The log entry of a file with exactly these bytes (the earliest, of ``scheme`` if given),
    or None."""
    query = (
        select(IssuedFile, Minutes.meeting_id, Distribution)
        .join(Minutes, Minutes.id == IssuedFile.minutes_id)
        .outerjoin(Distribution, Distribution.id == IssuedFile.distribution_id)
        .where(IssuedFile.file_sha256 == file_hash(data))
        .order_by(IssuedFile.id)
        .limit(1)
    )
    if scheme is not None:
        query = query.where(IssuedFile.scheme == scheme)
    found = session.execute(query).first()
    if found is None:
        return None
    row, meeting_id, distribution = found
    return _row(row, meeting_id, distribution)


def list_issued_files(session: Session, meeting_id: int) -> list[IssuedFileRow]:
    """Every logged file of the meeting's minutes, oldest first."""
    get_or_404(session, Meeting, meeting_id, "meeting")
    rows = session.execute(
        select(IssuedFile, Distribution)
        .join(Minutes, Minutes.id == IssuedFile.minutes_id)
        .outerjoin(Distribution, Distribution.id == IssuedFile.distribution_id)
        .where(Minutes.meeting_id == meeting_id)
        .order_by(IssuedFile.id)
    ).all()
    return [_row(row, meeting_id, distribution) for row, distribution in rows]


def minutes_signature(session: Session, meeting_id: int) -> bytes | None:
    """The signature stored at sign-off (the chair-signed PDF), or None."""
    get_or_404(session, Meeting, meeting_id, "meeting")
    return session.scalar(select(Minutes.signature).where(Minutes.meeting_id == meeting_id))


@dataclass(frozen=True, slots=True)
class CopyLog:
    """What the distribution log says of one numbered copy."""

    recipient_name: str
    issued_at: datetime
    case_id: int | None  # the offender's record; None: the meeting-wide record
    reason: str  # why it went to someone with no need to know the case ("" when none)


def find_copy(session: Session, meeting_id: int, copy_number: int) -> CopyLog | None:
    """The distribution log's entry for copy ``copy_number`` of the meeting, or None."""
    found = session.execute(
        select(
            Distribution.recipient_name,
            Distribution.issued_at,
            Distribution.case_id,
            Distribution.reason,
        )
        .join(Minutes, Minutes.id == Distribution.minutes_id)
        .where(Minutes.meeting_id == meeting_id, Distribution.copy_number == copy_number)
    ).first()
    return None if found is None else CopyLog(*found)
