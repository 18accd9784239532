"""Everything the case record shows, read in one read-only transaction inside a task.

Task functions here never touch widgets; they open their own session and return DTOs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.services import audit, cases, registration, risk, rmp
from mappa_desktop.services.actions import ActionRow, list_open_actions
from mappa_desktop.services.audit import AuditRow
from mappa_desktop.services.case_meetings import MeetingRef, meetings_for_case
from mappa_desktop.services.cases import CaseDetail
from mappa_desktop.services.people import AgencyRow, PersonRow, list_agencies, list_people
from mappa_desktop.services.registration import RegistrationRow
from mappa_desktop.services.risk import AssessmentRow
from mappa_desktop.services.rmp import RmpItemRow


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
