"""Fill an empty database with a realistic, deterministic demo: practitioners and users, cases with
registrations, identifiers, aliases, risk assessments, risk-management plans and actions, then past
and upcoming meetings.

The bulk part writes with SQLAlchemy Core ``insert()`` executemany, in chunks, inside the single
transaction that also runs the meetings part (``demo.meetings``, through the real services), so a
failure leaves the database as it was. Every row obeys the rules the services enforce (no Category 3
at Level 1, a rationale on every registration, unique identifiers, an overall RoSH equal to the
highest rating, a reason on every action not done, ...). The same ``seed`` gives the same data;
``today`` anchors every date (default: the current date).
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import random
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import Column, Date, Engine, Table, func, insert, select, text
from sqlalchemy.orm import Session

from mappa_desktop.db.base import Base, UTCDateTime
from mappa_desktop.db.engine import make_session_factory
from mappa_desktop.db.models import Agency, AppSetting, Case, User
from mappa_desktop.demo.names import (
    ADDRESS_AREAS,
    CHAIR_TITLES,
    CULTURES,
    DEFAULT_ROLE_TITLES,
    NICKNAMES,
    ROLE_TITLES,
    Culture,
)
from mappa_desktop.demo.offences import (
    HOSPITAL,
    HOSPITAL_RESTRICTED,
    OFFENCES,
    RiskProfile,
    profile_for,
    summary_for,
)
from mappa_desktop.domain.enums import (
    GROUPS_BY_SETTING,
    ActionStatus,
    AliasKind,
    AssessmentTool,
    Category,
    CustodyStatus,
    IdentifierScheme,
    Level,
    NotDoneReason,
    RiskSetting,
    RmpChange,
    RmpPillar,
    Role,
    RoshLevel,
)
from mappa_desktop.domain.errors import StateError, ValidationError
from mappa_desktop.domain.rules import registration_problem
from mappa_desktop.services import settings
from mappa_desktop.services.actor import Actor, require_role
from mappa_desktop.services.statistics import long_date

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

T = TypeVar("T")

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as each stage advances."""

MAX_CASES = 1_000_000
CHUNK = 5_000
# However few cases are asked for, this many are at Level 2/3 so the meetings have an agenda.
RESERVED_MULTI_AGENCY = 36

ROSH_ORDER = (RoshLevel.LOW, RoshLevel.MEDIUM, RoshLevel.HIGH, RoshLevel.VERY_HIGH)
# The audit trail's JSON, exactly as services.audit.record writes it (one encoder, reused).
_AUDIT_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)

DEMO_AREA_NAME = "Demonstration Area (synthetic data)"
RESIDENTS_PER_DEMO_CASE = 470  # about 56% of demo cases are category 1
# Level 2/3 assessments: this share reviewed, between these many days ago (before the demo's
# first meeting, about 24 weeks ago, and within the self-audit's default year at its last).
REVIEWED_SHARE = 0.88
REVIEWED_DAYS_AGO = (175, 330)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    seed: int
    today: date
    cases: int
    registrations: int
    identifiers: int
    aliases: int
    assessments: int
    ratings: int
    rmp_items: int
    rmp_revisions: int
    actions: int
    people: int
    users: int
    audit_events: int
    meetings: int
    meetings_signed_off: int


@dataclass(slots=True)
class Staff:
    """The practitioners the demo created, by role, for the meetings part."""

    person_ids_by_agency: dict[int, list[int]] = field(default_factory=dict)
    # Of them, those with no chair's, minute-taker's or co-ordinator's role: offender managers
    # and action owners.
    practitioners_by_agency: dict[int, list[int]] = field(default_factory=dict)
    chairs: list[str] = field(default_factory=list)  # logins
    senior_chairs: list[str] = field(default_factory=list)  # of them, the senior grade
    minute_takers: list[str] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Counts:
    cases: int = 0
    registrations: int = 0
    identifiers: int = 0
    aliases: int = 0
    assessments: int = 0
    ratings: int = 0
    rmp_items: int = 0
    rmp_revisions: int = 0
    actions: int = 0
    people: int = 0
    users: int = 0
    audit_events: int = 0


def _iso_or_none(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


# --- text helpers -------------------------------------------------------------------------------

_ASCII_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "þ": "th",
        "Þ": "Th",
        "æ": "ae",
        "Æ": "AE",
        "ı": "i",
        "ð": "d",
    }
)


def ascii_fold(name: str) -> str:
    """Lower-case ASCII letters and digits of a name ("" for a name in a non-Latin script)."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_ASCII_FOLD))
    return "".join(ch for ch in decomposed.lower() if ch.isascii() and ch.isalnum())


class DemoRandom(random.Random):
    """``random.Random`` with plain, fast ``randint`` and ``choice`` (the bulk part draws
    millions of numbers). Deterministic for a seed, like its base class."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        return seq[int(self.random() * len(seq))]


class Weighted(Generic[T]):
    """Values with relative weights, drawn with one random number and a bisection."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values = [value for value, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random) -> T:
        roll = rng.random() * self.cumulative[-1]
        return self.values[bisect.bisect_right(self.cumulative, roll)]


CATEGORIES = Weighted([(1, 70.0), (2, 28.0), (3, 1.5), (4, 0.5)])
CATEGORY_4_LEVELS = Weighted([(1, 40.0), (2, 45.0), (3, 15.0)])
LEVELS = Weighted([(1, 97.0), (2, 2.5), (3, 0.5)])
CUSTODY = Weighted(
    [(CustodyStatus.COMMUNITY, 83.0), (CustodyStatus.CUSTODY, 15.0), (CustodyStatus.HOSPITAL, 2.0)]
)
SEXUAL_OFFENCE_TOOLS = Weighted(
    [(AssessmentTool.OASYS, 60.0), (AssessmentTool.RM2000, 25.0), (AssessmentTool.ARMS, 15.0)]
)
ACTION_STATUSES = Weighted(
    [
        (ActionStatus.OPEN, 55.0),
        (ActionStatus.DONE, 25.0),
        (ActionStatus.CARRIED_OVER, 14.0),
        (ActionStatus.CANCELLED, 6.0),
    ]
)
ROSH_BY_LEVEL = {
    1: Weighted(
        [
            (RoshLevel.LOW, 35.0),
            (RoshLevel.MEDIUM, 50.0),
            (RoshLevel.HIGH, 14.0),
            (RoshLevel.VERY_HIGH, 1.0),
        ]
    ),
    2: Weighted([(RoshLevel.MEDIUM, 15.0), (RoshLevel.HIGH, 70.0), (RoshLevel.VERY_HIGH, 15.0)]),
    3: Weighted([(RoshLevel.HIGH, 35.0), (RoshLevel.VERY_HIGH, 65.0)]),
}
CULTURE_MIX = Weighted([(c, float(c.weight)) for c in CULTURES])


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


_TERM = re.compile(r"(\d+) (years|months)")


def _custodial_days(sentence: str) -> int:
    """Days served in custody before release: about half a determinate term, all of a life
    sentence's minimum term or an extended sentence's custodial term (0: no term stated)."""
    found = _TERM.search(sentence)
    term = 0 if found is None else int(found[1]) * (365 if found[2] == "years" else 30)
    return term // 2 if sentence.startswith("Determinate") else term


def _sentenced_on(
    rng: random.Random, sentence: str, custody: CustodyStatus, referral: date
) -> date:
    """A sentencing date that fits the sentence: someone released on licence served the
    custodial part before the referral; someone in custody was referred soon after sentence; a
    community or suspended sentence was passed shortly before."""
    if custody is CustodyStatus.COMMUNITY and "licence" in sentence:
        return referral - timedelta(days=_custodial_days(sentence) + rng.randint(0, 60))
    return referral - timedelta(days=rng.randint(14, 90))


# --- identifiers --------------------------------------------------------------------------------

PNC_CHECK = "ZABCDEFGHJKLMNPQRTUVWXY"


def _permute(index: int, space: int, multiplier: int, offset: int) -> int:
    """A bijection on ``range(space)`` (multiplier coprime with space): unique, scattered values."""
    return (index * multiplier + offset) % space


def pnc_id(index: int, year: int) -> str:
    """A PNC ID such as 2019/0123456X; the check letter follows the PNC's mod-23 rule."""
    serial = _permute(index, 10_000_000, 7_919_773, 1_234_567)
    check = PNC_CHECK[(int(f"{year % 100:02d}{serial:07d}")) % 23]
    return f"{year}/{serial:07d}{check}"


def crn(index: int) -> str:
    """An nDelius CRN such as X123456."""
    value = _permute(index, 26 * 1_000_000, 9_999_991, 4_321_987)
    return f"{chr(65 + value // 1_000_000)}{value % 1_000_000:06d}"


def nomis_number(index: int) -> str:
    """A NOMIS prison number such as A1234BC."""
    value = _permute(index, 4 * 10_000 * 26 * 26, 1_000_003, 77_777)
    first, rest = divmod(value, 10_000 * 26 * 26)
    digits, letters = divmod(rest, 26 * 26)
    return f"{'AGHK'[first]}{digits:04d}{chr(65 + letters // 26)}{chr(65 + letters % 26)}"


def visor_ref(index: int, year: int) -> str:
    """A ViSOR nominal reference such as 19/123456."""
    value = _permute(index, 10_000_000, 3_000_017, 999_331)
    return f"{year % 100:02d}/{value:07d}"


# --- domain text --------------------------------------------------------------------------------

# Offences, sentences and risk narratives: demo/offences.py.
RMP_TEXTS: Mapping[RmpPillar, tuple[str, ...]] = {
    RmpPillar.SUPERVISION: (
        "Weekly appointments with the probation practitioner, including one home visit a month.",
        "Fortnightly police home visits by the Management of Sexual or Violent Offenders team.",
        "Approved Premises residence with a 21:00-07:00 curfew.",
    ),
    RmpPillar.MONITORING_CONTROL: (
        "GPS electronic monitoring with an exclusion zone around the victim's address.",
        "Licence condition: no contact with the victim, directly or indirectly.",
        "SHPO: devices must allow police inspection; no deleting of internet history.",
        "Polygraph testing every six months.",
    ),
    RmpPillar.INTERVENTIONS_TREATMENT: (
        "Complete the Kaizen programme (accredited, high-intensity).",
        "Referral to substance misuse service for alcohol treatment.",
        "Psychology review by the forensic mental health team.",
    ),
    RmpPillar.VICTIM_SAFETY: (
        "Victim liaison officer to update the victim before release.",
        "Police marker on the victim's address; panic alarm fitted.",
        "Children's Services to complete a safety plan with the mother.",
    ),
    RmpPillar.CONTINGENCY: (
        "Any contact with the victim: immediate recall request by probation.",
        "Failure to return to Approved Premises: police to treat as high-risk missing person.",
    ),
    RmpPillar.LICENCE_CONDITION: (
        "Not to enter the exclusion zone shown on the attached map.",
        "Reside at Approved Premises and comply with its rules.",
    ),
}
# (action, its purpose): MAPPA C asks why each action is set.
ACTIONS: tuple[tuple[str, str], ...] = (
    (
        "Complete a home visit and report on who is living at the address.",
        "To check that no child or vulnerable adult is living at or visiting the address.",
    ),
    (
        "Share the updated risk assessment with Children's Services.",
        "So that Children's Services can plan for the children's safety.",
    ),
    (
        "Refer to the Approved Premises panel for a bed before release.",
        "To give a monitored address with a curfew from the day of release.",
    ),
    (
        "Check the device for compliance with the SHPO & report back.",
        "To detect any return to viewing images or contacting children online.",
    ),
    (
        "Confirm with Housing whether the tenancy offer is still available.",
        "So that the release address is settled and away from the victim.",
    ),
    (
        "Write to the victim liaison officer about the release date.",
        "So that the victim can be told of the release and ask for conditions.",
    ),
    (
        "Apply for a licence variation to add an exclusion zone.",
        "To keep the offender away from the victim's home and workplace.",
    ),
    (
        "Arrange a joint visit by police and probation.",
        "To check compliance at the address and share one view of the risk.",
    ),
    (
        "Obtain the psychiatric report from the forensic team.",
        "So that the plan takes account of the offender's mental health.",
    ),
    (
        "Review the disclosure decision with the chair.",
        "To decide whether anyone needs to be told of the risk to protect them.",
    ),
)
CARRY_OVER_NOTES = (
    "Visit not completed: officer on leave; rescheduled.",
    "Report not received from the hospital yet.",
    "Awaiting a reply from Housing.",
)
CANCEL_NOTES = (
    "No longer needed: recalled to custody.",
    "No longer possible: the victim moved out of the area.",
)


def _rosh_for(rng: random.Random, level: int) -> RoshLevel:
    return ROSH_BY_LEVEL[level].pick(rng)


_GRID_CELLS = {
    custody: [
        (setting.value, group.value)
        for setting in (RiskSetting.COMMUNITY, *((RiskSetting.CUSTODY,) if custody else ()))
        for group in GROUPS_BY_SETTING[setting]
    ]
    for custody in (False, True)
}
_ROSH_VALUES = [level.value for level in ROSH_ORDER]


def _grid(rng: random.Random, overall: RoshLevel, custody: bool) -> list[tuple[str, str, str]]:
    """Ratings per (setting, group), each at most ``overall`` and at least one equal to it."""
    top = ROSH_ORDER.index(overall)
    cells = [
        (setting, group, _ROSH_VALUES[rng.randint(0, top)])
        for setting, group in _GRID_CELLS[custody]
    ]
    peak = rng.randint(0, len(cells) - 1)
    cells[peak] = (cells[peak][0], cells[peak][1], _ROSH_VALUES[top])
    return cells


# --- the generator ------------------------------------------------------------------------------


class _Generator:
    def __init__(
        self,
        session: Session,
        *,
        cases: int,
        seed: int,
        today: date,
        actor: Actor | None,
        progress: Progress | None,
    ) -> None:
        self.s = session
        self.rng = DemoRandom(seed)
        self.total = cases
        self.today = today
        self.actor = actor
        self.progress = progress
        self.now = datetime.now(UTC)
        self.counts = Counts()
        self.staff = Staff()
        self.names_used: set[tuple[str, str]] = set()
        agencies = {a.short_name: a for a in session.scalars(select(Agency))}
        missing = [n for n in ("Police", "Probation", "Prison", "MAPPA Unit") if n not in agencies]
        if missing:
            raise StateError(
                "The demo needs the seeded agencies; this database has no "
                + ", ".join(missing)
                + "."
            )
        self.agency_ids = {short: a.id for short, a in agencies.items() if a.active}
        self.police = self.agency_ids["Police"]
        self.probation = self.agency_ids["Probation"]
        self.prison = self.agency_ids["Prison"]
        self.unit = self.agency_ids["MAPPA Unit"]
        self.hospital_lead = self.agency_ids.get("Mental Health", self.probation)
        self.yot = self.agency_ids.get("YOT", self.probation)
        self.intervals = settings.policy(session).review_interval_days
        self.creator_id: int | None = actor.user_id if actor else None

    # ids continue after whatever the tables already hold (users created by the CLI, say)
    def _next_id(self, table: str) -> int:
        return int(self.s.scalar(select(func.coalesce(func.max(_table(table).c.id), 0))) or 0) + 1

    def _insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Core ``insert()`` executemany. On SQLite the compiled statement goes straight to the
        driver's ``executemany`` with the dates already rendered as SQLAlchemy stores them
        (ISO text): SQLAlchemy's per-row parameter processing would otherwise be a third of the
        time at 100,000 cases. PostgreSQL takes the ordinary Core path."""
        if not rows:
            return
        stmt = insert(_table(table))
        conn = self.s.connection()
        if conn.dialect.name != "sqlite":
            conn.execute(stmt, rows)
            return
        columns = list(rows[0])
        compiled = stmt.compile(dialect=conn.dialect, column_keys=columns)
        order = compiled.positiontup or []
        converters = [
            (n, conv)
            for n, name in enumerate(order)
            if (conv := self._sqlite_converter(_table(table).c[name])) is not None
        ]
        plain: list[list[Any]] = []
        for row in rows:
            values = [row[name] for name in order]
            for n, conv in converters:
                values[n] = conv(values[n])
            plain.append(values)
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(str(compiled), plain)
        finally:
            cursor.close()

    def _sqlite_converter(self, column: Column[Any]) -> Callable[[Any], Any] | None:
        """How a value of this column is stored on SQLite, when the driver would not do it."""
        if isinstance(column.type, UTCDateTime):
            process = column.type.bind_processor(self.s.connection().dialect)
            rendered: dict[datetime, Any] = {}

            def stamp(value: datetime | None) -> Any:
                if value is None:
                    return None
                if value not in rendered:
                    rendered[value] = process(value) if process else value
                return rendered[value]

            return stamp
        if isinstance(column.type, Date):
            return _iso_or_none
        return None

    def _audit(
        self, entity: str, entity_id: int, changes: Mapping[str, Any], **links: Any
    ) -> dict[str, Any]:
        return {
            "occurred_at": self.now,
            "user_id": self.creator_id,
            "entity": entity,
            "entity_id": entity_id,
            "action": "create",
            "changes": _AUDIT_JSON.encode({k: [None, v] for k, v in changes.items()}),
            "case_id": links.get("case_id"),
            "meeting_id": None,
        }

    def _name(self, culture: Culture, male: bool) -> tuple[str, str]:
        """Given and family names from one tradition. A full name already drawn is drawn
        again (up to three times), so exact repeats stay rare."""
        rng = self.rng
        pool = culture.male if male else culture.female
        for _ in range(3):
            given = rng.choice(pool)
            if culture.second_given and rng.random() < 0.3:
                second = rng.choice(pool)
                if second != given:
                    given = f"{given} {second}"
            family = culture.family_for(rng.randint(0, len(culture.family) - 1), male)
            if (given, family) not in self.names_used:
                break
        self.names_used.add((given, family))
        return given, family

    # --- people -------------------------------------------------------------------------------

    def people(self) -> None:
        """About 150 practitioners across the agencies; chairs, minute-takers, co-ordinators
        and readers get logins."""
        rng = self.rng
        plan: list[tuple[int, int]] = [
            (self.police, 30),
            (self.probation, 34),
            (self.prison, 14),
            (self.unit, 10),
        ]
        others = sorted(
            aid
            for short, aid in self.agency_ids.items()
            if short not in ("Police", "Probation", "Prison", "MAPPA Unit")
        )
        plan += [(aid, 4) for aid in others]
        short_of = {aid: short for short, aid in self.agency_ids.items()}
        taken = set(self.s.scalars(select(User.login)))
        person_id = self._next_id("person")
        user_id = self._next_id("app_user")
        persons: list[dict[str, Any]] = []
        users: list[dict[str, Any]] = []
        roles: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        quota = {"chair": 8, "minute_taker": 5, "coordinator": 3, "reader": 10}
        for agency_id, count in plan:
            short = short_of[agency_id]
            titles = ROLE_TITLES.get(short, DEFAULT_ROLE_TITLES)
            for n in range(count):
                culture = CULTURE_MIX.pick(rng)
                given, family = self._name(culture, rng.random() < 0.5)
                role = self._role_for(short, n, quota)
                title = titles[n % len(titles)]
                if role is Role.CHAIR:  # the first two of each agency's chairs are senior
                    title = CHAIR_TITLES[short][0 if n < 2 else 1]
                local = ".".join(p for p in (ascii_fold(given)[:1], ascii_fold(family)) if p)
                domain = ascii_fold(short) or "agency"
                values = {
                    "family_name": family,
                    "given_names": given,
                    "agency_id": agency_id,
                    "role_title": title,
                    "email": f"{local}@{domain}.example.gov.uk" if "." in local else "",
                    "phone": f"01632 960{(person_id * 7) % 1000:03d}",
                }
                persons.append({"id": person_id, "active": True, "version": 1, **values})
                audits.append(self._audit("person", person_id, values))
                self.staff.person_ids_by_agency.setdefault(agency_id, []).append(person_id)
                if role in (None, Role.READER):
                    self.staff.practitioners_by_agency.setdefault(agency_id, []).append(person_id)
                if role is not None:
                    login = self._login(local or role, taken)
                    users.append(
                        {
                            "id": user_id,
                            "login": login,
                            "person_id": person_id,
                            "active": True,
                            "created_at": self.now,
                            "version": 1,
                        }
                    )
                    granted = [role] + ([Role.ADMINISTRATOR] if role is Role.COORDINATOR else [])
                    roles += [{"user_id": user_id, "role": r.value} for r in granted]
                    audits.append(
                        self._audit(
                            "user",
                            user_id,
                            {
                                "login": login,
                                "person_id": person_id,
                                "roles": sorted(r.value for r in granted),
                            },
                        )
                    )
                    if role is Role.CHAIR:
                        self.staff.chairs.append(login)
                        if title == CHAIR_TITLES[short][0]:
                            self.staff.senior_chairs.append(login)
                    elif role is Role.MINUTE_TAKER:
                        self.staff.minute_takers.append(login)
                    elif role is Role.COORDINATOR:
                        self.staff.coordinators.append(login)
                    user_id += 1
                person_id += 1
        self._insert("person", persons)
        self._insert("app_user", users)
        self._insert("user_role", roles)
        if self.creator_id is None:
            self.creator_id = next(
                u["id"] for u in users if u["login"] == self.staff.coordinators[0]
            )
        for row in audits:
            row["user_id"] = self.creator_id
        self._insert("audit_event", audits)
        self.counts.people = len(persons)
        self.counts.users = len(users)
        self.counts.audit_events += len(audits)

    @staticmethod
    def _role_for(short: str, n: int, quota: dict[str, int]) -> Role | None:
        wanted: Role | None = None
        if short in ("Police", "Probation") and n < 4:
            wanted = Role.CHAIR
        elif short == "MAPPA Unit":
            wanted = Role.COORDINATOR if n < 3 else Role.MINUTE_TAKER
        elif n == 0:
            wanted = Role.READER
        if wanted is None or quota[wanted.value] <= 0:
            return None
        quota[wanted.value] -= 1
        return wanted

    @staticmethod
    def _login(base: str, taken: set[str]) -> str:
        stem = base[:55] if base[:1].isalpha() else f"u{base}"[:55]
        login, n = stem, 2
        while login in taken:
            login, n = f"{stem}{n}", n + 1
        taken.add(login)
        return login

    # --- cases --------------------------------------------------------------------------------

    def cases(self) -> None:
        ids = {
            t: self._next_id(t)
            for t in ("mappa_case", "registration", "risk_assessment", "rmp_item")
        }
        reserved = min(self.total, RESERVED_MULTI_AGENCY)
        done = 0
        while done < self.total:
            batch = _Batch()
            for index in range(done, min(done + CHUNK, self.total)):
                self._case(index, index < reserved, ids, batch)
            for table in (
                "mappa_case",
                "registration",
                "case_identifier",
                "case_alias",
                "risk_assessment",
                "rosh_rating",
                "rmp_item",
                "rmp_revision",
                "action",
                "audit_event",
            ):
                self._insert(table, batch.rows[table])
            done = min(done + CHUNK, self.total)
            if self.progress is not None:
                self.progress("cases", done, self.total)
            c = self.counts
            c.cases += len(batch.rows["mappa_case"])
            c.registrations += len(batch.rows["registration"])
            c.identifiers += len(batch.rows["case_identifier"])
            c.aliases += len(batch.rows["case_alias"])
            c.assessments += len(batch.rows["risk_assessment"])
            c.ratings += len(batch.rows["rosh_rating"])
            c.rmp_items += len(batch.rows["rmp_item"])
            c.rmp_revisions += len(batch.rows["rmp_revision"])
            c.actions += len(batch.rows["action"])
            c.audit_events += len(batch.rows["audit_event"])

    def _category_level(self, multi_agency: bool) -> tuple[int, int]:
        rng = self.rng
        category = CATEGORIES.pick(rng)
        if category == 3:
            level = 2 if rng.random() < 0.85 else 3
        elif category == 4:
            level = CATEGORY_4_LEVELS.pick(rng)
        elif multi_agency:
            level = 2 if rng.random() < 0.75 else 3
        else:
            level = LEVELS.pick(rng)
        if multi_agency and level == 1:
            level = 2
        assert registration_problem(Category(category), Level(level)) is None
        return category, level

    def _case(self, index: int, multi_agency: bool, ids: dict[str, int], batch: _Batch) -> None:
        rng = self.rng
        today = self.today
        culture = CULTURE_MIX.pick(rng)
        male = rng.random() < 0.96
        given, family = self._name(culture, male)
        if rng.random() < 0.02:
            given = ""  # known by one name only
        age = int(min(85, max(18, rng.gauss(41, 13))))
        dob = _years_before(today, age) - timedelta(days=rng.randint(1, 364))
        category, level = self._category_level(multi_agency)
        custody = CUSTODY.pick(rng)
        if custody is CustodyStatus.CUSTODY:
            lead = self.prison if rng.random() < 0.6 else self.probation
        elif custody is CustodyStatus.HOSPITAL:
            lead = self.hospital_lead
        elif category == 1:
            lead = self.police if rng.random() < 0.55 else self.probation
        elif age < 21 and rng.random() < 0.5:
            lead = self.yot
        else:
            lead = self.probation if rng.random() < 0.85 else self.police
        staff_of_lead = self.staff.practitioners_by_agency.get(lead, [])
        manager = rng.choice(staff_of_lead) if staff_of_lead and rng.random() < 0.75 else None

        nfa = custody is CustodyStatus.COMMUNITY and rng.random() < 0.03
        offence = rng.choice(OFFENCES[category])
        if custody is CustodyStatus.HOSPITAL:
            sentence = HOSPITAL_RESTRICTED if offence.serious else HOSPITAL
        else:
            sentences = offence.custody if custody is CustodyStatus.CUSTODY else offence.community
            sentence = rng.choice(sentences).text(rng)
        profile = profile_for(offence.profile, male)

        # Registration: started between ten years and a week ago, never before age 18, and for
        # someone serving a sentence in custody, since it was passed.
        earliest = max(_years_before(today, 10), _years_before(dob, -18))
        if custody is CustodyStatus.CUSTODY:
            earliest = max(earliest, today - timedelta(days=_custodial_days(sentence)))
        span = max(7, (today - earliest).days)
        start = today - timedelta(days=rng.randint(7, span))
        start = max(start, earliest)
        referral = start - timedelta(days=rng.randint(0, 30))
        referral = max(referral, dob)
        interval = self.intervals[Level(level)]
        periods = max(1, math.ceil(((today - start).days + 1) / interval))
        due = start + timedelta(days=interval * periods)
        if rng.random() < 0.05 and (today - start).days > 61:
            due = today - timedelta(days=rng.randint(1, 60))  # review overdue
        case_id = ids["mappa_case"]
        ids["mappa_case"] += 1

        values: dict[str, Any] = {
            "family_name": family,
            "given_names": given,
            "date_of_birth": dob,
            "gender": "Male" if male else "Female",
            "ethnicity": rng.choice(culture.ethnicity),
            "address_area": "" if nfa else rng.choice(ADDRESS_AREAS),
            "no_fixed_abode": nfa,
            "custody_status": custody.value,
            "lead_agency_id": lead,
            "offender_manager_id": manager,
            "index_offence": offence.text,
            "sentence": sentence,
            **self._conviction(
                level, offence.text, male, profile, sentence, custody, referral, dob
            ),
            "reason_for_referral": rng.choice(profile.referral) if level > 1 else "",
            "victim_notes": (
                rng.choice(profile.victim_notes) if level > 1 and rng.random() < 0.5 else ""
            ),
            "referral_date": referral,
        }
        aliases = self._aliases(culture, male, family)
        identifiers = self._identifiers(index, category, level, custody, dob)
        batch.rows["mappa_case"].append(
            {
                "id": case_id,
                "created_at": self.now,
                "created_by_id": self.creator_id,
                "version": 1,
                **values,
            }
        )
        batch.rows["case_alias"] += [
            {"case_id": case_id, "name": name, "kind": kind.value} for name, kind in aliases
        ]
        batch.rows["case_identifier"] += [
            {"case_id": case_id, "scheme": scheme.value, "value": value}
            for scheme, value in identifiers.items()
        ]
        audit_values = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}
        audit_values["aliases"] = [[n, k.value] for n, k in aliases]
        audit_values["identifiers"] = {s.value: v for s, v in sorted(identifiers.items())}
        batch.rows["audit_event"].append(
            self._audit("case", case_id, audit_values, case_id=case_id)
        )

        # Registration history: some Level 2/3 cases started at Level 1 and were raised later.
        registrations: list[tuple[int, int, date, date | None, str, bool]] = []
        if level > 1 and category in (1, 2) and rng.random() < 0.4 and (today - start).days > 60:
            raised = start + timedelta(days=rng.randint(30, (today - start).days - 7))
            registrations.append(
                (
                    category,
                    1,
                    start,
                    start + timedelta(days=self.intervals[Level.LEVEL_1]),
                    f"Initial registration: Category {category}, managed at Level 1 by the lead "
                    "agency.",
                    False,
                )
            )
            periods = max(1, math.ceil(((today - raised).days + 1) / interval))
            due = raised + timedelta(days=interval * periods)
            registrations.append(
                (
                    category,
                    level,
                    raised,
                    due,
                    f"Raised to Level {level}: RoSH now high to a known adult; multi-agency "
                    "management adds value.",
                    True,
                )
            )
        else:
            rationale = (
                f"Initial registration: Category {category}, managed at Level 1 by the lead agency."
                if level == 1
                else f"Referred for Level {level} management: "
                + (
                    "senior oversight and resources at short notice needed."
                    if level == 3
                    else "active multi-agency management adds value."
                )
            )
            registrations.append((category, level, start, due, rationale, True))
        for cat, lvl, begun, review, rationale, current in registrations:
            reg_id = ids["registration"]
            ids["registration"] += 1
            batch.rows["registration"].append(
                {
                    "id": reg_id,
                    "case_id": case_id,
                    "category": cat,
                    "level": lvl,
                    "start_date": begun,
                    "next_review_due": review,
                    "ended_on": None,
                    "end_reason": "",
                    "rationale": rationale,
                    "is_current": current,
                    "meeting_id": None,
                    "recorded_by_id": self.creator_id,
                    "recorded_at": self.now,
                    "version": 1,
                }
            )
            batch.rows["audit_event"].append(
                self._audit(
                    "registration",
                    reg_id,
                    {
                        "category": cat,
                        "level": lvl,
                        "start_date": begun.isoformat(),
                        "next_review_due": review.isoformat() if review else None,
                        "rationale": rationale,
                    },
                    case_id=case_id,
                )
            )

        self._assessments(case_id, level, category, custody, start, manager, profile, ids, batch)
        if level > 1:
            self._plan(case_id, custody, start, ids, batch)
        if level > 1 or rng.random() < 0.02:
            self._actions(case_id, level, start, batch)

    def _conviction(
        self,
        level: int,
        offence: str,
        male: bool,
        profile: RiskProfile,
        sentence: str,
        custody: CustodyStatus,
        referral: date,
        dob: date,
    ) -> dict[str, str]:
        """MAPPA B/C sections 3 and 4 for a Level 2/3 case (the ones minuted): the offence
        summary, previous relevant offences and the sentence's dates. Level 1 cases keep only
        the licence expiry, as before."""
        rng = self.rng
        expiry = (
            f"Licence expiry {long_date(self.today + timedelta(days=rng.randint(60, 2000)))}"
            if custody is CustodyStatus.COMMUNITY and "licence" in sentence
            else ""
        )
        if level == 1:
            return {"offence_details": "", "previous_offences": "", "relevant_dates": expiry}
        sentenced = max(_years_before(dob, -18), _sentenced_on(rng, sentence, custody, referral))
        dates = [f"Sentenced on {long_date(sentenced)}", *([expiry] if expiry else [])]
        return {
            "offence_details": summary_for(offence, male),
            "previous_offences": rng.choice(profile.previous_offences),
            "relevant_dates": "\n".join(dates),
        }

    def _aliases(self, culture: Culture, male: bool, family: str) -> list[tuple[str, AliasKind]]:
        rng = self.rng
        out: list[tuple[str, AliasKind]] = []
        if rng.random() < 0.12:
            out.append((rng.choice(NICKNAMES), AliasKind.NICKNAME))
        if rng.random() < 0.08:
            other_given, other_family = self._name(culture, male)
            out.append((f"{other_given} {other_family}", AliasKind.ALIAS))
        if not male and rng.random() < 0.3:
            maiden = culture.family_for(rng.randint(0, len(culture.family) - 1), male)
            if maiden != family:
                out.append((maiden, AliasKind.PREVIOUS_NAME))
        # The same name twice (e.g. a nickname also drawn as an alias) is refused by the
        # services; keep the first.
        unique: list[tuple[str, AliasKind]] = []
        for pair in out:
            if pair not in unique:
                unique.append(pair)
        return unique

    def _identifiers(
        self, index: int, category: int, level: int, custody: CustodyStatus, dob: date
    ) -> dict[IdentifierScheme, str]:
        rng = self.rng
        first_arrest = min(self.today.year, dob.year + 18 + rng.randint(0, 15))
        out: dict[IdentifierScheme, str] = {}
        if rng.random() < 0.97:
            out[IdentifierScheme.PNC] = pnc_id(index, max(1990, first_arrest))
        if rng.random() < 0.88:
            out[IdentifierScheme.CRN] = crn(index)
        if category == 1 or level > 1 or rng.random() < 0.3:
            out[IdentifierScheme.VISOR] = visor_ref(index, max(2005, first_arrest))
        if custody is CustodyStatus.CUSTODY or rng.random() < 0.4:
            out[IdentifierScheme.NOMIS] = nomis_number(index)
        return out

    def _assessments(
        self,
        case_id: int,
        level: int,
        category: int,
        custody: CustodyStatus,
        start: date,
        assessor: int | None,
        profile: RiskProfile,
        ids: dict[str, int],
        batch: _Batch,
    ) -> None:
        rng = self.rng
        # A Level 2/3 case's assessment is mostly reviewed within the last year, before the
        # demo's first meeting (so no meeting's minutes show an assessment made after it); a few
        # were never reviewed since registration, for the self-audit to flag.
        versions = 2 if level > 1 and rng.random() < REVIEWED_SHARE else 1
        dates = [start - timedelta(days=rng.randint(0, 28))]
        if versions == 2:
            reviewed = self.today - timedelta(days=rng.randint(*REVIEWED_DAYS_AGO))
            dates.append(min(self.today, max(dates[0] + timedelta(days=14), reviewed)))
        for version_no, assessed_on in enumerate(dates, start=1):
            overall = _rosh_for(rng, level)
            if version_no == 1 and level > 1 and versions == 2:
                overall = ROSH_ORDER[max(0, ROSH_ORDER.index(overall) - 1)]
            tool = SEXUAL_OFFENCE_TOOLS.pick(rng) if category == 1 else AssessmentTool.OASYS
            score = {
                AssessmentTool.OASYS: f"OSP/C {rng.choice(('Low', 'Medium', 'High'))}; "
                f"RSR {rng.randint(5, 95) / 10:.1f}%",
                AssessmentTool.RM2000: f"RM2000/S {rng.choice(('Medium', 'High', 'Very High'))}",
                AssessmentTool.ARMS: f"ARMS {rng.choice(('Medium', 'High'))}",
            }[tool]
            assessment_id = ids["risk_assessment"]
            ids["risk_assessment"] += 1
            detailed = level > 1 or rng.random() < 0.3
            batch.rows["risk_assessment"].append(
                {
                    "id": assessment_id,
                    "case_id": case_id,
                    "version_no": version_no,
                    "assessed_on": assessed_on,
                    "assessor_id": assessor,
                    "tool": tool.value,
                    "tool_score": score,
                    "overall_rosh": overall.value,
                    "who_at_risk": rng.choice(profile.who_at_risk) if detailed else "",
                    "nature_of_risk": rng.choice(profile.nature) if detailed else "",
                    "imminence": rng.choice(profile.imminence) if detailed else "",
                    "increasing_factors": rng.choice(profile.increasing) if detailed else "",
                    "protective_factors": rng.choice(profile.protective) if detailed else "",
                    "meeting_id": None,
                    "recorded_by_id": self.creator_id,
                    "recorded_at": self.now,
                }
            )
            batch.rows["rosh_rating"] += [
                {"assessment_id": assessment_id, "setting": s, "risk_group": g, "level": lv}
                for s, g, lv in _grid(rng, overall, custody is CustodyStatus.CUSTODY)
            ]

    def _plan(
        self, case_id: int, custody: CustodyStatus, start: date, ids: dict[str, int], batch: _Batch
    ) -> None:
        rng = self.rng
        pillars = [
            RmpPillar.SUPERVISION,
            RmpPillar.MONITORING_CONTROL,
            RmpPillar.INTERVENTIONS_TREATMENT,
            RmpPillar.VICTIM_SAFETY,
            RmpPillar.CONTINGENCY,
        ]
        if custody is CustodyStatus.COMMUNITY:
            pillars.append(RmpPillar.LICENCE_CONDITION)
        responsible = {
            RmpPillar.SUPERVISION: self.probation,
            RmpPillar.MONITORING_CONTROL: self.police,
            RmpPillar.INTERVENTIONS_TREATMENT: self.probation,
            RmpPillar.VICTIM_SAFETY: self.police,
            RmpPillar.CONTINGENCY: self.probation,
            RmpPillar.LICENCE_CONDITION: self.probation,
        }
        for pillar in pillars:
            if (
                pillar in (RmpPillar.CONTINGENCY, RmpPillar.LICENCE_CONDITION)
                and rng.random() < 0.4
            ):
                continue
            texts = RMP_TEXTS[pillar]
            added_on = start + timedelta(days=rng.randint(0, 14))
            added_on = min(added_on, self.today)
            item_id = ids["rmp_item"]
            ids["rmp_item"] += 1
            text_now = rng.choice(texts)
            revisions = [
                {
                    "change": RmpChange.ADDED.value,
                    "text": text_now,
                    "status": "active",
                    "end_date": None,
                    "rationale": "Agreed when the plan was first drawn up.",
                    "review_date": added_on + timedelta(days=84),
                }
            ]
            roll = rng.random()
            if roll < 0.35 and len(texts) > 1:
                text_now = next(t for t in texts if t != text_now)
                revisions.append(
                    {
                        "change": RmpChange.CHANGED.value,
                        "text": text_now,
                        "status": "active",
                        "end_date": None,
                        "rationale": "Strengthened after the last review of risk.",
                        "review_date": added_on + timedelta(days=168),
                    }
                )
            elif roll < 0.45:
                ended = min(self.today, added_on + timedelta(days=rng.randint(14, 200)))
                revisions.append(
                    {
                        "change": RmpChange.ENDED.value,
                        "text": text_now,
                        "status": "ended",
                        "end_date": ended,
                        "rationale": "No longer needed: the condition expired.",
                        "review_date": revisions[0]["review_date"],
                    }
                )
            last = revisions[-1]
            agency = responsible[pillar]
            batch.rows["rmp_item"].append(
                {
                    "id": item_id,
                    "case_id": case_id,
                    "pillar": pillar.value,
                    "text": last["text"],
                    "responsible_agency_id": agency,
                    "start_date": added_on,
                    "review_date": last["review_date"],
                    "end_date": last["end_date"],
                    "status": last["status"],
                    "restricted": pillar is RmpPillar.VICTIM_SAFETY and rng.random() < 0.2,
                    "version": len(revisions),
                }
            )
            for number, rev in enumerate(revisions, start=1):
                batch.rows["rmp_revision"].append(
                    {
                        "item_id": item_id,
                        "revision_no": number,
                        "change": rev["change"],
                        "text": rev["text"],
                        "responsible_agency_id": agency,
                        "start_date": added_on,
                        "review_date": rev["review_date"],
                        "end_date": rev["end_date"],
                        "status": rev["status"],
                        "rationale": rev["rationale"],
                        "meeting_id": None,
                        "recorded_by_id": self.creator_id,
                        "recorded_at": self.now,
                    }
                )

    def _actions(self, case_id: int, level: int, start: date, batch: _Batch) -> None:
        rng = self.rng
        today = self.today
        owners = [self.police, self.probation] + (
            [
                self.agency_ids[s]
                for s in ("Children's Services", "Housing", "Mental Health")
                if s in self.agency_ids
            ]
        )
        for _ in range(rng.randint(2, 4) if level > 1 else 1):
            agency = rng.choice(owners)
            people = self.staff.practitioners_by_agency.get(agency, [])
            owner = rng.choice(people) if people and rng.random() < 0.8 else None
            status = ACTION_STATUSES.pick(rng)
            set_on = max(start, today - timedelta(days=rng.randint(7, 120)))
            due = set_on + timedelta(days=rng.randint(7, 90))
            reason: NotDoneReason | None = None
            note = ""
            completed: date | None = None
            if status is ActionStatus.DONE:
                completed = min(today, set_on + timedelta(days=rng.randint(1, 60)))
                note = "Completed and reported back to the co-ordinator."
            elif status is ActionStatus.CARRIED_OVER:
                reason = NotDoneReason.NOT_DONE_BY_AGENCY
                note = rng.choice(CARRY_OVER_NOTES)
            elif status is ActionStatus.CANCELLED:
                reason = NotDoneReason.CIRCUMSTANCES_CHANGED
                note = rng.choice(CANCEL_NOTES)
            action_text, purpose = rng.choice(ACTIONS)
            batch.rows["action"].append(
                {
                    "case_id": case_id,
                    "text": action_text,
                    "purpose": purpose,
                    "owner_person_id": owner,
                    "owner_agency_id": agency,
                    "due_date": due,
                    "status": status.value,
                    "set_in_meeting_id": None,
                    "closed_in_meeting_id": None,
                    "not_done_reason": reason.value if reason else None,
                    "outcome_note": note,
                    "completed_on": completed,
                    "created_by_id": self.creator_id,
                    "created_at": self.now,
                    "version": 1,
                }
            )

    def fix_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids given explicitly above."""
        if self.s.get_bind().dialect.name != "postgresql":
            return
        for table in (
            "person",
            "app_user",
            "mappa_case",
            "registration",
            "risk_assessment",
            "rmp_item",
        ):
            self.s.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
            )


class _Batch:
    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {
            t: []
            for t in (
                "mappa_case",
                "registration",
                "case_identifier",
                "case_alias",
                "risk_assessment",
                "rosh_rating",
                "rmp_item",
                "rmp_revision",
                "action",
                "audit_event",
            )
        }


def generate_demo(
    engine: Engine,
    *,
    cases: int,
    seed: int,
    today: date | None = None,
    actor: Actor | None = None,
    meetings: bool = True,
    progress: Progress | None = None,
) -> DemoSummary:
    """Fill an empty database (no cases yet) with demo data, in one transaction.

    ``actor`` (an administrator or co-ordinator) is recorded as the creator of the bulk data
    (default: the demo's first co-ordinator). ``meetings=False`` skips the meetings part (for
    benchmarks of the bulk part).
    """
    if isinstance(cases, bool) or not isinstance(cases, int) or not 1 <= cases <= MAX_CASES:
        raise ValidationError.single(
            "cases", f"Choose a number of demo cases between 1 and {MAX_CASES:,}."
        )
    if actor is not None:
        require_role(actor, Role.ADMINISTRATOR, Role.COORDINATOR, doing="fill a demo database")
    day = today or date.today()
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        existing = session.scalar(select(func.count()).select_from(Case)) or 0
        if existing:
            raise StateError(
                f"This database already holds {existing:,} cases; demo data only goes into a "
                "database without cases (use a new file, e.g. --database sqlite:///demo.sqlite3)."
            )
        gen = _Generator(session, cases=cases, seed=seed, today=day, actor=actor, progress=progress)
        if session.get(AppSetting, settings.AREA_NAME) is None:
            # Printed on every record: name the area as made up, so no one mistakes the demo
            # for a real MAPPA area's minutes.
            session.add(AppSetting(key=settings.AREA_NAME, value=DEMO_AREA_NAME))
        gen.people()
        if progress is not None:
            progress("people", gen.counts.people, gen.counts.people)
        gen.cases()
        gen.fix_sequences()
        # Fresh planner statistics: without them PostgreSQL plans the case list for a few
        # hundred rows (JIT, disk sorts) and takes twice as long.
        session.execute(text("ANALYZE"))
        held = 0
        signed = 0
        if meetings:
            from mappa_desktop.demo.meetings import create_meetings

            result = create_meetings(
                session,
                rng=gen.rng,
                today=day,
                chairs=gen.staff.chairs,
                senior_chairs=gen.staff.senior_chairs,
                minute_takers=gen.staff.minute_takers,
                coordinators=gen.staff.coordinators,
                person_ids_by_agency=gen.staff.person_ids_by_agency,
                progress=progress,
            )
            held, signed = result.meetings, result.signed_off
        # Referrals and case events (the annual statistics and chronologies have numbers).
        from mappa_desktop.demo.coordination import create_coordination

        create_coordination(
            session,
            rng=gen.rng,
            today=day,
            cases=cases,
            now=gen.now,
            creator_id=gen.creator_id,
            agency_ids=gen.agency_ids,
            insert=gen._insert,
            next_id=gen._next_id,
        )
        if session.get(AppSetting, settings.POPULATION) is None:
            # An area of a size that gives about the national rate of registered sexual
            # offenders (122 per 100,000 in March 2021, DOMAIN 7), so that table has a figure.
            population = max(1_000, round(cases * RESIDENTS_PER_DEMO_CASE, -3))
            session.add(AppSetting(key=settings.POPULATION, value=population))
        c = gen.counts
        audit_total = session.scalar(select(func.count()).select_from(_table("audit_event")))
        return DemoSummary(
            seed=seed,
            today=day,
            cases=c.cases,
            registrations=c.registrations,
            identifiers=c.identifiers,
            aliases=c.aliases,
            assessments=c.assessments,
            ratings=c.ratings,
            rmp_items=c.rmp_items,
            rmp_revisions=c.rmp_revisions,
            actions=c.actions,
            people=c.people,
            users=c.users,
            audit_events=int(audit_total or 0),
            meetings=held,
            meetings_signed_off=signed,
        )
