"""What ``verify`` reads from the area's database, behind one small interface.

``reports.verify.check_file`` judges a PDF's bytes (its stamp, its signature, the copy rendered
again) and asks ``Records`` only for the facts the stamp points at: the stored record's check,
the frozen document to render again, the chair's signature, the distribution log. Which facts
it needs depends on what the file says, so it asks as it goes; ``SessionRecords`` answers from a
session, so ``reports`` never holds one.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from mappa_desktop.services import issued
from mappa_desktop.services import minutes as minutes_service
from mappa_desktop.services.minutes_content import MinutesDocument


class Records(Protocol):
    """The stored facts a file is checked against."""

    def verify(
        self, content_sha256: str, version_sha256: str | None
    ) -> minutes_service.Verification:
        """The stored minutes with this content hash, every hash recomputed."""
        ...

    def legacy_meeting(self, pdf: bytes) -> int | None:
        """The meeting of a file with exactly these bytes logged before hash scheme 2."""
        ...

    def frozen_document(
        self,
        meeting_id: int,
        *,
        recipient: str,
        copy_number: int | None,
        variant: str,
        version_sha256: str | None,
        generated_at: str,
        case_id: int | None,
    ) -> MinutesDocument:
        """The document a copy was rendered from (``minutes.minutes_document``)."""
        ...

    def chair_signature(self, meeting_id: int) -> bytes | None:
        """The chair-signed PDF stored at sign-off, or None."""
        ...

    def latest_addendum(self, meeting_id: int) -> int:
        """How many addenda the meeting's minutes have now."""
        ...

    def issued_copy(self, meeting_id: int, copy_number: int) -> issued.CopyLog | None:
        """The distribution log's entry for a numbered copy, or None."""
        ...


class SessionRecords:
    """``Records`` read in ``session`` (the caller's, read-only is enough)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def verify(
        self, content_sha256: str, version_sha256: str | None
    ) -> minutes_service.Verification:
        return minutes_service.verify(self._session, content_sha256, version_sha256)

    def legacy_meeting(self, pdf: bytes) -> int | None:
        logged = issued.find_issued_file(self._session, pdf, scheme=1)
        return None if logged is None else logged.meeting_id

    def frozen_document(
        self,
        meeting_id: int,
        *,
        recipient: str,
        copy_number: int | None,
        variant: str,
        version_sha256: str | None,
        generated_at: str,
        case_id: int | None,
    ) -> MinutesDocument:
        return minutes_service.minutes_document(
            self._session,
            meeting_id,
            recipient=recipient,
            copy_number=copy_number,
            variant=variant,
            version_sha256=version_sha256,
            generated_at=generated_at,
            case_id=case_id,
        )

    def chair_signature(self, meeting_id: int) -> bytes | None:
        return issued.minutes_signature(self._session, meeting_id)

    def latest_addendum(self, meeting_id: int) -> int:
        minutes = minutes_service.get_minutes(self._session, meeting_id)
        return minutes.addenda if minutes is not None else 0

    def issued_copy(self, meeting_id: int, copy_number: int) -> issued.CopyLog | None:
        return issued.find_copy(self._session, meeting_id, copy_number)
