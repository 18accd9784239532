"""Risk-management plan: items by pillar, revisions per change, meeting links, locking."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mappa_desktop.db.models import RmpItem, RmpRevision
from mappa_desktop.domain.enums import MeetingStatus, RmpChange, RmpItemStatus, RmpPillar, Role
from mappa_desktop.domain.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    StateError,
    ValidationError,
)
from mappa_desktop.services import audit, rmp
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.rmp import RmpItemRow
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_cases import (
    TODAY,
    agency_id,
    days_ago,
    meeting_status,
    new_case,
    new_meeting,
)


def _add(db: Database, actor: Actor, case_id: int, **overrides: Any) -> RmpItemRow:
    values: dict[str, Any] = {
        "pillar": "supervision",
        "text": "Weekly office appointments with the offender manager.",
        "start_date": days_ago(30),
        "review_date": TODAY + timedelta(days=60),
    }
    values.update(overrides)
    with db.sessions.begin() as s:
        return rmp.add_item(s, actor, case_id, **values)


def _counts(db: Database) -> tuple[int, int]:
    with db.sessions.begin() as s:
        return s.query(RmpItem).count(), s.query(RmpRevision).count()


def test_add_item_creates_the_item_and_its_first_revision(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    meeting_id = new_meeting(db, case_ids=[case_id])
    with db.sessions.begin() as s:
        probation = agency_id(s, "Probation")
    item = _add(
        db,
        admin,
        case_id,
        pillar=RmpPillar.VICTIM_SAFETY,
        text="Exclusion zone around Łódź Street & <the school>",
        responsible_agency_id=probation,
        rationale="Victim lives nearby.",
        meeting_id=meeting_id,
        restricted=True,
    )
    assert (item.version, item.revision_no, item.status) == (1, 1, RmpItemStatus.ACTIVE)
    assert item.text == "Exclusion zone around Łódź Street & <the school>"
    assert item.responsible_agency == "Probation Service"
    assert item.restricted and item.pillar_label == "Victim safety planning"
    with db.sessions.begin() as s:
        (revision,) = rmp.item_history(s, item.id)
        event = audit.list_events(s, case_id=case_id)[-1]
    assert (revision.revision_no, revision.change) == (1, RmpChange.ADDED)
    assert (revision.rationale, revision.meeting_id) == ("Victim lives nearby.", meeting_id)
    assert revision.recorded_by == "Test Okonkwo-Smith" and revision.restricted
    assert (event.entity, event.action, event.meeting_id) == ("rmp_item", "add", meeting_id)
    assert event.changes["text"] == [None, "Exclusion zone around Łódź Street & <the school>"]


def test_current_plan_orders_items_by_pillar_including_contingency_and_licence(
    db: Database, admin: Actor
) -> None:
    case_id = new_case(db, admin).id
    for pillar in ("licence_condition", "contingency", "supervision", "monitoring_control"):
        _add(db, admin, case_id, pillar=pillar, text=f"Item under {pillar}")
    other = new_case(db, admin, family_name="Other").id
    _add(db, admin, other, pillar="interventions_treatment")
    with db.sessions.begin() as s:
        plan = rmp.current_plan(s, case_id)
    assert [i.pillar.value for i in plan] == [
        "supervision",
        "monitoring_control",
        "contingency",
        "licence_condition",
    ]
    assert all(i.case_id == case_id and i.revision_no == 1 for i in plan)


def test_change_item_writes_a_revision_and_bumps_the_version(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    item = _add(db, admin, case_id)
    with db.sessions.begin() as s:
        changed = rmp.change_item(
            s,
            admin,
            item.id,
            expected_version=item.version,
            rationale="Risk increased; twice weekly.",
            text="Twice-weekly office appointments.",
            responsible_agency_id=agency_id(s, "Police"),
        )
    assert (changed.version, changed.revision_no) == (2, 2)
    assert changed.text == "Twice-weekly office appointments." and changed.responsible_agency
    with db.sessions.begin() as s:
        history = rmp.item_history(s, item.id)
        event = audit.list_events(s, case_id=case_id)[-1]
    assert [(r.revision_no, r.change) for r in history] == [
        (2, RmpChange.CHANGED),
        (1, RmpChange.ADDED),
    ]
    assert history[0].rationale == "Risk increased; twice weekly."
    assert history[1].text == "Weekly office appointments with the offender manager."
    assert event.action == "change"
    assert event.changes["text"] == [
        "Weekly office appointments with the offender manager.",
        "Twice-weekly office appointments.",
    ]
    assert event.changes["rationale"] == [None, "Risk increased; twice weekly."]


def test_change_item_refuses_bad_input(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    item = _add(db, admin, case_id)
    with db.sessions.begin() as s:
        with pytest.raises(ValidationError) as exc:
            rmp.change_item(
                s,
                admin,
                item.id,
                expected_version=1,
                rationale=" ",
                text="",
                responsible_agency_id=4_444,
                review_date=days_ago(31),
            )
        assert set(exc.value.errors) == {
            "rationale",
            "text",
            "responsible_agency_id",
            "review_date",
        }
        with pytest.raises(ValidationError, match="Nothing differs"):
            rmp.change_item(s, admin, item.id, expected_version=1, rationale="Just because.")
        with pytest.raises(NotFound):
            rmp.change_item(s, admin, 8_080, expected_version=1, rationale="x", text="y")
    assert _counts(db) == (1, 1)


def test_change_and_end_with_a_stale_version_are_refused(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    item = _add(db, admin, case_id)
    with db.sessions.begin() as s:
        rmp.change_item(s, admin, item.id, expected_version=1, rationale="First.", text="First")
    with db.sessions.begin() as s:
        with pytest.raises(ConflictError):
            rmp.change_item(s, admin, item.id, expected_version=1, rationale="Late.", text="Late")
        with pytest.raises(ConflictError):
            rmp.end_item(s, admin, item.id, expected_version=1, end_date=TODAY, rationale="x")
    with db.sessions.begin() as s:
        (current,) = rmp.current_plan(s, case_id)
    assert (current.text, current.version, current.revision_no) == ("First", 2, 2)


def test_end_item_removes_it_from_the_plan_and_keeps_its_history(
    db: Database, admin: Actor
) -> None:
    case_id = new_case(db, admin).id
    item = _add(db, admin, case_id)
    with db.sessions.begin() as s:
        ended = rmp.end_item(
            s, admin, item.id, expected_version=1, end_date=TODAY, rationale="Licence ended."
        )
    assert (ended.status, ended.end_date, ended.revision_no) == (RmpItemStatus.ENDED, TODAY, 2)
    with db.sessions.begin() as s:
        assert rmp.current_plan(s, case_id) == []
        history = rmp.item_history(s, item.id)
        event = audit.list_events(s, case_id=case_id)[-1]
        with pytest.raises(StateError, match="ended on"):
            rmp.change_item(s, admin, item.id, expected_version=2, rationale="x", text="y")
        with pytest.raises(StateError):
            rmp.end_item(s, admin, item.id, expected_version=2, end_date=TODAY, rationale="x")
    assert history[0].change is RmpChange.ENDED and history[0].rationale == "Licence ended."
    assert event.changes["status"] == ["active", "ended"]


def test_end_item_refuses_bad_input(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    item = _add(db, admin, case_id)
    with db.sessions.begin() as s:
        with pytest.raises(ValidationError) as exc:
            rmp.end_item(s, admin, item.id, expected_version=1, end_date=days_ago(31), rationale="")
        assert set(exc.value.errors) == {"end_date", "rationale"}
        with pytest.raises(NotFound):
            rmp.end_item(s, admin, 7_070, expected_version=1, end_date=TODAY, rationale="x")
    assert _counts(db) == (1, 1)


def test_add_item_refuses_bad_input(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    with pytest.raises(ValidationError) as exc:
        _add(
            db,
            admin,
            case_id,
            pillar="hope",
            text="   ",
            responsible_agency_id=12_345,
            start_date=TODAY,
            review_date=days_ago(1),
            meeting_id=6_543,
        )
    assert set(exc.value.errors) == {
        "pillar",
        "text",
        "responsible_agency_id",
        "review_date",
        "meeting_id",
    }
    with pytest.raises(ValidationError) as exc:
        _add(db, admin, case_id, text="x" * 20_001)
    assert "shorten it" in exc.value.errors["text"]
    with pytest.raises(NotFound):
        _add(db, admin, 5_150)
    assert _counts(db) == (0, 0)


def test_readers_cannot_change_the_plan(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    item = _add(db, admin, case_id)
    reader = make_user(db, "reader", [Role.READER])
    with pytest.raises(PermissionDenied):
        _add(db, reader, case_id)
    with db.sessions.begin() as s:
        with pytest.raises(PermissionDenied):
            rmp.change_item(s, reader, item.id, expected_version=1, rationale="x", text="y")
        with pytest.raises(PermissionDenied):
            rmp.end_item(s, reader, item.id, expected_version=1, end_date=TODAY, rationale="x")
        assert len(rmp.current_plan(s, case_id)) == 1  # reading is allowed
    assert _counts(db) == (1, 1)


def test_changes_at_meeting_lists_only_that_meetings_revisions(db: Database, admin: Actor) -> None:
    first = new_case(db, admin).id
    second = new_case(db, admin, family_name="Second").id
    earlier = _add(db, admin, first, text="Before the meeting")
    meeting_id = new_meeting(db, case_ids=[first, second])
    other_meeting = new_meeting(db, case_ids=[first])
    _add(
        db,
        admin,
        second,
        pillar="contingency",
        text="Recall if address lost",
        meeting_id=meeting_id,
    )
    with db.sessions.begin() as s:
        rmp.change_item(
            s,
            admin,
            earlier.id,
            expected_version=1,
            rationale="Agreed at panel.",
            text="Changed at the meeting",
            meeting_id=meeting_id,
        )
    _add(db, admin, first, text="At another meeting", meeting_id=other_meeting)
    with db.sessions.begin() as s:
        changes = rmp.changes_at_meeting(s, meeting_id)
        with pytest.raises(NotFound):
            rmp.changes_at_meeting(s, 1_234_567)
    assert [(c.case_id, c.change, c.text) for c in changes] == [
        (first, RmpChange.CHANGED, "Changed at the meeting"),
        (second, RmpChange.ADDED, "Recall if address lost"),
    ]
    assert all(c.meeting_id == meeting_id for c in changes)


def test_plan_changes_at_a_meeting_awaiting_sign_off_return_it_to_draft(
    db: Database, admin: Actor
) -> None:
    case_id = new_case(db, admin).id
    meeting_id = new_meeting(db, case_ids=[case_id], status=MeetingStatus.AWAITING_SIGN_OFF)
    _add(db, admin, case_id, meeting_id=meeting_id)
    assert meeting_status(db, meeting_id) is MeetingStatus.DRAFT


def test_plan_changes_linked_to_a_signed_off_meeting_are_refused(
    db: Database, admin: Actor
) -> None:
    case_id = new_case(db, admin).id
    item = _add(db, admin, case_id)
    meeting_id = new_meeting(db, case_ids=[case_id], status=MeetingStatus.SIGNED_OFF)
    with pytest.raises(StateError, match="signed off"):
        _add(db, admin, case_id, meeting_id=meeting_id)
    with db.sessions.begin() as s:
        with pytest.raises(StateError):
            rmp.change_item(
                s,
                admin,
                item.id,
                expected_version=1,
                rationale="x",
                text="y",
                meeting_id=meeting_id,
            )
        with pytest.raises(StateError):
            rmp.end_item(
                s,
                admin,
                item.id,
                expected_version=1,
                end_date=TODAY,
                rationale="x",
                meeting_id=meeting_id,
            )
    assert _counts(db) == (1, 1)
    with db.sessions.begin() as s:
        assert rmp.changes_at_meeting(s, meeting_id) == []


def test_plan_change_refuses_a_meeting_that_did_not_discuss_the_case(
    db: Database, admin: Actor
) -> None:
    case_id = new_case(db, admin).id
    item = _add(db, admin, case_id)
    meeting_id = new_meeting(db, case_ids=[])
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        rmp.change_item(
            s, admin, item.id, expected_version=1, rationale="x", text="y", meeting_id=meeting_id
        )
    assert "not on the agenda" in exc.value.errors["meeting_id"]


def test_current_plan_and_item_history_of_unknown_ids_raise_not_found(db: Database) -> None:
    with db.sessions.begin() as s:
        with pytest.raises(NotFound):
            rmp.current_plan(s, 1_001)
        with pytest.raises(NotFound):
            rmp.item_history(s, 1_001)


def test_current_plans_answers_for_several_cases_in_one_statement(
    db: Database, admin: Actor
) -> None:
    from sqlalchemy import event

    first, second, empty = (new_case(db, admin, family_name=n).id for n in ("Ash", "Beech", "Elm"))
    _add(db, admin, first, pillar=RmpPillar.CONTINGENCY, text="Recall if he contacts her")
    _add(db, admin, first, pillar=RmpPillar.SUPERVISION, text="Weekly appointments")
    _add(db, admin, second, pillar=RmpPillar.VICTIM_SAFETY, text="Exclusion zone & alarm")
    statements: list[str] = []
    with db.sessions() as s:
        event.listen(s.connection(), "before_cursor_execute", lambda *a: statements.append(a[2]))
        plans = rmp.current_plans(s, [second, first, empty, first])
        assert len(statements) == 1
        for case_id in (first, second, empty):
            assert plans[case_id] == rmp.current_plan(s, case_id)
    assert [r.text for r in plans[first]] == ["Weekly appointments", "Recall if he contacts her"]
    assert plans[empty] == []
