"""The data of an agenda pack for a planned meeting (what the co-ordinator sends beforehand):
the cases in agenda order with time slots, the agencies invited to each, events since each
case was last discussed, and the joining instructions (DOMAIN.md §3.2: "joining instructions
and paperwork sent beforehand").

The slot length and the joining instructions are team settings (``settings.agenda_settings``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from mappa_desktop.db.models import (
    Agency,
    Case,
    CaseDiscussion,
    InvitedAgency,
    Meeting,
    Person,
    Registration,
)
from mappa_desktop.domain.enums import AgencyKind, AgendaReason, MeetingStatus, MeetingType
from mappa_desktop.services import settings
from mappa_desktop.services.case_events import events_since_last_meeting
from mappa_desktop.services.common import get_or_404

REASON_LABELS: dict[AgendaReason, str] = {
    AgendaReason.NEW_REFERRAL: "new referral (initial meeting)",
    AgendaReason.REVIEW_DUE: "review due",
    AgendaReason.OVERDUE_ACTIONS: "overdue actions",
    AgendaReason.ADDED: "added by the co-ordinator",
}


@dataclass(frozen=True, slots=True)
class AgendaPackItem:
    order: int
    discussion_id: int
    case_id: int
    case_name: str
    category: int | None
    level: int | None
    reason: AgendaReason
    reason_label: str  # "new referral", "review due", ...
    lead_agency: str
    slot_start: time | None  # None when the meeting has no start time
    slot_end: time | None
    invited_agencies: tuple[str, ...]  # Duty-to-Co-operate agencies invited for this case
    last_discussed: date | None  # the last earlier meeting that discussed the case
    events_since: tuple[str, ...]  # case events since then, one line each ("2026-05-02: ...")


@dataclass(frozen=True, slots=True)
class AgendaPack:
    meeting_id: int
    area_name: str
    level: int
    meeting_type: MeetingType
    status: MeetingStatus
    meeting_date: date
    start_time: time | None
    end_time: time | None  # start + slots, when there is a start time
    venue: str
    chair: str
    coordinator: str
    minute_taker: str
    slot_minutes: int
    joining_instructions: str
    core_agencies: tuple[str, ...]  # the Responsible Authority agencies (always invited)
    items: tuple[AgendaPackItem, ...]


def _slot(start: time | None, minutes: int, n: int) -> time | None:
    if start is None:
        return None
    return (datetime.combine(date.min, start) + timedelta(minutes=minutes * n)).time()


def agenda_pack(session: Session, meeting_id: int) -> AgendaPack:
    """Everything the agenda PDF prints, read in one transaction (``NotFound`` if no meeting)."""
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    config = settings.coordination_settings(session)
    people = {
        p.id: p.display_name
        for p in session.scalars(
            select(Person).where(
                Person.id.in_(
                    [
                        i
                        for i in (meeting.chair_id, meeting.coordinator_id, meeting.minute_taker_id)
                        if i is not None
                    ]
                )
            )
        )
    }
    lead = aliased(Agency)
    rows = session.execute(
        select(CaseDiscussion, Case, Registration, lead.name)
        .join(Case, Case.id == CaseDiscussion.case_id)
        .join(lead, lead.id == Case.lead_agency_id)
        .outerjoin(Registration, (Registration.case_id == Case.id) & Registration.is_current)
        .where(CaseDiscussion.meeting_id == meeting.id)
        .order_by(CaseDiscussion.agenda_order, CaseDiscussion.id)
    ).all()
    invited: dict[int, list[str]] = {}
    for discussion_id, name in session.execute(
        select(InvitedAgency.discussion_id, Agency.name)
        .join(Agency, Agency.id == InvitedAgency.agency_id)
        .join(CaseDiscussion, CaseDiscussion.id == InvitedAgency.discussion_id)
        .where(CaseDiscussion.meeting_id == meeting.id)
        .order_by(Agency.name)
    ):
        invited.setdefault(discussion_id, []).append(name)
    earlier = aliased(Meeting)
    last_discussed = dict(
        session.execute(
            select(CaseDiscussion.case_id, func.max(earlier.meeting_date))
            .join(earlier, earlier.id == CaseDiscussion.meeting_id)
            .where(
                CaseDiscussion.case_id.in_([c.id for _, c, _, _ in rows]),
                earlier.meeting_date < meeting.meeting_date,
            )
            .group_by(CaseDiscussion.case_id)
        ).all()
    )
    events = events_since_last_meeting(session, meeting.id)
    core = session.scalars(
        select(Agency.name)
        .where(Agency.kind == AgencyKind.RESPONSIBLE_AUTHORITY, Agency.active.is_(True))
        .order_by(Agency.name)
    ).all()
    slot = config.slot_minutes
    items = tuple(
        AgendaPackItem(
            order=n,
            discussion_id=d.id,
            case_id=c.id,
            case_name=f"{c.given_names} {c.family_name}".strip(),
            category=reg.category if reg else None,
            level=reg.level if reg else None,
            reason=d.agenda_reason,
            reason_label=REASON_LABELS[d.agenda_reason],
            lead_agency=lead_name,
            slot_start=_slot(meeting.start_time, slot, n - 1),
            slot_end=_slot(meeting.start_time, slot, n),
            invited_agencies=tuple(invited.get(d.id, ())),
            last_discussed=last_discussed.get(c.id),
            events_since=tuple(
                f"{e.event_date.isoformat()}: {e.label}" for e in events.get(c.id, ())
            ),
        )
        for n, (d, c, reg, lead_name) in enumerate(rows, start=1)
    )
    return AgendaPack(
        meeting_id=meeting.id,
        area_name=settings.policy(session).area_name,
        level=meeting.level,
        meeting_type=meeting.meeting_type,
        status=meeting.status,
        meeting_date=meeting.meeting_date,
        start_time=meeting.start_time,
        end_time=_slot(meeting.start_time, slot, len(items)),
        venue=meeting.venue,
        chair=people.get(meeting.chair_id, ""),
        coordinator=people.get(meeting.coordinator_id or 0, ""),
        minute_taker=people.get(meeting.minute_taker_id or 0, ""),
        slot_minutes=slot,
        joining_instructions=config.joining_instructions,
        core_agencies=tuple(core),
        items=items,
    )
