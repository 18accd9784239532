"""The minutes PDF: a ``MinutesDocument`` in, PDF bytes out (ARCHITECTURE.md §6).

``build_story`` makes the flowables (testable without drawing); ``render_minutes`` lays them out
on A4 with the protective marking at the top and bottom of every page, the recipient and copy
number, "Page X of Y", a diagonal DRAFT watermark on drafts, and an identity stamp in the
document information (see ``reports.stamp``). Every piece of user text goes through
``reports.text`` so it is escaped and prints in its own script.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Spacer,
    Table,
)

from mappa_desktop.domain.enums import (
    GROUPS_BY_SETTING,
    DecisionKind,
    DistributionVariant,
    RiskGroup,
    RiskSetting,
    RmpChange,
    RoshLevel,
)
from mappa_desktop.domain.text import contain_bidi
from mappa_desktop.services.minutes_content import (
    ActionEntry,
    AddendumEntry,
    AttendeeEntry,
    CaseEntry,
    DecisionEntry,
    MinutesDocument,
    RmpEntry,
    canonical_json,
    content_hash,
)
from reports import fonts
from reports.labels import (
    CHANGE_TAGS,
    NOT_RECORDED,
    PILLARS,
    category_label,
    date_text,
    datetime_text,
    label,
    yes_no,
)
from reports.layout import (
    CONTENT_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MARKING,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    Cell,
    NumberedCanvas,
)
from reports.layout import FOOTER_INFO_Y as _FOOTER_INFO_Y
from reports.layout import FOOTER_RULE_Y as _FOOTER_RULE_Y
from reports.layout import GRID as _GRID
from reports.layout import HEADER_INFO_Y as _HEADER_INFO_Y
from reports.layout import HEADER_RULE_Y as _HEADER_RULE_Y
from reports.layout import LABEL_FILL as _LABEL_FILL
from reports.layout import MARKING_BOTTOM_Y as _MARKING_BOTTOM_Y
from reports.layout import MARKING_TOP_Y as _MARKING_TOP_Y
from reports.layout import fields_table as _fields
from reports.layout import fit_line as _fit
from reports.layout import header_row as _header_row
from reports.layout import heading as _heading
from reports.layout import or_not_recorded as _or_not_recorded
from reports.layout import pair_grid as _grid
from reports.layout import person_cell as _person_cell
from reports.layout import styles as _styles
from reports.layout import table as _table
from reports.layout import user_cell as _user_cell
from reports.offender_record_case import record_page_header
from reports.stamp import Stamp, stamp_keywords
from reports.text import Para, para_text, plain_text, user_paragraph

DRAFT_NOTICE = "Draft - not signed off"
SUMMARY_NOTE = (
    "Disclosure summary: items marked restricted (information shared by agencies, risk "
    "management plan items and decisions) are left out of this copy."
)
WITHHELD_NOTE = "Restricted items in this section are not shown in this disclosure summary."

_CHANGE_FILL = {
    RmpChange.ADDED: colors.HexColor("#1f7a3a"),
    RmpChange.CHANGED: colors.HexColor("#a15c00"),
    RmpChange.ENDED: colors.HexColor("#555555"),
}
_ROSH_FILL = {
    RoshLevel.LOW: colors.HexColor("#e8f3ea"),
    RoshLevel.MEDIUM: colors.HexColor("#fdf4d8"),
    RoshLevel.HIGH: colors.HexColor("#fbdcc4"),
    RoshLevel.VERY_HIGH: colors.HexColor("#f4b7b2"),
}


# --------------------------------------------------------------------------------------------
# Styles and small builders


def _ut(text: str) -> str:
    """User text as inline markup (for short values composed into a line)."""
    return para_text(text)


# --------------------------------------------------------------------------------------------
# The story


def build_story(doc: MinutesDocument, *, copy_slot: Flowable | None = None) -> list[Flowable]:
    """The flowables of the minutes, in document order.

    ``copy_slot`` (personal copies) is placed under the title: an empty band that
    ``personalise`` fills with the copy number and recipient."""
    s = _styles()
    summary = doc.variant == DistributionVariant.DISCLOSURE_SUMMARY
    content = doc.content
    m = content.meeting
    story: list[Flowable] = []

    title = "MAPPA meeting minutes"
    if summary:
        title += " - disclosure summary"
    story.append(Para(title, s.title))
    story.append(
        Para(
            f"{_ut(m.area)} - Level {m.level} {label(m.meeting_type).lower()} meeting, "
            f"{date_text(m.date) or NOT_RECORDED}",
            s.subtitle,
        )
    )
    if copy_slot is not None:
        story.append(copy_slot)
    story.append(Spacer(1, 3 * mm))
    if doc.sign_off is None:
        story.append(
            Para(f"{DRAFT_NOTICE}. This is not the approved record of the meeting.", s.warning)
        )
    if summary:
        story.append(Para(SUMMARY_NOTE, s.note))

    story += _meeting_details(doc)
    story += _statement(doc)
    story += _attendance(content.attendance)
    cases = sorted(content.cases, key=lambda c: c.agenda_order)
    for number, case in enumerate(cases, start=1):
        story += _case(case, number, len(cases), summary)
    if not cases:
        story += _heading("Cases", s.h1)
        story.append(Para("No cases were discussed at this meeting.", s.body))
    story += _sign_off(doc)
    story += _addenda(doc.addenda)
    story += [CondPageBreak(SIGNATURE_BAND_HEIGHT), SignatureBand()]
    return story


# The bottom of the last page is kept free for a visible digital signature (``reports.signing``
# puts its box there), so signing never covers the record and a signed copy has the same pages
# as the copy the chair previewed.
SIGNATURE_BAND_HEIGHT = 30 * mm
SIGNATURE_BOX = (
    PAGE_WIDTH - MARGIN_X - 100 * mm,
    MARGIN_BOTTOM + 1 * mm,
    PAGE_WIDTH - MARGIN_X,
    MARGIN_BOTTOM + 29 * mm,
)


class SignatureBand(Flowable):
    """Takes whatever height is left on the last page (at least ``SIGNATURE_BAND_HEIGHT``), so
    ``SIGNATURE_BOX`` at the bottom of the last page never overlaps the text."""

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = max(avail_height - 1, SIGNATURE_BAND_HEIGHT)
        return self.width, self.height

    def draw(self) -> None:
        return None


def _meeting_details(doc: MinutesDocument) -> list[Flowable]:
    s = _styles()
    m = doc.content.meeting
    c = s.cell
    pairs: list[tuple[str, Cell]] = [
        ("MAPPA area", _or_not_recorded(m.area, c)),
        ("Level", Para(f"Level {m.level}", c)),
        ("Meeting type", Para(label(m.meeting_type) or NOT_RECORDED, c)),
        ("Date", Para(date_text(m.date) or NOT_RECORDED, c)),
        ("Start time", _or_not_recorded(m.start_time, c)),
        ("Venue", _or_not_recorded(m.venue, c)),
        ("Chair", _person_cell(m.chair, m.chair_agency)),
        ("Minute-taker", _or_not_recorded(m.minute_taker, c)),
        ("MAPPA co-ordinator", _or_not_recorded(m.coordinator, c)),
        ("Template version", _or_not_recorded(m.template_version, c)),
        ("Meeting reference", Para(str(m.meeting_id), c)),
        (
            "Status",
            Para(
                "Signed off" if doc.sign_off is not None else f"<b>{DRAFT_NOTICE}</b>",
                c,
            ),
        ),
    ]
    if doc.generated_at:
        pairs.append(("Printed", Para(datetime_text(doc.generated_at), c)))
    return [*_heading("Meeting details", s.h1), _grid(pairs)]


def _statement(doc: MinutesDocument) -> list[Flowable]:
    s = _styles()
    content = doc.content
    out: list[Flowable] = [*_heading("Confidentiality and diversity statement", s.h1)]
    blocks = [b for b in content.statement.replace("\r\n", "\n").split("\n\n") if b.strip()]
    if blocks and blocks[0].strip().casefold() == "confidentiality and diversity statement":
        blocks = blocks[1:]  # the statement's own title repeats the heading
    if not blocks:
        out.append(Para("No statement text was recorded.", s.warning))
    for block in blocks:
        out.append(user_paragraph(block, s.body))
    if content.statement_confirmed_by:
        when = datetime_text(content.statement_confirmed_at)
        at = f" on {when}" if when else ""
        out.append(
            Para(
                f"<b>Read and confirmed at the meeting:</b> "
                f"{_ut(content.statement_confirmed_by)}{at}",
                s.body,
            )
        )
    else:
        out.append(Para("The statement was not recorded as read and confirmed.", s.warning))
    return out


def _attendance(attendees: Sequence[AttendeeEntry]) -> list[Flowable]:
    s = _styles()
    out: list[Flowable] = [*_heading("Attendance", s.h1)]
    if not attendees:
        out.append(Para("No attendance was recorded.", s.warning))
        return out
    counts: dict[str, int] = {}
    for a in attendees:
        counts[a.status] = counts.get(a.status, 0) + 1
    out.append(Para("; ".join(f"{label(k)}: {v}" for k, v in sorted(counts.items())) + ".", s.body))
    ordered = sorted(
        enumerate(attendees), key=lambda ia: (ia[1].agency.casefold(), ia[1].agency, ia[0])
    )
    rows: list[list[Any]] = [
        _header_row(["Agency", "Name", "Role", "Attendance", "Deputy for", "Arrived", "Left"])
    ]
    for _, a in ordered:
        rows.append(
            [
                _user_cell(a.agency),
                _user_cell(a.name),
                _user_cell(a.role_title),
                Para(label(a.status), s.cell),
                _user_cell(a.deputy_for),
                _user_cell(a.arrived),
                _user_cell(a.departed),
            ]
        )
    widths = [31 * mm, 33 * mm, 27 * mm, 24 * mm, 27 * mm, 17 * mm, 15 * mm]
    out.append(_table(rows, widths))
    return out


# --------------------------------------------------------------------------------------------
# One case


def _case(case: CaseEntry, number: int, total: int, summary: bool) -> list[Flowable]:
    s = _styles()
    name = f"{contain_bidi(case.given_names)} {contain_bidi(case.family_name)}".strip()
    out: list[Flowable] = [
        *_heading(
            f"Case {number} of {total}: {_ut(name) if name else NOT_RECORDED}",
            s.h1,
            keep=60 * mm,
        ),
        Para(
            f"{category_label(case.category)} - Level {case.level} - "
            f"on the agenda: {label(case.agenda_reason) or NOT_RECORDED}",
            s.subtitle,
        ),
    ]
    out += _offender(case)
    out += _risk(case)
    out += _information(case, summary)
    out += _rmp(case.rmp, summary)
    out += _actions(case)
    out += _decisions(case, summary)
    return out


def _offender(case: CaseEntry) -> list[Flowable]:
    s = _styles()
    c = s.cell
    identifiers = "\n".join(f"{label(scheme)}: {value}" for scheme, value in case.identifiers)
    if case.no_fixed_abode:
        area = contain_bidi(case.address_area)
        address = "No fixed abode" + (f" (area: {area})" if area else "")
    else:
        address = case.address_area
    short: list[tuple[str, Cell]] = [
        ("Family name", _or_not_recorded(case.family_name, c)),
        ("Given names", _or_not_recorded(case.given_names, c)),
        ("Date of birth", Para(date_text(case.date_of_birth) or NOT_RECORDED, c)),
        ("Gender", _or_not_recorded(case.gender, c)),
        ("Ethnicity", _or_not_recorded(case.ethnicity, c)),
        ("Custody status", Para(label(case.custody_status) or NOT_RECORDED, c)),
        ("Category", Para(category_label(case.category), c)),
        ("Level", Para(f"Level {case.level}", c)),
        ("Lead agency", _or_not_recorded(case.lead_agency, c)),
        ("Offender manager", _or_not_recorded(case.offender_manager, c)),
        ("Address area", _or_not_recorded(address, c)),
        ("Identifiers", _or_not_recorded(identifiers, c)),
        (
            "Aliases",
            user_paragraph("\n".join(case.aliases), c) if case.aliases else Para("None", c),
        ),
    ]
    long: list[tuple[str, Cell]] = [
        ("Index offence", _or_not_recorded(case.index_offence, c)),
        ("Sentence", _or_not_recorded(case.sentence, c)),
        ("Reason for referral", _or_not_recorded(case.reason_for_referral, c)),
        ("Victim issues", _or_not_recorded(case.victim_notes, c)),
    ]
    return [*_heading("Offender details", s.h2), _grid(short), _fields(long, 30 * mm)]


_BOTH_SETTINGS = (RiskSetting.COMMUNITY, RiskSetting.CUSTODY)


def rosh_grid(case: CaseEntry, settings: Sequence[RiskSetting] = _BOTH_SETTINGS) -> Table | None:
    """The RoSH ratings, a row per group and a column per setting in ``settings`` (an
    offender's record of a community case shows the community column only)."""
    s = _styles()
    risk = case.risk
    if risk is None:
        return None
    by_key = {(r.group, r.setting): r.level for r in risk.ratings}
    groups: list[str] = []
    for setting in settings:
        groups += [g for g in GROUPS_BY_SETTING[setting] if g not in groups]
    shown = {r.group for r in risk.ratings if r.setting in settings}
    groups += sorted(shown - set(groups))
    titles = ["Risk of serious harm to", *(label(setting) for setting in settings)]
    rows: list[list[Any]] = [_header_row(titles)]
    extra: list[tuple[Any, ...]] = []
    for r, group in enumerate(groups, start=1):
        row: list[Any] = [Para(label(group), s.cell_bold)]
        for col, setting in enumerate(settings, start=1):
            level = by_key.get((group, setting), "")
            if level:
                text = label(level)
                fill = _ROSH_FILL.get(RoshLevel(level)) if level in _ROSH_FILL else None
                if fill is not None:
                    extra.append(("BACKGROUND", (col, r), (col, r), fill))
                style = s.cell_bold if level in (RoshLevel.HIGH, RoshLevel.VERY_HIGH) else s.cell
                row.append(Para(para_text(text), style))
            elif group == RiskGroup.PRISONERS and setting == RiskSetting.COMMUNITY:
                row.append(Para("Not applicable", s.cell))
            else:
                row.append(Para(f"<i>{NOT_RECORDED}</i>", s.cell))
        rows.append(row)
    return _table(rows, [60 * mm, *(40 * mm for _ in settings)], extra=extra)


def _risk(case: CaseEntry) -> list[Flowable]:
    s = _styles()
    c = s.cell
    out: list[Flowable] = [*_heading("Risk summary", s.h2)]
    risk = case.risk
    if risk is None:
        out.append(Para("No risk assessment is recorded for this case.", s.warning))
        if case.risk_summary.strip():
            out.append(_fields([("Summary", user_paragraph(case.risk_summary, c))]))
        return out
    tool = label(risk.tool) if risk.tool else NOT_RECORDED
    out.append(
        _grid(
            [
                ("Assessment", Para(f"{tool} (assessment version {risk.version_no})", c)),
                ("Assessed on", Para(date_text(risk.assessed_on) or NOT_RECORDED, c)),
                ("Assessor", _or_not_recorded(risk.assessor, c)),
                ("Tool score", _or_not_recorded(risk.tool_score, c)),
                (
                    "Overall risk of serious harm",
                    Para(f"<b>{label(risk.overall)}</b>", c)
                    if risk.overall
                    else Para(NOT_RECORDED, c),
                ),
            ]
        )
    )
    grid = rosh_grid(case)
    if grid is not None:
        out += [Spacer(1, 3 * mm), grid, Spacer(1, 3 * mm)]
    out.append(
        _fields(
            [
                ("Who is at risk", _or_not_recorded(risk.who_at_risk, c)),
                ("Nature of the risk", _or_not_recorded(risk.nature_of_risk, c)),
                ("Imminence", _or_not_recorded(risk.imminence, c)),
                ("Risk likely to increase when", _or_not_recorded(risk.increasing_factors, c)),
                ("Factors likely to reduce risk", _or_not_recorded(risk.protective_factors, c)),
                ("Summary", _or_not_recorded(case.risk_summary, c)),
            ]
        )
    )
    return out


RESTRICTED_TAG = "[Restricted]"


def _information(case: CaseEntry, summary: bool) -> list[Flowable]:
    s = _styles()
    out: list[Flowable] = [*_heading("Information shared by agencies", s.h2)]
    shown = [i for i in case.information if not (summary and i.restricted)]
    if summary and len(shown) < len(case.information):
        out.append(Para(WITHHELD_NOTE, s.note))
    if not shown:
        out.append(Para("No information is recorded as shared.", s.body))
        return out
    rows: list[list[Any]] = [_header_row(["Agency", "Information shared"])]
    for info in shown:
        agency: list[Flowable] = [_user_cell(info.agency)]
        if info.restricted and not summary:
            agency.append(Para(RESTRICTED_TAG, s.cell_bold))
        rows.append([agency, _user_cell(info.text)])
    out.append(_table(rows, [40 * mm, CONTENT_WIDTH - 40 * mm]))
    return out


def change_cell(item: RmpEntry) -> tuple[Para, colors.Color | None]:
    s = _styles()
    if not item.change:
        return Para("No change", s.cell), None
    tag = CHANGE_TAGS.get(item.change, label(item.change).upper())
    fill = _CHANGE_FILL.get(RmpChange(item.change)) if item.change in CHANGE_TAGS else None
    return Para(tag, s.tag), fill or colors.HexColor("#444444")


def rmp_item_row(item: RmpEntry, summary: bool) -> list[Any]:
    s = _styles()
    item_cell: list[Flowable] = []
    if item.restricted and not summary:
        item_cell.append(Para(RESTRICTED_TAG, s.cell_bold))
    item_cell.append(_user_cell(item.text))
    if item.rationale.strip():
        item_cell += [Para("<b>Rationale:</b>", s.cell), _user_cell(item.rationale)]
    dates = [
        f"{name}: {date_text(value)}"
        for name, value in (
            ("Start", item.start_date),
            ("Review", item.review_date),
            ("End", item.end_date),
        )
        if value
    ]
    return [
        change_cell(item)[0],
        item_cell,
        _user_cell(item.responsible_agency),
        Para("<br/>".join(dates), s.cell),
        Para(label(item.status), s.cell),
    ]


def _rmp_table(items: Sequence[RmpEntry], summary: bool) -> Table:
    """One table for the plan: a row per heading (pillar), then its items."""
    s = _styles()
    rows: list[list[Any]] = [_header_row(["Change", "Item", "Agency", "Dates", "Status"])]
    extra: list[tuple[Any, ...]] = []
    pillars = list(PILLARS) + sorted({i.pillar for i in items} - set(PILLARS))
    for pillar in pillars:
        r = len(rows)
        rows.append([Para(para_text(label(pillar)), s.cell_bold), "", "", "", ""])
        extra += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), _LABEL_FILL)]
        in_pillar = [i for i in items if i.pillar == pillar]
        if not in_pillar:
            r = len(rows)
            rows.append([Para("No items recorded under this heading.", s.cell), "", "", "", ""])
            extra.append(("SPAN", (0, r), (-1, r)))
        for item in in_pillar:
            r = len(rows)
            fill = change_cell(item)[1]
            if fill is not None:
                extra.append(("BACKGROUND", (0, r), (0, r), fill))
            rows.append(rmp_item_row(item, summary))
    widths = [20 * mm, CONTENT_WIDTH - 20 * mm - 30 * mm - 36 * mm - 16 * mm, 30 * mm, 36 * mm]
    widths.append(16 * mm)
    return _table(rows, widths, extra=extra)


def _rmp(items: Sequence[RmpEntry], summary: bool) -> list[Flowable]:
    s = _styles()
    out: list[Flowable] = [*_heading("Risk management plan", s.h2)]
    shown = [i for i in items if not (summary and i.restricted)]
    if summary and len(shown) < len(items):
        out.append(Para(WITHHELD_NOTE, s.note))
    changed = sum(1 for i in shown if i.change)
    out.append(
        Para(
            f"Changes made at this meeting: {changed}. The Change column tags each item "
            "added (NEW), changed (CHANGED) or ended (ENDED) at this meeting, with the "
            "rationale under the item.",
            s.body,
        )
    )
    out.append(_rmp_table(shown, summary))
    return out


def action_outcome(action: ActionEntry) -> list[Flowable]:
    s = _styles()
    parts: list[Flowable] = [Para(f"<b>{label(action.status)}</b>", s.cell)]
    if action.not_done_reason:
        parts.append(Para(f"Not done: {label(action.not_done_reason)}", s.cell))
    if action.note.strip():
        parts.append(_user_cell(action.note))
    return parts


def _actions(case: CaseEntry) -> list[Flowable]:
    s = _styles()
    out: list[Flowable] = [*_heading("Previous actions", s.h2)]
    if case.previous_actions:
        rows: list[list[Any]] = [_header_row(["Action", "Owner", "Due", "Outcome"])]
        for a in case.previous_actions:
            rows.append(
                [
                    _user_cell(a.text),
                    _person_cell(a.owner, a.owner_agency),
                    Para(date_text(a.due_date), s.cell),
                    action_outcome(a),
                ]
            )
        widths = [CONTENT_WIDTH - 45 * mm - 25 * mm - 45 * mm, 45 * mm, 25 * mm, 45 * mm]
        out.append(_table(rows, widths))
    else:
        out.append(Para("No previous actions to review.", s.body))
    out += _heading("New actions", s.h2)
    if case.new_actions:
        rows = [_header_row(["Action", "Owner", "Agency", "Due date"])]
        for a in case.new_actions:
            rows.append(
                [
                    _user_cell(a.text),
                    _or_not_recorded(a.owner, s.cell),
                    _or_not_recorded(a.owner_agency, s.cell),
                    Para(date_text(a.due_date) or NOT_RECORDED, s.cell),
                ]
            )
        widths = [CONTENT_WIDTH - 40 * mm - 35 * mm - 25 * mm, 40 * mm, 35 * mm, 25 * mm]
        out.append(_table(rows, widths))
    else:
        out.append(Para("No new actions were set.", s.body))
    return out


def _dissent(decision: DecisionEntry) -> list[Flowable]:
    s = _styles()
    if not decision.dissents:
        return [Para("None recorded", s.cell)]
    out: list[Flowable] = []
    for d in decision.dissents:
        out.append(Para(f"<b>{para_text(d.by) or NOT_RECORDED}:</b>", s.cell))
        out.append(_user_cell(d.view))
    return out


def decision_table(decision: DecisionEntry, summary: bool) -> Table:
    s = _styles()
    c = s.cell
    kind = f"<b>{label(decision.kind)}</b>"
    if decision.restricted and not summary:
        kind += f" {RESTRICTED_TAG}"
    pairs: list[tuple[str, Cell]] = [
        ("Decision", Para(kind, c)),
        ("Outcome", _or_not_recorded(decision.outcome, c)),
    ]
    if decision.kind == DecisionKind.DISCLOSURE:
        pairs += [
            ("Disclose", Para(f"<b>{yes_no(decision.disclose)}</b>", c)),
            ("To whom", _or_not_recorded(decision.disclosure_to, c)),
            ("By whom", _or_not_recorded(decision.disclosure_by, c)),
            ("How", _or_not_recorded(decision.disclosure_method, c)),
            ("When", Para(date_text(decision.disclosure_date) or NOT_RECORDED, c)),
            ("s.327A considered", Para(yes_no(decision.s327a_considered), c)),
        ]
    if decision.new_level is not None:
        pairs.append(("New level", Para(f"Level {decision.new_level}", c)))
    if decision.new_category is not None:
        pairs.append(("New category", Para(category_label(decision.new_category), c)))
    if decision.next_review_date:
        pairs.append(("Next review", Para(date_text(decision.next_review_date), c)))
    pairs += [
        ("Rationale", _or_not_recorded(decision.rationale, c)),
        ("Dissent", _dissent(decision)),
    ]
    return _fields(pairs)


def _decision_section(
    title: str,
    decisions: Sequence[DecisionEntry],
    summary: bool,
    missing: str,
    missing_is_warning: bool = True,
) -> list[Flowable]:
    s = _styles()
    out: list[Flowable] = [*_heading(title, s.h2)]
    shown = [d for d in decisions if not (summary and d.restricted)]
    if summary and len(shown) < len(decisions):
        out.append(Para(WITHHELD_NOTE, s.note))
    if not shown and not (summary and decisions):
        out.append(Para(missing, s.warning if missing_is_warning else s.body))
    for i, d in enumerate(shown):
        if i:
            out.append(Spacer(1, 2 * mm))
        out.append(decision_table(d, summary))
    return out


def _decisions(case: CaseEntry, summary: bool) -> list[Flowable]:
    s = _styles()
    special = {DecisionKind.DISCLOSURE, DecisionKind.LEVEL, DecisionKind.EXIT}
    special.add(DecisionKind.NEXT_REVIEW)
    general = [d for d in case.decisions if d.kind not in special]
    disclosure = [d for d in case.decisions if d.kind == DecisionKind.DISCLOSURE]
    level = [d for d in case.decisions if d.kind in (DecisionKind.LEVEL, DecisionKind.EXIT)]
    review = [d for d in case.decisions if d.kind == DecisionKind.NEXT_REVIEW]
    out = _decision_section(
        "Decisions", general, summary, "No other decisions recorded.", missing_is_warning=False
    )
    out += _decision_section(
        "Disclosure decision", disclosure, summary, "No disclosure decision is recorded."
    )
    out += _decision_section("Level decision", level, summary, "No level decision is recorded.")
    out += _heading("Next review", s.h2, keep=20 * mm)
    next_date = case.next_review_date or next(
        (d.next_review_date for d in review if d.next_review_date), ""
    )
    if next_date:
        out.append(Para(f"<b>Next review date:</b> {date_text(next_date)}", s.body))
    else:
        out.append(Para("No next review date is recorded.", s.warning))
    shown = [d for d in review if not (summary and d.restricted)]
    for d in shown:
        out.append(decision_table(d, summary))
    return out


# --------------------------------------------------------------------------------------------
# Sign-off and addenda


def content_sha256(doc: MinutesDocument) -> str:
    if doc.sign_off is not None:
        return doc.sign_off.content_sha256
    return content_hash(canonical_json(doc.content))


def _sign_off(doc: MinutesDocument) -> list[Flowable]:
    s = _styles()
    c = s.cell
    out: list[Flowable] = [*_heading("Sign-off", s.h1, keep=45 * mm)]
    if doc.sign_off is None:
        out.append(Para(f"{DRAFT_NOTICE}.", s.warning))
        out.append(
            Para(
                "The Chair has not signed these minutes off. They may still change and must "
                "not be relied on as the record of the meeting.",
                s.body,
            )
        )
        out.append(_fields([("Draft content SHA-256", Para(content_sha256(doc), c))], 48 * mm))
        return out
    so = doc.sign_off
    out.append(
        _fields(
            [
                ("Signed off by the Chair", _or_not_recorded(so.chair, c)),
                ("Date and time", Para(datetime_text(so.signed_at) or NOT_RECORDED, c)),
                ("Content SHA-256", Para(so.content_sha256, c)),
            ],
            48 * mm,
        )
    )
    return out + _audit_reasons(doc)


def _audit_reasons(doc: MinutesDocument) -> list[Flowable]:
    """The chair's reason for each self-audit finding signed with one (part of the record)."""
    s = _styles()
    reasons = doc.content.self_audit or ()
    if not reasons:
        return []
    out: list[Flowable] = [*_heading("Chair's reasoning on the self-audit", s.h3, keep=30 * mm)]
    for r in reasons:
        out.append(
            _fields([("Finding", _user_cell(r.finding)), ("Chair's reason", _user_cell(r.reason))])
        )
    return out


def _addenda(addenda: Sequence[AddendumEntry]) -> list[Flowable]:
    s = _styles()
    c = s.cell
    if not addenda:
        return []
    out: list[Flowable] = [*_heading("Addenda", s.h1)]
    for a in sorted(addenda, key=lambda x: x.seq):
        out += _heading(f"Addendum {a.seq}", s.h3, keep=30 * mm)
        out.append(
            _fields(
                [
                    ("Reason", _or_not_recorded(a.reason, c)),
                    ("Text", _or_not_recorded(a.text, c)),
                    ("Signed by", _or_not_recorded(a.signed_by, c)),
                    ("Date and time", Para(datetime_text(a.signed_at) or NOT_RECORDED, c)),
                    ("Content SHA-256", Para(a.content_sha256 or NOT_RECORDED, c)),
                ],
                48 * mm,
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Pages


@dataclass(frozen=True, slots=True)
class _PageText:
    left_header: str
    right_header: str
    left_footer: str


def _page_text(doc: MinutesDocument) -> _PageText:
    m = doc.content.meeting
    left = f"MAPPA minutes - {contain_bidi(m.area)} - {date_text(m.date)}".strip(" -")
    if doc.variant == DistributionVariant.DISCLOSURE_SUMMARY:
        left = "Disclosure summary - " + left
    if doc.case_id is not None:  # one offender's record: every page names the offender
        left = record_page_header(doc)
    right_parts = []
    if doc.copy_number is not None:
        right_parts.append(f"Copy {doc.copy_number}")
    if doc.recipient:
        right_parts.append(f"issued to {doc.recipient}" if right_parts else doc.recipient)
    if doc.sign_off is None:
        footer = f"Meeting {m.meeting_id} - DRAFT - not signed off"
    else:
        footer = f"Meeting {m.meeting_id} - signed off - SHA-256 {doc.sign_off.content_sha256[:16]}"
    return _PageText(
        left_header=plain_text(left),
        right_header=plain_text(" ".join(right_parts)),
        left_footer=plain_text(footer),
    )


def _watermark(canvas: Canvas, _doc: Any) -> None:
    """The diagonal DRAFT, drawn over the page content (translucent, so text stays legible)."""
    canvas.saveState()
    canvas.setFillColor(colors.HexColor("#c0392b"))
    canvas.setFillAlpha(0.16)
    canvas.setFont(fonts.BOLD, 120)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(50)
    canvas.drawCentredString(0, -40, "DRAFT")
    canvas.restoreState()


def _no_watermark(canvas: Canvas, _doc: Any) -> None:
    return None


def _draw_header_band(canvas: Canvas, page: _PageText) -> None:
    """The running header under the top marking: title, area and date on the left, the copy
    number and recipient on the right (on a line of its own when long), and the rule."""
    rule_y = _HEADER_RULE_Y
    right = 0.0
    if page.right_header:
        half = CONTENT_WIDTH / 2 - 3 * mm
        if stringWidth(page.right_header, fonts.REGULAR, 6.5) <= half:
            right = _fit(
                canvas, page.right_header, PAGE_WIDTH - MARGIN_X, _HEADER_INFO_Y, half, True
            )
        else:  # a long recipient gets a line of its own rather than being cut short
            y = _HEADER_INFO_Y - 3.5 * mm
            _fit(canvas, page.right_header, PAGE_WIDTH - MARGIN_X, y, CONTENT_WIDTH, True)
            rule_y = y - 2 * mm
    left = CONTENT_WIDTH - right - 6 * mm
    _fit(canvas, page.left_header, MARGIN_X, _HEADER_INFO_Y, left, right=False)
    canvas.setStrokeColor(_GRID)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_X, rule_y, PAGE_WIDTH - MARGIN_X, rule_y)


def _decorate(page: _PageText, *, header: bool) -> Callable[[Canvas, Any], None]:
    """Markings and footer on every page; the header band too unless ``personalise`` adds it."""

    def on_page(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.black)
        canvas.setFont(fonts.BOLD, 10)
        canvas.drawCentredString(PAGE_WIDTH / 2, _MARKING_TOP_Y, MARKING)
        canvas.drawCentredString(PAGE_WIDTH / 2, _MARKING_BOTTOM_Y, MARKING)
        if header:
            _draw_header_band(canvas, page)
        _fit(canvas, page.left_footer, MARGIN_X, _FOOTER_INFO_Y, CONTENT_WIDTH - 30 * mm, False)
        canvas.setStrokeColor(_GRID)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, _FOOTER_RULE_Y, PAGE_WIDTH - MARGIN_X, _FOOTER_RULE_Y)
        canvas.restoreState()

    return on_page


def stamp_for(doc: MinutesDocument) -> Stamp:
    """The identity stamp ``render_minutes`` writes for ``doc``."""
    return Stamp(
        meeting_id=doc.content.meeting.meeting_id,
        content_sha256=content_sha256(doc),
        status="draft" if doc.sign_off is None else "signed",
        variant=doc.variant,
        copy_number=doc.copy_number,
        recipient=doc.recipient,
        version_sha256=doc.extra.get("version_sha256", ""),
        schema=doc.content.schema,
        renderer=doc.extra.get("renderer", ""),
        printed=doc.generated_at,
        case_id=doc.case_id,
    )


def _subject(doc: MinutesDocument) -> str:
    m = doc.content.meeting
    subject = f"MAPPA {m.area} Level {m.level} meeting on {date_text(m.date) or 'no date'}"
    if doc.copy_number is not None:
        subject += f", copy {doc.copy_number}"
    if doc.recipient:
        subject += f" for {doc.recipient}"
    return subject


_COPY_SLOT_HEIGHT = 10 * mm


class CopySlot(Flowable):
    """An empty band under the title of a personal copy; records where it was drawn so that
    ``personalise`` can print the copy number and recipient in it."""

    def __init__(self) -> None:
        super().__init__()
        self.position: tuple[int, float, float] | None = None  # page, x, y (bottom left)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = _COPY_SLOT_HEIGHT
        return avail_width, _COPY_SLOT_HEIGHT

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)
        self.position = (self.canv.getPageNumber(), float(x), float(y))


class StoryBuilder(Protocol):
    """Makes a document's flowables: ``build_story``, or one offender's record
    (``reports.offender_record_pdf``) laid out on the same pages."""

    def __call__(
        self, doc: MinutesDocument, *, copy_slot: Flowable | None = None
    ) -> list[Flowable]: ...


def render_pages(
    doc: MinutesDocument,
    *,
    personal: bool,
    story: StoryBuilder = build_story,
    title: str = "",
) -> tuple[bytes, CopySlot | None]:
    """``story(doc)`` on the minutes' pages: markings, header band (unless ``personal``: then
    ``personalise`` adds it, and a ``CopySlot`` goes under the title), footer, "Page X of Y",
    the DRAFT watermark on drafts and the identity stamp."""
    fonts.register_fonts()
    m = doc.content.meeting
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title or f"MAPPA minutes - meeting {m.meeting_id}",
        subject=_subject(doc),
        author="mappa-desktop",
        creator="mappa-desktop",
        keywords=[stamp_keywords(stamp_for(doc))],  # joined with ", ": one item stays as is
        initialFontName=fonts.REGULAR,
        invariant=1,  # no creation time or random file id: verify re-renders byte for byte
    )
    frame = Frame(
        template.leftMargin,
        template.bottomMargin,
        template.width,
        template.height,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    template.addPageTemplates(
        [
            PageTemplate(
                id="minutes",
                frames=[frame],
                onPage=_decorate(_page_text(doc), header=not personal),
                onPageEnd=_watermark if doc.sign_off is None else _no_watermark,
            )
        ]
    )
    slot = CopySlot() if personal else None
    template.build(story(doc, copy_slot=slot), canvasmaker=NumberedCanvas)
    return buffer.getvalue(), slot


@dataclass(frozen=True, slots=True)
class MinutesBody:
    """The pages all personal copies of one document share, rendered once: everything except
    the running header and the copy band under the title (see ``personalise``)."""

    doc: MinutesDocument  # the document without recipient and copy number
    pdf: bytes
    copy_slot: tuple[float, float]  # bottom-left corner of the copy band on page 1


def render_body(
    doc: MinutesDocument, *, story: StoryBuilder = build_story, title: str = ""
) -> MinutesBody:
    """Lay out ``doc`` once for any number of personal copies (the slow part: about 1 s for a
    25-case meeting)."""
    shared = replace(doc, recipient="", copy_number=None)
    pdf, slot = render_pages(shared, personal=True, story=story, title=title)
    if slot is None or slot.position is None or slot.position[0] != 1:
        raise RuntimeError("the copy band of the minutes was not laid out on the first page")
    return MinutesBody(doc=shared, pdf=pdf, copy_slot=(slot.position[1], slot.position[2]))


def _copy_line_markup(doc: MinutesDocument) -> str:
    who = f" issued to {para_text(doc.recipient)}" if doc.recipient else ""
    if doc.copy_number is not None:
        return f"<b>Copy {doc.copy_number}</b>{who}"
    return f"<b>Issued to</b> {para_text(doc.recipient)}"


def _draw_copy_band(canvas: Canvas, doc: MinutesDocument, x: float, y: float) -> None:
    """The copy number and recipient in the band under the title, shrunk until it fits."""
    base = _styles().subtitle
    markup = _copy_line_markup(doc)
    para = Para(markup, base)
    height = 0.0
    for size in (11.0, 10.0, 9.0, 8.0, 7.0, 6.0, 5.0):
        style = ParagraphStyle("mappa-copy", parent=base, fontSize=size, leading=size * 1.2)
        para = Para(markup, style)
        _, height = para.wrap(CONTENT_WIDTH, 10 * _COPY_SLOT_HEIGHT)
        if height <= _COPY_SLOT_HEIGHT:
            break
    para.drawOn(canvas, x, y + _COPY_SLOT_HEIGHT - height)


def _overlay(doc: MinutesDocument, slot: tuple[float, float]) -> bytes:
    """Two transparent A4 pages: the first page's personal parts, and every later page's."""
    fonts.register_fonts()
    buffer = io.BytesIO()
    # Without a Unicode initial font ReportLab adds an unembedded Helvetica to the page
    # resources (types-reportlab types this argument wrongly as a number).
    canvas = Canvas(
        buffer,
        pagesize=A4,
        initialFontName=fonts.REGULAR,  # type: ignore[arg-type]
        invariant=1,
    )
    page = _page_text(doc)
    for first in (True, False):
        canvas.saveState()
        canvas.setFillColor(colors.black)
        _draw_header_band(canvas, page)
        canvas.restoreState()
        if first:
            _draw_copy_band(canvas, doc, *slot)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _overlay_page(page: Any, form: Any, rect: Any) -> None:
    """``page.add_overlay(form, rect)`` under a fixed resource name (pikepdf picks a random
    one), so the same copy renders to the same bytes and ``verify`` can re-render it."""
    import pikepdf

    name = page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name("/MappaCopy"))
    placement = page.calc_form_xobject_placement(form, name, rect)
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"Q\n", prepend=False)
    page.contents_add(placement, prepend=False)
    page.contents_coalesce()


def personalise(body: MinutesBody, recipient: str, copy_number: int | None) -> bytes:
    """One personal copy of a rendered body: the copy number and recipient printed in the
    header of every page and under the title, and in the document's identity stamp.

    Fast (tens of milliseconds), and the result is a complete rewrite, not an incremental
    update, so no unmarked revision of the pages survives inside the file."""
    import pikepdf

    doc = replace(body.doc, recipient=recipient, copy_number=copy_number)
    layer_pdf = _overlay(doc, body.copy_slot)
    out = io.BytesIO()
    with (
        pikepdf.open(io.BytesIO(body.pdf)) as pdf,
        pikepdf.open(io.BytesIO(layer_pdf)) as layer,
    ):
        first = pdf.copy_foreign(layer.pages[0].as_form_xobject())
        rest = pdf.copy_foreign(layer.pages[1].as_form_xobject())
        whole = pikepdf.Rectangle(0, 0, PAGE_WIDTH, PAGE_HEIGHT)
        for number, page in enumerate(pdf.pages):
            _overlay_page(page, first if number == 0 else rest, whole)
        pdf.docinfo["/Subject"] = _subject(doc)
        pdf.docinfo["/Keywords"] = stamp_keywords(stamp_for(doc))
        pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none, deterministic_id=True)
    return out.getvalue()


def render_minutes(doc: MinutesDocument) -> bytes:
    """The minutes as PDF bytes (A4); a personal copy when ``doc`` names a recipient or copy."""
    if doc.recipient or doc.copy_number is not None:
        return personalise(render_body(doc), doc.recipient, doc.copy_number)
    return render_pages(doc, personal=False)[0]


def render_copies(doc: MinutesDocument, copies: Sequence[tuple[str, int]]) -> list[bytes]:
    """Personal copies of ``doc``, one per (recipient, copy number), in the order given: the
    body is laid out once and each copy is stamped onto it."""
    body = render_body(doc)
    return [personalise(body, who, number) for who, number in copies]
