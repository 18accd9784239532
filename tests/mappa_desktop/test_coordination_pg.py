"""On a shared PostgreSQL server the database itself lets co-ordinators write referrals and case
events (migration 0007), readers only read them, and other writers not write them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mappa_desktop.domain.coordination import ReferralStatus
from mappa_desktop.services import case_events, cases, people, referrals
from tests.mappa_desktop.factories_cases import days_ago
from tests.mappa_desktop.test_pg_roles import Area, area, refused

__all__ = ["area"]  # the fixture, shared with the database-roles tests


@pytest.mark.pg
def test_coordinator_login_writes_referrals_and_events_others_cannot(area: Area) -> None:
    coord = area.db_as("coord")
    with coord.sessions.begin() as s:
        actor = people.get_actor(s, area.login("coord"))
        police = people.find_agency(s, "Police")
        assert police is not None
        case = cases.register_case(
            s,
            actor,
            family_name="Nguyễn",
            date_of_birth=None,
            lead_agency_id=police.id,
            category=2,
            level=1,
            registration_start=days_ago(200),
        )
        row = referrals.create_referral(
            s,
            actor,
            case_id=case.id,
            referring_agency_id=police.id,
            referral_date=days_ago(5),
            category=2,
            level_sought=2,
            reason="Escalation",
            current_rosh="high",
            added_value="Housing",
            referrer_name="T. Ahmed",
        )
    with coord.sessions.begin() as s:
        referrals.screen_referral(s, actor, row.id, outcome="accept", level=2, reason="Meets L2")
        case_events.record_case_event(
            s, actor, case.id, kind="serious_case_review", event_date=days_ago(1), source="SMB"
        )
    reader = area.engine_as("reader")
    with reader.connect() as conn:
        assert conn.scalar(sa.text("SELECT status FROM referral")) == ReferralStatus.ACCEPTED
        assert conn.scalar(sa.text("SELECT count(*) FROM case_event")) == 1
    refused(reader, "UPDATE referral SET reason = 'x'")
    taker = area.engine_as("taker")
    message = refused(
        taker,
        "INSERT INTO case_event (case_id, kind, event_date, source, detail, restricted, "
        "recorded_at, version) VALUES (:c, 'mappa_exit', CURRENT_DATE, 's', '', false, now(), 1)",
        c=case.id,
    )
    assert "case_event" in message
    refused(coord.engine, "DELETE FROM referral")
