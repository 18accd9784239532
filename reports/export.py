"""Writing report files safely: never a half-written PDF where the user expects a whole one.

``write_atomically`` writes to a temporary file in the target's directory, flushes it to disk
and renames it over the target in one step (``os.replace``), so at every moment ``path`` holds
either the previous file or the complete new one. ``copy_file_name`` makes a safe file name for
a recipient's personal copy.

``issue_copy`` and ``export_minutes`` are the one way the CLI and the GUI write minutes files:
log the copy, stamp it, sign it if asked, log the file's SHA-256, write it atomically.

Files of signed-off minutes are rendered deterministically (ReportLab's invariant mode, fixed
resource names, no random file id) and stamped with ``renderer_id()`` and the time printed on
them, so ``verify`` can render the same copy again from the frozen record and compare the bytes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import DistributionVariant
from mappa_desktop.domain.errors import StateError
from mappa_desktop.files import write_atomically as write_atomically  # the one atomic writer
from mappa_desktop.services import issued
from mappa_desktop.services import minutes as minutes_service
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.minutes_content import MinutesDocument
from reports import minutes_pdf
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


def for_issue(doc: MinutesDocument) -> MinutesDocument:
    """``doc`` stamped with the renderer, so the file can be rendered again to check it."""
    return replace(doc, extra={**doc.extra, "renderer": renderer_id()})


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
    session: Session, meeting_id: int, variant: DistributionVariant | str
) -> MinutesBody:
    """The laid-out body of the meeting's signed-off minutes for personal copies (slow part,
    done once; ``issue_copy`` then takes tens of milliseconds per copy)."""
    doc = minutes_service.minutes_document(session, meeting_id, variant=variant)
    if doc.sign_off is None:
        raise StateError(
            "These minutes are not signed off yet, so no copies can be issued; the chair must "
            "sign them off first."
        )
    return minutes_pdf.render_body(for_issue(doc))


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
) -> IssuedCopy:
    """Issue one numbered personal copy: log it (``record_distribution``: the next copy
    number), stamp the copy number and recipient on ``body``, sign it when ``signing`` is
    given, log the file's SHA-256, then write it atomically to ``path_for(copy_number)``.

    Runs in the caller's transaction: commit right after, and if the commit fails delete the
    file (it is then not a logged copy, and ``verify`` would refuse it)."""
    version = body.doc.extra.get("version_sha256", "")
    row = minutes_service.record_distribution(
        session,
        actor,
        meeting_id,
        recipient_name=recipient_name,
        recipient_person_id=recipient_person_id,
        recipient_agency_id=recipient_agency_id,
        variant=body.doc.variant,
        channel=channel,
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
    )


def export_minutes(
    session: Session,
    actor: Actor,
    meeting_id: int,
    path: Path,
    *,
    variant: DistributionVariant | str = DistributionVariant.FULL,
    signing: SigningKey | None = None,
) -> IssuedCopy:
    """Write the minutes without a copy number: signed-off minutes are logged by their file
    hash (so ``verify`` can check the file); a draft is written as it is, marked DRAFT, and
    cannot be signed or verified."""
    doc = minutes_service.minutes_document(session, meeting_id, variant=variant)
    draft = doc.sign_off is None
    if draft and signing is not None:
        raise StateError(
            "A draft cannot be digitally signed: only signed-off minutes are signed and issued."
        )
    if not draft:
        doc = for_issue(doc)
    pdf = _sign(minutes_pdf.render_minutes(doc), signing)
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
    )
