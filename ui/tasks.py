"""One background task runner: a plain function runs on a pool thread, results come back as
signals on the GUI thread. Task functions never touch widgets and open their own sessions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


class TaskSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)
    finished = Signal()


class Task(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self._fn = fn
        self.signals = TaskSignals()

    def run(self) -> None:
        try:
            result = self._fn(self._progress)
        except Exception as exc:  # every failure goes back to the GUI thread as a value
            log.debug("task failed", exc_info=True)
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()

    def _progress(self, done: int, total: int) -> None:
        self.signals.progressed.emit(done, total)


class Pool(Protocol):
    def start(self, runnable: QRunnable) -> None: ...


class SyncPool:
    """Runs tasks at once on the calling thread: for tests and for trivially quick work."""

    def start(self, runnable: QRunnable) -> None:
        runnable.run()


class TaskRunner(QObject):
    """Starts tasks and keeps them alive until they finish."""

    busy_changed = Signal(bool)

    def __init__(self, pool: Pool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool: Pool = pool if pool is not None else QThreadPool.globalInstance()
        self._running: set[Task] = set()

    def submit(
        self,
        fn: Callable[[Progress], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[Exception], None],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Task:
        task = Task(fn)
        task.signals.succeeded.connect(on_success)
        task.signals.failed.connect(on_failure)
        if on_progress is not None:
            task.signals.progressed.connect(on_progress)
        task.signals.finished.connect(lambda: self._done(task))
        self._running.add(task)
        if len(self._running) == 1:
            self.busy_changed.emit(True)
        self._pool.start(task)
        return task

    def _done(self, task: Task) -> None:
        self._running.discard(task)
        if not self._running:
            self.busy_changed.emit(False)

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def wait_all(self, msecs: int = 30_000) -> None:
        if isinstance(self._pool, QThreadPool):
            self._pool.waitForDone(msecs)
