"""What happened at this meeting for one offender: the sections of an offender's record after
section 6 (DOMAIN §4.2-4.3, §5), from the one ``CaseEntry`` the record is for.

Attendance is the case's own (``CaseEntry.attendance``: the core panel, the agencies invited for
this case and any other contributor), never the meeting-wide list. Tables and cells come from
``reports.layout`` and the pieces of ``reports.minutes_pdf`` the meeting-wide minutes use, so a
plan item or a decision prints the same in both documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from mappa_desktop.domain.enums import CustodyStatus, DecisionKind, RiskSetting
from mappa_desktop.services.minutes_content import (
    AuditReason,
    CaseAttendeeEntry,
    CaseEntry,
    DecisionEntry,
    MinutesContent,
    RmpEntry,
)
from reports.labels import NOT_RECORDED, PILLARS, date_text, label
from reports.layout import (
    CONTENT_WIDTH,
    LABEL_FILL,
    Cell,
    fields_table,
    header_row,
    or_not_recorded,
    pair_grid,
    person_cell,
    styles,
    table,
    user_cell,
)
from reports.minutes_pdf import (
    RESTRICTED_TAG,
    action_outcome,
    change_cell,
    decision_table,
    rmp_item_row,
    rosh_grid,
)
from reports.offender_record_sections import Redaction, none_recorded, section
from reports.text import Para, para_text, user_paragraph

# --------------------------------------------------------------------------------------------
# Attendance for this case

_PANELS = {"core": "Core panel", "invited": "Invited", "other": "Other contributor"}
# The groups the record counts, in the order it lists them: a core member absent for a case
# (e.g. left the room for it) is "not present"; an invited agency that did not come is
# "invited but absent".
PRESENT = "Present"
NOT_PRESENT = "Not present for this case"
APOLOGIES = "Apologies"
ABSENT = "Invited but absent"
REPORTS = "Written reports received"


def _attendance_group(entry: CaseAttendeeEntry) -> str:
    if entry.status in ("present", "deputy"):
        return PRESENT
    if entry.status == "apologies":
        return APOLOGIES
    if entry.status == "report_submitted":
        return REPORTS
    return NOT_PRESENT if entry.panel == "core" else ABSENT


def _attendance_text(entry: CaseAttendeeEntry) -> str:
    if entry.status == "deputy":
        return "Present (deputy)"
    if entry.status == "report_submitted":
        return "Written report received"
    return _attendance_group(entry)


MEETING_WIDE_NOTE = (
    "Attendance was not recorded for each case when these minutes were signed off (minutes "
    "content schema {schema}), so this is the attendance for the whole meeting."
)


def _meeting_wide(content: MinutesContent) -> list[Flowable]:
    """Minutes signed before per-case attendance (schema 2) still list who was there."""
    s = styles()
    out: list[Flowable] = [Para(MEETING_WIDE_NOTE.format(schema=content.schema), s.note)]
    rows: list[list[Any]] = [header_row(["Agency", "Name", "Role", "Attendance"])]
    for a in content.attendance:
        rows.append(
            [
                user_cell(a.agency),
                user_cell(a.name),
                user_cell(a.role_title),
                Para(label(a.status), s.cell),
            ]
        )
    out.append(table(rows, [44 * mm, 44 * mm, 44 * mm, 42 * mm]))
    return out


def attendance(case: CaseEntry, content: MinutesContent) -> list[Flowable]:
    """Who was there for this case: the core panel, the agencies invited for it and any other
    contributor (``CaseEntry.attendance``); the whole meeting's list only for minutes signed
    before attendance was recorded per case."""
    s = styles()
    out = section("Attendance for this case")
    if not case.attendance and content.schema < 3 and content.attendance:
        return out + _meeting_wide(content)
    if not case.attendance:
        out.append(none_recorded())
        return out
    counts = {group: 0 for group in (PRESENT, NOT_PRESENT, APOLOGIES, ABSENT, REPORTS)}
    for entry in case.attendance:
        counts[_attendance_group(entry)] += 1
    out.append(Para(" ".join(f"{group}: {n}." for group, n in counts.items() if n), s.body))
    rows: list[list[Any]] = [header_row(["Agency", "Name", "Role", "Panel", "For this case"])]
    for entry in case.attendance:
        name = user_cell(entry.name) if entry.name.strip() else Para("<i>No one named</i>", s.cell)
        rows.append(
            [
                user_cell(entry.agency),
                name,
                user_cell(entry.role_title),
                Para(_PANELS.get(entry.panel, label(entry.panel)), s.cell),
                Para(_attendance_text(entry), s.cell),
            ]
        )
    out.append(table(rows, [40 * mm, 36 * mm, 36 * mm, 26 * mm, 36 * mm]))
    return out


# --------------------------------------------------------------------------------------------
# Information shared, victims, diversity


def information(case: CaseEntry, redaction: Redaction) -> list[Flowable]:
    s = styles()
    out = section("Information shared by agency")
    if not case.information:
        out.append(none_recorded())
        return out
    rows: list[list[Any]] = [header_row(["Agency", "Information"])]
    for item in case.information:
        who: list[Flowable] = [user_cell(item.agency)]
        if redaction.withholds(item.restricted):
            rows.append([who, Redaction.mark("Information")])
            continue
        if item.given_by.strip():
            who.append(Para(f"Given by {para_text(item.given_by)}", s.cell))
        if item.as_at:
            who.append(Para(f"As at {date_text(item.as_at)}", s.cell))
        if redaction.tags(item.restricted):
            who.append(Para(RESTRICTED_TAG, s.cell_bold))
        said: Cell = user_cell(item.text)
        if item.declined:
            said = [Para("<b>Declined to share.</b> Reason:", s.cell), user_cell(item.text)]
        rows.append([who, said])
    out.append(table(rows, [48 * mm, CONTENT_WIDTH - 48 * mm]))
    return out


def _present_fields(pairs: Sequence[tuple[str, str]]) -> list[Flowable]:
    """A label/value table of the non-blank values, or "None recorded." when all are blank."""
    c = styles().cell
    shown: list[tuple[str, Cell]] = [
        (name, user_paragraph(text, c)) for name, text in pairs if text.strip()
    ]
    return [fields_table(shown)] if shown else [none_recorded()]


def victims(case: CaseEntry) -> list[Flowable]:
    return [
        *section("Victim and potential-victim issues"),
        *_present_fields(
            [
                ("On the case record", case.victim_notes),
                ("Raised at this meeting", case.victim_issues),
            ]
        ),
    ]


def diversity(case: CaseEntry) -> list[Flowable]:
    s = styles()
    text = case.diversity_issues
    body = [user_paragraph(text, s.body)] if text.strip() else [none_recorded()]
    return [*section("Diversity issues"), *body]


def discussion(case: CaseEntry) -> list[Flowable]:
    return [
        *section("Discussion and chair's summary"),
        *_present_fields([("Discussion", case.discussion), ("Chair's summary", case.risk_summary)]),
    ]


# --------------------------------------------------------------------------------------------
# Risk assessment


def _age_in_days(assessed_on: str, meeting_date: str) -> int | None:
    try:
        return (date.fromisoformat(meeting_date) - date.fromisoformat(assessed_on)).days
    except ValueError:
        return None


def _age_warning(case: CaseEntry, meeting_date: str, max_age_days: int) -> Para | None:
    """A flag on an assessment older than the configured age at the date of the meeting."""
    if case.risk is None:
        return None
    days = _age_in_days(case.risk.assessed_on, meeting_date)
    if days is None or days <= max_age_days:
        return None
    months = round(max_age_days * 12 / 365)
    limit = f"{months} months" if months >= 1 else f"{max_age_days} days"
    return Para(
        f"This assessment is older than {limit}: it was made {days} days before the meeting.",
        styles().warning,
    )


def _settings(case: CaseEntry) -> tuple[RiskSetting, ...]:
    """The RoSH columns the record shows: no custody column for a community case."""
    if case.custody_status == CustodyStatus.COMMUNITY:
        return (RiskSetting.COMMUNITY,)
    return (RiskSetting.COMMUNITY, RiskSetting.CUSTODY)


def risk_assessment(case: CaseEntry, meeting_date: str, max_age_days: int) -> list[Flowable]:
    s = styles()
    c = s.cell
    out = section("Risk assessment")
    trend = label(case.risk_trend)
    risk = case.risk
    if risk is None:
        out.append(Para("No risk assessment is recorded.", s.warning))
        if trend:
            out.append(Para(f"<b>Risk trend at this meeting:</b> {trend}", s.body))
        return out
    pairs: list[tuple[str, Cell]] = [
        ("Tool", Para(f"{label(risk.tool) or NOT_RECORDED} (version {risk.version_no})", c)),
        ("Assessed on", Para(date_text(risk.assessed_on) or NOT_RECORDED, c)),
        ("Assessor", or_not_recorded(risk.assessor, c)),
        ("Overall RoSH", Para(f"<b>{label(risk.overall) or NOT_RECORDED}</b>", c)),
    ]
    if risk.tool_score.strip():
        pairs.append(("Tool score", user_paragraph(risk.tool_score, c)))
    if trend:
        pairs.append(("Risk trend", Para(f"<b>{trend}</b>", c)))
    out.append(pair_grid(pairs))
    warning = _age_warning(case, meeting_date, max_age_days)
    if warning is not None:
        out.append(warning)
    grid = rosh_grid(case, _settings(case))
    if grid is not None:
        out += [Spacer(1, 3 * mm), grid, Spacer(1, 3 * mm)]
    out += _narrative(case)
    return out


def _narrative(case: CaseEntry) -> list[Flowable]:
    risk = case.risk
    if risk is None:
        return []
    pairs = [
        ("Who is at risk", risk.who_at_risk),
        ("Nature of the risk", risk.nature_of_risk),
        ("Imminence", risk.imminence),
        ("Risk likely to increase when", risk.increasing_factors),
        ("Factors likely to reduce risk", risk.protective_factors),
    ]
    c = styles().cell
    shown: list[tuple[str, Cell]] = [(n, user_paragraph(t, c)) for n, t in pairs if t.strip()]
    return [fields_table(shown)] if shown else []


# --------------------------------------------------------------------------------------------
# Risk management plan

RMP_NOTE = (
    "The Change column tags each item added (NEW), changed (CHANGED) or ended (ENDED) at this "
    "meeting, with the rationale under the item."
)


def _rmp_rows(items: Sequence[RmpEntry], redaction: Redaction) -> tuple[list[Any], list[Any]]:
    s = styles()
    rows: list[list[Any]] = [header_row(["Change", "Item", "Agency", "Dates", "Status"])]
    extra: list[tuple[Any, ...]] = []

    def spanning(cell: Flowable, fill: bool = False) -> None:
        r = len(rows)
        rows.append([cell, "", "", "", ""])
        extra.append(("SPAN", (0, r), (-1, r)))
        if fill:
            extra.append(("BACKGROUND", (0, r), (-1, r), LABEL_FILL))

    pillars = list(PILLARS) + sorted({i.pillar for i in items} - set(PILLARS))
    for pillar in pillars:
        spanning(Para(para_text(label(pillar)), s.cell_bold), fill=True)
        in_pillar = [i for i in items if i.pillar == pillar]
        if not in_pillar:
            spanning(Para("None recorded.", s.cell))
        for item in in_pillar:
            if redaction.withholds(item.restricted):
                spanning(Redaction.mark("Plan item"))
                continue
            fill = change_cell(item)[1]
            if fill is not None:
                r = len(rows)
                extra.append(("BACKGROUND", (0, r), (0, r), fill))
            rows.append(rmp_item_row(item, summary=False))
    return rows, extra


def risk_management_plan(case: CaseEntry, redaction: Redaction) -> list[Flowable]:
    s = styles()
    out = section("Risk management plan")
    if not case.rmp:
        out.append(none_recorded())
        return out
    changed = sum(1 for i in case.rmp if i.change and not redaction.withholds(i.restricted))
    out.append(Para(f"Changes made at this meeting: {changed}. {RMP_NOTE}", s.body))
    rows, extra = _rmp_rows(case.rmp, redaction)
    widths = [20 * mm, CONTENT_WIDTH - 102 * mm, 30 * mm, 36 * mm, 16 * mm]
    out.append(table(rows, widths, extra=extra))
    return out


# --------------------------------------------------------------------------------------------
# Actions


def previous_actions(case: CaseEntry) -> list[Flowable]:
    s = styles()
    out = section("Previous actions")
    if not case.previous_actions:
        out.append(none_recorded())
        return out
    rows: list[list[Any]] = [header_row(["Action", "Owner", "Due", "Outcome"])]
    for a in case.previous_actions:
        rows.append(
            [
                user_cell(a.text),
                person_cell(a.owner, a.owner_agency),
                Para(date_text(a.due_date), s.cell),
                action_outcome(a),
            ]
        )
    out.append(table(rows, [CONTENT_WIDTH - 115 * mm, 45 * mm, 25 * mm, 45 * mm]))
    return out


def new_actions(case: CaseEntry) -> list[Flowable]:
    s = styles()
    c = s.cell
    out = section("New actions")
    if not case.new_actions:
        out.append(none_recorded())
        return out
    rows: list[list[Any]] = [header_row(["Action", "Purpose", "Owner", "Agency", "Due"])]
    for a in case.new_actions:
        rows.append(
            [
                user_cell(a.text),
                or_not_recorded(a.purpose, c),
                or_not_recorded(a.owner, c),
                or_not_recorded(a.owner_agency, c),
                Para(date_text(a.due_date) or NOT_RECORDED, c),
            ]
        )
    widths = [CONTENT_WIDTH - 122 * mm, 48 * mm, 28 * mm, 28 * mm, 18 * mm]
    out.append(table(rows, widths))
    return out


# --------------------------------------------------------------------------------------------
# Decisions and the self-audit

_DECISION_ORDER = {
    kind.value: n
    for n, kind in enumerate(
        (
            DecisionKind.LEVEL,
            DecisionKind.CATEGORY,
            DecisionKind.DISCLOSURE,
            DecisionKind.NEXT_REVIEW,
            DecisionKind.EXIT,
            DecisionKind.OTHER,
        )
    )
}


def _decision(d: DecisionEntry, redaction: Redaction) -> Flowable:
    if redaction.withholds(d.restricted):
        return table([[Redaction.mark("Decision")]], [CONTENT_WIDTH], header=False)
    # the next review date is printed once, in section 4
    return KeepTogether([decision_table(replace(d, next_review_date=""), summary=False)])


def decisions(case: CaseEntry, redaction: Redaction) -> list[Flowable]:
    s = styles()
    out = section("Decisions")
    if not case.decisions:
        out.append(none_recorded())
        return out
    last = len(_DECISION_ORDER)
    ordered = sorted(case.decisions, key=lambda d: _DECISION_ORDER.get(d.kind, last))
    kinds = {d.kind for d in case.decisions}
    nothing_withheld = not any(redaction.withholds(d.restricted) for d in case.decisions)
    if nothing_withheld and DecisionKind.DISCLOSURE not in kinds:
        out.append(Para("No disclosure decision is recorded.", s.warning))
    for i, d in enumerate(ordered):
        if i:
            out.append(Spacer(1, 2 * mm))
        out.append(_decision(d, redaction))
    return out


def self_audit(case: CaseEntry, reasons: Sequence[AuditReason] | None) -> list[Flowable]:
    """The chair's reasons for the self-audit findings about this case (none about others)."""
    out = section("Self-audit: the chair's reasons", keep=25 * mm)
    mine = [r for r in reasons or () if r.case_id == case.case_id]
    if not mine:
        out.append(none_recorded())
        return out
    rows: list[list[Any]] = [header_row(["Finding", "Chair's reason"])]
    rows += [[user_cell(r.finding), user_cell(r.reason)] for r in mine]
    out.append(table(rows, [CONTENT_WIDTH / 2, CONTENT_WIDTH / 2]))
    return out


def this_meeting(
    case: CaseEntry,
    redaction: Redaction,
    *,
    meeting_date: str,
    max_assessment_age_days: int,
    audit: Sequence[AuditReason] | None,
) -> list[Flowable]:
    """The record's sections after section 6 up to the sign-off, except the statement (which
    is the meeting's, see ``reports.offender_record_pdf``)."""
    return [
        *information(case, redaction),
        *victims(case),
        *diversity(case),
        *risk_assessment(case, meeting_date, max_assessment_age_days),
        *discussion(case),
        *risk_management_plan(case, redaction),
        *previous_actions(case),
        *new_actions(case),
        *decisions(case, redaction),
        *self_audit(case, audit),
    ]
