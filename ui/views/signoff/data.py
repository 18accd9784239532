"""What the distribution screen loads and issues, as plain functions run in tasks (no Qt
here). Signing off and issuing are the core's (``mappa_desktop.operations``, run through
``ui.operations``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mappa_desktop.operations import distributing
from mappa_desktop.operations.distributing import PlannedCopy
from mappa_desktop.services import meetings, need_to_know, people
from mappa_desktop.services import minutes as minutes_service
from mappa_desktop.services.people import PersonRow


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
) -> list[PlannedCopy]:
    """One copy per recipient per record still to issue, by case in agenda order (each record
    is laid out once), the chair's reason on the copies that need it."""
    order = {c.case_id: n for n, c in enumerate(needs.cases)}
    plan = [
        PlannedCopy(
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


DistributionResult = distributing.DistributionRun
