"""The offender/case record: register (with the first MAPPA registration), edit, read.

Names and free text are stored exactly as typed (only leading and trailing spaces are trimmed),
in any script; names, aliases, identifiers and the one-line fields refuse control and invisible
bidi characters (``domain.text``). Category and level are not case fields: they live in the
registration history (``services.registration``), which ``register_case`` starts and
``get_case`` reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from mappa_desktop.db.models import (
    Agency,
    Case,
    CaseAlias,
    CaseIdentifier,
    Person,
    Registration,
)
from mappa_desktop.domain.enums import AliasKind, CustodyStatus, IdentifierScheme
from mappa_desktop.domain.errors import NotFound, ValidationError
from mappa_desktop.domain.text import name_problem
from mappa_desktop.domain.validation import MAX_NAME, MAX_SHORT, MAX_TEXT, Checker
from mappa_desktop.services import audit, registration
from mappa_desktop.services.actor import Actor, require_writer
from mappa_desktop.services.common import check_version, flush
from mappa_desktop.services.people import resolve_agency
from mappa_desktop.services.registration import RegistrationRow

MAX_AGE_YEARS = 110
MAX_IDENTIFIER = 60

IDENTIFIER_LABELS: Mapping[IdentifierScheme, str] = {
    IdentifierScheme.VISOR: "ViSOR",
    IdentifierScheme.PNC: "PNC ID",
    IdentifierScheme.CRN: "nDelius CRN",
    IdentifierScheme.NOMIS: "NOMIS number",
    IdentifierScheme.NHS: "NHS number",
}

_NAMES = {"family_name": True, "given_names": False}  # field -> required
_SHORT_TEXT = {"gender": 60, "ethnicity": MAX_SHORT, "address_area": MAX_SHORT}
_LONG_TEXT = (
    "index_offence",
    "sentence",
    "offence_details",
    "previous_offences",
    "relevant_dates",
    "reason_for_referral",
    "victim_notes",
)
# Every field edit_case accepts (category and level change through services.registration).
EDITABLE_FIELDS = frozenset(
    {
        *_NAMES,
        *_SHORT_TEXT,
        *_LONG_TEXT,
        "date_of_birth",
        "lead_agency_id",
        "offender_manager_id",
        "no_fixed_abode",
        "custody_status",
        "referral_date",
        "aliases",
        "identifiers",
    }
)
_REGISTRATION_FIELDS = frozenset(
    {"category", "level", "rationale", "registration_start", "next_review_due"}
)


@dataclass(frozen=True, slots=True)
class AliasRow:
    id: int
    name: str
    kind: AliasKind


@dataclass(frozen=True, slots=True)
class IdentifierRow:
    scheme: IdentifierScheme
    value: str

    @property
    def label(self) -> str:
        return IDENTIFIER_LABELS[self.scheme]


@dataclass(frozen=True, slots=True)
class CaseDetail:
    id: int
    version: int
    family_name: str
    given_names: str
    date_of_birth: date | None
    gender: str
    ethnicity: str
    address_area: str
    no_fixed_abode: bool
    custody_status: CustodyStatus
    lead_agency_id: int
    lead_agency_name: str
    offender_manager_id: int | None
    offender_manager_name: str  # "" when none is assigned
    index_offence: str
    sentence: str
    offence_details: str
    previous_offences: str
    relevant_dates: str
    reason_for_referral: str
    victim_notes: str
    referral_date: date | None
    aliases: tuple[AliasRow, ...]
    identifiers: tuple[IdentifierRow, ...]  # in IdentifierScheme order
    # None only for a case written outside these services (every registered case has one).
    registration: RegistrationRow | None
    created_at: datetime

    @property
    def display_name(self) -> str:
        """ "FAMILY, Given" is what MAPPA forms use; here: "Family, Given" exactly as typed."""
        return f"{self.family_name}, {self.given_names}" if self.given_names else self.family_name

    def identifier(self, scheme: IdentifierScheme | str) -> str | None:
        for ident in self.identifiers:
            if ident.scheme == scheme:
                return ident.value
        return None


# --- reading ------------------------------------------------------------------------------------


def get_case(session: Session, case_id: int) -> CaseDetail:
    case = session.scalar(
        select(Case)
        .options(selectinload(Case.aliases), selectinload(Case.identifiers))
        .where(Case.id == case_id)
    )
    if case is None:
        raise NotFound("case", case_id)
    return _detail(session, case)


def _detail(session: Session, case: Case) -> CaseDetail:
    agency = session.get(Agency, case.lead_agency_id)
    manager = session.get(Person, case.offender_manager_id) if case.offender_manager_id else None
    current = session.scalar(
        select(Registration).where(Registration.case_id == case.id, Registration.is_current)
    )
    order = list(IdentifierScheme)
    return CaseDetail(
        id=case.id,
        version=case.version,
        family_name=case.family_name,
        given_names=case.given_names,
        date_of_birth=case.date_of_birth,
        gender=case.gender,
        ethnicity=case.ethnicity,
        address_area=case.address_area,
        no_fixed_abode=case.no_fixed_abode,
        custody_status=case.custody_status,
        lead_agency_id=case.lead_agency_id,
        lead_agency_name=agency.name if agency else "",
        offender_manager_id=case.offender_manager_id,
        offender_manager_name=manager.display_name if manager else "",
        index_offence=case.index_offence,
        sentence=case.sentence,
        offence_details=case.offence_details,
        previous_offences=case.previous_offences,
        relevant_dates=case.relevant_dates,
        reason_for_referral=case.reason_for_referral,
        victim_notes=case.victim_notes,
        referral_date=case.referral_date,
        aliases=tuple(AliasRow(id=a.id, name=a.name, kind=a.kind) for a in case.aliases),
        identifiers=tuple(
            IdentifierRow(scheme=i.scheme, value=i.value)
            for i in sorted(case.identifiers, key=lambda i: order.index(i.scheme))
        ),
        registration=registration.registration_row(session, current) if current else None,
        created_at=case.created_at,
    )


# --- validation ---------------------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _check_date(check: Checker, field: str, value: object) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date):
        check.fail(field, f"The {field.replace('_', ' ')} must be a date.")
        return None
    return value


def _check_aliases(check: Checker, aliases: object) -> list[tuple[str, AliasKind]]:
    out: list[tuple[str, AliasKind]] = []
    if isinstance(aliases, str | bytes) or not isinstance(aliases, Sequence):
        check.fail("aliases", "Give the aliases as a list of (name, kind) pairs.")
        return out
    for index, entry in enumerate(aliases):
        field = f"aliases.{index}"
        if not isinstance(entry, Sequence) or isinstance(entry, str) or len(entry) != 2:
            check.fail(field, "Give each alias as a (name, kind) pair.")
            continue
        name = check.name(field, entry[0] if isinstance(entry[0], str) else None, max_len=MAX_SHORT)
        kind = check.enum(field, entry[1], AliasKind)
        if name is None or kind is None or field in check.errors:
            continue
        if (name, kind) in out:
            check.fail(field, f"The {kind.value.replace('_', ' ')} '{name}' is listed twice.")
            continue
        out.append((name, kind))
    return out


def _check_identifiers(
    session: Session, check: Checker, identifiers: object, case_id: int | None
) -> dict[IdentifierScheme, str]:
    out: dict[IdentifierScheme, str] = {}
    if not isinstance(identifiers, Mapping):
        check.fail("identifiers", "Give the identifiers as a mapping of scheme to value.")
        return out
    for raw_scheme, raw_value in identifiers.items():
        field = f"identifiers.{raw_scheme}"
        try:
            scheme = IdentifierScheme(raw_scheme)
        except ValueError:
            known = ", ".join(s.value for s in IdentifierScheme)
            check.fail(field, f"'{raw_scheme}' is not a known identifier; use one of: {known}.")
            continue
        field = f"identifiers.{scheme.value}"
        label = IDENTIFIER_LABELS[scheme]
        value = raw_value.strip() if isinstance(raw_value, str) else ""
        if not value:
            check.fail(field, f"Enter the {label}, or leave it out if there is none.")
        elif len(value) > MAX_IDENTIFIER:
            check.fail(
                field,
                f"The {label} is {len(value)} characters long; an identifier has at most "
                f"{MAX_IDENTIFIER}. Check it was pasted correctly.",
            )
        elif (problem := name_problem(value, joiners=False)) is not None:
            check.fail(field, f"The {label} contains {problem}; an identifier cannot hold it.")
        else:
            out[scheme] = value
    if out:
        # One query for all of them: does another case already hold any of these numbers?
        matches = or_(
            *(
                and_(CaseIdentifier.scheme == s, func.lower(CaseIdentifier.value) == v.lower())
                for s, v in out.items()
            )
        )
        stmt = select(CaseIdentifier, Case).join(Case, Case.id == CaseIdentifier.case_id)
        stmt = stmt.where(matches)
        if case_id is not None:
            stmt = stmt.where(CaseIdentifier.case_id != case_id)
        for ident, other in session.execute(stmt):
            name = f"{other.family_name}, {other.given_names}".rstrip(", ")
            check.fail(
                f"identifiers.{ident.scheme.value}",
                f"{IDENTIFIER_LABELS[ident.scheme]} {ident.value} is already recorded for case "
                f"{other.id} ({name}); check the number, or open that case instead.",
            )
    return out


def _check_fields(
    session: Session, check: Checker, given: Mapping[str, Any], existing: Case | None
) -> dict[str, Any]:
    """Validate the given case fields; returns the clean values (only for the fields given)."""
    clean: dict[str, Any] = {}
    today = date.today()
    for field, required in _NAMES.items():
        if field in given:
            value = given[field]
            text = check.name(
                field,
                value if isinstance(value, str) else None,
                required=required,
                max_len=MAX_NAME,
            )
            clean[field] = text or ""
    for field, limit in _SHORT_TEXT.items():  # one-line labels: the name rule applies
        if field in given:
            value = given[field]
            text = check.name(
                field, value if isinstance(value, str) else None, required=False, max_len=limit
            )
            clean[field] = text or ""
    for field in _LONG_TEXT:
        if field in given:
            value = given[field]
            text = check.text(
                field, value if isinstance(value, str) else None, required=False, max_len=MAX_TEXT
            )
            clean[field] = text or ""

    if "date_of_birth" in given:
        dob = _check_date(check, "date_of_birth", given["date_of_birth"])
        check.date_not_after("date_of_birth", dob, today, "today")
        if dob is not None and dob < _years_before(today, MAX_AGE_YEARS):
            check.fail(
                "date_of_birth",
                f"The date of birth ({dob.isoformat()}) would make this person more than "
                f"{MAX_AGE_YEARS} years old; check the year.",
            )
        clean["date_of_birth"] = dob
    dob = clean.get("date_of_birth", existing.date_of_birth if existing else None)

    if "referral_date" in given:
        referral = _check_date(check, "referral_date", given["referral_date"])
        check.date_not_after("referral_date", referral, today, "today")
        check.date_not_before("referral_date", referral, dob, "the date of birth")
        clean["referral_date"] = referral

    if "no_fixed_abode" in given:
        nfa = given["no_fixed_abode"]
        if not isinstance(nfa, bool):
            check.fail("no_fixed_abode", "Say yes or no: is the person of no fixed abode?")
        clean["no_fixed_abode"] = bool(nfa)
    if "custody_status" in given:
        clean["custody_status"] = check.enum(
            "custody_status", given["custody_status"], CustodyStatus
        )

    if "lead_agency_id" in given:
        agency_id = given["lead_agency_id"]
        if existing is None or agency_id != existing.lead_agency_id:
            resolve_agency(session, "lead_agency_id", agency_id, check)
        clean["lead_agency_id"] = agency_id
    if "offender_manager_id" in given:
        person_id = given["offender_manager_id"]
        if person_id is not None and (
            existing is None or person_id != existing.offender_manager_id
        ):
            person = session.get(Person, person_id) if isinstance(person_id, int) else None
            if person is None:
                check.fail(
                    "offender_manager_id",
                    f"Person {person_id} does not exist; choose the offender manager from the "
                    "list.",
                )
            elif not person.active:
                check.fail(
                    "offender_manager_id",
                    f"{person.display_name} is no longer active; choose another offender manager.",
                )
        clean["offender_manager_id"] = person_id

    if "aliases" in given:
        clean["aliases"] = _check_aliases(check, given["aliases"])
    if "identifiers" in given:
        clean["identifiers"] = _check_identifiers(
            session, check, given["identifiers"], existing.id if existing else None
        )
    return clean


def _aliases_json(aliases: Sequence[tuple[str, AliasKind]]) -> list[list[str]]:
    return [[name, kind.value] for name, kind in aliases]


def _identifiers_json(identifiers: Mapping[IdentifierScheme, str]) -> dict[str, str]:
    return {scheme.value: value for scheme, value in sorted(identifiers.items())}


def _identifier_clash(_exc: Exception) -> str:
    return (
        "One of these identifiers was saved for another case a moment ago; "
        "reload and check the numbers."
    )


# --- writing ------------------------------------------------------------------------------------


def register_case(
    session: Session,
    actor: Actor,
    *,
    family_name: str,
    given_names: str = "",
    date_of_birth: date | None,
    lead_agency_id: int,
    category: int,
    level: int,
    rationale: str = "Initial registration",
    registration_start: date | None = None,
    gender: str = "",
    ethnicity: str = "",
    address_area: str = "",
    no_fixed_abode: bool = False,
    custody_status: CustodyStatus | str = "community",
    offender_manager_id: int | None = None,
    index_offence: str = "",
    sentence: str = "",
    offence_details: str = "",
    previous_offences: str = "",
    relevant_dates: str = "",
    reason_for_referral: str = "",
    victim_notes: str = "",
    referral_date: date | None = None,
    aliases: Sequence[tuple[str, AliasKind | str]] = (),
    identifiers: Mapping[IdentifierScheme | str, str] = {},  # never mutated
) -> CaseDetail:
    """Register a case and start its first MAPPA registration (next review from the policy)."""
    require_writer(actor, "register a case")
    given: dict[str, Any] = {
        "family_name": family_name,
        "given_names": given_names,
        "date_of_birth": date_of_birth,
        "lead_agency_id": lead_agency_id,
        "gender": gender,
        "ethnicity": ethnicity,
        "address_area": address_area,
        "no_fixed_abode": no_fixed_abode,
        "custody_status": custody_status,
        "offender_manager_id": offender_manager_id,
        "index_offence": index_offence,
        "sentence": sentence,
        "offence_details": offence_details,
        "previous_offences": previous_offences,
        "relevant_dates": relevant_dates,
        "reason_for_referral": reason_for_referral,
        "victim_notes": victim_notes,
        "referral_date": referral_date,
        "aliases": aliases,
        "identifiers": identifiers,
    }
    check = Checker()
    clean = _check_fields(session, check, given, None)
    cat, lvl = registration.check_category_level(check, category, level)
    clean_rationale = check.text("rationale", rationale, max_len=MAX_TEXT)
    start = _check_date(check, "registration_start", registration_start) or date.today()
    check.date_not_before("registration_start", start, clean["date_of_birth"], "the date of birth")
    registration.check_not_far_ahead(check, "registration_start", start)
    check.done()
    assert clean_rationale is not None

    clean_aliases: list[tuple[str, AliasKind]] = clean.pop("aliases")
    clean_identifiers: dict[IdentifierScheme, str] = clean.pop("identifiers")
    case = Case(**clean, created_by_id=actor.user_id)
    case.aliases = [CaseAlias(name=name, kind=kind) for name, kind in clean_aliases]
    case.identifiers = [CaseIdentifier(scheme=s, value=v) for s, v in clean_identifiers.items()]
    session.add(case)
    flush(session, "case", integrity_field="identifiers", integrity_message=_identifier_clash)
    audit.record(
        session,
        actor,
        "case",
        case.id,
        "create",
        {
            **audit.created(clean),
            "aliases": [None, _aliases_json(clean_aliases)],
            "identifiers": [None, _identifiers_json(clean_identifiers)],
        },
        case_id=case.id,
    )
    registration.create_first_registration(
        session,
        actor,
        case.id,
        category=cat,
        level=lvl,
        start_date=start,
        rationale=clean_rationale,
    )
    return _detail(session, case)


def edit_case(
    session: Session, actor: Actor, case_id: int, *, expected_version: int, **fields: Any
) -> CaseDetail:
    """Change any of ``EDITABLE_FIELDS``; refuses (ConflictError) if the case was saved by
    someone else since ``expected_version`` was read. ``aliases`` and ``identifiers`` replace
    the whole list / mapping."""
    require_writer(actor, "edit a case")
    wrong = {
        name: (
            "Category, level, registration dates and rationale change through the "
            "registration history, not the case details."
            if name in _REGISTRATION_FIELDS
            else f"'{name}' is not a case field that can be edited."
        )
        for name in fields
        if name not in EDITABLE_FIELDS
    }
    if wrong:
        raise ValidationError(wrong)
    case = session.scalar(
        select(Case)
        .options(selectinload(Case.aliases), selectinload(Case.identifiers))
        .where(Case.id == case_id)
    )
    if case is None:
        raise NotFound("case", case_id)
    check_version(case, expected_version, "case")
    check = Checker()
    clean = _check_fields(session, check, fields, case)
    check.done()

    new_aliases: list[tuple[str, AliasKind]] | None = clean.pop("aliases", None)
    new_identifiers: dict[IdentifierScheme, str] | None = clean.pop("identifiers", None)
    changes = audit.changes_between(case, clean)
    for field, value in clean.items():
        setattr(case, field, value)

    if new_aliases is not None:
        old_aliases = [(a.name, a.kind) for a in case.aliases]
        if old_aliases != new_aliases:
            changes["aliases"] = [_aliases_json(old_aliases), _aliases_json(new_aliases)]
            case.aliases = [CaseAlias(name=name, kind=kind) for name, kind in new_aliases]
    if new_identifiers is not None:
        old_identifiers = {i.scheme: i.value for i in case.identifiers}
        if old_identifiers != new_identifiers:
            changes["identifiers"] = [
                _identifiers_json(old_identifiers),
                _identifiers_json(new_identifiers),
            ]
            # Update in place (an insert before the delete would hit the per-scheme unique key).
            for ident in list(case.identifiers):
                if ident.scheme not in new_identifiers:
                    case.identifiers.remove(ident)
                else:
                    ident.value = new_identifiers[ident.scheme]
            for scheme, value in new_identifiers.items():
                if scheme not in old_identifiers:
                    case.identifiers.append(CaseIdentifier(scheme=scheme, value=value))

    if not changes:
        return _detail(session, case)
    # A change to aliases or identifiers alone must still move the case's version on.
    flag_modified(case, "family_name")
    flush(
        session, "case", case.id, integrity_field="identifiers", integrity_message=_identifier_clash
    )
    audit.record(session, actor, "case", case.id, "update", changes, case_id=case.id)
    return _detail(session, case)


def case_count(session: Session) -> int:
    """How many cases the database holds (demo data goes only into an empty one)."""
    return int(session.scalar(select(func.count()).select_from(Case)) or 0)
