"""One case, opened in a tab of the main window: details, registration, risk assessment, RMP,
meetings, actions and audit. Loads in the task runner; warns before unsaved edits are lost.

The tabs live in ``ui/views/record/``; this module composes them, loads the data, routes Ctrl+S to
the form on screen and answers the main window's questions (``has_unsaved_changes``,
``confirm_close``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import CustodyStatus
from mappa_desktop.domain.errors import NotFound
from ui import messages
from ui.context import AppContext
from ui.tasks import Progress
from ui.user_text import shown
from ui.views.record.common import (
    MAIN_WINDOW_KEYS,
    assign_mnemonics,
    fmt_date,
    heading,
    mnemonic_of,
    mnemonic_text,
    mnemonic_widgets,
)
from ui.views.record.coordination_tabs import CaseEventsTab, ChronologyTab
from ui.views.record.data import RecordData, load_record
from ui.views.record.details_tab import CUSTODY_LABELS, DetailsTab
from ui.views.record.form_base import RecordForm
from ui.views.record.history_tabs import ActionsTab, AuditTab, MeetingsTab, RmpTab
from ui.views.record.registration_tab import RegistrationTab
from ui.views.record.risk_tab import RiskTab

TAB_TITLES = (
    "Details",
    "Registration",
    "Risk assessment",
    "RMP",
    "Meetings",
    "Actions",
    "Audit",
    "Key events",
    "Whole chronology",
)
DETAILS, REGISTRATION, RISK, RMP, MEETINGS, ACTIONS, AUDIT, EVENTS, CHRONOLOGY = range(
    len(TAB_TITLES)
)
LOADING_PAGE, ERROR_PAGE, CONTENT_PAGE = range(3)


def summary_text(data: RecordData) -> str:
    case = data.case
    parts: list[str] = []
    reg = case.registration
    if reg is None:
        parts.append("No MAPPA registration")
    elif reg.is_ended:
        parts.append(f"Registration ended {fmt_date(reg.ended_on)}")
    else:
        parts.append(f"Category {reg.category}, Level {reg.level}")
        if reg.next_review_due:
            parts.append(f"next review {fmt_date(reg.next_review_due)}")
    latest = data.latest_assessment
    parts.append(
        f"RoSH {latest.overall.label} ({fmt_date(latest.assessed_on)})"
        if latest
        else "no RoSH assessment yet"
    )
    parts.append(f"lead agency {case.lead_agency_name}")
    parts.append(CUSTODY_LABELS[CustodyStatus(case.custody_status)].lower())
    if case.date_of_birth:
        parts.append(f"born {fmt_date(case.date_of_birth)}")
    return " · ".join(parts)


class CaseRecord(QWidget):
    title_changed = Signal(str)
    loaded = Signal()  # after every successful load

    def __init__(self, ctx: AppContext, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.data: RecordData | None = None
        self._loading = False
        self._reload_pending = False
        self._discarded = False
        self._title = f"Case {case_id}"
        self.setObjectName(f"caseRecord{case_id}")
        self._build()
        self._connect_signals()
        # Start after the main window has connected title_changed (and keep the UI responsive).
        QTimer.singleShot(0, self.reload)

    # ----- construction --------------------------------------------------------------------------
    def _build(self) -> None:
        self.name_label = heading("Loading case…")
        self.name_label.setAccessibleName("Case name")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setAccessibleName("Case summary")
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.details = DetailsTab(self.ctx, self.case_id)
        self.registration = RegistrationTab(self.ctx, self.case_id)
        self.risk = RiskTab(self.ctx, self.case_id)
        self.rmp_tab = RmpTab(self.ctx)
        self.meetings_tab = MeetingsTab()
        self.actions_tab = ActionsTab()
        self.audit_tab = AuditTab()
        self.events_tab = CaseEventsTab(self.ctx, self.case_id)
        self.chronology_tab = ChronologyTab(self.ctx, self.case_id)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Case record sections")
        used: set[str] = set()
        self._tab_titles: list[str] = []
        pages: tuple[QWidget, ...] = (
            self.details,
            self.registration,
            self.risk,
            self.rmp_tab,
            self.meetings_tab,
            self.actions_tab,
            self.audit_tab,
            self.events_tab,
            self.chronology_tab,
        )
        for page, title in zip(pages, TAB_TITLES, strict=True):
            text = mnemonic_text(title, used, MAIN_WINDOW_KEYS)
            self._tab_titles.append(text)
            self.tabs.addTab(page, text)
        self._reserved = MAIN_WINDOW_KEYS + "".join(used)
        for index in range(self.tabs.count()):
            self.assign_page_mnemonics(index)

        self.loading_label = QLabel("Loading the case…")
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.setAccessibleName("Loading")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.retry_button = QPushButton("&Try again")
        error_page = QWidget()
        error_layout = QVBoxLayout(error_page)
        error_layout.addStretch(1)
        error_layout.addWidget(self.error_label)
        error_layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignHCenter)
        error_layout.addStretch(1)
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addWidget(self.name_label)
        content_layout.addWidget(self.summary_label)
        content_layout.addWidget(self.tabs, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.loading_label)
        self.stack.addWidget(error_page)
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def assign_page_mnemonics(self, index: int) -> None:
        page = self.tabs.widget(index)
        assert page is not None
        widgets = mnemonic_widgets(page)
        if page is self.details:
            editor = self.details.view.alias_editor
            # Alias rows come and go: give them letters last so the others keep theirs.
            widgets = [w for w in widgets if not editor.isAncestorOf(w)] + mnemonic_widgets(editor)
        assign_mnemonics(widgets, self._reserved)

    @property
    def tab_keys(self) -> str:
        return "".join(k for t in self._tab_titles if (k := mnemonic_of(t)))

    def _connect_signals(self) -> None:
        self.save_shortcut.activated.connect(self.save_current)
        self.retry_button.clicked.connect(self.reload)
        for form in self.forms():
            form.dirty_changed.connect(self._on_dirty_changed)
            form.saved.connect(self._on_form_saved)
        self.details.view.alias_editor.rows_changed.connect(
            lambda: self.assign_page_mnemonics(DETAILS)
        )
        self.ctx.bus.cases_changed.connect(self._on_cases_changed)
        self.ctx.bus.actions_changed.connect(self._on_cases_changed)
        self.ctx.bus.meetings_changed.connect(self._on_meetings_changed)
        self.ctx.bus.database_replaced.connect(self.reload)

    def forms(self) -> list[RecordForm]:
        return [self.details, self.registration, self.risk.form]

    # ----- loading -------------------------------------------------------------------------------
    @property
    def is_loaded(self) -> bool:
        return self.data is not None and not self._loading

    def reload(self) -> None:
        if self._loading:
            self._reload_pending = True
            return
        self._loading = True
        if self.data is None:
            self.stack.setCurrentIndex(LOADING_PAGE)
        ctx, case_id, today = self.ctx, self.case_id, self.ctx.today()

        def load(_progress: Progress) -> RecordData:
            return load_record(ctx.read_sessions, case_id, today)

        self.ctx.runner.submit(load, self._on_loaded, self._on_load_failed)

    def _on_loaded(self, data: RecordData) -> None:
        self._loading = False
        self.data = data
        self.name_label.setText(shown(data.case.display_name))
        self.summary_label.setText(summary_text(data))
        self.details.set_data(data)
        self.registration.set_data(data)
        self.risk.set_data(data)
        self.rmp_tab.set_data(data)
        self.meetings_tab.set_data(data)
        self.actions_tab.set_data(data)
        self.audit_tab.set_data(data)
        self.events_tab.reload()
        self.chronology_tab.reload()
        self.stack.setCurrentIndex(CONTENT_PAGE)
        self._update_title()
        self.loaded.emit()
        if self._reload_pending:
            self._reload_pending = False
            self.reload()

    def _on_load_failed(self, exc: Exception) -> None:
        self._loading = False
        self._reload_pending = False
        if self.data is not None:  # keep showing what we have; say the refresh failed
            messages.show_error(self, "Reload case", exc)
            return
        if isinstance(exc, NotFound):
            self.error_label.setText(f"Case {self.case_id} could not be found: {exc}")
        else:
            self.error_label.setText(
                f"Case {self.case_id} could not be loaded. {messages.describe(exc)}"
            )
        self.stack.setCurrentIndex(ERROR_PAGE)

    def _on_cases_changed(self, ids: object) -> None:
        if not ids or (isinstance(ids, set | frozenset | list | tuple) and self.case_id in ids):
            self.reload()

    def _on_meetings_changed(self, _ids: object) -> None:
        self.reload()  # which meetings discussed this case is not known here: cheap to reload

    # ----- unsaved changes -----------------------------------------------------------------------
    def has_unsaved_changes(self) -> bool:
        return not self._discarded and any(f.is_dirty() for f in self.forms())

    def _dirty_names(self) -> list[str]:
        names = {
            self.details: "details",
            self.registration: "registration change",
            self.risk.form: "risk assessment",
        }
        return [names[f] for f in self.forms() if f.is_dirty()]

    def _on_dirty_changed(self, _dirty: bool) -> None:
        self._discarded = False
        for index, form in ((DETAILS, self.details), (REGISTRATION, self.registration)):
            self.tabs.setTabText(index, self._tab_titles[index] + (" *" if form.is_dirty() else ""))
        self.tabs.setTabText(
            RISK, self._tab_titles[RISK] + (" *" if self.risk.form.is_dirty() else "")
        )
        self._update_title()

    def _update_title(self) -> None:
        name = self.data.case.display_name if self.data is not None else f"Case {self.case_id}"
        title = name + (" *" if self.has_unsaved_changes() else "")
        if title != self._title:
            self._title = title
            self.title_changed.emit(title)

    @property
    def title(self) -> str:
        return self._title

    def confirm_close(self, callback: Callable[[bool], None]) -> None:
        """Calls back True when the tab may close: nothing unsaved, saved, or discarded."""
        if not self.has_unsaved_changes():
            callback(True)
            return
        dirty = self._dirty_names()
        name = self.data.case.display_name if self.data is not None else f"Case {self.case_id}"

        def answered(button: QMessageBox.StandardButton) -> None:
            if button == QMessageBox.StandardButton.Save:
                self.save_all(callback)
            elif button == QMessageBox.StandardButton.Discard:
                self._discarded = True
                callback(True)
            else:
                callback(False)

        messages.ask(
            self,
            "Unsaved changes",
            f"{name}: the {_join(dirty)} {'has' if len(dirty) == 1 else 'have'} changes that "
            "are not saved. Save them before closing?",
            answered,
        )

    def save_all(self, callback: Callable[[bool], None]) -> None:
        """Save every form with changes, one after another; stop at the first that fails."""
        pending = [f for f in self.forms() if f.is_dirty()]

        def next_one(ok: bool) -> None:
            if not ok:
                failed = current[0]
                if failed is not None:
                    self._show_form(failed)
                callback(False)
                return
            if not pending:
                callback(True)
                return
            form = pending.pop(0)
            current[0] = form
            form.save(next_one)

        current: list[RecordForm | None] = [None]
        next_one(True)

    def _show_form(self, form: RecordForm) -> None:
        page = {self.details: DETAILS, self.registration: REGISTRATION, self.risk.form: RISK}
        self.tabs.setCurrentIndex(page[form])

    # ----- saving --------------------------------------------------------------------------------
    def save_current(self) -> None:
        """Ctrl+S: save the form on the visible tab."""
        index = self.tabs.currentIndex()
        form = {DETAILS: self.details, REGISTRATION: self.registration, RISK: self.risk.form}.get(
            index
        )
        if form is not None:
            form.save()

    def _on_form_saved(self) -> None:
        self._update_title()
        self.ctx.bus.cases_changed.emit({self.case_id})  # the record reloads through the bus


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
