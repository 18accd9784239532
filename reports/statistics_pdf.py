"""The annual statistics PDF: an ``AnnualStatistics`` in, PDF bytes out (DOMAIN.md §7a).

Every table of the area annual report in report order, its definition printed under it, and bar
charts (ReportLab graphics) beside the tables they draw: eligible offenders by category, Level
2 and 3 offenders by category, and returns to custody by level and reason. A suppressed count
prints as "*" in the tables and is not drawn in the charts (its bar is left out and labelled
"*"), so a chart never reveals what a table hides.
"""

from __future__ import annotations

from functools import cache

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from mappa_desktop.services.statistics import (
    SUPPRESSED_MARK,
    AnnualStatistics,
    StatTable,
    long_date,
)
from reports import fonts
from reports.layout import CONTENT_WIDTH, LABEL_FILL, header_row, render_report, styles, table
from reports.statistics_charts import CHARTS, ChartSpec, chart_data, nice_step
from reports.text import Para, para_text, user_paragraph

# Series colours that stay apart in greyscale print too.
SERIES_COLOURS = (colors.HexColor("#2b5c8a"), colors.HexColor("#d08c2b"))
NOT_COMPUTED = "Not computed: the area's population is not set in the team settings."
SUPPRESSED_NOT_DRAWN = f"Bars of suppressed counts ({SUPPRESSED_MARK}) are not drawn."


def bar_chart(spec: ChartSpec, stat_table: StatTable) -> Drawing:
    """The chart of ``spec`` from the table's rows (suppressed cells are not drawn)."""
    data = chart_data(spec, stat_table)
    several = len(data.series) > 1
    width, height = CONTENT_WIDTH, 62 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = int(14 * mm), int(12 * mm)
    chart.width = int(width - (50 * mm if several else 20 * mm))
    chart.height = int(height - 24 * mm)
    chart.data = [list(s.values) for s in data.series]
    chart.barLabelFormat = "values"
    chart.barLabelArray = [list(s.labels) for s in data.series]
    chart.barLabels.fontName = fonts.REGULAR
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    chart.categoryAxis.categoryNames = list(data.groups)
    chart.categoryAxis.labels.fontName = fonts.REGULAR
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.labels.fontName = fonts.REGULAR
    chart.valueAxis.labels.fontSize = 7
    step = nice_step(data.top)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = step
    chart.valueAxis.valueMax = (int(data.top / step) + 1) * step
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#d0d0d0")
    chart.barSpacing = 1
    chart.groupSpacing = 8
    for n in range(len(data.series)):
        chart.bars[n].fillColor = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        chart.bars[n].strokeColor = None
    drawing.add(chart)
    drawing.add(String(0, height - 5 * mm, data.title, fontName=fonts.BOLD, fontSize=9))
    if several:
        legend = Legend()
        legend.x, legend.y = int(width - 30 * mm), int(height - 16 * mm)
        legend.fontName = fonts.REGULAR
        legend.fontSize = 8
        legend.colorNamePairs = [
            (SERIES_COLOURS[n % len(SERIES_COLOURS)], s.name) for n, s in enumerate(data.series)
        ]
        drawing.add(legend)
    return drawing


@cache
def _number_style(bold: bool) -> ParagraphStyle:
    s = styles()
    parent = s.cell_bold if bold else s.cell
    return ParagraphStyle(f"{parent.name}-number", parent=parent, alignment=TA_RIGHT)


def _stat_table(stat_table: StatTable) -> Flowable:
    s = styles()
    label_width = 95 * mm
    value_width = (CONTENT_WIDTH - label_width) / max(len(stat_table.columns), 1)
    value_width = min(value_width, 28 * mm)
    rows: list[list[object]] = [header_row(["", *stat_table.columns])]
    bold_rows = []
    for n, row in enumerate(stat_table.rows, start=1):
        style = s.cell_bold if row.is_total else s.cell
        rows.append(
            [
                user_paragraph(row.label, style),
                *(Para(para_text(c.text), _number_style(row.is_total)) for c in row.cells),
            ]
        )
        if row.is_total:
            bold_rows.append(("BACKGROUND", (0, n), (-1, n), LABEL_FILL))
    return table(
        rows,
        [label_width, *([value_width] * len(stat_table.columns))],
        extra=[("ALIGN", (1, 0), (-1, -1), "RIGHT"), *bold_rows],
    )


def _section(stat_table: StatTable) -> list[Flowable]:
    s = styles()
    parts: list[Flowable] = [Para(para_text(stat_table.title), s.h2)]
    if stat_table.rows:
        parts.append(_stat_table(stat_table))
    else:
        parts.append(Para(NOT_COMPUTED, s.body))
    parts.append(Para(f"<b>Definition.</b> {para_text(stat_table.definition)}", s.note))
    return [KeepTogether(parts)]


def build_story(stats: AnnualStatistics) -> list[Flowable]:
    s = styles()
    year = stats.year
    story: list[Flowable] = [
        Para(f"MAPPA annual statistics {year.label}", s.title),
        Para(
            f"{para_text(stats.area_name)} - reporting year {long_date(year.first_day)} to "
            f"{long_date(year.last_day)}",
            s.subtitle,
        ),
        Spacer(1, 3 * mm),
    ]
    facts = [
        f"Printed {stats.generated_at:%Y-%m-%d %H:%M} UTC.",
        (
            f"Area population: {stats.population:,}."
            if stats.population
            else "Area population: not set."
        ),
    ]
    if stats.suppression_applied:
        facts.append(
            f"Counts from 1 to {stats.suppression_threshold - 1} are suppressed for publication "
            f"and shown as {SUPPRESSED_MARK}. {SUPPRESSED_NOT_DRAWN}"
        )
    else:
        facts.append("Small counts are not suppressed: check before publishing.")
    story.append(Para(" ".join(facts), s.body))
    charts = {spec.table_key: spec for spec in CHARTS}
    for stat_table in stats.tables:
        story += _section(stat_table)
        spec = charts.get(stat_table.key)
        if spec is not None and stat_table.rows:
            story.append(KeepTogether([bar_chart(spec, stat_table), Spacer(1, 4 * mm)]))
    return story


def render_statistics_pdf(stats: AnnualStatistics) -> bytes:
    """The statistics of ``stats`` as a marked A4 PDF."""
    suppression = (
        "small counts suppressed" if stats.suppression_applied else "small counts not suppressed"
    )
    return render_report(
        build_story(stats),
        title=f"MAPPA annual statistics {stats.year.label}",
        subject=f"MAPPA annual statistics {stats.year.label} for {stats.area_name}",
        header=f"MAPPA annual statistics {stats.year.label} - {stats.area_name}",
        footer=f"Reporting year {stats.year.first_day.isoformat()} to "
        f"{stats.year.last_day.isoformat()} - {suppression}",
    )
