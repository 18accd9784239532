"""What every screen needs, built once at start-up and passed in (no module singletons)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.services.actor import Actor
from mappa_desktop.services.database import session_factories
from ui.bus import ChangeBus
from ui.tasks import TaskRunner


@dataclass
class AppContext:
    url: str
    engine: Engine
    actor: Actor
    runner: TaskRunner
    bus: ChangeBus
    today: Callable[[], date] = date.today
    sessions: sessionmaker[Session] = field(init=False)
    read_sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        # one .begin() per user action; reads never take SQLite's write lock
        self.sessions, self.read_sessions = session_factories(self.engine)

    @property
    def database_label(self) -> str:
        if self.engine.dialect.name == "sqlite":
            return f"Local file {self.engine.url.database}"
        url = self.engine.url
        return f"PostgreSQL {url.database} on {url.host or 'local socket'}"
