"""Writing report files safely: never a half-written PDF where the user expects a whole one.

``write_atomically`` writes to a temporary file in the target's directory, flushes it to disk
and renames it over the target in one step (``os.replace``), so at every moment ``path`` holds
either the previous file or the complete new one. ``copy_file_name`` makes a safe file name for
a recipient's personal copy.

``issue_copy`` and ``export_minutes`` are the one way the CLI and the GUI write minutes files:
log the copy, stamp it, sign it if asked, log the file's SHA-256, write it atomically. Each
writes either the meeting-wide record (the co-ordinator's and chair's) or, with a ``case_id``,
one offender's record of the meeting; ``distribute_meeting`` issues every offender's record to
everyone on the meeting's need-to-know distribution list.

Files of signed-off minutes are rendered deterministically (ReportLab's invariant mode, fixed
resource names, no random file id) and stamped with their renderer (``renderer_id()`` for the
meeting-wide record, ``record_renderer_id()`` for an offender's) and the time printed on them, so
``verify`` can render the same copy again from the frozen record and compare the bytes.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.domain.enums import DistributionVariant
from mappa_desktop.domain.errors import MappaError, StateError, ValidationError
from mappa_desktop.files import write_atomically as write_atomically  # the one atomic writer
from mappa_desktop.services import issued, meetings, need_to_know
from mappa_desktop.services import minutes as minutes_service
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.minutes_content import MinutesDocument
from reports import minutes_pdf, offender_record_pdf
from reports import signing as signing_mod
from reports.minutes_pdf import MinutesBody

LAYOUT_VERSION = 2  # bump with any change to how minutes_pdf lays out a page


def renderer_id() -> str:
    """What renders a minutes file: the layout version and the libraries whose output it is.
    ``verify`` re-renders a copy only with the same renderer."""
    import pikepdf
    import reportlab

    return (
        f"mappa-minutes/{LAYOUT_VERSION} reportlab/{reportlab.Version} "
        f"pikepdf/{pikepdf.__version__}"
    )


def record_renderer_id() -> str:
    """What renders an offender's record: its layout version and the same libraries."""
    import pikepdf
    import reportlab

    return (
        f"mappa-record/{offender_record_pdf.RECORD_LAYOUT_VERSION} "
        f"reportlab/{reportlab.Version} pikepdf/{pikepdf.__version__}"
    )


def renderer_for(doc: MinutesDocument) -> str:
    """The renderer of ``doc``: an offender's record's (``doc.case_id``) or the meeting-wide."""
    return record_renderer_id() if doc.case_id is not None else renderer_id()


def for_issue(doc: MinutesDocument) -> MinutesDocument:
    """``doc`` stamped with its renderer, so the file can be rendered again to check it."""
    return replace(doc, extra={**doc.extra, "renderer": renderer_for(doc)})


def render_body(doc: MinutesDocument) -> MinutesBody:
    """The laid-out body of ``doc`` for personal copies (``minutes_pdf.personalise``)."""
    if doc.case_id is not None:
        return offender_record_pdf.render_record_body(doc)
    return minutes_pdf.render_body(doc)


def render_document(doc: MinutesDocument) -> bytes:
    """``doc`` as PDF bytes, by its renderer; a personal copy when it names a recipient or a
    copy number (laid out as a body, then personalised: the bytes ``issue_copy`` writes)."""
    if doc.recipient or doc.copy_number is not None:
        return minutes_pdf.personalise(render_body(doc), doc.recipient, doc.copy_number)
    if doc.case_id is not None:
        return offender_record_pdf.render_record(doc)
    return minutes_pdf.render_minutes(doc)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_SPACES = re.compile(r"\s+")
MAX_NAME = 80


def safe_file_part(text: str, fallback: str = "recipient") -> str:
    """``text`` made usable in a file name on every platform (letters of any script kept)."""
    cleaned = _UNSAFE.sub(" ", unicodedata.normalize("NFC", text))
    cleaned = _SPACES.sub(" ", cleaned).strip(" .")
    return cleaned[:MAX_NAME].rstrip(" .") or fallback


def copy_file_name(meeting_date: str, meeting_id: int, copy_number: int, recipient: str) -> str:
    """E.g. ``MAPPA minutes 2025-03-04 meeting 12 - copy 03 - Zoë Ångström.pdf``."""
    who = safe_file_part(recipient)
    return f"MAPPA minutes {meeting_date} meeting {meeting_id} - copy {copy_number:02d} - {who}.pdf"


def record_file_name(
    meeting_date: str, meeting_id: int, case_id: int, copy_number: int, recipient: str
) -> str:
    """E.g. ``MAPPA record 2025-03-04 meeting 12 case 7 - copy 03 - Zoë Ångström.pdf``. The
    offender is named by case number only: file names travel further than the files."""
    who = safe_file_part(recipient)
    return (
        f"MAPPA record {meeting_date} meeting {meeting_id} case {case_id} - "
        f"copy {copy_number:02d} - {who}.pdf"
    )


# --- issuing files of the minutes -----------------------------------------------------------------


@dataclass(frozen=True)
class SigningKey:
    """A certificate to sign issued files with; the password lives only as long as this object
    (it is never written anywhere and is left out of ``repr``)."""

    pkcs12: bytes = field(repr=False)
    password: str = field(repr=False)
    signer_name: str = ""
    reason: str = "Issued as a copy of the signed-off minutes"
    location: str = ""


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


def _sign(pdf: bytes, signing: SigningKey | None) -> bytes:
    if signing is None:
        return pdf
    return signing_mod.sign_pdf(
        pdf,
        signing.pkcs12,
        signing.password,
        signer_name=signing.signer_name,
        reason=signing.reason,
        location=signing.location,
    )


def prepare_copies(
    session: Session,
    meeting_id: int,
    variant: DistributionVariant | str,
    *,
    case_id: int | None = None,
) -> MinutesBody:
    """The laid-out body of the meeting's signed-off minutes (with ``case_id``, of that
    offender's record) for personal copies (slow part, done once; ``issue_copy`` then takes
    tens of milliseconds per copy)."""
    return render_body(for_issue(_signed_document(session, meeting_id, variant, case_id)))


def _signed_document(
    session: Session, meeting_id: int, variant: DistributionVariant | str, case_id: int | None
) -> MinutesDocument:
    doc = minutes_service.minutes_document(session, meeting_id, variant=variant, case_id=case_id)
    if doc.sign_off is None:
        raise StateError(
            "These minutes are not signed off yet, so no copies can be issued; the chair must "
            "sign them off first."
        )
    return doc


def _record_of(doc: MinutesDocument, case_id: int) -> MinutesDocument:
    """``doc`` (signed minutes read once) as the record of ``case_id``: reading the frozen
    content again for each case would cost more than laying the record out."""
    if not any(c.case_id == case_id for c in doc.content.cases):
        raise ValidationError.single(
            "case", f"Case {case_id} was not on the agenda, so the minutes hold no record of it."
        )
    return replace(doc, case_id=case_id)


def issue_copy(
    session: Session,
    actor: Actor,
    meeting_id: int,
    body: MinutesBody,
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
    record every case, unless ``reason`` is given), stamp
    the copy number and recipient on ``body``, sign it when ``signing`` is given, log the file's
    SHA-256, then write it atomically to ``path_for(copy_number)``.

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
    pdf = _sign(minutes_pdf.personalise(body, row.recipient_name, row.copy_number), signing)
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
        doc = for_issue(doc)
    pdf = _sign(render_document(doc), signing)
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
    body = prepare_copies(session, meeting_id, variant, case_id=case_id)
    return issue_copy(
        session,
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


# --- distributing every offender's record ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedCopy:
    """One copy to issue: an offender's record for a known person."""

    case_id: int
    person_id: int
    agency_id: int
    recipient: str  # as printed on the copy: "Name (Agency)"
    reason: str = ""  # the chair's permission, when the person has no need to know the case


@dataclass(frozen=True, slots=True)
class DistributionRun:
    written: tuple[IssuedCopy, ...]
    cancelled: bool
    total: int
    error: str = ""  # why it stopped early ("" when it did not fail)


def plan_distribution(
    session: Session,
    meeting_id: int,
    variant: DistributionVariant | str = DistributionVariant.FULL,
    recipients: Sequence[need_to_know.Recipient] | None = None,
) -> list[PlannedCopy]:
    """One copy per recipient per record on their list (``recipients``, by default the
    meeting's whole distribution list), ordered by case in agenda order, then recipient. A
    copy of the current version in this variant already issued to the same person is left
    out, so a distribution that was cancelled or stopped can simply be run again."""
    needs = need_to_know.need_to_know(session, meeting_id)
    chosen = (
        recipients
        if recipients is not None
        else need_to_know.distribution_list(session, meeting_id, needs)
    )
    record = minutes_service.get_minutes(session, meeting_id)
    done: set[tuple[int | None, int | None]] = set()
    if record is not None:
        done = {
            (d.recipient_person_id, d.case_id)
            for d in minutes_service.list_distributions(session, meeting_id)
            if d.version_sha256 == record.version_sha256 and d.variant == variant
        }
    order = {c.case_id: n for n, c in enumerate(needs.cases)}
    plan = [
        PlannedCopy(
            case_id=case_id, person_id=r.person_id, agency_id=r.agency_id, recipient=r.label
        )
        for r in chosen
        for case_id in r.case_ids
        if (r.person_id, case_id) not in done
    ]
    plan.sort(key=lambda c: order.get(c.case_id, len(order)))  # stable: recipients keep order
    return plan


def distribute_meeting(
    sessions: sessionmaker[Session],
    actor: Actor,
    meeting_id: int,
    folder: Path,
    *,
    variant: DistributionVariant | str = DistributionVariant.FULL,
    copies: Sequence[PlannedCopy] | None = None,
    signing: SigningKey | None = None,
    channel: str = "personal PDF",
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> DistributionRun:
    """Issue ``copies`` (by default ``plan_distribution``: every record to everyone on the
    meeting's distribution list) into ``folder``, each numbered, logged and committed on its
    own, so a cancel or a failure keeps every copy already written, each with its log entry.

    Each case's record is laid out once and personalised per copy (that is what keeps a
    25-case meeting with 8 recipients a case to seconds). ``cancel`` is checked between
    copies; ``progress(done, total)`` is called before the first and after each copy."""
    if not folder.is_dir():
        raise StateError(f"The folder {folder} does not exist; choose another.")
    with sessions() as session:
        meeting_date = meetings.get_meeting_row(session, meeting_id).meeting_date.isoformat()
        if minutes_service.get_minutes(session, meeting_id) is None:
            raise StateError(
                f"The minutes of the meeting of {meeting_date} are not signed off yet, so no "
                "copies can be issued; the chair must sign them off first."
            )
        plan = (
            list(copies) if copies is not None else plan_distribution(session, meeting_id, variant)
        )
    total = len(plan)
    report = progress if progress is not None else (lambda _done, _total: None)
    report(0, total)
    signed: MinutesDocument | None = None
    bodies: dict[int, MinutesBody] = {}
    written: list[IssuedCopy] = []
    for done, planned in enumerate(plan):
        if cancel is not None and cancel.is_set():
            return DistributionRun(tuple(written), cancelled=True, total=total)
        copy: IssuedCopy | None = None
        try:
            if signed is None:
                with sessions() as session:
                    signed = for_issue(
                        _signed_document(session, meeting_id, variant, planned.case_id)
                    )
            if planned.case_id not in bodies:
                bodies[planned.case_id] = render_body(_record_of(signed, planned.case_id))
            with sessions.begin() as session:
                copy = issue_copy(
                    session,
                    actor,
                    meeting_id,
                    bodies[planned.case_id],
                    _record_namer(folder, meeting_date, meeting_id, planned),
                    recipient_name=planned.recipient,
                    recipient_person_id=planned.person_id,
                    recipient_agency_id=planned.agency_id,
                    channel=channel,
                    signing=signing,
                    reason=planned.reason,
                )
        except BaseException as exc:
            if copy is not None:  # written, but its log entry was not committed
                copy.path.unlink(missing_ok=True)
            if isinstance(exc, MappaError | OSError):
                why = str(exc) if isinstance(exc, MappaError) else f"{exc.strerror or exc}"
                return DistributionRun(
                    tuple(written),
                    cancelled=False,
                    total=total,
                    error=f"Copy of case {planned.case_id} for {planned.recipient} not made: {why}",
                )
            raise
        written.append(copy)
        report(done + 1, total)
    return DistributionRun(tuple(written), cancelled=False, total=total)


def _record_namer(
    folder: Path, meeting_date: str, meeting_id: int, planned: PlannedCopy
) -> Callable[[int], Path]:
    def path_for(copy_number: int) -> Path:
        return folder / record_file_name(
            meeting_date, meeting_id, planned.case_id, copy_number, planned.recipient
        )

    return path_for
