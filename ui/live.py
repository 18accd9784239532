"""Live refresh: changes other users make reach the open screens within about a second.

``LiveRefresh`` runs a ``mappa_desktop.db.changes`` listener on its own thread and turns each
batch into ``ChangeBus`` signals on the GUI thread (screens already reload on those and keep
edits in progress). It also says when the database stops or starts answering
(``connection_changed``), which drives the main window's offline banner.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from sqlalchemy import Engine

from mappa_desktop.db.changes import ChangeBatch, ChangeListener, make_listener
from ui.bus import ChangeBus

log = logging.getLogger(__name__)


class LiveRefresh(QObject):
    connection_changed = Signal(bool, str)  # online?, the reason when not (GUI thread)
    refreshed = Signal(object)  # the ChangeBatch just passed on to the bus (GUI thread)
    # Emitted on the listener thread; Qt queues them to this object's (the GUI) thread.
    _batch_arrived = Signal(object)
    _state_arrived = Signal(bool, str)

    def __init__(
        self,
        engine: Engine,
        bus: ChangeBus,
        parent: QObject | None = None,
        *,
        interval: float = 0.5,
    ) -> None:
        super().__init__(parent)
        self._engine = engine
        self._bus = bus
        self._interval = interval
        self._listener: ChangeListener | None = None
        self.online = True  # until the listener says otherwise
        self._batch_arrived.connect(self._on_batch)
        self._state_arrived.connect(self._on_state)

    # ----- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._listener is not None:
            return
        try:
            self._listener = make_listener(
                self._engine,
                self._batch_arrived.emit,
                self._state_arrived.emit,
                interval=self._interval,
            )
        except ValueError as exc:  # an in-memory database: nobody else can change it
            log.info("no live refresh: %s", exc)
            return
        self._listener.start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()

    @property
    def running(self) -> bool:
        return self._listener is not None and self._listener.running

    @property
    def listener(self) -> ChangeListener | None:
        return self._listener

    # ----- on the GUI thread -------------------------------------------------------------------
    def _on_state(self, online: bool, reason: str) -> None:
        if self._listener is None:  # stopped meanwhile
            return
        self.online = online
        self.connection_changed.emit(online, reason)

    def _on_batch(self, batch: object) -> None:
        if self._listener is None or not isinstance(batch, ChangeBatch):
            return
        publish(self._bus, batch)
        self.refreshed.emit(batch)


def publish(bus: ChangeBus, batch: ChangeBatch) -> None:
    """Tell the screens what changed. An empty set means "reload everything" on the bus, so a
    signal is sent only with the ids it concerns, or empty when everything may have changed."""
    if batch.everything or batch.has_unscoped:  # agencies, people, settings: shown everywhere
        bus.cases_changed.emit(set())
        bus.meetings_changed.emit(set())
        bus.actions_changed.emit(set())
        return
    if batch.case_ids:
        bus.cases_changed.emit(set(batch.case_ids))
    if batch.meeting_ids:
        bus.meetings_changed.emit(set(batch.meeting_ids))
    if batch.action_case_ids:
        bus.actions_changed.emit(set(batch.action_case_ids))
