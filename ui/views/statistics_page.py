"""The Statistics page: the area annual report tables for a reporting year (DOMAIN.md §7a), the
same bar charts as the PDF (Qt Charts, in the system's light or dark scheme), and exports to
PDF, CSV and XLSX through the task runner with progress."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QPainter, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.coordination import ReportingYear
from mappa_desktop.services import csv_files, statistics
from mappa_desktop.services.statistics import SUPPRESSED_MARK, AnnualStatistics, StatRow, StatTable
from reports.statistics_charts import CHARTS, ChartSpec, chart_data, nice_step
from ui import messages
from ui.context import AppContext
from ui.forms import style
from ui.models.dto_table import Column, DtoTableModel
from ui.tasks import Progress
from ui.views.record.common import (
    MAIN_WINDOW_KEYS,
    assign_mnemonics,
    heading,
    make_table,
    mnemonic_widgets,
)
from ui.widgets.files import ask_save_file

YEARS_SHOWN = 10
EXPORTS = (".pdf", ".csv", ".xlsx")


def statistics_bytes(stats: AnnualStatistics, suffix: str) -> bytes:
    """The file of ``stats`` in the format ``suffix`` names (the CLI writes the same files)."""
    if suffix == ".csv":
        return statistics.statistics_csv_bytes(stats)
    if suffix == ".pdf":
        from reports.statistics_pdf import render_statistics_pdf

        return render_statistics_pdf(stats)
    if suffix == ".xlsx":
        from reports.statistics_xlsx import render_statistics_xlsx

        return render_statistics_xlsx(stats)
    raise ValueError(suffix)


def _value_column(title: str, n: int) -> Column[StatRow]:
    def text(r: StatRow) -> str:
        return r.cells[n].text

    def value(r: StatRow) -> float:
        return r.cells[n].value

    def tip(r: StatRow) -> str | None:
        return "Suppressed for publication" if r.cells[n].suppressed else None

    return Column(title, text, sort_key=value, tooltip=tip)


def table_columns(table: StatTable) -> list[Column[StatRow]]:
    """The row label, then one column per value column of ``table``."""
    label: Column[StatRow] = Column("", lambda r: r.label)
    return [label, *(_value_column(t, n) for n, t in enumerate(table.columns))]


def bar_chart(spec: ChartSpec, table: StatTable, palette: QPalette) -> QChart:
    """The same chart as the PDF's: suppressed counts are not drawn (their bar is empty)."""
    data = chart_data(spec, table)
    chart = QChart()
    theme = QChart.ChartTheme
    chart.setTheme(theme.ChartThemeDark if style.is_dark(palette) else theme.ChartThemeLight)
    chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
    chart.setTitleBrush(palette.color(QPalette.ColorRole.Text))
    chart.setTitle(data.title)
    chart.setMargins(QMargins(4, 4, 4, 4))
    series = QBarSeries()
    text = palette.color(QPalette.ColorRole.Text)
    for s in data.series:
        bar_set = QBarSet(s.name)
        bar_set.append(list(s.values))
        bar_set.setLabelColor(text)  # above the bar, on the chart's background: readable
        series.append(bar_set)
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    # A suppressed count is drawn as an empty bar: its "0" label would be untrue.
    hidden = any(label == SUPPRESSED_MARK for s in data.series for label in s.labels)
    series.setLabelsVisible(not hidden)
    chart.addSeries(series)
    groups = QBarCategoryAxis()
    groups.append(list(data.groups))
    values = QValueAxis()
    step = nice_step(data.top)
    values.setRange(0, (int(data.top / step) + 1) * step)
    values.setLabelFormat("%d")
    for axis in (groups, values):
        axis.setLabelsBrush(text)
    chart.addAxis(groups, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(groups)
    series.attachAxis(values)
    chart.legend().setVisible(len(data.series) > 1)
    chart.legend().setLabelBrush(text)
    return chart


class StatisticsPageView(QWidget):
    """Layout only: the year and suppression controls, export buttons, then the tables."""

    def __init__(self, today_year: ReportingYear, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.year_combo = QComboBox()
        self.year_combo.setAccessibleName("Reporting year")
        for n in range(1, YEARS_SHOWN + 1):  # the last complete year first
            year = ReportingYear(today_year.start_year - n)
            self.year_combo.addItem(
                f"{year.label} (1 April {year.start_year} to 31 March {year.start_year + 1})",
                year.start_year,
            )
        self.year_combo.insertItem(0, f"{today_year.label} (so far)", today_year.start_year)
        self.year_combo.setCurrentIndex(1)
        year_label = QLabel("Reporting &year:")
        year_label.setBuddy(self.year_combo)
        self.suppress_check = QCheckBox("Suppress small counts for publication")
        self.suppress_check.setAccessibleName("Suppress small counts for publication")
        self.export_buttons = {
            suffix: QPushButton(f"Export {suffix[1:].upper()}…") for suffix in EXPORTS
        }
        for suffix, button in self.export_buttons.items():
            button.setAccessibleName(f"Export the statistics as {suffix[1:].upper()}")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Export progress")
        self.progress.setVisible(False)
        self.progress.setMaximumWidth(160)
        self.status_label = QLabel("Loading the statistics…")
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Statistics status")
        bar = QHBoxLayout()
        bar.addWidget(year_label)
        bar.addWidget(self.year_combo)
        bar.addWidget(self.suppress_check)
        bar.addStretch(1)
        exports = QHBoxLayout()  # a row of its own: the page stays narrow enough for a laptop
        for button in self.export_buttons.values():
            exports.addWidget(button)
        exports.addWidget(self.progress)
        exports.addStretch(1)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        scroll = QScrollArea()
        scroll.setWidget(self.body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(exports)
        layout.addWidget(self.status_label)
        layout.addWidget(scroll, 1)
        assign_mnemonics(mnemonic_widgets(self), MAIN_WINDOW_KEYS)


class StatisticsPage(StatisticsPageView):
    """Controller: loads the year's statistics in the background and shows them."""

    loaded = Signal()
    exported = Signal(str)  # the path written

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ReportingYear.containing(ctx.today()), parent)
        self._ctx = ctx
        self._generation = 0
        self._stale = True  # computed when the page is first shown, not at start-up
        self.stats: AnnualStatistics | None = None
        self.models: dict[str, DtoTableModel[StatRow]] = {}
        self.charts: dict[str, QChartView] = {}
        self._dialog: QFileDialog | None = None
        self.year_combo.currentIndexChanged.connect(self.reload)
        self.suppress_check.toggled.connect(self.reload)
        for suffix, button in self.export_buttons.items():
            button.clicked.connect(lambda _c=False, s=suffix: self.ask_export(s))
        self._set_exports_enabled(False)

    @property
    def year(self) -> int:
        return int(self.year_combo.currentData())

    def focus_first(self) -> None:
        self.year_combo.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self, *_args: object) -> None:
        """Compute the statistics shown; while the page is hidden, only note that they are due
        (a year of statistics over a large register is work nobody asked for at start-up)."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        year, suppress = self.year, self.suppress_check.isChecked()

        def load(_p: Progress) -> AnnualStatistics:
            with self._ctx.read_sessions() as s:
                return statistics.annual_statistics(s, year, suppress=suppress)

        self._generation += 1
        generation = self._generation
        self.status_label.setText("Loading the statistics…")
        self._ctx.runner.submit(
            load,
            lambda stats: self._on_loaded(stats) if generation == self._generation else None,
            self._on_failed,
        )

    def _clear(self) -> None:
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.models.clear()
        self.charts.clear()

    def _on_loaded(self, stats: AnnualStatistics) -> None:
        self.stats = stats
        self._clear()
        specs = {spec.table_key: spec for spec in CHARTS}
        previous: QWidget = self.progress
        for table in stats.tables:
            title = heading(table.title)
            title.setWordWrap(True)
            self.body_layout.addWidget(title)
            if table.rows:
                view = make_table(table.title, stretch_last=False)
                view.setSortingEnabled(False)
                model: DtoTableModel[StatRow] = DtoTableModel(table_columns(table))
                model.set_rows(table.rows)
                view.setModel(model)
                view.horizontalHeader().setSectionResizeMode(
                    0, view.horizontalHeader().ResizeMode.Stretch
                )
                view.setFixedHeight(
                    view.verticalHeader().length() + view.horizontalHeader().height() + 6
                )
                title.setBuddy(view)
                self.models[table.key] = model
                self.body_layout.addWidget(view)
                QWidget.setTabOrder(previous, view)
                previous = view
            else:
                self.body_layout.addWidget(QLabel("Not computed: set the area's population."))
            definition = QLabel(table.definition)
            definition.setWordWrap(True)
            definition.setTextFormat(Qt.TextFormat.PlainText)
            definition.setAccessibleName(f"Definition of {table.title}")
            self.body_layout.addWidget(definition)
            spec = specs.get(table.key)
            if spec is not None and table.rows:
                chart_view = QChartView(bar_chart(spec, table, self.palette()))
                chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
                chart_view.setMinimumHeight(260)
                chart_view.setAccessibleName(spec.title)
                chart_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                self.charts[table.key] = chart_view
                self.body_layout.addWidget(chart_view)
        self.body_layout.addStretch(1)
        note = "small counts suppressed" if stats.suppression_applied else "small counts shown"
        self.status_label.setText(f"{stats.area_name}: reporting year {stats.year.label} ({note}).")
        self._set_exports_enabled(True)
        self.loaded.emit()

    def _on_failed(self, exc: Exception) -> None:
        self.status_label.setText("The statistics could not be loaded.")
        messages.show_error(self, "Statistics", exc)

    # ----- export --------------------------------------------------------------------------
    def _set_exports_enabled(self, enabled: bool) -> None:
        for button in self.export_buttons.values():
            button.setEnabled(enabled)

    def ask_export(self, suffix: str) -> None:
        if self.stats is None:
            return
        name = f"MAPPA statistics {self.stats.year.label.replace('/', '-')}{suffix}"
        self._dialog = ask_save_file(
            self, "Export the statistics", Path.home() / name, lambda path: self.export_to(path)
        )

    def export_to(self, path: Path, on_done: Callable[[bool], None] | None = None) -> None:
        """Write the statistics shown to ``path`` (its suffix picks the format) in a task."""
        stats = self.stats
        suffix = path.suffix.lower()
        if stats is None or suffix not in EXPORTS:
            messages.show_error(self, "Export", f"Choose a file ending in {', '.join(EXPORTS)}.")
            return

        def work(progress: Progress) -> Path:
            progress(0, 2)
            data = statistics_bytes(stats, suffix)
            progress(1, 2)
            csv_files.write_file(path, data)
            progress(2, 2)
            return path

        self._set_exports_enabled(False)
        self.progress.setRange(0, 2)
        self.progress.setValue(0)
        self.progress.setVisible(True)

        def finished(ok: bool) -> None:
            self._set_exports_enabled(True)
            self.progress.setVisible(False)
            if on_done is not None:
                on_done(ok)

        def succeeded(written: Path) -> None:
            self.status_label.setText(f"Exported to {written}.")
            self.exported.emit(str(written))
            finished(True)

        def failed(exc: Exception) -> None:
            messages.show_error(self, "Export", exc)
            finished(False)

        self._ctx.runner.submit(
            work, succeeded, failed, lambda done, total: self.progress.setValue(done)
        )
