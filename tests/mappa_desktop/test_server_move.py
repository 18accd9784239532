"""Moving an area from a local file onto a PostgreSQL server, exactly as the README's "Moving to
a shared server" section says: its commands are read from README.md and run through the real
command line (``cli.main``) against a fresh database on the real server, then a copied user
connects with their new login and finds their cases, history and roles, and writes as
themselves.

Login roles belong to the whole cluster, so the README's names get this run's suffix (and the
grant-login lines read the password from an environment variable instead of a prompt); every
role made here is dropped afterwards.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from mappa_desktop import cli
from mappa_desktop.db.engine import make_engine, make_session_factory
from mappa_desktop.services import people
from tests.conftest import PG_ADMIN_URL, Database
from tests.mappa_desktop.factories_cases import new_case

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "### Moving to a shared server"
PASSWORD_ENV = "MAPPA_TEST_NEW_LOGIN_PASSWORD"
PASSWORD = "a long enough test password"


def readme_commands() -> list[str]:
    """The section's command lines: its bash block, then the copy back into a new file."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.find("\n## ", 1) if "\n## " in section[1:] else len(section)]
    block = section[section.index("```bash") : section.index("```", section.index("```bash") + 7)]
    lines = [line for line in block.splitlines() if line.startswith("mappa-desktop ")]
    lines += re.findall(r"`(mappa-desktop copy --from \$OWNER[^`]*)`", section)
    return lines


def _as(url: str, login: str) -> str:
    return make_url(url).set(username=login, password=PASSWORD).render_as_string(False)


@pytest.fixture
def server(pg_admin: Engine | None) -> Iterator[tuple[str, str]]:
    """An owner login with CREATEROLE and an empty database it owns (README step 1)."""
    if pg_admin is None:
        pytest.skip("no PostgreSQL server")
    suffix = uuid.uuid4().hex[:8]
    owner, name = f"owner_{suffix}", f"area_{suffix}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE \"{owner}\" LOGIN CREATEROLE PASSWORD 'x'"))
        conn.execute(sa.text(f'CREATE DATABASE "{name}" OWNER "{owner}"'))
    url = make_url(PG_ADMIN_URL).set(username=owner, database=name)
    try:
        yield url.render_as_string(hide_password=False), suffix
    finally:
        with pg_admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for role in conn.scalars(
                sa.text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"),
                {"p": f"%\\_{suffix}"},
            ).all():
                conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))


def _local(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.mark.pg
def test_the_readme_moves_a_local_file_onto_a_server_and_users_keep_their_history(
    server: tuple[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner_url, suffix = server
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    local_file = tmp_path / "mappa.sqlite3"
    local_url = f"sqlite:///{local_file}"
    me = f"jbloggs_{suffix}"  # the local file's own administrator (its first user)

    def run(*args: str) -> str:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        assert (code, err) == (0, ""), f"{' '.join(args)}\n{err}"
        return out

    run("demo", "--database", local_url, "--cases", "20", "--user", me)
    # A chair of a signed-off meeting in the local file: the user whose history must move.
    (chair_login, chair_user, chair_person), *_ = _local(
        local_file,
        "SELECT u.login, u.id, u.person_id FROM app_user u JOIN meeting m "
        "ON m.chair_id = u.person_id WHERE m.status IN ('signed_off', 'distributed') "
        "ORDER BY u.id",
    )
    new_login = f"fmuller_{suffix}"
    server_url = make_url(owner_url)
    where = f"{server_url.host}:{server_url.port or 5432}/{server_url.database}"
    names = {"jbloggs": me, "f.muller": str(chair_login), "fmuller": new_login}

    commands = readme_commands()
    assert any(c.startswith("mappa-desktop admin grant-login") for c in commands)
    outputs: list[str] = []
    for line in commands:
        line = line.replace("$LOCAL", local_url).replace("$OWNER", owner_url)
        line = line.replace("dbserver/mappa_area", where).replace("$HOME", str(tmp_path))
        for readme_name, ours in names.items():
            line = re.sub(rf"(?<![\w.]){re.escape(readme_name)}(?![\w.])", ours, line)
        args = shlex.split(line)[1:]
        if args[:2] == ["admin", "grant-login"]:
            args += ["--password-env", PASSWORD_ENV]
        outputs.append(run(*args))
    text = "\n".join(outputs)
    assert "every table's row count matches" in text
    assert f"can now connect as {new_login}" in text and f"can now connect as {me}" in text
    assert "20 cases" in text  # `cases` as the chair's new login
    assert (tmp_path / "area-copy.sqlite3").is_file()  # the copy back created a new file

    # The chair connects with their new login: same user, history and roles as in the file.
    engine = make_engine(_as(owner_url, new_login))
    try:
        chair = Database("pg", _as(owner_url, new_login), engine, make_session_factory(engine))
        with chair.sessions() as s:
            actor = people.get_actor(s, new_login)
            assert s.scalar(sa.text("SELECT current_user")) == new_login
            meetings = s.scalar(
                sa.text("SELECT count(*) FROM meeting WHERE chair_id = :p"), {"p": chair_person}
            )
            events = s.scalar(
                sa.text("SELECT count(*) FROM audit_event WHERE user_id = :u"), {"u": chair_user}
            )
            signed = s.scalar(
                sa.text("SELECT count(*) FROM minutes WHERE signed_by_id = :u"), {"u": chair_user}
            )
            groups = set(
                s.scalars(
                    sa.text(
                        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g "
                        "ON g.oid = m.roleid WHERE m.member = (SELECT oid FROM pg_roles "
                        "WHERE rolname = current_user)"
                    )
                )
            )
        assert (actor.user_id, actor.person_id) == (chair_user, chair_person)
        local_roles = {
            r[0]
            for r in _local(local_file, "SELECT role FROM user_role WHERE user_id = ?", chair_user)
        }
        assert {r.value for r in actor.roles} == local_roles
        assert groups == {f"mappa_{r}" for r in local_roles}
        assert (
            meetings
            == _local(local_file, "SELECT count(*) FROM meeting WHERE chair_id = ?", chair_person)[
                0
            ][0]
        )
        assert (
            events
            == _local(local_file, "SELECT count(*) FROM audit_event WHERE user_id = ?", chair_user)[
                0
            ][0]
        )
        assert (
            signed
            and signed
            == _local(
                local_file, "SELECT count(*) FROM minutes WHERE signed_by_id = ?", chair_user
            )[0][0]
        )

        # ... and writes as themselves: the server accepts it in their name.
        case = new_case(chair, actor, family_name="Moved-Over")
        with chair.sessions() as s:
            who = s.scalar(
                sa.text(
                    "SELECT u.login FROM audit_event e JOIN app_user u ON u.id = e.user_id "
                    "WHERE e.case_id = :c ORDER BY e.id LIMIT 1"
                ),
                {"c": case.id},
            )
        assert who == new_login
    finally:
        engine.dispose()


def test_grant_login_on_a_local_file_is_refused_with_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'area.sqlite3'}"
    assert cli.main(["migrate", "--database", url]) == 0
    code = cli.main(["admin", "grant-login", "someone", "--database", url, "--no-password"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "is a local file" in err
