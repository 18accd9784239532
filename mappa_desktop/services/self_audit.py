"""The sign-off self-audit: the meeting's record read as an inspector would (DOMAIN §3.2, §4.2,
§5), before the chair signs it.

Two grades: a *must-fix* finding stops sign-off; a *needs-reason* finding may be signed with the
chair's reason. The meeting is loaded with the meeting loader's fixed number of statements and
judged in Python, so the cost does not grow with the number of cases. Thresholds come from
``settings.audit_settings`` (local policy defaults, never presented as law).

Must fix: the sign-off checklist (statement, level, review and disclosure decisions, previous
actions reviewed), registration, offender manager, victim and diversity issues recorded at this
meeting, the four pillars and a contingency plan, licence conditions for a case on licence,
s.327A considered, every new action with an owner, a due date after the meeting and a purpose.
Needs the chair's reasoning: a case lowered or exited while its RoSH is High/Very High, its risk
is recorded as increasing or actions remain open; an old or missing risk assessment; an agency
with a part in the plan neither in the room nor reporting for the case; disclosure declined with
a victim or children at high risk; near-identical actions; a Level 3 meeting chaired below the
configured seniority; a late sign-off.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import CaseDiscussion, Minutes
from mappa_desktop.domain.enums import (
    AttendanceStatus,
    DecisionKind,
    RiskGroup,
    RiskTrend,
    RmpItemStatus,
    RmpPillar,
    RoshLevel,
)
from mappa_desktop.services import meetings, settings
from mappa_desktop.services.minutes_content import AuditReason

FOUR_PILLARS = (
    RmpPillar.SUPERVISION,
    RmpPillar.MONITORING_CONTROL,
    RmpPillar.INTERVENTIONS_TREATMENT,
    RmpPillar.VICTIM_SAFETY,
)
# For a case: in the room (present or a deputy) or a written report received.
_COUNTS_AS_THERE = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.DEPUTY,
    AttendanceStatus.REPORT_SUBMITTED,
)
_HIGH = (RoshLevel.HIGH, RoshLevel.VERY_HIGH)


class Grade(StrEnum):
    MUST_FIX = "must_fix"
    NEEDS_REASON = "needs_reason"


@dataclass(frozen=True, slots=True)
class Finding:
    id: str  # stable key for the chair's reason: "criterion/case id[/item]"
    case_id: int | None  # None: the whole meeting
    grade: Grade
    criterion: str
    message: str  # one sentence naming the case and what to do
    field: str  # where to go to fix it
    reason: str = ""  # the chair's stored reason (signed meetings only)


@dataclass(frozen=True, slots=True)
class SelfAudit:
    meeting_id: int
    predates_audit: bool  # signed before the self-audit existed: not re-judged
    findings: tuple[Finding, ...]

    @property
    def must_fix(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.grade is Grade.MUST_FIX)

    @property
    def needs_reason(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.grade is Grade.NEEDS_REASON)


def summary_line(audit: SelfAudit, *, signed: bool) -> str:
    """The count of each grade in a few words (the meeting screen shows it while minuting)."""
    if signed:
        if audit.predates_audit:
            return "Self-audit: signed off before the self-audit existed"
        n = len(audit.findings)
        return f"Self-audit: signed off with the chair's reason for {n} finding(s)"
    if not audit.findings:
        return "Self-audit: nothing to fix or explain"
    return (
        f"Self-audit: {len(audit.must_fix)} must be fixed, "
        f"{len(audit.needs_reason)} need the chair's reason"
    )


PREDATES_MESSAGE = (
    "These minutes were signed off before the sign-off self-audit existed; their record stands "
    "as signed and is not re-judged."
)


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end`` (no bank holidays)."""
    days = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days


def self_audit(
    session: Session, meeting_id: int, today: date, data: meetings.MeetingData | None = None
) -> SelfAudit:
    """The meeting's findings as of ``today`` (a fixed number of statements). A signed meeting
    is not re-judged: its findings are the reasoned ones frozen at sign-off, or none if it was
    signed before the audit existed. ``data``: the meeting already loaded (``for_minutes``)."""
    frozen = session.scalar(select(Minutes.content).where(Minutes.meeting_id == meeting_id))
    if frozen is not None:
        stored = json.loads(frozen).get("self_audit")
        reasons = None if stored is None else [AuditReason(**r) for r in stored]
        return SelfAudit(
            meeting_id=meeting_id,
            predates_audit=reasons is None,
            findings=tuple(
                Finding(
                    id=r.finding_id,
                    case_id=r.case_id,
                    grade=Grade.NEEDS_REASON,
                    criterion=r.criterion,
                    message=r.finding,
                    field="sign_off",
                    reason=r.reason,
                )
                for r in reasons or ()
            ),
        )
    if data is None:
        data = meetings.load_meeting_data(session, meeting_id, for_minutes=True)
    return judge(data, settings.audit_settings(session), today)


def meeting_and_audit(
    session: Session, meeting_id: int, today: date
) -> tuple[meetings.MeetingDetail, SelfAudit]:
    """What the meeting screen shows and its self-audit, from one load of the meeting."""
    data = meetings.load_meeting_data(session, meeting_id, for_minutes=True)
    return meetings.detail_from(data), self_audit(session, meeting_id, today, data)


def reasoned(audit: SelfAudit, reasons: Mapping[str, str]) -> tuple[AuditReason, ...]:
    """The needs-reason findings with the chair's reasons (trimmed; "" where none is given yet),
    as sign-off freezes them in the content: what a preview of the minutes must show so that the
    previewed content is the content signed."""
    return tuple(
        AuditReason(
            finding_id=f.id,
            case_id=f.case_id,
            criterion=f.criterion,
            finding=f.message,
            reason=reasons.get(f.id, "").strip(),
        )
        for f in audit.needs_reason
    )


def judge(data: meetings.MeetingData, policy: settings.AuditSettings, today: date) -> SelfAudit:
    """The findings for an already loaded meeting (no statements)."""
    out = [_checklist(line) for line in meetings.problems_from(data)]
    for d in data.discussions:
        out.extend(_case_findings(data, d, policy))
    out.extend(_chair_finding(data, policy))
    late = working_days_between(data.meeting.meeting_date, today)
    if late > policy.sign_off_working_days:
        out.append(
            Finding(
                id="late_sign_off",
                case_id=None,
                grade=Grade.NEEDS_REASON,
                criterion="late_sign_off",
                message=(
                    f"The minutes are being signed off {late} working days after the meeting, "
                    f"later than the local policy of {policy.sign_off_working_days}; give the "
                    "reason for the delay."
                ),
                field="sign_off",
            )
        )
    return SelfAudit(meeting_id=data.meeting.id, predates_audit=False, findings=tuple(out))


def _chair_finding(data: meetings.MeetingData, policy: settings.AuditSettings) -> list[Finding]:
    """A Level 3 meeting needs a chair of the seniority local policy names (DOMAIN §3.2)."""
    if data.meeting.level != 3:
        return []
    chair = data.persons.get(data.meeting.chair_id)
    role = chair.role_title.strip() if chair is not None else ""
    if policy.is_senior_chair(role):
        return []
    who = chair.display_name if chair is not None else "the chair"
    held = f"whose role is '{role}'" if role else "whose role title is not recorded"
    return [
        Finding(
            id="chair_seniority",
            case_id=None,
            grade=Grade.NEEDS_REASON,
            criterion="chair_seniority",
            message=(
                f"This Level 3 meeting was chaired by {who}, {held}, which is not among the "
                f"roles local policy counts as senior enough for Level 3 "
                f"({', '.join(policy.senior_chair_roles)}); record the chair's role or give the "
                "reason."
            ),
            field="meeting.chair",
        )
    ]


def _checklist(line: str) -> Finding:
    return Finding(
        id=f"checklist/{line}",
        case_id=None,
        grade=Grade.MUST_FIX,
        criterion="checklist",
        message=line,
        field="checklist",
    )


def _case_findings(
    data: meetings.MeetingData, d: CaseDiscussion, policy: settings.AuditSettings
) -> list[Finding]:
    case = data.cases[d.case_id]
    name = data.case_name(case.id)
    out: list[Finding] = []

    def add(grade: Grade, criterion: str, field: str, message: str, item: str = "") -> None:
        key = f"{criterion}/{case.id}" + (f"/{item}" if item else "")
        out.append(Finding(key, case.id, grade, criterion, f"{name}: {message}", field))

    must, why = Grade.MUST_FIX, Grade.NEEDS_REASON
    reg = data.registrations.get(case.id)
    if reg is None:
        add(
            must,
            "registration",
            "case.registration",
            "no MAPPA category and level are recorded; record the case's registration.",
        )
    if case.offender_manager_id is None:
        add(
            must,
            "offender_manager",
            "case.offender_manager",
            "no offender manager is named; name the lead agency's offender manager.",
        )
    if not d.victim_issues.strip():
        add(
            must,
            "victim_issues",
            "discussion.victim_issues",
            "no victim or potential-victim issues are recorded for this meeting; record them, "
            "or that none are known.",
        )
    if not d.diversity_issues.strip():
        add(
            must,
            "diversity_issues",
            "discussion.diversity_issues",
            "no diversity issues are recorded for this meeting; record them, or that none "
            "were identified.",
        )
    active = [i for i in data.rmp_items.get(case.id, []) if i.status is RmpItemStatus.ACTIVE]
    pillars = {i.pillar for i in active}
    missing = [p.value.replace("_", " ") for p in FOUR_PILLARS if p not in pillars]
    if missing:
        add(
            must,
            "rmp_pillars",
            "rmp",
            f"the risk management plan has nothing under "
            f"{', '.join(missing)}; add an item under each of the four pillars.",
        )
    if RmpPillar.CONTINGENCY not in pillars:
        add(
            must,
            "rmp_contingency",
            "rmp",
            "the risk management plan has no contingency plan; add at least one.",
        )
    if "licence" in case.sentence.casefold() and RmpPillar.LICENCE_CONDITION not in pillars:
        add(
            must,
            "licence_conditions",
            "rmp",
            "the case is on licence but no licence "
            "conditions are recorded; record every licence condition in the plan.",
        )
    for a in data.new_actions.get(case.id, []):
        if a.owner_person_id is None or a.due_date <= data.meeting.meeting_date:
            add(
                must,
                "action_owner_due",
                "actions",
                f"the action '{meetings._short(a.text)}' "
                "needs a named owner and a due date after the meeting.",
                str(a.id),
            )
        if not a.purpose.strip():
            add(
                must,
                "action_purpose",
                "actions",
                f"the action '{meetings._short(a.text)}' has no stated purpose; record what it "
                "is for (the risk it manages).",
                str(a.id),
            )

    risk = data.latest_risk.get(case.id)
    overall = risk.overall_rosh if risk is not None else None
    children_high = risk is not None and any(
        r.risk_group is RiskGroup.CHILDREN and r.level in _HIGH for r in risk.ratings
    )
    victim_high = risk is not None and any(
        r.risk_group is RiskGroup.KNOWN_ADULT and r.level in _HIGH for r in risk.ratings
    )
    decisions = data.decisions.get(d.id, [])
    for x in decisions:
        if (
            x.kind is DecisionKind.DISCLOSURE
            and reg is not None
            and reg.category == 1
            and children_high
            and not x.s327a_considered
        ):
            add(
                must,
                "s327a",
                "decision",
                "the disclosure decision does not record that "
                "s.327A disclosure was considered for a sex offender posing a high risk to "
                "children; record that it was considered.",
                str(x.id),
            )
        if (
            x.kind is DecisionKind.DISCLOSURE
            and x.disclose is False
            and (victim_high or children_high)
        ):
            add(
                why,
                "disclosure_declined",
                "decision",
                "disclosure was declined although a known adult "
                "or children are assessed at high risk of serious harm; give the reason.",
                str(x.id),
            )

    lowered = any(
        x.kind is DecisionKind.EXIT
        or (
            x.kind is DecisionKind.LEVEL
            and x.new_level is not None
            and reg is not None
            and x.new_level < reg.level
        )
        for x in decisions
    )
    still_open = [
        a
        for a in (*data.new_actions.get(case.id, []), *data.previous_actions.get(case.id, []))
        if (data.reviews[a.id].outcome if a.id in data.reviews else a.status).is_open
    ]
    because = []
    if overall in _HIGH and overall is not None:
        because.append(f"the risk of serious harm is {overall.value.replace('_', ' ')}")
    if d.risk_trend is RiskTrend.INCREASING:
        because.append("the risk is recorded as increasing")
    if still_open:
        because.append(f"{len(still_open)} action(s) remain open")
    if lowered and because:
        listed = ", ".join(because[:-1]) + (" and " if len(because) > 1 else "") + because[-1]
        add(
            why,
            "lowered_with_risk",
            "decision",
            f"the case leaves MAPPA or moves down a level while {listed}; give the chair's "
            "reasoning.",
        )
    if risk is None:
        add(
            why,
            "assessment_age",
            "risk",
            "no risk assessment is recorded; record one or give the reason.",
        )
    elif (data.meeting.meeting_date - risk.assessed_on).days > policy.assessment_age_days:
        add(
            why,
            "assessment_age",
            "risk",
            f"the latest risk assessment is of "
            f"{risk.assessed_on.isoformat()}, older than the local policy of "
            f"{policy.assessment_age_days} days; update it or give the reason.",
        )

    there = {a.agency_id for a in data.case_attendees(d) if a.status in _COUNTS_AS_THERE}
    parts = {i.responsible_agency_id for i in active if i.responsible_agency_id is not None}
    for agency_id in sorted(parts - there):
        add(
            why,
            "agency_absent",
            "attendance",
            f"{data.agencies[agency_id].name} has a part in "
            "the risk management plan but was neither in the room for this case nor sent a "
            "report; record its report for the case or give the reason.",
            str(agency_id),
        )

    new = data.new_actions.get(case.id, [])
    for i, first in enumerate(new):
        for second in new[i + 1 :]:
            alike = SequenceMatcher(None, first.text.casefold(), second.text.casefold()).ratio()
            if alike * 100 >= policy.action_similarity_percent:
                add(
                    why,
                    "similar_actions",
                    "actions",
                    f"the actions "
                    f"'{meetings._short(first.text)}' and '{meetings._short(second.text)}' are "
                    "near-identical; merge them or give the reason.",
                    f"{first.id}-{second.id}",
                )
    return out
