"""``statistics``, ``chronology`` and ``referrals`` through ``cli.main``: output, files, exit
status and one-line errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from mappa_desktop import cli, cli_coordination
from mappa_desktop.services import referrals
from mappa_desktop.services.actor import Actor
from tests.conftest import Database
from tests.mappa_desktop.factories_cases import agency_id, days_ago, new_case


def _run(db: Database, *args: str) -> int:
    return cli.main([*args, "--database", db.url, "--user", "admin"])


@pytest.fixture
def case_id(db: Database, admin: Actor) -> int:
    return new_case(db, admin, category=1, level=2, registration_start=date(2020, 1, 1)).id


def test_statistics_json_maps_categories_and_levels(
    db: Database, case_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db, "statistics", "--year", "2024", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["eligible_by_category"] == {"1": 1, "2": 0, "3": 0, "4": 0}
    assert data["level_by_category"] == {
        "2": {"1": 1, "2": 0, "3": 0, "4": 0},
        "3": {"1": 0, "2": 0, "3": 0, "4": 0},
    }
    assert _run(db, "statistics", "--year", "2018", "--json") == 0
    assert json.loads(capsys.readouterr().out)["eligible_by_category"]["1"] == 0


def test_statistics_table_and_csv(
    db: Database, case_id: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db, "statistics", "--year", "2024") == 0
    out = capsys.readouterr().out
    assert "MAPPA-eligible offenders on 31 March 2025" in out and "Total" in out
    path = tmp_path / "year.csv"
    assert _run(db, "statistics", "--year", "2024", "-o", str(path)) == 0
    assert f"to {path}" in capsys.readouterr().out
    assert "Category 1: registered sexual offenders,1" in path.read_text("utf-8-sig")


def test_statistics_formats_not_built_yet_are_refused(
    db: Database,
    case_id: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        cli_coordination, "STATISTICS_FORMATS", {".pdf": ("reports.no_such_builder", "render")}
    )
    assert _run(db, "statistics", "--year", "2024", "-o", str(tmp_path / "y.pdf")) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "not yet" in err[0] and err[0].startswith("error: ")
    assert not (tmp_path / "y.pdf").exists()


@pytest.mark.parametrize("args", [("--year", "20x4"), ("--year", "2024", "-o", "stats.txt"), ()])
def test_statistics_usage_errors_exit_2(
    db: Database, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db, "statistics", *args) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_chronology_writes_csv_and_refuses_an_unknown_case(
    db: Database, case_id: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "chron.csv"
    assert _run(db, "chronology", str(case_id), "-o", str(path)) == 0
    assert "entries" in capsys.readouterr().out
    lines = path.read_text("utf-8-sig").splitlines()
    assert lines[0].startswith("date,kind,title") and ",registration," in lines[1]
    assert _run(db, "chronology", "999999", "-o", str(tmp_path / "x.csv")) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "999999" in err[0]


def test_referrals_json_and_table(
    db: Database, admin: Actor, case_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    with db.sessions.begin() as s:
        row = referrals.create_referral(
            s,
            admin,
            case_id=case_id,
            referring_agency_id=agency_id(s, "Police"),
            referral_date=days_ago(3),
            category=1,
            level_sought=3,
            reason="Escalation",
            current_rosh="very_high",
            added_value="Senior oversight",
            level3_reason="Media interest",
            referrer_name="Zoë Åström",
        )
    assert _run(db, "referrals", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["status"], r["referrer"]) for r in data] == [
        (row.id, "awaiting_screening", "Zoë Åström")
    ]
    assert _run(db, "referrals", "--status", "accepted") == 0
    assert "0 referrals" in capsys.readouterr().out
    assert _run(db, "referrals") == 0
    assert "awaiting screening" in capsys.readouterr().out


def test_import_referrals_all_or_nothing_from_the_command_line(
    db: Database, case_id: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = (
        "case_id,referring_agency,referrer_name,referral_date,category,level_sought,reason,"
        "current_rosh,added_value\n"
    )
    good = f"{case_id},Probation,J. Smith,{days_ago(5).isoformat()},1,2,Threats,High,Housing\n"
    bad = f"{case_id},Nobody,,yesterday,7,2,,,\n"
    path = tmp_path / "referrals.csv"
    path.write_text(header + good + bad, encoding="utf-8")
    assert _run(db, "import-referrals", str(path)) == 1
    err = capsys.readouterr().err
    assert "row 3" in err and "referring_agency" in err, err
    assert _run(db, "referrals", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []  # nothing written
    path.write_text(header + good, encoding="utf-8")
    assert _run(db, "import-referrals", str(path)) == 0
    assert "Imported 1 referral" in capsys.readouterr().out
    assert _run(db, "referrals", "--json") == 0
    assert [(r["case_id"], r["status"]) for r in json.loads(capsys.readouterr().out)] == [
        (case_id, "awaiting_screening")
    ]
