"""What every editable tab of the case record shares: dirty tracking, the save bar and why it is
disabled, the write running in the task runner, and service errors shown next to the fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from mappa_desktop.domain.errors import ConflictError, ValidationError
from ui import messages
from ui.context import AppContext
from ui.tasks import Progress
from ui.views.record.common import READ_ONLY_REASON, FormErrors, SaveBar, can_write
from ui.views.record.data import RecordData

Done = Callable[[bool], None]


def _ignore(_ok: bool) -> None:
    return None


class RecordForm(QWidget):
    """Base controller. Subclasses build their widgets (calling ``self.changed()`` whenever an
    input changes) and implement the hooks below."""

    dirty_changed = Signal(bool)
    saved = Signal()  # a write succeeded: the record reloads and tells the bus

    save_title = "Save"

    def __init__(self, ctx: AppContext, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.errors = FormErrors()
        self.data: RecordData | None = None
        self._dirty = False
        self._saving = False
        self._filling = 0
        self.writable = can_write(ctx.actor)

    # ----- hooks ---------------------------------------------------------------------------------
    @property
    def save_bar(self) -> SaveBar:
        raise NotImplementedError

    def compute_dirty(self) -> bool:
        raise NotImplementedError

    def form_reasons(self) -> list[str]:
        """Why the form cannot be saved as it stands (empty: it can)."""
        raise NotImplementedError

    def write_task(self) -> Callable[[Progress], Any]:
        """The write to run in the task runner (called only when the form can be saved)."""
        raise NotImplementedError

    def after_write(self, result: Any) -> None:
        """The write succeeded: make the saved values the new baseline."""
        raise NotImplementedError

    def on_conflict(self, exc: ConflictError) -> None:
        messages.show_error(self, self.save_title, exc)

    # ----- state ---------------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        return self._dirty

    def blocking_reasons(self) -> list[str]:
        if not self.writable:
            return [READ_ONLY_REASON]
        if self.data is None:
            return ["The case is still loading."]
        return self.form_reasons()

    @contextmanager
    def filling(self) -> Iterator[None]:
        """Fill several inputs at once: one state update at the end, not one per input (so no
        half-filled form ever looks "changed")."""
        self._filling += 1
        try:
            yield
        finally:
            self._filling -= 1
        if not self._filling:
            self.changed()

    def changed(self, *_args: object) -> None:
        """Recompute dirty state and the save bar (cheap: no database work)."""
        if self._filling:
            return
        dirty = self.data is not None and self.compute_dirty()
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
        self.save_bar.set_reasons(self.blocking_reasons())

    # ----- saving --------------------------------------------------------------------------------
    def save(self, on_done: Done | None = None) -> None:
        done = on_done or _ignore
        if self._saving:
            done(False)
            return
        reasons = self.blocking_reasons()
        if reasons:
            self.save_bar.error_label.show_message(reasons[0])
            done(False)
            return
        self.errors.clear()
        self.save_bar.error_label.clear_message()
        self._saving = True
        self.save_bar.set_busy(True)
        self.ctx.runner.submit(
            self.write_task(),
            lambda result: self._on_write_succeeded(result, done),
            lambda exc: self._on_write_failed(exc, done),
        )

    def _on_write_succeeded(self, result: Any, done: Done) -> None:
        self._saving = False
        self.save_bar.set_busy(False)
        self.after_write(result)
        self.changed()
        self.saved.emit()
        done(True)

    def _on_write_failed(self, exc: Exception, done: Done) -> None:
        self._saving = False
        self.save_bar.set_busy(False)
        self.save_bar.show_status("")
        if isinstance(exc, ValidationError):
            unclaimed = self.errors.show(exc.errors)
            if unclaimed:
                self.save_bar.error_label.show_message(
                    messages.describe(ValidationError(unclaimed))
                )
            else:
                self.save_bar.error_label.show_message(
                    "Not saved: correct the fields marked ⚠, then save again."
                )
        elif isinstance(exc, ConflictError):
            self.save_bar.error_label.show_message(
                "Not saved: someone else saved this first. Compare the versions."
            )
            self.on_conflict(exc)
        else:
            self.save_bar.error_label.show_message(f"Not saved: {messages.describe(exc)}")
            messages.show_error(self, self.save_title, exc)
        self.changed()
        done(False)
