"""The meetings at which one case was on the agenda, for the case record's Meetings tab."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import CaseDiscussion, Meeting, Person
from mappa_desktop.domain.enums import AgendaReason, MeetingStatus, MeetingType


@dataclass(frozen=True, slots=True)
class MeetingRef:
    """A meeting at which the case was on the agenda."""

    meeting_id: int
    discussion_id: int
    meeting_date: date
    level: int
    meeting_type: MeetingType
    status: MeetingStatus
    chair: str
    venue: str
    agenda_reason: AgendaReason


def meetings_for_case(session: Session, case_id: int) -> list[MeetingRef]:
    """Meetings whose agenda held the case, newest first (one query)."""
    stmt = (
        select(Meeting, CaseDiscussion.id, CaseDiscussion.agenda_reason, Person)
        .join(CaseDiscussion, CaseDiscussion.meeting_id == Meeting.id)
        .outerjoin(Person, Person.id == Meeting.chair_id)
        .where(CaseDiscussion.case_id == case_id)
        .order_by(Meeting.meeting_date.desc(), Meeting.id.desc())
    )
    return [
        MeetingRef(
            meeting_id=m.id,
            discussion_id=discussion_id,
            meeting_date=m.meeting_date,
            level=m.level,
            meeting_type=m.meeting_type,
            status=m.status,
            chair=chair.display_name if chair is not None else "",
            venue=m.venue,
            agenda_reason=reason,
        )
        for m, discussion_id, reason, chair in session.execute(stmt)
    ]
