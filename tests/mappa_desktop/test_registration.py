"""Registration history: level/category changes keep the old row; review dates; exit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mappa_desktop.domain.enums import MeetingStatus, Role
from mappa_desktop.domain.errors import NotFound, PermissionDenied, StateError, ValidationError
from mappa_desktop.services import audit, registration
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_cases import (
    TODAY,
    days_ago,
    meeting_status,
    new_case,
    new_meeting,
)

START = days_ago(200)


def _case(db: Database, admin: Actor, **overrides: object) -> int:
    return new_case(db, admin, registration_start=START, **overrides).id


def test_current_registration_and_history_after_registering(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    with db.sessions.begin() as s:
        current = registration.current_registration(s, case_id)
        history = registration.registration_history(s, case_id)
    assert history == [current]
    assert (current.category, current.level, current.start_date) == (2, 2, START)
    assert current.recorded_by == "Test Okonkwo-Smith"
    assert current.label == "Category 2, Level 2"


def test_change_registration_closes_the_old_row_and_starts_a_new_one(
    db: Database, admin: Actor
) -> None:
    case_id = _case(db, admin)
    meeting_id = new_meeting(db, case_ids=[case_id])
    effective = days_ago(3)
    with db.sessions.begin() as s:
        old = registration.current_registration(s, case_id)
        new = registration.change_registration(
            s,
            admin,
            case_id,
            category=2,
            level=3,
            rationale="Media interest; needs senior oversight.",
            effective_date=effective,
            meeting_id=meeting_id,
        )
    assert new.id != old.id and new.is_current
    assert (new.category, new.level, new.start_date) == (2, 3, effective)
    assert new.next_review_due == effective + timedelta(days=8 * 7)  # the Level 3 interval
    assert new.rationale == "Media interest; needs senior oversight."
    assert new.meeting_id == meeting_id and new.recorded_by_id == admin.user_id
    with db.sessions.begin() as s:
        history = registration.registration_history(s, case_id)
        assert registration.current_registration(s, case_id) == new
    assert [r.id for r in history] == [new.id, old.id]  # newest first
    closed = history[1]
    assert not closed.is_current and closed.ended_on is None
    assert (closed.level, closed.rationale) == (2, "Initial registration")
    assert closed.superseded_on == effective


def test_change_registration_uses_a_given_next_review_date(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    due = TODAY + timedelta(days=30)
    with db.sessions.begin() as s:
        new = registration.change_registration(
            s,
            admin,
            case_id,
            category=3,
            level=2,
            rationale="Recategorised after review of the offence.",
            effective_date=TODAY,
            next_review_due=due,
        )
    assert (new.category, new.next_review_due) == (3, due)


def test_change_registration_audits_old_and_new_values(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    meeting_id = new_meeting(db, case_ids=[case_id])
    with db.sessions.begin() as s:
        new = registration.change_registration(
            s,
            admin,
            case_id,
            category=2,
            level=3,
            rationale="Escalated.",
            effective_date=TODAY,
            meeting_id=meeting_id,
        )
        event = audit.list_events(s, case_id=case_id)[-1]
    assert (event.entity, event.entity_id, event.action) == ("registration", new.id, "change")
    assert event.changes["level"] == [2, 3]
    assert event.changes["category"] == [2, 2]
    assert event.changes["rationale"] == [None, "Escalated."]
    assert event.meeting_id == meeting_id


def test_change_registration_with_same_category_and_level_only_sets_the_review(
    db: Database, admin: Actor
) -> None:
    case_id = _case(db, admin)
    due = TODAY + timedelta(days=40)
    with db.sessions.begin() as s:
        before = registration.current_registration(s, case_id)
        unchanged = registration.change_registration(
            s, admin, case_id, category=2, level=2, rationale="Stays at 2.", effective_date=TODAY
        )
        assert unchanged == before
        reviewed = registration.change_registration(
            s,
            admin,
            case_id,
            category=2,
            level=2,
            rationale="Stays at 2.",
            effective_date=TODAY,
            next_review_due=due,
        )
        history = registration.registration_history(s, case_id)
    assert reviewed.id == before.id and reviewed.next_review_due == due
    assert len(history) == 1


def test_change_registration_does_not_consult_the_meeting_guard(db: Database, admin: Actor) -> None:
    # Sign-off applies level decisions after the minutes are frozen: a signed-off meeting is
    # only a link here.
    case_id = _case(db, admin)
    meeting_id = new_meeting(db, case_ids=[case_id], status=MeetingStatus.SIGNED_OFF)
    with db.sessions.begin() as s:
        new = registration.change_registration(
            s,
            admin,
            case_id,
            category=2,
            level=3,
            rationale="Panel decision.",
            effective_date=days_ago(1),
            meeting_id=meeting_id,
        )
    assert new.meeting_id == meeting_id
    assert meeting_status(db, meeting_id) is MeetingStatus.SIGNED_OFF


def test_change_registration_refuses_bad_input(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        registration.change_registration(
            s,
            admin,
            case_id,
            category=3,
            level=1,
            rationale="  ",
            effective_date=START - timedelta(days=1),
            next_review_due=START - timedelta(days=2),
        )
    errors = exc.value.errors
    assert "Category 3" in errors["level"]
    assert "cannot be empty" in errors["rationale"]
    assert "before the current registration's start" in errors["effective_date"]
    assert "before the effective date" in errors["next_review_due"]
    with db.sessions.begin() as s:
        assert len(registration.registration_history(s, case_id)) == 1


def test_change_registration_refuses_a_year_typo_far_ahead(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        registration.change_registration(
            s,
            admin,
            case_id,
            category=2,
            level=3,
            rationale="Escalated.",
            effective_date=TODAY,
            next_review_due=TODAY.replace(year=TODAY.year + 36),
        )
    assert "check the year" in exc.value.errors["next_review_due"]


def test_change_registration_refuses_unknown_meeting_or_case_not_on_its_agenda(
    db: Database, admin: Actor
) -> None:
    case_id = _case(db, admin)
    other_meeting = new_meeting(db, case_ids=[])
    for meeting_id, expected in ((987_654, "does not exist"), (other_meeting, "not on the agenda")):
        with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
            registration.change_registration(
                s,
                admin,
                case_id,
                category=2,
                level=3,
                rationale="Escalated.",
                effective_date=TODAY,
                meeting_id=meeting_id,
            )
        assert expected in exc.value.errors["meeting_id"]


def test_registration_functions_on_unknown_case_raise_not_found(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        with pytest.raises(NotFound):
            registration.current_registration(s, 31_337)
        with pytest.raises(NotFound):
            registration.registration_history(s, 31_337)
        with pytest.raises(NotFound):
            registration.change_registration(
                s, admin, 31_337, category=2, level=3, rationale="x", effective_date=TODAY
            )
        with pytest.raises(NotFound):
            registration.set_next_review(s, admin, 31_337, TODAY)
        with pytest.raises(NotFound):
            registration.end_registration(s, admin, 31_337, ended_on=TODAY, end_reason="x")


def test_set_next_review_updates_the_current_row_and_audits(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    due = TODAY + timedelta(days=14)
    with db.sessions.begin() as s:
        before = registration.current_registration(s, case_id)
        after = registration.set_next_review(s, admin, case_id, due)
        event = audit.list_events(s, case_id=case_id)[-1]
    assert after.id == before.id and after.next_review_due == due
    assert after.version == before.version + 1
    assert event.action == "set_next_review"
    assert event.changes == {
        "next_review_due": [audit.plain(before.next_review_due), due.isoformat()]
    }


def test_set_next_review_refuses_a_date_before_the_registration_start(
    db: Database, admin: Actor
) -> None:
    case_id = _case(db, admin)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        registration.set_next_review(s, admin, case_id, START - timedelta(days=1))
    assert "before the registration start" in exc.value.errors["next_review_due"]


def test_end_registration_records_the_exit_and_refuses_later_changes(
    db: Database, admin: Actor
) -> None:
    case_id = _case(db, admin)
    with db.sessions.begin() as s:
        ended = registration.end_registration(
            s, admin, case_id, ended_on=days_ago(1), end_reason="Licence expired."
        )
    assert ended.is_ended and ended.is_current
    assert (ended.ended_on, ended.end_reason) == (days_ago(1), "Licence expired.")
    with db.sessions.begin() as s:
        with pytest.raises(StateError, match="ended on"):
            registration.change_registration(
                s, admin, case_id, category=2, level=3, rationale="x", effective_date=TODAY
            )
        with pytest.raises(StateError):
            registration.set_next_review(s, admin, case_id, TODAY)
        with pytest.raises(StateError):
            registration.end_registration(s, admin, case_id, ended_on=TODAY, end_reason="again")
        event = audit.list_events(s, case_id=case_id)[-1]
    assert event.action == "end"
    assert event.changes["end_reason"] == ["", "Licence expired."]


def test_end_registration_refuses_bad_input(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        registration.end_registration(
            s, admin, case_id, ended_on=START - timedelta(days=1), end_reason=""
        )
    assert set(exc.value.errors) == {"ended_on", "end_reason"}
    with db.sessions.begin() as s:
        assert not registration.current_registration(s, case_id).is_ended


def test_reader_cannot_change_registrations(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    reader = make_user(db, "reader", [Role.READER])
    with db.sessions.begin() as s:
        with pytest.raises(PermissionDenied):
            registration.change_registration(
                s, reader, case_id, category=2, level=3, rationale="x", effective_date=TODAY
            )
        with pytest.raises(PermissionDenied):
            registration.set_next_review(s, reader, case_id, TODAY)
        with pytest.raises(PermissionDenied):
            registration.end_registration(s, reader, case_id, ended_on=TODAY, end_reason="x")
        # Reading is allowed and shows nothing changed.
        assert registration.current_registration(s, case_id).level == 2
