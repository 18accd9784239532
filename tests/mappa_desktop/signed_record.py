"""A signed-off meeting with a row in every table of its record, and the plain SQL an attacker
would send to change it (used by the SQLite and the PostgreSQL attack tests).

The rows are built with the ORM on the set-up connection while the meeting is still a draft; the
caller signs it off (on PostgreSQL through the chair's own login)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from mappa_desktop.db.models import (
    ActionReview,
    Attendance,
    Decision,
    Dissent,
    InformationShared,
    InvitedAgency,
    RiskAssessment,
    RmpRevision,
    RoshRating,
)
from mappa_desktop.domain.enums import (
    ActionStatus,
    AssessmentTool,
    RiskGroup,
    RiskSetting,
    RoshLevel,
)
from mappa_desktop.services import actions, meetings
from mappa_desktop.services.actor import Actor
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import (
    MEETING_DAY,
    add_rmp_change,
    agency_id,
    make_case,
    old_action,
    ready_meeting,
)


@dataclass(frozen=True)
class Record:
    """Ids of one row per table of a meeting's record."""

    meeting_id: int
    case_id: int
    spare_case_id: int  # a case not on the agenda
    agency_id: int
    ids: dict[str, int]


def draft_with_everything(db: Database, chair: Actor) -> Record:
    """A draft meeting chaired by ``chair`` (ready for sign-off) with a row in every table."""
    ready = ready_meeting(db, chair)
    m, case_id, disc_id = ready.meeting_id, ready.case_ids[0], ready.discussion_ids[0]
    with db.sessions.begin() as s:
        police, housing = agency_id(s, "Police"), agency_id(s, "Housing")
        decision_id = s.scalar(
            select(func.min(Decision.id)).where(Decision.discussion_id == disc_id)
        )
        attendance_id = s.scalar(select(func.min(Attendance.id)).where(Attendance.meeting_id == m))
        earlier = old_action(s, case_id, due=MEETING_DAY - timedelta(days=3))
        actions.review_action(s, chair, m, earlier, outcome=ActionStatus.DONE)
        review_id = s.scalar(select(ActionReview.id).where(ActionReview.meeting_id == m))
        set_here = actions.set_action(
            s,
            chair,
            case_id,
            text="Visit the address",
            owner_agency_id=police,
            owner_person_id=chair.person_id,
            due_date=MEETING_DAY + timedelta(days=14),
            meeting_id=m,
            purpose="To check he lives there alone",
        ).id
        item_id = add_rmp_change(s, case_id, m, "Curfew 7pm to 7am")
        revision_id = s.scalar(select(RmpRevision.id).where(RmpRevision.item_id == item_id))
        rows: list[object] = [
            InvitedAgency(discussion_id=disc_id, agency_id=housing),
            InformationShared(discussion_id=disc_id, agency_id=police, text="Seen twice"),
            Dissent(decision_id=int(decision_id or 0), agency_id=police, view="Level 3 instead"),
        ]
        assessment = RiskAssessment(
            case_id=case_id,
            version_no=99,
            assessed_on=MEETING_DAY,
            tool=AssessmentTool.OASYS,
            overall_rosh=RoshLevel.HIGH,
            meeting_id=m,
        )
        assessment.ratings = [
            RoshRating(
                setting=RiskSetting.COMMUNITY, risk_group=RiskGroup.PUBLIC, level=RoshLevel.HIGH
            )
        ]
        s.add_all([*rows, assessment])
        s.flush()
        ids = {
            "attendance": int(attendance_id or 0),
            "case_discussion": disc_id,
            "invited_agency": rows[0].id,  # type: ignore[attr-defined]
            "information_shared": rows[1].id,  # type: ignore[attr-defined]
            "decision": int(decision_id or 0),
            "dissent": rows[2].id,  # type: ignore[attr-defined]
            "action_review": int(review_id or 0),
            "rmp_revision": int(revision_id or 0),
            "risk_assessment": assessment.id,
            "rosh_rating": assessment.ratings[0].id,
            "action": set_here,
            "rmp_item": item_id,
        }
        spare = make_case(s, "Spare", "Sam")
    return Record(m, case_id, spare, police, ids)


def submit(db: Database, chair: Actor, meeting_id: int) -> None:
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, chair, meeting_id)


# (table, UPDATE, INSERT) with :id the row, :m the meeting, :case / :spare cases, :agency.
ATTACKS: list[tuple[str, str, str]] = [
    (
        "attendance",
        "UPDATE attendance SET status = 'absent' WHERE id = :id",
        "INSERT INTO attendance (meeting_id, agency_id, status, version) "
        "VALUES (:m, :agency, 'apologies', 1)",
    ),
    (
        "case_discussion",
        "UPDATE case_discussion SET notes = 'rewritten' WHERE id = :id",
        "INSERT INTO case_discussion (meeting_id, case_id, agenda_order, agenda_reason, "
        "risk_summary, notes, version) VALUES (:m, :spare, 9, 'added', '', '', 1)",
    ),
    (
        "invited_agency",
        "UPDATE invited_agency SET agency_id = :agency WHERE id = :id",
        "INSERT INTO invited_agency (discussion_id, agency_id) "
        "VALUES ((SELECT min(id) FROM case_discussion WHERE meeting_id = :m), :agency)",
    ),
    (
        "information_shared",
        "UPDATE information_shared SET text = 'never said' WHERE id = :id",
        "INSERT INTO information_shared (discussion_id, agency_id, text, restricted, version) "
        "VALUES ((SELECT min(id) FROM case_discussion WHERE meeting_id = :m), :agency, 'x', "
        "false, 1)",
    ),
    (
        "decision",
        "UPDATE decision SET outcome = 'Level 1', rationale = 'changed later' WHERE id = :id",
        "INSERT INTO decision (discussion_id, kind, outcome, rationale, disclosure_to, "
        "disclosure_by, disclosure_method, s327a_considered, restricted, recorded_at, version) "
        "VALUES ((SELECT min(id) FROM case_discussion WHERE meeting_id = :m), 'other', 'x', "
        "'y', '', '', '', false, false, CURRENT_TIMESTAMP, 1)",
    ),
    (
        "dissent",
        "UPDATE dissent SET view = 'agreed after all' WHERE id = :id",
        "INSERT INTO dissent (decision_id, view) VALUES ((SELECT min(d.id) FROM decision d "
        "JOIN case_discussion c ON c.id = d.discussion_id WHERE c.meeting_id = :m), 'x')",
    ),
    (
        "action_review",
        "UPDATE action_review SET outcome = 'cancelled', "
        "not_done_reason = 'circumstances_changed' WHERE id = :id",
        "INSERT INTO action_review (meeting_id, action_id, outcome, note, reviewed_at) "
        "VALUES (:m, (SELECT max(id) FROM action), 'open', '', CURRENT_TIMESTAMP)",
    ),
    (
        "rmp_revision",
        "UPDATE rmp_revision SET text = 'no curfew' WHERE id = :id",
        "INSERT INTO rmp_revision (item_id, revision_no, change, text, status, rationale, "
        "meeting_id, recorded_at) VALUES ((SELECT max(id) FROM rmp_item), 99, 'changed', 'x', "
        "'active', '', :m, CURRENT_TIMESTAMP)",
    ),
    (
        "risk_assessment",
        "UPDATE risk_assessment SET overall_rosh = 'low' WHERE id = :id",
        "INSERT INTO risk_assessment (case_id, version_no, assessed_on, tool, tool_score, "
        "overall_rosh, who_at_risk, nature_of_risk, imminence, increasing_factors, "
        "protective_factors, meeting_id, recorded_at) VALUES (:case, 100, CURRENT_DATE, "
        "'other', '', 'low', '', '', '', '', '', :m, CURRENT_TIMESTAMP)",
    ),
    (
        "rosh_rating",
        "UPDATE rosh_rating SET level = 'low' WHERE id = :id",
        "INSERT INTO rosh_rating (assessment_id, setting, risk_group, level) VALUES "
        "((SELECT max(id) FROM risk_assessment WHERE meeting_id = :m), 'custody', 'staff', "
        "'low')",
    ),
    (
        "action",
        "UPDATE action SET text = 'Nothing to do', owner_agency_id = :agency WHERE id = :id",
        "INSERT INTO action (case_id, text, owner_agency_id, due_date, status, "
        "set_in_meeting_id, outcome_note, created_at, version) VALUES (:case, 'x', :agency, "
        "CURRENT_DATE, 'open', :m, '', CURRENT_TIMESTAMP, 1)",
    ),
]


def params(record: Record, table: str) -> dict[str, int]:
    return {
        "id": record.ids[table],
        "m": record.meeting_id,
        "case": record.case_id,
        "spare": record.spare_case_id,
        "agency": record.agency_id,
    }


def used(statement: str, values: dict[str, int]) -> dict[str, int]:
    """Only the parameters a statement names (drivers refuse extra ones on some engines)."""
    return {k: v for k, v in values.items() if f":{k}" in statement}
