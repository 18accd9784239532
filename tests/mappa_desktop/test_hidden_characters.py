"""Names, aliases and identifiers with control or bidi characters are refused by every writer.

Hypothesis puts a character of every class (C0, DEL, C1, each embedding, override, isolate and
mark, other invisible format characters) inside a name and feeds it to the case service (the
path the case form saves through), the person and agency services, the CSV import and the real
command line (``cli.main``): each refuses with the field named and writes nothing. Legitimate
names in many scripts are accepted. The audit CSV export contains what it writes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mappa_desktop import cli
from mappa_desktop.db.models import (
    Agency,
    AuditEvent,
    Case,
    CaseAlias,
    CaseIdentifier,
    Person,
    User,
)
from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.domain.text import FSI, PDI, REPLACEMENT
from mappa_desktop.services import audit_export, cases, imports, people
from mappa_desktop.services.actor import Actor
from tests.conftest import Database
from tests.mappa_desktop.factories_cases import agency_id, new_case
from tests.mappa_desktop.test_text import FORBIDDEN_CLASSES, LEGITIMATE_NAMES, forbidden_chars

# Bounded: each example is one refused transaction; the classes are drawn first, so every
# class comes up within these, and the @example lines pin one of each regardless.
FAST = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
ONE_OF_EACH_CLASS = [chars[len(chars) // 2] for chars in FORBIDDEN_CLASSES.values()]
AROUND = st.sampled_from(["Smith", "Nowak", "علی", "Иван", "王"])
TABLES = (Case, CaseAlias, CaseIdentifier, Person, Agency, User, AuditEvent)


def counts(db: Database) -> dict[str, int]:
    with db.sessions() as s:
        return {t.__name__: s.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES}


F = TypeVar("F", bound=Callable[..., Any])


def with_each_class(**fixed: list[str]) -> Callable[[F], F]:
    """Pin one character of every class as an explicit example; ``fixed`` maps any other
    argument to a list of values, used in turn."""

    def pin(test: F) -> F:
        for n, ch in enumerate(ONE_OF_EACH_CLASS):
            others = {name: values[n % len(values)] for name, values in fixed.items()}
            test = example(before="Smith", ch=ch, after="Jones", **others)(test)
        return test

    return pin


def refused(exc: pytest.ExceptionInfo[ValidationError], field: str, ch: str) -> None:
    assert field in exc.value.errors, exc.value.errors
    message = exc.value.errors[field]
    assert f"U+{ord(ch):04X}" in message, message


# --- the case service (what the case form saves through) ----------------------------------------


CASE_FIELDS = ["family_name", "given_names", "address_area", "ethnicity", "aliases", "pnc"]


def _case_values(db: Database, field: str, value: str) -> tuple[dict[str, Any], str]:
    """register_case arguments with ``value`` in ``field``; and the error key expected."""
    with db.sessions() as s:
        police = agency_id(s, "Police")
    values: dict[str, Any] = {
        "family_name": "Kowalski",
        "given_names": "Jan",
        "date_of_birth": date(1980, 5, 17),
        "lead_agency_id": police,
        "category": 2,
        "level": 2,
    }
    if field == "aliases":
        values["aliases"] = [("Jaś", "alias"), (value, "alias")]
        return values, "aliases.1"
    if field == "pnc":
        values["identifiers"] = {"pnc": value}
        return values, "identifiers.pnc"
    values[field] = value
    return values, field


@FAST
@given(field=st.sampled_from(CASE_FIELDS), before=AROUND, ch=forbidden_chars(), after=AROUND)
@with_each_class(field=CASE_FIELDS)
def test_register_case_refuses_hidden_characters_and_writes_nothing(
    db: Database, admin: Actor, field: str, before: str, ch: str, after: str
) -> None:
    before_counts = counts(db)
    values, key = _case_values(db, field, f"{before}{ch}{after}")
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        cases.register_case(s, admin, **values)
    refused(exc, key, ch)
    assert counts(db) == before_counts


@pytest.fixture
def existing_case(db: Database, admin: Actor) -> cases.CaseDetail:
    return new_case(db, admin, aliases=[("Jaś", "alias")], identifiers={"crn": "X123456"})


@FAST
@given(field=st.sampled_from(CASE_FIELDS), before=AROUND, ch=forbidden_chars(), after=AROUND)
@with_each_class(field=CASE_FIELDS)
def test_edit_case_refuses_hidden_characters_and_changes_nothing(
    db: Database,
    admin: Actor,
    existing_case: cases.CaseDetail,
    field: str,
    before: str,
    ch: str,
    after: str,
) -> None:
    before_counts = counts(db)
    values, key = _case_values(db, field, f"{before}{ch}{after}")
    change = {k: v for k, v in values.items() if k in cases.EDITABLE_FIELDS}
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        cases.edit_case(
            s, admin, existing_case.id, expected_version=existing_case.version, **change
        )
    refused(exc, key, ch)
    assert counts(db) == before_counts
    with db.sessions() as s:
        assert cases.get_case(s, existing_case.id) == existing_case


# --- people and agencies -----------------------------------------------------------------------


PERSON_FIELDS = ["family_name", "given_names", "role_title"]


@FAST
@given(field=st.sampled_from(PERSON_FIELDS), before=AROUND, ch=forbidden_chars(), after=AROUND)
@with_each_class(field=PERSON_FIELDS)
def test_add_person_refuses_hidden_characters(
    db: Database, admin: Actor, field: str, before: str, ch: str, after: str
) -> None:
    before_counts = counts(db)
    values = {"family_name": "Okafor", "given_names": "Ada", "role_title": "Probation officer"}
    values[field] = f"{before}{ch}{after}"
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        people.add_person(s, admin, agency_id=agency_id(s, "Police"), **values)
    refused(exc, field, ch)
    assert counts(db) == before_counts


@FAST
@given(field=st.sampled_from(["name", "short_name"]), ch=forbidden_chars())
def test_add_agency_refuses_hidden_characters(
    db: Database, admin: Actor, field: str, ch: str
) -> None:
    before_counts = counts(db)
    values = {"name": "Youth Offending Service North", "short_name": "YOS North"}
    values[field] = values[field].replace(" ", ch, 1)
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        people.add_agency(s, admin, kind="youth_justice", **values)
    refused(exc, field, ch)
    assert counts(db) == before_counts


@pytest.mark.parametrize("script", LEGITIMATE_NAMES)
def test_legitimate_names_are_accepted_as_they_are(db: Database, admin: Actor, script: str) -> None:
    name = LEGITIMATE_NAMES[script]
    detail = new_case(db, admin, family_name=name, given_names=name, aliases=[(name, "alias")])
    assert (detail.family_name, detail.given_names) == (name, name)
    assert [a.name for a in detail.aliases] == [name]
    with db.sessions.begin() as s:
        person = people.add_person(
            s, admin, family_name=name, given_names=name, agency_id=agency_id(s, "Police")
        )
    assert person.family_name == name


# --- CSV import ---------------------------------------------------------------------------------

IMPORT_COLUMNS = ["family_name", "given_names", "aliases", "ethnicity", "pnc", "crn"]
HEADER = (
    "family_name,given_names,date_of_birth,category,level,lead_agency,aliases,ethnicity,pnc,crn"
)


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER.split(","))
    writer.writerows(rows)
    return out.getvalue()


def _row(**cells: str) -> list[str]:
    values = {
        "family_name": "Nowak",
        "given_names": "Ewa",
        "date_of_birth": "1985-02-03",
        "category": "1",
        "level": "2",
        "lead_agency": "Police",
        "aliases": "",
        "ethnicity": "",
        "pnc": "",
        "crn": "",
        **cells,
    }
    return [values[c] for c in HEADER.split(",")]


@FAST
@given(column=st.sampled_from(IMPORT_COLUMNS), before=AROUND, ch=forbidden_chars(), after=AROUND)
@with_each_class(column=IMPORT_COLUMNS)
def test_import_refuses_hidden_characters_naming_row_and_column(
    db: Database, admin: Actor, column: str, before: str, ch: str, after: str
) -> None:
    before_counts = counts(db)
    good = _row(family_name="Kaur", pnc="2001/0000001A")
    bad = _row(**{column: f"{before}{ch}{after}"})
    with pytest.raises(ValidationError) as exc, db.sessions.begin() as s:
        imports.import_cases_csv(s, admin, _csv([good, bad]))
    refused(exc, f"row 3, {column}", ch)
    assert not any(key.startswith("row 2") for key in exc.value.errors)
    assert counts(db) == before_counts


def test_import_accepts_legitimate_names(db: Database, admin: Actor) -> None:
    rows = [
        _row(family_name=name, given_names=name, aliases=name, crn=f"X{n:06d}")
        for n, name in enumerate(LEGITIMATE_NAMES.values())
    ]
    with db.sessions.begin() as s:
        result = imports.import_cases_csv(s, admin, _csv(rows))
    with db.sessions() as s:
        stored = [cases.get_case(s, case_id).family_name for case_id in result.case_ids]
    assert stored == list(LEGITIMATE_NAMES.values())


# --- the command line ---------------------------------------------------------------------------


def _add_user(db: Database, login: str, name: str, title: str = "") -> list[str]:
    return [
        "--database", db.url, "admin", "add-user", login, "--name", name, "--agency", "Police",
        "--role", "administrator", "--no-password", "--title", title,
    ]  # fmt: skip


@settings(FAST, max_examples=4)  # each run opens the database afresh (about half a second)
@given(before=AROUND, ch=forbidden_chars(), after=AROUND)
@with_each_class()
def test_admin_add_user_refuses_hidden_characters_in_the_name(
    db: Database, capsys: pytest.CaptureFixture[str], before: str, ch: str, after: str
) -> None:
    before_counts = counts(db)
    status = cli.main(_add_user(db, "jdoe", f"{before} {before}{ch}{after}"))
    err = capsys.readouterr().err
    assert status == 1, err
    assert err.startswith("error: name: ") and f"U+{ord(ch):04X}" in err
    assert "Traceback" not in err
    assert counts(db) == before_counts


def test_admin_add_user_refuses_hidden_characters_in_the_title(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    before_counts = counts(db)
    status = cli.main(_add_user(db, "jdoe", "Jane Doe", title="Chief\u202e officer"))
    err = capsys.readouterr().err
    assert status == 1 and "role title" in err and "U+202E" in err
    assert counts(db) == before_counts


@pytest.mark.parametrize("script", ["Persian with ZWNJ", "Arabic", "Hebrew", "CJK", "Vietnamese"])
def test_admin_add_user_accepts_legitimate_names(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str], script: str
) -> None:
    # SQLite only: on PostgreSQL this would create a login role, which is global to the server.
    name = LEGITIMATE_NAMES[script]
    status = cli.main(_add_user(sqlite_db, "jdoe", f"{name}, {name}"))
    assert status == 0, capsys.readouterr().err
    with sqlite_db.sessions() as s:
        user = people.get_user(s, "jdoe")
    assert (user.person.family_name, user.person.given_names) == (name, name)


# --- CSV export ---------------------------------------------------------------------------------


@pytest.fixture
def old_hostile_name(db: Database, admin: Actor) -> Iterator[str]:
    """A name written before these rules (straight into the table): shown, never refused."""
    name = "\u202eSmith\x07"
    with db.sessions.begin() as s:
        s.get(Person, admin.person_id).family_name = name  # type: ignore[union-attr]
    yield name


def test_audit_export_contains_hostile_text(
    db: Database, admin: Actor, old_hostile_name: str
) -> None:
    detail = new_case(db, admin, victim_notes="Lives with \u202eher mother")
    with db.sessions() as s:
        data, _count = audit_export.csv_bytes(audit_export.audit_rows(s, case_id=detail.id))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    notes = next(r for r in rows if r["field"] == "victim_notes")
    assert notes["new"] == f"{FSI}Lives with \u202eher mother\u202c{PDI}"
    assert {r["name"] for r in rows} == {f"{FSI}Test \u202eSmith{REPLACEMENT}\u202c{PDI}"}
    assert all("\x07" not in value for r in rows for value in r.values())
