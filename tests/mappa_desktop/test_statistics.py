"""The annual statistics on a small dataset whose every count is known by hand, on both engines.

Reporting year 2024: 1 April 2024 to 31 March 2025. Cases (category, level history, exit):

- A  Cat 1 L1 registered 31 Mar 2025 (the last day)          eligible
- B  Cat 2 L2 since 2020, exited 1 Apr 2025 (the day after)    eligible; L2 in year
- C  Cat 1 L2 since 2020, exited 31 Mar 2025                   not eligible; L2 in year
- D  Cat 1 L1 since 2019, L3 from 1 Oct 2024, L2 from 1 Feb 2025  eligible; L3 and L2
- E  Cat 3 L2 registered 1 Apr 2025 (after the year)          nothing
- F  Cat 4 L2 registered 31 Mar 2024, L3 from 1 Apr 2024       eligible; L3 only (not L2)
- G  Cat 2 L3 since 2018, exited 1 Apr 2024 (the first day)    nothing in the year
- H  Cat 2 L2 since 2018, exited 2 Apr 2024                    L2 in year
- I  Cat 3 L2 since 2020, Cat 2 L2 from 1 Jun 2024              eligible (Cat 2); L2 in both
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mappa_desktop.domain.coordination import CaseEventKind, ReportingYear
from mappa_desktop.services import case_events, registration, settings, statistics
from mappa_desktop.services.actor import Actor
from tests.conftest import Database
from tests.mappa_desktop.factories_cases import new_case

YEAR = 2024
OLD = date(2020, 1, 1)


def _case(db: Database, actor: Actor, name: str, category: int, level: int, start: date) -> int:
    return new_case(
        db,
        actor,
        family_name=name,
        category=category,
        level=level,
        registration_start=start,
        date_of_birth=date(1970, 1, 1),
    ).id


def _change(db: Database, actor: Actor, case_id: int, cat: int, level: int, day: date) -> None:
    with db.sessions.begin() as s:
        registration.change_registration(
            s,
            actor,
            case_id,
            category=cat,
            level=level,
            rationale="Test change",
            effective_date=day,
        )


def _exit(db: Database, actor: Actor, case_id: int, day: date) -> None:
    with db.sessions.begin() as s:
        registration.end_registration(s, actor, case_id, ended_on=day, end_reason="Test exit")


def _event(
    db: Database, actor: Actor, case_id: int, kind: CaseEventKind, day: date, subtype: str = ""
) -> None:
    with db.sessions.begin() as s:
        case_events.record_case_event(
            s, actor, case_id, kind=kind, event_date=day, source="Test", subtype=subtype or None
        )


@pytest.fixture
def known(db: Database, admin: Actor) -> dict[str, int]:
    ids = {
        "A": _case(db, admin, "A", 1, 1, date(2025, 3, 31)),
        "B": _case(db, admin, "B", 2, 2, OLD),
        "C": _case(db, admin, "C", 1, 2, OLD),
        "D": _case(db, admin, "D", 1, 1, date(2019, 6, 1)),
        "E": _case(db, admin, "E", 3, 2, date(2025, 4, 1)),
        "F": _case(db, admin, "F", 4, 2, date(2024, 3, 31)),
        "G": _case(db, admin, "G", 2, 3, date(2018, 1, 1)),
        "H": _case(db, admin, "H", 2, 2, date(2018, 1, 1)),
        "I": _case(db, admin, "I", 3, 2, OLD),
    }
    _exit(db, admin, ids["B"], date(2025, 4, 1))
    _exit(db, admin, ids["C"], date(2025, 3, 31))
    _change(db, admin, ids["D"], 1, 3, date(2024, 10, 1))
    _change(db, admin, ids["D"], 1, 2, date(2025, 2, 1))
    _change(db, admin, ids["F"], 4, 3, date(2024, 4, 1))
    _exit(db, admin, ids["G"], date(2024, 4, 1))
    _exit(db, admin, ids["H"], date(2024, 4, 2))
    _change(db, admin, ids["I"], 2, 2, date(2024, 6, 1))

    rtc, nb, oi = (
        CaseEventKind.RETURN_TO_CUSTODY,
        CaseEventKind.NOTIFICATION_BREACH,
        CaseEventKind.ORDER_IMPOSED,
    )
    _event(db, admin, ids["B"], rtc, date(2024, 4, 1), "breach_of_licence")  # first day, L2
    _event(db, admin, ids["D"], rtc, date(2025, 3, 31), "new_offence")  # last day, L2
    _event(db, admin, ids["D"], rtc, date(2024, 12, 1), "breach_of_order")  # L3 then
    _event(db, admin, ids["B"], rtc, date(2024, 3, 31), "breach_of_licence")  # before the year
    _event(db, admin, ids["A"], rtc, date(2025, 3, 31), "breach_of_licence")  # Level 1
    _event(db, admin, ids["A"], nb, date(2025, 3, 31), "cautioned")
    _event(db, admin, ids["C"], nb, date(2024, 5, 5), "convicted")
    _event(db, admin, ids["C"], nb, date(2024, 3, 31), "convicted")  # before the year
    _event(db, admin, ids["A"], oi, date(2025, 3, 31), "shpo")
    _event(db, admin, ids["C"], oi, date(2024, 4, 1), "sro")
    _event(db, admin, ids["D"], oi, date(2024, 7, 7), "shpo_foreign_travel")
    _event(db, admin, ids["C"], oi, date(2025, 4, 1), "notification_order")  # after the year
    _event(db, admin, ids["C"], CaseEventKind.ORDER_ENDED, date(2024, 8, 8), "shpo")
    sfo = CaseEventKind.SERIOUS_FURTHER_OFFENCE
    _event(db, admin, ids["H"], sfo, date(2024, 5, 1))  # L2
    _event(db, admin, ids["G"], sfo, date(2024, 6, 1))  # after exit: last level, 3
    _event(db, admin, ids["A"], sfo, date(2025, 1, 1))  # before A was registered: no level
    _event(db, admin, ids["D"], sfo, date(2024, 4, 2))  # L1 then
    _event(db, admin, ids["G"], CaseEventKind.SERIOUS_CASE_REVIEW, date(2024, 9, 9))
    return ids


EXPECTED: dict[str, Any] = {
    "eligible_by_category": {"1": 2, "2": 2, "3": 0, "4": 1},
    "level_by_category": {
        "2": {"1": 2, "2": 3, "3": 1, "4": 0},
        "3": {"1": 1, "2": 0, "3": 0, "4": 1},
    },
    "level_totals": {"2": 5, "3": 2},
    "notification_breaches": {"cautioned": 1, "convicted": 1},
    "orders_imposed": {"shpo": 1, "shpo_foreign_travel": 1, "sro": 1, "notification_order": 0},
    "returns_to_custody": {
        "2": {"breach_of_licence": 1, "breach_of_order": 0, "new_offence": 1},
        "3": {"breach_of_licence": 0, "breach_of_order": 1, "new_offence": 0},
    },
    # A's SFO (1 Jan 2025) is before A's registration (31 Mar 2025): no level, not counted.
    "serious_further_offences": {"1": 1, "2": 1, "3": 1},
    "serious_case_reviews": {"1": 0, "2": 0, "3": 1},
}


def test_every_table_matches_the_counts_known_by_hand(db: Database, known: dict[str, int]) -> None:
    with db.sessions() as s:
        counts = statistics.annual_counts(s, YEAR)
    data = statistics.counts_json(counts)
    assert data["first_day"] == "2024-04-01" and data["last_day"] == "2025-03-31"
    for key, expected in EXPECTED.items():
        assert data[key] == expected, key


def test_tables_carry_totals_and_definitions(db: Database, known: dict[str, int]) -> None:
    with db.sessions() as s:
        stats = statistics.annual_statistics(s, ReportingYear(YEAR))
    assert [t.key for t in stats.tables] == list(statistics.TABLE_KEYS)
    eligible = stats.table("eligible_by_category")
    assert eligible.cell("total").value == 5
    assert "31 March 2025" in eligible.title and "31 March 2025" in eligible.definition
    levels = stats.table("level_by_category")
    assert levels.columns == ("Level 2", "Level 3")
    assert (levels.cell("total", 0).value, levels.cell("total", 1).value) == (5, 2)
    returns = stats.table("returns_to_custody")
    assert (returns.cell("total", 0).value, returns.cell("total", 1).value) == (2, 1)
    sfo = stats.table("serious_further_offences")
    assert [c.value for c in sfo.rows[0].cells] == [1, 1, 1, 3]
    for table in stats.tables:
        assert len(table.definition) > 60, table.key
    assert stats.rso_per_100k is None and stats.table("rso_rate").rows == ()


def test_population_gives_the_rate_and_the_threshold_suppresses_small_counts(
    db: Database, admin: Actor, known: dict[str, int]
) -> None:
    with db.sessions.begin() as s:
        settings.set_statistics_settings(s, admin, population=40_000, suppression_threshold=3)
    with db.sessions() as s:
        stats = statistics.annual_statistics(s, YEAR, suppress=True)
        plain = statistics.annual_statistics(s, YEAR)
    assert stats.rso_per_100k == 5.0  # 2 per 40,000
    assert stats.table("rso_rate").cell("1").text == "5.0"
    eligible = stats.table("eligible_by_category")
    assert eligible.cell("1").suppressed and eligible.cell("1").text == "*"
    assert not eligible.cell("3").suppressed  # zero is never suppressed
    assert eligible.cell("total").suppressed  # it includes a suppressed count
    assert stats.table("level_by_category").cell("2", 0).value == 3
    assert not stats.table("level_by_category").cell("2", 0).suppressed
    assert "suppressed" in eligible.definition
    assert not plain.table("eligible_by_category").cell("1").suppressed
    assert stats.counts == plain.counts


def test_csv_has_every_table_with_its_definition(
    db: Database, known: dict[str, int], tmp_path: Path
) -> None:
    path = tmp_path / "stats.csv"
    with db.sessions() as s:
        stats = statistics.export_csv(s, YEAR, path)
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    for table in stats.tables:
        assert table.title in text
        assert f"Definition: {table.definition}"[:80] in text
    assert "Category 4: terrorist or terrorism-risk offenders,1" in text


def test_an_empty_year_counts_zero(db: Database) -> None:
    with db.sessions() as s:
        data = statistics.counts_json(statistics.annual_counts(s, 2015))
    assert data["eligible_by_category"] == {"1": 0, "2": 0, "3": 0, "4": 0}
    assert data["level_totals"] == {"2": 0, "3": 0}
