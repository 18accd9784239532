"""signed meeting frozen by the database

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 19:00:00

What the database itself enforces from this revision on (ARCHITECTURE.md section 5), on SQLite
and PostgreSQL alike unless said otherwise. Every statement is written out here: a migration must
not change when the app does.

1. **A signed-off meeting is frozen.** Once a meeting is ``signed_off`` or ``distributed``:
   - its row cannot be deleted, and an UPDATE may change only ``status`` (signed off ->
     distributed, never back) and ``version``;
   - what was recorded at it cannot be inserted, changed or deleted: attendance, case
     discussions with their invited agencies, information shared, decisions and their dissent,
     action reviews, the RMP revisions and risk assessments (with their RoSH ratings) made at it,
     and the actions set at it, except ``ACTION_OUTCOME_COLUMNS``: the columns through which a
     later meeting (``actions.review_action``) or a completion between meetings
     (``actions.complete_action``) records what became of the action, with history in
     ``action_review`` and the audit log.
   A correction is an addendum, as before. Refusals carry SQLSTATE 42501 (insufficient_privilege)
   on PostgreSQL and are ``RAISE(ABORT)`` (SQLITE_CONSTRAINT_TRIGGER) on SQLite; the message
   starts with ``mappa:``.
   On PostgreSQL the role owning the tables (the one that runs ``migrate``), roles holding its
   privileges, and superusers are exempt (``mappa_is_owner()``): they could drop the trigger
   anyway, and the minutes' hash shows what they change. On SQLite a trigger cannot tell users
   apart, so nobody is exempt; the file's protection is the operating system's, and the app never
   needs these writes (moving to distributed and adding addenda still work).
2. **Who chairs** (PostgreSQL): only logins holding ``mappa_coordinator`` or
   ``mappa_administrator`` (or the owner) may change ``meeting.chair_id``; a meeting may be
   inserted only by those and by ``mappa_chair`` (chairs schedule meetings, as the service
   allows). With item 1 the chair never changes after sign-off, for anyone but the owner. A SQLite
   trigger cannot tell users apart: there the service rule (``meetings.edit_meeting``) remains.
3. **The last active administrator stays** (both engines): a change to ``app_user`` or
   ``user_role`` that leaves no active user with the administrator role is refused (SQLSTATE
   ``MA001`` on PostgreSQL). On PostgreSQL a statement-level trigger first takes the transaction
   advisory lock ``ADMINISTRATORS_LOCK`` (``people.py`` takes the same one), so two
   administrators removing each other at the same moment are serialised and the second sees the
   first's change; the count also locks the remaining administrators' rows ``FOR SHARE``, so a
   REPEATABLE READ transaction that cannot see the other change fails with a serialisation error
   instead. On SQLite ``BEGIN IMMEDIATE`` already serialises writers.

A later migration that rebuilds one of these tables on SQLite (batch mode "move and copy") drops
its triggers with it and must create them again; the meeting's columns frozen on SQLite are
those listed in ``MEETING_COLUMNS`` (PostgreSQL compares every column but status and version).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FROZEN = "('signed_off', 'distributed')"
ADMINISTRATORS_LOCK = 469853630561  # "mappa" in ASCII; the same number as people.py's
REFUSED = "refused: the meeting is signed off, so its record cannot change; record a correction as an addendum"

_DISCUSSION = "(SELECT meeting_id FROM case_discussion WHERE id = {row}.discussion_id)"
# The meeting whose record each row belongs to, as SQL with {row} standing for NEW or OLD.
MEETING_OF: dict[str, str] = {
    "attendance": "{row}.meeting_id",
    "case_discussion": "{row}.meeting_id",
    "invited_agency": _DISCUSSION,
    "information_shared": _DISCUSSION,
    "decision": _DISCUSSION,
    "dissent": (
        "(SELECT cd.meeting_id FROM decision d JOIN case_discussion cd "
        "ON cd.id = d.discussion_id WHERE d.id = {row}.decision_id)"
    ),
    "action_review": "{row}.meeting_id",
    "rmp_revision": "{row}.meeting_id",
    "risk_assessment": "{row}.meeting_id",
    "rosh_rating": "(SELECT meeting_id FROM risk_assessment WHERE id = {row}.assessment_id)",
    "action": "{row}.set_in_meeting_id",
}
# What a later meeting or a completion between meetings records about an action set earlier.
ACTION_OUTCOME_COLUMNS = (
    "status",
    "due_date",
    "not_done_reason",
    "completed_on",
    "closed_in_meeting_id",
    "outcome_note",
    "version",
)
# The columns of ``action`` and ``meeting`` at this revision (SQLite compares them one by one).
ACTION_COLUMNS = (
    "id",
    "case_id",
    "text",
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
MEETING_COLUMNS = (
    "id",
    "level",
    "meeting_type",
    "meeting_date",
    "start_time",
    "venue",
    "chair_id",
    "minute_taker_id",
    "coordinator_id",
    "status",
    "template_version",
    "statement_confirmed_by_id",
    "statement_confirmed_at",
    "created_at",
    "created_by_id",
    "version",
)
LAST_ADMIN = (
    "mappa: refused: this would leave no active administrator; give someone else the "
    "administrator role first"
)
ACTIVE_ADMINISTRATORS = (
    "SELECT u.id FROM app_user u JOIN user_role r ON r.user_id = u.id "
    "WHERE u.active AND r.role = 'administrator'"
)


def _frozen(expression: str, row: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM meeting WHERE id = {expression.format(row=row)} "
        f"AND status IN {FROZEN})"
    )


# --- PostgreSQL ----------------------------------------------------------------------------------

PG_HELPERS = f"""
CREATE OR REPLACE FUNCTION mappa_is_owner() RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT pg_has_role(current_user, c.relowner, 'USAGE')
    FROM pg_class c WHERE c.oid = 'public.meeting'::regclass
$$;

CREATE OR REPLACE FUNCTION mappa_meeting_frozen(p_meeting_id integer) RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM meeting WHERE id = p_meeting_id AND status IN {FROZEN})
$$;
"""

PG_REFUSE = (
    "RAISE EXCEPTION 'mappa: % on % {refused}', TG_OP, TG_TABLE_NAME "
    "USING ERRCODE = 'insufficient_privilege';"
)


def _pg_child_function(table: str, expression: str) -> str:
    old, new = expression.format(row="OLD"), expression.format(row="NEW")
    refuse = PG_REFUSE.format(refused=REFUSED)
    changed = "true"
    moved_in = f"mappa_meeting_frozen({new})"
    if table == "action":  # only the outcome of an action set at a signed meeting may change
        keep = ", ".join(f"'{c}'" for c in ACTION_OUTCOME_COLUMNS)
        changed = (
            f"(to_jsonb(OLD) - ARRAY[{keep}]) IS DISTINCT FROM (to_jsonb(NEW) - ARRAY[{keep}])"
        )
    return f"""
CREATE OR REPLACE FUNCTION mappa_freeze_{table}() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF NOT mappa_is_owner() AND mappa_meeting_frozen({old}) THEN
            {refuse}
        END IF;
        RETURN OLD;
    END IF;
    IF mappa_is_owner() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF mappa_meeting_frozen({new}) THEN
            {refuse}
        END IF;
        RETURN NEW;
    END IF;
    IF mappa_meeting_frozen({old}) THEN
        IF {changed} THEN
            {refuse}
        END IF;
    ELSIF {moved_in} THEN
        {refuse}
    END IF;
    RETURN NEW;
END
$$"""


PG_MEETING = f"""
CREATE OR REPLACE FUNCTION mappa_freeze_meeting() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF mappa_is_owner() OR OLD.status NOT IN {FROZEN} THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        {PG_REFUSE.format(refused=REFUSED)}
    END IF;
    IF NEW.status NOT IN {FROZEN} OR (OLD.status = 'distributed' AND NEW.status <> OLD.status) THEN
        RAISE EXCEPTION 'mappa: UPDATE on meeting refused: a signed-off meeting''s status only '
            'moves on to distributed, never back' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (to_jsonb(OLD) - ARRAY['status', 'version'])
            IS DISTINCT FROM (to_jsonb(NEW) - ARRAY['status', 'version']) THEN
        {PG_REFUSE.format(refused=REFUSED)}
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION mappa_guard_chair() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF mappa_is_owner()
            OR pg_has_role(current_user, 'mappa_coordinator', 'USAGE')
            OR pg_has_role(current_user, 'mappa_administrator', 'USAGE') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF pg_has_role(current_user, 'mappa_chair', 'USAGE') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'mappa: INSERT on meeting refused: only a co-ordinator, an administrator '
            'or a chair schedules a meeting' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.chair_id IS DISTINCT FROM OLD.chair_id THEN
        RAISE EXCEPTION 'mappa: UPDATE on meeting refused: only a co-ordinator or an '
            'administrator decides who chairs a meeting' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
"""

PG_ADMINISTRATORS = f"""
CREATE OR REPLACE FUNCTION mappa_lock_administrators() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({ADMINISTRATORS_LOCK});
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION mappa_keep_an_administrator() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    remaining integer;
BEGIN
    IF TG_TABLE_NAME = 'app_user' AND TG_OP = 'UPDATE' THEN
        IF NOT EXISTS (
            SELECT 1 FROM user_role WHERE user_id = OLD.id AND role = 'administrator'
        ) THEN
            RETURN NULL;
        END IF;
    ELSIF TG_TABLE_NAME = 'user_role' THEN
        IF NOT EXISTS (SELECT 1 FROM app_user WHERE id = OLD.user_id AND active) THEN
            RETURN NULL;
        END IF;
    END IF;
    PERFORM 1 FROM ({ACTIVE_ADMINISTRATORS} FOR SHARE OF u, r) AS still;
    GET DIAGNOSTICS remaining = ROW_COUNT;
    IF remaining = 0 THEN
        RAISE EXCEPTION '{LAST_ADMIN}' USING ERRCODE = 'MA001';
    END IF;
    RETURN NULL;
END
$$;
"""


def _pg_upgrade() -> None:
    op.execute(PG_HELPERS)
    for table, expression in MEETING_OF.items():
        op.execute(_pg_child_function(table, expression))
        op.execute(
            f"CREATE TRIGGER {table}_signed_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION mappa_freeze_{table}()"
        )
    op.execute(PG_MEETING)
    op.execute(
        "CREATE TRIGGER meeting_signed_frozen BEFORE UPDATE OR DELETE ON meeting "
        "FOR EACH ROW EXECUTE FUNCTION mappa_freeze_meeting()"
    )
    op.execute(
        "CREATE TRIGGER meeting_chair_guard BEFORE INSERT OR UPDATE OF chair_id ON meeting "
        "FOR EACH ROW EXECUTE FUNCTION mappa_guard_chair()"
    )
    op.execute(PG_ADMINISTRATORS)
    for table in ("app_user", "user_role"):
        op.execute(
            f"CREATE TRIGGER {table}_lock_administrators BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION mappa_lock_administrators()"
        )
    op.execute(
        "CREATE TRIGGER app_user_keep_administrator AFTER UPDATE OF active ON app_user "
        "FOR EACH ROW WHEN (OLD.active AND NOT NEW.active) "
        "EXECUTE FUNCTION mappa_keep_an_administrator()"
    )
    op.execute(
        "CREATE TRIGGER app_user_keep_administrator_delete AFTER DELETE ON app_user "
        "FOR EACH ROW WHEN (OLD.active) EXECUTE FUNCTION mappa_keep_an_administrator()"
    )
    op.execute(
        "CREATE TRIGGER user_role_keep_administrator AFTER UPDATE OR DELETE ON user_role "
        "FOR EACH ROW WHEN (OLD.role = 'administrator') "
        "EXECUTE FUNCTION mappa_keep_an_administrator()"
    )
    op.execute("REVOKE ALL ON FUNCTION mappa_is_owner(), mappa_meeting_frozen(integer) FROM PUBLIC")
    op.execute(
        "GRANT EXECUTE ON FUNCTION mappa_is_owner(), mappa_meeting_frozen(integer) TO mappa_reader"
    )


PG_TRIGGERS = (
    *((f"{t}_signed_frozen", t) for t in MEETING_OF),
    ("meeting_signed_frozen", "meeting"),
    ("meeting_chair_guard", "meeting"),
    ("app_user_lock_administrators", "app_user"),
    ("user_role_lock_administrators", "user_role"),
    ("app_user_keep_administrator", "app_user"),
    ("app_user_keep_administrator_delete", "app_user"),
    ("user_role_keep_administrator", "user_role"),
)
PG_FUNCTIONS = (
    *(f"mappa_freeze_{t}()" for t in MEETING_OF),
    "mappa_freeze_meeting()",
    "mappa_guard_chair()",
    "mappa_lock_administrators()",
    "mappa_keep_an_administrator()",
    "mappa_meeting_frozen(integer)",
    "mappa_is_owner()",
)


def _pg_downgrade() -> None:
    for name, table in PG_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for function in PG_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")


# --- SQLite --------------------------------------------------------------------------------------


def _raise(message: str) -> str:
    return f"SELECT RAISE(ABORT, '{message}')"


def _sqlite_statements() -> list[tuple[str, str]]:
    """(trigger name, CREATE TRIGGER statement) for every SQLite trigger of this revision."""
    triggers: list[tuple[str, str]] = []
    for table, expression in MEETING_OF.items():
        old, new = _frozen(expression, "OLD"), _frozen(expression, "NEW")
        if table == "action":
            changed = " OR ".join(
                f"OLD.{c} IS NOT NEW.{c}" for c in ACTION_COLUMNS if c not in ACTION_OUTCOME_COLUMNS
            )
            update_when = f"({old} AND ({changed})) OR ({new} AND NOT {old})"
        else:
            update_when = f"{old} OR {new}"
        for verb, when in (("INSERT", new), ("UPDATE", update_when), ("DELETE", old)):
            name = f"{table}_signed_{verb.lower()}"
            triggers.append(
                (
                    name,
                    f"CREATE TRIGGER {name} BEFORE {verb} ON {table} WHEN {when} BEGIN "
                    f"{_raise(f'mappa: {verb} on {table} {REFUSED}')}; END",
                )
            )
    others = " OR ".join(
        f"OLD.{c} IS NOT NEW.{c}" for c in MEETING_COLUMNS if c not in ("status", "version")
    )
    triggers.append(
        (
            "meeting_signed_update",
            f"CREATE TRIGGER meeting_signed_update BEFORE UPDATE ON meeting "
            f"WHEN OLD.status IN {FROZEN} AND (NEW.status NOT IN {FROZEN} "
            f"OR (OLD.status = 'distributed' AND NEW.status <> OLD.status) OR {others}) BEGIN "
            f"{_raise(f'mappa: UPDATE on meeting {REFUSED}; its status only moves on to distributed')}; END",
        )
    )
    triggers.append(
        (
            "meeting_signed_delete",
            f"CREATE TRIGGER meeting_signed_delete BEFORE DELETE ON meeting "
            f"WHEN OLD.status IN {FROZEN} BEGIN {_raise(f'mappa: DELETE on meeting {REFUSED}')}; END",
        )
    )
    none_left = f"NOT EXISTS ({ACTIVE_ADMINISTRATORS})"
    was_admin = "EXISTS (SELECT 1 FROM user_role WHERE user_id = OLD.id AND role = 'administrator')"
    user_active = "EXISTS (SELECT 1 FROM app_user WHERE id = OLD.user_id AND active)"
    for name, event, when in (
        (
            "app_user_keep_administrator",
            "UPDATE OF active ON app_user",
            f"OLD.active AND NOT NEW.active AND {was_admin} AND {none_left}",
        ),
        ("app_user_keep_administrator_delete", "DELETE ON app_user", f"OLD.active AND {none_left}"),
        (
            "user_role_keep_administrator",
            "UPDATE ON user_role",
            f"OLD.role = 'administrator' AND {user_active} AND {none_left}",
        ),
        (
            "user_role_keep_administrator_delete",
            "DELETE ON user_role",
            f"OLD.role = 'administrator' AND {user_active} AND {none_left}",
        ),
    ):
        triggers.append(
            (
                name,
                f"CREATE TRIGGER {name} AFTER {event} WHEN {when} BEGIN {_raise(LAST_ADMIN)}; END",
            )
        )
    return triggers


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
        return
    for _name, statement in _sqlite_statements():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
        return
    for name, _statement in _sqlite_statements():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
