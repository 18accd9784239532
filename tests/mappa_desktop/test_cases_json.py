"""``mappa-desktop cases --json``: written from a template, byte for byte what json.dumps writes."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from mappa_desktop import cli
from mappa_desktop.domain.enums import RiskGroup, RiskSetting, RoshLevel
from mappa_desktop.services import actions, cases, listing, people, registration, risk
from mappa_desktop.services.actor import Actor
from tests.conftest import Database
from tests.mappa_desktop.test_cli import run

TODAY = date.today()


def stdlib_json(data: object) -> str:
    """What ``cases --json`` wrote before it had a template of its own."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=cli._json_default) + "\n"


def expected(row: listing.CaseRow) -> dict[str, Any]:
    """The fields ``cases --json`` gives for one case of ``list_cases``."""
    return {
        "id": row.id,
        "family_name": row.family_name,
        "given_names": row.given_names,
        "date_of_birth": row.date_of_birth,
        "category": row.category,
        "level": row.level,
        "lead_agency": row.lead_agency,
        "identifiers": dict(row.identifiers),
        "aliases": list(row.aliases),
        "custody_status": row.custody_status.value,
        "next_review_due": row.next_review_due,
        "review_overdue": row.review_overdue,
        "overall_rosh": row.overall_rosh.value if row.overall_rosh else None,
        "open_actions": row.open_actions,
    }


AWKWARD = ['He said "no"', "back\\slash", "tab\there", "line\nbreak", "bell\x07", "Zoë 😀", "العلي"]


DUE_BEFORE = "2027-01-01"


def synthetic(n: int) -> tuple[object, ...]:
    """A driver row as ``listing.case_table`` reads it on SQLite (ISO text dates)."""
    word = AWKWARD[n % len(AWKWARD)]
    idents = [f"{n}/1", word, None, None, "9"] if n % 4 else [None] * 5
    return (
        n + 1,
        word,
        "" if n % 3 else "Given",
        None if n % 5 == 0 else "1980-05-17",
        "custody" if n % 2 else "community",
        1,
        f"Agency {word}",
        None if n % 7 == 0 else 1 + n % 3,
        None if n % 7 == 0 else 1 + n % 3,
        None if n % 7 == 0 else ("2026-12-31", "2027-01-01", "2027-01-02")[n % 3],
        "2026-01-01" if n % 11 == 0 else None,
        (None, "low", "very_high")[n % 3],
        None if n % 4 == 0 else n % 4,
        *idents,
    )


def table(count: int) -> listing.CaseTable:
    rows = [synthetic(n) for n in range(count)]
    aliases = {n + 1: tuple(AWKWARD[: n % 3]) for n in range(count) if n % 3}
    return listing.CaseTable(rows, aliases, DUE_BEFORE)


def as_dict(t: listing.CaseTable, row: tuple[Any, ...]) -> dict[str, Any]:
    schemes = [s.value for s in listing.IDENTIFIER_COLUMNS]
    return {
        "id": row[0],
        "family_name": row[1],
        "given_names": row[2],
        "date_of_birth": row[3],
        "category": row[7],
        "level": row[8],
        "lead_agency": row[6],
        "identifiers": {s: v for s, v in zip(schemes, row[13:], strict=True) if v is not None},
        "aliases": list(t.aliases.get(row[0], ())),
        "custody_status": row[4],
        "next_review_due": row[9],
        "review_overdue": row[9] is not None and row[10] is None and row[9] < DUE_BEFORE,
        "overall_rosh": row[11],
        "open_actions": row[12] or 0,
    }


@pytest.mark.parametrize("count", [0, 1, 7, cli.CASES_PER_WRITE, 2 * cli.CASES_PER_WRITE + 3])
def test_template_writes_what_json_dumps_writes(count: int) -> None:
    t = table(count)
    out = io.StringIO()
    cli.write_cases_json(out, t)
    assert out.getvalue() == stdlib_json([as_dict(t, row) for row in t.rows])


def test_dates_read_as_date_objects_are_written_as_iso_text() -> None:
    # PostgreSQL's driver gives dates, not text.
    row = synthetic(1)
    row = (*row[:3], date(1979, 11, 30), *row[4:9], date(2027, 1, 2), None, *row[11:])
    out = io.StringIO()
    cli.write_cases_json(out, listing.CaseTable([row], {}, date(2027, 1, 3)))
    written = json.loads(out.getvalue())[0]
    assert (written["date_of_birth"], written["next_review_due"]) == ("1979-11-30", "2027-01-02")
    assert written["review_overdue"] is True


def _grid(level: RoshLevel) -> dict[tuple[RiskSetting | str, RiskGroup | str], RoshLevel | str]:
    return {
        (RiskSetting.COMMUNITY, g): level
        for g in (RiskGroup.CHILDREN, RiskGroup.PUBLIC, RiskGroup.KNOWN_ADULT, RiskGroup.STAFF)
    }


def test_cases_json_lists_every_field_as_before(db: Database, admin: Actor, tmp_path: Path) -> None:
    with db.sessions.begin() as s:
        police = people.find_agency(s, "Police")
        assert police is not None
        rich = cases.register_case(
            s,
            admin,
            family_name='O\'Brien "Bear"',
            given_names="Seán \\ Łukasz",
            date_of_birth=date(1980, 5, 17),
            lead_agency_id=police.id,
            category=2,
            level=2,
            registration_start=TODAY - timedelta(days=300),
            aliases=[("Smudge & Co", "nickname"), ("<Tiny>", "alias")],
            identifiers={"pnc": "2019/0123456X", "crn": "X123456", "nhs": "943 476 5919"},
        ).id
        risk.record_assessment(
            s,
            admin,
            rich,
            assessed_on=TODAY - timedelta(days=5),
            overall=RoshLevel.HIGH,
            ratings=_grid(RoshLevel.HIGH),
        )
        actions.set_action(s, admin, rich, text="Visit", owner_agency_id=police.id, due_date=TODAY)
        registration.change_registration(
            s,
            admin,
            rich,
            category=3,
            level=3,
            rationale="Escalating risk.",
            effective_date=TODAY - timedelta(days=10),
            next_review_due=TODAY - timedelta(days=1),  # overdue
        )
        gone = cases.register_case(
            s,
            admin,
            family_name="Nguyễn",
            date_of_birth=None,
            lead_agency_id=police.id,
            category=1,
            level=1,
            registration_start=TODAY - timedelta(days=30),
        ).id
        registration.end_registration(
            s, admin, gone, ended_on=TODAY - timedelta(days=1), end_reason="Died"
        )
    with db.sessions() as s:
        rows = listing.list_cases(s)

    result = run("cases", "--json", "--database", db.url, home=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == stdlib_json([expected(r) for r in rows])
    first, second = json.loads(result.stdout)
    assert first["review_overdue"] is True and first["overall_rosh"] == "high"
    assert first["identifiers"] == {"pnc": "2019/0123456X", "crn": "X123456", "nhs": "943 476 5919"}
    assert second["date_of_birth"] is None and second["review_overdue"] is False


def test_cases_json_on_an_empty_database_is_an_empty_list(db: Database, tmp_path: Path) -> None:
    result = run("cases", "--json", "--database", db.url, home=tmp_path)
    assert (result.returncode, result.stdout) == (0, "[]\n")
