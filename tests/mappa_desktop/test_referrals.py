"""Referrals (MAPPA A): recording, screening (audited, co-ordinators only), the agenda proposal
of accepted referrals, days to the first meeting, and the all-or-nothing CSV import."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from mappa_desktop.db.models import AuditEvent, Referral
from mappa_desktop.domain.coordination import ReferralSource, ReferralStatus
from mappa_desktop.domain.enums import AgendaReason, Role
from mappa_desktop.domain.errors import PermissionDenied, StateError, ValidationError
from mappa_desktop.services import meetings, referrals, registration
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_cases import agency_id, days_ago, new_case, new_person

TODAY = date.today()


def _refer(db: Database, actor: Actor, case_id: int, **overrides: Any) -> referrals.ReferralRow:
    with db.sessions.begin() as s:
        values: dict[str, Any] = {
            "case_id": case_id,
            "referring_agency_id": agency_id(s, "Probation"),
            "referral_date": days_ago(20),
            "category": 2,
            "level_sought": 2,
            "reason": "Escalating threats towards a former partner.",
            "current_rosh": "high",
            "added_value": "Police and housing co-ordination on release.",
            "referrer_name": "Ana Lúcia Đặng",
        }
        values.update(overrides)
        return referrals.create_referral(s, actor, **values)


def _level1_case(db: Database, actor: Actor) -> int:
    return new_case(db, actor, level=1, category=2, registration_start=days_ago(400)).id


def test_a_recorded_referral_awaits_screening(db: Database, admin: Actor) -> None:
    case_id = _level1_case(db, admin)
    row = _refer(db, admin, case_id)
    assert row.status is ReferralStatus.AWAITING_SCREENING
    assert row.referrer_name == "Ana Lúcia Đặng" and row.referring_agency == "Probation Service"
    assert row.source is ReferralSource.APP and row.days_to_first_meeting is None
    with db.sessions() as s:
        assert [r.id for r in referrals.awaiting_screening(s)] == [row.id]
        assert [r.id for r in referrals.list_referrals(s, case_id=case_id)] == [row.id]


def test_bad_referrals_name_each_field(db: Database, admin: Actor) -> None:
    case_id = _level1_case(db, admin)
    with pytest.raises(ValidationError) as caught:
        _refer(
            db,
            admin,
            case_id,
            level_sought=3,
            reason=" ",
            current_rosh="extreme",
            referral_date=TODAY + timedelta(days=3),
            referrer_name="",
        )
    errors = caught.value.errors
    assert set(errors) >= {"level3_reason", "reason", "current_rosh", "referral_date"}
    assert "Level 2" in errors["level3_reason"]
    assert "referrer_name" in errors  # neither a person nor a name
    with db.sessions() as s:
        assert s.scalar(select(Referral.id)) is None


def test_a_second_open_referral_for_a_case_is_refused(db: Database, admin: Actor) -> None:
    case_id = _level1_case(db, admin)
    first = _refer(db, admin, case_id)
    with pytest.raises(ValidationError) as caught:
        _refer(db, admin, case_id)
    assert f"referral {first.id}" in caught.value.errors["case_id"]


def test_screening_needs_the_coordinator_role(db: Database, admin: Actor) -> None:
    case_id = _level1_case(db, admin)
    row = _refer(db, admin, case_id)
    chair = make_user(db, "chair1", [Role.CHAIR, Role.MINUTE_TAKER])
    with db.sessions.begin() as s, pytest.raises(PermissionDenied) as caught:
        referrals.screen_referral(s, chair, row.id, outcome="accept", level=2, reason="Meets L2")
    message = str(caught.value)
    assert "cannot screen a referral" in message and "coordinator" in message
    with db.sessions() as s:
        assert referrals.get_referral(s, row.id).status is ReferralStatus.AWAITING_SCREENING


def test_accepting_moves_the_registration_and_is_audited(db: Database, admin: Actor) -> None:
    case_id = _level1_case(db, admin)
    row = _refer(db, admin, case_id, level_sought=3, level3_reason="Media interest.")
    with db.sessions.begin() as s:
        done = referrals.screen_referral(
            s,
            admin,
            row.id,
            outcome="accept",
            level=3,
            reason="Very High RoSH with national media interest.",
            screened_on=days_ago(10),
            expected_version=row.version,
        )
    assert done.status is ReferralStatus.ACCEPTED and done.accepted_level == 3
    assert done.screened_on == days_ago(10) and done.screened_by
    with db.sessions() as s:
        current = registration.current_registration(s, case_id)
        assert (current.level, current.start_date) == (3, days_ago(10))
        assert f"Referral {row.id} accepted at Level 3" in current.rationale
        screen = s.scalars(
            select(AuditEvent).where(AuditEvent.entity == "referral", AuditEvent.action == "screen")
        ).one()
        assert screen.entity_id == row.id and screen.case_id == case_id
        assert screen.user_id == admin.user_id and '"accepted"' in screen.changes
    with db.sessions.begin() as s, pytest.raises(StateError, match="already accepted"):
        referrals.screen_referral(s, admin, row.id, outcome="decline", reason="Changed my mind")


def test_decline_needs_a_reason_and_leaves_the_level(db: Database, admin: Actor) -> None:
    case_id = _level1_case(db, admin)
    row = _refer(db, admin, case_id)
    with db.sessions.begin() as s, pytest.raises(ValidationError) as caught:
        referrals.screen_referral(s, admin, row.id, outcome="decline", reason="")
    assert "reason" in caught.value.errors
    with db.sessions.begin() as s, pytest.raises(ValidationError) as caught:
        referrals.screen_referral(s, admin, row.id, outcome="accept", reason="ok", level=1)
    assert "level" in caught.value.errors
    with db.sessions.begin() as s:
        declined = referrals.screen_referral(
            s, admin, row.id, outcome="decline", reason="Managed well at Level 1."
        )
    assert declined.status is ReferralStatus.DECLINED and declined.accepted_level is None
    with db.sessions() as s:
        assert registration.current_registration(s, case_id).level == 1


def test_returned_referral_can_be_resubmitted(db: Database, admin: Actor) -> None:
    case_id = _level1_case(db, admin)
    row = _refer(db, admin, case_id)
    with db.sessions.begin() as s:
        back = referrals.screen_referral(
            s, admin, row.id, outcome="return", reason="Send the OASys summary."
        )
    assert back.status is ReferralStatus.RETURNED
    with db.sessions.begin() as s:
        again = referrals.resubmit_referral(
            s, admin, row.id, expected_version=back.version, added_value="Now with OASys."
        )
    assert again.status is ReferralStatus.AWAITING_SCREENING
    assert again.added_value == "Now with OASys." and again.screened_on is None


def test_accepted_referral_is_proposed_and_days_to_first_meeting_shown(
    db: Database, admin: Actor
) -> None:
    case_id = _level1_case(db, admin)
    referred_on = days_ago(30)
    row = _refer(db, admin, case_id, referral_date=referred_on)
    chair_id = new_person(db, "Chair", "Police")
    with db.sessions.begin() as s:
        referrals.screen_referral(
            s,
            admin,
            row.id,
            outcome="accept",
            level=2,
            reason="Meets Level 2.",
            screened_on=days_ago(25),
        )
        later = meetings.schedule_meeting(
            s,
            admin,
            level=2,
            meeting_type="initial",
            meeting_date=TODAY + timedelta(days=9),
            chair_id=chair_id,
        )
        sooner = meetings.schedule_meeting(
            s,
            admin,
            level=2,
            meeting_type="initial",
            meeting_date=TODAY + timedelta(days=2),
            chair_id=chair_id,
        )
        level3 = meetings.schedule_meeting(
            s,
            admin,
            level=3,
            meeting_type="review",
            meeting_date=TODAY + timedelta(days=1),
            chair_id=chair_id,
        )
    with db.sessions() as s:
        suggestion = referrals.suggest_meeting(s, row.id, today=TODAY)
        assert (suggestion.meeting_id, suggestion.level) == (sooner.id, 2)
        proposals = meetings.propose_agenda(s, sooner.id)
        mine = [p for p in proposals if p.case_id == case_id]
        assert len(mine) == 1 and mine[0].reason is AgendaReason.NEW_REFERRAL
        assert "Accepted referral" in mine[0].detail
        assert all(p.case_id != case_id for p in meetings.propose_agenda(s, level3.id))
        assert [r.id for r in referrals.awaiting_initial_meeting(s, 2, sooner.meeting_date)] == [
            row.id
        ]
    with db.sessions.begin() as s:
        meetings.add_to_agenda(s, admin, sooner.id, case_id, reason=AgendaReason.NEW_REFERRAL)
    with db.sessions() as s:
        shown = referrals.get_referral(s, row.id)
        assert shown.first_meeting_id == sooner.id
        assert shown.days_to_first_meeting == (sooner.meeting_date - referred_on).days == 32
        assert referrals.awaiting_initial_meeting(s, 2, later.meeting_date) == []
        assert all(p.case_id != case_id for p in meetings.propose_agenda(s, later.id))


def test_import_is_all_or_nothing_with_errors_per_row(db: Database, admin: Actor) -> None:
    first = _level1_case(db, admin)
    second = new_case(
        db,
        admin,
        family_name="Nowak",
        level=1,
        category=1,
        registration_start=days_ago(300),
        identifiers={"crn": "X123456"},
    ).id
    header = (
        "case_id,crn,referring_agency,referrer_name,referral_date,category,level_sought,"
        "reason,current_rosh,added_value,level3_reason\n"
    )
    good = (
        f"{first},,Probation,J. Smith,{days_ago(5).isoformat()},2,2,Threats,High,Housing,\n"
        f",X123456,police,K. Jones,{days_ago(4):%d/%m/%Y},1,Level 3,Grooming,Very High,"
        "Senior oversight,Needs resources at short notice\n"
    )
    bad = ",Z999,Nobody,,yesterday,7,2,,,,\n"
    with db.sessions.begin() as s, pytest.raises(ValidationError) as caught:
        referrals.import_referrals_csv(s, admin, header + good + bad)
    errors = caught.value.errors
    assert {"row 4, crn", "row 4, referring_agency", "row 4, referral_date"} <= set(errors)
    with db.sessions() as s:
        assert s.scalar(select(Referral.id)) is None
    with db.sessions.begin() as s:
        result = referrals.import_referrals_csv(s, admin, header + good)
    assert result.created == 2
    with db.sessions() as s:
        rows = {r.case_id: r for r in referrals.list_referrals(s)}
    assert set(rows) == {first, second}
    assert rows[second].level_sought == 3 and rows[second].current_rosh.value == "very_high"
    assert rows[second].source is ReferralSource.IMPORT
