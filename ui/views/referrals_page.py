"""The Referrals page: referrals (MAPPA A) with a status filter, the days from referral to first
meeting, and the co-ordinator's buttons: screen the selected referral, record a new one, open
the case. Enter on a referral opens its case."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from mappa_desktop.domain.coordination import ReferralStatus
from mappa_desktop.services.people import AgencyRow, list_agencies
from mappa_desktop.services.referrals import COORDINATION_ROLES, ReferralRow, list_referrals
from ui import messages
from ui.context import AppContext
from ui.models.dto_table import Column, DtoTableModel, size_columns
from ui.tasks import Progress
from ui.views.record.common import MAIN_WINDOW_KEYS, assign_mnemonics, make_table, mnemonic_widgets
from ui.views.referral_dialogs import NewReferralDialog, ScreeningDialog
from ui.views.row_opener import RowOpener


def _status(r: ReferralRow) -> str:
    return r.status_label + (f" (Level {r.accepted_level})" if r.accepted_level else "")


REFERRAL_COLUMNS: list[Column[ReferralRow]] = [
    Column("Referred", lambda r: r.referral_date.isoformat(), sort_key=lambda r: r.referral_date),
    Column("Case", lambda r: f"{r.case_name} ({r.case_id})"),
    Column("From", lambda r: r.referring_agency),
    Column("Sought", lambda r: f"Level {r.level_sought}", sort_key=lambda r: r.level_sought),
    Column("Status", _status),
    Column(
        "Days to meeting",
        lambda r: "" if r.days_to_first_meeting is None else str(r.days_to_first_meeting),
        sort_key=lambda r: -1 if r.days_to_first_meeting is None else r.days_to_first_meeting,
    ),
    Column("Reason", lambda r: r.reason.replace("\n", " "), tooltip=lambda r: r.reason),
]


class ReferralsPageView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName("Filter referrals by status")
        self.status_combo.addItem("All referrals", None)
        for status in ReferralStatus:
            self.status_combo.addItem(status.label.capitalize(), status.value)
        status_label = QLabel("&Status:")
        status_label.setBuddy(self.status_combo)
        self.screen_button = QPushButton("Screen…")
        self.screen_button.setAccessibleName("Screen the selected referral")
        self.new_button = QPushButton("New referral…")
        self.open_case_button = QPushButton("Open case")
        self.table = make_table("Referrals", stretch_last=True)
        self.table.setSortingEnabled(True)
        self.count_label = QLabel("Loading referrals…")
        self.count_label.setAccessibleName("Number of referrals shown")
        bar = QHBoxLayout()
        bar.addWidget(status_label)
        bar.addWidget(self.status_combo)
        bar.addStretch(1)
        bar.addWidget(self.screen_button)
        bar.addWidget(self.new_button)
        bar.addWidget(self.open_case_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        self.setTabOrder(self.status_combo, self.table)
        self.setTabOrder(self.table, self.screen_button)
        self.setTabOrder(self.screen_button, self.new_button)
        self.setTabOrder(self.new_button, self.open_case_button)
        assign_mnemonics(mnemonic_widgets(self), MAIN_WINDOW_KEYS)


class ReferralsPage(ReferralsPageView):
    case_opened = Signal(int)
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._generation = 0
        self._agencies: list[AgencyRow] = []
        self.dialog: ScreeningDialog | NewReferralDialog | None = None
        self.model: DtoTableModel[ReferralRow] = DtoTableModel(REFERRAL_COLUMNS)
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        size_columns(self.table, (11, 28, 22, 8, 26, 8, 40), stretch=6)
        self.writable = ctx.actor.has(*COORDINATION_ROLES)
        RowOpener(self.table, lambda r: self.case_opened.emit(r.case_id))
        self.status_combo.currentIndexChanged.connect(self.reload)
        self.screen_button.clicked.connect(self.screen_selected)
        self.new_button.clicked.connect(self.new_referral)
        self.open_case_button.clicked.connect(self._open_selected_case)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.new_button.setEnabled(self.writable)
        if not self.writable:
            self.new_button.setToolTip("Only a co-ordinator or administrator records referrals.")
        self._update_buttons()

    def focus_first(self) -> None:
        target = self.table if self.model.rowCount() else self.status_combo
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def selected(self) -> ReferralRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().hasSelection():
            return None
        return self.model.row_at(index.row())

    def select_referral(self, referral_id: int) -> bool:
        for position, row in enumerate(self.model.rows()):
            if row.id == referral_id:
                self.table.selectRow(position)
                self.table.scrollTo(self.model.index(position, 0))
                return True
        return False

    def _update_buttons(self, *_args: object) -> None:
        row = self.selected()
        self.open_case_button.setEnabled(row is not None)
        can_screen = (
            self.writable and row is not None and row.status is ReferralStatus.AWAITING_SCREENING
        )
        self.screen_button.setEnabled(can_screen)
        self.screen_button.setToolTip(
            ""
            if can_screen
            else "Select a referral awaiting screening (co-ordinator or administrator only)."
        )

    def reload(self, *_args: object) -> None:
        value = self.status_combo.currentData()
        status = ReferralStatus(value) if value else None

        def load(_p: Progress) -> tuple[list[ReferralRow], list[AgencyRow]]:
            with self._ctx.read_sessions() as s:
                return list_referrals(s, status=status), list_agencies(s)

        self._generation += 1
        generation = self._generation
        self._ctx.runner.submit(
            load,
            lambda result: self._on_loaded(*result) if generation == self._generation else None,
            self._on_failed,
        )

    def _on_loaded(self, rows: list[ReferralRow], agencies: list[AgencyRow]) -> None:
        selected = self.selected()
        self._agencies = agencies
        self.model.set_rows(rows)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        if (selected is None or not self.select_referral(selected.id)) and rows:
            self.table.selectRow(0)
        waiting = sum(1 for r in rows if r.status is ReferralStatus.AWAITING_SCREENING)
        self.count_label.setText(
            f"{len(rows)} referral(s), {waiting} awaiting screening" if rows else "No referrals."
        )
        self._update_buttons()
        self.loaded.emit()

    def _on_failed(self, exc: Exception) -> None:
        self.count_label.setText("The referrals could not be loaded.")
        messages.show_error(self, "Referrals", exc)

    def _open_selected_case(self) -> None:
        row = self.selected()
        if row is not None:
            self.case_opened.emit(row.case_id)

    def _after_write(self, _row: object) -> None:
        self.reload()
        self._ctx.bus.cases_changed.emit(set())  # a screening moves the case's registration

    def screen_selected(self) -> ScreeningDialog | None:
        row = self.selected()
        if row is None or row.status is not ReferralStatus.AWAITING_SCREENING:
            return None
        dialog = ScreeningDialog(self._ctx, row, self)
        dialog.saved.connect(self._after_write)
        self.dialog = dialog
        dialog.open()
        return dialog

    def new_referral(self) -> NewReferralDialog:
        dialog = NewReferralDialog(self._ctx, self._agencies, parent=self)
        dialog.saved.connect(self._after_write)
        self.dialog = dialog
        dialog.open()
        return dialog
