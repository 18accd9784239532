"""CSV import of cases: all rows or none, every problem named by row and column."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import Case
from mappa_desktop.domain.enums import AliasKind, IdentifierScheme, Role
from mappa_desktop.domain.errors import PermissionDenied, ValidationError
from mappa_desktop.services import cases, imports
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user

HEADER = "family_name,given_names,date_of_birth,category,level,lead_agency"


def _count(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(Case)) or 0)


def _refused(db: Database, admin: Actor, source: Path | str) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught, db.sessions.begin() as s:
        imports.import_cases_csv(s, admin, source)
    with db.sessions() as s:
        assert _count(s) == 0, "a refused import must create nothing"
    return caught.value.errors


def test_import_creates_every_row_with_all_columns(db: Database, admin: Actor) -> None:
    text = (
        "\ufeffFamily name, Given-Names ,Date of birth,Category,Level,Lead agency,PNC,CRN,"
        "aliases,custody_status,gender,ethnicity,referral_date,index_offence\n"
        "O'Brien,Seán,27/03/1984,Cat 1,L1,police,2019/0123456X,X123456,"
        '"Smudge; B&Q Dave ;",Custody,Male,White Irish,2024-01-02,"Rape, s.1"\n'
        "\n"
        "Nguyễn,Văn Minh,1990-02-03,3,Level 2,Probation Service,,,,,,,,\n"
    )
    with db.sessions.begin() as s:
        result = imports.import_cases_csv(s, admin, text)
    assert result.created == 2 and len(result.case_ids) == 2
    with db.sessions() as s:
        first = cases.get_case(s, result.case_ids[0])
        second = cases.get_case(s, result.case_ids[1])
    assert (first.family_name, first.given_names) == ("O'Brien", "Seán")
    assert first.date_of_birth == date(1984, 3, 27)
    assert [(a.name, a.kind) for a in first.aliases] == [
        ("Smudge", AliasKind.ALIAS),
        ("B&Q Dave", AliasKind.ALIAS),
    ]
    assert first.identifier(IdentifierScheme.PNC) == "2019/0123456X"
    assert first.identifier(IdentifierScheme.CRN) == "X123456"
    assert first.custody_status.value == "custody" and first.ethnicity == "White Irish"
    assert first.referral_date == date(2024, 1, 2) and first.index_offence == "Rape, s.1"
    assert first.lead_agency_name == "Police"
    assert first.registration is not None
    assert (first.registration.category, first.registration.level) == (1, 1)
    assert "imported" in first.registration.rationale and "row 2" in first.registration.rationale
    assert (second.family_name, second.given_names) == ("Nguyễn", "Văn Minh")
    assert second.registration is not None and second.registration.level == 2
    assert second.custody_status.value == "community" and second.lead_agency_name == (
        "Probation Service"
    )


def test_import_reads_a_utf8_file_with_a_byte_order_mark(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(
        ("\ufeff" + HEADER + "\r\nΠαπαδόπουλος,Γιώργος,,1,1,Police\r\n").encode("utf-8")
    )
    with db.sessions.begin() as s:
        result = imports.import_cases_csv(s, admin, path)
    with db.sessions() as s:
        detail = cases.get_case(s, result.case_ids[0])
    assert (detail.family_name, detail.given_names) == ("Παπαδόπουλος", "Γιώργος")
    assert detail.date_of_birth is None


def test_import_refuses_category_3_at_level_1_and_imports_nothing(
    db: Database, admin: Actor
) -> None:
    text = f"{HEADER}\nGood,Row,1980-01-01,1,1,Police\nBad,Row,1980-01-01,3,1,Police\n"
    errors = _refused(db, admin, text)
    assert list(errors) == ["row 3, level"]
    assert "Category 3" in errors["row 3, level"]


def test_import_names_an_unknown_agency(db: Database, admin: Actor) -> None:
    errors = _refused(db, admin, f"{HEADER}\nSmith,John,1980-01-01,1,1,Polise\n")
    assert "'Polise'" in errors["row 2, lead_agency"]
    assert "Probation" in errors["row 2, lead_agency"]  # lists what to use instead


def test_import_refuses_missing_required_columns_naming_them(db: Database, admin: Actor) -> None:
    errors = _refused(db, admin, "family_name,given_names,category\nSmith,John,1\n")
    assert list(errors) == ["columns"]
    for column in ("date_of_birth", "level", "lead_agency"):
        assert column in errors["columns"]


def test_import_refuses_unknown_and_repeated_columns(db: Database, admin: Actor) -> None:
    errors = _refused(db, admin, f"{HEADER},PNC number,level\nA,B,,1,1,Police,1,1\n")
    assert "PNC number" in errors["unknown_columns"]
    assert "level" in errors["duplicate_columns"]


def test_import_reports_every_bad_field_of_every_row(db: Database, admin: Actor) -> None:
    text = (
        f"{HEADER},custody_status,referral_date\n"
        ",John,31/02/1980,5,1,Police,,\n"
        "Smith,John,1980-13-01,1,0,Police,jail,yesterday\n"
        "Short,Row\n"
    )
    errors = _refused(db, admin, text)
    assert set(errors) == {
        "row 2, family_name",
        "row 2, date_of_birth",
        "row 2, category",
        "row 3, date_of_birth",
        "row 3, level",
        "row 3, custody_status",
        "row 3, referral_date",
        "row 4",
    }
    assert "YYYY-MM-DD" in errors["row 2, date_of_birth"]
    assert "2 values" in errors["row 4"]


def test_import_refuses_an_identifier_repeated_in_the_file(db: Database, admin: Actor) -> None:
    text = (
        f"{HEADER},pnc\n"
        "One,A,1980-01-01,1,1,Police,2019/0123456X\n"
        "Two,B,1980-01-01,1,1,Police,2019/0123456x\n"
    )
    errors = _refused(db, admin, text)
    assert list(errors) == ["row 3, pnc"]
    assert "row 2" in errors["row 3, pnc"]


def test_import_refuses_an_identifier_already_in_the_database(db: Database, admin: Actor) -> None:
    with db.sessions.begin() as s:
        imports.import_cases_csv(s, admin, f"{HEADER},crn\nFirst,A,1980-01-01,1,1,Police,X1\n")
    with pytest.raises(ValidationError) as caught, db.sessions.begin() as s:
        imports.import_cases_csv(s, admin, f"{HEADER},crn\nSecond,B,1980-01-01,1,1,Police,x1\n")
    assert "already recorded for case" in caught.value.errors["row 2, crn"]
    assert "First, A" in caught.value.errors["row 2, crn"]
    with db.sessions() as s:
        assert _count(s) == 1


def test_import_rolls_back_rows_created_before_a_service_error(db: Database, admin: Actor) -> None:
    future = (date.today() + timedelta(days=30)).isoformat()
    long_name = "x" * 101
    text = (
        f"{HEADER}\n"
        "Fine,One,1980-01-01,1,1,Police\n"
        f"Future,Born,{future},1,1,Police\n"
        f"{long_name},Long,1980-01-01,1,1,Police\n"
    )
    errors = _refused(db, admin, text)
    assert set(errors) == {"row 3, date_of_birth", "row 4, family_name"}
    assert "after today" in errors["row 3, date_of_birth"]


def test_import_refuses_a_file_that_is_not_utf8(db: Database, admin: Actor, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\nMüller,Jürgen,,1,1,Police\n").encode("latin-1"))
    errors = _refused(db, admin, path)
    assert "UTF-8" in errors["file"]


def test_import_refuses_missing_empty_and_header_only_files(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    assert "Cannot read" in _refused(db, admin, tmp_path / "nowhere.csv")["file"]
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "empty" in _refused(db, admin, empty)["file"]
    assert "no cases" in _refused(db, admin, HEADER + "\n")["file"]


def test_import_refuses_broken_csv_quoting(db: Database, admin: Actor) -> None:
    errors = _refused(db, admin, f'{HEADER}\nSmith,"John,1980-01-01,1,1,Police\n')
    assert "not valid CSV" in errors["file"]


def test_import_needs_a_coordinator_or_administrator(db: Database, admin: Actor) -> None:
    reader = make_user(db, "reader", [Role.READER])
    chair = make_user(db, "chairperson", [Role.CHAIR])
    for actor in (reader, chair):
        with pytest.raises(PermissionDenied), db.sessions.begin() as s:
            imports.import_cases_csv(s, actor, f"{HEADER}\nA,B,,1,1,Police\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1984-03-27", date(1984, 3, 27)),
        ("27/03/1984", date(1984, 3, 27)),
        ("1/2/2001", date(2001, 2, 1)),
    ],
)
def test_parse_date_accepts_iso_and_day_month_year(text: str, expected: date) -> None:
    assert imports.parse_date(text) == expected


@pytest.mark.parametrize("text", ["03/27/1984", "1984/03/27", "27-03-1984", "1984-3-7", ""])
def test_parse_date_rejects_other_forms(text: str) -> None:
    with pytest.raises(ValueError):
        imports.parse_date(text)
