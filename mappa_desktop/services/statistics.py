"""The area annual report statistics for a reporting year (1 April to 31 March, DOMAIN.md §7a).

Every count comes from SQL with GROUP BY (SQLAlchemy Core, four statements in all), the same
on SQLite and PostgreSQL. Whether a registration row was replaced is a NOT EXISTS probe for a
later row of the same case, made only for history rows: the current row is always the latest.
Definitions, printed under each table, say exactly what is counted:

- A registration row is *in force* on the days from its ``start_date`` up to, not including,
  the day a later row of the same case starts or the day it ended (``ended_on``). So a case
  registered on 31 March counts in that day's snapshot, and one that exited on 1 April still
  does; a level change on a day counts the new level from that day.
- Events count by their ``event_date`` within the year, both ends included; an event's level
  is that of the case's registration in force on the event date (or the last one before it,
  when the offender had left MAPPA by then).

Publication: counts above zero and below the suppression threshold (a setting; 0 = off) can be
shown as suppressed. The population (a setting) gives registered sexual offenders per 100,000.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from mappa_desktop.db.base import utcnow
from mappa_desktop.db.models import CaseEvent, Registration
from mappa_desktop.domain.coordination import (
    SUBTYPE_LABELS,
    BreachOutcome,
    CaseEventKind,
    CivilOrder,
    CustodyReason,
    ReportingYear,
    suppressed,
)
from mappa_desktop.domain.enums import Category
from mappa_desktop.services import csv_files, settings

SUPPRESSED_MARK = "*"
CATEGORIES = tuple(int(c) for c in Category)
CATEGORY_LABELS: Mapping[int, str] = {
    1: "Category 1: registered sexual offenders",
    2: "Category 2: violent offenders",
    3: "Category 3: other dangerous offenders",
    4: "Category 4: terrorist or terrorism-risk offenders",
}
EVENT_KINDS = (
    CaseEventKind.NOTIFICATION_BREACH,
    CaseEventKind.ORDER_IMPOSED,
    CaseEventKind.RETURN_TO_CUSTODY,
    CaseEventKind.SERIOUS_FURTHER_OFFENCE,
    CaseEventKind.SERIOUS_CASE_REVIEW,
)

# --- DTOs -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatCell:
    value: int | float
    suppressed: bool = False

    @property
    def text(self) -> str:
        """What to print: the count (thousands separated), "*" when suppressed."""
        if self.suppressed:
            return SUPPRESSED_MARK
        if isinstance(self.value, float):
            return f"{self.value:,.1f}"
        return f"{self.value:,}"


@dataclass(frozen=True, slots=True)
class StatRow:
    key: str  # stable key, e.g. "1" for Category 1, "breach_of_licence", "total"
    label: str
    cells: tuple[StatCell, ...]
    is_total: bool = False


@dataclass(frozen=True, slots=True)
class StatTable:
    key: str  # e.g. "eligible_by_category"; see TABLE_KEYS
    title: str
    columns: tuple[str, ...]  # headings of the value columns (the row label column is implied)
    rows: tuple[StatRow, ...]
    definition: str  # printed under the table

    def cell(self, row_key: str, column: int = 0) -> StatCell:
        """The cell of the row with ``row_key`` in value column ``column``."""
        for row in self.rows:
            if row.key == row_key:
                return row.cells[column]
        raise KeyError(f"table {self.key} has no row {row_key!r}")


@dataclass(frozen=True, slots=True)
class AnnualCounts:
    """The raw counts (no suppression), keyed by plain values; what ``--json`` prints."""

    year: ReportingYear
    eligible_by_category: Mapping[int, int]  # category 1-4 -> count on 31 March
    level_by_category: Mapping[int, Mapping[int, int]]  # level 2/3 -> category -> in-year count
    level_totals: Mapping[int, int]  # level 2/3 -> distinct cases in the year
    notification_breaches: Mapping[str, int]  # BreachOutcome value -> cautions / convictions
    orders_imposed: Mapping[str, int]  # CivilOrder value -> orders imposed
    returns_to_custody: Mapping[int, Mapping[str, int]]  # level 2/3 -> CustodyReason -> returns
    serious_further_offences: Mapping[int, int]  # level 1-3 -> offenders charged
    serious_case_reviews: Mapping[int, int]  # level 1-3 -> reviews commissioned


@dataclass(frozen=True, slots=True)
class AnnualStatistics:
    year: ReportingYear
    area_name: str
    counts: AnnualCounts
    population: int | None  # None: not set (the rate is then not computed)
    rso_per_100k: float | None
    suppression_threshold: int
    suppression_applied: bool
    tables: tuple[StatTable, ...]  # in report order
    generated_at: datetime

    def table(self, key: str) -> StatTable:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(f"no statistics table {key!r}")


TABLE_KEYS = (
    "eligible_by_category",
    "rso_rate",
    "level_by_category",
    "notification_breaches",
    "orders_imposed",
    "returns_to_custody",
    "serious_further_offences",
    "serious_case_reviews",
)

# --- SQL ------------------------------------------------------------------------------------------


_later = aliased(Registration, name="later")


def _superseded(*when: ColumnElement[bool]) -> ColumnElement[bool]:
    """A later registration row of the same case (by start date, then id) exists, meeting
    ``when``: the row being tested stopped being in force on that row's start date."""
    return exists().where(
        _later.case_id == Registration.case_id,
        or_(
            _later.start_date > Registration.start_date,
            and_(_later.start_date == Registration.start_date, _later.id > Registration.id),
        ),
        *when,
    )


def _latest_by(day: Any) -> ColumnElement[bool]:
    """The row is the case's latest one starting on or before ``day`` (a date or a column).

    The current row is always the case's latest (a change starts on or after the current
    row's start, and a re-registration after the exit), so only history rows are probed."""
    return and_(
        Registration.start_date <= day,
        or_(Registration.is_current, ~_superseded(_later.start_date <= day)),
    )


def _eligible(session: Session, year: ReportingYear) -> dict[int, int]:
    last = year.last_day
    stmt = (
        select(Registration.category, func.count())
        .where(
            _latest_by(last),
            or_(Registration.ended_on.is_(None), Registration.ended_on > last),
        )
        .group_by(Registration.category)
    )
    found = {int(c): int(n) for c, n in session.execute(stmt)}
    return {c: found.get(c, 0) for c in CATEGORIES}


def _levels(
    session: Session, year: ReportingYear
) -> tuple[dict[int, dict[int, int]], dict[int, int]]:
    first = year.first_day
    in_year = and_(
        Registration.level.in_((2, 3)),
        Registration.start_date <= year.last_day,
        # not ended before the year, nor on the day it started
        or_(
            Registration.ended_on.is_(None),
            and_(Registration.ended_on > first, Registration.ended_on > Registration.start_date),
        ),
        # not replaced before the year, nor on the day it started
        or_(
            Registration.is_current,
            ~_superseded(
                or_(_later.start_date <= first, _later.start_date == Registration.start_date)
            ),
        ),
    )
    cases = func.count(func.distinct(Registration.case_id))
    by_category = select(Registration.level, Registration.category, cases).where(in_year)
    totals = select(Registration.level, cases).where(in_year)
    table = {lvl: dict.fromkeys(CATEGORIES, 0) for lvl in (2, 3)}
    grouped = by_category.group_by(Registration.level, Registration.category)
    for level, category, n in session.execute(grouped):
        table[int(level)][int(category)] = int(n)
    level_totals = {2: 0, 3: 0}
    for level, n in session.execute(totals.group_by(Registration.level)):
        level_totals[int(level)] = int(n)
    return table, level_totals


def _events(
    session: Session, year: ReportingYear
) -> list[tuple[CaseEventKind, str | None, int | None, int]]:
    """(kind, subtype, level on the event date, count) for the year's counted events; the level
    is that of the case's latest registration row starting on or before the event date (None
    when the event is older than every registration)."""
    events = (
        select(CaseEvent.kind, CaseEvent.subtype, Registration.level)
        .outerjoin(
            Registration,
            and_(Registration.case_id == CaseEvent.case_id, _latest_by(CaseEvent.event_date)),
        )
        .where(
            CaseEvent.kind.in_(EVENT_KINDS),
            CaseEvent.event_date >= year.first_day,
            CaseEvent.event_date <= year.last_day,
        )
        .subquery("year_event")
    )
    stmt = select(events.c.kind, events.c.subtype, events.c.level, func.count()).group_by(
        events.c.kind, events.c.subtype, events.c.level
    )
    return [
        (CaseEventKind(kind), subtype, None if level is None else int(level), int(n))
        for kind, subtype, level, n in session.execute(stmt)
    ]


def annual_counts(session: Session, year: ReportingYear | int) -> AnnualCounts:
    """Compute every count of the year in SQL (four GROUP BY statements)."""
    year = year if isinstance(year, ReportingYear) else ReportingYear(year)
    levels, level_totals = _levels(session, year)
    breaches = dict.fromkeys((b.value for b in BreachOutcome), 0)
    orders = dict.fromkeys((o.value for o in CivilOrder), 0)
    returns = {lvl: dict.fromkeys((r.value for r in CustodyReason), 0) for lvl in (2, 3)}
    sfos = dict.fromkeys((1, 2, 3), 0)
    reviews = dict.fromkeys((1, 2, 3), 0)
    for kind, subtype, level, n in _events(session, year):
        if kind is CaseEventKind.NOTIFICATION_BREACH and subtype in breaches:
            breaches[subtype] += n
        elif kind is CaseEventKind.ORDER_IMPOSED and subtype in orders:
            orders[subtype] += n
        elif kind is CaseEventKind.RETURN_TO_CUSTODY and level in returns and subtype:
            returns[level][subtype] += n
        elif kind is CaseEventKind.SERIOUS_FURTHER_OFFENCE and level in sfos:
            sfos[level] += n
        elif kind is CaseEventKind.SERIOUS_CASE_REVIEW and level in reviews:
            reviews[level] += n
    return AnnualCounts(
        year=year,
        eligible_by_category=_eligible(session, year),
        level_by_category=levels,
        level_totals=level_totals,
        notification_breaches=breaches,
        orders_imposed=orders,
        returns_to_custody=returns,
        serious_further_offences=sfos,
        serious_case_reviews=reviews,
    )


# --- tables and definitions -----------------------------------------------------------------------


def long_date(day: date) -> str:
    """ "31 March 2026" (no leading zero, on every platform)."""
    return f"{day.day} {day:%B %Y}"


def _definitions(year: ReportingYear) -> dict[str, str]:
    first, last = long_date(year.first_day), long_date(year.last_day)
    span = f"from {first} to {last} inclusive"
    return {
        "eligible_by_category": (
            f"Offenders with a MAPPA registration in force on {last}, by the category of that "
            "registration (a snapshot on that day). A registration is in force from its start "
            "date until the day it ended or was replaced by a change of category or level; an "
            f"offender registered on {last} is counted, one who left MAPPA on or before it is "
            "not. Custody status is not taken into account."
        ),
        "rso_rate": (
            f"Category 1 offenders (registered sexual offenders) on {last}, per 100,000 of the "
            "area's population as set in the team settings. Not computed when no population "
            "is set."
        ),
        "level_by_category": (
            f"Offenders managed at Level 2 or Level 3 at any time {span}, by the category "
            "recorded with that level. An offender whose level changed during the year counts "
            "once at each level held; one whose category changed at the same level counts once "
            "in each category, and once in the level's total."
        ),
        "notification_breaches": (
            "Cautions and convictions for breach of the notification requirements (Part 2, "
            f"Sexual Offences Act 2003) recorded as case events dated {span}; each caution or "
            "conviction counts once."
        ),
        "orders_imposed": (
            f"Civil orders imposed, recorded as case events dated {span}: Sexual Harm "
            "Prevention Orders (with and without a foreign travel restriction), Sexual Risk "
            "Orders and notification orders. Each order counts once."
        ),
        "returns_to_custody": (
            f"Returns to custody recorded as case events dated {span}, by the reason and by "
            "the offender's level on the date of the return. Level 1 returns are not shown."
        ),
        "serious_further_offences": (
            f"Offenders charged with a serious further offence, recorded as case events dated "
            f"{span}, by level on the date of the charge (or the last level held, when the "
            "offender had left MAPPA by then)."
        ),
        "serious_case_reviews": (
            f"MAPPA serious case reviews commissioned by the Strategic Management Board, "
            f"recorded as case events dated {span}, by the offender's level on that date."
        ),
    }


def _suppression_note(threshold: int) -> str:
    return (
        f" Counts from 1 to {threshold - 1} are suppressed for publication and shown as "
        f"{SUPPRESSED_MARK}; a total that includes a suppressed count is suppressed too."
    )


class _Builder:
    """Makes cells, applying the suppression rule when asked."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold

    def cell(self, value: int) -> StatCell:
        return StatCell(value, suppressed(value, self.threshold))

    def total(self, parts: Sequence[StatCell]) -> StatCell:
        value = int(sum(p.value for p in parts))
        hide = suppressed(value, self.threshold) or any(p.suppressed for p in parts)
        return StatCell(value, hide)

    def rows_with_total(
        self, items: Sequence[tuple[str, str, Sequence[int]]], total_label: str = "Total"
    ) -> tuple[StatRow, ...]:
        rows = [
            StatRow(k, label, tuple(self.cell(v) for v in values)) for k, label, values in items
        ]
        width = len(rows[0].cells)
        totals = tuple(self.total([r.cells[n] for r in rows]) for n in range(width))
        return (*rows, StatRow("total", total_label, totals, is_total=True))


def _tables(counts: AnnualCounts, rate: float | None, threshold: int) -> tuple[StatTable, ...]:
    b = _Builder(threshold)
    defs = _definitions(counts.year)
    note = _suppression_note(threshold) if threshold > 1 else ""
    last = long_date(counts.year.last_day)
    eligible = StatTable(
        "eligible_by_category",
        f"MAPPA-eligible offenders on {last}",
        ("Number",),
        b.rows_with_total(
            [(str(c), CATEGORY_LABELS[c], [counts.eligible_by_category[c]]) for c in CATEGORIES]
        ),
        defs["eligible_by_category"] + note,
    )
    rate_cell = StatCell(rate if rate is not None else 0.0, False)
    rate_table = StatTable(
        "rso_rate",
        "Registered sexual offenders per 100,000 population",
        ("Per 100,000",),
        (StatRow("1", "Registered sexual offenders", (rate_cell,)),) if rate is not None else (),
        defs["rso_rate"],
    )
    level_rows = [
        (
            str(c),
            CATEGORY_LABELS[c],
            [counts.level_by_category[2][c], counts.level_by_category[3][c]],
        )
        for c in CATEGORIES
    ]
    by_level = [StatRow(k, label, tuple(b.cell(v) for v in vals)) for k, label, vals in level_rows]
    level_totals = tuple(
        b.total([r.cells[n] for r in by_level])
        if any(r.cells[n].suppressed for r in by_level)
        else b.cell(counts.level_totals[lvl])
        for n, lvl in enumerate((2, 3))
    )
    level_table = StatTable(
        "level_by_category",
        "Level 2 and Level 3 offenders during the year, by category",
        ("Level 2", "Level 3"),
        (*by_level, StatRow("total", "Total (offenders)", level_totals, is_total=True)),
        defs["level_by_category"] + note,
    )
    breaches = StatTable(
        "notification_breaches",
        "Registered sexual offenders cautioned or convicted for breach of notification "
        "requirements",
        ("Number",),
        b.rows_with_total(
            [
                (o.value, SUBTYPE_LABELS[o].capitalize(), [counts.notification_breaches[o.value]])
                for o in BreachOutcome
            ]
        ),
        defs["notification_breaches"] + note,
    )
    orders = StatTable(
        "orders_imposed",
        "Restrictive orders imposed",
        ("Number",),
        b.rows_with_total(
            [(o.value, SUBTYPE_LABELS[o], [counts.orders_imposed[o.value]]) for o in CivilOrder]
        ),
        defs["orders_imposed"] + note,
    )
    returns_rows = [
        (
            r.value,
            f"Breach of {SUBTYPE_LABELS[r].removeprefix('breach of ')}"
            if r is not CustodyReason.NEW_OFFENCE
            else "New offence",
            [counts.returns_to_custody[2][r.value], counts.returns_to_custody[3][r.value]],
        )
        for r in CustodyReason
    ]
    returns = StatTable(
        "returns_to_custody",
        "Level 2 and Level 3 offenders returned to custody",
        ("Level 2", "Level 3"),
        b.rows_with_total(returns_rows),
        defs["returns_to_custody"] + note,
    )
    levels = (1, 2, 3)
    sfo_cells = [b.cell(counts.serious_further_offences[lvl]) for lvl in levels]
    sfo = StatTable(
        "serious_further_offences",
        "Serious further offences charged",
        ("Level 1", "Level 2", "Level 3", "Total"),
        (StatRow("charged", "Offenders charged", (*sfo_cells, b.total(sfo_cells))),),
        defs["serious_further_offences"] + note,
    )
    scr_cells = [b.cell(counts.serious_case_reviews[lvl]) for lvl in levels]
    scr = StatTable(
        "serious_case_reviews",
        "MAPPA serious case reviews",
        ("Level 1", "Level 2", "Level 3", "Total"),
        (StatRow("commissioned", "Reviews commissioned", (*scr_cells, b.total(scr_cells))),),
        defs["serious_case_reviews"] + note,
    )
    return (eligible, rate_table, level_table, breaches, orders, returns, sfo, scr)


def annual_statistics(
    session: Session, year: ReportingYear | int, *, suppress: bool = False
) -> AnnualStatistics:
    """The report's tables with their definitions; with ``suppress``, counts below the
    threshold setting are marked suppressed (the raw ``counts`` stay available)."""
    counts = annual_counts(session, year)
    config = settings.coordination_settings(session)
    rate = (
        round(counts.eligible_by_category[1] * 100_000 / config.population, 1)
        if config.population
        else None
    )
    threshold = config.suppression_threshold if suppress else 0
    return AnnualStatistics(
        year=counts.year,
        area_name=settings.policy(session).area_name,
        counts=counts,
        population=config.population,
        rso_per_100k=rate,
        suppression_threshold=config.suppression_threshold,
        suppression_applied=suppress and threshold > 1,
        tables=_tables(counts, rate, threshold),
        generated_at=utcnow(),
    )


def _keyed(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(k): _keyed(v) if isinstance(v, Mapping) else v for k, v in mapping.items()}


def counts_json(counts: AnnualCounts) -> dict[str, object]:
    """A JSON-ready object: ``eligible_by_category`` maps "1".."4" to counts, and
    ``level_by_category`` maps "2" and "3" to such maps, and so on for every table."""
    return {
        "year": counts.year.start_year,
        "label": counts.year.label,
        "first_day": counts.year.first_day.isoformat(),
        "last_day": counts.year.last_day.isoformat(),
        "eligible_by_category": _keyed(counts.eligible_by_category),
        "level_by_category": _keyed(counts.level_by_category),
        "level_totals": _keyed(counts.level_totals),
        "notification_breaches": _keyed(counts.notification_breaches),
        "orders_imposed": _keyed(counts.orders_imposed),
        "returns_to_custody": _keyed(counts.returns_to_custody),
        "serious_further_offences": _keyed(counts.serious_further_offences),
        "serious_case_reviews": _keyed(counts.serious_case_reviews),
    }


def _csv_lines(stats: AnnualStatistics) -> Iterator[list[object]]:
    yield [f"MAPPA annual statistics {stats.year.label}: {stats.area_name}"]
    yield [
        f"Reporting year {stats.year.first_day.isoformat()} to {stats.year.last_day.isoformat()}"
    ]
    for table in stats.tables:
        yield []
        yield [table.title]
        yield ["", *table.columns]
        if not table.rows:
            yield ["(not computed)"]
        for row in table.rows:
            yield [row.label, *(c.text for c in row.cells)]
        yield [f"Definition: {table.definition}"]


def statistics_csv_bytes(stats: AnnualStatistics) -> bytes:
    """Every table as CSV (UTF-8 with BOM): a title line, the header, the rows and the
    definition, table after table, a blank line between."""
    return csv_files.csv_bytes(_csv_lines(stats))


def export_csv(
    session: Session, year: ReportingYear | int, path: Path, *, suppress: bool = False
) -> AnnualStatistics:
    """Write the statistics of ``year`` to ``path`` as CSV (all or nothing)."""
    stats = annual_statistics(session, year, suppress=suppress)
    csv_files.write_file(path, statistics_csv_bytes(stats))
    return stats
