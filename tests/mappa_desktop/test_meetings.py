"""Meetings: scheduling, editing, the agenda builder, the statement, the status machine, the
sign-off checklist and the meeting loader's fixed statement count."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest

from mappa_desktop.db.models import Decision
from mappa_desktop.domain.enums import (
    ActionStatus,
    AgendaReason,
    AttendanceStatus,
    DecisionKind,
    MeetingStatus,
    NotDoneReason,
    Role,
    RoshLevel,
)
from mappa_desktop.domain.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    StateError,
    ValidationError,
)
from mappa_desktop.services import actions, attendance, audit, discussions, meetings, minutes
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import (
    MEETING_DAY,
    NEXT_REVIEW,
    add_risk,
    add_rmp_change,
    agency_id,
    make_case,
    old_action,
    person,
    ready_meeting,
    schedule,
)
from tests.statements import count_statements

# --- scheduling and editing -----------------------------------------------------------------------


def test_schedule_meeting_records_details_and_audit(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        taker = person(s, "Minute", "Mina", agency="MAPPA Unit")
        row = meetings.schedule_meeting(
            s,
            admin,
            level=3,
            meeting_type="initial",
            meeting_date=MEETING_DAY,
            start_time=time(10, 30),
            venue="  Room 4  ",
            chair_id=admin.person_id,
            minute_taker_id=taker,
        )
    assert row.level == 3 and row.status is MeetingStatus.PLANNED and row.version == 1
    assert row.venue == "Room 4"
    assert row.chair_name == "Test Okonkwo-Smith"
    assert row.minute_taker_name == "Mina Minute"
    with db.sessions() as s:
        events = audit.list_events(s, meeting_id=row.id)
    assert [e.action for e in events] == ["create"]
    assert events[0].changes["venue"] == [None, "Room 4"]


def test_schedule_meeting_rejects_every_bad_field(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        meetings.schedule_meeting(
            s,
            admin,
            level=1,
            meeting_type="weekly",
            meeting_date=None,  # type: ignore[arg-type]
            venue="x" * 201,
            chair_id=99999,
            minute_taker_id=88888,
            coordinator_id=77777,
        )
    errors = exc.value.errors
    assert set(errors) == {
        "level",
        "meeting_type",
        "meeting_date",
        "venue",
        "chair",
        "minute_taker",
        "coordinator",
    }
    assert "Level 2 or Level 3" in errors["level"]
    assert "201 characters" in errors["venue"]
    assert "99999 does not exist" in errors["chair"]


def test_schedule_meeting_refused_for_a_reader(db: Database, admin: Actor) -> None:
    reader = make_user(db, "reader", [Role.READER])
    with pytest.raises(PermissionDenied), db.sessions.begin() as s:
        schedule(s, reader, chair_id=admin.person_id)


def test_edit_meeting_changes_details_and_refuses_a_stale_version(
    db: Database, admin: Actor
) -> None:
    with db.sessions.begin() as s:
        row = schedule(s, admin)
    with db.sessions.begin() as s:
        edited = meetings.edit_meeting(
            s, admin, row.id, expected_version=row.version, venue="Probation office", level=3
        )
    assert edited.venue == "Probation office" and edited.level == 3
    assert edited.version == row.version + 1
    with pytest.raises(ConflictError), db.sessions.begin() as s:
        meetings.edit_meeting(s, admin, row.id, expected_version=row.version, venue="Old")
    with db.sessions() as s:
        assert meetings.get_meeting_row(s, row.id).venue == "Probation office"


def test_edit_meeting_rejects_unknown_fields_and_bad_values(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        row = schedule(s, admin)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        meetings.edit_meeting(s, admin, row.id, expected_version=row.version, status="draft")
    assert "status" in exc.value.errors
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        meetings.edit_meeting(
            s,
            admin,
            row.id,
            expected_version=row.version,
            level=4,
            venue="",
            chair_id=None,
            meeting_date=None,
        )
    assert set(exc.value.errors) == {"level", "chair", "meeting_date"}
    with pytest.raises(NotFound), db.sessions.begin() as s:
        meetings.edit_meeting(s, admin, 4242, expected_version=1, venue="x")


def test_edit_meeting_date_after_an_action_due_date_is_refused(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        case_id = make_case(s, "Due")
        meetings.add_to_agenda(s, admin, m.id, case_id)
        actions.set_action(
            s,
            admin,
            case_id,
            text="Visit",
            owner_agency_id=agency_id(s, "Police"),
            due_date=MEETING_DAY + timedelta(days=3),
            meeting_id=m.id,
        )
        version = meetings.get_meeting_row(s, m.id).version
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        meetings.edit_meeting(
            s, admin, m.id, expected_version=version, meeting_date=MEETING_DAY + timedelta(days=9)
        )
    assert "change that date first" in exc.value.errors["meeting_date"]


# --- the agenda -----------------------------------------------------------------------------------


def test_propose_agenda_finds_due_new_and_overdue_cases_once_each(
    db: Database, admin: Actor
) -> None:
    past = MEETING_DAY - timedelta(days=1)
    with db.sessions.begin() as s:
        earlier = schedule(s, admin, day=MEETING_DAY - timedelta(days=60))
        m = schedule(s, admin)
        due = make_case(s, "Due", next_review_due=past)
        due_today = make_case(s, "Today", next_review_due=MEETING_DAY)
        new = make_case(s, "New")  # never discussed anywhere
        overdue = make_case(s, "Overdue")
        other_level = make_case(s, "Levelthree", level=3, next_review_due=past)
        make_case(s, "Ended", next_review_due=past, ended_on=past)  # never proposed
        on_agenda = make_case(s, "Already", next_review_due=past)
        quiet = make_case(s, "Quiet")
        both = make_case(s, "Both", next_review_due=past)  # new referral and review due
        for case_id in (due, due_today, overdue, other_level, on_agenda, quiet):
            meetings.add_to_agenda(s, admin, earlier.id, case_id)
        old_action(s, overdue, due=past)
        old_action(s, quiet, due=MEETING_DAY + timedelta(days=5))  # open, not yet due
        meetings.add_to_agenda(s, admin, m.id, on_agenda)
    with db.sessions() as s:
        proposals = meetings.propose_agenda(s, m.id)
    by_case = {p.case_id: p for p in proposals}
    assert len(proposals) == len(by_case)  # each once
    assert set(by_case) == {due, due_today, new, overdue, both}
    assert by_case[due].reason is AgendaReason.REVIEW_DUE
    assert by_case[due_today].reason is AgendaReason.REVIEW_DUE
    assert by_case[new].reason is AgendaReason.NEW_REFERRAL
    assert by_case[overdue].reason is AgendaReason.OVERDUE_ACTIONS
    assert by_case[overdue].overdue_actions == 1
    assert by_case[both].reason is AgendaReason.NEW_REFERRAL
    assert "Review due" in by_case[both].detail and "New referral" in by_case[both].detail


def test_propose_agenda_unknown_meeting_is_not_found(db: Database, admin: Actor) -> None:
    with pytest.raises(NotFound), db.sessions() as s:
        meetings.propose_agenda(s, 31337)


def test_add_to_agenda_appends_in_order_with_reason(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        a, b = make_case(s, "Alpha"), make_case(s, "Beta")
        first = meetings.add_to_agenda(s, admin, m.id, a, reason="review_due")
        second = meetings.add_to_agenda(s, admin, m.id, b)
    assert (first.agenda_order, second.agenda_order) == (1, 2)
    assert first.agenda_reason is AgendaReason.REVIEW_DUE
    assert second.agenda_reason is AgendaReason.ADDED


def test_add_to_agenda_rejects_bad_input(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        a = make_case(s, "Alpha")
        gone = make_case(s, "Gone", ended_on=MEETING_DAY - timedelta(days=3))
        meetings.add_to_agenda(s, admin, m.id, a)
    cases: list[tuple[int, int, str, str]] = [
        (m.id, a, "added", "already on this meeting's agenda"),
        (m.id, 5555, "added", "does not exist"),
        (m.id, gone, "added", "no longer registered"),
    ]
    for meeting_id, case_id, reason, fragment in cases:
        with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
            meetings.add_to_agenda(s, admin, meeting_id, case_id, reason=reason)
        assert fragment in exc.value.errors["case"]
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        meetings.add_to_agenda(s, admin, m.id, gone, reason="because")
    assert "reason" in exc.value.errors
    with pytest.raises(NotFound), db.sessions.begin() as s:
        meetings.add_to_agenda(s, admin, 999, a)


def test_remove_from_agenda_renumbers_and_refuses_when_content_recorded(
    db: Database, admin: Actor
) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        ids = [make_case(s, n) for n in ("A", "B", "C")]
        discs = [meetings.add_to_agenda(s, admin, m.id, c).id for c in ids]
        discussions.add_information(
            s, admin, discs[2], agency_id=agency_id(s, "Police"), text="Arrested last week."
        )
    with db.sessions.begin() as s:
        meetings.remove_from_agenda(s, admin, discs[0])
    with db.sessions() as s:
        detail = meetings.get_meeting(s, m.id)
    assert [(i.discussion.id, i.discussion.agenda_order) for i in detail.agenda] == [
        (discs[1], 1),
        (discs[2], 2),
    ]
    with pytest.raises(StateError) as exc, db.sessions.begin() as s:
        meetings.remove_from_agenda(s, admin, discs[2])
    assert "information shared" in str(exc.value)
    with pytest.raises(NotFound), db.sessions.begin() as s:
        meetings.remove_from_agenda(s, admin, discs[0])


def test_reorder_agenda_sets_order_and_rejects_incomplete_lists(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        discs = [meetings.add_to_agenda(s, admin, m.id, make_case(s, n)).id for n in "XYZ"]
    with db.sessions.begin() as s:
        meetings.reorder_agenda(s, admin, m.id, [discs[2], discs[0], discs[1]])
    with db.sessions() as s:
        order = [i.discussion.id for i in meetings.get_meeting(s, m.id).agenda]
    assert order == [discs[2], discs[0], discs[1]]
    for bad in ([discs[0], discs[1]], [discs[0], discs[0], discs[1]], [*discs, 4040], []):
        with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
            meetings.reorder_agenda(s, admin, m.id, bad)
        assert "exactly once" in exc.value.errors["discussion_ids"]


# --- statement and status -------------------------------------------------------------------------


def test_confirm_statement_records_who_and_when(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
    with db.sessions.begin() as s:
        row = meetings.confirm_statement(s, admin, m.id)
    assert row.statement_confirmed_by_id == admin.user_id
    assert row.statement_confirmed_by == "Test Okonkwo-Smith"
    assert row.statement_confirmed_at is not None


def test_confirm_statement_only_by_chair_coordinator_or_administrator(
    db: Database, admin: Actor
) -> None:
    taker = make_user(db, "taker", [Role.MINUTE_TAKER])
    coordinator = make_user(db, "coord", [Role.COORDINATOR])
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        chaired_by_taker = schedule(s, admin, chair_id=taker.person_id)
    with pytest.raises(PermissionDenied) as exc, db.sessions.begin() as s:
        meetings.confirm_statement(s, taker, m.id)
    assert "chair" in str(exc.value)
    with db.sessions.begin() as s:
        assert meetings.confirm_statement(s, coordinator, m.id).statement_confirmed_by_id
        assert meetings.confirm_statement(s, taker, chaired_by_taker.id).statement_confirmed_at
    with pytest.raises(NotFound), db.sessions.begin() as s:
        meetings.confirm_statement(s, admin, 8080)


def test_status_machine_moves_forward_and_refuses_skips(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
    with pytest.raises(StateError) as exc, db.sessions.begin() as s:
        meetings.close_to_draft(s, admin, m.id)
    assert "is planned, so it cannot become draft minutes" in str(exc.value)
    with db.sessions.begin() as s:
        assert meetings.start_meeting(s, admin, m.id).status is MeetingStatus.IN_PROGRESS
    with pytest.raises(StateError), db.sessions.begin() as s:
        meetings.start_meeting(s, admin, m.id)
    with db.sessions.begin() as s:
        assert meetings.close_to_draft(s, admin, m.id).status is MeetingStatus.DRAFT
        assert meetings.reopen_meeting(s, admin, m.id).status is MeetingStatus.IN_PROGRESS
    with pytest.raises(StateError), db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, m.id)  # in progress, not draft


def test_submit_for_sign_off_lists_the_checklist(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        meetings.add_to_agenda(s, admin, m.id, make_case(s, "Checklist", "Chris"))
        meetings.start_meeting(s, admin, m.id)
        meetings.close_to_draft(s, admin, m.id)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, m.id)
    text = exc.value.errors["checklist"]
    assert "confidentiality and diversity statement has not been confirmed" in text
    assert "No attendance has been recorded" in text
    assert "Chris Checklist: no level decision" in text
    with db.sessions() as s:
        assert meetings.get_meeting_row(s, m.id).status is MeetingStatus.DRAFT


def test_sign_off_problems_name_every_missing_item(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        case_id = make_case(s, "Gaps", "Gill")
        disc = meetings.add_to_agenda(s, admin, m.id, case_id).id
        old_action(s, case_id, due=MEETING_DAY - timedelta(days=2), text="Check address")
        discussions.record_decision(
            s,
            admin,
            disc,
            kind=DecisionKind.DISCLOSURE,
            outcome="Disclose to new partner",
            rationale="Children in the household.",
            disclose=True,
            disclosure_to="New partner",
        )
        # A decision without rationale cannot come through the service; the checklist still
        # guards against one written by an older version or an import.
        s.add(
            Decision(
                discussion_id=disc,
                kind=DecisionKind.OTHER,
                outcome="Refer to housing",
                rationale="",
            )
        )
    with db.sessions() as s:
        problems = meetings.sign_off_problems(s, m.id)
    joined = "\n".join(problems)
    expected = [
        "confidentiality and diversity statement has not been confirmed",
        "No attendance has been recorded",
        "Gill Gaps: no level decision has been recorded",
        "Gill Gaps: no next review date has been set",
        "Gill Gaps: the other decision 'Refer to housing' has no rationale",
        "Gill Gaps: the decision to disclose does not say by whom, how, when",
        "Gill Gaps: the previous action 'Check address'",
    ]
    for fragment in expected:
        assert fragment in joined, fragment
    assert len(problems) == len(expected)
    with pytest.raises(NotFound), db.sessions() as s:
        meetings.sign_off_problems(s, 777)


def test_sign_off_problems_empty_for_a_complete_meeting(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin)
    with db.sessions() as s:
        assert meetings.sign_off_problems(s, ready.meeting_id) == []
    with db.sessions.begin() as s:
        row = meetings.submit_for_sign_off(s, admin, ready.meeting_id)
    assert row.status is MeetingStatus.AWAITING_SIGN_OFF


def test_edit_while_awaiting_sign_off_returns_to_draft(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin)
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
    with db.sessions.begin() as s:
        meetings.edit_meeting(
            s,
            admin,
            ready.meeting_id,
            expected_version=meetings.get_meeting_row(s, ready.meeting_id).version,
            venue="Moved",
        )
    with db.sessions() as s:
        row = meetings.get_meeting_row(s, ready.meeting_id)
        lapsed = [e for e in audit.list_events(s, meeting_id=ready.meeting_id)]
    assert row.status is MeetingStatus.DRAFT
    assert any(e.action == "approval_lapsed" for e in lapsed)


# --- the loader -----------------------------------------------------------------------------------


def _full_meeting(db: Database, admin: Actor, n_cases: int) -> int:
    """A meeting with ``n_cases`` cases, each with every kind of record."""
    with db.sessions.begin() as s:
        earlier = schedule(s, admin, day=MEETING_DAY - timedelta(days=40))
        m = schedule(s, admin)
        police, housing = agency_id(s, "Police"), agency_id(s, "Housing")
        officer = person(s, "Officer", "Olu")
        attendance.record_attendance(
            s, admin, m.id, agency_id=police, status="present", person_id=officer
        )
        for n in range(n_cases):
            case_id = make_case(s, f"Case{n}", "Kim")
            meetings.add_to_agenda(s, admin, earlier.id, case_id)
            add_risk(s, case_id, RoshLevel.VERY_HIGH)
            reviewed = old_action(s, case_id, due=MEETING_DAY - timedelta(days=1))
            old_action(s, case_id, due=MEETING_DAY + timedelta(days=20), text="Still open")
            disc = meetings.add_to_agenda(s, admin, m.id, case_id).id
            discussions.invite_agency(s, admin, disc, housing)
            attendance.record_case_attendance(
                s, admin, disc, agency_id=housing, status="report_submitted"
            )
            discussions.add_information(s, admin, disc, agency_id=police, text=f"Intel {n}")
            discussions.record_decision(
                s,
                admin,
                disc,
                kind="level",
                outcome="Stay at Level 2",
                rationale="Stable.",
                new_level=2,
                next_review_date=NEXT_REVIEW,
                dissents=[(housing, officer, "Should be Level 3.")],
            )
            actions.set_action(
                s,
                admin,
                case_id,
                text="Licence check",
                owner_agency_id=police,
                owner_person_id=officer,
                due_date=MEETING_DAY + timedelta(days=14),
                meeting_id=m.id,
            )
            actions.review_action(
                s,
                admin,
                m.id,
                reviewed,
                outcome="carried_over",
                not_done_reason="not_done_by_agency",
            )
            add_rmp_change(s, case_id, m.id, f"Curfew {n}")
        return m.id


def _count_statements(db: Database, fn: Any) -> int:
    return count_statements(db.engine, fn)


def test_get_meeting_statement_count_does_not_grow_with_cases(db: Database, admin: Actor) -> None:
    small, large = _full_meeting(db, admin, 2), _full_meeting(db, admin, 8)
    results: dict[int, meetings.MeetingDetail] = {}

    def load(meeting_id: int) -> None:
        with db.sessions() as s:
            results[meeting_id] = meetings.get_meeting(s, meeting_id)

    n_small = _count_statements(db, lambda: load(small))
    n_large = _count_statements(db, lambda: load(large))
    assert len(results[small].agenda) == 2 and len(results[large].agenda) == 8
    assert n_small == n_large
    assert n_small <= 25

    def build(meeting_id: int) -> None:
        with db.sessions() as s:
            assert len(minutes.build_content(s, meeting_id).cases) in (2, 8)

    assert _count_statements(db, lambda: build(small)) == _count_statements(
        db, lambda: build(large)
    )


def test_get_meeting_returns_everything_the_screen_needs(db: Database, admin: Actor) -> None:
    meeting_id = _full_meeting(db, admin, 2)
    with db.sessions() as s:
        detail = meetings.get_meeting(s, meeting_id)
    assert detail.meeting.id == meeting_id
    assert [a.person_name for a in detail.attendance] == ["Olu Officer"]
    item = detail.agenda[0]
    assert item.case.display_name == "Kim Case0"
    assert (item.case.category, item.case.level) == (2, 2)
    assert item.case.latest_rosh is RoshLevel.VERY_HIGH
    assert item.case.lead_agency == "Probation Service"
    assert item.case.last_review == MEETING_DAY - timedelta(days=40)
    assert item.invited_agencies == ("Local Housing Authority",)
    assert [(a.panel, a.agency_name, a.status) for a in item.attendance] == [
        ("core", "Police", AttendanceStatus.PRESENT),
        ("invited", "Local Housing Authority", AttendanceStatus.REPORT_SUBMITTED),
    ]
    assert [i.text for i in item.information] == ["Intel 0"]
    (decision,) = item.decisions
    assert decision.dissents[0].by == "Olu Officer (Local Housing Authority)"
    assert [p.action.text for p in item.previous_actions] == ["Home visit", "Still open"]
    reviewed, still_open = item.previous_actions
    assert reviewed.review is not None
    assert reviewed.review.outcome is ActionStatus.CARRIED_OVER
    assert reviewed.review.not_done_reason is NotDoneReason.NOT_DONE_BY_AGENCY
    assert reviewed.action.overdue  # due before the meeting and still open
    assert still_open.review is None
    assert [a.text for a in item.new_actions] == ["Licence check"]
    assert [r.text for r in item.rmp_changes] == ["Curfew 0"]
    assert any("HM Prison Service" in w for w in detail.attendance_warnings)
    assert any("Local Housing Authority was invited" in w for w in detail.attendance_warnings)
    assert any("'Still open'" in p for p in detail.sign_off_problems)


def test_get_meeting_unknown_is_not_found(db: Database, admin: Actor) -> None:
    with pytest.raises(NotFound), db.sessions() as s:
        meetings.get_meeting(s, 123456)


def test_a_chair_cannot_make_themselves_chair_of_another_meeting(
    db: Database, admin: Actor
) -> None:
    """Only the chair can sign off, so only co-ordination may decide who chairs."""
    chair = make_user(db, "chair2", [Role.CHAIR], family_name="Other")
    with db.sessions.begin() as s:
        row = schedule(s, admin)
    with pytest.raises(PermissionDenied, match="chairs a meeting"), db.sessions.begin() as s:
        meetings.edit_meeting(
            s, chair, row.id, expected_version=row.version, chair_id=chair.person_id
        )
    with db.sessions.begin() as s:  # a chair may still correct other details
        meetings.edit_meeting(s, chair, row.id, expected_version=row.version, venue="Room 2")
    with db.sessions.begin() as s:  # the co-ordinator may change the chair
        edited = meetings.edit_meeting(
            s, admin, row.id, expected_version=row.version + 1, chair_id=chair.person_id
        )
    assert edited.chair_id == chair.person_id
