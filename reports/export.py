"""The renderer the operations issue minutes with (``operations.rendering.Renderer``): data in,
PDF bytes out, no session.

Files of signed-off minutes are rendered deterministically (ReportLab's invariant mode, fixed
resource names, no random file id) and stamped with their renderer (``renderer_id()`` for the
meeting-wide record, ``record_renderer_id()`` for an offender's) and the time printed on them, so
``verify`` can render the same copy again from the frozen record and compare the bytes. Logging,
numbering and writing the files are the core's (``mappa_desktop.operations.issuing`` and
``distributing``); the composition roots hand them a ``PdfRenderer``.
"""

from __future__ import annotations

from mappa_desktop.operations.rendering import SigningKey
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


class PdfRenderer:
    """``operations.rendering.Renderer`` with ReportLab, pikepdf and pyHanko."""

    def renderer_for(self, doc: MinutesDocument) -> str:
        return renderer_for(doc)

    def render_body(self, doc: MinutesDocument) -> MinutesBody:
        return render_body(doc)

    def personalise(self, body: MinutesBody, recipient: str, copy_number: int | None) -> bytes:
        return minutes_pdf.personalise(body, recipient, copy_number)

    def render_document(self, doc: MinutesDocument) -> bytes:
        return render_document(doc)

    def sign_pdf(self, pdf: bytes, key: SigningKey) -> bytes:
        return signing_mod.sign_pdf(
            pdf,
            key.pkcs12,
            key.password,
            signer_name=key.signer_name,
            reason=key.reason,
            location=key.location,
        )
