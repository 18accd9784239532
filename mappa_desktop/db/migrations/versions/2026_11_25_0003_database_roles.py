"""database roles

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:00:00

On a shared PostgreSQL server the database itself enforces who may do what (ARCHITECTURE.md
section 5); on SQLite this migration does nothing (a local file is protected by the operating
system).

- Group roles (NOLOGIN, created only if missing: roles belong to the whole cluster, so several
  databases share them): ``mappa_reader`` (SELECT on every table), and the writers
  ``mappa_minute_taker``, ``mappa_chair``, ``mappa_coordinator``, ``mappa_administrator`` (members
  of ``mappa_reader``). Each user's LOGIN role is made a member of the group roles of its app
  roles by ``mappa-desktop admin add-user`` / ``set-roles``.
- Writers may INSERT, UPDATE and DELETE the editable tables. Agencies, users and their roles are
  changed only by administrators; team settings by administrators and coordinators.
- Nobody is granted UPDATE, DELETE or TRUNCATE on the append-only tables (minutes, addendum,
  distribution, issued_file, audit_event); their triggers refuse these anyway.
- Row-level security on the append-only tables: minutes and addenda may be inserted only by the
  login that chairs the meeting, and signed by that login's own user; distribution and issued-file
  rows and audit events must name the login's own user. ``mappa_login_user_id()`` maps
  ``current_user`` to the active ``app_user`` with that login (a disabled user maps to nothing, so
  a connection left open after ``disable-user`` can no longer write). The table owner (the role
  that runs ``migrate``) and superusers bypass row-level security.
- CONNECT on this database is revoked from PUBLIC; ``admin add-user`` grants it to each login, so
  a login of one area's database cannot open another's on the same server.

Tables added by later migrations must be granted to these roles by those migrations.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "mappa_reader"
WRITERS = ("mappa_minute_taker", "mappa_chair", "mappa_coordinator", "mappa_administrator")
ADMINISTRATOR = "mappa_administrator"
COORDINATOR = "mappa_coordinator"

# Every table of revision 0002, as it stood then.
EDITABLE_TABLES = (
    "person",
    "mappa_case",
    "case_alias",
    "case_identifier",
    "registration",
    "meeting",
    "attendance",
    "case_discussion",
    "invited_agency",
    "information_shared",
    "decision",
    "dissent",
    "action",
    "action_review",
    "risk_assessment",
    "rosh_rating",
    "rmp_item",
    "rmp_revision",
)
ADMIN_TABLES = ("agency", "app_user", "user_role")
SETTINGS_TABLES = ("app_setting",)
APPEND_ONLY_TABLES = ("minutes", "addendum", "distribution", "issued_file", "audit_event")
ALL_TABLES = (
    *EDITABLE_TABLES,
    *ADMIN_TABLES,
    *SETTINGS_TABLES,
    *APPEND_ONLY_TABLES,
    "alembic_version",
)

FUNCTIONS = """
CREATE OR REPLACE FUNCTION mappa_login_user_id() RETURNS integer
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT id FROM app_user WHERE login = current_user::text AND active
$$;

CREATE OR REPLACE FUNCTION mappa_login_chairs(p_meeting_id integer) RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM meeting m JOIN app_user u ON u.person_id = m.chair_id
        WHERE m.id = p_meeting_id AND u.login = current_user::text AND u.active
    )
$$;
"""

# (table, policy name, WITH CHECK expression) for INSERT; every row stays readable.
INSERT_POLICIES = (
    (
        "minutes",
        "minutes_signed_by_chair",
        "signed_by_id = mappa_login_user_id() AND mappa_login_chairs(meeting_id)",
    ),
    (
        "addendum",
        "addendum_signed_by_chair",
        "signed_by_id = mappa_login_user_id() AND EXISTS (SELECT 1 FROM minutes mi "
        "WHERE mi.id = minutes_id AND mappa_login_chairs(mi.meeting_id))",
    ),
    ("distribution", "distribution_issued_by_login", "issued_by_id = mappa_login_user_id()"),
    ("issued_file", "issued_file_issued_by_login", "issued_by_id = mappa_login_user_id()"),
    ("audit_event", "audit_event_by_login", "user_id = mappa_login_user_id()"),
)


def _create_role(name: str) -> str:
    # Concurrent migrations of two databases may both try: the loser's error is harmless.
    return f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN
        CREATE ROLE {name} NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$"""


def _grant_membership(group: str, member: str) -> str:
    return f"""
DO $$
BEGIN
    IF NOT pg_has_role('{member}', '{group}', 'MEMBER') THEN
        GRANT {group} TO {member};
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for role in (READER, *WRITERS):
        op.execute(_create_role(role))
    for role in WRITERS:
        op.execute(_grant_membership(READER, role))
    writers = ", ".join(WRITERS)
    op.execute(f"GRANT USAGE ON SCHEMA public TO {READER}, {writers}")
    op.execute(f"GRANT SELECT ON {', '.join(ALL_TABLES)} TO {READER}")
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON {', '.join(EDITABLE_TABLES)} TO {writers}")
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON {', '.join(ADMIN_TABLES)} TO {ADMINISTRATOR}")
    op.execute(
        f"GRANT INSERT, UPDATE, DELETE ON {', '.join(SETTINGS_TABLES)} "
        f"TO {ADMINISTRATOR}, {COORDINATOR}"
    )
    op.execute(f"GRANT INSERT ON {', '.join(APPEND_ONLY_TABLES)} TO {writers}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {writers}")
    op.execute(FUNCTIONS)
    op.execute(
        "REVOKE ALL ON FUNCTION mappa_login_user_id(), mappa_login_chairs(integer) FROM PUBLIC"
    )
    op.execute(
        f"GRANT EXECUTE ON FUNCTION mappa_login_user_id(), mappa_login_chairs(integer) TO {READER}"
    )
    for table, policy, check in INSERT_POLICIES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {table}_readable ON {table} FOR SELECT USING (true)")
        op.execute(f"CREATE POLICY {policy} ON {table} FOR INSERT WITH CHECK ({check})")
    op.execute(
        "DO $$ BEGIN EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', "
        "current_database()); END $$"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "DO $$ BEGIN EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO PUBLIC', "
        "current_database()); END $$"
    )
    for table, policy, _check in INSERT_POLICIES:
        op.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
        op.execute(f"DROP POLICY IF EXISTS {table}_readable ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION IF EXISTS mappa_login_chairs(integer)")
    op.execute("DROP FUNCTION IF EXISTS mappa_login_user_id()")
    everyone = ", ".join((READER, *WRITERS))
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {everyone}")
    op.execute(f"REVOKE ALL ON {', '.join(ALL_TABLES)} FROM {everyone}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {everyone}")
    # The group roles stay: they belong to the cluster, and other databases may use them.
