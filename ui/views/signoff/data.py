"""What the sign-off and distribution screens load and do, as plain functions run in tasks
(no Qt here: each opens its own session from the factory it is given)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.db.base import utcnow
from mappa_desktop.domain.enums import AttendanceStatus, DistributionVariant, MeetingStatus
from mappa_desktop.domain.errors import MappaError, StateError
from mappa_desktop.services import attendance, meetings
from mappa_desktop.services import minutes as minutes_service
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.minutes_content import SignOffBlock, canonical_json, content_hash
from reports import export, minutes_pdf, signing

SIGN_OFF_REASON = "Signed off by the Chair as the approved minutes"
SIGNABLE = (MeetingStatus.DRAFT, MeetingStatus.AWAITING_SIGN_OFF)


@dataclass(frozen=True, slots=True)
class SignOffData:
    meeting: meetings.MeetingRow
    problems: tuple[str, ...]
    record: minutes_service.MinutesRecord | None
    pdf: bytes  # the preview: what will be issued (pending sign-off) or what was signed off
    content_sha256: str  # the content hash the preview shows
    addenda: int

    @property
    def signed(self) -> bool:
        return self.record is not None


def load_sign_off(session: Session, actor: Actor, meeting_id: int) -> SignOffData:
    """The meeting, its checklist and the PDF to preview. Before sign-off the preview is the
    minutes exactly as they will be issued if ``actor`` signs off now (the time is filled in at
    sign-off); afterwards it is the signed-off minutes."""
    row = meetings.get_meeting_row(session, meeting_id)
    record = minutes_service.get_minutes(session, meeting_id)
    doc = minutes_service.minutes_document(session, meeting_id)
    problems: tuple[str, ...] = ()
    if record is None:
        problems = tuple(meetings.sign_off_problems(session, meeting_id))
        digest = content_hash(canonical_json(doc.content))
        doc = replace(
            doc,
            sign_off=SignOffBlock(
                chair=row.chair_name, signed_at=utcnow().isoformat(), content_sha256=digest
            ),
            extra={"version_sha256": digest},
        )
    assert doc.sign_off is not None
    return SignOffData(
        meeting=row,
        problems=problems,
        record=record,
        pdf=minutes_pdf.render_minutes(doc),
        content_sha256=doc.sign_off.content_sha256,
        addenda=len(doc.addenda),
    )


def sign_off_now(
    sessions: sessionmaker[Session],
    actor: Actor,
    meeting_id: int,
    previewed: SignOffData,
    key: export.SigningKey | None,
) -> minutes_service.MinutesRecord:
    """Sign off the content the chair previewed (refused if it changed since), submitting a
    draft for sign-off first; with ``key`` the previewed PDF is PAdES-signed and stored as the
    signature."""
    with sessions.begin() as session:
        row = meetings.get_meeting_row(session, meeting_id)
        if row.status is MeetingStatus.DRAFT:
            meetings.submit_for_sign_off(session, actor, meeting_id)
        content = minutes_service.build_content(session, meeting_id)
        if content_hash(canonical_json(content)) != previewed.content_sha256:
            raise StateError(
                "The minutes were changed after this preview was made; look at the new "
                "preview and sign off again."
            )
        signature = None
        if key is not None:
            signature = signing.sign_pdf(
                previewed.pdf,
                key.pkcs12,
                key.password,
                signer_name=key.signer_name,
                reason=key.reason,
                location=key.location,
            )
        return minutes_service.sign_off(session, actor, meeting_id, signature=signature)


def add_addendum(
    sessions: sessionmaker[Session], actor: Actor, meeting_id: int, reason: str, text: str
) -> minutes_service.AddendumRow:
    with sessions.begin() as session:
        return minutes_service.add_addendum(session, actor, meeting_id, reason=reason, text=text)


# --- distribution ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str  # as printed on the copy
    person_id: int | None = None
    agency_id: int | None = None
    from_attendance: bool = False
    attended: bool = False  # present, a deputy, or sent a written report


@dataclass(frozen=True, slots=True)
class DistributionData:
    meeting: meetings.MeetingRow
    signed: bool
    recipients: tuple[Recipient, ...]
    issued: tuple[minutes_service.DistributionRow, ...]


ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY, AttendanceStatus.REPORT_SUBMITTED)


def load_distribution(session: Session, meeting_id: int) -> DistributionData:
    row = meetings.get_meeting_row(session, meeting_id)
    recipients = []
    for a in attendance.list_attendance(session, meeting_id):
        agency = a.agency_short_name or a.agency_name
        name = f"{a.person_name} ({agency})" if a.person_name else a.agency_name
        recipients.append(
            Recipient(
                name=name,
                person_id=a.person_id,
                agency_id=a.agency_id,
                from_attendance=True,
                attended=a.status in ATTENDED,
            )
        )
    return DistributionData(
        meeting=row,
        signed=minutes_service.get_minutes(session, meeting_id) is not None,
        recipients=tuple(recipients),
        issued=tuple(minutes_service.list_distributions(session, meeting_id)),
    )


def _namer(folder: Path, meeting_date: str, meeting_id: int, name: str) -> Callable[[int], Path]:
    def path_for(copy_number: int) -> Path:
        return folder / export.copy_file_name(meeting_date, meeting_id, copy_number, name)

    return path_for


@dataclass(frozen=True, slots=True)
class DistributionResult:
    written: tuple[export.IssuedCopy, ...]
    cancelled: bool
    total: int
    error: str = ""  # why it stopped early ("" when it did not fail)


def distribute(
    sessions: sessionmaker[Session],
    actor: Actor,
    meeting_id: int,
    recipients: Sequence[Recipient],
    variant: DistributionVariant,
    folder: Path,
    key: export.SigningKey | None,
    cancel: threading.Event,
    progress: Callable[[int, int], None],
) -> DistributionResult:
    """One personal copy per recipient in ``folder``, each logged and committed on its own
    (so a cancel or a failure keeps every copy already written, each with its log entry).
    ``cancel`` is checked between copies."""
    if not folder.is_dir():
        raise StateError(f"The folder {folder} does not exist; choose another.")
    total = len(recipients)
    progress(0, total)
    with sessions() as session:
        body = export.prepare_copies(session, meeting_id, variant)
        meeting_date = meetings.get_meeting_row(session, meeting_id).meeting_date.isoformat()
    written: list[export.IssuedCopy] = []
    for done, recipient in enumerate(recipients):
        if cancel.is_set():
            return DistributionResult(tuple(written), cancelled=True, total=total)
        copy: export.IssuedCopy | None = None
        try:
            with sessions.begin() as session:
                copy = export.issue_copy(
                    session,
                    actor,
                    meeting_id,
                    body,
                    _namer(folder, meeting_date, meeting_id, recipient.name),
                    recipient_name=recipient.name,
                    recipient_person_id=recipient.person_id,
                    recipient_agency_id=recipient.agency_id,
                    channel="personal PDF",
                    signing=key,
                )
        except BaseException as exc:
            if copy is not None:  # written, but its log entry was not committed
                copy.path.unlink(missing_ok=True)
            if isinstance(exc, MappaError | OSError):
                reason = str(exc) if isinstance(exc, MappaError) else f"{exc.strerror or exc}"
                return DistributionResult(
                    tuple(written),
                    cancelled=False,
                    total=total,
                    error=f"Copy for {recipient.name} not made: {reason}",
                )
            raise
        written.append(copy)
        progress(done + 1, total)
    return DistributionResult(tuple(written), cancelled=False, total=total)
