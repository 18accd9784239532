"""Cases: register (with the first registration), edit with optimistic locking, read back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mappa_desktop.db.models import Case, CaseIdentifier, Registration
from mappa_desktop.domain.enums import AliasKind, CustodyStatus, IdentifierScheme, Level, Role
from mappa_desktop.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from mappa_desktop.services import audit, cases, settings
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_cases import TODAY, agency_id, days_ago, new_case, new_person

NAMES = [
    ("Łukasz", "Wiśniewski"),
    ("Дмитрий", "Иванов"),
    ("Γιώργος", "Παπαδόπουλος"),
    ("Thị Hồng", "Nguyễn"),
    ("محمد", "العلي"),
    ("Seán", "O'Brien"),
    ("Bob", "Smith & <Jones>"),
]


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return exc.value.errors


# --- register_case: happy paths -----------------------------------------------------------------


def test_register_case_creates_case_and_first_registration(db: Database, admin: Actor) -> None:
    manager_id = new_person(db, "Adebayo", "Probation")
    start = days_ago(10)
    with db.sessions.begin() as s:
        detail = cases.register_case(
            s,
            admin,
            family_name="Kowalski",
            given_names="Jan Piotr",
            date_of_birth=date(1979, 2, 28),
            lead_agency_id=agency_id(s, "Probation"),
            category=1,
            level=2,
            registration_start=start,
            gender="Male",
            ethnicity="White Polish",
            address_area="Leeds North",
            custody_status="community",
            offender_manager_id=manager_id,
            index_offence="Sexual assault",
            referral_date=days_ago(20),
            aliases=[("Kowal", "nickname"), ("Jan Kowalsky", AliasKind.ALIAS)],
            identifiers={"pnc": " 2001/0012345A ", IdentifierScheme.VISOR: "VS-123"},
        )
    assert detail.id > 0 and detail.version == 1
    assert detail.lead_agency_name == "Probation Service"
    assert detail.offender_manager_name == "Test Adebayo"
    assert detail.custody_status is CustodyStatus.COMMUNITY
    assert [(a.name, a.kind) for a in detail.aliases] == [
        ("Kowal", AliasKind.NICKNAME),
        ("Jan Kowalsky", AliasKind.ALIAS),
    ]
    assert [(i.scheme, i.value) for i in detail.identifiers] == [
        (IdentifierScheme.VISOR, "VS-123"),
        (IdentifierScheme.PNC, "2001/0012345A"),
    ]
    assert detail.identifier("pnc") == "2001/0012345A"
    reg = detail.registration
    assert reg is not None
    assert (reg.category, reg.level, reg.start_date) == (1, 2, start)
    assert reg.is_current and not reg.is_ended
    assert reg.rationale == "Initial registration"
    assert reg.next_review_due == start + timedelta(days=16 * 7)
    assert reg.recorded_by_id == admin.user_id


def test_register_case_next_review_follows_the_policy_setting(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        settings.set_review_intervals(s, admin, {Level.LEVEL_3: 28})
    start = days_ago(5)
    detail = new_case(db, admin, level=3, registration_start=start)
    assert detail.registration is not None
    assert detail.registration.next_review_due == start + timedelta(days=28)


def test_register_case_defaults_registration_start_to_today(db: Database, admin: Actor) -> None:
    detail = new_case(db, admin, registration_start=None, level=1, category=1)
    assert detail.registration is not None
    assert detail.registration.start_date == TODAY
    assert detail.registration.next_review_due == TODAY + timedelta(days=365)


def test_register_case_names_in_many_scripts_round_trip_exactly(db: Database, admin: Actor) -> None:
    ids = []
    for given, family in NAMES:
        detail = new_case(
            db,
            admin,
            family_name=family,
            given_names=given,
            aliases=[(f"{given} {family}", "alias")],
            victim_notes=f"Victim: {given} {family} & <others>",
        )
        ids.append(detail.id)
    with db.sessions.begin() as s:
        for case_id, (given, family) in zip(ids, NAMES, strict=True):
            back = cases.get_case(s, case_id)
            assert (back.given_names, back.family_name) == (given, family)
            assert back.aliases[0].name == f"{given} {family}"
            assert back.victim_notes == f"Victim: {given} {family} & <others>"


def test_register_case_trims_only_surrounding_spaces(db: Database, admin: Actor) -> None:
    detail = new_case(db, admin, family_name="  van der Berg  ", given_names="\tAnna  Maria ")
    assert (detail.family_name, detail.given_names) == ("van der Berg", "Anna  Maria")


# --- register_case: bad input -------------------------------------------------------------------


def _register(db: Database, actor: Actor, **overrides: object) -> None:
    new_case(db, actor, **overrides)


def test_register_case_refuses_empty_and_too_long_names(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as exc:
        _register(db, admin, family_name="   ", given_names="x" * 101)
    errors = _errors(exc)
    assert "cannot be empty" in errors["family_name"]
    assert "101 characters" in errors["given_names"]
    with pytest.raises(ValidationError) as exc:
        _register(db, admin, family_name="Ł" * 101)
    assert "shorten it to 100" in _errors(exc)["family_name"]
    new_case(db, admin, family_name="Ł" * 100)  # exactly at the limit is fine


def test_register_case_refuses_future_and_absurd_dates_of_birth(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as exc:
        _register(db, admin, date_of_birth=TODAY + timedelta(days=1))
    assert "after today" in _errors(exc)["date_of_birth"]
    with pytest.raises(ValidationError) as exc:
        _register(db, admin, date_of_birth=date(TODAY.year - 111, 1, 1))
    assert "110 years" in _errors(exc)["date_of_birth"]


def test_register_case_refuses_future_referral_date(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as exc:
        _register(db, admin, referral_date=TODAY + timedelta(days=3))
    assert "referral_date" in _errors(exc)


def test_register_case_refuses_referral_and_start_before_birth(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as exc:
        _register(
            db,
            admin,
            date_of_birth=date(1990, 1, 1),
            referral_date=date(1989, 1, 1),
            registration_start=date(1989, 6, 1),
        )
    assert set(_errors(exc)) == {"referral_date", "registration_start"}


def test_register_case_refuses_unknown_agency_and_offender_manager(
    db: Database, admin: Actor
) -> None:
    with pytest.raises(ValidationError) as exc:
        _register(db, admin, lead_agency_id=99_999, offender_manager_id=88_888)
    errors = _errors(exc)
    assert "99999 does not exist" in errors["lead_agency_id"]
    assert "88888 does not exist" in errors["offender_manager_id"]


def test_register_case_refuses_category_3_at_level_1(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as exc:
        _register(db, admin, category=3, level=1)
    assert list(_errors(exc)) == ["level"]
    assert "Category 3" in _errors(exc)["level"]
    with db.sessions.begin() as s:
        assert s.query(Case).count() == 0


@pytest.mark.parametrize(("category", "level"), [(0, 2), (5, 2), (2, 0), (2, 4)])
def test_register_case_refuses_category_or_level_out_of_range(
    db: Database, admin: Actor, category: int, level: int
) -> None:
    with pytest.raises(ValidationError) as exc:
        _register(db, admin, category=category, level=level)
    assert set(_errors(exc)) == ({"category"} if category in (0, 5) else {"level"})


def test_register_case_refuses_bad_identifiers(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as exc:
        _register(
            db,
            admin,
            identifiers={"passport": "X1", "pnc": "   ", "crn": "C" * 61, "nomis": "A1234BC"},
        )
    errors = _errors(exc)
    assert "not a known identifier" in errors["identifiers.passport"]
    assert "Enter the PNC ID" in errors["identifiers.pnc"]
    assert "61 characters" in errors["identifiers.crn"]
    assert "identifiers.nomis" not in errors


def test_register_case_refuses_identifier_held_by_another_case(db: Database, admin: Actor) -> None:
    first = new_case(db, admin, family_name="Nowak", identifiers={"pnc": "99/123456X"})
    with pytest.raises(ValidationError) as exc:
        _register(db, admin, family_name="Other", identifiers={"pnc": "99/123456x"})
    message = _errors(exc)["identifiers.pnc"]
    assert f"case {first.id}" in message and "Nowak" in message
    # The same number under another scheme is a different identifier.
    new_case(db, admin, family_name="Third", identifiers={"crn": "99/123456X"})


def test_register_case_refuses_bad_aliases(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as exc:
        _register(
            db,
            admin,
            aliases=[("", "alias"), ("x" * 201, "alias"), ("Ok", "codename"), ("Ok", "alias")],
        )
    errors = _errors(exc)
    assert "cannot be empty" in errors["aliases.0"]
    assert "shorten it to 200" in errors["aliases.1"]
    assert "codename" in errors["aliases.2"]
    assert "aliases.3" not in errors


def test_register_case_refuses_bad_custody_status_and_rationale(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as exc:
        _register(db, admin, custody_status="prison", rationale=" ")
    assert set(_errors(exc)) == {"custody_status", "rationale"}


def test_register_case_names_every_bad_field_at_once(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as exc:
        _register(
            db,
            admin,
            family_name="",
            date_of_birth=TODAY + timedelta(days=1),
            lead_agency_id=123_456,
            category=3,
            level=1,
        )
    assert {"family_name", "date_of_birth", "lead_agency_id", "level"} <= set(_errors(exc))


def test_register_case_writes_audit_events(db: Database, admin: Actor) -> None:
    detail = new_case(db, admin, family_name="Иванов", identifiers={"pnc": "11/1A"})
    with db.sessions.begin() as s:
        events = audit.list_events(s, case_id=detail.id)
    assert [(e.entity, e.action) for e in events] == [
        ("case", "create"),
        ("registration", "create"),
    ]
    assert events[0].changes["family_name"] == [None, "Иванов"]
    assert events[0].changes["identifiers"] == [None, {"pnc": "11/1A"}]
    assert events[1].changes["level"] == [None, 2]
    assert all(e.user_login == "admin" for e in events)


def test_reader_cannot_register_or_edit_a_case(db: Database, admin: Actor) -> None:
    detail = new_case(db, admin)
    reader = make_user(db, "reader", [Role.READER])
    with pytest.raises(PermissionDenied):
        new_case(db, reader)
    with pytest.raises(PermissionDenied), db.sessions.begin() as s:
        cases.edit_case(s, reader, detail.id, expected_version=1, family_name="X")
    with db.sessions.begin() as s:
        assert s.query(Case).count() == 1
        assert cases.get_case(s, detail.id).family_name == "Kowalski"


# --- edit_case ----------------------------------------------------------------------------------


def test_edit_case_changes_fields_bumps_version_and_audits_old_and_new(
    db: Database, admin: Actor
) -> None:
    detail = new_case(db, admin)
    with db.sessions.begin() as s:
        edited = cases.edit_case(
            s,
            admin,
            detail.id,
            expected_version=detail.version,
            family_name="Wiśniewski",
            custody_status="custody",
            no_fixed_abode=True,
            lead_agency_id=agency_id(s, "Probation"),
        )
    assert edited.version == detail.version + 1
    assert (edited.family_name, edited.custody_status) == ("Wiśniewski", CustodyStatus.CUSTODY)
    assert edited.no_fixed_abode and edited.lead_agency_name == "Probation Service"
    assert edited.registration == detail.registration
    with db.sessions.begin() as s:
        again = cases.get_case(s, detail.id)
        last = audit.list_events(s, case_id=detail.id)[-1]
    assert again == edited
    assert (last.entity, last.action) == ("case", "update")
    assert last.changes["family_name"] == ["Kowalski", "Wiśniewski"]
    assert last.changes["custody_status"] == ["community", "custody"]
    assert last.changes["no_fixed_abode"] == [False, True]
    assert "given_names" not in last.changes


def test_edit_case_aliases_alone_move_the_version_on(db: Database, admin: Actor) -> None:
    detail = new_case(db, admin, aliases=[("Kowal", "nickname")])
    with db.sessions.begin() as s:
        edited = cases.edit_case(
            s,
            admin,
            detail.id,
            expected_version=1,
            aliases=[("Kowal", "nickname"), ("Джон", "alias")],
        )
    assert edited.version == 2
    assert [a.name for a in edited.aliases] == ["Kowal", "Джон"]
    with db.sessions.begin() as s:
        last = audit.list_events(s, case_id=detail.id)[-1]
    assert last.changes["aliases"] == [
        [["Kowal", "nickname"]],
        [["Kowal", "nickname"], ["Джон", "alias"]],
    ]


def test_edit_case_replaces_identifiers(db: Database, admin: Actor) -> None:
    detail = new_case(db, admin, identifiers={"pnc": "01/1A", "crn": "X123456"})
    with db.sessions.begin() as s:
        edited = cases.edit_case(
            s,
            admin,
            detail.id,
            expected_version=1,
            identifiers={"pnc": "01/1B", "nomis": "A1234BC"},
        )
    assert {i.scheme.value: i.value for i in edited.identifiers} == {
        "pnc": "01/1B",
        "nomis": "A1234BC",
    }
    with db.sessions.begin() as s:
        assert s.query(CaseIdentifier).count() == 2
        # Saving the same identifiers again is not a clash with itself.
        same = cases.edit_case(
            s,
            admin,
            detail.id,
            expected_version=edited.version,
            identifiers={"pnc": "01/1B", "nomis": "A1234BC"},
        )
    assert same.version == edited.version


def test_edit_case_refuses_identifier_of_another_case(db: Database, admin: Actor) -> None:
    holder = new_case(db, admin, family_name="Holder", identifiers={"visor": "V1"})
    other = new_case(db, admin, family_name="Other")
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        cases.edit_case(s, admin, other.id, expected_version=1, identifiers={"visor": "V1"})
    assert f"case {holder.id}" in _errors(exc)["identifiers.visor"]


def test_edit_case_with_stale_version_is_refused_and_keeps_the_first_save(
    db: Database, admin: Actor
) -> None:
    detail = new_case(db, admin)
    # Two users open the same case (both read version 1)...
    with db.sessions.begin() as s:
        seen_by_first = cases.get_case(s, detail.id)
    with db.sessions.begin() as s:
        seen_by_second = cases.get_case(s, detail.id)
    # ...the first saves...
    with db.sessions.begin() as s:
        cases.edit_case(
            s, admin, detail.id, expected_version=seen_by_first.version, family_name="First"
        )
    # ...and the second, still on version 1, is refused.
    with pytest.raises(ConflictError) as exc, db.sessions.begin() as s:
        cases.edit_case(
            s, admin, detail.id, expected_version=seen_by_second.version, family_name="Second"
        )
    assert (exc.value.expected_version, exc.value.current_version) == (1, 2)
    with db.sessions.begin() as s:
        assert cases.get_case(s, detail.id).family_name == "First"
        assert [e.action for e in audit.list_events(s, case_id=detail.id)].count("update") == 1


def test_edit_case_in_overlapping_transactions_is_refused(db: Database, admin: Actor) -> None:
    if db.kind != "pg":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE: transactions cannot overlap")
    detail = new_case(db, admin)
    first = db.sessions()
    second = db.sessions()
    try:
        first.begin()
        second.begin()
        cases.edit_case(first, admin, detail.id, expected_version=1, given_names="A")
        cases.get_case(second, detail.id)  # loads version 1 into the second session
        first.commit()
        with pytest.raises(ConflictError):
            cases.edit_case(second, admin, detail.id, expected_version=1, given_names="B")
        second.rollback()
    finally:
        first.close()
        second.close()
    with db.sessions.begin() as s:
        assert cases.get_case(s, detail.id).given_names == "A"


def test_edit_case_without_changes_keeps_version_and_writes_no_audit(
    db: Database, admin: Actor
) -> None:
    detail = new_case(db, admin)
    with db.sessions.begin() as s:
        same = cases.edit_case(s, admin, detail.id, expected_version=1, family_name="Kowalski")
    assert same.version == 1
    with db.sessions.begin() as s:
        assert [e.action for e in audit.list_events(s, case_id=detail.id)] == ["create", "create"]


def test_edit_case_refuses_registration_and_unknown_fields(db: Database, admin: Actor) -> None:
    detail = new_case(db, admin)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        cases.edit_case(s, admin, detail.id, expected_version=1, level=3, nickname="x")
    assert "registration history" in _errors(exc)["level"]
    assert "not a case field" in _errors(exc)["nickname"]


def test_edit_case_refuses_bad_values(db: Database, admin: Actor) -> None:
    detail = new_case(db, admin)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        cases.edit_case(
            s,
            admin,
            detail.id,
            expected_version=1,
            family_name="",
            date_of_birth=TODAY + timedelta(days=2),
            referral_date=TODAY + timedelta(days=2),
            lead_agency_id=None,
            offender_manager_id=77_777,
            ethnicity="e" * 201,
        )
    assert set(_errors(exc)) == {
        "family_name",
        "date_of_birth",
        "referral_date",
        "lead_agency_id",
        "offender_manager_id",
        "ethnicity",
    }
    with db.sessions.begin() as s:
        assert cases.get_case(s, detail.id).version == 1


def test_edit_and_get_unknown_case_raise_not_found(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        with pytest.raises(NotFound):
            cases.get_case(s, 424_242)
        with pytest.raises(NotFound):
            cases.edit_case(s, admin, 424_242, expected_version=1, family_name="X")


def test_get_case_reports_the_current_registration(db: Database, admin: Actor) -> None:
    detail = new_case(db, admin)
    with db.sessions.begin() as s:
        regs = s.query(Registration).filter_by(case_id=detail.id).all()
        got = cases.get_case(s, detail.id)
    assert len(regs) == 1
    assert got.registration is not None and got.registration.id == regs[0].id
    assert got.display_name == "Kowalski, Jan"
