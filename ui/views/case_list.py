"""The case list: filter-as-you-type, quick filters, sortable columns; Enter opens a case."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.services.listing import CaseRow, list_cases
from ui import messages, ui_state
from ui.context import AppContext
from ui.models.case_table import CaseFilter, CaseTableModel
from ui.tasks import Progress
from ui.widgets.tables import focus_rows, row_table

HEADER_KEY = "case_list"
FIRST_SCREEN = 60  # cases shown at once while the whole register loads
PANEL_LEVELS = "2+3"  # the level filter's "Levels 2 and 3" choice
RESULT_KEYS = (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)  # find box -> results


class CaseListView(QWidget):
    """Layout only: the widgets, their labels and accessible names."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Name, alias or identifier (PNC, CRN, ViSOR, NOMIS)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter cases")
        filter_label = QLabel("F&ind:")  # Alt+F is the File menu
        filter_label.setBuddy(self.filter_edit)

        self.level_combo = QComboBox()
        self.level_combo.setAccessibleName("Level filter")
        self.level_combo.addItem("All levels", None)
        self.level_combo.addItem("Level 2 or 3", PANEL_LEVELS)
        for level in (1, 2, 3):
            self.level_combo.addItem(f"Level {level}", level)
        level_label = QLabel("&Level:")
        level_label.setBuddy(self.level_combo)

        self.category_combo = QComboBox()
        self.category_combo.setAccessibleName("Category filter")
        self.category_combo.addItem("All categories", None)
        for category in (1, 2, 3, 4):
            self.category_combo.addItem(f"Category {category}", category)
        category_label = QLabel("Ca&tegory:")
        category_label.setBuddy(self.category_combo)

        self.agency_combo = QComboBox()
        self.agency_combo.setAccessibleName("Lead agency filter")
        self.agency_combo.addItem("All lead agencies", None)
        agency_label = QLabel("Lead a&gency:")
        agency_label.setBuddy(self.agency_combo)

        self.overdue_check = QCheckBox("Review &overdue")
        self.overdue_check.setAccessibleName("Only cases whose review is overdue")

        self.count_label = QLabel("Loading cases…")
        self.count_label.setAccessibleName("Number of cases shown")

        self.table = row_table("Cases")
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionsMovable(True)

        bar = QHBoxLayout()
        bar.addWidget(filter_label)
        bar.addWidget(self.filter_edit, 3)
        for label, widget in (
            (level_label, self.level_combo),
            (category_label, self.category_combo),
            (agency_label, self.agency_combo),
        ):
            bar.addWidget(label)
            bar.addWidget(widget)
        bar.addWidget(self.overdue_check)

        layout = QVBoxLayout(self)
        self._layout = layout
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        self.setTabOrder(self.filter_edit, self.level_combo)
        self.setTabOrder(self.level_combo, self.category_combo)
        self.setTabOrder(self.category_combo, self.agency_combo)
        self.setTabOrder(self.agency_combo, self.overdue_check)
        self.setTabOrder(self.overdue_check, self.table)


class CaseList(CaseListView):
    """Controller: loads cases in the background, filters and sorts, opens a case."""

    case_opened = Signal(int)
    loaded = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.model = CaseTableModel()
        self.table.setModel(self.model)
        self._configure_columns()
        self._loading = False
        self._reload_pending = False
        self._connect_signals()

    def _configure_columns(self) -> None:
        header = self.table.horizontalHeader()
        widths = (260, 260, 50, 55, 120, 90, 170, 100)
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
        if ui_state.restore_header(header, HEADER_KEY):
            self.table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
        else:
            self.table.sortByColumn(CaseTableModel.NAME, Qt.SortOrder.AscendingOrder)

    def _connect_signals(self) -> None:
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.level_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.category_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.agency_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.overdue_check.toggled.connect(self._on_filter_changed)
        self.table.doubleClicked.connect(self._on_table_activated)
        self.table.installEventFilter(self)
        self.filter_edit.installEventFilter(self)
        self.model.modelReset.connect(self._update_count)

    # ----- loading -------------------------------------------------------------------------
    def reload(self) -> None:
        """Load every case in the background; on a first load show the first screenful by name
        at once (a quick query), so a large register appears without waiting for all of it."""
        if self._loading:
            self._reload_pending = True  # a change arrived mid-load: load again after this one
            return
        self._loading = True
        self._reload_pending = False
        self.count_label.setText("Loading cases…")
        today = self._ctx.today()

        def head(_progress: Progress) -> list[CaseRow]:
            with self._ctx.read_sessions() as session:
                return list_cases(session, today=today, limit=FIRST_SCREEN, by_name=True)

        def load(_progress: Progress) -> list[CaseRow]:
            with self._ctx.read_sessions() as session:
                return list_cases(session, today=today)

        if self.model.total == 0:
            self._ctx.runner.submit(head, self._on_head_loaded, lambda _exc: None)
        self._ctx.runner.submit(load, self._on_loaded, self._on_load_failed)

    def _on_head_loaded(self, rows: list[CaseRow]) -> None:
        if not self._loading or self.model.total:  # the whole list is already here
            return
        self.model.set_rows(rows)
        if len(rows) == FIRST_SCREEN:
            self.count_label.setText(f"Showing the first {len(rows)} cases; loading the rest…")

    def _on_loaded(self, rows: list[CaseRow]) -> None:
        self._loading = False
        selected = self.selected_case_id()
        self.model.set_rows(rows)
        self._refresh_agencies()
        if selected is not None:
            self.select_case(selected)
        self.loaded.emit(len(rows))
        if self._reload_pending:
            self.reload()

    def _on_load_failed(self, exc: Exception) -> None:
        self._loading = False
        self._reload_pending = False
        self.count_label.setText("The cases could not be loaded.")
        messages.show_error(self, "Cases", exc)

    def _refresh_agencies(self) -> None:
        current = self.agency_combo.currentData()
        self.agency_combo.blockSignals(True)
        self.agency_combo.clear()
        self.agency_combo.addItem("All lead agencies", None)
        for name in self.model.agencies():
            self.agency_combo.addItem(name, name)
        position = self.agency_combo.findData(current)
        self.agency_combo.setCurrentIndex(max(position, 0))
        self.agency_combo.blockSignals(False)

    # ----- filtering -----------------------------------------------------------------------
    def _on_filter_changed(self, *_args: object) -> None:
        self.model.set_filter(
            CaseFilter(
                text=self.filter_edit.text(),
                level=level if isinstance(level := self.level_combo.currentData(), int) else None,
                panel_only=self.level_combo.currentData() == PANEL_LEVELS,
                category=self.category_combo.currentData(),
                lead_agency=self.agency_combo.currentData(),
                overdue_only=self.overdue_check.isChecked(),
            )
        )
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        if self._loading:
            return
        if total == 0:
            self.count_label.setText("No cases yet.")
        elif shown == total:
            self.count_label.setText(f"{total:,} cases")
        else:
            self.count_label.setText(f"{shown:,} of {total:,} cases match")

    # ----- opening -------------------------------------------------------------------------
    def focus_first(self) -> None:
        """Ctrl+1 (and Ctrl+F): the focus in the find box, its text selected to type over."""
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._on_table_activated(self.table.currentIndex())
                return True
            if watched is self.filter_edit and key in RESULT_KEYS:
                focus_rows(self.table)  # from the find box to what it found
                return True
        return super().eventFilter(watched, event)

    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.case_opened.emit(self.model.row_at(index.row()).id)

    def selected_case_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row_at(index.row()).id

    def select_case(self, case_id: int) -> bool:
        position = self.model.position_of(case_id)
        if position is None:
            return False
        self.table.selectRow(position)
        self.table.scrollTo(self.model.index(position, 0))
        return True

    def show_banner(self, banner: QWidget) -> None:
        """Show a panel (e.g. the welcome panel) above the list."""
        if banner.parent() is not self:
            self._layout.insertWidget(0, banner)
        banner.setVisible(True)

    def save_state(self) -> None:
        ui_state.save_header(self.table.horizontalHeader(), HEADER_KEY)
