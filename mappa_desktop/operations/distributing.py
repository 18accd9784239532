"""Distributing every offender's record of a meeting to those who need to know it (MAPPA D):
``plan_distribution`` lists the copies, ``distribute_meeting`` issues them one by one, each
numbered, logged and committed on its own. The rendering is given (``rendering.Renderer``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.domain.enums import DistributionVariant
from mappa_desktop.domain.errors import MappaError, StateError
from mappa_desktop.operations.file_names import record_file_name
from mappa_desktop.operations.issuing import (
    IssuedCopy,
    for_issue,
    issue_copy,
    record_of,
    signed_document,
)
from mappa_desktop.operations.rendering import BodyT, Renderer, SigningKey
from mappa_desktop.services import meetings, need_to_know
from mappa_desktop.services import minutes as minutes_service
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.minutes_content import MinutesDocument


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
    renderer: Renderer[BodyT],
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
    bodies: dict[int, BodyT] = {}
    written: list[IssuedCopy] = []
    for done, planned in enumerate(plan):
        if cancel is not None and cancel.is_set():
            return DistributionRun(tuple(written), cancelled=True, total=total)
        copy: IssuedCopy | None = None
        try:
            if signed is None:
                with sessions() as session:
                    doc = signed_document(session, meeting_id, variant, planned.case_id)
                    signed = for_issue(renderer, doc)
            if planned.case_id not in bodies:
                bodies[planned.case_id] = renderer.render_body(record_of(signed, planned.case_id))
            with sessions.begin() as session:
                copy = issue_copy(
                    session,
                    renderer,
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
