"""The report files through ``cli.main``: statistics as PDF and XLSX, a chronology as PDF, the
agenda pack and the referral form; bad file types are usage errors, unknown ids refusals."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from mappa_desktop import cli
from tests.conftest import Database
from tests.reports.coordination_data import SECRET, YEAR, Coordination, build


def _run(db: Database, *args: str, user: str = "admin") -> int:
    return cli.main([*args, "--database", db.url, "--user", user])


@pytest.fixture
def data(sqlite_db: Database) -> Coordination:
    return build(sqlite_db)


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_report_files_are_written(
    sqlite_db: Database, data: Coordination, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf, xlsx = tmp_path / "year.pdf", tmp_path / "year.xlsx"
    assert _run(sqlite_db, "statistics", "--year", str(YEAR), "-o", str(pdf)) == 0
    assert "MAPPA-eligible offenders on 31 March 2025" in _text(pdf)
    assert _run(sqlite_db, "statistics", "--year", str(YEAR), "-o", str(xlsx), "--suppress") == 0
    assert "xl/worksheets/sheet9.xml" in zipfile.ZipFile(xlsx).namelist()
    chron = tmp_path / "chron.pdf"
    assert (
        _run(sqlite_db, "chronology", str(data.restricted_case_id), "-o", str(chron), user="reader")
        == 0
    )
    assert "[Withheld]" in _text(chron) and SECRET not in _text(chron)
    agenda = tmp_path / "agenda.pdf"
    assert _run(sqlite_db, "agenda", str(data.meeting_id), "-o", str(agenda)) == 0
    assert "Joining instructions" in _text(agenda)
    form = tmp_path / "referral.pdf"
    assert _run(sqlite_db, "referral-form", str(data.referral_id), "-o", str(form)) == 0
    assert "Referral to MAPPA Level 3 (MAPPA A)" in _text(form)
    out = capsys.readouterr().out
    assert f"to {agenda}" in out and f"to {form}" in out


def test_unknown_ids_are_refused_and_bad_file_types_are_usage_errors(
    sqlite_db: Database, data: Coordination, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "x.pdf"
    assert _run(sqlite_db, "agenda", "999", "-o", str(target)) == 1
    assert _run(sqlite_db, "referral-form", "999", "-o", str(target)) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") for line in err)
    assert not target.exists()
    assert _run(sqlite_db, "agenda", str(data.meeting_id), "-o", str(tmp_path / "x.txt")) == 2
    assert "must end in .pdf" in capsys.readouterr().err
