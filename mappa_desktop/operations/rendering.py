"""What the operations need from the renderer, and the certificate they sign with.

The core lays out nothing itself: ``reports.export.PdfRenderer`` implements ``Renderer`` (data
in, bytes out) and the composition roots (``mappa_desktop.cli_reports``, ``ui.operations``) hand
it to the operations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from mappa_desktop.services.minutes_content import MinutesDocument


class LaidOut(Protocol):
    """A document laid out once for any number of personal copies."""

    @property
    def doc(self) -> MinutesDocument: ...


BodyT = TypeVar("BodyT", bound=LaidOut)


@dataclass(frozen=True)
class SigningKey:
    """A certificate to sign issued files with; the password lives only as long as this object
    (it is never written anywhere and is left out of ``repr``)."""

    pkcs12: bytes = field(repr=False)
    password: str = field(repr=False)
    signer_name: str = ""
    reason: str = "Issued as a copy of the signed-off minutes"
    location: str = ""


class Renderer(Protocol[BodyT]):
    """Minutes documents to PDF bytes. A file rendered for issue names its renderer in its stamp
    (``renderer_for``), so ``verify`` can render the same copy again and compare the bytes."""

    def renderer_for(self, doc: MinutesDocument) -> str:
        """The renderer of ``doc``: an offender's record's (``doc.case_id``) or the
        meeting-wide record's."""
        ...

    def render_body(self, doc: MinutesDocument) -> BodyT:
        """``doc`` laid out once for personal copies (the slow part)."""
        ...

    def personalise(self, body: BodyT, recipient: str, copy_number: int | None) -> bytes:
        """One personal copy of ``body`` (fast)."""
        ...

    def render_document(self, doc: MinutesDocument) -> bytes:
        """``doc`` as PDF bytes; a personal copy when it names a recipient or copy number."""
        ...

    def sign_pdf(self, pdf: bytes, key: SigningKey) -> bytes:
        """``pdf`` with a PAdES signature made with ``key`` added."""
        ...
