"""The minutes: built from the meeting's record, frozen at sign-off, corrected only by addenda,
issued as numbered copies, and verifiable afterwards.

At sign-off the content (``MinutesContent``) is written once as canonical JSON with its SHA-256
into ``Minutes``; the database refuses any later UPDATE or DELETE of that row. A signed meeting's
document is always read back from that frozen JSON, never rebuilt from the live tables.

Hashes (``services.minutes_hash``): scheme 2 seals the content, the signer as printed (frozen at
sign-off) and the time, and chains the addenda; the version a copy carries is the last hash of
the chain, so a recipient can tell whether their copy is the current one. Minutes signed before
migration 0006 keep scheme 1 and are checked that way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import resources
from mappa_desktop.db.base import utcnow
from mappa_desktop.db.models import (
    Action,
    Addendum,
    CaseDiscussion,
    Decision,
    Distribution,
    Meeting,
    Minutes,
    Person,
    User,
)
from mappa_desktop.domain.enums import (
    AttendanceStatus,
    DecisionKind,
    DistributionVariant,
    MeetingStatus,
    RiskGroup,
    RiskSetting,
    RmpPillar,
    Role,
)
from mappa_desktop.domain.errors import (
    PermissionDenied,
    StateError,
    StorageError,
    ValidationError,
)
from mappa_desktop.domain.rules import FROZEN_STATUSES
from mappa_desktop.domain.validation import MAX_TEXT, Checker
from mappa_desktop.services import (
    audit,
    meetings,
    minutes_hash,
    need_to_know,
    self_audit,
    settings,
)
from mappa_desktop.services.actor import Actor, require_role
from mappa_desktop.services.attendance import resolve_person
from mappa_desktop.services.common import flush, get_or_404
from mappa_desktop.services.minutes_content import (
    ActionEntry,
    AddendumEntry,
    AttendeeEntry,
    AuditReason,
    CaseAttendeeEntry,
    CaseEntry,
    DecisionEntry,
    DissentEntry,
    InformationEntry,
    MeetingIdentity,
    MinutesContent,
    MinutesDocument,
    RiskEntry,
    RmpEntry,
    RoshCell,
    SignOffBlock,
    canonical_json,
    content_hash,
)
from mappa_desktop.services.people import resolve_agency

STATEMENT_RESOURCE = ("statements", "confidentiality_diversity.txt")
MAX_REASON = 2_000
MAX_RECIPIENT = 300
MAX_CHANNEL = 100


# --- DTOs -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MinutesRecord:
    id: int
    meeting_id: int
    content_sha256: str
    version_sha256: str  # the current version (content hash plus addenda)
    signed_by_id: int
    signed_by: str  # the signer's name as frozen at sign-off
    signed_at: datetime
    has_signature: bool
    addenda: int
    hash_scheme: int = minutes_hash.SCHEME


@dataclass(frozen=True, slots=True)
class AddendumRow:
    id: int
    minutes_id: int
    meeting_id: int
    seq: int
    reason: str
    text: str
    content_sha256: str
    signed_by: str
    signed_at: datetime
    version_sha256: str  # the minutes' version once this addendum is included
    case_id: int | None = None  # the offender's record it corrects; None: meeting-wide


@dataclass(frozen=True, slots=True)
class DistributionRow:
    id: int
    minutes_id: int
    meeting_id: int
    copy_number: int
    recipient_name: str
    recipient_person_id: int | None
    recipient_agency_id: int | None
    variant: DistributionVariant
    version_sha256: str
    channel: str
    issued_by: str
    issued_at: datetime
    case_id: int | None = None  # the offender's record this copy is; None: meeting-wide
    reason: str = ""  # why a recipient with no need to know the case was sent it (MAPPA D)


@dataclass(frozen=True, slots=True)
class Verification:
    genuine: bool
    current: bool
    meeting_id: int | None
    signed_by: str
    signed_at: datetime | None
    superseded_by_addenda: int
    reason: str
    current_version_sha256: str = ""
    hash_scheme: int = 0  # the scheme checked (0: no record found)
    addenda: int = 0  # addenda the matched version includes


# --- hashing --------------------------------------------------------------------------------------


def printed_signer(signer: minutes_hash.Signer) -> str:
    """The signer as the minutes print them: "Name (role, agency)"."""
    details = ", ".join(part for part in (signer.role, signer.agency) if part)
    return f"{signer.name} ({details})" if details else signer.name


def _actor_signer(session: Session, actor: Actor) -> minutes_hash.Signer:
    person = session.get(Person, actor.person_id)
    if person is None:
        return minutes_hash.Signer(actor.display_name, "", "")
    return minutes_hash.Signer(person.display_name, person.agency.name, person.role_title)


# --- building the content -------------------------------------------------------------------------


def _iso(value: date | datetime | time | None) -> str:
    """ISO text for the content: dates YYYY-MM-DD, times HH:MM, datetimes in full; "" if none."""
    if value is None:
        return ""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value.isoformat()


def _content_from(session: Session, data: meetings.MeetingData) -> MinutesContent:
    meeting = data.meeting
    chair = data.persons.get(meeting.chair_id)
    minute_taker = (
        data.persons.get(meeting.minute_taker_id) if meeting.minute_taker_id is not None else None
    )
    identity = MeetingIdentity(
        meeting_id=meeting.id,
        area=settings.policy(session).area_name,
        level=meeting.level,
        meeting_type=meeting.meeting_type.value,
        date=meeting.meeting_date.isoformat(),
        start_time=_iso(meeting.start_time),
        venue=meeting.venue,
        chair=chair.display_name if chair else "",
        chair_agency=chair.agency.name if chair else "",
        minute_taker=data.person_name(meeting.minute_taker_id),
        coordinator=data.person_name(meeting.coordinator_id),
        template_version=meeting.template_version,
        chair_role=chair.role_title if chair else "",
        minute_taker_agency=minute_taker.agency.name if minute_taker else "",
    )
    attendees = []
    for a in data.attendance:
        person = data.persons.get(a.person_id) if a.person_id is not None else None
        attendees.append(
            AttendeeEntry(
                name=person.display_name if person else "",
                agency=data.agencies[a.agency_id].name,
                role_title=person.role_title if person else "",
                status=a.status.value,
                deputy_for=data.person_name(a.deputy_for_id),
                arrived=_iso(a.arrived_at),
                departed=_iso(a.departed_at),
            )
        )
    attendees.sort(key=lambda e: (e.agency.casefold(), e.name.casefold()))
    cases = tuple(_case_entry(data, d) for d in data.discussions)
    return MinutesContent(
        meeting=identity,
        statement=resources.text(*STATEMENT_RESOURCE),
        statement_confirmed_by=data.confirmed_by,
        statement_confirmed_at=_iso(meeting.statement_confirmed_at),
        attendance=tuple(attendees),
        cases=cases,
        self_audit=(),  # the chair's reasons are added at sign-off
    )


_SETTING_ORDER = {s: n for n, s in enumerate(RiskSetting)}
_GROUP_ORDER = {g: n for n, g in enumerate(RiskGroup)}
_PILLAR_ORDER = {p: n for n, p in enumerate(RmpPillar)}


def _case_entry(data: meetings.MeetingData, d: CaseDiscussion) -> CaseEntry:
    case = data.cases[d.case_id]
    reg = data.registrations.get(case.id)
    risk = data.latest_risk.get(case.id)
    risk_entry = None
    if risk is not None:
        ratings = sorted(
            risk.ratings, key=lambda r: (_SETTING_ORDER[r.setting], _GROUP_ORDER[r.risk_group])
        )
        risk_entry = RiskEntry(
            version_no=risk.version_no,
            assessed_on=risk.assessed_on.isoformat(),
            assessor=data.person_name(risk.assessor_id),
            tool=risk.tool.value,
            tool_score=risk.tool_score,
            overall=risk.overall_rosh.value,
            ratings=tuple(
                RoshCell(setting=r.setting.value, group=r.risk_group.value, level=r.level.value)
                for r in ratings
            ),
            who_at_risk=risk.who_at_risk,
            nature_of_risk=risk.nature_of_risk,
            imminence=risk.imminence,
            increasing_factors=risk.increasing_factors,
            protective_factors=risk.protective_factors,
        )
    changes_here = {item.id: rev for rev, item in data.rmp_revisions.get(case.id, [])}
    rmp = []
    for item in sorted(
        data.rmp_items.get(case.id, []), key=lambda i: (_PILLAR_ORDER[i.pillar], i.id)
    ):
        rev = changes_here.get(item.id)
        rmp.append(
            RmpEntry(
                item_id=item.id,
                pillar=item.pillar.value,
                text=item.text,
                responsible_agency=(
                    data.agencies[item.responsible_agency_id].name
                    if item.responsible_agency_id is not None
                    else ""
                ),
                start_date=_iso(item.start_date),
                review_date=_iso(item.review_date),
                end_date=_iso(item.end_date),
                status=item.status.value,
                change=rev.change.value if rev else "",
                rationale=rev.rationale if rev else "",
                restricted=item.restricted,
            )
        )

    def action_entry(a: Action, *, previous: bool) -> ActionEntry:
        review = data.reviews.get(a.id) if previous else None
        if review is not None:
            status = review.outcome.value
            reason = review.not_done_reason.value if review.not_done_reason else ""
            note = review.note
        else:
            status = a.status.value
            reason = a.not_done_reason.value if a.not_done_reason else ""
            note = "" if not previous else a.outcome_note
        return ActionEntry(
            action_id=a.id,
            text=a.text,
            owner=data.person_name(a.owner_person_id),
            owner_agency=data.agencies[a.owner_agency_id].name,
            due_date=a.due_date.isoformat(),
            status=status,
            not_done_reason=reason,
            note=note,
            purpose=a.purpose,
        )

    decisions = data.decisions.get(d.id, [])
    decision_entries = []
    for x in decisions:
        dissents = []
        for s in x.dissents:
            person = data.person_name(s.person_id)
            agency = data.agencies[s.agency_id].name if s.agency_id is not None else ""
            by = f"{person} ({agency})" if person and agency else person or agency
            dissents.append(DissentEntry(by=by, view=s.view))
        decision_entries.append(
            DecisionEntry(
                kind=x.kind.value,
                outcome=x.outcome,
                rationale=x.rationale,
                new_level=x.new_level,
                new_category=x.new_category,
                next_review_date=_iso(x.next_review_date),
                disclose=x.disclose,
                disclosure_to=x.disclosure_to,
                disclosure_by=x.disclosure_by,
                disclosure_method=x.disclosure_method,
                disclosure_date=_iso(x.disclosure_date),
                s327a_considered=x.s327a_considered,
                restricted=x.restricted,
                dissents=tuple(dissents),
            )
        )
    next_review = _decided_review(decisions)
    if next_review is None and reg is not None:
        next_review = reg.next_review_due
    manager = data.persons.get(case.offender_manager_id) if case.offender_manager_id else None
    return CaseEntry(
        agenda_order=d.agenda_order,
        case_id=case.id,
        agenda_reason=d.agenda_reason.value,
        family_name=case.family_name,
        given_names=case.given_names,
        aliases=tuple(a.name for a in data.aliases.get(case.id, [])),
        date_of_birth=_iso(case.date_of_birth),
        gender=case.gender,
        ethnicity=case.ethnicity,
        identifiers=tuple((i.scheme.value, i.value) for i in data.identifiers.get(case.id, [])),
        category=reg.category if reg else 0,
        level=reg.level if reg else 0,
        lead_agency=data.agencies[case.lead_agency_id].name,
        offender_manager=manager.display_name if manager else "",
        custody_status=case.custody_status.value,
        address_area=case.address_area,
        no_fixed_abode=case.no_fixed_abode,
        index_offence=case.index_offence,
        sentence=case.sentence,
        reason_for_referral=case.reason_for_referral,
        victim_notes=case.victim_notes,
        risk=risk_entry,
        risk_summary=d.risk_summary,
        information=tuple(
            InformationEntry(
                agency=data.agencies[i.agency_id].name,
                text=i.text,
                restricted=i.restricted,
                given_by=data.person_name(i.given_by_id),
                as_at=_iso(i.as_at),
                declined=i.declined,
            )
            for i in data.information.get(d.id, [])
        ),
        rmp=tuple(rmp),
        previous_actions=tuple(
            action_entry(a, previous=True) for a in data.previous_actions.get(case.id, [])
        ),
        new_actions=tuple(
            action_entry(a, previous=False) for a in data.new_actions.get(case.id, [])
        ),
        decisions=tuple(decision_entries),
        next_review_date=_iso(next_review),
        meeting_seq=data.earlier_meetings.get(case.id, 0) + 1,
        previous_meeting_date=_iso(data.last_review.get(case.id)),
        offence_details=case.offence_details,
        previous_offences=case.previous_offences,
        relevant_dates=case.relevant_dates,
        registered_on=_iso(reg.start_date if reg else None),
        discussion=d.notes,
        victim_issues=d.victim_issues,
        diversity_issues=d.diversity_issues,
        risk_trend=d.risk_trend.value if d.risk_trend else "",
        attendance=tuple(
            CaseAttendeeEntry(
                name=a.person_name,
                agency=a.agency_name,
                role_title=a.role_title,
                status=a.status.value if a.status else AttendanceStatus.ABSENT.value,
                panel=a.panel,
            )
            for a in data.case_attendees(d)
        ),
        invited_agencies=tuple(data.agencies[i].name for i in data.invited.get(d.id, [])),
    )


def _decided_review(decisions: Sequence[Decision]) -> date | None:
    """The next review date set at this meeting (the latest decision that sets one)."""
    found = None
    for x in decisions:
        if (
            x.kind in (DecisionKind.LEVEL, DecisionKind.NEXT_REVIEW, DecisionKind.CATEGORY)
            and x.next_review_date is not None
        ):
            found = x.next_review_date
    return found


def build_content(session: Session, meeting_id: int) -> MinutesContent:
    """The minutes' content from the live record (cases in agenda order)."""
    return _content_from(session, meetings.load_meeting_data(session, meeting_id, for_minutes=True))


# --- sign-off ------------------------------------------------------------------------------------


def _user_names(session: Session, user_ids: Sequence[int]) -> dict[int, str]:
    rows = session.execute(
        select(User.id, Person.given_names, Person.family_name)
        .join(Person, Person.id == User.person_id)
        .where(User.id.in_(sorted(set(user_ids))))
    )
    return {uid: f"{given} {family}".strip() for uid, given, family in rows}


def _require_chair(session: Session, actor: Actor, meeting: Meeting, doing: str) -> None:
    if actor.person_id != meeting.chair_id:
        chair = session.get(Person, meeting.chair_id)
        name = chair.display_name if chair else f"person {meeting.chair_id}"
        raise PermissionDenied(
            f"{actor.display_name} ({actor.login}) cannot {doing}: only the meeting's chair, "
            f"{name}, can."
        )


def _minutes_for(session: Session, meeting_id: int) -> Minutes | None:
    return session.scalar(select(Minutes).where(Minutes.meeting_id == meeting_id))


def _addenda(session: Session, minutes_id: int) -> list[Addendum]:
    return list(
        session.scalars(
            select(Addendum).where(Addendum.minutes_id == minutes_id).order_by(Addendum.seq)
        )
    )


def _record(session: Session, minutes: Minutes) -> MinutesRecord:
    addenda = _addenda(session, minutes.id)
    return MinutesRecord(
        id=minutes.id,
        meeting_id=minutes.meeting_id,
        content_sha256=minutes.content_sha256,
        version_sha256=minutes_hash.stored_versions(minutes, addenda)[-1],
        signed_by_id=minutes.signed_by_id,
        signed_by=minutes.signer_name,
        signed_at=minutes.signed_at,
        has_signature=minutes.signature is not None,
        addenda=len(addenda),
        hash_scheme=minutes.hash_scheme,
    )


def get_minutes(session: Session, meeting_id: int) -> MinutesRecord | None:
    """The meeting's frozen minutes, or None while it is not signed off."""
    get_or_404(session, Meeting, meeting_id, "meeting")
    minutes = _minutes_for(session, meeting_id)
    return None if minutes is None else _record(session, minutes)


def _apply_decisions(session: Session, actor: Actor, data: meetings.MeetingData) -> None:
    """Apply level, category, next-review and exit decisions to the cases' registrations."""
    for d in data.discussions:
        try:
            _apply_case_decisions(session, actor, data, d)
        except (ValidationError, StateError) as exc:
            detail = (
                "; ".join(exc.errors.values()) if isinstance(exc, ValidationError) else str(exc)
            )
            raise ValidationError.single(
                "registration",
                f"{data.case_name(d.case_id)}: the decisions of this meeting cannot be applied "
                f"to the case's registration ({detail.rstrip('.')}). Correct the decision or the "
                "registration, then sign off again.",
            ) from None


def _apply_case_decisions(
    session: Session, actor: Actor, data: meetings.MeetingData, d: CaseDiscussion
) -> None:
    from mappa_desktop.services import registration  # Helper A's module, imported when needed

    meeting = data.meeting
    reg = data.registrations.get(d.case_id)
    if reg is None or reg.ended_on is not None:
        return
    decisions = data.decisions.get(d.id, [])
    exits = [x for x in decisions if x.kind is DecisionKind.EXIT]
    if exits:
        last = exits[-1]
        registration.end_registration(
            session,
            actor,
            d.case_id,
            ended_on=meeting.meeting_date,
            end_reason=f"{last.outcome} ({last.rationale})" if last.rationale else last.outcome,
            meeting_id=meeting.id,
        )
        return
    level, category = reg.level, reg.category
    rationale_parts: list[str] = []
    for x in decisions:
        if x.kind is DecisionKind.LEVEL and x.new_level is not None:
            level = x.new_level
            rationale_parts.append(x.rationale)
        if x.kind in (DecisionKind.LEVEL, DecisionKind.CATEGORY) and x.new_category:
            category = x.new_category
            if x.kind is DecisionKind.CATEGORY:
                rationale_parts.append(x.rationale)
    next_review = _decided_review(decisions)
    if (category, level) != (reg.category, reg.level):
        registration.change_registration(
            session,
            actor,
            d.case_id,
            category=category,
            level=level,
            rationale=" ".join(p for p in rationale_parts if p) or "Decided at the meeting.",
            effective_date=meeting.meeting_date,
            meeting_id=meeting.id,
            next_review_due=next_review,
        )
    elif next_review is not None:
        registration.set_next_review(session, actor, d.case_id, next_review, meeting_id=meeting.id)


# Frozen and printed for a needs-reason finding when the caller cannot ask for reasons (today's
# sign-off window: issue 11 item 2 is still open), so the record says so instead of looking clean.
# Starts "No reason recorded" like the text frozen by earlier versions (``meeting_audit`` reads
# the prefix). The sign-off window always asks; only a caller that cannot ask passes None.
REASON_NOT_ASKED = "No reason recorded: signed off by a route that does not ask for reasons."


def _audit_reasons(
    session: Session, data: meetings.MeetingData, reasons: Mapping[str, str] | None
) -> tuple[AuditReason, ...]:
    """The chair's reason for each needs-reason finding of the self-audit; refused while any
    must-fix finding remains or a needs-reason finding has no reason. ``reasons=None`` (a caller
    that cannot ask) freezes each needs-reason finding with ``REASON_NOT_ASKED``."""
    found = self_audit.judge(data, settings.audit_settings(session), utcnow().date())
    if found.must_fix:
        raise ValidationError.single("self_audit", "\n".join(f.message for f in found.must_fix))
    wanted = {f.id: f for f in found.needs_reason}
    check = Checker()
    for key in reasons or {}:
        if key not in wanted:
            check.fail("reasons", f"No finding '{key}' needs a reason at this sign-off.")
    out = []
    for finding in found.needs_reason:
        given = REASON_NOT_ASKED if reasons is None else reasons.get(finding.id, "")
        if not given.strip():
            check.fail(f"reason:{finding.id}", f"{finding.message} Give the chair's reason.")
            continue
        clean = check.text(f"reason:{finding.id}", given, max_len=MAX_REASON)
        if clean is not None:
            out.append(
                AuditReason(
                    finding_id=finding.id,
                    case_id=finding.case_id,
                    criterion=finding.criterion,
                    finding=finding.message,
                    reason=clean,
                )
            )
    check.done()
    return tuple(out)


def sign_off(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    signature: bytes | None = None,
    reasons: Mapping[str, str] | None = None,
) -> MinutesRecord:
    """The chair signs the minutes off: the content is frozen with its SHA-256, the decisions
    are applied to the cases' registrations, and the meeting becomes signed off.

    The self-audit runs first: any must-fix finding refuses the sign-off, and each needs-reason
    finding needs a reason in ``reasons`` (keyed by finding id), frozen with the content. With
    ``reasons=None`` each is frozen as ``REASON_NOT_ASKED`` (a caller that cannot ask)."""
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    _require_chair(session, actor, meeting, "sign off these minutes")
    meetings.check_transition(meeting, MeetingStatus.SIGNED_OFF)
    if signature is not None and not isinstance(signature, bytes):
        raise ValidationError.single("signature", "The signature must be the signature's bytes.")
    data = meetings.load_meeting_data(session, meeting.id, for_minutes=True)
    problems = meetings.problems_from(data)
    if problems:
        raise ValidationError.single("checklist", "\n".join(problems))
    reasoned = _audit_reasons(session, data, reasons)
    content = replace(_content_from(session, data), self_audit=reasoned)
    canonical = canonical_json(content)
    digest = content_hash(canonical)
    signer = _actor_signer(session, actor)
    signed_at = utcnow()
    parts = minutes_hash.minutes_parts(canonical, signer, signed_at)
    minutes = Minutes(
        meeting_id=meeting.id,
        content=canonical,
        content_sha256=digest,
        signed_by_id=actor.user_id,
        signed_at=signed_at,
        signature=signature,
        hash_scheme=minutes_hash.SCHEME,
        signer_name=signer.name,
        signer_agency=signer.agency,
        signer_role=signer.role,
        hash_parts=minutes_hash.canonical(parts),
        record_sha256=minutes_hash.chain_hash("minutes", parts, ""),
    )
    session.add(minutes)
    try:
        flush(
            session,
            "minutes",
            integrity_field="meeting",
            integrity_message="These minutes are already signed off.",
        )
    except ValidationError as exc:
        raise StateError(exc.errors["meeting"]) from None
    _apply_decisions(session, actor, data)
    meetings.transition(session, actor, meeting, MeetingStatus.SIGNED_OFF)
    audit.record(
        session,
        actor,
        "minutes",
        minutes.id,
        "sign_off",
        {
            "content_sha256": [None, digest],
            "record_sha256": [None, minutes.record_sha256],
            "signed": [None, signature is not None],
            "self_audit_reasons": [None, {r.finding_id: r.reason for r in reasoned}],
        },
        meeting_id=meeting.id,
    )
    return _record(session, minutes)


def _signed(session: Session, meeting: Meeting, doing: str) -> Minutes:
    minutes = _minutes_for(session, meeting.id)
    if meeting.status not in FROZEN_STATUSES or minutes is None:
        raise StateError(
            f"The minutes of the meeting of {meeting.meeting_date.isoformat()} are not signed "
            f"off yet, so you cannot {doing}; edit the draft instead."
        )
    return minutes


def _lock_meeting(session: Session, meeting_id: int) -> Meeting:
    """The meeting row, locked until commit on PostgreSQL so numbering cannot race."""
    meeting = session.scalar(
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if meeting is None:
        return get_or_404(session, Meeting, meeting_id, "meeting")  # raises NotFound
    return meeting


def add_addendum(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    reason: str,
    text: str,
    case_id: int | None = None,
) -> AddendumRow:
    """A correction to signed-off minutes, signed off by the chair (never an in-place edit):
    to one offender's record (``case_id``, a case on the meeting's agenda) or, with None, to the
    meeting-wide record."""
    meeting = _lock_meeting(session, meeting_id)
    _require_chair(session, actor, meeting, "add an addendum to these minutes")
    minutes = _signed(session, meeting, "add an addendum")
    check = Checker()
    clean_reason = check.text("reason", reason, max_len=MAX_REASON)
    clean_text = check.text("text", text, max_len=MAX_TEXT)
    _check_case_on_agenda(session, check, meeting, case_id)
    check.done()
    assert clean_reason is not None and clean_text is not None
    earlier = _addenda(session, minutes.id)
    previous = minutes_hash.stored_versions(minutes, earlier)[-1]
    signer = _actor_signer(session, actor)
    signed_at = utcnow()
    parts = minutes_hash.addendum_parts(clean_text, clean_reason, signer, signed_at, case_id)
    digest = minutes_hash.chain_hash("addendum", parts, previous)
    row = Addendum(
        minutes_id=minutes.id,
        seq=(earlier[-1].seq if earlier else 0) + 1,
        case_id=case_id,
        reason=clean_reason,
        text=clean_text,
        content_sha256=digest,
        signed_by_id=actor.user_id,
        signed_at=signed_at,
        hash_scheme=minutes_hash.SCHEME,
        signer_name=signer.name,
        signer_agency=signer.agency,
        signer_role=signer.role,
        hash_parts=minutes_hash.canonical(parts),
    )
    session.add(row)
    flush(session, "addendum")
    version = digest
    audit.record(
        session,
        actor,
        "addendum",
        row.id,
        "create",
        audit.created(
            {
                "seq": row.seq,
                "case_id": case_id,
                "reason": clean_reason,
                "text": clean_text,
                "sha256": digest,
            }
        ),
        case_id=case_id,
        meeting_id=meeting.id,
    )
    return AddendumRow(
        id=row.id,
        minutes_id=minutes.id,
        meeting_id=meeting.id,
        seq=row.seq,
        reason=row.reason,
        text=row.text,
        content_sha256=digest,
        signed_by=signer.name,
        signed_at=row.signed_at,
        version_sha256=version,
        case_id=case_id,
    )


def _check_case_on_agenda(
    session: Session, check: Checker, meeting: Meeting, case_id: int | None
) -> None:
    """An addendum to one offender's record names a case on the meeting's agenda."""
    if case_id is None:
        return
    on_agenda = isinstance(case_id, int) and not isinstance(case_id, bool)
    if on_agenda:
        on_agenda = (
            session.scalar(
                select(CaseDiscussion.id).where(
                    CaseDiscussion.meeting_id == meeting.id, CaseDiscussion.case_id == case_id
                )
            )
            is not None
        )
    if not on_agenda:
        check.fail(
            "case",
            f"Case {case_id} was not on the agenda of the meeting of "
            f"{meeting.meeting_date.isoformat()}; choose an offender discussed at it, or none "
            "for a correction to the meeting-wide record.",
        )


def _distribution_row(
    d: Distribution, meeting_id: int, issued_by: dict[int, str]
) -> DistributionRow:
    return DistributionRow(
        id=d.id,
        minutes_id=d.minutes_id,
        meeting_id=meeting_id,
        copy_number=d.copy_number,
        recipient_name=d.recipient_name,
        recipient_person_id=d.recipient_person_id,
        recipient_agency_id=d.recipient_agency_id,
        variant=d.variant,
        version_sha256=d.version_sha256,
        channel=d.channel,
        issued_by=issued_by.get(d.issued_by_id, ""),
        issued_at=d.issued_at,
        case_id=d.case_id,
        reason=d.reason,
    )


def record_distribution(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    recipient_name: str,
    recipient_person_id: int | None = None,
    recipient_agency_id: int | None = None,
    variant: DistributionVariant | str = DistributionVariant.FULL,
    channel: str = "",
    case_id: int | None = None,
    reason: str = "",
) -> DistributionRow:
    """Log one issued copy: the next copy number and the version it carries.

    Every copy goes to a known person (``recipient_person_id``), issued to them as of their own
    agency. With ``case_id`` the copy is that offender's record of the meeting: a recipient
    whose agency has no need to know the case (``need_to_know``) is refused unless ``reason``
    (the chair's permission, MAPPA D) is given. Without it the copy is the meeting-wide record,
    which holds every offender's record: refused, unless ``reason`` is given, to anyone but the
    chair, co-ordinator and minute-taker and those who need to know every case on the agenda.
    The reason is stored and audited."""
    require_role(
        actor,
        Role.ADMINISTRATOR,
        Role.COORDINATOR,
        Role.CHAIR,
        doing="distribute minutes",
    )
    meeting = _lock_meeting(session, meeting_id)
    minutes = _signed(session, meeting, "distribute them")
    check = Checker()
    clean_name = check.text("recipient_name", recipient_name, max_len=MAX_RECIPIENT)
    person = None
    if recipient_person_id is not None:
        person = resolve_person(
            session, "recipient_person", recipient_person_id, check, what="recipient"
        )
    if recipient_agency_id is not None:
        resolve_agency(session, "recipient_agency", recipient_agency_id, check)
    clean_variant = check.enum("variant", variant, DistributionVariant)
    clean_channel = check.text("channel", channel, required=False, max_len=MAX_CHANNEL) or ""
    clean_reason = check.text("reason", reason, required=False, max_len=MAX_REASON) or ""
    if case_id is not None:
        need_to_know.check_record_copy(
            session, check, meeting, case_id, person, recipient_agency_id, clean_variant
        )
    else:
        need_to_know.check_recipient(
            check, person, recipient_person_id, recipient_agency_id, "the meeting-wide record"
        )
    check.done()
    assert clean_name is not None and clean_variant is not None and person is not None
    if case_id is not None:
        need_to_know.require_need_or_reason(session, meeting.id, case_id, person, clean_reason)
    else:
        need_to_know.require_need_for_every_case(session, meeting.id, person, clean_reason)
    recipient_agency_id = person.agency_id
    last = session.scalar(
        select(func.max(Distribution.copy_number)).where(Distribution.minutes_id == minutes.id)
    )
    version = minutes_hash.stored_versions(minutes, _addenda(session, minutes.id))[-1]
    row = Distribution(
        minutes_id=minutes.id,
        copy_number=(last or 0) + 1,
        recipient_person_id=recipient_person_id,
        recipient_agency_id=recipient_agency_id,
        recipient_name=clean_name,
        variant=clean_variant,
        version_sha256=version,
        channel=clean_channel,
        issued_by_id=actor.user_id,
        issued_at=utcnow(),
        case_id=case_id,
        reason=clean_reason,
    )
    session.add(row)
    flush(session, "distribution")
    audit.record(
        session,
        actor,
        "distribution",
        row.id,
        "create",
        audit.created(
            {
                "copy_number": row.copy_number,
                "recipient_name": clean_name,
                "recipient_person_id": recipient_person_id,
                "recipient_agency_id": recipient_agency_id,
                "variant": clean_variant,
                "version_sha256": row.version_sha256,
                "channel": clean_channel,
                "case_id": case_id,
                "reason": clean_reason,
            }
        ),
        case_id=case_id,
        meeting_id=meeting.id,
    )
    if meeting.status is MeetingStatus.SIGNED_OFF:
        meetings.transition(session, actor, meeting, MeetingStatus.DISTRIBUTED)
    return _distribution_row(row, meeting.id, {actor.user_id: actor.display_name})


def list_distributions(session: Session, meeting_id: int) -> list[DistributionRow]:
    """Every issued copy of the meeting's minutes (meeting-wide record or one offender's,
    ``case_id``), by copy number."""
    get_or_404(session, Meeting, meeting_id, "meeting")
    rows = list(
        session.scalars(
            select(Distribution)
            .join(Minutes, Minutes.id == Distribution.minutes_id)
            .where(Minutes.meeting_id == meeting_id)
            .order_by(Distribution.copy_number)
        )
    )
    names = _user_names(session, [d.issued_by_id for d in rows])
    return [_distribution_row(d, meeting_id, names) for d in rows]


# --- documents and verification -------------------------------------------------------------------


def _altered(when: str, check: minutes_hash.RecordCheck) -> str:
    return (
        f"The stored minutes of the meeting of {when} no longer match their hash: "
        f"{minutes_hash.describe_problems(check.problems)} changed since sign-off "
        f"({minutes_hash.SCHEME_NAMES.get(check.scheme, f'hash scheme {check.scheme}')}); the "
        "database has been altered outside the application. Report this to your administrator."
    )


def minutes_document(
    session: Session,
    meeting_id: int,
    *,
    recipient: str = "",
    copy_number: int | None = None,
    variant: DistributionVariant | str = DistributionVariant.FULL,
    version_sha256: str | None = None,
    generated_at: str | None = None,
    case_id: int | None = None,
) -> MinutesDocument:
    """What a minutes PDF shows: the frozen content, signer and addenda of signed minutes, or
    the live draft (``sign_off`` None) of a meeting not yet signed off.

    ``version_sha256`` asks for an earlier version (only the addenda it includes) and
    ``generated_at`` fixes the printed time: together they let ``verify`` render a copy again.
    ``case_id`` makes it that offender's record of the meeting (a case on its agenda, full or
    redacted); None, the meeting-wide record (full, or the disclosure summary of old)."""
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    check = Checker()
    clean_variant = check.enum("variant", variant, DistributionVariant)
    clean_recipient = check.text("recipient", recipient, required=False, max_len=MAX_RECIPIENT)
    if copy_number is not None and (
        isinstance(copy_number, bool) or not isinstance(copy_number, int) or copy_number < 1
    ):
        check.fail("copy_number", "The copy number must be a whole number from 1 upwards.")
    if clean_variant is not None and clean_variant not in _VARIANTS[case_id is not None]:
        what = "an offender's record" if case_id is not None else "the meeting-wide record"
        allowed = " or ".join(v.value for v in _VARIANTS[case_id is not None])
        check.fail("variant", f"{what.capitalize()} is issued {allowed}, not {clean_variant}.")
    check.done()
    assert clean_variant is not None
    minutes = _minutes_for(session, meeting.id)
    generated = generated_at if generated_at is not None else utcnow().isoformat()
    if minutes is None:
        content = build_content(session, meeting.id)
        _check_record_case(content, case_id)
        return MinutesDocument(
            content=content,
            sign_off=None,
            recipient=clean_recipient or "",
            copy_number=copy_number,
            variant=clean_variant.value,
            case_id=case_id,
            generated_at=generated,
        )
    addenda = _addenda(session, minutes.id)
    record = minutes_hash.check_record(minutes, addenda)
    if not record.intact:
        raise StorageError(_altered(meeting.meeting_date.isoformat(), record))
    included = len(addenda)
    if version_sha256 is not None:
        if version_sha256 not in record.versions:
            raise StateError(
                f"No version {version_sha256} of the minutes of meeting {meeting.id} was issued."
            )
        included = record.versions.index(version_sha256)
    content = MinutesContent.from_dict(json.loads(minutes.content))
    _check_record_case(content, case_id)
    return MinutesDocument(
        content=content,
        sign_off=SignOffBlock(
            chair=printed_signer(minutes_hash.minutes_signer(minutes)),
            signed_at=minutes.signed_at.isoformat(),
            content_sha256=minutes.content_sha256,
        ),
        addenda=tuple(
            AddendumEntry(
                seq=a.seq,
                reason=a.reason,
                text=a.text,
                signed_by=printed_signer(minutes_hash.addendum_signer(a)),
                signed_at=a.signed_at.isoformat(),
                content_sha256=a.content_sha256,
                case_id=a.case_id,
            )
            for a in addenda[:included]
        ),
        recipient=clean_recipient or "",
        copy_number=copy_number,
        variant=clean_variant.value,
        case_id=case_id,
        generated_at=generated,
        extra={"version_sha256": record.versions[included]},
    )


# The variants each kind of document is issued in: [is one offender's record]
_VARIANTS = {
    False: (DistributionVariant.FULL, DistributionVariant.DISCLOSURE_SUMMARY),
    True: (DistributionVariant.FULL, DistributionVariant.REDACTED),
}


def _check_record_case(content: MinutesContent, case_id: int | None) -> None:
    """An offender's record is of a case the minutes cover (field "case")."""
    if case_id is None or any(c.case_id == case_id for c in content.cases):
        return
    when = content.meeting.date
    raise ValidationError.single(
        "case",
        f"Case {case_id} was not on the agenda of the meeting of {when}, so the minutes hold no "
        "record of it.",
    )


def verify(
    session: Session, content_sha256: str, version_sha256: str | None = None
) -> Verification:
    """Are the stored minutes with this content hash intact (every hash recomputed from the
    stored fields), is this version one of theirs, and is it current? The signer is the one
    frozen at sign-off, never looked up."""
    wanted = (content_sha256 or "").strip().lower()
    minutes = session.scalar(select(Minutes).where(Minutes.content_sha256 == wanted))
    if minutes is None:
        return Verification(
            genuine=False,
            current=False,
            meeting_id=None,
            signed_by="",
            signed_at=None,
            superseded_by_addenda=0,
            reason=(
                "No signed-off minutes with this content hash exist in this database: the "
                "document is not a genuine copy, has been altered, or comes from another database."
            ),
        )
    addenda = _addenda(session, minutes.id)
    record = minutes_hash.check_record(minutes, addenda)
    versions = list(record.versions)
    meeting = session.get(Meeting, minutes.meeting_id)
    when = meeting.meeting_date.isoformat() if meeting else "?"
    signer = printed_signer(minutes_hash.minutes_signer(minutes))
    signed = f"signed off by {signer} on {minutes.signed_at.date().isoformat()}"

    def result(genuine: bool, behind: int, reason: str) -> Verification:
        return Verification(
            genuine=genuine,
            current=genuine and behind == 0,
            meeting_id=minutes.meeting_id,
            signed_by=signer,
            signed_at=minutes.signed_at,
            superseded_by_addenda=behind,
            reason=reason,
            current_version_sha256=versions[-1],
            hash_scheme=minutes.hash_scheme,
            addenda=len(versions) - 1 - behind,
        )

    if not record.intact:
        return result(False, 0, _altered(when, record))
    claimed = (version_sha256 or "").strip().lower() or versions[0]
    if claimed not in versions:
        return result(
            False,
            0,
            f"The content hash matches the minutes of the meeting of {when} ({signed}), but the "
            "version hash matches no version ever issued: the document may have been altered.",
        )
    behind = len(versions) - 1 - versions.index(claimed)
    if behind == 0:
        with_addenda = f", with {len(addenda)} addenda" if addenda else ""
        return result(
            True,
            0,
            f"Genuine and current: the minutes of the meeting of {when}, {signed}{with_addenda}.",
        )
    plural = "addendum" if behind == 1 else "addenda"
    return result(
        True,
        behind,
        f"Genuine but superseded: the minutes of the meeting of {when}, {signed}, have "
        f"{behind} later {plural}; obtain the current copy.",
    )
