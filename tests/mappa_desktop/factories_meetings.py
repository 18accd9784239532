"""Builders for the meeting tests: cases, registrations, risk and RMP rows inserted directly with
the ORM (the case services are tested on their own), and a meeting ready for sign-off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import (
    Action,
    Agency,
    Case,
    CaseDiscussion,
    Registration,
    RiskAssessment,
    RmpItem,
    RmpRevision,
    RoshRating,
)
from mappa_desktop.domain.enums import (
    ActionStatus,
    AssessmentTool,
    AttendanceStatus,
    DecisionKind,
    RiskGroup,
    RiskSetting,
    RmpChange,
    RmpItemStatus,
    RmpPillar,
    RoshLevel,
)
from mappa_desktop.services import attendance, discussions, meetings, people
from mappa_desktop.services.actor import Actor
from tests.conftest import Database

# Meeting dates relative to today: services refuse dates years ahead and completions in future.
MEETING_DAY = date.today()
REGISTERED_ON = MEETING_DAY - timedelta(days=200)
NEXT_REVIEW = MEETING_DAY + timedelta(days=56)

NAMES = [
    ("Łukasz", "Wiśniewski"),
    ("Дмитрий", "Иванов"),
    ("Γιώργος", "Παπαδόπουλος"),
    ("Nguyễn Thị", "Hồng"),
    ("محمد", "العلي"),
    ("Seán", "O'Brien"),
    ("Alex", "Smith & <Jones>"),
    ("Zoë", "Ødegård"),
]


def agency_id(s: Session, name: str) -> int:
    agency = people.find_agency(s, name)
    assert agency is not None, name
    return agency.id


def all_agency_ids(s: Session) -> dict[str, int]:
    return {a.short_name: a.id for a in s.scalars(select(Agency))}


def person(s: Session, family_name: str, given_names: str = "", *, agency: str = "Police") -> int:
    return people.add_person(
        s, None, family_name=family_name, given_names=given_names, agency_id=agency_id(s, agency)
    ).id


def make_case(
    s: Session,
    family_name: str,
    given_names: str = "",
    *,
    category: int = 2,
    level: int = 2,
    lead_agency: str = "Probation",
    next_review_due: date | None = NEXT_REVIEW,
    start_date: date = REGISTERED_ON,
    ended_on: date | None = None,
    referral_date: date | None = None,
) -> int:
    case = Case(
        family_name=family_name,
        given_names=given_names,
        lead_agency_id=agency_id(s, lead_agency),
        referral_date=referral_date,
        victim_notes="Former partner <private>",
    )
    s.add(case)
    s.flush()
    s.add(
        Registration(
            case_id=case.id,
            category=category,
            level=level,
            start_date=start_date,
            next_review_due=next_review_due,
            ended_on=ended_on,
            end_reason="Order expired" if ended_on else "",
            rationale="Initial registration",
            is_current=True,
        )
    )
    s.flush()
    return case.id


def add_risk(s: Session, case_id: int, overall: RoshLevel = RoshLevel.HIGH) -> None:
    version = (
        s.scalar(select(RiskAssessment.version_no).where(RiskAssessment.case_id == case_id)) or 0
    )
    ra = RiskAssessment(
        case_id=case_id,
        version_no=version + 1,
        assessed_on=MEETING_DAY - timedelta(days=10),
        tool=AssessmentTool.OASYS,
        overall_rosh=overall,
        who_at_risk="Known adult",
    )
    ra.ratings = [
        RoshRating(setting=RiskSetting.COMMUNITY, risk_group=RiskGroup.KNOWN_ADULT, level=overall),
        RoshRating(
            setting=RiskSetting.COMMUNITY, risk_group=RiskGroup.CHILDREN, level=RoshLevel.LOW
        ),
    ]
    s.add(ra)
    s.flush()


def add_rmp_change(s: Session, case_id: int, meeting_id: int, text: str) -> int:
    item = RmpItem(
        case_id=case_id,
        pillar=RmpPillar.MONITORING_CONTROL,
        text=text,
        status=RmpItemStatus.ACTIVE,
        restricted=False,
    )
    s.add(item)
    s.flush()
    s.add(
        RmpRevision(
            item_id=item.id,
            revision_no=1,
            change=RmpChange.ADDED,
            text=text,
            status=RmpItemStatus.ACTIVE,
            rationale="Agreed at panel",
            meeting_id=meeting_id,
        )
    )
    s.flush()
    return item.id


def old_action(
    s: Session, case_id: int, *, due: date, text: str = "Home visit", agency: str = "Police"
) -> int:
    """An open action set between meetings a month ago (so any later meeting reviews it)."""
    action = Action(
        case_id=case_id,
        text=text,
        owner_agency_id=agency_id(s, agency),
        due_date=due,
        status=ActionStatus.OPEN,
        outcome_note="",
        created_at=datetime.now(UTC) - timedelta(days=30),
    )
    s.add(action)
    s.flush()
    return action.id


def schedule(
    s: Session,
    actor: Actor,
    *,
    level: int = 2,
    day: date = MEETING_DAY,
    chair_id: int | None = None,
) -> meetings.MeetingRow:
    return meetings.schedule_meeting(
        s,
        actor,
        level=level,
        meeting_type="review",
        meeting_date=day,
        venue="Room 4, Central Police Station",
        chair_id=chair_id if chair_id is not None else actor.person_id,
    )


@dataclass(frozen=True)
class Ready:
    meeting_id: int
    case_ids: list[int]
    discussion_ids: list[int]


def ready_meeting(
    db: Database, actor: Actor, *, names: list[tuple[str, str]] | None = None
) -> Ready:
    """A draft meeting chaired by ``actor`` whose checklist and self-audit are clear: statement
    confirmed, the Responsible Authority present, one level decision with a next review per
    case, and each case made defensible (``make_defensible``)."""
    chosen = names if names is not None else NAMES[:2]
    with db.sessions.begin() as s:
        m = schedule(s, actor)
        case_ids = [make_case(s, family, given) for given, family in chosen]
        disc_ids = [meetings.add_to_agenda(s, actor, m.id, c).id for c in case_ids]
        meetings.start_meeting(s, actor, m.id)
        meetings.confirm_statement(s, actor, m.id)
        for short in ("Police", "Probation", "Prison"):
            attendance.record_attendance(
                s,
                actor,
                m.id,
                agency_id=agency_id(s, short),
                status=AttendanceStatus.PRESENT,
                person_id=person(s, f"Officer {short}", "Pat", agency=short),
            )
        for disc_id in disc_ids:
            discussions.record_decision(
                s,
                actor,
                disc_id,
                kind=DecisionKind.LEVEL,
                outcome="Remain at Level 2",
                rationale="Risk is stable but needs multi-agency oversight.",
                new_level=2,
                next_review_date=NEXT_REVIEW,
            )
            discussions.record_decision(
                s,
                actor,
                disc_id,
                kind=DecisionKind.DISCLOSURE,
                outcome="No disclosure",
                rationale="No one is identified who needs to know to be protected.",
                disclose=False,
            )
        for case_id in case_ids:
            make_defensible(s, case_id)
        meetings.close_to_draft(s, actor, m.id)
    return Ready(meeting_id=m.id, case_ids=case_ids, discussion_ids=disc_ids)


DEFENSIBLE_PILLARS = (
    RmpPillar.SUPERVISION,
    RmpPillar.MONITORING_CONTROL,
    RmpPillar.INTERVENTIONS_TREATMENT,
    RmpPillar.VICTIM_SAFETY,
    RmpPillar.CONTINGENCY,
)


def make_defensible(s: Session, case_id: int) -> None:
    """Give a case what the sign-off self-audit asks for: an offender manager, a recent
    assessment at Medium, and an item under each of the four pillars plus a contingency plan,
    all owned by the Police (who attend a ready meeting); victim and diversity issues recorded
    at each meeting it is on the agenda of."""
    case = s.get(Case, case_id)
    assert case is not None
    case.offender_manager_id = person(s, "Manager", "Olive", agency="Probation")
    for d in s.scalars(select(CaseDiscussion).where(CaseDiscussion.case_id == case_id)):
        d.victim_issues = d.victim_issues or "Former partner: no contact order in force."
        d.diversity_issues = d.diversity_issues or "None identified; English is his first language."
    add_risk(s, case_id, RoshLevel.MEDIUM)
    for pillar in DEFENSIBLE_PILLARS:
        s.add(
            RmpItem(
                case_id=case_id,
                pillar=pillar,
                text=f"{pillar.value.replace('_', ' ').capitalize()} arrangements",
                responsible_agency_id=agency_id(s, "Police"),
                status=RmpItemStatus.ACTIVE,
                restricted=False,
            )
        )
    s.flush()
