"""The command line, run as a real program: exit status, one-line errors, UTF-8 output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from mappa_desktop.db.engine import make_engine, make_session_factory
from mappa_desktop.db.schema import migrate
from mappa_desktop.domain.enums import Role
from tests.conftest import Database, make_user

HEADER = "family_name,given_names,date_of_birth,category,level,lead_agency"


def run(
    *args: str, home: Path, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in drop}
    environment.pop("MAPPA_DATABASE_URL", None)
    environment.pop("MAPPA_USER", None)
    environment["MAPPA_HOME"] = str(home)
    environment.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "mappa_desktop", *args],
        capture_output=True,
        env=environment,
        timeout=300,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def cases_json(url: str, home: Path) -> list[dict[str, Any]]:
    result = run("cases", "--json", "--database", url, home=home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def test_cases_on_a_new_sqlite_file_creates_it_and_lists_nothing(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    assert cases_json(f"sqlite:///{path}", tmp_path) == []
    assert path.exists()


def test_database_falls_back_to_env_then_to_the_local_default(tmp_path: Path) -> None:
    via_env = tmp_path / "env.sqlite3"
    result = run(
        "meetings", "--json", home=tmp_path, env={"MAPPA_DATABASE_URL": f"sqlite:///{via_env}"}
    )
    assert result.returncode == 0 and json.loads(result.stdout) == []
    assert via_env.exists()
    result = run("cases", home=tmp_path)
    assert result.returncode == 0 and "0 cases" in result.stdout
    assert (tmp_path / "data" / "mappa.sqlite3").exists()


def test_postgresql_needs_migrate_before_use(new_pg_database: str, tmp_path: Path) -> None:
    line = assert_one_line_error(run("cases", "--database", new_pg_database, home=tmp_path))
    assert "migrate" in line
    result = run("migrate", "--database", new_pg_database, home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "upgraded" in result.stdout
    again = run("migrate", "--database", new_pg_database, home=tmp_path)
    assert again.returncode == 0 and "already" in again.stdout
    assert cases_json(new_pg_database, tmp_path) == []


def test_import_cases_then_list_them(db: Database, tmp_path: Path) -> None:
    csv_path = tmp_path / "cases.csv"
    csv_path.write_text(
        f"{HEADER},pnc,aliases\n"
        "Шевченко,Олена,1979-11-30,1,1,Police,2019/0123456X,Lena & Co\n"
        "العلي,محمد,12/06/1985,2,2,probation,,\n",
        encoding="utf-8",
    )
    result = run("import-cases", str(csv_path), "--database", db.url, home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Imported 2 cases" in result.stdout
    listed = cases_json(db.url, tmp_path)
    assert [(c["family_name"], c["given_names"]) for c in listed] == [
        ("Шевченко", "Олена"),
        ("العلي", "محمد"),
    ]
    first = listed[0]
    assert first["identifiers"] == {"pnc": "2019/0123456X"} and first["aliases"] == ["Lena & Co"]
    assert first["date_of_birth"] == "1979-11-30" and first["category"] == 1
    assert first["lead_agency"] == "Police" and first["open_actions"] == 0
    assert first["overall_rosh"] is None and first["next_review_due"]


def test_import_cases_with_one_invalid_row_imports_nothing(db: Database, tmp_path: Path) -> None:
    csv_path = tmp_path / "cases.csv"
    csv_path.write_text(
        f"{HEADER}\nGood,Row,1980-01-01,1,1,Police\nBad,Row,1980-01-01,3,1,Police\n",
        encoding="utf-8",
    )
    result = run("import-cases", str(csv_path), "--database", db.url, home=tmp_path)
    line = assert_one_line_error(result)
    assert line.startswith("error: row 3, column level: Category 3")
    assert cases_json(db.url, tmp_path) == []


def test_import_cases_reports_each_error_on_its_own_line(db: Database, tmp_path: Path) -> None:
    csv_path = tmp_path / "cases.csv"
    csv_path.write_text(
        f"{HEADER}\nSmith,John,1980-01-01,1,1,Polise\nJones,Ann,32/01/1980,1,1,Police\n",
        encoding="utf-8",
    )
    result = run("import-cases", str(csv_path), "--database", db.url, home=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("error: ") for line in lines)
    assert lines[0].startswith("error: row 2, column lead_agency: There is no active agency")
    assert lines[1].startswith("error: row 3, column date_of_birth:")


def test_import_cases_names_missing_columns(db: Database, tmp_path: Path) -> None:
    csv_path = tmp_path / "cases.csv"
    csv_path.write_text("family_name,given_names\nSmith,John\n", encoding="utf-8")
    result = run("import-cases", str(csv_path), "--database", db.url, home=tmp_path)
    line = assert_one_line_error(result)
    assert "date_of_birth" in line and "lead_agency" in line


def test_database_at_an_unknown_revision_is_refused(db: Database, tmp_path: Path) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    line = assert_one_line_error(run("cases", "--database", db.url, home=tmp_path))
    assert "9999_future" in line and "newer" in line
    line = assert_one_line_error(run("migrate", "--database", db.url, home=tmp_path))
    assert "9999_future" in line


def test_unreachable_or_bad_database_url_gives_one_line(tmp_path: Path) -> None:
    line = assert_one_line_error(
        run("cases", "--database", f"sqlite:///{tmp_path}/no/such/dir/x.sqlite3", home=tmp_path)
    )
    assert "no/such/dir" in line
    secret = "postgresql+psycopg://someone:s3cret@127.0.0.1:1/nothing"
    line = assert_one_line_error(run("cases", "--database", secret, home=tmp_path))
    assert "s3cret" not in line and "127.0.0.1:1" in line
    line = assert_one_line_error(run("cases", "--database", "mysql://x/y", home=tmp_path))
    assert "mysql" in line
    line = assert_one_line_error(run("cases", "--database", "not a url", home=tmp_path))
    assert "not a database URL" in line


def test_usage_errors_exit_with_status_2(tmp_path: Path) -> None:
    for args in (("cases", "--bogus"), ("demo", "--cases", "0"), ("no-such-command",)):
        result = run(*args, home=tmp_path)
        assert result.returncode == 2, args
        assert "usage:" in result.stderr


def test_help_and_version_exit_0(tmp_path: Path) -> None:
    result = run("--help", home=tmp_path)
    assert result.returncode == 0 and "import-cases" in result.stdout
    assert run("--version", home=tmp_path).returncode == 0


def test_output_is_utf8_under_the_c_locale(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/c.sqlite3"
    csv_path = tmp_path / "cases.csv"
    csv_path.write_text(f"{HEADER}\nNguyễn,Văn Minh,,1,1,Police\n", encoding="utf-8")
    # Without locale coercion and UTF-8 mode, Python's own stdout would be ASCII here.
    c_locale = {
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONIOENCODING": "",
        "PYTHONUTF8": "0",
        "PYTHONCOERCECLOCALE": "0",
    }
    assert run("import-cases", str(csv_path), "--database", url, home=tmp_path).returncode == 0
    table = run("cases", "--database", url, home=tmp_path, env=c_locale)
    assert table.returncode == 0 and "Nguyễn, Văn Minh" in table.stdout
    listed = run("cases", "--json", "--database", url, home=tmp_path, env=c_locale)
    assert json.loads(listed.stdout)[0]["family_name"] == "Nguyễn"
    assert "\\u" not in listed.stdout  # real characters, not escapes


def test_sqlite_user_must_exist_once_the_file_has_users(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/users.sqlite3"
    csv_path = tmp_path / "cases.csv"
    csv_path.write_text(f"{HEADER}\nSmith,John,,1,1,Police\n", encoding="utf-8")
    first = run("import-cases", str(csv_path), "--database", url, "--user", "coord", home=tmp_path)
    assert first.returncode == 0, first.stderr  # the first user of a new file
    line = assert_one_line_error(
        run("import-cases", str(csv_path), "--database", url, "--user", "nobody", home=tmp_path)
    )
    assert "nobody" in line and "coord" in line
    as_coord = run(
        "import-cases", str(csv_path), "--database", url, home=tmp_path, env={"MAPPA_USER": "coord"}
    )
    assert as_coord.returncode == 0, as_coord.stderr


def test_postgresql_acts_as_the_database_login(new_pg_database: str, tmp_path: Path) -> None:
    engine = make_engine(new_pg_database)
    try:
        migrate(engine)
        make_user(
            Database("pg", new_pg_database, engine, make_session_factory(engine)),
            "admin",
            [Role.ADMINISTRATOR, Role.COORDINATOR],
        )
    finally:
        engine.dispose()
    csv_path = tmp_path / "cases.csv"
    csv_path.write_text(f"{HEADER}\nSmith,John,,1,1,Police\n", encoding="utf-8")
    line = assert_one_line_error(
        run("import-cases", str(csv_path), "--database", new_pg_database, home=tmp_path)
    )
    assert "'postgres' is not a mappa-desktop user" in line
    result = run(
        "import-cases",
        str(csv_path),
        "--database",
        new_pg_database,
        "--user",
        "admin",
        home=tmp_path,
    )
    assert result.returncode == 0, result.stderr


def test_without_a_command_and_without_a_display_says_so(tmp_path: Path) -> None:
    result = run(home=tmp_path, drop=("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
    if result.returncode == 0:  # no GUI installed: the help is shown instead
        assert "usage:" in result.stdout
        return
    line = assert_one_line_error(result)
    assert "display" in line
