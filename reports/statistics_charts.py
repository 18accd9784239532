"""Which charts the annual statistics draw, shared by the PDF and the app's Statistics page (no
drawing library here, so the app can read it without loading ReportLab)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mappa_desktop.services.statistics import StatRow, StatTable

_CATEGORIES = {"1": "Category 1", "2": "Category 2", "3": "Category 3", "4": "Category 4"}


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """A bar chart of value columns of one table: one series per column, one group per row."""

    table_key: str
    title: str
    columns: tuple[int, ...]
    short_labels: Mapping[str, str]  # row key -> the label under its bars


@dataclass(frozen=True, slots=True)
class ChartSeries:
    name: str
    values: tuple[float, ...]  # a suppressed count is 0 here: it is never drawn
    labels: tuple[str, ...]  # what to print on each bar ("*" when suppressed)


@dataclass(frozen=True, slots=True)
class ChartData:
    title: str
    groups: tuple[str, ...]
    series: tuple[ChartSeries, ...]

    @property
    def top(self) -> float:
        return max((v for s in self.series for v in s.values), default=0.0)


CHARTS = (
    ChartSpec(
        "eligible_by_category",
        "MAPPA-eligible offenders on 31 March, by category",
        (0,),
        _CATEGORIES,
    ),
    ChartSpec(
        "level_by_category",
        "Level 2 and Level 3 offenders during the year, by category",
        (0, 1),
        _CATEGORIES,
    ),
    ChartSpec(
        "returns_to_custody",
        "Returns to custody by level and reason",
        (0, 1),
        {
            "breach_of_licence": "Breach of licence",
            "breach_of_order": "Breach of an order",
            "new_offence": "New offence",
        },
    ),
)


def chart_data(spec: ChartSpec, table: StatTable) -> ChartData:
    """The numbers to draw: the table's rows except the total; suppressed cells as 0 with
    their "*" label, so a chart never shows what the table hides."""
    rows: list[StatRow] = [r for r in table.rows if not r.is_total]
    series = tuple(
        ChartSeries(
            name=table.columns[column],
            values=tuple(
                0.0 if r.cells[column].suppressed else float(r.cells[column].value) for r in rows
            ),
            labels=tuple(r.cells[column].text for r in rows),
        )
        for column in spec.columns
    )
    return ChartData(
        title=spec.title,
        groups=tuple(spec.short_labels.get(r.key, r.label) for r in rows),
        series=series,
    )


def nice_step(top: float) -> float:
    """A round axis step giving about five gridlines up to ``top``."""
    if top <= 5:
        return 1.0
    raw = top / 5
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)
