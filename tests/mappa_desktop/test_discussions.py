"""Per-case discussion: risk summary, invited agencies, information shared, decisions with
dissent, and the rules each decision kind must follow."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mappa_desktop.domain.enums import DecisionKind, MeetingStatus, Role
from mappa_desktop.domain.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    StateError,
    ValidationError,
)
from mappa_desktop.services import audit, discussions, meetings, minutes
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import (
    MEETING_DAY,
    NEXT_REVIEW,
    agency_id,
    make_case,
    person,
    ready_meeting,
    schedule,
)


def _discussion(db: Database, admin: Actor, *, category: int = 2) -> int:
    with db.sessions.begin() as s:
        m = schedule(s, admin)
        return meetings.add_to_agenda(s, admin, m.id, make_case(s, "Case", category=category)).id


def test_set_risk_summary_saves_and_refuses_a_stale_version(db: Database, admin: Actor) -> None:
    disc = _discussion(db, admin)
    with db.sessions.begin() as s:
        row = discussions.set_risk_summary(s, admin, disc, "  Risk to ex-partner.  ")
    assert row.risk_summary == "Risk to ex-partner." and row.version == 2
    with pytest.raises(ConflictError), db.sessions.begin() as s:
        discussions.set_risk_summary(s, admin, disc, "Other", expected_version=1)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.set_risk_summary(s, admin, disc, "x" * 20_001, expected_version=2)
    assert "20,001 characters" in exc.value.errors["risk_summary"]
    with pytest.raises(NotFound), db.sessions.begin() as s:
        discussions.set_risk_summary(s, admin, 9999, "x")


def test_invite_agency_once_and_rejects_unknown_agency(db: Database, admin: Actor) -> None:
    disc = _discussion(db, admin)
    with db.sessions.begin() as s:
        housing = agency_id(s, "Housing")
        discussions.invite_agency(s, admin, disc, housing)
        discussions.invite_agency(s, admin, disc, housing)
        meeting_id = discussions.get_discussion(s, disc).meeting_id
    with db.sessions() as s:
        item = meetings.get_meeting(s, meeting_id).agenda[0]
    assert item.invited_agencies == ("Local Housing Authority",)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.invite_agency(s, admin, disc, 7777)
    assert "7777 does not exist" in exc.value.errors["agency"]
    with pytest.raises(NotFound), db.sessions.begin() as s:
        discussions.invite_agency(s, admin, 4444, housing)


def test_add_information_records_agency_and_restriction(db: Database, admin: Actor) -> None:
    disc = _discussion(db, admin)
    with db.sessions.begin() as s:
        row = discussions.add_information(
            s,
            admin,
            disc,
            agency_id=agency_id(s, "YOT"),
            text="Sibling <b>known</b> & at risk",
            restricted=True,
        )
    assert row.text == "Sibling <b>known</b> & at risk" and row.restricted
    assert row.agency_name.startswith("Youth Justice Service")
    with db.sessions.begin() as s:
        discussions.remove_information(s, admin, row.id)
    with db.sessions() as s:
        meeting_id = discussions.get_discussion(s, disc).meeting_id
        assert meetings.get_meeting(s, meeting_id).agenda[0].information == ()


def test_add_information_rejects_bad_input(db: Database, admin: Actor) -> None:
    disc = _discussion(db, admin)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.add_information(s, admin, disc, agency_id=12345, text="   ")
    assert set(exc.value.errors) == {"agency", "text"}
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.add_information(
            s, admin, disc, agency_id=agency_id(s, "Police"), text="a" * 20_001
        )
    assert "shorten it" in exc.value.errors["text"]


def test_record_decision_level_with_dissent(db: Database, admin: Actor) -> None:
    disc = _discussion(db, admin)
    with db.sessions.begin() as s:
        housing = agency_id(s, "Housing")
        officer = person(s, "Officer", "Ola")
        row = discussions.record_decision(
            s,
            admin,
            disc,
            kind="level",
            outcome="Raise to Level 3",
            rationale="Escalating threats.",
            new_level=3,
            next_review_date=NEXT_REVIEW,
            dissents=[
                (housing, None, "Level 2 is enough."),
                (None, officer, "Agree with housing."),
            ],
        )
    assert row.kind is DecisionKind.LEVEL and row.new_level == 3
    assert row.next_review_date == NEXT_REVIEW
    assert [d.by for d in row.dissents] == ["Local Housing Authority", "Ola Officer"]
    assert row.dissents[0].view == "Level 2 is enough."


def test_record_decision_rejects_bad_input(db: Database, admin: Actor) -> None:
    disc = _discussion(db, admin, category=3)
    cases: list[tuple[dict[str, object], str, str]] = [
        ({"kind": "vote", "outcome": "x", "rationale": "y"}, "kind", "not a valid"),
        ({"kind": "other", "outcome": "", "rationale": "y"}, "outcome", "cannot be empty"),
        ({"kind": "other", "outcome": "x", "rationale": " "}, "rationale", "cannot be empty"),
        ({"kind": "level", "outcome": "x", "rationale": "y"}, "new_level", "needs the level"),
        ({"kind": "level", "outcome": "x", "rationale": "y", "new_level": 4}, "new_level", "4"),
        (
            {"kind": "level", "outcome": "x", "rationale": "y", "new_level": 1},
            "new_level",
            "Category 3",
        ),
        ({"kind": "category", "outcome": "x", "rationale": "y"}, "new_category", "category"),
        ({"kind": "disclosure", "outcome": "x", "rationale": "y"}, "disclose", "whether"),
        (
            {"kind": "disclosure", "outcome": "x", "rationale": "y", "disclose": "yes"},
            "disclose",
            "yes or no",
        ),
        (
            {
                "kind": "disclosure",
                "outcome": "x",
                "rationale": "y",
                "disclose": True,
                "disclosure_date": MEETING_DAY - timedelta(days=1),
            },
            "disclosure_date",
            "before the meeting",
        ),
        ({"kind": "next_review", "outcome": "x", "rationale": "y"}, "next_review_date", "date"),
        (
            {
                "kind": "next_review",
                "outcome": "x",
                "rationale": "y",
                "next_review_date": MEETING_DAY - timedelta(days=1),
            },
            "next_review_date",
            "before the meeting",
        ),
        (
            {
                "kind": "next_review",
                "outcome": "x",
                "rationale": "y",
                "next_review_date": MEETING_DAY + timedelta(days=3000),
            },
            "next_review_date",
            "three years",
        ),
        (
            {"kind": "other", "outcome": "x", "rationale": "y", "dissents": [(None, None, "no")]},
            "dissent_1",
            "Say who dissented",
        ),
        (
            {"kind": "other", "outcome": "x", "rationale": "y", "dissents": [(None, 999, "no")]},
            "dissent_1",
            "999 does not exist",
        ),
        (
            {"kind": "other", "outcome": "x", "rationale": "y", "disclosure_by": "z" * 201},
            "disclosure_by",
            "201 characters",
        ),
    ]
    for kwargs, field, fragment in cases:
        with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
            discussions.record_decision(s, admin, disc, **kwargs)  # type: ignore[arg-type]
        assert fragment in exc.value.errors.get(field, ""), (kwargs, exc.value.errors)
    with pytest.raises(NotFound), db.sessions.begin() as s:
        discussions.record_decision(s, admin, 31337, kind="other", outcome="x", rationale="y")


def test_record_decision_disclosure_needs_yes_or_no(db: Database, admin: Actor) -> None:
    disc = _discussion(db, admin)
    with db.sessions.begin() as s:
        row = discussions.record_decision(
            s,
            admin,
            disc,
            kind="disclosure",
            outcome="No disclosure",
            rationale="No identified person at risk.",
            disclose=False,
            s327a_considered=True,
        )
    assert row.disclose is False and row.s327a_considered


def test_edit_and_remove_decision(db: Database, admin: Actor) -> None:
    disc = _discussion(db, admin)
    with db.sessions.begin() as s:
        row = discussions.record_decision(
            s, admin, disc, kind="disclosure", outcome="Disclose", rationale="Risk.", disclose=True
        )
    with db.sessions.begin() as s:
        edited = discussions.edit_decision(
            s,
            admin,
            row.id,
            expected_version=row.version,
            disclosure_to="Head teacher",
            disclosure_by="DS Patel",
            disclosure_method="In person",
            disclosure_date=MEETING_DAY + timedelta(days=2),
        )
    assert edited.disclosure_to == "Head teacher" and edited.version == row.version + 1
    with pytest.raises(ConflictError), db.sessions.begin() as s:
        discussions.edit_decision(s, admin, row.id, expected_version=row.version, outcome="x")
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.edit_decision(s, admin, row.id, expected_version=edited.version, colour="x")
    assert "colour" in exc.value.errors
    with db.sessions.begin() as s:
        discussions.remove_decision(s, admin, row.id, expected_version=edited.version)
    with db.sessions() as s:
        meeting_id = discussions.get_discussion(s, disc).meeting_id
        assert meetings.get_meeting(s, meeting_id).agenda[0].decisions == ()


def test_add_information_while_awaiting_sign_off_returns_to_draft(
    db: Database, admin: Actor
) -> None:
    ready = ready_meeting(db, admin)
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
    with db.sessions.begin() as s:
        discussions.add_information(
            s, admin, ready.discussion_ids[0], agency_id=agency_id(s, "Police"), text="Late news"
        )
    with db.sessions() as s:
        assert meetings.get_meeting_row(s, ready.meeting_id).status is MeetingStatus.DRAFT


# --- one information entry per agency (the meeting screen's text boxes) ---------------------------


def _audit_actions(db: Database, disc: int) -> list[str]:
    with db.sessions() as s:
        meeting_id = discussions.get_discussion(s, disc).meeting_id
        return [
            e.action
            for e in audit.list_events(s, meeting_id=meeting_id)
            if e.entity == "information_shared"
        ]


def test_save_information_creates_replaces_and_removes_with_audit(
    db: Database, admin: Actor
) -> None:
    disc = _discussion(db, admin)
    with db.sessions.begin() as s:
        police = agency_id(s, "Police")
        assert (
            discussions.save_information(
                s, admin, disc, agency_id=police, text="   ", expected_version=None
            )
            is None
        )
        row = discussions.save_information(
            s, admin, disc, agency_id=police, text=" Seen near Łódź ", expected_version=None
        )
    assert row is not None and row.text == "Seen near Łódź" and row.version == 1
    assert row.agency_name == "Police"
    with db.sessions.begin() as s:
        again = discussions.save_information(
            s, admin, disc, agency_id=police, text="Seen near Łódź twice", expected_version=1
        )
    assert again is not None and again.id == row.id and again.version == 2
    with db.sessions.begin() as s:
        assert (
            discussions.save_information(
                s, admin, disc, agency_id=police, text="", expected_version=2
            )
            is None
        )
    with db.sessions() as s:
        meeting_id = discussions.get_discussion(s, disc).meeting_id
        assert meetings.get_meeting(s, meeting_id).agenda[0].information == ()
    assert _audit_actions(db, disc) == ["create", "update", "delete"]


def test_save_information_refuses_to_overwrite_someone_elses_text(
    db: Database, admin: Actor
) -> None:
    disc = _discussion(db, admin)
    with db.sessions.begin() as s:
        police = agency_id(s, "Police")
        discussions.save_information(
            s, admin, disc, agency_id=police, text="Theirs", expected_version=None
        )
    # I saw no entry, but someone created one meanwhile.
    with pytest.raises(ConflictError) as exc, db.sessions.begin() as s:
        discussions.save_information(
            s, admin, disc, agency_id=police, text="Mine", expected_version=None
        )
    current = exc.value.current
    assert isinstance(current, discussions.InformationRow) and current.text == "Theirs"
    # I edited version 1, but it is at version 2 now.
    with db.sessions.begin() as s:
        discussions.save_information(
            s, admin, disc, agency_id=police, text="Theirs, edited", expected_version=1
        )
    with pytest.raises(ConflictError) as exc, db.sessions.begin() as s:
        discussions.save_information(
            s, admin, disc, agency_id=police, text="Mine", expected_version=1
        )
    assert exc.value.current_version == 2
    # I edited version 2, but someone removed the entry.
    with db.sessions.begin() as s:
        discussions.save_information(s, admin, disc, agency_id=police, text="", expected_version=2)
    with pytest.raises(ConflictError) as exc, db.sessions.begin() as s:
        discussions.save_information(
            s, admin, disc, agency_id=police, text="Mine", expected_version=2
        )
    assert exc.value.current is None
    with db.sessions() as s:
        meeting_id = discussions.get_discussion(s, disc).meeting_id
        assert meetings.get_meeting(s, meeting_id).agenda[0].information == ()


def test_save_information_rejects_bad_input(db: Database, admin: Actor) -> None:
    disc = _discussion(db, admin)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.save_information(
            s, admin, disc, agency_id=8888, text="x", expected_version=None
        )
    assert "8888 does not exist" in exc.value.errors["agency"]
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.save_information(
            s,
            admin,
            disc,
            agency_id=agency_id(s, "Police"),
            text="x" * 20_001,
            expected_version=None,
        )
    assert "20,001 characters" in exc.value.errors["text"]
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.save_information(
            s,
            admin,
            disc,
            agency_id=agency_id(s, "Police"),
            text="ok",
            expected_version=None,
            restricted="yes",  # type: ignore[arg-type]
        )
    assert "restricted" in exc.value.errors
    with pytest.raises(NotFound), db.sessions.begin() as s:
        discussions.save_information(
            s, admin, 5555, agency_id=agency_id(s, "Police"), text="x", expected_version=None
        )
    reader = make_user(db, "reader", [Role.READER])
    with pytest.raises(PermissionDenied), db.sessions.begin() as s:
        discussions.save_information(
            s, reader, disc, agency_id=agency_id(s, "Police"), text="x", expected_version=None
        )


def test_save_information_after_sign_off_is_refused(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin)
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
    with db.sessions.begin() as s:
        row = discussions.save_information(
            s,
            admin,
            ready.discussion_ids[0],
            agency_id=agency_id(s, "Police"),
            text="Late news",
            expected_version=None,
        )
    assert row is not None
    with db.sessions() as s:  # an edit while awaiting sign-off returns the minutes to draft
        assert meetings.get_meeting_row(s, ready.meeting_id).status is MeetingStatus.DRAFT
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        minutes.sign_off(s, admin, ready.meeting_id)
    with pytest.raises(StateError), db.sessions.begin() as s:
        discussions.save_information(
            s,
            admin,
            ready.discussion_ids[0],
            agency_id=agency_id(s, "Police"),
            text="Too late",
            expected_version=row.version,
        )


def test_edit_information_changes_text_with_version_check(db: Database, admin: Actor) -> None:
    disc = _discussion(db, admin)
    with db.sessions.begin() as s:
        row = discussions.add_information(
            s, admin, disc, agency_id=agency_id(s, "Housing"), text="Tenancy at risk"
        )
    with db.sessions.begin() as s:
        edited = discussions.edit_information(
            s, admin, row.id, expected_version=1, text="Tenancy ends in March", restricted=True
        )
    assert edited.text == "Tenancy ends in March" and edited.restricted and edited.version == 2
    with pytest.raises(ConflictError) as exc, db.sessions.begin() as s:
        discussions.edit_information(s, admin, row.id, expected_version=1, text="Stale")
    assert isinstance(exc.value.current, discussions.InformationRow)
    assert exc.value.current.text == "Tenancy ends in March"
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        discussions.edit_information(s, admin, row.id, expected_version=2, text="  ")
    assert "cannot be empty" in exc.value.errors["text"]
    with pytest.raises(NotFound), db.sessions.begin() as s:
        discussions.edit_information(s, admin, 4242, expected_version=1, text="x")
    assert _audit_actions(db, disc) == ["create", "update"]
