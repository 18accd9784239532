"""Minutes: content built from the record, sign-off by the chair only, decisions applied to
registrations, the frozen record, addenda, numbered copies and verification."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import resources
from mappa_desktop.db.models import Registration
from mappa_desktop.domain.enums import DecisionKind, MeetingStatus, Role
from mappa_desktop.domain.errors import (
    NotFound,
    PermissionDenied,
    StateError,
    ValidationError,
)
from mappa_desktop.services import (
    actions,
    attendance,
    discussions,
    meetings,
    minutes,
    minutes_hash,
    registration,
)
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.minutes_content import MinutesContent, canonical_json, content_hash
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import (
    MEETING_DAY,
    NAMES,
    NEXT_REVIEW,
    Ready,
    add_risk,
    add_rmp_change,
    agency_id,
    make_case,
    make_defensible,
    old_action,
    person,
    ready_meeting,
    schedule,
)

SCRIPT_NAMES = [
    ("Łukasz", "Wiśniewski"),
    ("Дмитрий", "Иванов"),
    ("Γιώργος", "Παπαδόπουλος"),
    ("Nguyễn Thị", "Hồng"),
    ("محمد", "العلي"),
    ("Seán", "O'Brien"),
    ("Alex", "Smith & <Jones>"),
]


def _signed(db: Database, admin: Actor, **kw: object) -> Ready:
    ready = ready_meeting(db, admin, **kw)  # type: ignore[arg-type]
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        minutes.sign_off(s, admin, ready.meeting_id)
    return ready


# --- building the content -------------------------------------------------------------------------


def test_build_content_fills_every_section_in_agenda_order(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin)
    with db.sessions.begin() as s:
        case_a, case_b = ready.case_ids
        add_risk(s, case_a)
        add_rmp_change(s, case_a, ready.meeting_id, "Curfew 19:00-07:00")
        police = agency_id(s, "Police")
        discussions.add_information(
            s, admin, ready.discussion_ids[0], agency_id=police, text="Breached curfew."
        )
        actions.set_action(
            s,
            admin,
            case_a,
            text="Visit address",
            owner_agency_id=police,
            due_date=MEETING_DAY + timedelta(days=7),
            meeting_id=ready.meeting_id,
        )
        meetings.reorder_agenda(s, admin, ready.meeting_id, ready.discussion_ids[::-1])
        content = minutes.build_content(s, ready.meeting_id)
    assert content.meeting.meeting_id == ready.meeting_id
    assert (
        content.meeting.chair == "Test Okonkwo-Smith" and content.meeting.chair_agency == "Police"
    )
    assert content.meeting.area == "MAPPA Area"
    assert content.meeting.date == MEETING_DAY.isoformat()
    assert content.statement == resources.text("statements", "confidentiality_diversity.txt")
    assert content.statement_confirmed_by == "Test Okonkwo-Smith"
    assert [c.case_id for c in content.cases] == [case_b, case_a]
    assert [c.agenda_order for c in content.cases] == [1, 2]
    assert [a.agency for a in content.attendance] == [
        "HM Prison Service",
        "Police",
        "Probation Service",
    ]
    entry = content.cases[1]
    assert entry.risk is not None and entry.risk.overall == "high"
    changed = [r for r in entry.rmp if r.change]  # ready_meeting's plan is unchanged here
    assert [r.text for r in changed] == ["Curfew 19:00-07:00"] and changed[0].change == "added"
    assert [i.text for i in entry.information] == ["Breached curfew."]
    assert [a.text for a in entry.new_actions] == ["Visit address"]
    assert entry.decisions[0].kind == "level" and entry.next_review_date == NEXT_REVIEW.isoformat()
    assert (entry.category, entry.level, entry.lead_agency) == (2, 2, "Probation Service")


def test_canonical_content_round_trips_names_in_many_scripts(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin, names=SCRIPT_NAMES)
    with db.sessions() as s:
        content = minutes.build_content(s, ready.meeting_id)
    canonical = canonical_json(content)
    back = MinutesContent.from_dict(json.loads(canonical))
    assert back == content
    assert canonical_json(back) == canonical
    assert [(c.given_names, c.family_name) for c in back.cases] == SCRIPT_NAMES
    assert "Smith & <Jones>" in canonical and "محمد" in canonical  # stored as typed, not escaped
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        minutes.sign_off(s, admin, ready.meeting_id)
    with db.sessions() as s:
        doc = minutes.minutes_document(s, ready.meeting_id)
    assert [(c.given_names, c.family_name) for c in doc.content.cases] == SCRIPT_NAMES
    names = {f"{g} {f}" for g, f in SCRIPT_NAMES}
    assert {"Łukasz Wiśniewski", "Nguyễn Thị Hồng", "محمد العلي", "Seán O'Brien"} <= names


def test_build_content_unknown_meeting_is_not_found(db: Database, admin: Actor) -> None:
    with pytest.raises(NotFound), db.sessions() as s:
        minutes.build_content(s, 2468)


# --- sign-off ------------------------------------------------------------------------------------


def test_full_journey_to_signed_off_and_distributed(db: Database, admin: Actor) -> None:
    coordinator = make_user(db, "coord", [Role.COORDINATOR])
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        stays = make_case(s, "Stays", "Sam")
        raised = make_case(s, "Raised", "Rae")
        leaves = make_case(s, "Leaves", "Lee")
        for case_id in (stays, raised, leaves):
            make_defensible(s, case_id)
        previous = old_action(s, stays, due=MEETING_DAY - timedelta(days=2))
        for proposal in meetings.propose_agenda(s, m.id):
            meetings.add_to_agenda(s, admin, m.id, proposal.case_id, reason=proposal.reason)
        detail = meetings.get_meeting(s, m.id)
        discs = {i.case.case_id: i.discussion.id for i in detail.agenda}
        assert set(discs) == {stays, raised, leaves}
        meetings.start_meeting(s, admin, m.id)
        meetings.confirm_statement(s, admin, m.id)
        attendance.record_attendance(
            s,
            admin,
            m.id,
            agency_id=agency_id(s, "Police"),
            status="present",
            person_id=admin.person_id,
        )
        for short in ("Probation", "Prison"):
            attendance.record_attendance(
                s, admin, m.id, agency_id=agency_id(s, short), status="apologies"
            )
        discussions.record_decision(
            s,
            admin,
            discs[stays],
            kind="level",
            outcome="Remain at Level 2",
            rationale="Stable.",
            new_level=2,
            next_review_date=NEXT_REVIEW,
        )
        discussions.record_decision(
            s,
            admin,
            discs[raised],
            kind="level",
            outcome="Raise to Level 3",
            rationale="Threats to staff.",
            new_level=3,
        )
        discussions.record_decision(
            s,
            admin,
            discs[raised],
            kind="next_review",
            outcome="Review in 4 weeks",
            rationale="Level 3.",
            next_review_date=MEETING_DAY + timedelta(days=28),
        )
        discussions.record_decision(
            s,
            admin,
            discs[leaves],
            kind=DecisionKind.EXIT,
            outcome="Exit MAPPA",
            rationale="Licence expired.",
        )
        for disc in (discs[stays], discs[raised], discs[leaves]):
            discussions.set_case_text(s, admin, disc, "victim_issues", "Former partner.")
            discussions.set_case_text(s, admin, disc, "diversity_issues", "None identified.")
            discussions.record_decision(
                s,
                admin,
                disc,
                kind=DecisionKind.DISCLOSURE,
                outcome="No disclosure",
                rationale="Nobody identified who needs to know.",
                disclose=False,
            )
        actions.review_action(s, admin, m.id, previous, outcome="done")
        meetings.close_to_draft(s, admin, m.id)
        meetings.submit_for_sign_off(s, admin, m.id)
    with db.sessions.begin() as s:
        record = minutes.sign_off(s, admin, m.id, signature=b"\x30\x82")
    assert record.signed_by == "Test Okonkwo-Smith" and record.has_signature
    # Hash scheme 2: the version without addenda is the record hash (content, signer, time).
    assert record.hash_scheme == 2 and record.addenda == 0
    assert record.version_sha256 == minutes_hash.chain_hash(
        "minutes",
        minutes_hash.minutes_parts(
            _stored_content(db, m.id),
            minutes_hash.Signer("Test Okonkwo-Smith", "Police", ""),
            record.signed_at,
        ),
        "",
    )
    with db.sessions() as s:
        assert meetings.get_meeting_row(s, m.id).status is MeetingStatus.SIGNED_OFF
        assert registration.current_registration(s, stays).next_review_due == NEXT_REVIEW
        raised_reg = registration.current_registration(s, raised)
        assert raised_reg.level == 3 and raised_reg.meeting_id == m.id
        assert raised_reg.next_review_due == MEETING_DAY + timedelta(days=28)
        assert raised_reg.rationale == "Threats to staff."
        left = registration.current_registration(s, leaves)
        assert left.ended_on == MEETING_DAY and "Exit MAPPA" in left.end_reason
    with db.sessions.begin() as s:
        first = minutes.record_distribution(
            s,
            coordinator,
            m.id,
            recipient_name="Test Coord (Police)",
            recipient_person_id=coordinator.person_id,
            channel="secure e-mail",
        )
        second = minutes.record_distribution(  # Housing is in none of the cases
            s,
            coordinator,
            m.id,
            recipient_name="Hana Homes (Housing)",
            recipient_person_id=person(s, "Homes", "Hana", agency="Housing"),
            variant="disclosure_summary",
            reason="Chair agreed: the housing panel needs the disclosure summary",
        )
    assert (first.copy_number, second.copy_number) == (1, 2)
    assert first.version_sha256 == record.version_sha256
    with db.sessions() as s:
        assert meetings.get_meeting_row(s, m.id).status is MeetingStatus.DISTRIBUTED
        assert [d.copy_number for d in minutes.list_distributions(s, m.id)] == [1, 2]
        check = minutes.verify(s, record.content_sha256, first.version_sha256)
    assert check.genuine and check.current and check.meeting_id == m.id
    assert check.superseded_by_addenda == 0 and "Genuine and current" in check.reason


def test_only_the_chair_can_sign_off(db: Database, admin: Actor) -> None:
    other_chair = make_user(db, "otherchair", [Role.CHAIR, Role.ADMINISTRATOR])
    ready = ready_meeting(db, admin)
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
    with pytest.raises(PermissionDenied) as exc, db.sessions.begin() as s:
        minutes.sign_off(s, other_chair, ready.meeting_id)
    assert "only the meeting's chair, Test Okonkwo-Smith" in str(exc.value)
    with db.sessions() as s:
        assert minutes.get_minutes(s, ready.meeting_id) is None


def test_sign_off_refused_unless_awaiting_sign_off(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin)
    with pytest.raises(StateError) as exc, db.sessions.begin() as s:
        minutes.sign_off(s, admin, ready.meeting_id)
    assert "draft minutes, so it cannot become signed off" in str(exc.value)
    _ = _signed(db, admin)
    with pytest.raises(NotFound), db.sessions.begin() as s:
        minutes.sign_off(s, admin, 1357)


def test_edits_after_sign_off_are_refused(db: Database, admin: Actor) -> None:
    ready = _signed(db, admin)
    m, disc, case_id = ready.meeting_id, ready.discussion_ids[0], ready.case_ids[0]
    with db.sessions.begin() as s:
        police = agency_id(s, "Police")
        pending = old_action(s, case_id, due=MEETING_DAY + timedelta(days=3))
        version = meetings.get_meeting_row(s, m).version
        spare = make_case(s, "Spare")
    edits: list[Callable[[Session], object]] = [
        lambda s: meetings.edit_meeting(s, admin, m, expected_version=version, venue="x"),
        lambda s: meetings.add_to_agenda(s, admin, m, spare),
        lambda s: meetings.remove_from_agenda(s, admin, disc),
        lambda s: meetings.reorder_agenda(s, admin, m, ready.discussion_ids[::-1]),
        lambda s: attendance.record_attendance(s, admin, m, agency_id=police, status="absent"),
        lambda s: discussions.set_risk_summary(s, admin, disc, "new"),
        lambda s: discussions.add_information(s, admin, disc, agency_id=police, text="x"),
        lambda s: discussions.invite_agency(s, admin, disc, police),
        lambda s: discussions.record_decision(
            s, admin, disc, kind="other", outcome="x", rationale="y"
        ),
        lambda s: actions.set_action(
            s, admin, case_id, text="x", owner_agency_id=police, due_date=NEXT_REVIEW, meeting_id=m
        ),
        lambda s: actions.review_action(s, admin, m, pending, outcome="open"),
        lambda s: meetings.start_meeting(s, admin, m),
    ]
    for edit in edits:
        with pytest.raises(StateError) as exc, db.sessions.begin() as s:
            edit(s)
        assert "signed off" in str(exc.value)


# --- the frozen record ----------------------------------------------------------------------------


def test_minutes_document_reads_frozen_content_not_the_live_tables(
    db: Database, admin: Actor
) -> None:
    ready = _signed(db, admin)
    with db.sessions.begin() as s:
        record = minutes.get_minutes(s, ready.meeting_id)
        assert record is not None
        # A case's name changes after sign-off: the signed minutes must still show the old one.
        s.execute(
            sa.text("UPDATE mappa_case SET family_name = 'Renamed' WHERE id = :id"),
            {"id": ready.case_ids[0]},
        )
    with db.sessions() as s:
        doc = minutes.minutes_document(s, ready.meeting_id, recipient="DS Patel", copy_number=3)
        live = minutes.build_content(s, ready.meeting_id)
    assert doc.content.cases[0].family_name == NAMES[0][1]
    assert live.cases[0].family_name == "Renamed"
    assert doc.sign_off is not None and doc.sign_off.content_sha256 == record.content_sha256
    assert content_hash(canonical_json(doc.content)) == record.content_sha256
    assert (doc.recipient, doc.copy_number, doc.variant) == ("DS Patel", 3, "full")
    assert doc.extra["version_sha256"] == record.version_sha256


def test_minutes_document_draft_and_disclosure_summary_variant(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin)
    with db.sessions() as s:
        draft = minutes.minutes_document(s, ready.meeting_id)
        summary = minutes.minutes_document(s, ready.meeting_id, variant="disclosure_summary")
    assert draft.sign_off is None and draft.addenda == ()
    assert summary.variant == "disclosure_summary" and summary.content == draft.content
    with pytest.raises(ValidationError) as exc, db.sessions() as s:
        minutes.minutes_document(s, ready.meeting_id, variant="gossip", copy_number=0)
    assert set(exc.value.errors) == {"variant", "copy_number"}
    with pytest.raises(NotFound), db.sessions() as s:
        minutes.minutes_document(s, 97531)


def test_direct_sql_cannot_alter_signed_minutes(db: Database, admin: Actor) -> None:
    ready = _signed(db, admin)
    for statement in (
        "UPDATE minutes SET content = '{}' WHERE meeting_id = :m",
        "DELETE FROM minutes WHERE meeting_id = :m",
    ):
        with pytest.raises(DBAPIError), db.engine.begin() as conn:
            conn.execute(sa.text(statement), {"m": ready.meeting_id})
    with db.sessions() as s:
        record = minutes.get_minutes(s, ready.meeting_id)
        assert record is not None
        assert minutes.verify(s, record.content_sha256).genuine


# --- addenda, distribution, verification ----------------------------------------------------------


def test_addendum_supersedes_earlier_copies(db: Database, admin: Actor) -> None:
    ready = _signed(db, admin)
    with db.sessions.begin() as s:
        first_copy = minutes.record_distribution(
            s, admin, ready.meeting_id, recipient_name="A", recipient_person_id=admin.person_id
        )
        addendum = minutes.add_addendum(
            s,
            admin,
            ready.meeting_id,
            reason="Wrong date of birth",
            text="The date of birth is 01/02/1980.",
        )
        second_copy = minutes.record_distribution(
            s, admin, ready.meeting_id, recipient_name="B", recipient_person_id=admin.person_id
        )
    with db.sessions() as s:
        record = minutes.get_minutes(s, ready.meeting_id)
    assert record is not None
    content_sha = record.content_sha256
    assert addendum.seq == 1
    # Chained: the addendum's hash covers its text, reason, signer, time and the hash before it.
    assert addendum.content_sha256 == minutes_hash.chain_hash(
        "addendum",
        minutes_hash.addendum_parts(
            "The date of birth is 01/02/1980.",
            "Wrong date of birth",
            minutes_hash.Signer("Test Okonkwo-Smith", "Police", ""),
            addendum.signed_at,
        ),
        first_copy.version_sha256,
    )
    assert second_copy.version_sha256 == addendum.version_sha256 == addendum.content_sha256
    with db.sessions.begin() as s:
        again = minutes.add_addendum(s, admin, ready.meeting_id, reason="Typo", text="Fixed.")
    assert again.seq == 2
    with db.sessions() as s:
        old = minutes.verify(s, content_sha, first_copy.version_sha256)
        middle = minutes.verify(s, content_sha, second_copy.version_sha256)
        now = minutes.verify(s, content_sha, again.version_sha256)
        forged = minutes.verify(s, content_sha, "0" * 64)
        doc = minutes.minutes_document(s, ready.meeting_id)
    assert old.genuine and not old.current and old.superseded_by_addenda == 2
    assert "superseded" in old.reason and "2 later addenda" in old.reason
    assert middle.genuine and middle.superseded_by_addenda == 1
    assert now.genuine and now.current and now.current_version_sha256 == again.version_sha256
    assert not forged.genuine and "matches no version" in forged.reason
    assert [a.seq for a in doc.addenda] == [1, 2]
    assert doc.extra["version_sha256"] == again.version_sha256


def test_verify_unknown_hash_is_not_genuine(db: Database, admin: Actor) -> None:
    with db.sessions() as s:
        result = minutes.verify(s, "ab" * 32)
    assert not result.genuine and not result.current and result.meeting_id is None
    assert "No signed-off minutes" in result.reason


def test_add_addendum_rules(db: Database, admin: Actor) -> None:
    other = make_user(db, "other", [Role.CHAIR])
    ready = ready_meeting(db, admin)
    with pytest.raises(StateError) as refused, db.sessions.begin() as s:
        minutes.add_addendum(s, admin, ready.meeting_id, reason="r", text="t")
    assert "not signed off yet" in str(refused.value)
    signed = _signed(db, admin, names=[("Ann", "Other")])
    with pytest.raises(PermissionDenied), db.sessions.begin() as s:
        minutes.add_addendum(s, other, signed.meeting_id, reason="r", text="t")
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        minutes.add_addendum(s, admin, signed.meeting_id, reason=" ", text="x" * 20_001)
    assert set(exc.value.errors) == {"reason", "text"}


def test_record_distribution_rules(db: Database, admin: Actor) -> None:
    taker = make_user(db, "taker", [Role.MINUTE_TAKER])
    ready = ready_meeting(db, admin)
    with pytest.raises(StateError), db.sessions.begin() as s:
        minutes.record_distribution(s, admin, ready.meeting_id, recipient_name="X")
    signed = _signed(db, admin, names=[("Ann", "Other")])
    with pytest.raises(PermissionDenied), db.sessions.begin() as s:
        minutes.record_distribution(s, taker, signed.meeting_id, recipient_name="X")
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        minutes.record_distribution(
            s,
            admin,
            signed.meeting_id,
            recipient_name="",
            recipient_person_id=5555,
            recipient_agency_id=6666,
            variant="everything",
            channel="c" * 101,
        )
    assert set(exc.value.errors) == {
        "recipient_name",
        "recipient_person",
        "recipient_agency",
        "variant",
        "channel",
    }
    with pytest.raises(NotFound), db.sessions.begin() as s:
        minutes.record_distribution(s, admin, 8642, recipient_name="X")


def test_sign_off_applies_nothing_when_the_transaction_fails(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin)
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        # Make the stored registration start after the meeting: applying the decision fails.
        s.execute(
            sa.update(Registration)
            .where(Registration.case_id == ready.case_ids[1])
            .values(start_date=MEETING_DAY + timedelta(days=1), level=3)
        )
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        minutes.sign_off(s, admin, ready.meeting_id)
    assert (
        "Дмитрий Иванов: the decisions of this meeting cannot be applied"
        in exc.value.errors["registration"]
    )
    with db.sessions() as s:
        assert minutes.get_minutes(s, ready.meeting_id) is None
        assert meetings.get_meeting_row(s, ready.meeting_id).status is (
            MeetingStatus.AWAITING_SIGN_OFF
        )


def _stored_content(db: Database, meeting_id: int) -> str:
    with db.engine.connect() as conn:
        return str(
            conn.scalar(
                sa.text("SELECT content FROM minutes WHERE meeting_id = :m"), {"m": meeting_id}
            )
        )
