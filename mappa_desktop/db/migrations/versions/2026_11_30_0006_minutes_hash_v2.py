"""minutes hash scheme 2

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 19:00:00

Hash scheme 2 (``services.minutes_hash``): the minutes' hash also covers the signer as printed
(name, agency, role, frozen at sign-off) and the sign-off time, addenda are chained, and copies
are checked by re-rendering them (the issued-file log becomes bookkeeping).

- ``minutes`` and ``addendum`` get ``hash_scheme``, the frozen ``signer_name``, ``signer_agency``
  and ``signer_role``, and ``hash_parts`` (the hash of each part); ``minutes`` also
  ``record_sha256``. ``issued_file`` gets ``scheme`` and ``renderer``.
- Every row that exists at the upgrade keeps scheme 1 (the column default) and keeps verifying as
  before. Its signer fields are filled from the person as they are at the upgrade (scheme 1 never
  recorded them); they are shown, but scheme 1 does not cover them, and verify says so. The
  append-only triggers of ``minutes`` and ``addendum`` are dropped for that one UPDATE and created
  again, exactly as migration 0001 made them; no row is added or removed.
- PostgreSQL: restrictive row-level security policies refuse scheme-1 rows from every login but
  the owner, so nobody can create a "legacy" row that is trusted by its hash alone; readers may
  log their own copies (INSERT on ``issued_file`` and ``audit_event``, still limited to rows in
  their own name by migration 0003's policies).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNED_TABLES = ("minutes", "addendum")
SIGNER_COLUMNS = ("signer_name", "signer_agency", "signer_role")
READER = "mappa_reader"
# (table, scheme column) whose scheme-1 rows only the owner may insert.
SCHEME_POLICIES = (
    ("minutes", "hash_scheme"),
    ("addendum", "hash_scheme"),
    ("issued_file", "scheme"),
)
READER_LOGGED = ("issued_file", "audit_event")

SIGNER_SQL = """
UPDATE {table} SET
    signer_name = COALESCE((SELECT trim(p.given_names || ' ' || p.family_name)
        FROM app_user u JOIN person p ON p.id = u.person_id WHERE u.id = {table}.signed_by_id), ''),
    signer_agency = COALESCE((SELECT a.name FROM app_user u JOIN person p ON p.id = u.person_id
        JOIN agency a ON a.id = p.agency_id WHERE u.id = {table}.signed_by_id), ''),
    signer_role = COALESCE((SELECT p.role_title
        FROM app_user u JOIN person p ON p.id = u.person_id WHERE u.id = {table}.signed_by_id), '')
"""


def _columns(table: str) -> list[sa.Column[Any]]:
    columns: list[sa.Column[Any]] = [
        sa.Column("hash_scheme", sa.Integer(), server_default="1", nullable=False),
        *(sa.Column(c, sa.Text(), server_default="", nullable=False) for c in SIGNER_COLUMNS),
        sa.Column("hash_parts", sa.Text(), server_default="{}", nullable=False),
    ]
    if table == "minutes":
        columns.append(
            sa.Column("record_sha256", sa.String(length=64), server_default="", nullable=False)
        )
    return columns


def _drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")


def _create_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        # mappa_refuse_change() is created by migration 0001.
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION mappa_refuse_change()"
        )
        return
    op.execute(
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN "
        f"SELECT RAISE(ABORT, 'mappa: UPDATE on {table} refused: signed records and "
        "the audit log are append-only'); END"
    )


def upgrade() -> None:
    for table in SIGNED_TABLES:
        for column in _columns(table):
            op.add_column(table, column)  # a plain ADD COLUMN on both engines: no table rebuild
        _drop_append_only(table)
        op.execute(SIGNER_SQL.format(table=table))
        _create_append_only(table)
    op.add_column(
        "issued_file", sa.Column("scheme", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column(
        "issued_file",
        sa.Column("renderer", sa.String(length=100), server_default="", nullable=False),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, scheme_column in SCHEME_POLICIES:
        op.execute(
            f"CREATE POLICY {table}_scheme_2 ON {table} AS RESTRICTIVE FOR INSERT "
            f"WITH CHECK ({scheme_column} >= 2)"
        )
    op.execute(f"GRANT INSERT ON {', '.join(READER_LOGGED)} TO {READER}")
    op.execute(
        f"GRANT USAGE ON SEQUENCE {', '.join(f'{t}_id_seq' for t in READER_LOGGED)} TO {READER}"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"REVOKE USAGE ON SEQUENCE {', '.join(f'{t}_id_seq' for t in READER_LOGGED)} "
            f"FROM {READER}"
        )
        op.execute(f"REVOKE INSERT ON {', '.join(READER_LOGGED)} FROM {READER}")
        for table, _column in SCHEME_POLICIES:
            op.execute(f"DROP POLICY IF EXISTS {table}_scheme_2 ON {table}")
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): rebuilding these tables on SQLite would
    # drop their triggers and trip the foreign keys that point at them.
    for name in ("renderer", "scheme"):
        op.drop_column("issued_file", name)
    for table in SIGNED_TABLES:
        for old in reversed(_columns(table)):
            op.drop_column(table, old.name)
