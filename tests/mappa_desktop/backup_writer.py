"""A second process that keeps writing through the app's services while a test backs up the
database: ``python -m tests.mappa_desktop.backup_writer URL STOP_FILE``.

Each transaction adds one practitioner (a ``person`` row and its ``audit_event``) as the user
``admin``, and after its commit prints one JSON line: the commit's number and, for every table,
the largest id committed so far. The writer stops when STOP_FILE exists, after MAX_COMMITS, or
after DEADLINE_S, whichever comes first.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from mappa_desktop.db.base import Base
from mappa_desktop.db.engine import make_engine, make_session_factory
from mappa_desktop.services import people

MAX_COMMITS = 5_000
DEADLINE_S = 60.0


def main(url: str, stop_file: Path) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    single_ids = [
        t
        for t in Base.metadata.sorted_tables
        if len(t.primary_key.columns) == 1
        and isinstance(next(iter(t.primary_key.columns)).type, sa.Integer)
    ]
    deadline = time.monotonic() + DEADLINE_S
    for n in range(MAX_COMMITS):
        if stop_file.exists() or time.monotonic() > deadline:
            break
        with sessions.begin() as s:
            actor = people.get_actor(s, "admin")
            agency = people.find_agency(s, "Police")
            assert agency is not None
            people.add_person(s, actor, family_name=f"Writer{n:05d}", agency_id=agency.id)
            top = {
                t.name: s.scalar(sa.select(sa.func.max(next(iter(t.primary_key.columns)))))
                for t in single_ids
            }
        sys.stdout.write(json.dumps({"commit": n, "max_ids": top}) + "\n")
        sys.stdout.flush()
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
