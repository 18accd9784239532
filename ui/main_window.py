"""The main window: Cases, Meetings and Actions, case records in tabs, menus and shortcuts."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import Role
from ui import messages, ui_state
from ui.backup_actions import BackupActions
from ui.context import AppContext
from ui.dialogs.guide import add_guide_button
from ui.forms import style
from ui.forms.style import Tone
from ui.live import LiveRefresh
from ui.views.actions_page import ActionsPage
from ui.views.case_list import CaseList
from ui.views.meetings_page import MeetingsPage
from ui.views.referrals_page import ReferralsPage
from ui.views.start_page import StartPageWidget
from ui.views.statistics_page import StatisticsPage
from ui.views.welcome import WelcomePanel

SHORTCUTS_HELP = """<h3>Keyboard shortcuts</h3>
<table cellpadding="3">
<tr><td><b>Ctrl+1 / Ctrl+2 / Ctrl+3</b></td><td>Cases / Meetings / Actions</td></tr>
<tr><td><b>Ctrl+0 / Ctrl+4 / Ctrl+5</b></td><td>Today / Referrals / Statistics</td></tr>
<tr><td><b>Ctrl+F</b></td><td>Find a case (filter as you type)</td></tr>
<tr><td><b>Enter</b></td><td>Open the selected case</td></tr>
<tr><td><b>Ctrl+S</b></td><td>Save the open form</td></tr>
<tr><td><b>Ctrl+W</b></td><td>Close the current case tab</td></tr>
<tr><td><b>Ctrl+Tab / Ctrl+Shift+Tab</b></td><td>Next / previous tab</td></tr>
<tr><td><b>F5</b></td><td>Reload from the database</td></tr>
<tr><td><b>Ctrl+Shift+D</b></td><td>Connect to another database</td></tr>
<tr><td><b>Enter</b> (Meetings)</td><td>Open the selected meeting</td></tr>
<tr><td><b>Ctrl+N</b> (Meetings)</td><td>Schedule a new meeting</td></tr>
<tr><td><b>Ctrl+E</b> (Meetings)</td><td>Build the selected meeting's agenda</td></tr>
<tr><td><b>Alt+Up / Alt+Down</b> (agenda)</td><td>Move the selected case up / down</td></tr>
<tr><td><b>Ctrl+PgDown / Ctrl+PgUp</b> (meeting)</td><td>Next / previous case</td></tr>
<tr><td><b>Ctrl+Shift+A</b> (meeting)</td><td>New action for the case shown</td></tr>
<tr><td><b>Ctrl+P</b> (meeting)</td><td>Mark the selected attendee present</td></tr>
<tr><td><b>Ctrl+D</b> (meeting)</td><td>Jump to the case's decisions</td></tr>
<tr><td><b>Ctrl+Shift+K</b> (meeting)</td><td>Sign-off checklist</td></tr>
<tr><td><b>Ctrl+/</b> (meeting)</td><td>Meeting shortcuts</td></tr>
<tr><td><b>F1</b></td><td>This list; <b>User guide</b> below opens the guide</td></tr>
<tr><td><b>Ctrl+Q</b></td><td>Quit</td></tr>
</table>"""


FIXED_TABS = 6  # Cases, Meetings, Actions, Today, Referrals, Statistics: never closed


class MainWindow(QMainWindow):
    database_switch_requested = Signal()
    demo_requested = Signal()
    reopen_requested = Signal()  # open this database again (after File › Restore from backup…)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("mappa-desktop — MAPPA panels (OFFICIAL-SENSITIVE)")
        self.setObjectName("mainWindow")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setAccessibleName("Main sections and open cases")
        self.case_list = CaseList(ctx)
        self.welcome = WelcomePanel(ctx)
        self.meetings = MeetingsPage(ctx)
        self.actions_page = ActionsPage(ctx)
        self.tabs.addTab(self.case_list, "&Cases")
        self.tabs.addTab(self.meetings, "&Meetings")
        self.tabs.addTab(self.actions_page, "&Actions")
        # The co-ordinator's pages (no mnemonics: Ctrl+0 / Ctrl+4 / Ctrl+5 reach them).
        self.start_page = StartPageWidget(ctx)
        self.referrals_page = ReferralsPage(ctx)
        self.statistics_page = StatisticsPage(ctx)
        self.tabs.addTab(self.start_page, "Today")
        self.tabs.addTab(self.referrals_page, "Referrals")
        self.tabs.addTab(self.statistics_page, "Statistics")
        for fixed in range(FIXED_TABS):
            self.tabs.tabBar().setTabButton(
                fixed, self.tabs.tabBar().ButtonPosition.RightSide, None
            )
        self.offline_banner = QLabel("")
        self.offline_banner.setObjectName("databaseOfflineBanner")
        self.offline_banner.setAccessibleName("Database connection")
        self.offline_banner.setWordWrap(True)
        style.set_banner(self.offline_banner, Tone.ERROR)
        self.offline_banner.setVisible(False)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.offline_banner)
        central_layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        # Changes by other users reach this window's screens; started by start_live_refresh.
        self.live = LiveRefresh(ctx.engine, ctx.bus, self)
        self._records: dict[int, QWidget] = {}
        self._meeting_views: dict[int, QWidget] = {}
        self._build_status_bar()
        self._build_menus()
        self._connect_signals()
        if not ui_state.restore_window(self):
            self.resize(1280, 800)
        if ctx.actor.has(Role.COORDINATOR, Role.CHAIR):
            self.tabs.setCurrentWidget(self.start_page)  # the day's work comes first

    # ----- construction --------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.database_label = QLabel(self.ctx.database_label)
        self.database_label.setAccessibleName("Database")
        roles = ", ".join(sorted(r.value.replace("_", "-") for r in self.ctx.actor.roles))
        self.user_label = QLabel(f"{self.ctx.actor.display_name} ({roles})")
        self.user_label.setAccessibleName("Signed-in user")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setVisible(False)
        self.busy.setAccessibleName("Working")
        bar.addWidget(self.database_label, 1)
        bar.addPermanentWidget(self.busy)
        bar.addPermanentWidget(self.user_label)

    def _action(
        self,
        text: str,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        slot: object,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(
            self._action(
                "&Connect to database…", "Ctrl+Shift+D", self.database_switch_requested.emit
            )
        )
        self.demo_action = self._action("Load &demo data…", None, self.demo_requested.emit)
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        self.backup_actions = BackupActions(self, file_menu)  # Back up… / Restore from backup…
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", QKeySequence.StandardKey.Quit, self.close))

        edit_menu = menu.addMenu("&Edit")
        edit_menu.addAction(
            self._action("&Find case", QKeySequence.StandardKey.Find, self.focus_case_filter)
        )
        edit_menu.addAction(
            self._action("&Reload", QKeySequence.StandardKey.Refresh, self.reload_all)
        )

        view_menu = menu.addMenu("&View")
        for title, key, page in (
            ("&Cases", "Ctrl+1", self.case_list),
            ("&Meetings", "Ctrl+2", self.meetings),
            ("&Actions", "Ctrl+3", self.actions_page),
            ("&Today", "Ctrl+0", self.start_page),
            ("&Referrals", "Ctrl+4", self.referrals_page),
            ("&Statistics", "Ctrl+5", self.statistics_page),
        ):
            view_menu.addAction(
                self._action(title, key, lambda _c=False, p=page: self.show_page(p))
            )
        view_menu.addSeparator()
        view_menu.addAction(
            self._action(
                "Close case tab", QKeySequence.StandardKey.Close, self.close_current_record
            )
        )
        view_menu.addAction(
            self._action("Next tab", QKeySequence.StandardKey.NextChild, lambda: self._step_tab(1))
        )
        view_menu.addAction(
            self._action(
                "Previous tab", QKeySequence.StandardKey.PreviousChild, lambda: self._step_tab(-1)
            )
        )

        help_menu = menu.addMenu("&Help")
        help_menu.addAction(
            self._action(
                "&Keyboard shortcuts", QKeySequence.StandardKey.HelpContents, self.show_shortcuts
            )
        )
        help_menu.addAction(self._action("&About mappa-desktop", None, self.show_about))

    def _connect_signals(self) -> None:
        self.case_list.case_opened.connect(self.open_case)
        self.case_list.loaded.connect(self._on_cases_loaded)
        self.actions_page.case_opened.connect(self.open_case)
        self.meetings.meeting_opened.connect(self.open_meeting)
        self.start_page.case_opened.connect(self.open_case)
        self.start_page.meeting_opened.connect(self.open_meeting)
        self.start_page.referral_opened.connect(self.show_referral)
        self.start_page.agency_actions_opened.connect(self.show_agency_actions)
        self.referrals_page.case_opened.connect(self.open_case)
        for changed in (
            self.ctx.bus.cases_changed,
            self.ctx.bus.meetings_changed,
            self.ctx.bus.actions_changed,
        ):
            changed.connect(lambda _ids: self.start_page.reload())
        self.ctx.bus.cases_changed.connect(lambda _ids: self.referrals_page.reload())
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.ctx.runner.busy_changed.connect(self.busy.setVisible)
        self.ctx.bus.cases_changed.connect(lambda _ids: self.case_list.reload())
        self.ctx.bus.actions_changed.connect(lambda _ids: self.actions_page.reload())
        self.ctx.bus.meetings_changed.connect(lambda _ids: self.meetings.reload())
        self.welcome.demo_requested.connect(self.demo_requested.emit)
        self.welcome.fresh_chosen.connect(self._on_fresh_chosen)
        self.live.connection_changed.connect(self._on_connection_changed)

    # ----- behaviour -----------------------------------------------------------------------
    def reload_all(self) -> None:
        self.case_list.reload()
        self.meetings.reload()
        self.actions_page.reload()
        self.start_page.reload()
        self.referrals_page.reload()
        self.statistics_page.reload()

    def show_page(self, page: QWidget) -> None:
        """Bring a page forward with the focus inside it (its shortcuts then act)."""
        self.tabs.setCurrentWidget(page)
        focus_first = getattr(page, "focus_first", None)
        if callable(focus_first):
            focus_first()

    def show_referral(self, referral_id: int) -> None:
        self.show_page(self.referrals_page)
        if self.referrals_page.select_referral(referral_id):
            self.referrals_page.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_agency_actions(self, agency: str) -> None:
        """The Actions page filtered to one agency's open actions."""
        combo = self.actions_page.agency_combo
        combo.setCurrentIndex(max(combo.findData(agency), 0))
        self.tabs.setCurrentWidget(self.actions_page)
        self.actions_page.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def start_live_refresh(self) -> None:
        """Follow other users' changes (until the window closes or the database is switched)."""
        self.live.start()

    def stop_live_refresh(self) -> None:
        self.live.stop()
        self._on_connection_changed(True, "")

    def _on_connection_changed(self, online: bool, reason: str) -> None:
        if online:
            if self.offline_banner.isVisibleTo(self):
                self.statusBar().showMessage("The database is reachable again.", 10_000)
            self.offline_banner.setVisible(False)
            return
        why = f" ({reason})" if reason else ""
        self.offline_banner.setText(
            f"The database cannot be reached{why}. Nothing you type is lost: it stays on "
            "screen, and you can save it once the connection is back. This message goes away "
            "by itself when the database answers again."
        )
        self.offline_banner.setVisible(True)

    def focus_case_filter(self) -> None:
        self.show_page(self.case_list)

    def _on_cases_loaded(self, count: int) -> None:
        self.welcome.setVisible(False)
        if count == 0 and not self.welcome.dismissed:
            self.case_list.show_banner(self.welcome)
            self.tabs.setCurrentWidget(self.case_list)  # an empty database: offer demo data

    def _on_fresh_chosen(self) -> None:
        self.welcome.setVisible(False)

    def open_case(self, case_id: int) -> None:
        existing = self._records.get(case_id)
        if existing is not None:
            self.tabs.setCurrentWidget(existing)
            return
        from ui.views.case_record import CaseRecord  # the record screen loads on first use

        record = CaseRecord(self.ctx, case_id)
        record.title_changed.connect(lambda title, r=record: self._retitle(r, title))
        self._records[case_id] = record
        self.tabs.addTab(record, f"Case {case_id}")
        self.tabs.setCurrentWidget(record)

    def open_meeting(self, meeting_id: int) -> None:
        """Open the meeting screen in a tab (or show it if it is already open)."""
        opened = self._meeting_views
        existing = opened.get(meeting_id)
        if existing is not None and self.tabs.indexOf(existing) >= 0:
            self.show_page(existing)
            return
        from ui.views.meeting import MeetingView  # the meeting screen loads on first use

        view = MeetingView(self.ctx, meeting_id)
        view.title_changed.connect(lambda title, v=view: self._retitle(v, title))
        view.destroyed.connect(
            lambda _o=None, m=meeting_id, v=view: opened.pop(m) if opened.get(m) is v else None
        )
        opened[meeting_id] = view
        self.tabs.addTab(view, view.tab_title())
        self.show_page(view)  # the focus on the first field, not on a status button

    def _retitle(self, record: QWidget, title: str) -> None:
        index = self.tabs.indexOf(record)
        if index >= 0:
            self.tabs.setTabText(index, title)

    def close_current_record(self) -> None:
        if self.tabs.currentIndex() >= FIXED_TABS:
            self._close_tab(self.tabs.currentIndex())

    def _close_tab(self, index: int) -> None:
        if index < FIXED_TABS:
            return
        widget = self.tabs.widget(index)
        if widget is None:
            return
        confirm = getattr(widget, "confirm_close", None)
        if callable(confirm):
            confirm(lambda ok, w=widget: self._finish_close(w) if ok else None)
        else:
            self._finish_close(widget)

    def _finish_close(self, widget: QWidget) -> None:
        index = self.tabs.indexOf(widget)
        if index >= 0:
            self.tabs.removeTab(index)
        for case_id, record in list(self._records.items()):
            if record is widget:
                del self._records[case_id]
        widget.deleteLater()

    def _step_tab(self, step: int) -> None:
        count = self.tabs.count()
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    def unsaved_records(self) -> list[QWidget]:
        return [
            r
            for r in self._records.values()
            if callable(getattr(r, "has_unsaved_changes", None)) and r.has_unsaved_changes()  # type: ignore[attr-defined]
        ]

    def show_shortcuts(self) -> None:
        box = messages.show_info(self, "Keyboard shortcuts", SHORTCUTS_HELP)
        add_guide_button(box, self)

    def show_about(self) -> None:
        messages.show_info(
            self,
            "About mappa-desktop",
            "mappa-desktop — case lists, risk assessments, meetings and signed-off minutes for "
            "MAPPA Level 2 and 3 panels.\n\nRecords shown here are OFFICIAL-SENSITIVE.",
        )

    def save_state(self) -> None:
        ui_state.save_window(self)
        self.case_list.save_state()
        self.meetings.save_state()
        self.actions_page.save_state()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        unsaved = self.unsaved_records()
        if unsaved and not getattr(self, "_close_confirmed", False):
            event.ignore()
            self.tabs.setCurrentWidget(unsaved[0])

            def answered(button: QMessageBox.StandardButton) -> None:
                if button == QMessageBox.StandardButton.Discard:
                    self._close_confirmed = True
                    self.close()

            messages.ask(
                self,
                "Unsaved changes",
                f"{len(unsaved)} open case(s) have changes that are not saved. "
                "Go back and save them, or discard them and quit?",
                answered,
                buttons=QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                default=QMessageBox.StandardButton.Cancel,
            )
            return
        for view in list(self._meeting_views.values()):
            flush = getattr(view, "flush", None)
            if callable(flush):
                flush()  # journal drafts and pending text, start the last saves
        self.save_state()
        self.stop_live_refresh()
        self.ctx.runner.wait_all(10_000)
        event.accept()
