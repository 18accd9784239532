"""The screens refuse hidden characters in names and show stored text contained.

The case form saves through the case service: a name typed (or pasted) with a bidi override or
a control character is refused next to the field, naming it, and nothing is written. Text
stored before the rules is shown contained in the case list and the DTO tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.enums import Role
from mappa_desktop.domain.text import FSI, PDI, REPLACEMENT
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.ui.case_rows import make_rows
from tests.ui.test_case_record import (
    context,
    open_record,
    press_save,
    register,
    replace_text,
    stored,
)
from ui.context import AppContext
from ui.models.case_table import CaseTableModel
from ui.models.dto_table import DISPLAY, Column, DtoTableModel


@pytest.fixture
def coordinator(sqlite_db: Database) -> Actor:
    return make_user(sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR])


@pytest.fixture
def ctx(sqlite_db: Database, coordinator: Actor) -> Iterator[AppContext]:
    context_ = context(sqlite_db, coordinator)
    yield context_
    context_.runner.wait_all()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("family_name", "Smith\u202eJones", "U+202E"),
        ("given_names", "Ann\u2067a", "U+2067"),
        ("family_name", "Ali\u200f", "U+200F"),
        ("given_names", "Jo\u200bhn", "U+200B"),  # (QLineEdit drops typed controls)
    ],
)
def test_case_form_refuses_hidden_characters_next_to_the_field(
    qtbot: QtBot,
    sqlite_db: Database,
    coordinator: Actor,
    ctx: AppContext,
    field: str,
    value: str,
    code: str,
) -> None:
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    view = record.details.view
    edit = view.line_edits[field]
    replace_text(edit, value)
    assert edit.text() == value
    press_save(record, edit)
    error = record.details.errors.error_for(field)
    assert error is not None and not error.isHidden()
    assert field.replace("_", " ") in error.text() and code in error.text()
    assert stored(sqlite_db, case.id) == case  # nothing written


def test_case_form_accepts_a_persian_name_with_zwnj(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    edit = record.details.view.line_edits["given_names"]
    replace_text(edit, "علی\u200cرضا")
    press_save(record, edit)
    assert stored(sqlite_db, case.id).given_names == "علی\u200cرضا"


def test_case_list_shows_a_stored_override_contained() -> None:
    rows = make_rows(3)
    rows[1] = replace(rows[1], display_name="\u202eSmith, Ali", lead_agency="Police\x07")
    model = CaseTableModel()
    model.set_rows(rows)
    shown = {model.data(model.index(r, 0), DISPLAY) for r in range(3)}
    assert f"{FSI}\u202eSmith, Ali\u202c{PDI}" in shown
    assert rows[0].display_name in shown and rows[2].display_name in shown  # untouched
    agencies = {model.data(model.index(r, CaseTableModel.AGENCY), DISPLAY) for r in range(3)}
    assert f"Police{REPLACEMENT}" in agencies


def test_dto_table_shows_text_contained() -> None:
    model: DtoTableModel[str] = DtoTableModel([Column("Name", lambda s: s)])
    model.set_rows(["\u2067Ahmed", "Plain"])
    assert model.data(model.index(0, 0), DISPLAY) == f"{FSI}\u2067Ahmed{PDI}{PDI}"
    assert model.data(model.index(1, 0), DISPLAY) == "Plain"
