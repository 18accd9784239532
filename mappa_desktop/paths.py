"""Where the app keeps its files (platformdirs), and how to redirect them for tests or demos."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "mappa-desktop"
DIRS_ENV = "MAPPA_HOME"  # when set, every directory lives under this one folder


def _dirs() -> PlatformDirs:
    return PlatformDirs(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """The local database, its backups and the typing journal: owner-only (0700), since they
    hold OFFICIAL-SENSITIVE records."""
    home = os.environ.get(DIRS_ENV)
    path = Path(home) / "data" if home else Path(_dirs().user_data_dir)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix" and path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def log_dir() -> Path:
    home = os.environ.get(DIRS_ENV)
    path = Path(home) / "logs" if home else Path(_dirs().user_log_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return data_dir() / "mappa.sqlite3"


def demo_database_path() -> Path:
    return data_dir() / "mappa-demo.sqlite3"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
