"""Whole-table lists for the case list and the meetings list, built with a few set-based queries.

``list_cases`` feeds the GUI case list, which must appear within a second at 100,000 cases: it
never loads ORM objects, and the number of statements it runs does not depend on the number of
cases (cases with their current registration and lead agency; the latest risk assessment per case;
open-action counts; aliases; identifiers).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import ColumnElement, String, and_, func, select, text, type_coerce
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import QueryableAttribute, Session, aliased
from sqlalchemy.sql import ClauseElement

from mappa_desktop.db.models import (
    Action,
    Agency,
    Case,
    CaseAlias,
    CaseDiscussion,
    CaseIdentifier,
    Meeting,
    Person,
    Registration,
    RiskAssessment,
)
from mappa_desktop.domain.enums import (
    ActionStatus,
    CustodyStatus,
    IdentifierScheme,
    MeetingStatus,
    MeetingType,
    RoshLevel,
)
from mappa_desktop.domain.errors import ValidationError

OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.CARRIED_OVER)
# One column per identifier scheme, in display order (``list_cases`` unrolls these five).
IDENTIFIER_COLUMNS = (
    IdentifierScheme.VISOR,
    IdentifierScheme.PNC,
    IdentifierScheme.CRN,
    IdentifierScheme.NOMIS,
    IdentifierScheme.NHS,
)
assert set(IDENTIFIER_COLUMNS) == set(IdentifierScheme), "list_cases needs every scheme"


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One line of the case list.

    ``category``/``level``/``next_review_due`` come from the current registration; they are
    ``None`` for a case without one. ``registration_ended_on`` is set when the case has left
    MAPPA; such a case is never ``review_overdue``.
    """

    id: int
    family_name: str
    given_names: str
    display_name: str
    aliases: tuple[str, ...]
    identifiers: tuple[tuple[str, str], ...]
    date_of_birth: date | None
    category: int | None
    level: int | None
    lead_agency: str
    overall_rosh: RoshLevel | None
    next_review_due: date | None
    review_overdue: bool
    open_actions: int
    custody_status: CustodyStatus
    registration_ended_on: date | None
    version: int

    def identifier(self, scheme: IdentifierScheme | str) -> str:
        """The value of one identifier scheme, or "" when the case has none."""
        wanted = str(scheme)
        return next((value for s, value in self.identifiers if s == wanted), "")


@dataclass(frozen=True, slots=True)
class MeetingListRow:
    id: int
    meeting_date: date
    start_time: time | None
    level: int
    meeting_type: MeetingType
    status: MeetingStatus
    chair: str
    venue: str
    case_count: int
    version: int


def case_display_name(family_name: str, given_names: str) -> str:
    """ "Family, Given" exactly as typed (never re-cased: names are printed as recorded)."""
    return f"{family_name}, {given_names}" if given_names else family_name


@dataclass(frozen=True, slots=True)
class CaseTable:
    """What ``list_cases`` lists, as the driver returned it, before any ``CaseRow`` is built.

    For callers that pass the values straight on (``mappa-desktop cases --json`` writes 100,000
    of them) and make no object per case. ``rows`` holds one plain tuple per case: id,
    family_name, given_names, date_of_birth, custody_status, version, lead agency, category,
    level, next_review_due, registration ended_on, overall RoSH, open-action count (``None`` for
    none), then one identifier value (or ``None``) per scheme in ``IDENTIFIER_COLUMNS`` order.
    Dates are as the driver returns them (ISO text on SQLite, ``date`` on PostgreSQL: see
    ``_date_reader``); custody status and RoSH as their stored enum values. A case's review is
    overdue when ``overdue(next_review_due, ended_on)``.
    """

    rows: list[tuple[Any, ...]]
    aliases: dict[int, tuple[str, ...]]  # case id -> aliases, in the order recorded
    due_before: Any  # the as-of date, in the form the driver returns dates

    def overdue(self, review_due: Any, ended_on: Any) -> bool:
        # Compared as stored: ISO text orders as the dates do.
        return review_due is not None and ended_on is None and review_due < self.due_before


def list_cases(
    session: Session,
    *,
    today: date | None = None,
    limit: int | None = None,
    by_name: bool = False,
) -> list[CaseRow]:
    """Every case, in id order (sort with ``name_sort_key`` for an alphabetical list).

    ``today`` decides ``review_overdue`` (default: the current date). ``limit`` keeps the
    ``limit`` cases with the lowest ids, or with ``by_name`` the first ``limit`` by family and
    given names (the GUI shows those at once while the whole list loads).

    The rows are ``case_table``'s made into ``CaseRow``s: dates parsed, enum values mapped
    through dicts, with the garbage collector paused while they are built; together that keeps
    100,000 cases under a second (``benchmarks/bench_case_list.py``).
    """
    with _gc_paused():
        table = case_table(session, today=today, limit=limit, by_name=by_name)
        return _case_rows(table, _date_reader(session))


def case_table(
    session: Session,
    *,
    today: date | None = None,
    limit: int | None = None,
    by_name: bool = False,
) -> CaseTable:
    """The ``CaseTable`` behind ``list_cases`` (same arguments, same cases, same order).

    Two statements whatever the number of cases: one row per case carrying its current
    registration, lead agency, latest assessment (highest ``version_no``), open-action count and
    one column per identifier scheme (a case holds at most one identifier per scheme); then the
    aliases. The garbage collector is paused while the rows are fetched.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValidationError.single("limit", "The limit must be a whole number, 0 or more.")
    as_of = today or date.today()
    # The latest assessment of each case (highest version_no): a correlated subquery that
    # walks the (case_id, version_no) unique index backwards, one step per case.
    assessment = aliased(RiskAssessment, name="assessment")
    latest_rosh = (
        select(_raw(assessment.overall_rosh))
        .where(assessment.case_id == Case.id)
        .order_by(assessment.version_no.desc())
        .limit(1)
        .scalar_subquery()
    )
    open_actions = (
        select(Action.case_id, func.count().label("n"))
        .where(Action.status.in_(OPEN_ACTION_STATUSES))
        .group_by(Action.case_id)
        .subquery("open_actions")
    )
    idents = [aliased(CaseIdentifier, name=f"ident_{s.value}") for s in IDENTIFIER_COLUMNS]
    stmt = (
        select(
            Case.id,
            Case.family_name,
            Case.given_names,
            Case.date_of_birth,
            _raw(Case.custody_status),
            Case.version,
            Agency.short_name,
            Registration.category,
            Registration.level,
            Registration.next_review_due,
            Registration.ended_on,
            latest_rosh,
            open_actions.c.n,
            *(ident.value for ident in idents),
        )
        .join(Agency, Agency.id == Case.lead_agency_id)
        .outerjoin(
            Registration,
            and_(Registration.case_id == Case.id, Registration.is_current.is_(True)),
        )
        .outerjoin(open_actions, open_actions.c.case_id == Case.id)
    )
    for scheme, ident in zip(IDENTIFIER_COLUMNS, idents, strict=True):
        stmt = stmt.outerjoin(ident, and_(ident.case_id == Case.id, ident.scheme == scheme))
    stmt = (
        stmt.order_by(Case.family_name, Case.given_names, Case.id)
        if by_name
        else stmt.order_by(Case.id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    if session.connection().dialect.name == "postgresql":
        # PostgreSQL's JIT compiler spends longer compiling this whole-table query (over a
        # second at 100,000 cases) than running it; off until this transaction ends.
        session.execute(text("SET LOCAL jit = off"))
    due_before = as_of if _date_reader(session) is None else as_of.isoformat()
    with _gc_paused():  # 100,000 new tuples: no cycles to find among them
        rows = _fetch_plain(session, stmt)
        return CaseTable(rows, _aliases(session, rows, limit, by_name) if rows else {}, due_before)


def _aliases(
    session: Session, rows: list[tuple[Any, ...]], limit: int | None, by_name: bool
) -> dict[int, tuple[str, ...]]:
    alias_stmt = select(CaseAlias.case_id, CaseAlias.name).order_by(CaseAlias.id)
    if limit is not None:
        alias_stmt = alias_stmt.where(
            CaseAlias.case_id.in_(sorted(row[0] for row in rows))
            if by_name
            else CaseAlias.case_id <= rows[-1][0]
        )
    aliases: dict[int, tuple[str, ...]] = {}
    for case_id, name in _fetch_plain(session, alias_stmt):
        aliases[case_id] = (*aliases.get(case_id, ()), name)
    return aliases


def _case_rows(table: CaseTable, to_date: Callable[[str], date] | None) -> list[CaseRow]:
    rosh_level: dict[str | None, RoshLevel | None] = {r.value: r for r in RoshLevel}
    rosh_level[None] = None
    custody_status = {status.value: status for status in CustodyStatus}
    visor, pnc, crn, nomis, nhs = (scheme.value for scheme in IDENTIFIER_COLUMNS)
    aliases = table.aliases
    overdue = table.overdue
    out: list[CaseRow] = []
    append = out.append
    for (
        case_id,
        family,
        given,
        dob,
        custody,
        version,
        agency,
        category,
        level,
        review_due,
        ended_on,
        overall,
        actions,
        v_visor,
        v_pnc,
        v_crn,
        v_nomis,
        v_nhs,
    ) in table.rows:
        # Unrolled on purpose: this loop runs once per case and is most of the Python time.
        identifiers: list[tuple[str, str]] = []
        if v_visor is not None:
            identifiers.append((visor, v_visor))
        if v_pnc is not None:
            identifiers.append((pnc, v_pnc))
        if v_crn is not None:
            identifiers.append((crn, v_crn))
        if v_nomis is not None:
            identifiers.append((nomis, v_nomis))
        if v_nhs is not None:
            identifiers.append((nhs, v_nhs))
        is_overdue = overdue(review_due, ended_on)
        if to_date is not None:
            dob = to_date(dob) if dob is not None else None
            review_due = to_date(review_due) if review_due is not None else None
            ended_on = to_date(ended_on) if ended_on is not None else None
        append(
            CaseRow(
                case_id,
                family,
                given,
                f"{family}, {given}" if given else family,
                aliases.get(case_id, ()),
                tuple(identifiers),
                dob,
                category,
                level,
                agency,
                rosh_level[overall],
                review_due,
                is_overdue,
                actions or 0,
                custody_status[custody],
                ended_on,
                version,
            )
        )
    return out


def _fetch_plain(session: Session, stmt: ClauseElement) -> list[tuple[Any, ...]]:
    """Run a Core statement on the session's DBAPI connection and return plain tuples.

    Building SQLAlchemy ``Row`` objects costs about as much as the query itself at 100,000 rows,
    so the whole-table lists skip it. The statements hold only constants of our own (enum
    values, booleans), rendered inline; no user input ever reaches this function. Values come
    back as the driver gives them: enum columns as their strings, and on SQLite dates as ISO
    strings (see ``_date_reader``).
    """
    session.flush()  # as session.execute would: pending changes are part of what is read
    conn = session.connection()
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    dbapi_error = conn.dialect.loaded_dbapi.Error
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    except dbapi_error as exc:
        # The same exception SQLAlchemy would raise (OperationalError, ...), not the driver's.
        raise DBAPIError.instance(sql, None, exc, dbapi_error) from exc
    finally:
        cursor.close()


def _date_reader(session: Session) -> Callable[[str], date] | None:
    """How to turn a fetched DATE into a ``date``: SQLite stores ISO text; psycopg gives dates."""
    return date.fromisoformat if session.connection().dialect.name == "sqlite" else None


def _raw(column: QueryableAttribute[Any]) -> ColumnElement[str]:
    """An enum column read as its stored string (skips per-value enum conversion)."""
    return type_coerce(column, String)


def name_sort_key(row: CaseRow) -> tuple[str, str, int]:
    """Sort key for "by name": family name, then given names, ignoring case; then id."""
    return (row.family_name.casefold(), row.given_names.casefold(), row.id)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a long list of new objects.

    The rows hold no reference cycles; without the pause the collector runs over the growing
    heap again and again, which costs about a fifth of ``list_cases`` at 100,000 cases.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def list_meetings(session: Session) -> list[MeetingListRow]:
    """Every meeting, oldest first (date, start time, id), with its chair and number of cases."""
    counts = (
        select(CaseDiscussion.meeting_id, func.count().label("n"))
        .group_by(CaseDiscussion.meeting_id)
        .subquery()
    )
    stmt = (
        select(
            Meeting.id,
            Meeting.meeting_date,
            Meeting.start_time,
            Meeting.level,
            Meeting.meeting_type,
            Meeting.status,
            Person.given_names,
            Person.family_name,
            Meeting.venue,
            func.coalesce(counts.c.n, 0),
            Meeting.version,
        )
        .join(Person, Person.id == Meeting.chair_id)
        .outerjoin(counts, counts.c.meeting_id == Meeting.id)
    )
    rows = [
        MeetingListRow(
            id=meeting_id,
            meeting_date=meeting_date,
            start_time=start_time,
            level=level,
            meeting_type=meeting_type,
            status=status,
            chair=f"{given} {family}".strip(),
            venue=venue,
            case_count=int(case_count),
            version=version,
        )
        for (
            meeting_id,
            meeting_date,
            start_time,
            level,
            meeting_type,
            status,
            given,
            family,
            venue,
            case_count,
            version,
        ) in session.execute(stmt)
    ]
    # Sorted here, not in SQL: the engines put meetings without a start time at different ends.
    rows.sort(key=lambda m: (m.meeting_date, m.start_time or time.min, m.id))
    return rows
