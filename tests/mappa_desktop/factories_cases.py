"""Builders for the case, registration, risk and RMP tests (plain functions, real databases)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from mappa_desktop.db.models import CaseDiscussion, Meeting
from mappa_desktop.domain.enums import (
    GROUPS_BY_SETTING,
    AgendaReason,
    MeetingStatus,
    MeetingType,
    RiskSetting,
)
from mappa_desktop.services import cases, people
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.cases import CaseDetail
from tests.conftest import Database

TODAY = date.today()


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def agency_id(session: Session, name: str) -> int:
    agency = people.find_agency(session, name)
    assert agency is not None, name
    return agency.id


def new_case(db: Database, actor: Actor, **overrides: Any) -> CaseDetail:
    """Register a Category 2, Level 2 case led by the police, in its own transaction."""
    with db.sessions.begin() as s:
        values: dict[str, Any] = {
            "family_name": "Kowalski",
            "given_names": "Jan",
            "date_of_birth": date(1980, 5, 17),
            "lead_agency_id": agency_id(s, "Police"),
            "category": 2,
            "level": 2,
            "registration_start": days_ago(100),
        }
        values.update(overrides)
        return cases.register_case(s, actor, **values)


def new_person(db: Database, family_name: str, agency: str = "Probation") -> int:
    with db.sessions.begin() as s:
        return people.add_person(
            s, None, family_name=family_name, given_names="Test", agency_id=agency_id(s, agency)
        ).id


def new_meeting(
    db: Database,
    *,
    case_ids: Iterable[int] = (),
    status: MeetingStatus = MeetingStatus.IN_PROGRESS,
    meeting_date: date | None = None,
) -> int:
    """A meeting row made directly through the ORM (the meetings services are not used here),
    with the given cases on its agenda. The agenda is written before the status is set: the
    database refuses new rows in a signed-off meeting's record (migration 0005)."""
    chair_id = new_person(db, "Chair", "Police")
    with db.sessions.begin() as s:
        meeting = Meeting(
            level=2,
            meeting_type=MeetingType.REVIEW,
            meeting_date=meeting_date or days_ago(1),
            chair_id=chair_id,
            status=MeetingStatus.IN_PROGRESS,
        )
        s.add(meeting)
        s.flush()
        for order, case_id in enumerate(case_ids, start=1):
            s.add(
                CaseDiscussion(
                    meeting_id=meeting.id,
                    case_id=case_id,
                    agenda_order=order,
                    agenda_reason=AgendaReason.REVIEW_DUE,
                )
            )
        s.flush()
        meeting.status = status
        return meeting.id


def meeting_status(db: Database, meeting_id: int) -> MeetingStatus:
    with db.sessions.begin() as s:
        meeting = s.get(Meeting, meeting_id)
        assert meeting is not None
        return meeting.status


def grid(
    level: str = "medium", *, custody: bool = False, **by_group: str
) -> dict[tuple[str, str], str]:
    """A complete community grid (and custody grid when asked) at ``level``; ``by_group``
    overrides single cells, keyed ``community_public`` / ``custody_prisoners``."""
    settings = [RiskSetting.COMMUNITY] + ([RiskSetting.CUSTODY] if custody else [])
    out: dict[tuple[str, str], str] = {}
    for setting in settings:
        for group in GROUPS_BY_SETTING[setting]:
            out[(setting.value, group.value)] = by_group.get(
                f"{setting.value}_{group.value}", level
            )
    return out
