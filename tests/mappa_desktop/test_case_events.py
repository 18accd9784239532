"""Case events between meetings: every kind recorded with its detail, audited, refused for
the wrong role or detail, a MAPPA exit ending the registration, and the agenda's "since the
case was last discussed" query."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from mappa_desktop.db.models import AuditEvent
from mappa_desktop.domain.coordination import SUBTYPES, CaseEventKind
from mappa_desktop.domain.enums import MeetingStatus, Role
from mappa_desktop.domain.errors import PermissionDenied, ValidationError
from mappa_desktop.services import agenda_pack, case_events, registration
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_cases import agency_id, days_ago, new_case, new_meeting


def _record(
    db: Database, actor: Actor, case_id: int, kind: CaseEventKind, day: date, subtype: str | None
) -> case_events.CaseEventRow:
    with db.sessions.begin() as s:
        return case_events.record_case_event(
            s,
            actor,
            case_id,
            kind=kind,
            event_date=day,
            source="PNC update",
            subtype=subtype,
            source_agency_id=agency_id(s, "Police"),
            detail=f"{kind.value} detail",
        )


def test_every_kind_is_recorded_listed_and_audited(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin, category=1, level=2, registration_start=days_ago(900)).id
    recorded = []
    for n, kind in enumerate(CaseEventKind):
        subtypes = SUBTYPES.get(kind, (None,))
        for m, subtype in enumerate(subtypes):
            recorded.append(_record(db, admin, case_id, kind, days_ago(300 - 10 * n - m), subtype))
    with db.sessions() as s:
        listed = case_events.list_case_events(s, case_id)
        audited = s.scalars(
            select(AuditEvent.entity_id).where(
                AuditEvent.entity == "case_event", AuditEvent.case_id == case_id
            )
        ).all()
    assert [e.id for e in listed] == [e.id for e in recorded]
    assert sorted(audited) == sorted(e.id for e in recorded)
    licence = next(e for e in listed if e.subtype == "breach_of_licence")
    assert licence.label == "Returned to custody: breach of licence"
    assert licence.source_agency == "Police" or licence.source_agency.startswith("Police")
    assert {e.kind for e in listed} == set(CaseEventKind)


def test_wrong_detail_and_future_dates_are_refused(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    with pytest.raises(ValidationError) as caught:
        _record(db, admin, case_id, CaseEventKind.RETURN_TO_CUSTODY, date(2099, 1, 1), None)
    assert {"subtype", "event_date"} <= set(caught.value.errors)
    with pytest.raises(ValidationError) as caught:
        _record(db, admin, case_id, CaseEventKind.SERIOUS_FURTHER_OFFENCE, days_ago(1), "sro")
    assert "no detail" in caught.value.errors["subtype"]


def test_only_coordinators_record_events(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    reader = make_user(db, "minutes1", [Role.MINUTE_TAKER])
    with pytest.raises(PermissionDenied, match="cannot record a case event"):
        _record(db, reader, case_id, CaseEventKind.SERIOUS_CASE_REVIEW, days_ago(1), None)


def test_a_mappa_exit_ends_the_registration(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin, registration_start=days_ago(500)).id
    _record(db, admin, case_id, CaseEventKind.MAPPA_EXIT, days_ago(3), None)
    with db.sessions() as s:
        current = registration.current_registration(s, case_id)
    assert current.ended_on == days_ago(3) and current.end_reason == "mappa_exit detail"


def test_correcting_an_event_is_audited(db: Database, admin: Actor) -> None:
    case_id = new_case(db, admin).id
    row = _record(db, admin, case_id, CaseEventKind.ORDER_IMPOSED, days_ago(9), "shpo")
    with db.sessions.begin() as s:
        fixed = case_events.correct_case_event(
            s, admin, row.id, expected_version=row.version, subtype="sro", restricted=True
        )
    assert (fixed.subtype, fixed.restricted, fixed.version) == ("sro", True, 2)
    with db.sessions() as s:
        actions = s.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity == "case_event", AuditEvent.entity_id == row.id
            )
        ).all()
    assert list(actions) == ["create", "update"]


def test_the_agenda_sees_events_since_the_case_was_last_discussed(
    db: Database, admin: Actor
) -> None:
    case_id = new_case(db, admin, registration_start=days_ago(800)).id
    other = new_case(db, admin, family_name="Quiet", registration_start=days_ago(800)).id
    first = new_meeting(
        db, case_ids=[case_id], status=MeetingStatus.DRAFT, meeting_date=days_ago(60)
    )
    before = _record(db, admin, case_id, CaseEventKind.ORDER_IMPOSED, days_ago(61), "shpo")
    same_day = _record(db, admin, case_id, CaseEventKind.ORDER_ENDED, days_ago(60), "sro")
    after = _record(
        db, admin, case_id, CaseEventKind.RETURN_TO_CUSTODY, days_ago(20), "breach_of_order"
    )
    after_next = _record(
        db, admin, case_id, CaseEventKind.NOTIFICATION_BREACH, days_ago(2), "convicted"
    )
    never = _record(db, admin, other, CaseEventKind.SERIOUS_FURTHER_OFFENCE, days_ago(30), None)
    nxt = new_meeting(
        db, case_ids=[case_id, other], status=MeetingStatus.PLANNED, meeting_date=days_ago(5)
    )
    with db.sessions() as s:
        since = case_events.events_since_last_meeting(s, nxt)
        at_first = case_events.events_since_last_meeting(s, first)
        pack = agenda_pack.agenda_pack(s, nxt)
    assert [e.id for e in since[case_id]] == [after.id]  # not before/at the last meeting
    assert [e.id for e in since[other]] == [never.id]  # never discussed: everything so far
    assert [e.id for e in at_first[case_id]] == [before.id, same_day.id]
    assert after_next.id not in {e.id for rows in since.values() for e in rows}
    item = next(i for i in pack.items if i.case_id == case_id)
    assert item.last_discussed == days_ago(60)
    assert item.events_since == (f"{days_ago(20).isoformat()}: {after.label}",)
