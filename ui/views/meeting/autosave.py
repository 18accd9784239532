"""Autosave for the meeting screen: nothing typed is lost.

Each free-text field (or small group of fields) is a ``FieldBinding``. When the person types:

1. at most ``journal_ms`` after a keystroke, even while typing goes on (and in any case before
   any database write), the value is written synchronously to the local journal
   (``mappa_desktop.journal``: fsynced SQLite on this computer);
2. ``debounce_ms`` after the last keystroke, or when the field loses focus, it is saved to the
   database in the background task runner; the state label says "Saving…", then
   "Saved 14:03:12", and the journal entry is removed;
3. if the database cannot be reached the label says "Not saved: … kept on this computer, will
   retry", the hub shows a banner and retries every ``retry_ms`` until the save succeeds;
4. if someone else saved a different text meanwhile (ConflictError) both texts are shown and
   the person chooses; nothing is overwritten silently.

On opening a meeting, journal entries that never reached the database are put back into their
fields and saved (``AutoSaveHub.restore_from_journal``). Fields and drafts are known by typed
keys (``draft_keys.DraftKey``); the journal's text spelling of a key is made and read only
there.

Forms saved by their own button (a new decision, a plan change, a new action, a dissent, a new
risk-assessment version) are ``DraftBinding``s: what is typed in them is journaled the same way
(within ``journal_ms``) but never written to the database by itself; the form says "Draft — kept
on this computer, not in the minutes yet". Reopening the meeting puts the draft back into its
form; the entry is removed once the button has saved it or the form is emptied.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from mappa_desktop.domain.errors import ConflictError, StorageError
from mappa_desktop.journal import Journal, JournalEntry
from ui import messages
from ui.context import AppContext
from ui.forms import style
from ui.forms.conflict import Choice, ConflictView
from ui.forms.style import Tone
from ui.tasks import Progress
from ui.views.meeting.draft_keys import DraftKey

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Saved:
    """What the database holds after a save: the new version and the stored text."""

    version: int | None
    text: str


# Built on the GUI thread from the value to save and the version it was edited against; the
# returned function runs on a worker thread with its own session.
SaveFactory = Callable[[str, "int | None"], Callable[[Session], Saved]]
# From ConflictError.current: their saved text and version.
TheirsOf = Callable[[object], tuple[str, "int | None"]]


def is_connection_problem(exc: BaseException) -> bool:
    """The database could not be reached (network, server down, file locked): worth retrying."""
    if isinstance(exc, StorageError | sa_exc.OperationalError | sa_exc.InterfaceError):
        return True
    if isinstance(exc, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and bool(exc.connection_invalidated)


def _now() -> str:
    return datetime.now().strftime("%H:%M:%S")


class AutoSaveHub(QObject):
    """The autosave fields of one open meeting, its journal, and the retry loop."""

    offline_changed = Signal(bool, str)  # offline?, sentence for the banner
    field_saved = Signal(object)  # the DraftKey of the field
    conflict_found = Signal(object)  # the DraftKey of the field
    drafts_changed = Signal()  # a draft gained or lost its text

    def __init__(
        self,
        ctx: AppContext,
        journal: Journal,
        meeting_id: int,
        *,
        debounce_ms: int = 800,
        journal_ms: int = 250,
        retry_ms: int = 5000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.journal = journal
        self.meeting_id = meeting_id
        self.debounce_ms = debounce_ms
        self.journal_ms = journal_ms
        self.fields: dict[DraftKey, FieldBinding] = {}
        self.drafts: dict[DraftKey, DraftBinding] = {}
        self._offline: set[DraftKey] = set()
        self.retry_timer = QTimer(self)
        self.retry_timer.setInterval(retry_ms)
        self.retry_timer.timeout.connect(self.retry_now)
        self.read_only = False

    # ----- registry -------------------------------------------------------------------------
    def add(self, binding: FieldBinding) -> None:
        old = self.fields.get(binding.key)
        if old is not None and old is not binding:
            old.detach()
        self.fields[binding.key] = binding

    def add_draft(self, draft: DraftBinding) -> None:
        old = self.drafts.get(draft.key)
        if old is not None and old is not draft:
            old.detach()
        self.drafts[draft.key] = draft

    def remove(self, key: DraftKey) -> None:
        binding = self.fields.pop(key, None)
        if binding is not None:
            binding.detach()
        draft = self.drafts.pop(key, None)
        if draft is not None:
            draft.detach()
        self._offline.discard(key)

    # ----- state ----------------------------------------------------------------------------
    def unsaved(self) -> list[DraftKey]:
        """Keys whose text the database does not have yet."""
        return [k for k, f in self.fields.items() if f.has_unsaved()]

    def pending_drafts(self) -> list[DraftBinding]:
        """Forms holding typed text their button has not saved yet (kept on this computer)."""
        return [d for d in self.drafts.values() if d.has_text()]

    def flush_all(self) -> None:
        """Journal and save every field with unsaved text now, and journal every draft
        (closing, switching, tests)."""
        for binding in list(self.fields.values()):
            binding.save_now()
        for draft in list(self.drafts.values()):
            draft.write_now()

    def note_offline(self, key: DraftKey, reason: str) -> None:
        was = bool(self._offline)
        self._offline.add(key)
        if not self.retry_timer.isActive():
            self.retry_timer.start()
        if not was:
            self.offline_changed.emit(True, reason)

    def note_online(self, key: DraftKey) -> None:
        if key not in self._offline:
            return
        self._offline.discard(key)
        if not self._offline:
            self.retry_timer.stop()
            self.offline_changed.emit(False, "")

    @property
    def offline(self) -> bool:
        return bool(self._offline)

    def retry_now(self) -> None:
        for key in list(self._offline):
            binding = self.fields.get(key)
            if binding is None:
                self._offline.discard(key)
            else:
                binding.save_now(force=True)
        if not self._offline:
            self.retry_timer.stop()

    # ----- journal --------------------------------------------------------------------------
    def restore_from_journal(self) -> Restored:
        """Put back every journal entry of this meeting that has a field or a draft form here:
        autosaved fields are saved at once, drafts wait for their button.

        Entries with no field on this screen (or a key this app does not know) are kept in the
        journal and listed as orphans."""
        out = Restored()
        for entry in self.journal.pending(self.meeting_id):
            key = DraftKey.from_journal(entry.field)
            binding = self.fields.get(key) if key is not None else None
            draft = self.drafts.get(key) if key is not None else None
            if key is not None and binding is not None:
                binding.restore(entry)
                out.saved.append(key)
            elif key is not None and draft is not None and draft.restore(entry):
                out.drafts.append(key)
            else:
                out.orphans.append(entry)
        return out


@dataclass
class Restored:
    """What ``AutoSaveHub.restore_from_journal`` put back (field keys) and could not."""

    saved: list[DraftKey] = field(default_factory=list)  # autosaved fields, now being saved
    drafts: list[DraftKey] = field(default_factory=list)  # drafts put back into their forms
    orphans: list[JournalEntry] = field(default_factory=list)  # no field here: kept


class ConflictPanel(ConflictView):
    """The shared conflict view with the autosave's words: "keep mine" saves at once.
    Nothing is overwritten here."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Someone else saved a different text here while you were typing. Nothing has been "
            "overwritten: your text is kept on this computer. Choose which text to keep.",
            keep=Choice("Keep &mine (replace theirs)"),
            theirs=Choice("Use &theirs (drop mine)"),
            object_name="conflictPanel",
            parent=parent,
        )


class FieldBinding(QObject):
    """Autosave of one value (a text, or a small group of widgets serialised to one string).

    ``describe`` turns a stored value into the words the conflict panel shows (for a group of
    widgets serialised to JSON); by default the value is shown as it is."""

    state_changed = Signal(str)

    def __init__(
        self,
        hub: AutoSaveHub,
        key: DraftKey,
        *,
        get_value: Callable[[], str],
        set_value: Callable[[str], None],
        changed: SignalInstance | list[SignalInstance],
        watch: list[QWidget],
        make_save: SaveFactory,
        theirs_of: TheirsOf,
        state_label: QLabel,
        conflict: ConflictPanel | None,
        saved_text: str,
        version: int | None,
        describe: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(hub)
        self.hub = hub
        self.key = key
        self._field = key.to_journal()  # the key as the journal spells it
        self._describe = describe if describe is not None else (lambda value: value)
        self._get = get_value
        self._set = set_value
        self._make_save = make_save
        self._theirs_of = theirs_of
        self.state_label = state_label
        self.conflict = conflict
        self._saved_value = get_value()  # the widget value the database matches
        self._db_text = saved_text  # the database's text when last seen
        self.version = version
        self._in_flight = False
        self._again = False
        self._journaled: str | None = None
        self._programmatic = False
        self._in_conflict = False
        self._conflict_theirs: tuple[str, int | None] = ("", None)
        self._failed = False
        self.last_saved_at: str | None = None
        self._watch = list(watch)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(hub.debounce_ms)
        self._save_timer.timeout.connect(self.save_now)
        self._journal_timer = QTimer(self)
        self._journal_timer.setSingleShot(True)
        self._journal_timer.setInterval(hub.journal_ms)
        self._journal_timer.timeout.connect(self._write_journal)
        for signal in changed if isinstance(changed, list) else [changed]:
            signal.connect(self._on_changed)
        for widget in self._watch:
            widget.installEventFilter(self)
        if conflict is not None:
            conflict.keep_mine.connect(self._on_keep_mine)
            conflict.use_theirs.connect(self._on_use_theirs)
        hub.add(self)

    # ----- public ---------------------------------------------------------------------------
    def has_unsaved(self) -> bool:
        return (
            self._in_flight or self._in_conflict or self._failed or self._get() != self._saved_value
        )

    def set_saved(self, text: str, version: int | None, value: str | None = None) -> None:
        """The database holds ``text`` at ``version`` (after a reload). The widget follows only
        when the person has nothing unsaved in it."""
        if self.has_unsaved():
            return
        self._db_text = text
        self.version = version
        shown = text if value is None else value
        if self._get() != shown:
            self._programmatic = True
            try:
                self._set(shown)
            finally:
                self._programmatic = False
        self._saved_value = self._get()

    def restore(self, entry: JournalEntry) -> None:
        """Put back a journal entry typed earlier and never saved, then save it."""
        self._programmatic = True
        try:
            self._set(entry.text)
        finally:
            self._programmatic = False
        self.version = entry.base_version
        self._db_text = entry.base_text if entry.base_text is not None else self._db_text
        self._journaled = entry.text
        self._show("Put back from this computer: saving…")
        self.save_now(force=True)

    def detach(self) -> None:
        self._save_timer.stop()
        self._journal_timer.stop()
        for widget in self._watch:
            widget.removeEventFilter(self)
        self._watch = []

    # ----- Qt -------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.FocusOut and self._get() != self._saved_value:
            self.save_now()
        return False

    # ----- steps ----------------------------------------------------------------------------
    def _on_changed(self, *_args: Any) -> None:
        if self._programmatic or self.hub.read_only:
            return
        if self._get() == self._saved_value and not self._in_flight:
            self._save_timer.stop()
            self._journal_timer.stop()
            if self._journaled is not None and not self._in_conflict:
                self.hub.journal.discard(self.hub.meeting_id, self._field)
                self._journaled = None
            if not self._in_conflict and not self._failed:
                self._show(f"Saved {self.last_saved_at}" if self.last_saved_at else "")
            return
        if not self._in_conflict:
            self._show("Changes not saved yet…")
        if not self._journal_timer.isActive():
            # A throttle, not a debounce: someone typing without a pause is still journaled
            # every ``journal_ms``.
            self._journal_timer.start()
        self._save_timer.start()

    def _write_journal(self) -> str:
        value = self._get()
        if self._journaled != value:
            self.hub.journal.write(
                self.hub.meeting_id,
                self._field,
                value,
                base_version=self.version,
                base_text=self._db_text,
            )
            self._journaled = value
        return value

    def save_now(self, force: bool = False) -> None:
        """Journal the value, then save it in the background (unless nothing changed)."""
        self._save_timer.stop()
        self._journal_timer.stop()
        if self.hub.read_only:
            return
        if self._in_conflict and not force:
            self._write_journal()
            return
        value = self._get()
        if value == self._saved_value and not force and not self._failed:
            return
        if self._in_flight:
            self._again = True
            return
        self._write_journal()  # synchronously, before any database write
        try:
            work = self._make_save(value, self.version)
        except Exception as exc:  # a field-level refusal before the database (e.g. incomplete)
            self._on_failed(value, exc)
            return
        self._in_flight = True
        self._again = False
        self._show("Saving…")

        def run(_progress: Progress) -> Saved:
            with self.hub.ctx.sessions.begin() as session:
                return work(session)

        def succeeded(result: Saved) -> None:
            self._on_saved(value, result)

        def failed(exc: Exception) -> None:
            self._on_failed(value, exc)

        self.hub.ctx.runner.submit(run, succeeded, failed)

    def _on_saved(self, value: str, result: Saved) -> None:
        self._in_flight = False
        self._failed = False
        self._in_conflict = False
        self.version = result.version
        self._db_text = result.text
        self._saved_value = value
        if self.hub.journal.discard(self.hub.meeting_id, self._field, text=value):
            self._journaled = None
        self.last_saved_at = _now()
        self._show(f"Saved {self.last_saved_at}")
        if self.conflict is not None:
            self.conflict.setVisible(False)
        self.hub.note_online(self.key)
        self.hub.field_saved.emit(self.key)
        if self._again or self._get() != value:
            self._again = False
            self._save_timer.start()

    def _on_failed(self, value: str, exc: BaseException) -> None:
        self._in_flight = False
        if isinstance(exc, ConflictError):
            self._on_conflict(value, exc)
            return
        self._failed = True
        reason = messages.describe(exc).replace("\n", " ")
        try:
            self.hub.journal.note_failure(self.hub.meeting_id, self._field, reason)
        except Exception:  # the journal itself failing must not hide the save failure
            log.exception("could not note the failure in the journal")
        if is_connection_problem(exc):
            log.warning("autosave of %s failed: database unreachable (%s)", self.key, exc)
            self._show(
                "Not saved: the database cannot be reached — kept on this computer, will retry",
                error=True,
            )
            self.hub.note_offline(self.key, reason)
            return
        log.info("autosave of %s refused: %s", self.key, reason)
        self._show(f"Not saved: {reason} — kept on this computer", error=True)

    def _on_conflict(self, value: str, exc: ConflictError) -> None:
        theirs, their_version = self._theirs_of(exc.current)
        if theirs == value or theirs.strip() == value.strip():
            # They saved the same words: nothing to choose.
            self._on_saved(value, Saved(their_version, theirs))
            return
        if theirs == self._db_text:
            # The record moved on (e.g. the agenda was reordered) but this text did not: save
            # ours on top of the current version.
            self.version = their_version
            self.hub.journal.rebase(
                self.hub.meeting_id, self._field, base_version=their_version, base_text=theirs
            )
            self.save_now(force=True)
            return
        self._in_conflict = True
        self._conflict_theirs = (theirs, their_version)
        self._show(
            "Not saved: someone else changed this text — both are shown; choose one",
            error=True,
        )
        if self.conflict is not None:
            self.conflict.show_texts(self._describe(theirs), self._describe(value))
        self.hub.conflict_found.emit(self.key)

    def _on_keep_mine(self) -> None:
        theirs, version = self._conflict_theirs
        self._in_conflict = False
        self.version = version
        self._db_text = theirs
        self.hub.journal.rebase(
            self.hub.meeting_id, self._field, base_version=version, base_text=theirs
        )
        if self.conflict is not None:
            self.conflict.setVisible(False)
        self.save_now(force=True)

    def _on_use_theirs(self) -> None:
        theirs, version = self._conflict_theirs
        self._in_conflict = False
        self._failed = False
        self.version = version
        self._db_text = theirs
        self._programmatic = True
        try:
            self._set(theirs)
        finally:
            self._programmatic = False
        self._saved_value = self._get()
        self.hub.journal.discard(self.hub.meeting_id, self._field)
        self._journaled = None
        if self.conflict is not None:
            self.conflict.setVisible(False)
        self._show("Their text is shown; yours was dropped")

    def _show(self, text: str, *, error: bool = False) -> None:
        self.state_label.setText(text)
        self.state_label.setProperty("error", error)
        style.set_tone(self.state_label, Tone.ERROR if error else None, bold=True)
        self.state_changed.emit(text)


class AutoSaveText(QWidget):
    """A caption, a multi-line text box, its save state, and (when needed) the conflict panel."""

    def __init__(
        self,
        hub: AutoSaveHub,
        key: DraftKey,
        caption: str,
        *,
        text: str,
        version: int | None,
        make_save: SaveFactory,
        theirs_of: TheirsOf,
        placeholder: str = "",
        min_lines: int = 3,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)  # a long caption wraps rather than widening the page
        self.editor = QPlainTextEdit()
        self.editor.setPlainText(text)
        self.editor.setPlaceholderText(placeholder)
        self.editor.setTabChangesFocus(True)
        self.editor.setAccessibleName(caption.replace("&", "").rstrip(":"))
        line = self.editor.fontMetrics().lineSpacing()
        self.editor.setMinimumHeight(line * min_lines + 12)
        self.editor.setMaximumHeight(line * (min_lines + 3) + 12)
        self.editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.caption.setBuddy(self.editor)
        self.state = QLabel("")
        self.state.setAccessibleName(f"Save state: {self.editor.accessibleName()}")
        self.conflict = ConflictPanel()
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)  # the caption takes the room (it wraps only when short)
        top.addWidget(self.state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.editor)
        layout.addWidget(self.conflict)
        self.binding = FieldBinding(
            hub,
            key,
            get_value=self.editor.toPlainText,
            set_value=self.editor.setPlainText,
            changed=self.editor.textChanged,
            watch=[self.editor],
            make_save=make_save,
            theirs_of=theirs_of,
            state_label=self.state,
            conflict=self.conflict,
            saved_text=text,
            version=version,
        )

    def text(self) -> str:
        return self.editor.toPlainText()


FormValue = dict[str, Any]


class DraftBinding(QObject):
    """A form saved by its own button: its typed text is journaled, never saved by itself.

    ``get_value``/``set_value`` turn the whole form (texts and choices) into a JSON-able dict
    and back; ``is_blank`` says when there is nothing worth keeping (then the entry is removed).
    The state label tells the person the text is a draft on this computer, not in the minutes.
    """

    state_changed = Signal(str)

    def __init__(
        self,
        hub: AutoSaveHub,
        key: DraftKey,
        *,
        get_value: Callable[[], FormValue],
        set_value: Callable[[FormValue], None],
        changed: Sequence[SignalInstance],
        is_blank: Callable[[FormValue], bool],
        state_label: QLabel,
        button: str,
        what: str,
        lands_in: str = "the minutes",
    ) -> None:
        super().__init__(hub)
        self.hub = hub
        self.key = key
        self._field = key.to_journal()  # the key as the journal spells it
        self.what = what  # e.g. "decision", for the notices
        self.lands_in = lands_in  # where the button puts it: "the minutes", "the case record"
        self._get = get_value
        self._set = set_value
        self._is_blank = is_blank
        self.state_label = state_label
        self.button = button
        self._journaled: str | None = None
        self._programmatic = False
        self._had_text = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(hub.journal_ms)
        self._timer.timeout.connect(self.write_now)
        self._signals = list(changed)
        for signal in self._signals:
            signal.connect(self._on_changed)
        hub.add_draft(self)

    # ----- public ---------------------------------------------------------------------------
    def has_text(self) -> bool:
        return not self._is_blank(self._get())

    def write_now(self) -> None:
        """Journal the form now (or remove its entry when it is blank)."""
        self._timer.stop()
        if self.hub.read_only:
            return
        value = self._get()
        if self._is_blank(value):
            if self._journaled is not None:
                self.hub.journal.discard(self.hub.meeting_id, self._field)
                self._journaled = None
            self._show("")
            self._note_text(False)
            return
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
        if text != self._journaled:
            self.hub.journal.write(self.hub.meeting_id, self._field, text)
            self._journaled = text
        self._note_text(True)

    def saved(self) -> None:
        """The button's write reached the database: the draft is no longer needed."""
        self._timer.stop()
        self.hub.journal.discard(self.hub.meeting_id, self._field)
        self._journaled = None
        self._show("")
        self._note_text(False)

    def restore(self, entry: JournalEntry) -> bool:
        """Put a journaled draft back into the form (not saved: the person checks it and
        presses the button). False when the entry cannot be read (it stays in the journal)."""
        try:
            value = json.loads(entry.text)
        except ValueError:
            return False
        if not isinstance(value, dict):
            return False
        self._programmatic = True
        try:
            self._set(value)
        finally:
            self._programmatic = False
        self._journaled = entry.text
        self._show(
            f"Put back from this computer — not in {self.lands_in} yet: check it and press "
            f"“{self.button}”.",
            draft=True,
        )
        self._note_text(True)
        return True

    def silently(self, fill: Callable[[], None]) -> None:
        """Fill the form without it counting as typing (prefills, selections)."""
        self._programmatic = True
        try:
            fill()
        finally:
            self._programmatic = False

    def detach(self) -> None:
        self._timer.stop()
        for signal in self._signals:
            with contextlib.suppress(RuntimeError, TypeError):  # the widget is already gone
                signal.disconnect(self._on_changed)
        self._signals = []

    # ----- steps ----------------------------------------------------------------------------
    def _on_changed(self, *_args: Any) -> None:
        if self._programmatic or self.hub.read_only:
            return
        if self._is_blank(self._get()):
            self._show("")
        else:
            self._show(
                f"Draft — kept on this computer, not in {self.lands_in} until you press "
                f"“{self.button}”.",
                draft=True,
            )
        if not self._timer.isActive():
            self._timer.start()  # a throttle: journaled every journal_ms while typing

    def _note_text(self, has_text: bool) -> None:
        if has_text != self._had_text:
            self._had_text = has_text
            self.hub.drafts_changed.emit()

    def _show(self, text: str, *, draft: bool = False) -> None:
        self.state_label.setText(text)
        style.set_tone(self.state_label, Tone.WARNING if draft else None, bold=True)
        self.state_label.setVisible(bool(text))
        self.state_changed.emit(text)


def draft_label(name: str, *, keep_space: bool = False) -> QLabel:
    """The line that says a form holds a draft. ``keep_space``: when it sits in a row of buttons,
    it keeps its room while hidden so the buttons stay at the right."""
    label = QLabel("")
    label.setWordWrap(True)
    label.setAccessibleName(f"Draft state: {name}")
    if keep_space:
        policy = label.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        label.setSizePolicy(policy)
    label.setVisible(False)
    return label
