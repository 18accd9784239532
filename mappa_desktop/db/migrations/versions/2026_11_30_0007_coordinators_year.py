"""referrals, case events and the co-ordinator's year

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 19:00:00

Two new tables (nothing existing changes):

- ``referral``: a referral to Level 2 or 3 (MAPPA A) and the co-ordinator's screening decision.
- ``case_event``: what happened to an offender between meetings (returns to custody,
  notification breaches, civil orders, serious further offences, serious case reviews, exits).

On PostgreSQL, as migration 0003 asks of every later table: readers may SELECT both; the
co-ordinator and administrator group roles may INSERT and UPDATE them (the app lets only those
roles record referrals, screen them and record case events); nobody is granted DELETE. Every write
also records an ``audit_event`` row, whose trigger (migration 0004) sends the change notification,
so these tables need no trigger of their own. The values in the CHECK constraints are written
out: a migration must not change when the app does.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "mappa_reader"
WRITERS = ("mappa_coordinator", "mappa_administrator")
TABLES = ("referral", "case_event")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _enum(
                "case_event_kind",
                "return_to_custody",
                "notification_breach",
                "order_imposed",
                "order_ended",
                "serious_further_offence",
                "serious_case_review",
                "mappa_exit",
            ),
            nullable=False,
        ),
        sa.Column("subtype", sa.String(length=40), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("source_agency_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "subtype IS NULL OR subtype IN ('breach_of_licence', 'breach_of_order', "
            "'new_offence', 'cautioned', 'convicted', 'shpo', 'shpo_foreign_travel', 'sro', "
            "'notification_order')",
            name=op.f("ck_case_event_subtype_known"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mappa_case.id"],
            name=op.f("fk_case_event_case_id_mappa_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["app_user.id"], name=op.f("fk_case_event_recorded_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["source_agency_id"],
            ["agency.id"],
            name=op.f("fk_case_event_source_agency_id_agency"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event")),
    )
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index("ix_case_event_case_date", ["case_id", "event_date"], unique=False)
        batch_op.create_index("ix_case_event_kind_date", ["kind", "event_date"], unique=False)

    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("referring_agency_id", sa.Integer(), nullable=False),
        sa.Column("referrer_person_id", sa.Integer(), nullable=True),
        sa.Column("referrer_name", sa.String(length=200), nullable=False),
        sa.Column("referral_date", sa.Date(), nullable=False),
        sa.Column("category", sa.Integer(), nullable=False),
        sa.Column("level_sought", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "current_rosh",
            _enum("referral_rosh", "low", "medium", "high", "very_high"),
            nullable=False,
        ),
        sa.Column("added_value", sa.Text(), nullable=False),
        sa.Column("level3_reason", sa.Text(), nullable=False),
        sa.Column("source", _enum("referral_source", "app", "import"), nullable=False),
        sa.Column(
            "status",
            _enum("referral_status", "awaiting_screening", "accepted", "declined", "returned"),
            nullable=False,
        ),
        sa.Column("accepted_level", sa.Integer(), nullable=True),
        sa.Column("screening_reason", sa.Text(), nullable=False),
        sa.Column("screened_on", sa.Date(), nullable=True),
        sa.Column("screened_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'accepted') = (accepted_level IS NOT NULL)",
            name=op.f("ck_referral_accepted_has_level"),
        ),
        sa.CheckConstraint(
            "(status = 'awaiting_screening') = (screened_on IS NULL)",
            name=op.f("ck_referral_screened_has_date"),
        ),
        sa.CheckConstraint(
            "accepted_level IS NULL OR accepted_level IN (2, 3)",
            name=op.f("ck_referral_accepted_level_2_or_3"),
        ),
        sa.CheckConstraint("category BETWEEN 1 AND 4", name=op.f("ck_referral_category_range")),
        sa.CheckConstraint("level_sought IN (2, 3)", name=op.f("ck_referral_level_sought_2_or_3")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mappa_case.id"],
            name=op.f("fk_referral_case_id_mappa_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_referral_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["referrer_person_id"],
            ["person.id"],
            name=op.f("fk_referral_referrer_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["referring_agency_id"],
            ["agency.id"],
            name=op.f("fk_referral_referring_agency_id_agency"),
        ),
        sa.ForeignKeyConstraint(
            ["screened_by_id"], ["app_user.id"], name=op.f("fk_referral_screened_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_referral_status_date", ["status", "referral_date"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # The group roles exist: migration 0003 created them.
        tables = ", ".join(TABLES)
        op.execute(f"GRANT SELECT ON {tables} TO {READER}")
        op.execute(f"GRANT INSERT, UPDATE ON {tables} TO {', '.join(WRITERS)}")
        sequences = ", ".join(f"{t}_id_seq" for t in TABLES)
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE {sequences} TO {', '.join(WRITERS)}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        everyone = ", ".join((READER, *WRITERS))
        op.execute(f"REVOKE ALL ON {', '.join(TABLES)} FROM {everyone}")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_status_date")
        batch_op.drop_index(batch_op.f("ix_referral_case_id"))
    op.drop_table("referral")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index("ix_case_event_kind_date")
        batch_op.drop_index("ix_case_event_case_date")
    op.drop_table("case_event")
