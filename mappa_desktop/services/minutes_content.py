"""The minutes' content as plain, frozen data: what is hashed at sign-off and what a PDF shows.

Every field is a JSON type (dates are ISO strings, "" when absent) so the canonical JSON of a
``MinutesContent`` is stable: ``canonical_json`` is what sign-off stores and hashes, and
``MinutesContent.from_dict`` reads it back for rendering and verification. A change to this
structure must bump ``SCHEMA`` and keep reading older versions.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

# 2: the chair's reasons on the sign-off self-audit (``self_audit``)
# 3: each offender's record (MAPPA C): per-case attendance, the offender's meeting sequence,
#    offence and dates, victim and diversity issues, risk trend, who gave information and when,
#    action purpose. Every field added in 3 has a default, so schema 2 content still reads.
SCHEMA = 3

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class MeetingIdentity:
    meeting_id: int
    area: str
    level: int
    meeting_type: str  # initial / review / special
    date: str
    start_time: str
    venue: str
    chair: str
    chair_agency: str
    minute_taker: str
    coordinator: str
    template_version: str
    chair_role: str = ""
    minute_taker_agency: str = ""


@dataclass(frozen=True, slots=True)
class AttendeeEntry:
    name: str
    agency: str
    role_title: str
    status: str  # present / apologies / absent / deputy / report_submitted
    deputy_for: str = ""
    arrived: str = ""
    departed: str = ""


@dataclass(frozen=True, slots=True)
class CaseAttendeeEntry:
    """Who was there for one case. ``panel``: "core" (a Responsible Authority agency or the
    co-ordinator, there for every case), "invited" (invited for this case) or "other".
    ``status``: present / apologies / absent (invited but absent) / deputy / report_submitted."""

    name: str
    agency: str
    role_title: str
    status: str
    panel: str


@dataclass(frozen=True, slots=True)
class RoshCell:
    setting: str  # community / custody
    group: str  # children / public / known_adult / staff / prisoners
    level: str  # low / medium / high / very_high


@dataclass(frozen=True, slots=True)
class RiskEntry:
    version_no: int
    assessed_on: str
    assessor: str
    tool: str
    tool_score: str
    overall: str
    ratings: tuple[RoshCell, ...]
    who_at_risk: str
    nature_of_risk: str
    imminence: str
    increasing_factors: str
    protective_factors: str


@dataclass(frozen=True, slots=True)
class InformationEntry:
    agency: str
    text: str
    restricted: bool = False
    given_by: str = ""
    as_at: str = ""  # ISO date the information is correct at
    declined: bool = False  # the agency declined to share; ``text`` says why


@dataclass(frozen=True, slots=True)
class RmpEntry:
    item_id: int
    pillar: str
    text: str
    responsible_agency: str
    start_date: str
    review_date: str
    end_date: str
    status: str  # active / ended
    change: str  # "" (unchanged) / added / changed / ended: change made at this meeting
    rationale: str = ""
    restricted: bool = False


@dataclass(frozen=True, slots=True)
class ActionEntry:
    action_id: int
    text: str
    owner: str
    owner_agency: str
    due_date: str
    status: str  # open / done / carried_over / cancelled
    not_done_reason: str = ""  # not_done_by_agency / circumstances_changed
    note: str = ""
    purpose: str = ""


@dataclass(frozen=True, slots=True)
class DissentEntry:
    by: str
    view: str


@dataclass(frozen=True, slots=True)
class DecisionEntry:
    kind: str  # level / category / disclosure / next_review / exit / other
    outcome: str
    rationale: str
    new_level: int | None = None
    new_category: int | None = None
    next_review_date: str = ""
    disclose: bool | None = None
    disclosure_to: str = ""
    disclosure_by: str = ""
    disclosure_method: str = ""
    disclosure_date: str = ""
    s327a_considered: bool = False
    restricted: bool = False
    dissents: tuple[DissentEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseEntry:
    agenda_order: int
    case_id: int
    agenda_reason: str
    family_name: str
    given_names: str
    aliases: tuple[str, ...]
    date_of_birth: str
    gender: str
    ethnicity: str
    identifiers: tuple[tuple[str, str], ...]  # (scheme, value)
    category: int
    level: int
    lead_agency: str
    offender_manager: str
    custody_status: str
    address_area: str
    no_fixed_abode: bool
    index_offence: str
    sentence: str
    reason_for_referral: str
    victim_notes: str
    risk: RiskEntry | None
    risk_summary: str
    information: tuple[InformationEntry, ...]
    rmp: tuple[RmpEntry, ...]
    previous_actions: tuple[ActionEntry, ...]
    new_actions: tuple[ActionEntry, ...]
    decisions: tuple[DecisionEntry, ...]
    next_review_date: str
    # Schema 3 (each offender's record):
    meeting_seq: int = 0  # this offender's n-th MAPPA meeting (0: not known, schema 2)
    previous_meeting_date: str = ""
    offence_details: str = ""
    previous_offences: str = ""
    relevant_dates: str = ""
    registered_on: str = ""  # start of the current MAPPA registration
    discussion: str = ""
    victim_issues: str = ""
    diversity_issues: str = ""
    risk_trend: str = ""  # "" / increasing / stable / decreasing
    attendance: tuple[CaseAttendeeEntry, ...] = ()
    invited_agencies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditReason:
    """A self-audit finding the chair signed with a reason (``services.self_audit``)."""

    finding_id: str
    case_id: int | None
    criterion: str
    finding: str
    reason: str


@dataclass(frozen=True, slots=True)
class MinutesContent:
    meeting: MeetingIdentity
    statement: str
    statement_confirmed_by: str
    statement_confirmed_at: str
    attendance: tuple[AttendeeEntry, ...]
    cases: tuple[CaseEntry, ...]
    schema: int = SCHEMA
    # None: signed before the self-audit existed (the key is absent from older frozen content)
    self_audit: tuple[AuditReason, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MinutesContent:
        return _build(cls, data)


@dataclass(frozen=True, slots=True)
class SignOffBlock:
    chair: str
    signed_at: str  # ISO datetime, UTC
    content_sha256: str


@dataclass(frozen=True, slots=True)
class AddendumEntry:
    seq: int
    reason: str
    text: str
    signed_by: str
    signed_at: str
    content_sha256: str
    case_id: int | None = None  # the offender's record it corrects; None: meeting-wide


@dataclass(frozen=True, slots=True)
class MinutesDocument:
    """Everything a minutes PDF shows: the content plus who it is for and its sign-off state."""

    content: MinutesContent
    sign_off: SignOffBlock | None  # None: a draft (the PDF carries a DRAFT watermark)
    addenda: tuple[AddendumEntry, ...] = ()
    recipient: str = ""
    copy_number: int | None = None
    variant: str = "full"  # full / disclosure_summary (meeting-wide, before 0008) / redacted
    case_id: int | None = None  # one offender's record; None: the meeting-wide record
    generated_at: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def canonical_json(content: MinutesContent) -> str:
    return json.dumps(content.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@functools.cache
def _field_types(cls: type[Any]) -> tuple[tuple[str, Any], ...]:
    """(name, type) of each field of ``cls``, worked out once per class: ``get_type_hints``
    evaluates the annotations each call, which made reading a 25-case record take 100-200 ms."""
    hints = get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in fields(cls))


def _build(cls: type[T], data: Any) -> T:
    types = _field_types(cls)  # type: ignore[arg-type]  # a class is hashable; mypy's T is not
    kwargs = {name: _convert(tp, data[name]) for name, tp in types if name in data}
    return cls(**kwargs)


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in value)
        return tuple(_convert(a, v) for a, v in zip(args, value, strict=True))
    if args and type(None) in args:  # X | None
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value)
    if isinstance(tp, type) and is_dataclass(tp):
        return _build(tp, value)
    if origin is dict:
        return dict(value)
    return value
