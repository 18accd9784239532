"""A small real database for the co-ordinator's reports: cases with known statistics, a case
with a restricted event, a referral and a planned meeting with an agenda (SQLite file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from mappa_desktop.domain.coordination import CaseEventKind, CustodyReason
from mappa_desktop.domain.enums import Role, RoshLevel
from mappa_desktop.services import case_events, discussions, meetings, referrals, settings
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_cases import agency_id, new_case

YEAR = 2024  # 1 April 2024 to 31 March 2025
SECRET = "Informant Zebediah saw him at the school gate"
MARKUP_NAME = "O'Brien & <Sons>"


@dataclass(frozen=True)
class Coordination:
    coordinator: Actor
    reader: Actor
    case_ids: list[int]
    restricted_case_id: int
    referral_id: int
    meeting_id: int


def build(db: Database) -> Coordination:
    coordinator = make_user(
        db, "admin", [Role.COORDINATOR, Role.ADMINISTRATOR, Role.CHAIR], family_name="Coord"
    )
    reader = make_user(db, "reader", [Role.READER], family_name="Reader", agency="Probation")
    specs = [
        ("Иванов", 1, 2),
        ("Nguyễn", 1, 2),
        ("Smith", 1, 3),
        (MARKUP_NAME, 2, 2),
        ("Jones", 2, 1),
        ("Brown", 3, 2),
    ]
    ids = [
        new_case(
            db,
            coordinator,
            family_name=name,
            category=cat,
            level=level,
            registration_start=date(2023, 1, 10),
        ).id
        for name, cat, level in specs
    ]
    with db.sessions.begin() as s:
        settings.set_statistics_settings(
            s, coordinator, population=1_250_000, suppression_threshold=3
        )
        settings.set_agenda_settings(
            s,
            coordinator,
            slot_minutes=25,
            joining_instructions="Join by the secure link.\n\nBring <no> papers & phones.",
        )
        police = agency_id(s, "Police")
        for day, reason in (
            (date(2024, 5, 2), CustodyReason.BREACH_OF_LICENCE),
            (date(2024, 9, 9), CustodyReason.NEW_OFFENCE),
        ):
            case_events.record_case_event(
                s,
                coordinator,
                ids[0],
                kind=CaseEventKind.RETURN_TO_CUSTODY,
                event_date=day,
                source="Recall notice",
                subtype=reason,
                source_agency_id=police,
            )
        case_events.record_case_event(
            s,
            coordinator,
            ids[2],
            kind=CaseEventKind.SERIOUS_FURTHER_OFFENCE,
            event_date=date(2024, 12, 1),
            source="Charge sheet",
            detail=SECRET,
            restricted=True,
            source_agency_id=police,
        )
        referral = referrals.create_referral(
            s,
            coordinator,
            case_id=ids[4],
            referring_agency_id=police,
            referral_date=date(2025, 1, 6),
            category=2,
            level_sought=3,
            reason="Threats to a former partner & her <new> partner.",
            current_rosh=RoshLevel.VERY_HIGH,
            added_value="Joint visits and a disclosure decision.",
            level3_reason="Needs senior police resources for covert monitoring.",
            referrer_name="DS Ada Lovelace",
        )
        meeting = meetings.schedule_meeting(
            s,
            coordinator,
            level=2,
            meeting_type="review",
            meeting_date=date(2030, 6, 3),
            start_time=time(10, 0),
            venue="Room 4 & annexe",
            chair_id=coordinator.person_id,
        )
        for case_id in (ids[1], ids[0], ids[3]):
            discussion = meetings.add_to_agenda(s, coordinator, meeting.id, case_id)
            if case_id == ids[0]:
                discussions.invite_agency(
                    s, coordinator, discussion.id, agency_id(s, "Children's Services")
                )
    return Coordination(coordinator, reader, ids, ids[2], referral.id, meeting.id)
