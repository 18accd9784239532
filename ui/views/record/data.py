"""Everything the case record shows, read in one read-only transaction inside a task.

Task functions here never touch widgets; they open their own session and return DTOs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.db.models import CaseDiscussion, Meeting, Person
from mappa_desktop.domain.enums import AgendaReason, MeetingStatus, MeetingType
from mappa_desktop.services import audit, cases, registration, risk, rmp
from mappa_desktop.services.actions import ActionRow, list_open_actions
from mappa_desktop.services.audit import AuditRow
from mappa_desktop.services.cases import CaseDetail
from mappa_desktop.services.people import AgencyRow, PersonRow, list_agencies, list_people
from mappa_desktop.services.registration import RegistrationRow
from mappa_desktop.services.risk import AssessmentRow
from mappa_desktop.services.rmp import RmpItemRow


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


@dataclass(frozen=True, slots=True)
class RecordData:
    case: CaseDetail
    registrations: tuple[RegistrationRow, ...]  # newest first
    assessments: tuple[AssessmentRow, ...]  # newest first
    plan: tuple[RmpItemRow, ...]
    meetings: tuple[MeetingRef, ...]  # newest first
    actions: tuple[ActionRow, ...]
    audit: tuple[AuditRow, ...]  # oldest first (as the trail was written)
    agencies: tuple[AgencyRow, ...]
    people: tuple[PersonRow, ...]

    @property
    def latest_assessment(self) -> AssessmentRow | None:
        return self.assessments[0] if self.assessments else None


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


def load_record(sessions: sessionmaker[Session], case_id: int, today: date) -> RecordData:
    with sessions() as s:
        return RecordData(
            case=cases.get_case(s, case_id),
            registrations=tuple(registration.registration_history(s, case_id)),
            assessments=tuple(risk.list_assessments(s, case_id)),
            plan=tuple(rmp.current_plan(s, case_id)),
            meetings=tuple(meetings_for_case(s, case_id)),
            actions=tuple(list_open_actions(s, as_of=today, case_id=case_id)),
            audit=tuple(audit.readable_events(s, audit.list_events(s, case_id=case_id))),
            agencies=tuple(list_agencies(s)),
            people=tuple(list_people(s)),
        )
