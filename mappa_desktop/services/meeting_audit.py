"""The MAPPA L meeting audit and the case audit per offender, produced from a signed record.

An auditor observing a Level 2/3 meeting fills in the MAPPA L form ("Audit of Level 2 and
Level 3 meetings", DOMAIN §3.2) and, per offender, the national case-audit criteria (DOMAIN
§4.2, §3.1-3.2). Most of their questions are answered by the signed minutes themselves: this
module answers each one it can from the frozen content (what was signed, never the live tables,
so the audit of a meeting never changes), Yes / No / Partly with the evidence, and leaves those
only an observer can judge (did it start on time, was time allocated by importance...) "For the
auditor to complete". A meeting that is not signed off has no record to audit: refused.

Read in a fixed number of statements (the minutes row, its addenda count, the settings).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mappa_desktop.db.base import utcnow
from mappa_desktop.db.models import Addendum, Meeting, Minutes
from mappa_desktop.domain.errors import StateError
from mappa_desktop.services import csv_files, settings
from mappa_desktop.services.common import get_or_404
from mappa_desktop.services.minutes_content import (
    ActionEntry,
    AuditReason,
    CaseEntry,
    MinutesContent,
)
from mappa_desktop.services.self_audit import FOUR_PILLARS, working_days_between

# What counts as there for a case: in the room or a written report received.
_THERE = ("present", "deputy", "report_submitted")
_DECIDED = ("level", "exit")
_TOOLS = {"oasys": "OASys", "rm2000": "RM2000", "osp": "OSP", "arms": "ARMS", "other": "Other"}
# The record format (``MinutesContent.schema``) that first held victim and diversity issues,
# per-case attendance and action purposes.
_PER_CASE_SCHEMA = 3


class Answer(StrEnum):
    YES = "Yes"
    NO = "No"
    PARTLY = "Partly"
    AUDITOR = "For the auditor to complete"


@dataclass(frozen=True, slots=True)
class AuditItem:
    number: str  # "M5", "C7": the criterion's place in this audit
    criterion: str  # the question, as the audit form asks it
    answer: Answer
    evidence: str  # what the record shows (for an observer-only item: what it can offer)


@dataclass(frozen=True, slots=True)
class CaseAudit:
    case_id: int
    name: str
    agenda_order: int
    items: tuple[AuditItem, ...]


@dataclass(frozen=True, slots=True)
class MeetingAudit:
    meeting_id: int
    area: str
    level: int
    meeting_type: str
    meeting_date: date
    venue: str
    chair: str  # "name (role, agency)"
    signed_by: str
    signed_at: datetime
    content_sha256: str
    record_format: int  # the content's schema number
    generated_at: datetime
    meeting_items: tuple[AuditItem, ...]
    cases: tuple[CaseAudit, ...]

    @property
    def all_items(self) -> Iterable[tuple[CaseAudit | None, AuditItem]]:
        """Every answered criterion: the meeting's first, then each case's in agenda order."""
        for item in self.meeting_items:
            yield None, item
        for case in self.cases:
            for item in case.items:
                yield case, item


OBSERVER_ONLY = "Only an observer at the meeting can judge this; the record does not show it."


def meeting_audit(
    session: Session, meeting_id: int, *, generated_at: datetime | None = None
) -> MeetingAudit:
    """The audit of a signed meeting, from its frozen record; refused (StateError) before
    sign-off."""
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    minutes = session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
    if minutes is None:
        raise StateError(
            f"The meeting of {meeting.meeting_date.isoformat()} (meeting {meeting.id}) is not "
            "signed off, so there is no record to audit yet; the audit is produced from the "
            "signed minutes."
        )
    content = MinutesContent.from_dict(json.loads(minutes.content))
    addenda = session.scalar(
        select(func.count()).select_from(Addendum).where(Addendum.minutes_id == minutes.id)
    )
    policy = settings.audit_settings(session)
    identity = content.meeting
    chair_details = ", ".join(p for p in (identity.chair_role, identity.chair_agency) if p)
    signed_on = minutes.signed_at.date()
    late = working_days_between(meeting.meeting_date, signed_on)
    return MeetingAudit(
        meeting_id=meeting.id,
        area=identity.area,
        level=identity.level,
        meeting_type=identity.meeting_type,
        meeting_date=meeting.meeting_date,
        venue=identity.venue,
        chair=f"{identity.chair} ({chair_details})" if chair_details else identity.chair,
        signed_by=minutes.signer_name or identity.chair,
        signed_at=minutes.signed_at,
        content_sha256=minutes.content_sha256,
        record_format=content.schema,
        generated_at=generated_at or utcnow(),
        meeting_items=_meeting_items(
            content,
            signed_at=minutes.signed_at,
            working_days=late,
            policy_days=policy.sign_off_working_days,
            addenda=addenda or 0,
        ),
        cases=tuple(
            CaseAudit(
                case_id=c.case_id,
                name=_name(c),
                agenda_order=c.agenda_order,
                items=_case_items(content, c),
            )
            for c in content.cases
        ),
    )


# --- the meeting (MAPPA L) ------------------------------------------------------------------------


def _meeting_items(
    content: MinutesContent,
    *,
    signed_at: datetime,
    working_days: int,
    policy_days: int,
    addenda: int,
) -> tuple[AuditItem, ...]:
    cases = content.cases
    identity = content.meeting
    per_case = content.schema >= _PER_CASE_SCHEMA
    start = (
        f"The record holds the scheduled start, {identity.start_time}, not the actual one."
        if identity.start_time
        else "No start time is recorded."
    )
    roles = sum(1 for a in content.attendance if a.role_title.strip())
    items = [
        _observer(
            "Joining instructions and the paperwork (referral, previous minutes) were sent "
            "before the meeting."
        ),
        _observer("The meeting started on time.", start),
        _observer("The purpose and objectives of the meeting were stated."),
        _observer(
            "Attendees introduced themselves and their role.",
            f"The attendance records a role for {roles} of {len(content.attendance)} attendees.",
        ),
        _statement(content),
        _chair(content),
        _across(
            "Every agency relevant to each case attended or sent a report.",
            cases,
            lambda c: _agencies_there(content, c),
        ),
        _observer("Time was allocated to each case according to its importance."),
        _observer(
            "The chair encouraged each attendee to contribute.",
            _contributions(cases),
        ),
        _dissent(cases),
        _across(
            "The chair ensured victim and potential-victim issues were addressed.",
            cases,
            lambda c: _text_recorded(c.victim_issues, "victim issues"),
            per_case,
        ),
        _across(
            "The chair ensured diversity issues were addressed.",
            cases,
            lambda c: _text_recorded(c.diversity_issues, "diversity issues"),
            per_case,
        ),
        _across(
            "The chair summarised the risk of serious harm factors.",
            cases,
            _risk_summarised,
        ),
        _across(
            "Actions were set with an owner and a due date (and a stated purpose).",
            cases,
            lambda c: _actions_complete(c, per_case),
        ),
        _across("Actions from previous meetings were reviewed.", cases, _previous_reviewed),
        _signed(content, signed_at, working_days, policy_days, addenda),
        _reasons_item(content),
    ]
    return tuple(
        AuditItem(f"M{n}", i.criterion, i.answer, i.evidence) for n, i in enumerate(items, 1)
    )


def _item(criterion: str, answer: Answer, evidence: str) -> AuditItem:
    return AuditItem("", criterion, answer, evidence)


def _observer(criterion: str, offer: str = "") -> AuditItem:
    return _item(criterion, Answer.AUDITOR, f"{OBSERVER_ONLY} {offer}".strip())


def _statement(content: MinutesContent) -> AuditItem:
    criterion = (
        "The Confidentiality and Diversity Statement was read, or attention drawn to a "
        "displayed copy."
    )
    if not content.statement_confirmed_by:
        return _item(criterion, Answer.NO, "No confirmation that it was read is recorded.")
    when = content.statement_confirmed_at.replace("T", " ")[:16]
    return _item(
        criterion,
        Answer.YES,
        f"Confirmed as read by {content.statement_confirmed_by}"
        + (f" at {when} UTC." if when else "."),
    )


def _chair(content: MinutesContent) -> AuditItem:
    identity = content.meeting
    criterion = "The chair is named with their agency and rank or role."
    missing = [
        what
        for what, value in (
            ("name", identity.chair),
            ("agency", identity.chair_agency),
            ("role", identity.chair_role),
        )
        if not value.strip()
    ]
    details = ", ".join(p for p in (identity.chair_role, identity.chair_agency) if p)
    shown = f"Chair: {identity.chair}" + (f" ({details})." if details else ".")
    if not missing:
        return _item(criterion, Answer.YES, shown)
    answer = Answer.NO if "name" in missing else Answer.PARTLY
    return _item(criterion, answer, f"{shown} Not recorded: the chair's {', '.join(missing)}.")


def _contributions(cases: Sequence[CaseEntry]) -> str:
    agencies = sorted({i.agency for c in cases for i in c.information}, key=str.casefold)
    if not agencies:
        return "No information shared by an agency is recorded."
    return f"Information is recorded from {len(agencies)} agencies: {', '.join(agencies)}."


def _dissent(cases: Sequence[CaseEntry]) -> AuditItem:
    criterion = (
        "Any dissent was noted, agreement reached on how to proceed and the decision recorded."
    )
    undecided = [
        _name(c)
        for c in cases
        if not any(x.rationale.strip() for x in c.decisions if x.kind in _DECIDED)
    ]
    decisions = sum(len(c.decisions) for c in cases)
    views = [
        f"{_name(c)}: {s.by or 'unnamed'}" for c in cases for x in c.decisions for s in x.dissents
    ]
    dissent = (
        f"{len(views)} dissenting view(s) recorded ({'; '.join(views)})."
        if views
        else "No dissent is recorded."
    )
    evidence = f"{decisions} decision(s) recorded with their rationale. {dissent}"
    if not cases:
        return _item(criterion, Answer.NO, "No case is recorded.")
    if undecided:
        answer = Answer.NO if len(undecided) == len(cases) else Answer.PARTLY
        return _item(
            criterion,
            answer,
            f"{evidence} No level or exit decision with a rationale for: {', '.join(undecided)}.",
        )
    return _item(criterion, Answer.YES, evidence)


def _signed(
    content: MinutesContent,
    signed_at: datetime,
    working_days: int,
    policy_days: int,
    addenda: int,
) -> AuditItem:
    criterion = "The minutes were signed off in good time."
    when = (
        f"Signed off on {signed_at.strftime('%Y-%m-%d %H:%M')} UTC, {working_days} working "
        f"day(s) after the meeting (local policy: {policy_days})."
    )
    corrected = f" {addenda} addendum/addenda signed since." if addenda else ""
    if working_days <= policy_days:
        return _item(criterion, Answer.YES, when + corrected)
    reasons = [r.reason for r in content.self_audit or () if r.criterion == "late_sign_off"]
    why = f" The chair's reason: {reasons[0]}" if reasons else ""
    return _item(criterion, Answer.NO, when + why + corrected)


def _reasons_item(content: MinutesContent) -> AuditItem:
    criterion = (
        "Each self-audit finding that needed the chair's reasoning was signed with a reason."
    )
    if content.self_audit is None:
        return _item(
            criterion,
            Answer.AUDITOR,
            "The minutes were signed off before the sign-off self-audit existed; their record "
            "stands as signed.",
        )
    given = [r for r in content.self_audit if not _unreasoned(r)]
    if not content.self_audit:
        return _item(criterion, Answer.YES, "No finding needed the chair's reasoning.")
    evidence = "\n".join(f"{r.finding} Reason: {r.reason}" for r in content.self_audit)
    if len(given) == len(content.self_audit):
        return _item(criterion, Answer.YES, evidence)
    answer = Answer.NO if not given else Answer.PARTLY
    return _item(criterion, answer, evidence)


def _unreasoned(reason: AuditReason) -> bool:
    """Frozen by a sign-off that could not ask for reasons (``minutes.REASON_NOT_ASKED``)."""
    return reason.reason.startswith("No reason recorded")


def _across(
    criterion: str,
    cases: Sequence[CaseEntry],
    test: Callable[[CaseEntry], tuple[bool, str]],
    recorded: bool = True,
) -> AuditItem:
    """Yes when every case passes ``test``, No when none does, Partly otherwise; the evidence
    names each case. ``recorded=False``: the record's format does not hold what is asked."""
    if not recorded:
        return _item(criterion, Answer.AUDITOR, _OLDER_FORMAT)
    if not cases:
        return _item(criterion, Answer.NO, "No case is recorded.")
    results = [(c, *test(c)) for c in cases]
    passed = sum(1 for _c, ok, _note in results if ok)
    answer = Answer.YES if passed == len(cases) else Answer.NO if not passed else Answer.PARTLY
    evidence = "\n".join(f"{_name(c)}: {note}" for c, _ok, note in results)
    return _item(criterion, answer, evidence)


_OLDER_FORMAT = (
    "These minutes were signed in an earlier record format that does not hold this; check the "
    "signed minutes."
)


# --- per case -------------------------------------------------------------------------------------


def _case_items(content: MinutesContent, c: CaseEntry) -> tuple[AuditItem, ...]:
    per_case = content.schema >= _PER_CASE_SCHEMA
    category = (
        _item("The MAPPA category is identified.", Answer.YES, f"Category {c.category}.")
        if c.category
        else _item("The MAPPA category is identified.", Answer.NO, "No category is recorded.")
    )
    items = [
        category,
        _level(c),
        _lead(c),
        _observer(
            "The referral and the initial meeting were timely (very timely / should have been "
            "more than a week, a month or three months earlier).",
            _sequence(c),
        ),
        _plan(c),
        _information(c),
        _agencies_item(content, c),
        _recorded_item(
            "Victim and potential-victim issues were considered.",
            c.victim_issues,
            "victim issues",
            per_case,
        ),
        _recorded_item(
            "Diversity issues were considered.", c.diversity_issues, "diversity issues", per_case
        ),
        _risk_item(c),
        _decisions(c),
        _case_actions(c, per_case),
        _observer("The agenda was followed."),
        _case_reasons(content, c),
    ]
    return tuple(
        AuditItem(f"C{n}", i.criterion, i.answer, i.evidence) for n, i in enumerate(items, 1)
    )


def _name(c: CaseEntry) -> str:
    return f"{c.given_names} {c.family_name}".strip()


def _level(c: CaseEntry) -> AuditItem:
    criterion = "The management level is recorded, with the level decision and its rationale."
    decided = [x for x in c.decisions if x.kind in _DECIDED]
    said = " ".join(
        f"{x.kind.capitalize()} decision: {x.outcome}"
        + (f" ({x.rationale})." if x.rationale else ".")
        for x in decided
    )
    level = f"Level {c.level}." if c.level else "No level is recorded."
    if c.level and any(x.rationale.strip() for x in decided):
        return _item(criterion, Answer.YES, f"{level} {said}")
    answer = Answer.PARTLY if c.level or decided else Answer.NO
    return _item(criterion, answer, f"{level} {said or 'No level decision is recorded.'}")


def _lead(c: CaseEntry) -> AuditItem:
    criterion = "The lead agency and the offender manager are named."
    if c.lead_agency and c.offender_manager:
        return _item(
            criterion,
            Answer.YES,
            f"Lead agency {c.lead_agency}; offender manager {c.offender_manager}.",
        )
    if c.lead_agency:
        return _item(
            criterion, Answer.PARTLY, f"Lead agency {c.lead_agency}; no offender manager is named."
        )
    return _item(criterion, Answer.NO, "No lead agency is recorded.")


def _sequence(c: CaseEntry) -> str:
    reason = c.agenda_reason.replace("_", " ")
    if not c.meeting_seq:
        return f"On the agenda as: {reason}."
    previous = (
        f"; the previous one was on {c.previous_meeting_date}" if c.previous_meeting_date else ""
    )
    return (
        f"On the agenda as: {reason}. This offender's MAPPA meeting no. {c.meeting_seq}{previous}."
    )


def _plan(c: CaseEntry) -> AuditItem:
    criterion = (
        "The lead agency's risk management plan covers the four pillars, with a contingency "
        "plan (and every licence condition for a case on licence)."
    )
    active = [e for e in c.rmp if e.status == "active"]
    pillars = {e.pillar for e in active}
    wanted = [p.value for p in FOUR_PILLARS] + ["contingency"]
    if "licence" in c.sentence.casefold():
        wanted.append("licence_condition")
    missing = [p.replace("_", " ") for p in wanted if p not in pillars]
    counts = f"{len(active)} active plan item(s)"
    if not missing:
        return _item(criterion, Answer.YES, f"{counts} under every heading asked for.")
    answer = Answer.NO if not active else Answer.PARTLY
    return _item(criterion, answer, f"{counts}; nothing under: {', '.join(missing)}.")


def _information(c: CaseEntry) -> AuditItem:
    criterion = "Information was exchanged between agencies and considered."
    if not c.information:
        return _item(criterion, Answer.NO, "No information shared by an agency is recorded.")
    by_agency: dict[str, int] = {}
    for i in c.information:
        by_agency[i.agency] = by_agency.get(i.agency, 0) + 1
    declined = sorted({i.agency for i in c.information if i.declined}, key=str.casefold)
    shared = ", ".join(f"{a} ({n})" for a, n in sorted(by_agency.items()))
    note = (
        f" Declined to share, with the reason recorded: {', '.join(declined)}." if declined else ""
    )
    answer = Answer.YES if len(by_agency) > 1 else Answer.PARTLY
    lone = "" if len(by_agency) > 1 else " Only one agency's information is recorded."
    return _item(criterion, answer, f"Items recorded by agency: {shared}.{note}{lone}")


def _agencies_there(content: MinutesContent, c: CaseEntry) -> tuple[bool, str]:
    missing, relevant, source = _relevant_absent(content, c)
    if not missing:
        return True, f"all {len(relevant)} relevant agencies attended or reported{source}."
    return False, f"{', '.join(missing)} neither attended nor reported{source}."


def _agencies_item(content: MinutesContent, c: CaseEntry) -> AuditItem:
    """The case-audit form's scale: all attended / one did not / two or more did not."""
    criterion = (
        "All the relevant agencies attended or sent a report (all / one did not / two or more "
        "did not)."
    )
    missing, relevant, source = _relevant_absent(content, c)
    if not missing:
        return _item(
            criterion,
            Answer.YES,
            f"All attended or reported{source}: {', '.join(relevant)}.",
        )
    answer = Answer.PARTLY if len(missing) == 1 else Answer.NO
    return _item(
        criterion,
        answer,
        f"{len(missing)} did not attend or report{source}: {', '.join(missing)} "
        f"(relevant: {', '.join(relevant)}).",
    )


def _relevant_absent(content: MinutesContent, c: CaseEntry) -> tuple[list[str], list[str], str]:
    """(relevant agencies neither there nor reporting, the relevant agencies, where from).
    Relevant: the lead agency, the core panel, the agencies invited for the case and those with
    a part in its plan. Records before per-case attendance use the meeting-wide attendance."""
    plan = {e.responsible_agency for e in c.rmp if e.status == "active" and e.responsible_agency}
    if content.schema >= _PER_CASE_SCHEMA:
        listed = {a.agency for a in c.attendance if a.panel in ("core", "invited")}
        there = {a.agency for a in c.attendance if a.status in _THERE}
        source = ""
        invited = set(c.invited_agencies)
    else:
        listed = set()
        there = {a.agency for a in content.attendance if a.status in _THERE}
        source = " (meeting-wide attendance: this record predates per-case attendance)"
        invited = set()
    relevant = sorted({c.lead_agency, *listed, *invited, *plan} - {""}, key=str.casefold)
    return [a for a in relevant if a not in there], relevant, source


def _recorded_item(criterion: str, text: str, what: str, recorded: bool) -> AuditItem:
    if not recorded:
        return _item(criterion, Answer.AUDITOR, _OLDER_FORMAT)
    ok, note = _text_recorded(text, what)
    return _item(criterion, Answer.YES if ok else Answer.NO, note)


def _text_recorded(text: str, what: str) -> tuple[bool, str]:
    cleaned = " ".join(text.split())
    if not cleaned:
        return False, f"no {what} recorded."
    shown = cleaned if len(cleaned) <= 160 else cleaned[:159].rstrip() + "…"
    return True, f"“{shown}”"


def _risk_summarised(c: CaseEntry) -> tuple[bool, str]:
    item = _risk_item(c)
    return item.answer is Answer.YES, item.evidence


def _risk_item(c: CaseEntry) -> AuditItem:
    criterion = "The risk of serious harm was addressed: an assessment and the chair's summary."
    parts = []
    if c.risk is not None:
        tool = _TOOLS.get(c.risk.tool, c.risk.tool)
        parts.append(
            f"{tool} assessment of {c.risk.assessed_on}: overall RoSH "
            f"{c.risk.overall.replace('_', ' ')}."
        )
    else:
        parts.append("No risk assessment is recorded.")
    if c.risk_trend:
        parts.append(f"Risk recorded as {c.risk_trend}.")
    summary = " ".join(c.risk_summary.split())
    if summary:
        parts.append("Summary recorded.")
    else:
        parts.append("No risk summary is recorded.")
    found = (c.risk is not None) + bool(summary)
    answer = Answer.YES if found == 2 else Answer.PARTLY if found else Answer.NO
    return _item(criterion, answer, " ".join(parts))


def _decisions(c: CaseEntry) -> AuditItem:
    criterion = (
        "Disclosure was considered (s.327A for a child sex offender) and every decision has a "
        "rationale."
    )
    disclosure = [x for x in c.decisions if x.kind == "disclosure"]
    unreasoned = [x.outcome or x.kind for x in c.decisions if not x.rationale.strip()]
    notes = []
    for x in disclosure:
        verdict = "disclose" if x.disclose else "no disclosure"
        s327a = "; s.327A considered" if x.s327a_considered else ""
        notes.append(f"Disclosure: {verdict}{s327a}.")
    if not disclosure:
        notes.append("No disclosure decision is recorded.")
    if unreasoned:
        notes.append(f"Without a rationale: {', '.join(unreasoned)}.")
    ok = bool(disclosure) and not unreasoned
    answer = Answer.YES if ok else Answer.PARTLY if disclosure or c.decisions else Answer.NO
    return _item(criterion, answer, " ".join(notes))


def _incomplete(a: ActionEntry, purpose: bool) -> list[str]:
    wanted = [("owner", a.owner), ("due date", a.due_date)]
    if purpose:
        wanted.append(("purpose", a.purpose))
    return [what for what, value in wanted if not value.strip()]


def _actions_complete(c: CaseEntry, purpose: bool) -> tuple[bool, str]:
    if not c.new_actions:
        return True, "no new actions."
    lacking = [
        f"'{_short(a.text)}' has no {', '.join(m)}"
        for a in c.new_actions
        if (m := _incomplete(a, purpose))
    ]
    if lacking:
        return False, "; ".join(lacking) + "."
    return True, f"{len(c.new_actions)} action(s), each with an owner and a due date" + (
        " and a purpose." if purpose else "."
    )


def _previous_reviewed(c: CaseEntry) -> tuple[bool, str]:
    if not c.previous_actions:
        return True, "no previous actions to review."
    outcomes: dict[str, int] = {}
    for a in c.previous_actions:
        outcomes[a.status] = outcomes.get(a.status, 0) + 1
    shown = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(outcomes.items()))
    open_ = outcomes.get("open", 0)
    if open_:
        return False, f"{len(c.previous_actions)} reviewed ({shown}); {open_} left open."
    return True, f"{len(c.previous_actions)} reviewed ({shown})."


def _case_actions(c: CaseEntry, purpose: bool) -> AuditItem:
    criterion = (
        "Actions have an owner, a due date and a purpose, and previous actions were reviewed."
    )
    new_ok, new_note = _actions_complete(c, purpose)
    old_ok, old_note = _previous_reviewed(c)
    evidence = f"New: {new_note} Previous: {old_note}"
    answer = Answer.YES if new_ok and old_ok else Answer.PARTLY if new_ok or old_ok else Answer.NO
    return _item(criterion, answer, evidence)


def _case_reasons(content: MinutesContent, c: CaseEntry) -> AuditItem:
    criterion = "The chair's reasoning is recorded for each self-audit finding on this case."
    if content.self_audit is None:
        return _item(
            criterion,
            Answer.AUDITOR,
            "Signed off before the sign-off self-audit existed; the record stands as signed.",
        )
    mine = [r for r in content.self_audit if r.case_id == c.case_id]
    if not mine:
        return _item(criterion, Answer.YES, "No finding on this case needed the chair's reasoning.")
    given = [r for r in mine if not _unreasoned(r)]
    evidence = " ".join(f"{_after_name(r.finding)} Reason: {r.reason}" for r in mine)
    answer = Answer.YES if len(given) == len(mine) else Answer.NO if not given else Answer.PARTLY
    return _item(criterion, answer, evidence)


def _after_name(finding: str) -> str:
    """A finding without the leading "Name: " (the case is named by the section)."""
    return finding.split(": ", 1)[1] if ": " in finding else finding


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- CSV ------------------------------------------------------------------------------------------

CSV_COLUMNS = ("Part", "Case id", "Offender", "No.", "Criterion", "Answer", "Evidence")


def meeting_audit_csv(audit: MeetingAudit) -> bytes:
    """One row per criterion (the meeting's, then each offender's), for a spreadsheet."""
    rows: list[Sequence[object]] = [CSV_COLUMNS]
    for case, item in audit.all_items:
        rows.append(
            (
                "Meeting (MAPPA L)" if case is None else "Case audit",
                "" if case is None else case.case_id,
                "" if case is None else case.name,
                item.number,
                item.criterion,
                item.answer.value,
                item.evidence,
            )
        )
    return csv_files.csv_bytes(rows)
