"""Eight people saving at once: separate processes edit the same cases and complete the same
actions through the services, each read in one transaction and saved in another with the version
it read (optimistic locking), retrying after a ``ConflictError`` as a user would after reloading.

``run_writers`` is also what ``tests/mappa_desktop/test_concurrency.py`` runs: nothing may be
lost (every writer's alias is on every case exactly once), nothing done twice (each action is
completed once), and no writer may meet any error other than a detected conflict.

The figures: commits per second and conflicts detected, for 8 writers on a SQLite file and, when
the local server answers, on PostgreSQL; beside each, the same number of the same saves made by
one writer alone on fresh cases of the same database (no waiting, no conflicts). Their ratio is
printed for information, not judged: with 8 processes on a 2-core machine it measures the
operating system's scheduling as much as the app, and what must hold (nothing lost, nothing done
twice, only detected conflicts) is judged by the test, not by a speed.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, compare

WRITERS = 8
CASES = 3
ROUNDS = 5
ACTIONS = 4
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
START_TIMEOUT_S = 120
RUN_TIMEOUT_S = 240


@dataclass(frozen=True)
class WorkerResult:
    index: int
    commits: int = 0
    conflicts: int = 0
    completed: tuple[int, ...] = ()
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunResult:
    workers: list[WorkerResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def commits(self) -> int:
        return sum(w.commits for w in self.workers)

    @property
    def conflicts(self) -> int:
        return sum(w.conflicts for w in self.workers)

    @property
    def errors(self) -> list[str]:
        return [e for w in self.workers for e in w.errors]


def alias_of(index: int, round_number: int) -> str:
    return f"Writer {index} round {round_number}"


def _work(
    url: str,
    login: str,
    index: int,
    case_ids: list[int],
    action_ids: list[int],
    rounds: int,
    barrier: Any,
) -> WorkerResult:
    from mappa_desktop.db.engine import make_engine, make_session_factory, read_engine
    from mappa_desktop.domain.enums import ActionStatus
    from mappa_desktop.domain.errors import ConflictError, StateError
    from mappa_desktop.services import actions, cases, people

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    reads = make_session_factory(read_engine(engine))
    commits = conflicts = 0
    completed: list[int] = []
    try:
        with reads() as s:
            actor = people.get_actor(s, login)
        barrier.wait(START_TIMEOUT_S)
        for round_number in range(rounds):
            for case_id in case_ids:
                while True:
                    with reads() as s:
                        seen = cases.get_case(s, case_id)
                    aliases = [(a.name, a.kind.value) for a in seen.aliases]
                    aliases.append((alias_of(index, round_number), "alias"))
                    try:
                        with sessions.begin() as s:
                            cases.edit_case(
                                s, actor, case_id, expected_version=seen.version, aliases=aliases
                            )
                    except ConflictError:
                        conflicts += 1
                        continue
                    commits += 1
                    break
        for action_id in action_ids:
            with reads() as s:
                row = actions.get_action(s, action_id)
            if row.status is not ActionStatus.OPEN:
                continue
            try:
                with sessions.begin() as s:
                    actions.complete_action(
                        s,
                        actor,
                        action_id,
                        expected_version=row.version,
                        completed_on=date.today(),
                        note=f"Done (writer {index}).",
                    )
            except (ConflictError, StateError):
                conflicts += 1
                continue
            commits += 1
            completed.append(action_id)
    except Exception:
        return WorkerResult(index, commits, conflicts, tuple(completed), (traceback.format_exc(),))
    finally:
        engine.dispose()
    return WorkerResult(index, commits, conflicts, tuple(completed))


def _worker(queue: Any, *args: Any) -> None:
    queue.put(_work(*args))


def run_writers(
    url: str,
    login: str,
    case_ids: list[int],
    action_ids: list[int],
    *,
    writers: int = WRITERS,
    rounds: int = ROUNDS,
) -> RunResult:
    """Start ``writers`` processes (spawned: nothing shared but the database) that each add one
    alias per round to every case and try to complete every action; time them from the moment
    all are ready."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    barrier = ctx.Barrier(writers + 1)
    processes = [
        ctx.Process(
            target=_worker,
            args=(queue, url, login, i, case_ids, action_ids, rounds, barrier),
            daemon=True,
        )
        for i in range(writers)
    ]
    for p in processes:
        p.start()
    try:
        barrier.wait(START_TIMEOUT_S)
        start = time.perf_counter()
        results = [queue.get(timeout=RUN_TIMEOUT_S) for _ in processes]
        seconds = time.perf_counter() - start
    finally:
        for p in processes:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
                p.join()
        queue.close()
        queue.join_thread()
    return RunResult(sorted(results, key=lambda r: r.index), seconds)


def prepare(url: str) -> tuple[str, list[int], list[int]]:
    """A migrated database at ``url`` with one writer and the cases and actions to fight over;
    returns the writer's login, the case ids and the action ids."""
    from mappa_desktop.db.engine import make_engine, make_session_factory
    from mappa_desktop.db.schema import migrate
    from mappa_desktop.domain.enums import Role
    from mappa_desktop.services import actions, cases, people

    engine = make_engine(url)
    try:
        migrate(engine)
        with make_session_factory(engine).begin() as s:
            actor = people.ensure_local_user(s, "writer")
            police = people.find_agency(s, "Police")
            assert police is not None and actor.has(Role.COORDINATOR)
            case_ids = [
                cases.register_case(
                    s,
                    actor,
                    family_name=f"Shared {n}",
                    given_names="Case",
                    date_of_birth=None,
                    lead_agency_id=police.id,
                    category=2,
                    level=2,
                ).id
                for n in range(CASES)
            ]
            action_ids = [
                actions.set_action(
                    s,
                    actor,
                    case_ids[n % CASES],
                    text=f"Home visit {n}",
                    owner_agency_id=police.id,
                    due_date=date.today(),
                ).id
                for n in range(ACTIONS)
            ]
    finally:
        engine.dispose()
    return "writer", case_ids, action_ids


def _figures(kind: str, url: str) -> list[Figure]:
    result = run_writers(url, *prepare(url))
    alone = run_writers(url, *prepare(url), writers=1, rounds=ROUNDS * WRITERS)
    for run in (result, alone):
        if run.errors:
            raise RuntimeError(f"{kind}: a writer failed:\n{run.errors[0]}")
    return [
        compare(
            f"{kind}: commits per second, {WRITERS} writers",
            round(result.commits / result.seconds, 1),
            "one writer alone, same saves",
            round(alone.commits / alone.seconds, 1),
            bar=None,
            unit="commits/s",
            lower_is_better=False,
        ),
        Figure(f"{kind}: conflicts detected, {WRITERS} writers", result.conflicts, "", None),
    ]


def measure(workdir: Path) -> list[Figure]:
    import sqlalchemy as sa

    path = workdir / "concurrency.sqlite3"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    figures = _figures("SQLite", url)

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"mappa_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError:
        admin.dispose()
        return figures  # no local server: SQLite only
    try:
        pg_url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(False)
        figures += _figures("PostgreSQL", pg_url)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return figures
