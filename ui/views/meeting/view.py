"""The meeting screen: run a MAPPA meeting and record it live.

Left, the pages in meeting order: the statement and attendance, each case in agenda order, the
sign-off checklist. Top, the meeting and its status buttons. Free text autosaves (see
``autosave``); everything else is saved by its button, in the background task runner, and what
is typed in those forms is journaled as a draft until the button records it.

Case pages are built the first time they are shown (a 25-case meeting would otherwise spend most
of a second building them); a page with text waiting in the journal is built at once so the text
goes back where it belongs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from mappa_desktop.db.base import utcnow
from mappa_desktop.domain.enums import MeetingStatus
from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.journal import Journal
from mappa_desktop.services import attendance, meetings, self_audit
from mappa_desktop.services.actor import WRITER_ROLES, Actor
from ui import messages, ui_state
from ui.context import AppContext
from ui.forms import style
from ui.forms.field_error import FieldError
from ui.forms.fit import FlowLayout
from ui.forms.style import Tone
from ui.tasks import Progress
from ui.views.meeting.attendance import AttendancePage
from ui.views.meeting.autosave import AutoSaveHub
from ui.views.meeting.case_page import CasePage
from ui.views.meeting.checklist import ChecklistPage
from ui.views.meeting.common import (
    STATUS_TEXT,
    ScreenData,
    load_screen,
    parse_time,
)
from ui.views.meeting.draft_keys import DraftKey, KeyKind

log = logging.getLogger(__name__)
# Self-audit criteria fixed among the case's decisions (``go_to_finding``).
# The case-page section for each place a self-audit finding says to fix it (``Finding.field``);
# a place not listed (the case's own record) leaves the user at the case's heading.
SECTION_OF_FIELD = {
    "discussion.victim_issues": "victim_issues",
    "discussion.diversity_issues": "diversity_issues",
    "attendance": "room",
    "actions": "actions",
    "risk": "risk",
    "rmp": "plan",
    "decision": "decisions",
    "case.registration": "decisions",
}

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+PgDown / Ctrl+PgUp", "Next / previous case (and attendance, checklist)"),
    ("Ctrl+Shift+A", "New action for the case shown"),
    ("Ctrl+P", "Mark the selected attendee present"),
    ("Ctrl+D", "Jump to the decisions of the case shown"),
    ("Ctrl+S", "Save every changed text now (it also saves by itself)"),
    ("Ctrl+Shift+K", "Sign-off checklist"),
    ("Tab / Shift+Tab", "Next / previous field"),
    ("Ctrl+/", "Show or hide this list"),
)


class ShortcutOverlay(QFrame):
    """The keyboard shortcuts, over the meeting screen (Esc or Ctrl+/ closes it)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutOverlay")
        style.set_box(self, Tone.INFO)  # opaque, over the screen, in the palette's colours
        rows = "".join(
            f"<tr><td style='padding:3px 12px 3px 0'><b>{keys}</b></td><td>{what}</td></tr>"
            for keys, what in SHORTCUTS
        )
        self.label = QLabel(f"<h3>Meeting shortcuts</h3><table>{rows}</table>")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        close = QPushButton("Close (Esc)")
        close.clicked.connect(self.hide)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.hide()

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
            return
        self.adjustSize()
        parent = self.parentWidget()
        if parent is not None:
            self.move(
                (parent.width() - self.width()) // 2,
                max(40, (parent.height() - self.height()) // 3),
            )
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)


class MeetingView(QWidget):
    """One meeting, opened in a main-window tab (``MainWindow.open_meeting``)."""

    title_changed = Signal(str)
    loaded = Signal()

    def __init__(
        self,
        ctx: AppContext,
        meeting_id: int,
        *,
        journal: Journal | None = None,
        debounce_ms: int = 800,
        journal_ms: int = 250,
        retry_ms: int = 5000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("meetingView")
        style.set_focus_style(self)
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.journal = journal if journal is not None else Journal(ctx.url)
        self.hub = AutoSaveHub(
            ctx,
            self.journal,
            meeting_id,
            debounce_ms=debounce_ms,
            journal_ms=journal_ms,
            retry_ms=retry_ms,
            parent=self,
        )
        self.data: ScreenData | None = None
        self._first_load = True
        self._loading = False
        self._reload_pending = False
        self._after_save: list[Callable[[], None]] = []

        # --- top ---
        self.title = QLabel("Loading the meeting…")
        self.title.setObjectName("meetingTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.status_label = QLabel("")
        self.status_label.setObjectName("meetingStatus")
        self.audit_counts = QLabel("")  # the self-audit's grades, refreshed with each load
        self.audit_counts.setObjectName("selfAuditCounts")
        self.audit_counts.setWordWrap(True)
        self.start_button = QPushButton("S&tart meeting")
        self.close_button = QPushButton("Close &to draft minutes")
        self.reopen_button = QPushButton("Reopen for minu&ting")
        self.return_button = QPushButton("Return &to draft")
        self.submit_button = QPushButton("S&ubmit for sign-off")
        self.submit_button.setObjectName("submitForSignOff")
        self.sign_off_button = QPushButton("Sign off min&utes…")
        self.sign_off_button.setObjectName("openSignOff")
        self.distribute_button = QPushButton("Distri&bute copies…")
        self.distribute_button.setObjectName("openDistribution")
        self.audit_button = QPushButton("Audit tra&il…")
        self.audit_button.setObjectName("openMeetingAudit")
        self.help_button = QPushButton("Shortcuts (Ctrl+/)")
        self.status_error = FieldError("Meeting")
        self.title.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.status_label)
        head.addWidget(self.audit_counts)
        buttons = FlowLayout()  # under the title; more lines on a narrow screen
        top = QVBoxLayout()
        top.addLayout(head)
        top.addLayout(buttons)
        for button in (
            self.start_button,
            self.close_button,
            self.reopen_button,
            self.return_button,
            self.submit_button,
            self.sign_off_button,
            self.distribute_button,
            self.audit_button,
            self.help_button,
        ):
            buttons.addWidget(button)

        self.offline_banner = QLabel("")
        self.offline_banner.setObjectName("offlineBanner")
        self.offline_banner.setWordWrap(True)
        style.set_banner(self.offline_banner, Tone.ERROR)
        self.offline_banner.setVisible(False)
        self.notice = QLabel("")
        self.notice.setObjectName("restoredNotice")
        self.notice.setWordWrap(True)
        style.set_box(self.notice, Tone.INFO)
        self.notice.setVisible(False)

        # --- body ---
        self.nav = QListWidget()
        self.nav.setObjectName("meetingNav")
        self.nav.setAccessibleName("Meeting sections")
        self.nav.setMinimumWidth(210)
        self.nav.setMaximumWidth(320)
        self.stack = QStackedWidget()
        self.attendance_page = AttendancePage()
        self.attendance_page.actor = ctx.actor
        self.checklist_page = ChecklistPage()
        self.stack.addWidget(self.attendance_page)
        self.stack.addWidget(self.checklist_page)
        self.case_pages: dict[int, CasePage] = {}  # discussion id -> page, once built
        self.splitter = QSplitter()
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        if not ui_state.remember_splitter(self.splitter, "meeting_view"):
            self.splitter.setSizes([240, 1000])

        self.save_summary = QLabel("")
        self.save_summary.setObjectName("saveSummary")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status_error)
        layout.addWidget(self.offline_banner)
        layout.addWidget(self.notice)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.save_summary)
        self.overlay = ShortcutOverlay(self)
        self._build_shortcuts()
        self._connect_signals()
        self.reload()

    # ----- construction ---------------------------------------------------------------------
    def _shortcut(self, keys: str, slot: Callable[[], object]) -> QShortcut:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        return shortcut

    def _build_shortcuts(self) -> None:
        self.shortcuts = {
            "next": self._shortcut("Ctrl+PgDown", lambda: self.step_page(1)),
            "previous": self._shortcut("Ctrl+PgUp", lambda: self.step_page(-1)),
            "new_action": self._shortcut("Ctrl+Shift+A", self.new_action),
            "present": self._shortcut("Ctrl+P", self.mark_present),
            "decisions": self._shortcut("Ctrl+D", self.jump_to_decisions),
            "save": self._shortcut("Ctrl+S", self.hub.flush_all),
            "checklist": self._shortcut("Ctrl+Shift+K", self.show_checklist),
            "help": self._shortcut("Ctrl+/", self.overlay.toggle),
        }

    def _connect_signals(self) -> None:
        self.nav.currentRowChanged.connect(self._on_nav_changed)
        self.start_button.clicked.connect(
            lambda: self._status(meetings.start_meeting, "start the meeting")
        )
        self.close_button.clicked.connect(
            lambda: self._after_saved(
                lambda: self._status(meetings.close_to_draft, "close the meeting")
            )
        )
        self.reopen_button.clicked.connect(
            lambda: self._status(meetings.reopen_meeting, "reopen the meeting")
        )
        self.return_button.clicked.connect(
            lambda: self._status(meetings.return_to_draft, "return the minutes to draft")
        )
        self.submit_button.clicked.connect(self.submit)
        self.sign_off_button.clicked.connect(self.open_sign_off)
        self.distribute_button.clicked.connect(self.open_distribution)
        self.audit_button.clicked.connect(self.open_audit_trail)
        self.checklist_page.submit_button.clicked.connect(self.submit)
        self.help_button.clicked.connect(self.overlay.toggle)
        self.attendance_page.confirm_requested.connect(self._on_confirm_statement)
        self.attendance_page.record_requested.connect(self._on_record_attendance)
        self.attendance_page.mark_present_requested.connect(self._on_mark_present)
        self.hub.offline_changed.connect(self._on_offline_changed)
        self.hub.field_saved.connect(self._on_field_saved)
        self.hub.drafts_changed.connect(self._update_save_summary)
        self.ctx.bus.meetings_changed.connect(self._on_meetings_changed)

    # ----- sign-off and distribution -----------------------------------------------------------
    def open_sign_off(self) -> QWidget:
        """The chair's sign-off window: checklist, exact PDF preview, signature, addenda."""
        from ui.views.signoff import SignOffWindow, open_sign_off

        window = open_sign_off(self.ctx, self.meeting_id, self)
        if isinstance(window, SignOffWindow):
            window.finding_activated.connect(self.go_to_finding)
        return window

    def go_to_finding(self, case_id: int | None, field: str) -> None:
        """Show where a self-audit finding is fixed (``field``, the finding's place): the
        case's page at that section, the checklist, or the statement and attendance."""
        if case_id is None:
            page: QWidget = self.checklist_page if field == "checklist" else self.attendance_page
            self.show_page(page)
            page.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            agenda = self.data.detail.agenda if self.data is not None else ()
            item = next((i for i in agenda if i.case.case_id == case_id), None)
            case = self.case_page(item.discussion.id) if item is not None else None
            if case is None:
                return
            self.show_page(case)
            section = SECTION_OF_FIELD.get(field)
            if section is None or not case.focus_section(section):
                case.header.setFocus(Qt.FocusReason.OtherFocusReason)
        self.window().activateWindow()  # back from the sign-off window

    def open_audit_trail(self) -> QWidget:
        """Who changed what in this meeting's record, when; exportable as CSV."""
        from ui.dialogs.audit_trail import AuditTrailWindow

        window = AuditTrailWindow(
            self.ctx, title=self.tab_title(), meeting_id=self.meeting_id, parent=self
        )
        window.show()
        return window

    def open_distribution(self) -> QWidget:
        from ui.views.signoff import open_distribution

        return open_distribution(self.ctx, self.meeting_id, self)

    # ----- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        if self._loading:
            self._reload_pending = True  # a change arrived mid-load: load again afterwards
            return
        self._loading = True
        self._reload_pending = False
        meeting_id = self.meeting_id

        def load(_p: Progress) -> tuple[ScreenData, str]:
            with self.ctx.read_sessions() as s:
                # One load of the meeting for the screen and its self-audit counts.
                detail, found = self_audit.meeting_and_audit(s, meeting_id, utcnow().date())
                screen = load_screen(s, meeting_id, detail)
                frozen = screen.detail.meeting.is_frozen
                return screen, self_audit.summary_line(found, signed=frozen)

        self.ctx.runner.submit(load, self._on_loaded_with_audit, self._on_load_failed)

    def _on_loaded_with_audit(self, result: tuple[ScreenData, str]) -> None:
        screen, counts = result
        self.audit_counts.setText(counts)
        self._on_loaded(screen)

    def _on_load_failed(self, exc: Exception) -> None:
        self._loading = False
        self.title.setText("The meeting could not be loaded.")
        self.status_error.set_message(messages.describe(exc))

    def _on_loaded(self, data: ScreenData) -> None:
        self._loading = False
        self.data = data
        meeting = data.detail.meeting
        self.title.setText(
            f"<b style='font-size:14pt'>Level {meeting.level} {meeting.meeting_type.value} "
            f"meeting — {meeting.meeting_date.isoformat()}"
            f"{' ' + meeting.start_time.strftime('%H:%M') if meeting.start_time else ''}</b>"
            f"<br>{meeting.venue or 'venue not set'} · Chair {meeting.chair_name}"
            f"{' · Minutes ' + meeting.minute_taker_name if meeting.minute_taker_name else ''}"
            f"{' · Co-ordinator ' + meeting.coordinator_name if meeting.coordinator_name else ''}"
        )
        self.status_label.setText(f"Status: <b>{STATUS_TEXT[meeting.status]}</b>")
        status = meeting.status
        self.start_button.setVisible(status is MeetingStatus.PLANNED)
        self.close_button.setVisible(status is MeetingStatus.IN_PROGRESS)
        self.reopen_button.setVisible(status is MeetingStatus.DRAFT)
        self.submit_button.setVisible(status is MeetingStatus.DRAFT)
        self.return_button.setVisible(status is MeetingStatus.AWAITING_SIGN_OFF)
        self.sign_off_button.setVisible(
            status
            in (
                MeetingStatus.AWAITING_SIGN_OFF,
                MeetingStatus.SIGNED_OFF,
                MeetingStatus.DISTRIBUTED,
            )
        )
        self.sign_off_button.setText(
            "Sign off min&utes…"
            if status is MeetingStatus.AWAITING_SIGN_OFF
            else "Signed min&utes and addenda…"
        )
        self.distribute_button.setVisible(meeting.is_frozen)
        self.checklist_page.submit_button.setEnabled(status is MeetingStatus.DRAFT)
        self.attendance_page.set_data(data)
        self._sync_case_pages(data)
        self.checklist_page.set_problems(data.detail.sign_off_problems)
        self._rebuild_nav()
        self._set_read_only(meeting.is_frozen)
        self.title_changed.emit(self.tab_title())
        if self._first_load:
            self._first_load = False
            if data.detail.agenda:  # the page shown next (Ctrl+PgDown); the rest when shown
                self.case_page(data.detail.agenda[0].discussion.id)
            self._restore_journal()
            if self.nav.currentRow() < 0:
                self.nav.setCurrentRow(0)
        self._update_save_summary()
        self.loaded.emit()
        if self._reload_pending:
            self.reload()

    def tab_title(self) -> str:
        if self.data is None:
            return f"Meeting {self.meeting_id}"
        meeting = self.data.detail.meeting
        return f"Meeting {meeting.meeting_date.isoformat()} (L{meeting.level})"

    def _sync_case_pages(self, data: ScreenData) -> None:
        """Update the pages already built; drop those whose case left the agenda. The others
        are built when first shown (``case_page``)."""
        positions = {
            item.discussion.id: (position, item)
            for position, item in enumerate(data.detail.agenda, start=1)
        }
        for disc_id in list(self.case_pages):
            if disc_id not in positions:
                page = self.case_pages.pop(disc_id)
                for key in page.key_fields():
                    self.hub.remove(key)
                self.stack.removeWidget(page)
                page.deleteLater()
        for disc_id, page in self.case_pages.items():
            position, item = positions[disc_id]
            page.update_data(data, item, position)

    def case_page(self, discussion_id: int) -> CasePage | None:
        """The case's page, built now if it has not been shown yet (None: not on the agenda)."""
        page = self.case_pages.get(discussion_id)
        if page is not None or self.data is None:
            return page
        for position, item in enumerate(self.data.detail.agenda, start=1):
            if item.discussion.id == discussion_id:
                page = CasePage(self.hub, self.ctx.actor, self._write, self.data, item, position)
                self.case_pages[discussion_id] = page
                self.stack.addWidget(page)
                if self.hub.read_only:
                    self._freeze(page)
                return page
        return None

    def entries(self) -> list[QWidget | int]:
        """The pages in meeting order: attendance, the cases (discussion ids, in agenda order;
        their pages are built on first showing), the checklist."""
        out: list[QWidget | int] = [self.attendance_page]
        if self.data is not None:
            out += [i.discussion.id for i in self.data.detail.agenda]
        out.append(self.checklist_page)
        return out

    def _entry_of(self, page: QWidget | None) -> QWidget | int | None:
        if isinstance(page, CasePage):
            return page.discussion_id
        return page

    def _rebuild_nav(self) -> None:
        current = self._entry_of(self.stack.currentWidget())
        self.nav.blockSignals(True)
        self.nav.clear()
        assert self.data is not None
        items = {i.discussion.id: i for i in self.data.detail.agenda}
        entries = self.entries()
        for position, entry in enumerate(entries):
            if entry is self.attendance_page:
                n = len(self.data.detail.attendance_warnings)
                text = "Statement and attendance" + (f"  ⚠ {n}" if n else "")
            elif entry is self.checklist_page:
                n = len(self.data.detail.sign_off_problems)
                text = f"Sign-off checklist  ({n} to do)" if n else "Sign-off checklist  ✔"
            else:
                assert isinstance(entry, int)
                text = f"{position}. {items[entry].case.display_name}"
            self.nav.addItem(QListWidgetItem(text))
        self.nav.setCurrentRow(entries.index(current) if current in entries else 0)
        self.nav.blockSignals(False)
        self._show_entry(entries[max(self.nav.currentRow(), 0)])

    def _show_entry(self, entry: QWidget | int) -> None:
        page = self.case_page(entry) if isinstance(entry, int) else entry
        if page is not None:
            self.stack.setCurrentWidget(page)

    def _restore_journal(self) -> None:
        """Put back what the journal holds for this meeting: pages with text waiting are built
        now; autosaved text is saved at once, drafts wait in their forms for their button."""
        assert self.data is not None
        agenda = self.data.detail.agenda
        for entry in self.journal.pending(self.meeting_id):
            key = DraftKey.from_journal(entry.field)
            disc = key.discussion_in(agenda) if key is not None else None
            page = self.case_page(disc) if disc is not None else None
            if key is None or page is None:
                continue
            if key.kind is KeyKind.INFORMATION and key.item_id is not None:
                page.ensure_info_field(key.item_id)
        result = self.hub.restore_from_journal()
        names = {
            i.discussion.id: f"{n}. {i.case.display_name}" for n, i in enumerate(agenda, start=1)
        }

        def where(keys: list[DraftKey]) -> str:
            cases = list(
                dict.fromkeys(names[d] for k in keys if (d := k.discussion_in(agenda)) in names)
            )
            return f" ({'; '.join(cases)})" if cases else ""

        parts = []
        restored = len(result.saved)
        if restored:
            parts.append(
                f"{restored} edit{'s' if restored != 1 else ''} typed on this computer had not "
                "reached the database (the app closed or the connection was lost); "
                f"{'they have' if restored != 1 else 'it has'} been put back and "
                f"{'are' if restored != 1 else 'is'} being saved{where(result.saved)}."
            )
        drafts = [self.hub.drafts[k] for k in result.drafts]
        if drafts:
            listed = "; ".join(
                f"{names.get(d.key.discussion_in(agenda) or 0, '?')}: {d.what}" for d in drafts
            )
            parts.append(
                f"{len(drafts)} draft{'s' if len(drafts) != 1 else ''} typed but not recorded "
                f"{'were' if len(drafts) != 1 else 'was'} put back into "
                f"{'their forms' if len(drafts) != 1 else 'its form'} — not recorded until you "
                f"check {'them' if len(drafts) != 1 else 'it'} and press the button: {listed}."
            )
        orphans = result.orphans
        if orphans:
            parts.append(
                f"{len(orphans)} earlier edit{'s' if len(orphans) != 1 else ''} could not be put "
                "back here (the case may have left the agenda); "
                f"{'they are' if len(orphans) != 1 else 'it is'} still kept on this computer."
            )
        if parts:
            self.notice.setText(" ".join(parts))
            self.notice.setVisible(True)

    # ----- navigation and shortcuts ---------------------------------------------------------
    def focus_first(self) -> None:
        """Opening the meeting: the focus on the page shown (on the attendance page its list,
        where Ctrl+P marks someone present), never on a button that changes the status."""
        page = self.stack.currentWidget()
        if page is self.attendance_page or page is None:
            self.attendance_page.table.setFocus(Qt.FocusReason.OtherFocusReason)
        elif isinstance(page, CasePage):
            page.header.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.nav.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_nav_changed(self, row: int) -> None:
        entries = self.entries()
        if 0 <= row < len(entries):
            self._show_entry(entries[row])

    def show_page(self, page: QWidget) -> None:
        entries = self.entries()
        entry = self._entry_of(page)
        if entry in entries:
            self.nav.setCurrentRow(entries.index(entry))

    def step_page(self, step: int) -> None:
        count = self.nav.count()
        if count:
            row = min(max(self.nav.currentRow() + step, 0), count - 1)
            self.nav.setCurrentRow(row)
            page = self.stack.currentWidget()
            if isinstance(page, CasePage):
                page.header.setFocus(Qt.FocusReason.ShortcutFocusReason)
                page.verticalScrollBar().setValue(0)

    def current_case(self) -> CasePage | None:
        page = self.stack.currentWidget()
        if isinstance(page, CasePage):
            return page
        if self.data is not None and self.data.detail.agenda:
            first = self.case_page(self.data.detail.agenda[0].discussion.id)
            if first is not None:
                self.show_page(first)
            return first
        return None

    def new_action(self) -> None:
        page = self.current_case()
        if page is not None:
            page.focus_new_action()

    def jump_to_decisions(self) -> None:
        page = self.current_case()
        if page is not None:
            page.focus_decisions()

    def mark_present(self) -> None:
        if self.stack.currentWidget() is not self.attendance_page:
            self.show_page(self.attendance_page)
            self.attendance_page.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        self.attendance_page.mark_selected_present()

    def show_checklist(self) -> None:
        self.show_page(self.checklist_page)
        self.checklist_page.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ----- writes ---------------------------------------------------------------------------
    def _write(
        self,
        work: Callable[[Session, Actor], object],
        error: FieldError,
        done: Callable[[Any], None] | None = None,
    ) -> None:
        actor = self.ctx.actor

        def run(_p: Progress) -> object:
            with self.ctx.sessions.begin() as s:
                return work(s, actor)

        def ok(result: object) -> None:
            error.set_message("")
            if done is not None:
                done(result)
            self.ctx.bus.actions_changed.emit(set())
            self.ctx.bus.meetings_changed.emit({self.meeting_id})

        def failed(exc: Exception) -> None:
            log.info("meeting write refused: %s", exc)
            error.set_message(messages.describe(exc))

        self.ctx.runner.submit(run, ok, failed)

    def _on_meetings_changed(self, ids: object) -> None:
        if not ids or (isinstance(ids, set | frozenset) and self.meeting_id in ids):
            self.reload()

    def _status(self, fn: Callable[[Session, Actor, int], object], _doing: str) -> None:
        meeting_id = self.meeting_id
        self._write(lambda s, actor: fn(s, actor, meeting_id), self.status_error)

    def _drafts_listed(self) -> str:
        drafts = self.hub.pending_drafts()
        if not drafts or self.data is None:
            return ""
        agenda = self.data.detail.agenda
        names = {
            i.discussion.id: f"{n}. {i.case.display_name}" for n, i in enumerate(agenda, start=1)
        }
        return "; ".join(
            f"{names.get(d.key.discussion_in(agenda) or 0, '?')}: {d.what}" for d in drafts
        )

    def _after_saved(self, then: Callable[[], None]) -> None:
        """Run ``then`` once every autosaved field has reached the database and no form holds
        a draft its button has not recorded (it would be missing from the minutes)."""
        self.hub.flush_all()
        listed = self._drafts_listed()
        if listed:
            self.status_error.set_message(
                "Not done: text typed in these forms has not been recorded — record it with its "
                f"button, or clear the form, first: {listed}.",
            )
            return
        if not self.hub.unsaved():
            then()
            return
        if self.hub.offline:
            self.status_error.set_message(
                f"{len(self.hub.unsaved())} change(s) have not reached the database yet (it "
                "cannot be reached); they are kept on this computer. Try again once they are "
                "saved.",
            )
            return
        self._after_save.append(then)
        self.status_error.set_message("Saving your last changes first…")

    def _on_field_saved(self, _key: object) -> None:
        self._update_save_summary()
        if self._after_save and not self.hub.unsaved():
            waiting, self._after_save = self._after_save, []
            self.status_error.set_message("")
            for then in waiting:
                then()

    def submit(self) -> None:
        messages.confirm(
            self,
            "Submit for sign-off",
            "Submit these minutes to the chair for sign-off? They can be changed again only if "
            "the chair returns them to draft.",
            "&Submit for sign-off",
            lambda: self._after_saved(self._submit_now),
        )

    def _submit_now(self) -> None:
        meeting_id = self.meeting_id
        actor = self.ctx.actor

        def run(_p: Progress) -> object:
            with self.ctx.sessions.begin() as s:
                return meetings.submit_for_sign_off(s, actor, meeting_id)

        def ok(_row: object) -> None:
            self.checklist_page.clear_refusal()
            self.status_error.set_message("")
            self.ctx.bus.meetings_changed.emit({self.meeting_id})

        def failed(exc: Exception) -> None:
            if isinstance(exc, ValidationError) and "checklist" in exc.errors:
                self.checklist_page.show_refusal(exc.errors["checklist"].split("\n"))
                self.show_page(self.checklist_page)
                self.status_error.set_message(
                    "Not submitted for sign-off: the checklist lists what is missing.",
                )
            else:
                self.status_error.set_message(messages.describe(exc))

        self.ctx.runner.submit(run, ok, failed)

    def _on_confirm_statement(self) -> None:
        meeting_id = self.meeting_id
        self._write(
            lambda s, actor: meetings.confirm_statement(s, actor, meeting_id),
            self.attendance_page.statement_error,
        )

    def _on_record_attendance(self, values: dict[str, Any]) -> None:
        page = self.attendance_page
        times: dict[str, time | None] = {}
        for field, key, name in (
            ("arrived", "arrived_at", "Arrived"),
            ("departed", "departed_at", "Left"),
        ):
            text = values.pop(field)
            try:
                times[key] = parse_time(text)
            except ValueError:
                page.form_error.set_message(
                    f"{name}: “{text.strip()}” is not a time; give it as hh:mm, for example 09:30.",
                )
                focus = page.arrived if field == "arrived" else page.departed
                focus.setFocus(Qt.FocusReason.OtherFocusReason)
                focus.selectAll()
                return
        self._record_attendance({**values, **times}, page.form_recorded)

    def _on_mark_present(self, values: dict[str, Any]) -> None:
        if values.get("arrived_at") is None:
            values["arrived_at"] = datetime.now().time().replace(second=0, microsecond=0)
        departed = values.get("departed_at")
        if departed is not None and departed < values["arrived_at"]:
            values["departed_at"] = None
        self._record_attendance(values)

    def _record_attendance(
        self, values: dict[str, Any], done: Callable[[], None] | None = None
    ) -> None:
        meeting_id = self.meeting_id
        self._write(
            lambda s, actor: attendance.record_attendance(s, actor, meeting_id, **values),
            self.attendance_page.form_error,
            None if done is None else lambda _row: done(),
        )

    # ----- state ----------------------------------------------------------------------------
    def _on_offline_changed(self, offline: bool, reason: str) -> None:
        if offline:
            self.offline_banner.setText(
                "The database cannot be reached. Everything you type is kept on this computer "
                f"and will be saved as soon as it is back (retrying every "
                f"{self.hub.retry_timer.interval() // 1000 or 1} s). ({reason})"
            )
        self.offline_banner.setVisible(offline)
        self._update_save_summary()

    def _update_save_summary(self) -> None:
        unsaved = self.hub.unsaved()
        if unsaved:
            text = f"{len(unsaved)} change(s) not in the database yet — kept on this computer."
        else:
            text = "All typed text is saved in the database."
        listed = self._drafts_listed()
        if listed:
            drafts = self.hub.pending_drafts()
            text += (
                f" {len(drafts)} draft{'s' if len(drafts) != 1 else ''} typed but not recorded "
                f"yet (kept on this computer only, until its button records it): {listed}."
            )
        self.save_summary.setText(text)

    def flush(self) -> None:
        """Journal every draft and save every autosaved field now (the app is closing)."""
        self.hub.flush_all()

    def _set_read_only(self, frozen: bool) -> None:
        writer = self.ctx.actor.has(*WRITER_ROLES)
        self.hub.read_only = frozen or not writer
        if not self.hub.read_only:
            return
        self._freeze(self)
        self.status_error.set_message(
            "These minutes are signed off: nothing can change. A correction is an addendum."
            if frozen
            else "You can read this meeting; recording it needs the minute-taker, chair, "
            "co-ordinator or administrator role.",
        )

    def _freeze(self, root: QWidget) -> None:
        # Opening the signed minutes, distribution and the audit trail stays possible.
        keep = {self.help_button, self.sign_off_button, self.distribute_button, self.audit_button}
        for edit in root.findChildren(QPlainTextEdit):
            edit.setReadOnly(True)
        for line in root.findChildren(QLineEdit):
            line.setReadOnly(True)
        for widget in root.findChildren(QComboBox):
            widget.setEnabled(False)
        for button in root.findChildren(QAbstractButton):
            if button not in keep:
                button.setEnabled(False)

    def has_unsaved_changes(self) -> bool:
        return bool(self.hub.unsaved())

    def confirm_close(self, callback: Callable[[bool], None]) -> None:
        """Closing the tab: save what is pending; the journal keeps anything not yet saved."""
        self.hub.flush_all()
        callback(True)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.overlay.isVisible():
            self.overlay.move(
                (self.width() - self.overlay.width()) // 2,
                max(40, (self.height() - self.overlay.height()) // 3),
            )
