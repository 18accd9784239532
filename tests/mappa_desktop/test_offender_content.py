"""What each offender's record is built from (schema 3): the case texts, risk trend, who gave
information and when (or that an agency declined), action purposes, the offender's meeting
sequence, attendance for the case, addenda naming the record they correct; frozen at sign-off,
and content signed before schema 3 still read."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from mappa_desktop.db.base import utcnow
from mappa_desktop.db.models import Case, Meeting, Minutes, Person, Registration
from mappa_desktop.domain.enums import MeetingStatus, RiskTrend
from mappa_desktop.domain.errors import (
    ConflictError,
    StateError,
    StorageError,
    ValidationError,
)
from mappa_desktop.services import (
    actions,
    attendance,
    audit,
    discussions,
    meetings,
    minutes,
    minutes_hash,
)
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.minutes_content import (
    ActionEntry,
    CaseEntry,
    InformationEntry,
    MeetingIdentity,
    MinutesContent,
    canonical_json,
    content_hash,
)
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import (
    MEETING_DAY,
    NAMES,
    Ready,
    agency_id,
    make_case,
    person,
    ready_meeting,
    schedule,
)


def _events(s: Any, meeting_id: int, entity: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (e.action, e.changes)
        for e in audit.list_events(s, meeting_id=meeting_id)
        if e.entity == entity
    ]


# --- the case texts and the risk trend ------------------------------------------------------------


@pytest.mark.parametrize("field", sorted(discussions.CASE_TEXT_FIELDS))
def test_set_case_text_stores_and_audits_each_field(db: Database, admin: Actor, field: str) -> None:
    ready = ready_meeting(db, admin, names=NAMES[:1])
    disc = ready.discussion_ids[0]
    with db.sessions.begin() as s:
        before = discussions.get_discussion(s, disc)
        row = discussions.set_case_text(
            s, admin, disc, field, "  Ex-partner, 彼女の子供 (aged 4)  ", expected_version=None
        )
        unchanged = discussions.set_case_text(
            s, admin, disc, field, "Ex-partner, 彼女の子供 (aged 4)"
        )
    assert getattr(row, field) == "Ex-partner, 彼女の子供 (aged 4)"
    assert unchanged.version == row.version == before.version + 1  # same text: no write
    with db.sessions() as s:
        events = _events(s, ready.meeting_id, "case_discussion")
    assert events[-1] == (
        "update",
        {field: [getattr(before, field), "Ex-partner, 彼女の子供 (aged 4)"]},
    )


def test_set_case_text_refuses_an_unknown_field_a_stale_version_and_too_long_text(
    db: Database, admin: Actor
) -> None:
    ready = ready_meeting(db, admin, names=NAMES[:1])
    disc = ready.discussion_ids[0]
    with db.sessions() as s:
        version = discussions.get_discussion(s, disc).version
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.set_case_text(s, admin, disc, "agenda_order", "1")
    assert "victim_issues" in exc.value.errors["field"]
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.set_case_text(s, admin, disc, "diversity_issues", "x" * 20_001)
    assert "shorten it" in exc.value.errors["diversity_issues"]
    with db.sessions.begin() as s:
        discussions.set_case_text(s, admin, disc, "notes", "Discussed.", expected_version=version)
    with pytest.raises(ConflictError) as conflict, db.sessions.begin() as s:
        discussions.set_risk_summary(s, admin, disc, "Late edit", expected_version=version)
    assert isinstance(conflict.value.current, discussions.DiscussionRow)
    assert conflict.value.current.notes == "Discussed."


def test_set_risk_trend_records_clears_and_names_a_bad_value(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin, names=NAMES[:1])
    disc = ready.discussion_ids[0]
    with db.sessions.begin() as s:
        row = discussions.set_risk_trend(s, admin, disc, "increasing")
    assert row.risk_trend is RiskTrend.INCREASING
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.set_risk_trend(s, admin, disc, "worse")
    assert "increasing, stable, decreasing" in exc.value.errors["risk_trend"]
    with db.sessions.begin() as s:
        cleared = discussions.set_risk_trend(s, admin, disc, None, expected_version=row.version)
        events = _events(s, ready.meeting_id, "case_discussion")
    assert cleared.risk_trend is None
    assert [c for _, c in events[-2:]] == [
        {"risk_trend": [None, "increasing"]},
        {"risk_trend": ["increasing", None]},
    ]


@pytest.mark.parametrize(
    ("field", "phrase"),
    [("notes", "the discussion"), ("victim_issues", "the victim and potential-victim issues")],
)
def test_a_case_with_its_discussion_recorded_stays_on_the_agenda(
    db: Database, admin: Actor, field: str, phrase: str
) -> None:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        disc = meetings.add_to_agenda(s, admin, m.id, make_case(s, "Kept", "Kit")).id
        discussions.set_case_text(s, admin, disc, field, "Recorded.")
    with pytest.raises(StateError, match=f"has {phrase} recorded"), db.sessions.begin() as s:
        meetings.remove_from_agenda(s, admin, disc)


# --- information: who gave it, as at when, declined -----------------------------------------------


def test_information_records_who_gave_it_when_and_a_refusal_with_its_reason(
    db: Database, admin: Actor
) -> None:
    ready = ready_meeting(db, admin, names=NAMES[:1])
    disc = ready.discussion_ids[0]
    as_at = MEETING_DAY - timedelta(days=3)
    with db.sessions.begin() as s:
        housing, health = agency_id(s, "Housing"), agency_id(s, "Mental Health")
        officer = person(s, "Officer", "Hal", agency="Housing")
        given = discussions.add_information(
            s,
            admin,
            disc,
            agency_id=housing,
            text="Tenancy ends in May.",
            given_by_id=officer,
            as_at=as_at,
        )
        declined = discussions.add_information(
            s,
            admin,
            disc,
            agency_id=health,
            text="Patient confidentiality: consent refused.",
            declined=True,
        )
    assert (given.given_by_id, given.given_by, given.as_at, given.declined) == (
        officer,
        "Hal Officer",
        as_at,
        False,
    )
    assert declined.declined and declined.given_by == "" and declined.as_at is None
    with db.sessions() as s:
        created = [c for a, c in _events(s, ready.meeting_id, "information_shared")]
    assert created[0]["given_by_id"] == [None, officer]
    assert created[0]["as_at"] == [None, as_at.isoformat()]
    assert created[1]["declined"] == [None, True]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"declined": True, "text": "  "}, "text", "why the agency declined"),
        ({"given_by": "police"}, "given_by", "works for Police, not Local Housing Authority"),
        ({"given_by": 999_999}, "given_by", "does not exist"),
        ({"as_at": MEETING_DAY + timedelta(days=1)}, "as_at", "after the meeting"),
    ],
)
def test_bad_information_names_the_field_and_writes_nothing(
    db: Database, admin: Actor, change: dict[str, Any], field: str, words: str
) -> None:
    ready = ready_meeting(db, admin, names=NAMES[:1])
    with db.sessions.begin() as s:
        housing = agency_id(s, "Housing")
        who = {"police": person(s, "Constable", "Cara", agency="Police")}
    given_by = change.get("given_by")
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.add_information(
            s,
            admin,
            ready.discussion_ids[0],
            agency_id=housing,
            text=change.get("text", "Tenancy ends."),
            given_by_id=who.get(given_by, given_by) if given_by is not None else None,
            as_at=change.get("as_at"),
            declined=change.get("declined", False),
        )
    assert words in exc.value.errors[field]
    with db.sessions() as s:
        assert meetings.get_meeting(s, ready.meeting_id).agenda[0].information == ()
        assert _events(s, ready.meeting_id, "information_shared") == []


def test_save_and_edit_information_keep_what_they_are_not_given(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin, names=NAMES[:1])
    disc = ready.discussion_ids[0]
    as_at = MEETING_DAY - timedelta(days=1)
    with db.sessions.begin() as s:
        housing = agency_id(s, "Housing")
        officer = person(s, "Officer", "Hal", agency="Housing")
        first = discussions.save_information(
            s,
            admin,
            disc,
            agency_id=housing,
            text="Tenancy ends.",
            expected_version=None,
            given_by_id=officer,
            as_at=as_at,
        )
    assert first is not None and first.given_by_id == officer
    with db.sessions.begin() as s:
        kept = discussions.save_information(
            s, admin, disc, agency_id=housing, text="Tenancy ends 1 May.", expected_version=1
        )
    assert kept is not None
    assert (kept.text, kept.given_by_id, kept.as_at, kept.declined) == (
        "Tenancy ends 1 May.",
        officer,
        as_at,
        False,
    )
    with db.sessions.begin() as s:
        edited = discussions.edit_information(
            s,
            admin,
            kept.id,
            expected_version=kept.version,
            text="Will not share the tenancy file.",
            given_by_id=None,
            declined=True,
        )
    assert (edited.given_by_id, edited.as_at, edited.declined) == (None, as_at, True)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.edit_information(s, admin, edited.id, expected_version=edited.version, text="")
    assert "why the agency declined" in exc.value.errors["text"]
    with db.sessions() as s:
        last = _events(s, ready.meeting_id, "information_shared")[-1]
    assert last == (
        "update",
        {
            "text": ["Tenancy ends 1 May.", "Will not share the tenancy file."],
            "given_by_id": [officer, None],
            "declined": [False, True],
        },
    )


# --- action purpose -------------------------------------------------------------------------------


def test_an_action_keeps_its_purpose(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin, names=NAMES[:1])
    with db.sessions.begin() as s:
        row = actions.set_action(
            s,
            admin,
            ready.case_ids[0],
            text="Home visit",
            purpose="  Check he is living at the approved address.  ",
            owner_agency_id=agency_id(s, "Police"),
            due_date=MEETING_DAY + timedelta(days=7),
            meeting_id=ready.meeting_id,
        )
        events = [e.changes for e in audit.list_events(s, case_id=ready.case_ids[0])]
    assert row.purpose == "Check he is living at the approved address."
    assert events[-1]["purpose"] == [None, "Check he is living at the approved address."]
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        actions.set_action(
            s,
            admin,
            ready.case_ids[0],
            text="Home visit",
            purpose="x" * 20_001,
            owner_agency_id=agency_id(s, "Police"),
            due_date=MEETING_DAY + timedelta(days=7),
        )
    assert "purpose" in exc.value.errors


# --- the content of each offender's record --------------------------------------------------------


def _history(db: Database, admin: Actor, case_id: int) -> dict[str, int]:
    """Meetings on this case before and after ``ready_meeting``'s (today): two earlier dates,
    one earlier the same day (a lower id), and one later; plus an earlier meeting without it."""
    out: dict[str, int] = {}
    with db.sessions.begin() as s:
        for key, days in (("old", -60), ("recent", -30), ("unrelated", -10), ("later", 14)):
            m = schedule(s, admin, day=MEETING_DAY + timedelta(days=days))
            if key != "unrelated":
                meetings.add_to_agenda(s, admin, m.id, case_id)
            out[key] = m.id
    return out


def test_meeting_sequence_counts_earlier_meetings_by_date_then_id(
    db: Database, admin: Actor
) -> None:
    with db.sessions.begin() as s:
        case_id = make_case(s, "Seq", "Sam")
        same_day_first = schedule(s, admin).id
        meetings.add_to_agenda(s, admin, same_day_first, case_id)
        same_day_second = schedule(s, admin).id
        meetings.add_to_agenda(s, admin, same_day_second, case_id)
    history = _history(db, admin, case_id)
    with db.sessions() as s:
        seq = {
            key: (c.meeting_seq, c.previous_meeting_date)
            for key, m in (*history.items(), ("first", same_day_first), ("second", same_day_second))
            if key != "unrelated"
            for c in minutes.build_content(s, m).cases
        }
    earlier = (MEETING_DAY - timedelta(days=30)).isoformat()
    assert seq == {
        "old": (1, ""),
        "recent": (2, (MEETING_DAY - timedelta(days=60)).isoformat()),
        "first": (3, earlier),
        "second": (4, MEETING_DAY.isoformat()),
        "later": (5, MEETING_DAY.isoformat()),
    }


def _fill(db: Database, admin: Actor, ready: Ready) -> dict[str, Any]:
    """Everything schema 3 adds, recorded for the first case of ``ready``."""
    case_id, disc = ready.case_ids[0], ready.discussion_ids[0]
    with db.sessions.begin() as s:
        case = s.get(Case, case_id)
        assert case is not None
        case.offence_details = "• Entered the home at night\n• Threatened her"
        case.previous_offences = "2019 harassment (community order)"
        case.relevant_dates = "Licence expiry 2027-03-01"
        chair = s.get(Person, admin.person_id)
        assert chair is not None
        chair.role_title = "Detective Superintendent"
        taker = person(s, "Taker", "Tom", agency="Probation")
        meeting = meetings.get_meeting_row(s, ready.meeting_id)
        meetings.edit_meeting(
            s, admin, meeting.id, expected_version=meeting.version, minute_taker_id=taker
        )
        housing, csc = agency_id(s, "Housing"), agency_id(s, "Children's Services")
        officer = person(s, "Officer", "Hal", agency="Housing")
        for agency in (housing, csc):
            discussions.invite_agency(s, admin, disc, agency)
        attendance.record_case_attendance(
            s, admin, disc, agency_id=housing, person_id=officer, status="present"
        )
        discussions.set_case_text(s, admin, disc, "notes", "Panel discussed the new address.")
        discussions.set_case_text(s, admin, disc, "victim_issues", "Ex-partner and her son.")
        discussions.set_case_text(s, admin, disc, "diversity_issues", "Needs a Polish interpreter.")
        discussions.set_risk_trend(s, admin, disc, RiskTrend.INCREASING)
        discussions.add_information(
            s,
            admin,
            disc,
            agency_id=housing,
            text="Tenancy ends in May.",
            given_by_id=officer,
            as_at=MEETING_DAY - timedelta(days=2),
        )
        discussions.add_information(
            s, admin, disc, agency_id=csc, text="Consent refused.", declined=True
        )
        actions.set_action(
            s,
            admin,
            case_id,
            text="Home visit",
            purpose="Confirm the address.",
            owner_agency_id=agency_id(s, "Police"),
            owner_person_id=person(s, "Constable", "Cara", agency="Police"),
            due_date=MEETING_DAY + timedelta(days=7),
            meeting_id=ready.meeting_id,
        )
        registered = s.scalar(
            select(Registration.start_date).where(
                Registration.case_id == case_id, Registration.is_current
            )
        )
    return {"registered": registered}


def _check_schema_3(content: MinutesContent, registered: date) -> None:
    assert (content.meeting.chair_role, content.meeting.minute_taker_agency) == (
        "Detective Superintendent",
        "Probation Service",
    )
    entry = content.cases[0]
    assert (entry.meeting_seq, entry.previous_meeting_date) == (1, "")
    assert entry.offence_details == "• Entered the home at night\n• Threatened her"
    assert entry.previous_offences == "2019 harassment (community order)"
    assert entry.relevant_dates == "Licence expiry 2027-03-01"
    assert entry.registered_on == registered.isoformat()
    assert (entry.discussion, entry.victim_issues, entry.diversity_issues, entry.risk_trend) == (
        "Panel discussed the new address.",
        "Ex-partner and her son.",
        "Needs a Polish interpreter.",
        "increasing",
    )
    assert entry.invited_agencies == (
        "Local Housing Authority",
        "Local Authority Children's Social Care",
    )
    assert [(a.panel, a.agency, a.name, a.status) for a in entry.attendance] == [
        ("core", "HM Prison Service", "Pat Officer Prison", "present"),
        ("core", "Police", "Pat Officer Police", "present"),
        ("core", "Probation Service", "Pat Officer Probation", "present"),
        ("invited", "Local Authority Children's Social Care", "", "absent"),  # nothing recorded
        ("invited", "Local Housing Authority", "Hal Officer", "present"),
    ]
    assert [(i.agency, i.given_by, i.as_at, i.declined) for i in entry.information] == [
        (
            "Local Housing Authority",
            "Hal Officer",
            (MEETING_DAY - timedelta(days=2)).isoformat(),
            False,
        ),
        ("Local Authority Children's Social Care", "", "", True),
    ]
    assert [(a.text, a.purpose) for a in entry.new_actions] == [
        ("Home visit", "Confirm the address.")
    ]
    # The second case had none of it recorded: its defaults, not the first case's.
    other = content.cases[1]
    assert (other.risk_trend, other.invited_agencies, other.discussion) == ("", (), "")
    assert [a.panel for a in other.attendance] == ["core", "core", "core"]


def test_build_content_fills_every_schema_3_field_and_sign_off_freezes_them(
    db: Database, admin: Actor
) -> None:
    ready = ready_meeting(db, admin)
    facts = _fill(db, admin, ready)
    with db.sessions() as s:
        live = minutes.build_content(s, ready.meeting_id)
    _check_schema_3(live, facts["registered"])
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        minutes.sign_off(s, admin, ready.meeting_id)
    with db.sessions.begin() as s:  # the live record moves on; the signed one does not
        s.get(Case, ready.case_ids[0]).offence_details = "Rewritten later"  # type: ignore[union-attr]
    with db.sessions() as s:
        frozen = minutes.minutes_document(s, ready.meeting_id).content
    assert frozen.schema == 3
    _check_schema_3(frozen, facts["registered"])
    assert replace(frozen, self_audit=live.self_audit) == live


SCHEMA_3_KEYS: dict[type, tuple[str, ...]] = {
    MeetingIdentity: ("chair_role", "minute_taker_agency"),
    InformationEntry: ("given_by", "as_at", "declined"),
    ActionEntry: ("purpose",),
    CaseEntry: (
        "meeting_seq",
        "previous_meeting_date",
        "offence_details",
        "previous_offences",
        "relevant_dates",
        "registered_on",
        "discussion",
        "victim_issues",
        "diversity_issues",
        "risk_trend",
        "attendance",
        "invited_agencies",
    ),
}


def _as_schema_2(content: MinutesContent) -> dict[str, Any]:
    """The content as a schema 2 sign-off froze it: none of the keys schema 3 added."""
    data = content.to_dict()
    data["schema"] = 2
    for key in SCHEMA_3_KEYS[MeetingIdentity]:
        del data["meeting"][key]
    for case in data["cases"]:
        for key in SCHEMA_3_KEYS[CaseEntry]:
            del case[key]
        for item in case["information"]:
            for key in SCHEMA_3_KEYS[InformationEntry]:
                del item[key]
        for action in (*case["previous_actions"], *case["new_actions"]):
            del action["purpose"]
    return data


def test_minutes_signed_with_schema_2_content_still_load(db: Database, admin: Actor) -> None:
    """A meeting signed before schema 3: its frozen JSON lacks every schema 3 key, and its
    document reads with the defaults (and its record still checks)."""
    ready = ready_meeting(db, admin)
    _fill(db, admin, ready)
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        old = _as_schema_2(minutes.build_content(s, ready.meeting_id))
        canonical = json.dumps(old, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        signer = minutes_hash.Signer("Test Okonkwo-Smith", "Police", "")
        signed_at = utcnow()
        parts = minutes_hash.minutes_parts(canonical, signer, signed_at)
        s.add(
            Minutes(
                meeting_id=ready.meeting_id,
                content=canonical,
                content_sha256=content_hash(canonical),
                signed_by_id=admin.user_id,
                signed_at=signed_at,
                hash_scheme=minutes_hash.SCHEME,
                signer_name=signer.name,
                signer_agency=signer.agency,
                signer_role=signer.role,
                hash_parts=minutes_hash.canonical(parts),
                record_sha256=minutes_hash.chain_hash("minutes", parts, ""),
            )
        )
        meeting = s.get(Meeting, ready.meeting_id)
        assert meeting is not None
        meeting.status = MeetingStatus.SIGNED_OFF
    with db.sessions() as s:
        content = minutes.minutes_document(s, ready.meeting_id).content
        check = minutes.verify(s, content_hash(canonical))
    assert check.genuine and content.schema == 2
    assert canonical_json(content) != canonical  # the defaults are filled in when read
    entry = content.cases[0]
    assert (entry.meeting_seq, entry.attendance, entry.victim_issues) == (0, (), "")
    assert entry.information[1].declined is False and entry.new_actions[0].purpose == ""
    assert content.meeting.chair_role == "" and entry.index_offence == ""
    assert [i.text for i in entry.information] == ["Tenancy ends in May.", "Consent refused."]


# --- addenda name the record they correct ---------------------------------------------------------


def test_an_addendum_corrects_one_offenders_record_or_the_meeting_wide_one(
    db: Database, admin: Actor
) -> None:
    ready = ready_meeting(db, admin)
    with db.sessions.begin() as s:
        other_case = make_case(s, "Elsewhere", "Eli")
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        minutes.sign_off(s, admin, ready.meeting_id)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        minutes.add_addendum(
            s, admin, ready.meeting_id, reason="Typo", text="Read May.", case_id=other_case
        )
    assert "not on the agenda" in exc.value.errors["case"]
    with db.sessions.begin() as s:
        one = minutes.add_addendum(
            s,
            admin,
            ready.meeting_id,
            reason="Wrong date",
            text="The licence ends on 1 May.",
            case_id=ready.case_ids[1],
        )
        wide = minutes.add_addendum(s, admin, ready.meeting_id, reason="Venue", text="Room 5.")
    assert (one.case_id, wide.case_id) == (ready.case_ids[1], None)
    with db.sessions() as s:
        document = minutes.minutes_document(s, ready.meeting_id)
        events = [
            (e.case_id, e.changes["case_id"])
            for e in audit.list_events(s, meeting_id=ready.meeting_id)
            if e.entity == "addendum"
        ]
    assert [(a.seq, a.case_id) for a in document.addenda] == [(1, ready.case_ids[1]), (2, None)]
    assert events == [(ready.case_ids[1], [None, ready.case_ids[1]]), (None, [None, None])]


def test_nothing_in_an_offenders_record_changes_after_sign_off(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin, names=NAMES[:1])
    disc = ready.discussion_ids[0]
    with db.sessions.begin() as s:
        housing = agency_id(s, "Housing")
        item = discussions.add_information(s, admin, disc, agency_id=housing, text="Tenancy.")
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        minutes.sign_off(s, admin, ready.meeting_id)
    for attempt in (
        lambda s: discussions.set_case_text(s, admin, disc, "victim_issues", "Changed"),
        lambda s: discussions.set_risk_trend(s, admin, disc, "stable"),
        lambda s: discussions.edit_information(
            s, admin, item.id, expected_version=item.version, text="Tenancy.", declined=True
        ),
        lambda s: discussions.add_information(
            s, admin, disc, agency_id=housing, text="No.", declined=True
        ),
    ):
        with pytest.raises(StateError, match="signed off"), db.sessions.begin() as s:
            attempt(s)


def test_moving_an_addendum_to_another_record_breaks_its_hash(db: Database, admin: Actor) -> None:
    """Whoever holds the file can drop the append-only trigger; the hash still tells."""
    if db.kind != "sqlite":
        pytest.skip("on PostgreSQL only a superuser could drop the trigger; same hash check")
    ready = ready_meeting(db, admin)
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        minutes.sign_off(s, admin, ready.meeting_id)
        minutes.add_addendum(
            s, admin, ready.meeting_id, reason="Date", text="1 May.", case_id=ready.case_ids[0]
        )
    with db.sessions() as s:
        minutes.minutes_document(s, ready.meeting_id)  # intact
    with db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER addendum_no_update"))
        conn.execute(text("UPDATE addendum SET case_id = :c"), {"c": ready.case_ids[1]})
    with pytest.raises(StorageError, match="offender"), db.sessions() as s:
        minutes.minutes_document(s, ready.meeting_id)
