"""The audit trail as people read it: names instead of ids, the stored trail unchanged."""

from __future__ import annotations

from mappa_desktop.services import audit, cases
from mappa_desktop.services.actor import Actor
from tests.conftest import Database
from tests.mappa_desktop.factories_cases import agency_id, new_case, new_person
from ui.views.record.history_tabs import audit_lines


def test_ids_become_names_and_the_stored_trail_keeps_ids(db: Database, admin: Actor) -> None:
    case = new_case(db, admin)
    manager = new_person(db, "Nakamura", agency="Probation")
    with db.sessions.begin() as s:
        probation = agency_id(s, "Probation")
        cases.edit_case(
            s,
            admin,
            case.id,
            expected_version=case.version,
            lead_agency_id=probation,
            offender_manager_id=manager,
        )
    with db.sessions() as s:
        stored = audit.list_events(s, case_id=case.id)
        shown = audit.readable_events(s, stored)
    edit = next(e for e in shown if e.entity == "case" and e.action == "update")
    assert edit.changes["lead_agency"][1] == "Probation Service"
    assert edit.changes["lead_agency"][0] == "Police"
    assert edit.changes["offender_manager"] == [None, "Test Nakamura"]
    raw = next(e for e in stored if e.entity == "case" and e.action == "update")
    assert raw.changes["lead_agency_id"] == [agency_id_of(db, "Police"), probation]

    lines = [line for line in audit_lines(shown) if line.field == "lead agency"]
    assert (lines[0].old, lines[0].new) == ("Police", "Probation Service")
    assert not any("{" in line.new or "[" in line.new for line in audit_lines(shown))


def agency_id_of(db: Database, name: str) -> int:
    with db.sessions() as s:
        return agency_id(s, name)
