"""The start page's lists (each line carrying the id to open) and the agenda pack's slots."""

from __future__ import annotations

from datetime import date, time, timedelta

from mappa_desktop.domain.enums import AgendaReason, MeetingStatus
from mappa_desktop.services import (
    agenda_pack,
    discussions,
    meetings,
    referrals,
    registration,
    settings,
)
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.start_page import start_page
from tests.conftest import Database
from tests.mappa_desktop.factories_cases import agency_id, days_ago, new_case, new_meeting
from tests.mappa_desktop.factories_meetings import old_action

TODAY = date.today()


def test_start_page_lists_what_needs_doing(db: Database, admin: Actor) -> None:
    due = new_case(db, admin, family_name="Due", registration_start=days_ago(200)).id
    level1 = new_case(db, admin, family_name="Quiet", level=1, registration_start=days_ago(50)).id
    with db.sessions.begin() as s:
        registration.set_next_review(s, admin, due, days_ago(3))
        overdue_action = old_action(s, due, due=days_ago(10), agency="Police")
        old_action(s, due, due=TODAY + timedelta(days=5), agency="Police")  # not overdue
        referral = referrals.create_referral(
            s,
            admin,
            case_id=level1,
            referring_agency_id=agency_id(s, "Police"),
            referral_date=days_ago(2),
            category=2,
            level_sought=2,
            reason="Escalation",
            current_rosh="high",
            added_value="Housing input",
            referrer_name="P. Clarke",
        )
        planned = meetings.schedule_meeting(
            s,
            admin,
            level=2,
            meeting_type="review",
            meeting_date=TODAY + timedelta(days=7),
            chair_id=admin.person_id,
        )
    draft = new_meeting(db, status=MeetingStatus.DRAFT, meeting_date=days_ago(4))
    with db.sessions() as s:
        page = start_page(s, TODAY)
    [meeting] = page.next_meetings
    assert meeting.meeting_id == planned.id and meeting.cases_on_agenda == 0
    assert meeting.cases_proposed == 1 and not meeting.ready  # the due case
    assert (
        "no minute-taker named" in meeting.missing and "no cases on the agenda" in meeting.missing
    )
    assert [r.id for r in page.referrals_awaiting] == [referral.id]
    assert [(r.case_id, r.overdue) for r in page.reviews_due] == [(due, True)]
    [agency_line] = page.overdue_actions
    assert agency_line.overdue == 1 and agency_line.case_ids == (due,)
    assert agency_line.oldest_due == days_ago(10) and overdue_action
    assert [(m.meeting_id, m.waiting_for, m.days_since_meeting) for m in page.minutes_pending] == [
        (draft, "minutes to be finished", 4)
    ]


def test_agenda_pack_gives_slots_and_joining_instructions(db: Database, admin: Actor) -> None:
    first = new_case(db, admin, family_name="Ångström", registration_start=days_ago(200)).id
    second = new_case(db, admin, family_name="Øye", registration_start=days_ago(200)).id
    with db.sessions.begin() as s:
        settings.set_agenda_settings(
            s, admin, slot_minutes=25, joining_instructions="Use the secure link; arrive early."
        )
        row = meetings.schedule_meeting(
            s,
            admin,
            level=2,
            meeting_type="review",
            meeting_date=TODAY + timedelta(days=3),
            start_time=time(9, 30),
            chair_id=admin.person_id,
        )
        meetings.add_to_agenda(s, admin, row.id, first, reason=AgendaReason.REVIEW_DUE)
        disc = meetings.add_to_agenda(s, admin, row.id, second)
        discussions.invite_agency(s, admin, disc.id, agency_id(s, "Housing"))
    with db.sessions() as s:
        pack = agenda_pack.agenda_pack(s, row.id)
    assert pack.joining_instructions == "Use the secure link; arrive early."
    assert [(i.case_id, i.slot_start, i.slot_end) for i in pack.items] == [
        (first, time(9, 30), time(9, 55)),
        (second, time(9, 55), time(10, 20)),
    ]
    assert pack.end_time == time(10, 20) and pack.slot_minutes == 25
    assert pack.items[1].invited_agencies and "Housing" in pack.items[1].invited_agencies[0]
    assert pack.items[0].reason_label == "review due"
    assert pack.core_agencies  # the Responsible Authority agencies
