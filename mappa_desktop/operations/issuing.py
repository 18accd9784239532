"""Issuing files of signed-off minutes: the one way the CLI and the GUI write them.

``issue_copy`` and ``export_minutes`` log the copy, stamp it, sign it if asked, log the file's
SHA-256 and write it atomically. Each writes either the meeting-wide record (the co-ordinator's
and chair's) or, with a ``case_id``, one offender's record of the meeting.

Files of signed-off minutes are stamped with their renderer (``Renderer.renderer_for``) and the
time printed on them, so ``verify`` can render the same copy again from the frozen record and
compare the bytes. The rendering is given (``rendering.Renderer``); these functions only read
and log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import DistributionVariant
from mappa_desktop.domain.errors import StateError, ValidationError
from mappa_desktop.files import write_atomically
from mappa_desktop.operations.rendering import BodyT, Renderer, SigningKey
from mappa_desktop.services import issued, need_to_know
from mappa_desktop.services import minutes as minutes_service
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.minutes_content import MinutesDocument


@dataclass(frozen=True, slots=True)
class IssuedCopy:
    path: Path
    meeting_id: int
    copy_number: int | None
    recipient: str
    variant: str
    draft: bool  # a draft is written but never logged as issued
    digitally_signed: bool
    file_sha256: str
    distribution_id: int | None
    case_id: int | None = None  # the offender's record; None: the meeting-wide record


def for_issue(renderer: Renderer[BodyT], doc: MinutesDocument) -> MinutesDocument:
    """``doc`` stamped with its renderer, so the file can be rendered again to check it."""
    return replace(doc, extra={**doc.extra, "renderer": renderer.renderer_for(doc)})


def _sign(renderer: Renderer[BodyT], pdf: bytes, signing: SigningKey | None) -> bytes:
    return pdf if signing is None else renderer.sign_pdf(pdf, signing)


def signed_document(
    session: Session, meeting_id: int, variant: DistributionVariant | str, case_id: int | None
) -> MinutesDocument:
    """The meeting's signed-off minutes (with ``case_id``, that offender's record); refused
    while they are not signed off."""
    doc = minutes_service.minutes_document(session, meeting_id, variant=variant, case_id=case_id)
    if doc.sign_off is None:
        raise StateError(
            "These minutes are not signed off yet, so no copies can be issued; the chair must "
            "sign them off first."
        )
    return doc


def record_of(doc: MinutesDocument, case_id: int) -> MinutesDocument:
    """``doc`` (signed minutes read once) as the record of ``case_id``: reading the frozen
    content again for each case would cost more than laying the record out."""
    if not any(c.case_id == case_id for c in doc.content.cases):
        raise ValidationError.single(
            "case", f"Case {case_id} was not on the agenda, so the minutes hold no record of it."
        )
    return replace(doc, case_id=case_id)


def prepare_copies(
    session: Session,
    renderer: Renderer[BodyT],
    meeting_id: int,
    variant: DistributionVariant | str,
    *,
    case_id: int | None = None,
) -> BodyT:
    """The laid-out body of the meeting's signed-off minutes (with ``case_id``, of that
    offender's record) for personal copies (slow part, done once; ``issue_copy`` then takes
    tens of milliseconds per copy)."""
    doc = signed_document(session, meeting_id, variant, case_id)
    return renderer.render_body(for_issue(renderer, doc))


def issue_copy(
    session: Session,
    renderer: Renderer[BodyT],
    actor: Actor,
    meeting_id: int,
    body: BodyT,
    path_for: Callable[[int], Path],
    *,
    recipient_name: str,
    recipient_person_id: int | None = None,
    recipient_agency_id: int | None = None,
    channel: str = "",
    signing: SigningKey | None = None,
    reason: str = "",
) -> IssuedCopy:
    """Issue one numbered personal copy of ``body`` (the meeting-wide record, or the offender's
    record ``body.doc.case_id``): log it (``record_distribution``: the next copy number, for a
    known person; refused to someone with no need to know the case, or for the meeting-wide
    record every case, unless ``reason`` is given), stamp the copy number and recipient on
    ``body``, sign it when ``signing`` is given, log the file's SHA-256, then write it
    atomically to ``path_for(copy_number)``.

    Runs in the caller's transaction: commit right after, and if the commit fails delete the
    file (it is then not a logged copy, and ``verify`` would refuse it)."""
    version = body.doc.extra.get("version_sha256", "")
    case_id = body.doc.case_id
    row = minutes_service.record_distribution(
        session,
        actor,
        meeting_id,
        recipient_name=recipient_name,
        recipient_person_id=recipient_person_id,
        recipient_agency_id=recipient_agency_id,
        variant=body.doc.variant,
        channel=channel,
        case_id=case_id,
        reason=reason,
    )
    if row.version_sha256 != version:
        raise StateError(
            "An addendum was added to these minutes while the copies were being made; start "
            "again so every copy carries the current version."
        )
    pdf = renderer.personalise(body, row.recipient_name, row.copy_number)
    pdf = _sign(renderer, pdf, signing)
    logged = issued.record_issued_file(
        session,
        actor,
        meeting_id,
        pdf,
        version_sha256=version,
        variant=body.doc.variant,
        distribution_id=row.id,
        digitally_signed=signing is not None,
        renderer=body.doc.extra.get("renderer", ""),
        case_id=case_id,
    )
    path = Path(path_for(row.copy_number))
    write_atomically(path, pdf)
    return IssuedCopy(
        path=path,
        meeting_id=meeting_id,
        copy_number=row.copy_number,
        recipient=row.recipient_name,
        variant=body.doc.variant,
        draft=False,
        digitally_signed=signing is not None,
        file_sha256=logged.file_sha256,
        distribution_id=row.id,
        case_id=case_id,
    )


def export_minutes(
    session: Session,
    renderer: Renderer[BodyT],
    actor: Actor,
    meeting_id: int,
    path: Path,
    *,
    variant: DistributionVariant | str = DistributionVariant.FULL,
    signing: SigningKey | None = None,
    case_id: int | None = None,
) -> IssuedCopy:
    """Write the minutes (with ``case_id``, that offender's record of the meeting) without a
    copy number: signed-off minutes are logged by their file hash (so ``verify`` can check the
    file); a draft is written as it is, marked DRAFT, and cannot be signed or verified."""
    doc = minutes_service.minutes_document(session, meeting_id, variant=variant, case_id=case_id)
    draft = doc.sign_off is None
    if draft and signing is not None:
        raise StateError(
            "A draft cannot be digitally signed: only signed-off minutes are signed and issued."
        )
    if not draft:
        doc = for_issue(renderer, doc)
    pdf = _sign(renderer, renderer.render_document(doc), signing)
    sha = issued.file_hash(pdf)
    if not draft:
        issued.record_issued_file(
            session,
            actor,
            meeting_id,
            pdf,
            version_sha256=doc.extra.get("version_sha256", ""),
            variant=doc.variant,
            digitally_signed=signing is not None,
            renderer=doc.extra["renderer"],
            case_id=case_id,
        )
    write_atomically(path, pdf)
    return IssuedCopy(
        path=Path(path),
        meeting_id=meeting_id,
        copy_number=None,
        recipient="",
        variant=doc.variant,
        draft=draft,
        digitally_signed=signing is not None,
        file_sha256=sha,
        distribution_id=None,
        case_id=case_id,
    )


def issue_record_copy(
    session: Session,
    renderer: Renderer[BodyT],
    actor: Actor,
    meeting_id: int,
    case_id: int,
    recipient: need_to_know.KnownPerson,
    path: Path,
    *,
    variant: DistributionVariant | str = DistributionVariant.FULL,
    reason: str = "",
    channel: str = "",
    signing: SigningKey | None = None,
) -> IssuedCopy:
    """Issue one numbered personal copy of one offender's record to a known person, written to
    ``path`` (refused to someone with no need to know the case unless ``reason`` is given). In
    the caller's transaction, like ``issue_copy``."""
    body = prepare_copies(session, renderer, meeting_id, variant, case_id=case_id)
    return issue_copy(
        session,
        renderer,
        actor,
        meeting_id,
        body,
        lambda _copy: path,
        recipient_name=recipient.label,
        recipient_person_id=recipient.person_id,
        recipient_agency_id=recipient.agency_id,
        channel=channel,
        signing=signing,
        reason=reason,
    )
