"""change notifications

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:00:00

Live refresh on a shared PostgreSQL server: every write records an ``audit_event`` row in the
same transaction, so an AFTER INSERT trigger on ``audit_event`` sends one ``pg_notify`` on the
channel ``mappa_changes`` per event, with a JSON payload
``{"id", "entity", "entity_id", "case_id", "meeting_id"}``. PostgreSQL delivers a notification
only when (and if) the transaction commits, so listeners never see a change that was rolled back.
Open windows listen on that channel (``mappa_desktop.db.changes``) and reload what changed.

On SQLite this migration does nothing: the app polls the audit trail instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "mappa_changes"  # written out: a migration must not change when the app does

FUNCTION = f"""
CREATE OR REPLACE FUNCTION mappa_notify_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_notify(
        '{CHANNEL}',
        json_build_object(
            'id', NEW.id,
            'entity', NEW.entity,
            'entity_id', NEW.entity_id,
            'case_id', NEW.case_id,
            'meeting_id', NEW.meeting_id
        )::text
    );
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute(
        "CREATE TRIGGER audit_event_notify AFTER INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION mappa_notify_change()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_notify ON audit_event")
    op.execute("DROP FUNCTION IF EXISTS mappa_notify_change()")
