"""The start page for the day's work (a co-ordinator's or chair's first screen): the next
meetings and their readiness, referrals awaiting screening, reviews due or overdue, overdue
actions by agency and minutes awaiting sign-off or distribution. Enter or a double-click on a
line opens the place to act: the meeting, the referral, the case or the agency's actions."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from mappa_desktop.services.referrals import ReferralRow
from mappa_desktop.services.start_page import (
    MeetingReadiness,
    MinutesLine,
    OverdueActionsLine,
    ReviewDueLine,
    StartPage,
    start_page,
)
from ui import messages
from ui.context import AppContext
from ui.models.dto_table import Column, DtoTableModel, size_columns
from ui.tasks import Progress
from ui.views.record.common import MAIN_WINDOW_KEYS, assign_mnemonics, heading, mnemonic_widgets
from ui.views.record.history_tabs import ListTab
from ui.views.row_opener import RowOpener


def _titled(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _when(m: MeetingReadiness) -> str:
    return m.meeting_date.isoformat() + (f" {m.start_time:%H:%M}" if m.start_time else "")


def _readiness(m: MeetingReadiness) -> str:
    if m.ready:
        return "Ready"
    needs = list(m.missing)
    if m.cases_proposed:
        needs.append(f"{m.cases_proposed} due case(s) not yet on the agenda")
    return "; ".join(needs)


MEETING_COLUMNS: list[Column[MeetingReadiness]] = [
    Column("When", _when, sort_key=lambda m: (m.meeting_date, m.start_time or "")),
    Column("Level", lambda m: f"Level {m.level} {m.meeting_type.value}"),
    Column("Chair", lambda m: m.chair or "—"),
    Column("Cases", lambda m: str(m.cases_on_agenda), sort_key=lambda m: m.cases_on_agenda),
    Column("Readiness", _readiness, tooltip=_readiness),
]
REFERRAL_COLUMNS: list[Column[ReferralRow]] = [
    Column("Referred", lambda r: r.referral_date.isoformat(), sort_key=lambda r: r.referral_date),
    Column("Case", lambda r: r.case_name),
    Column("From", lambda r: r.referring_agency),
    Column("Level sought", lambda r: f"Level {r.level_sought}"),
]
REVIEW_COLUMNS: list[Column[ReviewDueLine]] = [
    Column(
        "Review due",
        lambda r: r.next_review_due.isoformat() + (" ⚠ overdue" if r.overdue else ""),
        sort_key=lambda r: r.next_review_due,
    ),
    Column("Case", lambda r: r.case_name),
    Column("Placement", lambda r: f"Category {r.category}, Level {r.level}"),
    Column("Next meeting", lambda r: "on an agenda" if r.next_meeting_id else "not listed"),
]
ACTION_COLUMNS: list[Column[OverdueActionsLine]] = [
    Column("Agency", lambda a: a.agency),
    Column("Overdue actions", lambda a: str(a.overdue), sort_key=lambda a: a.overdue),
    Column("Oldest due", lambda a: a.oldest_due.isoformat(), sort_key=lambda a: a.oldest_due),
    Column("Cases", lambda a: str(len(a.case_ids)), sort_key=lambda a: len(a.case_ids)),
]
MINUTES_COLUMNS: list[Column[MinutesLine]] = [
    Column("Meeting", lambda m: m.meeting_date.isoformat(), sort_key=lambda m: m.meeting_date),
    Column("Level", lambda m: f"Level {m.level}"),
    Column("Chair", lambda m: m.chair or "—"),
    Column("Waiting for", lambda m: m.waiting_for),
    Column("Days", lambda m: str(m.days_since_meeting), sort_key=lambda m: m.days_since_meeting),
]


class StartPageView(QWidget):
    """Layout only: a line of context, then one titled table per kind of work."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = heading("Today")
        self.summary_label = QLabel("Loading the day's work…")
        self.summary_label.setWordWrap(True)
        self.summary_label.setAccessibleName("Summary of the day's work")
        self.reload_button = QPushButton("Refresh")
        self.meetings = ListTab(
            "Next meetings", "No meetings are planned in the next four weeks.", "Next meetings"
        )
        self.referrals = ListTab(
            "Referrals awaiting screening",
            "No referral is waiting to be screened.",
            "Referrals awaiting screening",
        )
        self.reviews = ListTab(
            "Reviews due or overdue (Level 2 and 3)",
            "No Level 2 or 3 review is due in the next four weeks.",
            "Reviews due",
        )
        self.overdue_actions = ListTab(
            "Overdue actions by agency", "No action is overdue.", "Overdue actions by agency"
        )
        self.minutes = ListTab(
            "Minutes awaiting sign-off or distribution",
            "No minutes are waiting.",
            "Minutes awaiting sign-off or distribution",
        )
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.title_label)
        layout.addWidget(self.summary_label)
        for section in self.sections():
            section.table.setMinimumHeight(110)
            layout.addWidget(section)
        layout.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        assign_mnemonics(mnemonic_widgets(self), MAIN_WINDOW_KEYS)

    def sections(self) -> tuple[ListTab, ...]:
        return (self.meetings, self.referrals, self.reviews, self.overdue_actions, self.minutes)


class StartPageWidget(StartPageView):
    """Controller: loads ``start_page`` in the background; each line opens its place."""

    meeting_opened = Signal(int)
    referral_opened = Signal(int)
    case_opened = Signal(int)
    agency_actions_opened = Signal(str)  # the agency's name (the actions page filters by it)
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._generation = 0
        self.data: StartPage | None = None
        self.meetings_model: DtoTableModel[MeetingReadiness] = DtoTableModel(MEETING_COLUMNS)
        self.referrals_model: DtoTableModel[ReferralRow] = DtoTableModel(REFERRAL_COLUMNS)
        self.reviews_model: DtoTableModel[ReviewDueLine] = DtoTableModel(REVIEW_COLUMNS)
        self.actions_model: DtoTableModel[OverdueActionsLine] = DtoTableModel(ACTION_COLUMNS)
        self.minutes_model: DtoTableModel[MinutesLine] = DtoTableModel(MINUTES_COLUMNS)
        pairs = (
            (self.meetings, self.meetings_model, lambda m: self.meeting_opened.emit(m.meeting_id)),
            (self.referrals, self.referrals_model, lambda r: self.referral_opened.emit(r.id)),
            (self.reviews, self.reviews_model, lambda r: self.case_opened.emit(r.case_id)),
            (
                self.overdue_actions,
                self.actions_model,
                lambda a: self.agency_actions_opened.emit(a.agency),
            ),
            (self.minutes, self.minutes_model, lambda m: self.meeting_opened.emit(m.meeting_id)),
        )
        for section, model, opened in pairs:
            section.table.setModel(model)
            section.table.setWordWrap(False)
            count = model.columnCount()
            size_columns(section.table, (24, *([28] * (count - 1))), stretch=count - 1)
            RowOpener(section.table, opened)
        self.reload_button.clicked.connect(self.reload)

    def focus_first(self) -> None:
        """Put the focus in the first list with something in it (the page's shortcut)."""
        for section in self.sections():
            if section.table.isVisibleTo(self) and section.table.model().rowCount():
                section.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
                if not section.table.currentIndex().isValid():
                    section.table.selectRow(0)
                return
        self.reload_button.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def reload(self) -> None:
        today = self._ctx.today()

        def load(_p: Progress) -> StartPage:
            with self._ctx.read_sessions() as s:
                return start_page(s, today)

        self._generation += 1
        generation = self._generation
        self._ctx.runner.submit(
            load,
            lambda page: self._on_loaded(page) if generation == self._generation else None,
            self._on_failed,
        )

    def _on_loaded(self, page: StartPage) -> None:
        self.data = page
        self.meetings_model.set_rows(page.next_meetings)
        self.referrals_model.set_rows(page.referrals_awaiting)
        self.reviews_model.set_rows(page.reviews_due)
        self.actions_model.set_rows(page.overdue_actions)
        self.minutes_model.set_rows(page.minutes_pending)
        for section, count, noun in (
            (self.meetings, len(page.next_meetings), "meeting"),
            (self.referrals, len(page.referrals_awaiting), "referral"),
            (self.reviews, len(page.reviews_due), "case"),
            (self.overdue_actions, len(page.overdue_actions), "line"),
            (self.minutes, len(page.minutes_pending), "meeting"),
        ):
            section.show_count(count, noun)
        overdue = sum(1 for r in page.reviews_due if r.overdue)
        self.summary_label.setText(
            f"{_long(page.today)}: {len(page.referrals_awaiting)} referral(s) to screen, "
            f"{overdue} overdue review(s), {sum(a.overdue for a in page.overdue_actions)} "
            "overdue action(s). Press Enter on a line to open it."
        )
        self.loaded.emit()

    def _on_failed(self, exc: Exception) -> None:
        self.summary_label.setText("The day's work could not be loaded.")
        messages.show_error(self, "Today", exc)


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"
