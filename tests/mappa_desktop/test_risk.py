"""Risk assessments: insert-only versions, the RoSH grid rules, meeting links, comparison."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mappa_desktop.db.models import RiskAssessment
from mappa_desktop.domain.enums import (
    AssessmentTool,
    MeetingStatus,
    RiskGroup,
    RiskSetting,
    Role,
    RoshLevel,
)
from mappa_desktop.domain.errors import NotFound, PermissionDenied, StateError, ValidationError
from mappa_desktop.services import audit, risk
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.risk import AssessmentRow
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_cases import (
    TODAY,
    days_ago,
    grid,
    meeting_status,
    new_case,
    new_meeting,
    new_person,
)


def _record(db: Database, actor: Actor, case_id: int, **overrides: Any) -> AssessmentRow:
    values: dict[str, Any] = {
        "assessed_on": days_ago(2),
        "overall": "high",
        "ratings": grid("medium", community_children="high"),
    }
    values.update(overrides)
    with db.sessions.begin() as s:
        return risk.record_assessment(s, actor, case_id, **values)


def _count(db: Database) -> int:
    with db.sessions.begin() as s:
        return s.query(RiskAssessment).count()


def test_record_assessment_stores_the_grid_and_narratives(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    assessor_id = new_person(db, "Иванова", "Probation")
    row = _record(
        db,
        admin,
        case_id,
        tool="arms",
        tool_score="Priority: high",
        assessor_id=assessor_id,
        who_at_risk="Ex-partner Γιώργος & her children <under 10>",
        protective_factors="Stable work",
    )
    assert row.version_no == 1 and row.case_id == case_id
    assert (row.tool, row.overall) == (AssessmentTool.ARMS, RoshLevel.HIGH)
    assert row.assessor_name == "Test Иванова" and row.recorded_by == "Test Okonkwo-Smith"
    assert [(r.setting, r.group, r.level) for r in row.ratings] == [
        (RiskSetting.COMMUNITY, RiskGroup.CHILDREN, RoshLevel.HIGH),
        (RiskSetting.COMMUNITY, RiskGroup.PUBLIC, RoshLevel.MEDIUM),
        (RiskSetting.COMMUNITY, RiskGroup.KNOWN_ADULT, RoshLevel.MEDIUM),
        (RiskSetting.COMMUNITY, RiskGroup.STAFF, RoshLevel.MEDIUM),
    ]
    assert not row.has_custody_grid
    with db.sessions.begin() as s:
        assert risk.latest_assessment(s, case_id) == row
    assert row.who_at_risk == "Ex-partner Γιώργος & her children <under 10>"


def test_record_assessment_adds_versions_and_never_overwrites(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    other_case = new_case(db, admin, family_name="Other").id
    first = _record(db, admin, case_id, overall="medium")
    second = _record(db, admin, case_id, overall="very_high", assessed_on=days_ago(1))
    elsewhere = _record(db, admin, other_case)
    assert (first.version_no, second.version_no, elsewhere.version_no) == (1, 2, 1)
    with db.sessions.begin() as s:
        listed = risk.list_assessments(s, case_id)
        latest = risk.latest_assessment(s, case_id)
    assert listed == [second, first]  # newest first; the first is unchanged
    assert latest == second
    assert first.overall is RoshLevel.MEDIUM


def test_latest_assessment_is_none_without_any(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    with db.sessions.begin() as s:
        assert risk.latest_assessment(s, case_id) is None
        assert risk.list_assessments(s, case_id) == []


def test_record_assessment_accepts_a_complete_custody_grid(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    row = _record(db, admin, case_id, ratings=grid("low", custody=True, custody_prisoners="high"))
    assert row.has_custody_grid and len(row.ratings) == 9
    assert row.rating("custody", "prisoners") is RoshLevel.HIGH
    assert row.rating(RiskSetting.COMMUNITY, RiskGroup.STAFF) is RoshLevel.LOW


def test_record_assessment_requires_all_four_community_groups(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    ratings = grid()
    del ratings[("community", "staff")]
    ratings[("community", "public")] = ""
    with pytest.raises(ValidationError) as exc:
        _record(db, admin, case_id, ratings=ratings)
    assert set(exc.value.errors) == {"ratings.community.staff", "ratings.community.public"}
    assert "all four community groups" in exc.value.errors["ratings.community.staff"]
    assert _count(db) == 0


def test_record_assessment_requires_the_whole_custody_grid_once_started(
    db: Database, admin: Actor
) -> None:
    case_id = new_case(db, admin).id
    ratings = grid() | {("custody", "children"): "high"}
    with pytest.raises(ValidationError) as exc:
        _record(db, admin, case_id, ratings=ratings)
    assert set(exc.value.errors) == {
        f"ratings.custody.{g}" for g in ("public", "known_adult", "staff", "prisoners")
    }


def test_record_assessment_requires_custody_grid_for_a_person_in_custody(
    db: Database, admin: Actor
) -> None:
    case_id = new_case(db, admin, custody_status="custody").id
    with pytest.raises(ValidationError) as exc:
        _record(db, admin, case_id, ratings=grid())
    assert len(exc.value.errors) == 5
    assert "in custody" in exc.value.errors["ratings.custody.prisoners"]
    assert _record(db, admin, case_id, ratings=grid(custody=True)).has_custody_grid


def test_record_assessment_refuses_prisoners_in_the_community(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    with pytest.raises(ValidationError) as exc:
        _record(db, admin, case_id, ratings=grid() | {("community", "prisoners"): "low"})
    assert "custody only" in exc.value.errors["ratings.community.prisoners"]


def test_record_assessment_refuses_bad_values(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    ratings: dict[tuple[str, str], str] = grid() | {
        ("community", "public"): "extreme",
        ("hospital", "staff"): "low",
        ("custody", "guards"): "low",
    }
    with pytest.raises(ValidationError) as exc:
        _record(
            db,
            admin,
            case_id,
            assessed_on=TODAY + timedelta(days=1),
            overall="severe",
            tool="crystal_ball",
            tool_score="9" * 101,
            assessor_id=55_555,
            imminence="x" * 20_001,
            ratings=ratings,
        )
    errors = exc.value.errors
    assert "after today" in errors["assessed_on"]
    assert "'severe' is not a valid overall" in errors["overall"]
    assert "'crystal_ball' is not a valid tool" in errors["tool"]
    assert "tool_score" in errors and "imminence" in errors
    assert "55555 does not exist" in errors["assessor_id"]
    assert "not a RoSH level" in errors["ratings.community.public"]
    assert "not a setting" in errors["ratings.hospital.staff"]
    assert "not a risk group" in errors["ratings.custody.guards"]
    assert _count(db) == 0


def test_record_assessment_on_unknown_case_raises_not_found(db: Database, admin: Actor) -> None:
    with pytest.raises(NotFound):
        _record(db, admin, 90_210)
    with db.sessions.begin() as s:
        with pytest.raises(NotFound):
            risk.list_assessments(s, 90_210)
        with pytest.raises(NotFound):
            risk.latest_assessment(s, 90_210)


def test_reader_cannot_record_an_assessment(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    reader = make_user(db, "reader", [Role.READER])
    with pytest.raises(PermissionDenied):
        _record(db, reader, case_id)
    assert _count(db) == 0


def test_record_assessment_writes_an_audit_event(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    meeting_id = new_meeting(db, case_ids=[case_id])
    row = _record(db, admin, case_id, meeting_id=meeting_id)
    with db.sessions.begin() as s:
        event = audit.list_events(s, case_id=case_id)[-1]
    assert (event.entity, event.entity_id, event.action) == ("risk_assessment", row.id, "create")
    assert event.meeting_id == meeting_id
    assert event.changes["overall"] == [None, "high"]
    assert event.changes["ratings.community.children"] == [None, "high"]


def test_record_assessment_at_a_meeting_awaiting_sign_off_returns_it_to_draft(
    db: Database, admin: Actor
) -> None:
    case_id = new_case(db, admin).id
    meeting_id = new_meeting(db, case_ids=[case_id], status=MeetingStatus.AWAITING_SIGN_OFF)
    row = _record(db, admin, case_id, meeting_id=meeting_id)
    assert row.meeting_id == meeting_id
    assert meeting_status(db, meeting_id) is MeetingStatus.DRAFT


def test_record_assessment_refused_for_a_signed_off_meeting(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    meeting_id = new_meeting(db, case_ids=[case_id], status=MeetingStatus.SIGNED_OFF)
    with pytest.raises(StateError, match="signed off"):
        _record(db, admin, case_id, meeting_id=meeting_id)
    assert _count(db) == 0


def test_record_assessment_refuses_a_meeting_that_did_not_discuss_the_case(
    db: Database, admin: Actor
) -> None:
    case_id = new_case(db, admin).id
    meeting_id = new_meeting(db, case_ids=[])
    with pytest.raises(ValidationError) as exc:
        _record(db, admin, case_id, meeting_id=meeting_id)
    assert "not on the agenda" in exc.value.errors["meeting_id"]


def test_diff_assessments_lists_what_changed(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    older = _record(db, admin, case_id, overall="medium", imminence="Not imminent")
    newer = _record(
        db,
        admin,
        case_id,
        overall="very_high",
        imminence="Within days",
        assessed_on=days_ago(1),
        ratings=grid("medium", community_public="very_high", custody=True),
    )
    diff = risk.diff_assessments(older, newer)
    fields = [field for field, _, _ in diff]
    assert ("assessed_on", days_ago(2).isoformat(), days_ago(1).isoformat()) in diff
    assert ("overall", "Medium", "Very High") in diff
    assert ("ratings.community.children", "High", "Medium") in diff
    assert ("ratings.community.public", "Medium", "Very High") in diff
    assert ("ratings.custody.prisoners", "", "Medium") in diff
    assert ("imminence", "Not imminent", "Within days") in diff
    assert "ratings.community.staff" not in fields and "tool" not in fields
    assert risk.diff_assessments(older, older) == []
