"""Eight processes editing the same cases and actions at once (optimistic locking with retry):
no update lost, none applied twice, and no error but detected conflicts. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from benchmarks.bench_concurrency import WRITERS, alias_of, run_writers
from mappa_desktop.domain.enums import ActionStatus, Role
from mappa_desktop.services import actions, audit, cases, people
from tests.conftest import Database, make_user

ROUNDS = 3


@pytest.mark.slow
def test_concurrent_writers_lose_no_update_and_apply_none_twice(db: Database) -> None:
    writer = make_user(db, "writer", [Role.COORDINATOR, Role.MINUTE_TAKER])
    with db.sessions.begin() as s:
        police = people.find_agency(s, "Police")
        assert police is not None
        case_ids = [
            cases.register_case(
                s,
                writer,
                family_name=name,
                given_names="Shared",
                date_of_birth=None,
                lead_agency_id=police.id,
                category=2,
                level=2,
                aliases=[("Original", "alias")],
            ).id
            for name in ("Kowalski", "Ó Briain")
        ]
        action_ids = [
            actions.set_action(
                s,
                writer,
                case_ids[n % 2],
                text=f"Home visit {n}",
                owner_agency_id=police.id,
                due_date=date.today(),
            ).id
            for n in range(3)
        ]
    db.engine.dispose()  # the writers are other processes

    result = run_writers(db.url, "writer", case_ids, action_ids, rounds=ROUNDS)

    assert result.errors == []
    assert len(result.workers) == WRITERS
    with db.sessions() as s:
        for case_id in case_ids:
            detail = cases.get_case(s, case_id)
            names = Counter(a.name for a in detail.aliases)
            expected = {alias_of(i, r) for i in range(WRITERS) for r in range(ROUNDS)}
            assert set(names) == expected | {"Original"}
            assert max(names.values()) == 1
            # Every saved edit moved the version on once (1 at registration).
            assert detail.version == 1 + WRITERS * ROUNDS
            updates = [e for e in audit.list_events(s, case_id=case_id) if e.action == "update"]
            assert len(updates) == WRITERS * ROUNDS
        for action_id in action_ids:
            row = actions.get_action(s, action_id)
            assert row.status is ActionStatus.DONE
            completions = [
                e
                for e in audit.list_events(s)
                if e.entity == "action" and e.entity_id == action_id and e.action == "complete"
            ]
            assert len(completions) == 1
    completed = Counter(a for w in result.workers for a in w.completed)
    assert completed == Counter(action_ids)  # each completed by exactly one writer
    edits = WRITERS * ROUNDS * len(case_ids)
    assert result.commits == edits + len(action_ids)
