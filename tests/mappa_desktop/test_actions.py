"""Actions: set at a meeting, reviewed at the next (done / carried over / cancelled, with why),
completed between meetings, and listed with an overdue flag."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mappa_desktop.domain.enums import ActionStatus, NotDoneReason
from mappa_desktop.domain.errors import ConflictError, NotFound, StateError, ValidationError
from mappa_desktop.services import actions, meetings
from mappa_desktop.services.actor import Actor
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import (
    MEETING_DAY,
    agency_id,
    make_case,
    old_action,
    person,
    schedule,
)

LATER = MEETING_DAY + timedelta(days=14)


def _meeting_with_case(db: Database, admin: Actor) -> tuple[int, int]:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        case_id = make_case(s, "Actioned", "Ash")
        meetings.add_to_agenda(s, admin, m.id, case_id)
        return m.id, case_id


def test_set_action_at_a_meeting(db: Database, admin: Actor) -> None:
    meeting_id, case_id = _meeting_with_case(db, admin)
    with db.sessions.begin() as s:
        owner = person(s, "Owner", "Olga", agency="Housing")
        row = actions.set_action(
            s,
            admin,
            case_id,
            text="  Arrange tenancy review  ",
            owner_agency_id=agency_id(s, "Housing"),
            owner_person_id=owner,
            due_date=LATER,
            meeting_id=meeting_id,
        )
    assert row.text == "Arrange tenancy review" and row.status is ActionStatus.OPEN
    assert row.set_in_meeting_id == meeting_id and row.owner_person_name == "Olga Owner"
    assert row.owner_agency_name == "Local Housing Authority" and row.case_name == "Actioned, Ash"
    assert not row.overdue


def test_set_action_rejects_bad_input(db: Database, admin: Actor) -> None:
    meeting_id, case_id = _meeting_with_case(db, admin)
    with db.sessions.begin() as s:
        police = agency_id(s, "Police")
        elsewhere = make_case(s, "Elsewhere")
    base: dict[str, object] = {
        "text": "Visit",
        "owner_agency_id": police,
        "due_date": LATER,
        "meeting_id": meeting_id,
    }
    bad: list[tuple[int, dict[str, object], str, str]] = [
        (case_id, {"text": ""}, "text", "cannot be empty"),
        (case_id, {"text": "t" * 20_001}, "text", "shorten"),
        (case_id, {"owner_agency_id": 999}, "owner_agency", "does not exist"),
        (case_id, {"owner_person_id": 999}, "owner_person", "does not exist"),
        (case_id, {"due_date": None}, "due_date", "required"),
        (case_id, {"due_date": MEETING_DAY - timedelta(days=1)}, "due_date", "before the meeting"),
        (31337, {}, "case", "does not exist"),
        (elsewhere, {}, "case", "not on the agenda"),
        (case_id, {"meeting_id": 8888}, "meeting", "does not exist"),
    ]
    for target, override, field, fragment in bad:
        with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
            actions.set_action(s, admin, target, **{**base, **override})  # type: ignore[arg-type]
        assert fragment in exc.value.errors.get(field, ""), (override, exc.value.errors)


def test_review_action_done_closes_it_at_the_meeting(db: Database, admin: Actor) -> None:
    meeting_id, case_id = _meeting_with_case(db, admin)
    with db.sessions.begin() as s:
        action_id = old_action(s, case_id, due=MEETING_DAY - timedelta(days=3))
        row = actions.review_action(s, admin, meeting_id, action_id, outcome="done", note="Done.")
    assert row.status is ActionStatus.DONE
    assert row.completed_on == MEETING_DAY and row.closed_in_meeting_id == meeting_id
    assert row.outcome_note == "Done." and not row.overdue


def test_review_action_carried_over_stays_open_with_reason_and_new_date(
    db: Database, admin: Actor
) -> None:
    meeting_id, case_id = _meeting_with_case(db, admin)
    with db.sessions.begin() as s:
        action_id = old_action(s, case_id, due=MEETING_DAY - timedelta(days=3))
        row = actions.review_action(
            s,
            admin,
            meeting_id,
            action_id,
            outcome=ActionStatus.CARRIED_OVER,
            not_done_reason=NotDoneReason.NOT_DONE_BY_AGENCY,
            new_due_date=LATER,
        )
    assert row.status is ActionStatus.CARRIED_OVER and row.due_date == LATER
    assert row.not_done_reason is NotDoneReason.NOT_DONE_BY_AGENCY
    assert row.closed_in_meeting_id is None
    with db.sessions() as s:
        open_ids = [a.id for a in actions.list_open_actions(s, as_of=MEETING_DAY)]
    assert action_id in open_ids


def test_review_action_cancelled_needs_why_and_second_review_replaces_first(
    db: Database, admin: Actor
) -> None:
    meeting_id, case_id = _meeting_with_case(db, admin)
    with db.sessions.begin() as s:
        action_id = old_action(s, case_id, due=MEETING_DAY - timedelta(days=3))
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        actions.review_action(s, admin, meeting_id, action_id, outcome="cancelled")
    assert "not done by the agency" in exc.value.errors["not_done_reason"]
    with db.sessions.begin() as s:
        first = actions.review_action(
            s,
            admin,
            meeting_id,
            action_id,
            outcome="cancelled",
            not_done_reason="circumstances_changed",
            note="Moved out of area.",
        )
    assert first.status is ActionStatus.CANCELLED and first.closed_in_meeting_id == meeting_id
    with db.sessions.begin() as s:
        second = actions.review_action(s, admin, meeting_id, action_id, outcome="done")
    assert second.status is ActionStatus.DONE and second.not_done_reason is None
    with db.sessions() as s:
        (item,) = meetings.get_meeting(s, meeting_id).agenda
    (previous,) = item.previous_actions
    assert previous.review is not None and previous.review.outcome is ActionStatus.DONE


def test_review_action_rejects_bad_input(db: Database, admin: Actor) -> None:
    meeting_id, case_id = _meeting_with_case(db, admin)
    with db.sessions.begin() as s:
        overdue = old_action(s, case_id, due=MEETING_DAY - timedelta(days=3))
        other_case = make_case(s, "Other")
        off_agenda = old_action(s, other_case, due=MEETING_DAY)
        set_here = actions.set_action(
            s,
            admin,
            case_id,
            text="New",
            owner_agency_id=agency_id(s, "Police"),
            due_date=LATER,
            meeting_id=meeting_id,
        ).id
    bad: list[tuple[int, dict[str, object], str, str]] = [
        (overdue, {"outcome": "finished"}, "outcome", "not a valid"),
        (overdue, {"outcome": "open"}, "outcome", "before this meeting"),
        (
            overdue,
            {"outcome": "done", "not_done_reason": "circumstances_changed"},
            "not_done_reason",
            "leave this empty",
        ),
        (
            overdue,
            {"outcome": "carried_over", "not_done_reason": "lazy"},
            "not_done_reason",
            "not a valid",
        ),
        (overdue, {"outcome": "done", "new_due_date": LATER}, "new_due_date", "carried-over"),
        (
            overdue,
            {
                "outcome": "carried_over",
                "not_done_reason": "not_done_by_agency",
                "new_due_date": MEETING_DAY - timedelta(days=1),
            },
            "new_due_date",
            "before the meeting",
        ),
        (off_agenda, {"outcome": "done"}, "action", "not on this meeting's agenda"),
        (set_here, {"outcome": "done"}, "action", "set at this meeting"),
    ]
    for action_id, kwargs, field, fragment in bad:
        with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
            actions.review_action(s, admin, meeting_id, action_id, **kwargs)  # type: ignore[arg-type]
        assert fragment in exc.value.errors.get(field, ""), (kwargs, exc.value.errors)
    with pytest.raises(NotFound), db.sessions.begin() as s:
        actions.review_action(s, admin, meeting_id, 424242, outcome="done")
    with pytest.raises(NotFound), db.sessions.begin() as s:
        actions.review_action(s, admin, 424242, overdue, outcome="done")


def test_complete_action_between_meetings(db: Database, admin: Actor) -> None:
    meeting_id, case_id = _meeting_with_case(db, admin)
    with db.sessions.begin() as s:
        row = actions.set_action(
            s,
            admin,
            case_id,
            text="Visit",
            owner_agency_id=agency_id(s, "Police"),
            due_date=LATER,
            meeting_id=meeting_id,
        )
    with db.sessions.begin() as s:
        done = actions.complete_action(
            s, admin, row.id, expected_version=row.version, completed_on=MEETING_DAY, note="OK"
        )
    assert done.status is ActionStatus.DONE and done.completed_on == MEETING_DAY
    with pytest.raises(StateError), db.sessions.begin() as s:
        actions.complete_action(
            s, admin, row.id, expected_version=done.version, completed_on=MEETING_DAY
        )
    with pytest.raises(ConflictError), db.sessions.begin() as s:
        actions.complete_action(
            s, admin, row.id, expected_version=row.version, completed_on=MEETING_DAY
        )


def test_complete_action_rejects_bad_dates(db: Database, admin: Actor) -> None:
    meeting_id, case_id = _meeting_with_case(db, admin)
    with db.sessions.begin() as s:
        row = actions.set_action(
            s,
            admin,
            case_id,
            text="Visit",
            owner_agency_id=agency_id(s, "Police"),
            due_date=LATER,
            meeting_id=meeting_id,
        )
    for when, fragment in (
        (date.today() + timedelta(days=1), "after today"),
        (MEETING_DAY - timedelta(days=1), "before the meeting that set it"),
    ):
        with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
            actions.complete_action(s, admin, row.id, expected_version=1, completed_on=when)
        assert fragment in exc.value.errors["completed_on"]
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        actions.complete_action(s, admin, row.id, expected_version=1, completed_on=None)  # type: ignore[arg-type]
    assert "required" in exc.value.errors["completed_on"]
    with pytest.raises(NotFound), db.sessions.begin() as s:
        actions.complete_action(s, admin, 9191, expected_version=1, completed_on=MEETING_DAY)


def test_list_open_actions_filters_and_flags_overdue(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        a, b = make_case(s, "Aa"), make_case(s, "Bb")
        late = old_action(s, a, due=MEETING_DAY - timedelta(days=5), agency="Police")
        soon = old_action(s, a, due=MEETING_DAY + timedelta(days=5), agency="Housing")
        other = old_action(s, b, due=MEETING_DAY + timedelta(days=1), agency="Police")
        police = agency_id(s, "Police")
    with db.sessions() as s:
        rows = actions.list_open_actions(s, as_of=MEETING_DAY)
        assert [r.id for r in rows] == [late, other, soon]
        assert [r.overdue for r in rows] == [True, False, False]
        assert [r.id for r in actions.list_open_actions(s, as_of=MEETING_DAY, case_id=a)] == [
            late,
            soon,
        ]
        by_police = actions.list_open_actions(s, as_of=MEETING_DAY, agency_id=police)
        assert [r.id for r in by_police] == [late, other]
        later = actions.list_open_actions(s, as_of=MEETING_DAY + timedelta(days=6))
        assert all(r.overdue for r in later)
