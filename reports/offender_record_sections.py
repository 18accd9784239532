"""The offender-information part of an offender's record: sections 1 to 6 of MAPPA B/C
(DOMAIN §4.3), and the pieces every section of the record shares.

Each builder takes the one ``CaseEntry`` the record is for and returns flowables; none of them
sees another case. ``Redaction`` decides, once for the whole record, whether a restricted item
prints with the "[Restricted]" tag (a full copy) or is replaced by the withheld mark (a redacted
copy, DistributionVariant.REDACTED), so no section decides it on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from mappa_desktop.domain.enums import CustodyStatus, DecisionKind, DistributionVariant
from mappa_desktop.domain.text import contain_bidi
from mappa_desktop.services.minutes_content import CaseEntry, DecisionEntry, MinutesDocument
from reports import fonts
from reports.labels import NOT_RECORDED, category_label, date_text, label
from reports.layout import (
    CONTENT_WIDTH,
    Cell,
    fields_table,
    header_row,
    heading,
    or_not_recorded,
    pair_grid,
    styles,
    table,
    user_cell,
)
from reports.text import Para, para_text, user_paragraph

NONE_RECORDED = "None recorded."
# The one wording of the mark that replaces a restricted item in a redacted copy; the kind of
# item is named beside it (``Redaction.mark``).
WITHHELD_MARK = "[Withheld: restricted - third-party or sensitive information]"


@dataclass(frozen=True, slots=True)
class Redaction:
    """How restricted items print in this copy of the record."""

    redacted: bool

    @classmethod
    def of(cls, doc: MinutesDocument) -> Redaction:
        return cls(redacted=doc.variant == DistributionVariant.REDACTED)

    def withholds(self, restricted: bool) -> bool:
        """Is an item with this flag left out of this copy (replaced by the mark)?"""
        return self.redacted and restricted

    def tags(self, restricted: bool) -> bool:
        """Does an item with this flag print with the "[Restricted]" tag (a full copy)?"""
        return restricted and not self.redacted

    @staticmethod
    def mark(kind: str) -> Para:
        """The visible withheld mark, naming the kind of item left out (e.g. "Decision")."""
        return Para(f"<b>{kind}</b> {WITHHELD_MARK}", _withheld_style())


def section(title: str, keep: float = 35 * mm) -> list[Flowable]:
    """A section heading of the record (never the last line on a page)."""
    return heading(title, styles().h1, keep=keep)


def none_recorded() -> Para:
    """What an empty section says, once and briefly (issue 10 §6)."""
    return Para(NONE_RECORDED, styles().body)


@cache
def _withheld_style() -> ParagraphStyle:
    return ParagraphStyle(
        "mappa-record-withheld", parent=styles().cell, backColor=colors.HexColor("#e4e4e4")
    )


@cache
def _bullet_style() -> ParagraphStyle:
    return ParagraphStyle(
        "mappa-record-bullet",
        parent=styles().cell,
        leftIndent=9,
        bulletIndent=1,
        bulletText="\u2022",
        bulletFontName=fonts.REGULAR,
    )


def bullets(points: Sequence[str]) -> list[Flowable]:
    """One bulleted paragraph of user text per point."""
    return [user_paragraph(point, _bullet_style()) for point in points]


# A sentence ends at . ! or ? before a space and a letter that is not lower case (so "s. 18",
# "approx. 3" and "e.g. the" stay whole), or at a full-width CJK full stop.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\sa-z0-9])|(?<=[。！？])")
_LIST_MARK = re.compile(r"^\s*(?:[-*\u2022\u2013]|\d+[.)])\s+")


def offence_points(text: str) -> list[str]:
    """The offence summary as bullet points: the writer's own lines when there are several
    (list marks dropped), otherwise its sentences."""
    lines = [_LIST_MARK.sub("", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) != 1:
        return lines
    return [part.strip() for part in _SENTENCE_END.split(lines[0]) if part.strip()]


# --------------------------------------------------------------------------------------------
# 1 Category and level


def _withheld_or_exit(decisions: Sequence[DecisionEntry], redaction: Redaction) -> Cell | None:
    if any(redaction.withholds(d.restricted) for d in decisions):
        return Redaction.mark("Decision")
    if any(d.kind == DecisionKind.EXIT for d in decisions):
        return Para("<b>Exit from MAPPA</b> (see Decisions)", styles().cell)
    return None


def _decided_level(case: CaseEntry, redaction: Redaction) -> Cell:
    """The level this meeting decided, from its level and exit decisions."""
    s = styles()
    kinds = (DecisionKind.LEVEL, DecisionKind.EXIT)
    relevant = [d for d in case.decisions if d.kind in kinds]
    special = _withheld_or_exit(relevant, redaction)
    if special is not None:
        return special
    levels = [d.new_level for d in relevant if d.new_level is not None]
    if levels:
        new, old = levels[-1], case.level
        change = "no change" if new == old else f"{'raised' if new > old else 'reduced'} from {old}"
        return Para(f"<b>Level {new}</b> ({change})", s.cell)
    if relevant:  # a decision without a new level: its own words
        return user_cell(relevant[-1].outcome)
    return Para("No decision recorded", s.cell)


def _decided_category(case: CaseEntry, redaction: Redaction) -> Cell:
    s = styles()
    relevant = [d for d in case.decisions if d.kind == DecisionKind.CATEGORY]
    special = _withheld_or_exit(relevant, redaction)
    if special is not None:
        return special
    categories = [d.new_category for d in relevant if d.new_category is not None]
    if categories and categories[-1] != case.category:
        return Para(f"<b>{category_label(categories[-1])}</b> (changed)", s.cell)
    if relevant and not categories:
        return user_cell(relevant[-1].outcome)
    return Para("No change", s.cell)


def category_and_level(case: CaseEntry, redaction: Redaction) -> list[Flowable]:
    s = styles()
    rows: list[list[Any]] = [header_row(["", "Before the meeting", "As decided at this meeting"])]
    rows.append(
        [
            Para("Category", s.cell_bold),
            Para(category_label(case.category) if case.category else NOT_RECORDED, s.cell),
            _decided_category(case, redaction),
        ]
    )
    rows.append(
        [
            Para("Management level", s.cell_bold),
            Para(f"Level {case.level}" if case.level else NOT_RECORDED, s.cell),
            _decided_level(case, redaction),
        ]
    )
    half = (CONTENT_WIDTH - 34 * mm) / 2
    return [*section("1. Category and level"), table(rows, [34 * mm, half, half])]


# --------------------------------------------------------------------------------------------
# 2 Offender details


def _address(case: CaseEntry) -> str:
    if case.no_fixed_abode:
        area = contain_bidi(case.address_area)
        return "No fixed abode" + (f" (area of closest links: {area})" if area else "")
    return case.address_area


def offender_details(case: CaseEntry) -> list[Flowable]:
    s = styles()
    c = s.cell
    identifiers = "\n".join(f"{label(scheme)}: {value}" for scheme, value in case.identifiers)
    aliases = user_paragraph("\n".join(case.aliases), c) if case.aliases else Para("None", c)
    pairs: list[tuple[str, Cell]] = [
        ("Family name", or_not_recorded(case.family_name, c)),
        ("Given names", or_not_recorded(case.given_names, c)),
        ("Date of birth", Para(date_text(case.date_of_birth) or NOT_RECORDED, c)),
        ("Gender", or_not_recorded(case.gender, c)),
        ("Ethnicity", or_not_recorded(case.ethnicity, c)),
        ("Aliases", aliases),
        ("Identifiers", or_not_recorded(identifiers, c)),
        ("Address area", or_not_recorded(_address(case), c)),
        ("Custody status", Para(label(case.custody_status) or NOT_RECORDED, c)),
        ("Lead agency", or_not_recorded(case.lead_agency, c)),
        ("Offender manager", or_not_recorded(case.offender_manager, c)),
    ]
    return [*section("2. Offender details"), pair_grid(pairs)]


# --------------------------------------------------------------------------------------------
# 3 Conviction or caution


def conviction(case: CaseEntry) -> list[Flowable]:
    s = styles()
    c = s.cell
    points = offence_points(case.offence_details)
    summary: Cell = bullets(points) if points else Para(f"<i>{NOT_RECORDED}</i>", c)
    previous = case.previous_offences
    pairs: list[tuple[str, Cell]] = [
        ("Index offence or caution", or_not_recorded(case.index_offence, c)),
        ("Sentence (type and length)", or_not_recorded(case.sentence, c)),
        ("Offence summary", summary),
        (
            "Previous relevant offences",
            user_paragraph(previous, c) if previous.strip() else Para("None recorded", c),
        ),
    ]
    return [*section("3. Conviction or caution"), fields_table(pairs)]


# --------------------------------------------------------------------------------------------
# 4 Relevant dates


def next_review_date(case: CaseEntry, redaction: Redaction) -> str:
    """The next review date (ISO, "" when none): the case's, or one a decision set that this
    copy shows. Printed once, in section 4."""
    if case.next_review_date:
        return case.next_review_date
    decided = (
        d.next_review_date
        for d in case.decisions
        if d.next_review_date and not redaction.withholds(d.restricted)
    )
    return next(decided, "")


def relevant_dates(case: CaseEntry, redaction: Redaction) -> list[Flowable]:
    s = styles()
    c = s.cell
    lines = [line.strip() for line in case.relevant_dates.splitlines() if line.strip()]
    review = next_review_date(case, redaction)
    pairs: list[tuple[str, Cell]] = [
        ("MAPPA registration from", Para(date_text(case.registered_on) or NOT_RECORDED, c)),
        (
            "Sentence, licence and orders",
            bullets(lines) if lines else Para("None recorded", c),
        ),
        (
            "Next MAPPA review",
            Para(f"<b>{date_text(review)}</b>", c) if review else Para(NOT_RECORDED, c),
        ),
    ]
    return [*section("4. Relevant dates"), fields_table(pairs)]


# --------------------------------------------------------------------------------------------
# 5 Detention in hospital, 6 Reason for referral


def hospital(case: CaseEntry) -> list[Flowable]:
    """Section 5, kept (for MAPPA's numbering) as one short line when it does not apply."""
    s = styles()
    out = section("5. Detention in hospital", keep=20 * mm)
    if case.custody_status != CustodyStatus.HOSPITAL:
        status = label(case.custody_status).lower() or "not recorded"
        out.append(Para(f"Not applicable (custody status: {status}).", s.body))
        return out
    where = f" at {para_text(case.address_area)}" if case.address_area.strip() else ""
    out.append(Para(f"<b>Detained in hospital</b>{where}.", s.body))
    return out


def referral(case: CaseEntry) -> list[Flowable]:
    s = styles()
    c = s.cell
    pairs: list[tuple[str, Cell]] = [
        ("Reason for referral", or_not_recorded(case.reason_for_referral, c)),
        ("On this agenda because", Para(label(case.agenda_reason) or NOT_RECORDED, c)),
    ]
    return [*section("6. Reason for referral"), fields_table(pairs)]


def offender_information(case: CaseEntry, redaction: Redaction) -> list[Flowable]:
    """Sections 1 to 6, in MAPPA's order."""
    return [
        *category_and_level(case, redaction),
        *offender_details(case),
        *conviction(case),
        *relevant_dates(case, redaction),
        *hospital(case),
        *referral(case),
    ]
