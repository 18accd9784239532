"""What the sign-off and distribution screens load and do, as plain functions run in tasks
(no Qt here: each opens its own session from the factory it is given)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.db.base import utcnow
from mappa_desktop.domain.enums import DistributionVariant, MeetingStatus
from mappa_desktop.domain.errors import StateError
from mappa_desktop.services import meetings, need_to_know, people, self_audit
from mappa_desktop.services import minutes as minutes_service
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.minutes_content import (
    MinutesContent,
    SignOffBlock,
    canonical_json,
    content_hash,
)
from mappa_desktop.services.people import PersonRow
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
    session: Session, actor: Actor, meeting_id: int, *, reasons: Mapping[str, str] | None = None
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
        pdf=minutes_pdf.render_minutes(doc),
        content_sha256=doc.sign_off.content_sha256,
        addenda=len(doc.addenda),
        audit=found,
        reasons=shown,
    )


def sign_off_now(
    sessions: sessionmaker[Session],
    actor: Actor,
    meeting_id: int,
    previewed: SignOffData,
    key: export.SigningKey | None,
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
    with sessions.begin() as session:
        return minutes_service.add_addendum(session, actor, meeting_id, reason=reason, text=text)


# --- distribution ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recipient:
    """A known person and the offender's records they are to receive."""

    name: str  # as printed on their copies: "Name (Agency)"
    person_id: int
    agency_id: int
    case_ids: tuple[int, ...]  # agenda order
    on_list_as: tuple[str, ...] = ()  # empty: added by hand, outside the distribution list
    issued: tuple[int, ...] = ()  # cases of which they already hold a copy of this version
    without_need: tuple[int, ...] = ()  # cases they have no need to know (sent with ``reason``)
    reason: str = ""  # the chair's permission for ``without_need`` (MAPPA D)

    @property
    def to_issue(self) -> tuple[int, ...]:
        return tuple(c for c in self.case_ids if c not in self.issued)


@dataclass(frozen=True, slots=True)
class DistributionData:
    meeting: meetings.MeetingRow
    signed: bool
    needs: need_to_know.NeedToKnow  # the cases in agenda order, who needs to know each
    recipients: tuple[Recipient, ...]  # the meeting's distribution list
    people: tuple[PersonRow, ...]  # every active person: anyone else is added from here
    issued: tuple[minutes_service.DistributionRow, ...]
    held: frozenset[tuple[int | None, int | None]] = frozenset()  # (person, case): current copy

    def case_name(self, case_id: int) -> str:
        need = self.needs.case(case_id)
        return need.case_name if need is not None else f"case {case_id}"

    def held_by(self, person_id: int, case_ids: Sequence[int]) -> tuple[int, ...]:
        """The cases of ``case_ids`` of which the person holds a copy of the current version."""
        return tuple(c for c in case_ids if (person_id, c) in self.held)


def load_distribution(session: Session, meeting_id: int) -> DistributionData:
    row = meetings.get_meeting_row(session, meeting_id)
    record = minutes_service.get_minutes(session, meeting_id)
    needs = need_to_know.need_to_know(session, meeting_id)
    issued = tuple(minutes_service.list_distributions(session, meeting_id))
    current = record.version_sha256 if record is not None else None
    held = {(d.recipient_person_id, d.case_id) for d in issued if d.version_sha256 == current}
    recipients = tuple(
        Recipient(
            name=r.label,
            person_id=r.person_id,
            agency_id=r.agency_id,
            case_ids=r.case_ids,
            on_list_as=r.on_list_as,
            issued=tuple(c for c in r.case_ids if (r.person_id, c) in held),
        )
        for r in need_to_know.distribution_list(session, meeting_id, needs)
    )
    return DistributionData(
        meeting=row,
        signed=record is not None,
        needs=needs,
        recipients=recipients,
        people=tuple(people.list_people(session)),
        issued=issued,
        held=frozenset(held),
    )


def planned_copies(
    recipients: Sequence[Recipient], needs: need_to_know.NeedToKnow
) -> list[export.PlannedCopy]:
    """One copy per recipient per record still to issue, by case in agenda order (each record
    is laid out once), the chair's reason on the copies that need it."""
    order = {c.case_id: n for n, c in enumerate(needs.cases)}
    plan = [
        export.PlannedCopy(
            case_id=case_id,
            person_id=r.person_id,
            agency_id=r.agency_id,
            recipient=r.name,
            reason=r.reason if case_id in r.without_need else "",
        )
        for r in recipients
        for case_id in r.to_issue
    ]
    plan.sort(key=lambda c: order.get(c.case_id, len(order)))
    return plan


DistributionResult = export.DistributionRun


def distribute(
    sessions: sessionmaker[Session],
    actor: Actor,
    meeting_id: int,
    copies: Sequence[export.PlannedCopy],
    variant: DistributionVariant,
    folder: Path,
    key: export.SigningKey | None,
    cancel: threading.Event,
    progress: Callable[[int, int], None],
) -> DistributionResult:
    """Issue ``copies`` in ``folder`` (``export.distribute_meeting``: each logged and committed
    on its own, so a cancel or a failure keeps every copy already written)."""
    return export.distribute_meeting(
        sessions,
        actor,
        meeting_id,
        folder,
        variant=variant,
        copies=copies,
        signing=key,
        channel="personal PDF",
        progress=progress,
        cancel=cancel,
    )
