"""Migrations on both engines: head, no drift, append-only triggers, unknown revisions refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from mappa_desktop.db.engine import make_engine
from mappa_desktop.db.models.records import FROZEN_TABLES
from mappa_desktop.db.schema import (
    alembic_config,
    check_schema,
    head_revision,
    known_revisions,
    migrate,
    schema_state,
)
from mappa_desktop.domain.errors import SchemaError
from tests.conftest import Database


def test_single_linear_head() -> None:
    assert len(known_revisions()) >= 1
    assert head_revision() in known_revisions()


def test_models_and_migrations_do_not_drift(db: Database) -> None:
    with db.engine.begin() as conn:
        command.check(alembic_config(conn))


def test_seeded_agencies_include_responsible_authority_and_duty_to_cooperate(db: Database) -> None:
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT short_name, kind FROM agency")).all()
    kinds = {short: kind for short, kind in rows}
    assert kinds["Police"] == kinds["Probation"] == kinds["Prison"] == "responsible_authority"
    for dtc in ("YOT", "DWP", "Children's Services", "Housing", "Immigration", "EMS", "ICB"):
        assert kinds[dtc] == "duty_to_cooperate"


def _insert_frozen_rows(conn: sa.Connection) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO agency (id, name, short_name, kind, active, version) "
            "VALUES (900, 'X', 'X', 'other', true, 1)"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO person (id, family_name, given_names, agency_id, role_title, "
            "email, phone, active, version) VALUES (900, 'Chair', '', 900, '', '', '', "
            "true, 1)"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO app_user (id, login, person_id, active, created_at, version) "
            "VALUES (900, 'chair', 900, true, CURRENT_TIMESTAMP, 1)"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO meeting (id, level, meeting_type, meeting_date, venue, "
            "chair_id, status, template_version, created_at, version) VALUES (900, 2, "
            "'review', '2026-01-05', '', 900, 'signed_off', 'C', CURRENT_TIMESTAMP, 1)"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO minutes (id, meeting_id, content, content_sha256, "
            "signed_by_id, signed_at) VALUES (900, 900, '{}', 'abc', 900, "
            "CURRENT_TIMESTAMP)"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO addendum (id, minutes_id, seq, reason, text, content_sha256, "
            "signed_by_id, signed_at) VALUES (900, 900, 1, 'r', 't', 'h', 900, "
            "CURRENT_TIMESTAMP)"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO distribution (id, minutes_id, copy_number, recipient_name, "
            "variant, version_sha256, channel, issued_by_id, issued_at) VALUES (900, "
            "900, 1, 'R', 'full', 'abc', '', 900, CURRENT_TIMESTAMP)"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO audit_event (id, occurred_at, entity, action, changes) "
            "VALUES (900, CURRENT_TIMESTAMP, 'minutes', 'sign_off', '{}')"
        )
    )


@pytest.mark.parametrize("table", FROZEN_TABLES)
@pytest.mark.parametrize(
    "statement", ["UPDATE {t} SET id = id WHERE id = 900", "DELETE FROM {t} WHERE id = 900"]
)
def test_database_refuses_changes_to_frozen_tables(
    db: Database, table: str, statement: str
) -> None:
    with db.engine.begin() as conn:
        _insert_frozen_rows(conn)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(sa.text(statement.format(t=table)))
    with db.engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE id = 900")).scalar() == 1


def test_postgres_refuses_truncate_of_audit_log(db: Database) -> None:
    if db.kind != "pg":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE audit_event"))


def test_unknown_revision_is_refused_with_one_line(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    with pytest.raises(SchemaError) as err:
        check_schema(db.engine, allow_upgrade=True)
    message = str(err.value)
    assert "ffff_from_the_future" in message and "newer mappa-desktop" in message
    assert "\n" not in message
    with pytest.raises(SchemaError):
        migrate(db.engine)


def test_new_sqlite_file_is_created_and_upgraded(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    state = check_schema(engine, allow_upgrade=True)
    assert state.at_head
    with engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_tables_without_a_schema_revision_are_refused_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE keep_me (x INTEGER)"))
        conn.execute(sa.text("INSERT INTO keep_me VALUES (42)"))
    with pytest.raises(SchemaError, match="not a mappa-desktop database"):
        check_schema(engine, allow_upgrade=True)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT x FROM keep_me")).scalar() == 42
    engine.dispose()


def test_sqlite_upgrade_from_older_revision_keeps_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    # Pretend this build has a newer head than the file, so the file is "one revision behind";
    # Alembic's upgrade itself is replaced by a recorder, the backup logic is real.
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO app_setting (key, value, version) VALUES ('area_name', '\"Kent\"', 1)"
            )
        )
    from mappa_desktop.db import schema

    monkeypatch.setattr(schema, "head_revision", lambda: "9999_newer_head")
    monkeypatch.setattr(schema, "known_revisions", lambda: {head_revision(), "9999_newer_head"})
    upgraded: list[str] = []
    monkeypatch.setattr(schema.command, "upgrade", lambda cfg, rev: upgraded.append(rev))
    backup = schema.migrate(engine)
    assert upgraded == ["head"]
    assert backup is not None and backup.exists()
    import sqlite3

    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT value FROM app_setting WHERE key = 'area_name'").fetchone() == (
            '"Kent"',
        )
    engine.dispose()


def test_postgres_client_refuses_to_upgrade_and_names_migrate(new_pg_database: str) -> None:
    engine = make_engine(new_pg_database)
    with pytest.raises(SchemaError, match="mappa-desktop migrate"):
        check_schema(engine, allow_upgrade=True)
    migrate(engine)
    assert schema_state(engine).at_head
    engine.dispose()


def test_the_data_directory_is_private_to_its_owner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mappa_desktop import paths

    monkeypatch.setenv(paths.DIRS_ENV, str(tmp_path / "home"))
    (tmp_path / "home" / "data").mkdir(parents=True, mode=0o755)
    (tmp_path / "home" / "data").chmod(0o755)
    assert paths.data_dir().stat().st_mode & 0o777 == 0o700
