"""each offender's MAPPA record: per-case attendance, MAPPA C fields, need-to-know copies

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 22:30:00

What this revision adds (nothing existing is removed or rewritten):

- ``case_attendance``: who was there for one case (present, apologies, invited but absent,
  deputy, written report received). It belongs to the meeting's record, so the signed-meeting
  freeze of migration 0005 covers it on both engines (same trigger shape, same owner exemption
  on PostgreSQL), and on PostgreSQL the writer roles of migration 0003 may change it.
- ``case_discussion``: ``victim_issues``, ``diversity_issues`` and ``risk_trend`` (increasing,
  stable, decreasing). ``information_shared``: ``given_by_id``, ``as_at`` and ``declined``.
  ``action``: ``purpose``. Plain ADD COLUMN on both engines: no table is rebuilt, so no trigger
  is lost. The existing freeze triggers cover the new columns on PostgreSQL (they compare whole
  rows); on SQLite the trigger on ``action`` lists its columns one by one, so it is created again
  with ``purpose`` among the columns an action set at a signed meeting may not change.
- ``distribution``: ``case_id`` (the offender's record the copy is; NULL for the meeting-wide
  record) and ``reason`` (why a recipient with no need to know that case was sent it, MAPPA D).
  ``issued_file`` and ``addendum``: ``case_id`` (an addendum corrects one offender's record, or
  the meeting-wide record when NULL). All three stay append-only.
- The ``distribution_variant`` CHECK on ``distribution`` and ``issued_file`` also allows
  ``redacted``. On PostgreSQL the constraint is dropped and added again. On SQLite a CHECK cannot
  be altered, and rebuilding these append-only tables would drop their triggers and trip the
  foreign keys that point at them; the stored CREATE TABLE text is edited instead with
  ``PRAGMA writable_schema``, the procedure SQLite documents for changing a constraint that does
  not affect what is stored on disk (every existing row satisfies the wider CHECK).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "mappa_reader"
WRITERS = ("mappa_minute_taker", "mappa_chair", "mappa_coordinator", "mappa_administrator")
FROZEN = "('signed_off', 'distributed')"
REFUSED = (
    "refused: the meeting is signed off, so its record cannot change; record a correction as an "
    "addendum"
)
CASE_ATTENDANCE_MEETING = "(SELECT meeting_id FROM case_discussion WHERE id = {row}.discussion_id)"
VARIANT_TABLES = ("distribution", "issued_file")
OLD_VARIANTS = "'full', 'disclosure_summary'"
NEW_VARIANTS = "'full', 'disclosure_summary', 'redacted'"

# ``action``'s columns at this revision, and those a later meeting may still change (0005).
ACTION_COLUMNS = (
    "id",
    "case_id",
    "text",
    "purpose",
    "owner_person_id",
    "owner_agency_id",
    "due_date",
    "status",
    "set_in_meeting_id",
    "closed_in_meeting_id",
    "not_done_reason",
    "outcome_note",
    "completed_on",
    "created_by_id",
    "created_at",
    "version",
)
ACTION_OUTCOME_COLUMNS = (
    "status",
    "due_date",
    "not_done_reason",
    "completed_on",
    "closed_in_meeting_id",
    "outcome_note",
    "version",
)


NEW_COLUMNS = (
    ("case_discussion", "victim_issues TEXT DEFAULT '' NOT NULL"),
    ("case_discussion", "diversity_issues TEXT DEFAULT '' NOT NULL"),
    (
        "case_discussion",
        "risk_trend VARCHAR(32) CONSTRAINT ck_case_discussion_risk_trend "
        "CHECK (risk_trend IN ('increasing', 'stable', 'decreasing'))",
    ),
    (
        "information_shared",
        "given_by_id INTEGER CONSTRAINT fk_information_shared_given_by_id_person "
        "REFERENCES person (id)",
    ),
    ("information_shared", "as_at DATE"),
    ("information_shared", "declined BOOLEAN DEFAULT false NOT NULL"),
    ("action", "purpose TEXT DEFAULT '' NOT NULL"),
    (
        "distribution",
        "case_id INTEGER CONSTRAINT fk_distribution_case_id_mappa_case REFERENCES mappa_case (id)",
    ),
    ("distribution", "reason TEXT DEFAULT '' NOT NULL"),
    (
        "addendum",
        "case_id INTEGER CONSTRAINT fk_addendum_case_id_mappa_case REFERENCES mappa_case (id)",
    ),
    (
        "issued_file",
        "case_id INTEGER CONSTRAINT fk_issued_file_case_id_mappa_case REFERENCES mappa_case (id)",
    ),
)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _frozen(row: str) -> str:
    meeting = CASE_ATTENDANCE_MEETING.format(row=row)
    return f"EXISTS (SELECT 1 FROM meeting WHERE id = {meeting} AND status IN {FROZEN})"


def _sqlite_case_attendance_triggers() -> list[tuple[str, str]]:
    old, new = _frozen("OLD"), _frozen("NEW")
    triggers = []
    for verb, when in (("INSERT", new), ("UPDATE", f"{old} OR {new}"), ("DELETE", old)):
        name = f"case_attendance_signed_{verb.lower()}"
        triggers.append(
            (
                name,
                f"CREATE TRIGGER {name} BEFORE {verb} ON case_attendance WHEN {when} BEGIN "
                f"SELECT RAISE(ABORT, 'mappa: {verb} on case_attendance {REFUSED}'); END",
            )
        )
    return triggers


def _sqlite_action_update(columns: Sequence[str]) -> str:
    meeting = "{row}.set_in_meeting_id"
    old = f"EXISTS (SELECT 1 FROM meeting WHERE id = {meeting.format(row='OLD')} AND status IN {FROZEN})"
    new = f"EXISTS (SELECT 1 FROM meeting WHERE id = {meeting.format(row='NEW')} AND status IN {FROZEN})"
    changed = " OR ".join(
        f"OLD.{c} IS NOT NEW.{c}" for c in columns if c not in ACTION_OUTCOME_COLUMNS
    )
    return (
        f"CREATE TRIGGER action_signed_update BEFORE UPDATE ON action WHEN "
        f"({old} AND ({changed})) OR ({new} AND NOT {old}) BEGIN "
        f"SELECT RAISE(ABORT, 'mappa: UPDATE on action {REFUSED}'); END"
    )


PG_CASE_ATTENDANCE = f"""
CREATE OR REPLACE FUNCTION mappa_freeze_case_attendance() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF NOT mappa_is_owner() AND mappa_meeting_frozen({CASE_ATTENDANCE_MEETING.format(row="OLD")}) THEN
            RAISE EXCEPTION 'mappa: % on % {REFUSED}', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF mappa_is_owner() THEN
        RETURN NEW;
    END IF;
    IF mappa_meeting_frozen({CASE_ATTENDANCE_MEETING.format(row="NEW")})
        OR (TG_OP = 'UPDATE' AND mappa_meeting_frozen({CASE_ATTENDANCE_MEETING.format(row="OLD")})) THEN
        RAISE EXCEPTION 'mappa: % on % {REFUSED}', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
"""


def _variant_check(table: str, values: str) -> None:
    """Make the ``distribution_variant`` CHECK on ``table`` allow exactly ``values``."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT ck_{table}_distribution_variant")
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_distribution_variant "
            f"CHECK (variant IN ({values}))"
        )
        return
    old, new = (
        (OLD_VARIANTS, NEW_VARIANTS) if values == NEW_VARIANTS else (NEW_VARIANTS, OLD_VARIANTS)
    )
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    if f"IN ({old})" not in sql:
        raise RuntimeError(f"migration 0008: unexpected CHECK on {table}: {sql}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
            (sql.replace(f"IN ({old})", f"IN ({new})"), table),
        )
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    op.create_table(
        "case_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("discussion_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            _enum(
                "case_attendance_status",
                "present",
                "apologies",
                "absent",
                "deputy",
                "report_submitted",
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["discussion_id"],
            ["case_discussion.id"],
            name=op.f("fk_case_attendance_discussion_id_case_discussion"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_case_attendance_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_case_attendance_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_attendance")),
        sa.UniqueConstraint(
            "discussion_id",
            "agency_id",
            "person_id",
            name=op.f("uq_case_attendance_discussion_id_agency_id_person_id"),
        ),
    )
    op.create_index(op.f("ix_case_attendance_discussion_id"), "case_attendance", ["discussion_id"])
    for table, column in NEW_COLUMNS:
        # Written out, with named constraints inline: valid on both engines, and on SQLite a
        # plain ADD COLUMN (alembic's add_column would skip a constraint there).
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
    op.create_index(op.f("ix_distribution_case_id"), "distribution", ["case_id"])
    for table in VARIANT_TABLES:
        _variant_check(table, NEW_VARIANTS)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_CASE_ATTENDANCE)
        op.execute(
            "CREATE TRIGGER case_attendance_signed_frozen BEFORE INSERT OR UPDATE OR DELETE "
            "ON case_attendance FOR EACH ROW EXECUTE FUNCTION mappa_freeze_case_attendance()"
        )
        op.execute(f"GRANT SELECT ON case_attendance TO {READER}")
        op.execute(f"GRANT INSERT, UPDATE, DELETE ON case_attendance TO {', '.join(WRITERS)}")
        op.execute(
            f"GRANT USAGE, SELECT ON SEQUENCE case_attendance_id_seq TO {', '.join(WRITERS)}"
        )
        return
    for _name, statement in _sqlite_case_attendance_triggers():
        op.execute(statement)
    op.execute("DROP TRIGGER IF EXISTS action_signed_update")
    op.execute(_sqlite_action_update(ACTION_COLUMNS))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS case_attendance_signed_frozen ON case_attendance")
        op.execute("DROP FUNCTION IF EXISTS mappa_freeze_case_attendance()")
    else:
        for name, _statement in _sqlite_case_attendance_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TRIGGER IF EXISTS action_signed_update")
        op.execute(_sqlite_action_update([c for c in ACTION_COLUMNS if c != "purpose"]))
    for table in VARIANT_TABLES:
        _variant_check(table, OLD_VARIANTS)
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL), as migration 0006 does.
    op.drop_column("issued_file", "case_id")
    op.drop_column("addendum", "case_id")
    op.drop_index(op.f("ix_distribution_case_id"), table_name="distribution")
    op.drop_column("distribution", "reason")
    op.drop_column("distribution", "case_id")
    op.drop_column("action", "purpose")
    for column in ("declined", "as_at", "given_by_id"):
        op.drop_column("information_shared", column)
    for column in ("risk_trend", "diversity_issues", "victim_issues"):
        op.drop_column("case_discussion", column)
    op.drop_index(op.f("ix_case_attendance_discussion_id"), table_name="case_attendance")
    op.drop_table("case_attendance")
