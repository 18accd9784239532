"""Signing off a meeting's minutes: the preview the chair reads and the sign-off of exactly
that preview (the GUI's sign-off window runs these in tasks; the command line has no sign-off
command). The preview is rendered by the given ``Renderer``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.db.base import utcnow
from mappa_desktop.domain.enums import MeetingStatus
from mappa_desktop.domain.errors import StateError
from mappa_desktop.operations.rendering import BodyT, Renderer, SigningKey
from mappa_desktop.services import meetings, self_audit
from mappa_desktop.services import minutes as minutes_service
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.minutes_content import (
    MinutesContent,
    SignOffBlock,
    canonical_json,
    content_hash,
)

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
    # The self-audit: before sign-off the findings as of now, afterwards the reasons frozen.
    audit: self_audit.SelfAudit | None = None
    # The chair's reason per needs-reason finding as the preview shows them (trimmed).
    reasons: Mapping[str, str] = field(default_factory=dict)

    @property
    def signed(self) -> bool:
        return self.record is not None


def _with_reasons(
    session: Session, meeting_id: int, content: MinutesContent, reasons: Mapping[str, str]
) -> tuple[MinutesContent, self_audit.SelfAudit, dict[str, str]]:
    """``content`` with the self-audit's needs-reason findings and the chair's reasons, as
    sign-off will freeze them (``minutes.sign_off`` judges as of today, UTC, too)."""
    found = self_audit.self_audit(session, meeting_id, utcnow().date())
    shown = {f.id: reasons.get(f.id, "").strip() for f in found.needs_reason}
    return replace(content, self_audit=self_audit.reasoned(found, shown)), found, shown


def load_sign_off(
    session: Session,
    renderer: Renderer[BodyT],
    actor: Actor,
    meeting_id: int,
    *,
    reasons: Mapping[str, str] | None = None,
) -> SignOffData:
    """The meeting, its checklist, its self-audit and the PDF to preview. Before sign-off the
    preview is the minutes exactly as they will be issued if ``actor`` signs off now with
    ``reasons`` (finding id -> the chair's reason; the time is filled in at sign-off);
    afterwards it is the signed-off minutes."""
    row = meetings.get_meeting_row(session, meeting_id)
    record = minutes_service.get_minutes(session, meeting_id)
    doc = minutes_service.minutes_document(session, meeting_id)
    problems: tuple[str, ...] = ()
    shown: dict[str, str] = {}
    if record is None:
        problems = tuple(meetings.sign_off_problems(session, meeting_id))
        content, found, shown = _with_reasons(session, meeting_id, doc.content, reasons or {})
        doc = replace(doc, content=content)
        digest = content_hash(canonical_json(doc.content))
        doc = replace(
            doc,
            sign_off=SignOffBlock(
                chair=row.chair_name, signed_at=utcnow().isoformat(), content_sha256=digest
            ),
            extra={"version_sha256": digest},
        )
    else:
        found = self_audit.self_audit(session, meeting_id, utcnow().date())
    assert doc.sign_off is not None
    return SignOffData(
        meeting=row,
        problems=problems,
        record=record,
        pdf=renderer.render_document(doc),
        content_sha256=doc.sign_off.content_sha256,
        addenda=len(doc.addenda),
        audit=found,
        reasons=shown,
    )


def sign_off_now(
    sessions: sessionmaker[Session],
    renderer: Renderer[BodyT],
    actor: Actor,
    meeting_id: int,
    previewed: SignOffData,
    key: SigningKey | None,
) -> minutes_service.MinutesRecord:
    """Sign off the content the chair previewed, with the reasons it shows (refused if it
    changed since), submitting a draft for sign-off first; with ``key`` the previewed PDF is
    PAdES-signed and stored as the signature."""
    with sessions.begin() as session:
        row = meetings.get_meeting_row(session, meeting_id)
        if row.status is MeetingStatus.DRAFT:
            meetings.submit_for_sign_off(session, actor, meeting_id)
        built = minutes_service.build_content(session, meeting_id)
        content, _found, _shown = _with_reasons(session, meeting_id, built, previewed.reasons)
        if content_hash(canonical_json(content)) != previewed.content_sha256:
            raise StateError(
                "The minutes were changed after this preview was made; look at the new "
                "preview and sign off again."
            )
        signature = None if key is None else renderer.sign_pdf(previewed.pdf, key)
        record = minutes_service.sign_off(
            session, actor, meeting_id, signature=signature, reasons=dict(previewed.reasons)
        )
        if record.content_sha256 != previewed.content_sha256:  # raising here rolls it back
            raise StateError(
                "The minutes as signed would differ from this preview; look at the new preview "
                "and sign off again."
            )
        return record


def add_addendum(
    sessions: sessionmaker[Session], actor: Actor, meeting_id: int, reason: str, text: str
) -> minutes_service.AddendumRow:
    """Add an addendum to signed-off minutes, in its own transaction."""
    with sessions.begin() as session:
        return minutes_service.add_addendum(session, actor, meeting_id, reason=reason, text=text)
