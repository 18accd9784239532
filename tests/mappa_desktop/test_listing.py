"""The case list and the meetings list: every column right, and a fixed number of statements."""

from __future__ import annotations

import sqlite3
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import (
    CustodyStatus,
    MeetingStatus,
    MeetingType,
    RiskGroup,
    RiskSetting,
    Role,
    RoshLevel,
)
from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.services import actions, cases, listing, meetings, people, registration, risk
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user

TODAY = date.today()


def _agency(s: Session, name: str) -> int:
    agency = people.find_agency(s, name)
    assert agency is not None
    return agency.id


def _case(s: Session, actor: Actor, family: str, given: str = "", **extra: object) -> int:
    values: dict[str, object] = {
        "family_name": family,
        "given_names": given,
        "date_of_birth": date(1980, 5, 17),
        "lead_agency_id": _agency(s, "Probation"),
        "category": 2,
        "level": 2,
        "registration_start": TODAY - timedelta(days=200),
    }
    values.update(extra)
    return cases.register_case(s, actor, **values).id  # type: ignore[arg-type]


def _grid(level: RoshLevel) -> dict[tuple[RiskSetting | str, RiskGroup | str], RoshLevel | str]:
    return {
        (RiskSetting.COMMUNITY, g): level
        for g in (RiskGroup.CHILDREN, RiskGroup.PUBLIC, RiskGroup.KNOWN_ADULT, RiskGroup.STAFF)
    }


def test_list_cases_shows_registration_risk_actions_identifiers_and_aliases(
    db: Database, admin: Actor
) -> None:
    with db.sessions.begin() as s:
        case_id = _case(
            s,
            admin,
            "Ó Súilleabháin",
            "Seán",
            aliases=[("Smudge & Co", "nickname"), ("<Tiny>", "alias")],
            identifiers={"pnc": "2019/0123456X", "crn": "X123456", "visor": "19/1234567"},
            custody_status="community",
        )
        other = _case(s, admin, "Quiet")
        for n, overall in enumerate((RoshLevel.MEDIUM, RoshLevel.VERY_HIGH), start=1):
            risk.record_assessment(
                s,
                admin,
                case_id,
                assessed_on=TODAY - timedelta(days=100 - n),
                overall=overall,
                ratings=_grid(overall),
            )
        police = _agency(s, "Police")
        for due in (TODAY + timedelta(days=5), TODAY - timedelta(days=5), TODAY):
            actions.set_action(
                s, admin, case_id, text="Visit the address", owner_agency_id=police, due_date=due
            )
        done = actions.set_action(
            s, admin, case_id, text="Done already", owner_agency_id=police, due_date=TODAY
        )
        actions.complete_action(
            s, admin, done.id, expected_version=done.version, completed_on=TODAY
        )
        registration.change_registration(
            s,
            admin,
            case_id,
            category=3,
            level=3,
            rationale="Escalating risk.",
            effective_date=TODAY - timedelta(days=10),
            next_review_due=TODAY + timedelta(days=40),
        )

    with db.sessions() as s:
        rows = {r.id: r for r in listing.list_cases(s)}
    row = rows[case_id]
    assert (row.family_name, row.given_names) == ("Ó Súilleabháin", "Seán")
    assert row.display_name == "Ó Súilleabháin, Seán"
    assert row.aliases == ("Smudge & Co", "<Tiny>")
    assert row.identifiers == (
        ("visor", "19/1234567"),
        ("pnc", "2019/0123456X"),
        ("crn", "X123456"),
    )
    assert row.identifier("pnc") == "2019/0123456X" and row.identifier("nomis") == ""
    assert (row.category, row.level) == (3, 3)  # the current registration, not the first
    assert row.next_review_due == TODAY + timedelta(days=40) and not row.review_overdue
    assert row.overall_rosh is RoshLevel.VERY_HIGH  # the latest assessment
    assert row.open_actions == 3
    assert row.lead_agency == "Probation" and row.custody_status is CustodyStatus.COMMUNITY
    assert row.date_of_birth == date(1980, 5, 17) and row.registration_ended_on is None
    assert row.version >= 1
    quiet = rows[other]
    assert quiet.aliases == () and quiet.identifiers == ()
    assert quiet.overall_rosh is None and quiet.open_actions == 0
    assert quiet.display_name == "Quiet"


def test_list_cases_names_in_every_script_come_back_exactly(db: Database, admin: Actor) -> None:
    names = [
        ("Иванов", "Дмитрий"),
        ("Παπαδόπουλος", "Γιώργος"),
        ("Nguyễn", "Văn Minh"),
        ("العلي", "محمد"),
        ("Ògúnlànà", "Adébáyọ̀"),
        ("D'Souza", "Zoë"),
    ]
    with db.sessions.begin() as s:
        ids = [_case(s, admin, family, given) for family, given in names]
    with db.sessions() as s:
        rows = {r.id: (r.family_name, r.given_names) for r in listing.list_cases(s)}
    assert [rows[i] for i in ids] == names


def test_list_cases_review_overdue_depends_on_today(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        case_id = _case(s, admin, "Due")
        due = registration.current_registration(s, case_id).next_review_due
    assert due is not None
    with db.sessions() as s:
        on_the_day = listing.list_cases(s, today=due)[0]
        day_after = listing.list_cases(s, today=due + timedelta(days=1))[0]
    assert not on_the_day.review_overdue
    assert day_after.review_overdue


def test_list_cases_ended_registration_is_never_overdue(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        case_id = _case(s, admin, "Gone")
        registration.end_registration(
            s, admin, case_id, ended_on=TODAY - timedelta(days=1), end_reason="Died"
        )
    with db.sessions() as s:
        row = listing.list_cases(s, today=TODAY + timedelta(days=3650))[0]
    assert row.registration_ended_on == TODAY - timedelta(days=1)
    assert not row.review_overdue


def test_list_cases_limit_keeps_the_lowest_ids(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        ids = [_case(s, admin, f"Case{n}", aliases=[(f"Alias{n}", "alias")]) for n in range(4)]
    with db.sessions() as s:
        limited = listing.list_cases(s, limit=2)
        none = listing.list_cases(s, limit=0)
    assert [r.id for r in limited] == ids[:2]
    assert [r.aliases for r in limited] == [("Alias0",), ("Alias1",)]
    assert none == []


def test_list_cases_rejects_a_negative_limit(db: Database) -> None:
    with db.sessions() as s, pytest.raises(ValidationError) as caught:
        listing.list_cases(s, limit=-1)
    assert "limit" in caught.value.errors


def test_list_cases_empty_database_gives_an_empty_list(db: Database) -> None:
    with db.sessions() as s:
        assert listing.list_cases(s) == []


def test_name_sort_key_orders_by_name_ignoring_case(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        for family, given in (("smith", "Zed"), ("Smith", "adam"), ("Ahmed", "Omar")):
            _case(s, admin, family, given)
    with db.sessions() as s:
        rows = sorted(listing.list_cases(s), key=listing.name_sort_key)
    assert [r.display_name for r in rows] == ["Ahmed, Omar", "Smith, adam", "smith, Zed"]


def test_list_cases_statement_count_does_not_grow_with_cases(sqlite_db: Database) -> None:
    actor = make_user(sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR])

    def count(n_cases: int) -> int:
        with sqlite_db.sessions.begin() as s:
            for n in range(n_cases):
                _case(s, actor, f"Count{n}", identifiers={"crn": f"C{n_cases:03d}{n:03d}"})
        statements: list[str] = []
        with sqlite_db.sessions() as s:
            raw = s.connection().connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            raw.set_trace_callback(statements.append)
            try:
                listing.list_cases(s)
            finally:
                raw.set_trace_callback(None)
        return len([q for q in statements if q.lstrip().upper().startswith("SELECT")])

    assert count(2) == count(20)


def _schedule(s: Session, actor: Actor, day: date, **extra: object) -> int:
    values: dict[str, object] = {
        "level": 2,
        "meeting_type": MeetingType.REVIEW,
        "meeting_date": day,
        "chair_id": actor.person_id,
        "venue": "Room 1",
    }
    values.update(extra)
    return meetings.schedule_meeting(s, actor, **values).id  # type: ignore[arg-type]


def test_list_meetings_shows_chair_status_and_case_count(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        later = _schedule(s, admin, TODAY + timedelta(days=14), start_time=time(10, 0))
        earlier = _schedule(s, admin, TODAY + timedelta(days=7), level=3, venue="Teams")
        for n in range(3):
            meetings.add_to_agenda(s, admin, later, _case(s, admin, f"Agenda{n}"))
    with db.sessions() as s:
        rows = listing.list_meetings(s)
    assert [r.id for r in rows] == [earlier, later]  # by date
    first, second = rows
    assert (first.level, first.venue, first.case_count, first.start_time) == (3, "Teams", 0, None)
    assert second.case_count == 3 and second.start_time == time(10, 0)
    assert second.status is MeetingStatus.PLANNED and second.meeting_type is MeetingType.REVIEW
    assert second.chair == "Test Okonkwo-Smith"
    assert second.version >= 1


def test_list_meetings_empty_database_gives_an_empty_list(db: Database) -> None:
    with db.sessions() as s:
        assert listing.list_meetings(s) == []


def test_list_cases_driver_errors_surface_as_sqlalchemy_errors(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        _case(s, admin, "Present")
    with db.sessions() as s:
        s.execute(sa.text("DROP TABLE case_alias"))  # rolled back when the session closes
        with pytest.raises(sa.exc.DBAPIError):
            listing.list_cases(s)
        s.rollback()
    with db.sessions() as s:
        assert [r.family_name for r in listing.list_cases(s)] == ["Present"]


def test_list_cases_first_by_name_gives_the_alphabetical_head_with_aliases(
    db: Database, admin: Actor
) -> None:
    with db.sessions.begin() as s:
        police = people.find_agency(s, "Police")
        assert police is not None
        for family in ("Zed", "Able", "Moss", "Baker"):
            cases.register_case(
                s,
                admin,
                family_name=family,
                given_names="A",
                date_of_birth=None,
                lead_agency_id=police.id,
                category=1,
                level=1,
                aliases=[(f"{family} & Co", "alias")],
            )
    with db.sessions() as s:
        head = listing.list_cases(s, limit=2, by_name=True)
    assert [r.family_name for r in head] == ["Able", "Baker"]
    assert [r.aliases for r in head] == [("Able & Co",), ("Baker & Co",)]
