"""The referral form (MAPPA A: referral to Level 2 or 3) as a PDF, in the national section order
(DOMAIN.md §1.1, §3.1): the area and the level referred to at the top, the referrer, then
1 category, 2 offender information, 3 conviction or caution, 4 relevant dates, 5 detained in
hospital, 6 reason for referral (with the current RoSH), 7 what multi-agency management would
add, 8 for Level 3 what cannot be managed at Level 2, and the co-ordinator's screening.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from mappa_desktop.domain.enums import CustodyStatus
from mappa_desktop.services.cases import CaseDetail
from mappa_desktop.services.referrals import ReferralRow
from mappa_desktop.services.statistics import CATEGORY_LABELS
from reports.labels import NOT_RECORDED, label
from reports.layout import CONTENT_WIDTH, heading, render_report, styles, table
from reports.text import Para, para_text, user_paragraph

SECTIONS = (
    "Referral details",
    "1. Category of offender",
    "2. Offender information",
    "3. Conviction / caution information",
    "4. Relevant dates",
    "5. Detained in hospital",
    "6. Reason for referral",
    "7. What multi-agency management would add",
    "8. Level 3 referrals: what cannot be managed at Level 2",
    "Screening by the MAPPA co-ordinator",
)
Pair = tuple[str, str]


def _value(text: str) -> Para:
    s = styles()
    if text.strip():
        return user_paragraph(text, s.cell)
    return Para(f"<i>{NOT_RECORDED}</i>", s.cell)


def _fields(pairs: Sequence[Pair]) -> Flowable:
    s = styles()
    width = 52 * mm
    rows: list[list[object]] = [[Para(name, s.cell_bold), _value(value)] for name, value in pairs]
    return table(rows, [width, CONTENT_WIDTH - width], header=False, label_column=True)


def _section(number: int, pairs: Sequence[Pair]) -> list[Flowable]:
    return [*heading(SECTIONS[number], styles().h2), _fields(pairs)]


def _iso(value: object) -> str:
    iso = getattr(value, "isoformat", None)
    return iso() if callable(iso) else ""


def _offender(case: CaseDetail) -> list[Pair]:
    aliases = ", ".join(a.name for a in case.aliases)
    identifiers = "\n".join(f"{label(i.scheme)}: {i.value}" for i in case.identifiers)
    address = case.address_area
    if case.no_fixed_abode:
        address = "No fixed abode" + (f" (area of closest links: {address})" if address else "")
    return [
        ("Family name", case.family_name),
        ("Given names", case.given_names),
        ("Aliases / nicknames", aliases),
        ("Date of birth", _iso(case.date_of_birth)),
        ("Gender", case.gender),
        ("Ethnicity", case.ethnicity),
        ("Address area", address),
        ("Identifiers", identifiers),
        ("Lead agency", case.lead_agency_name),
        ("Offender manager", case.offender_manager_name),
    ]


def build_story(referral: ReferralRow, case: CaseDetail, area_name: str) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [
        Para(f"Referral to MAPPA Level {referral.level_sought} (MAPPA A)", s.title),
        Para(
            f"MAPPA area: {para_text(area_name) or NOT_RECORDED} - referral {referral.id}, "
            f"{referral.status_label}",
            s.subtitle,
        ),
        Spacer(1, 3 * mm),
    ]
    story += _section(
        0,
        [
            ("Level referred to", f"Level {referral.level_sought}"),
            ("Referral date", referral.referral_date.isoformat()),
            ("Referring agency", referral.referring_agency),
            ("Referred by", referral.referrer_name),
            (
                "Received",
                "Imported" if referral.source.value == "import" else "Recorded in the app",
            ),
        ],
    )
    story += _section(
        1, [("Category", CATEGORY_LABELS.get(referral.category, str(referral.category)))]
    )
    story += _section(2, _offender(case))
    story += _section(
        3,
        [
            ("Index offence / relevant caution", case.index_offence),
            ("Sentence (length and type)", case.sentence),
            ("Offence details", case.offence_details),
            ("Previous related offences", case.previous_offences),
        ],
    )
    story += _section(4, [("Relevant dates", case.relevant_dates)])
    hospital = case.custody_status is CustodyStatus.HOSPITAL
    story += _section(
        5,
        [("Detained in hospital", "Yes" if hospital else "No")],
    )
    story += _section(
        6,
        [
            ("Reason for referral", referral.reason),
            ("Current RoSH (overall)", label(referral.current_rosh)),
        ],
    )
    story += _section(7, [("Added value", referral.added_value)])
    level3 = referral.level3_reason if referral.level_sought == 3 else "Not applicable (Level 2)"
    story += _section(8, [("Cannot be managed at Level 2", level3)])
    screening: list[Pair] = [("Status", referral.status_label.capitalize())]
    if referral.screened_on is not None:
        screening += [
            ("Screened on", referral.screened_on.isoformat()),
            ("Screened by", referral.screened_by),
            ("Reason", referral.screening_reason),
        ]
    if referral.accepted_level is not None:
        screening.append(("Accepted at", f"Level {referral.accepted_level}"))
    if referral.first_meeting_date is not None:
        days = referral.days_to_first_meeting
        screening.append(
            (
                "First meeting",
                f"{referral.first_meeting_date.isoformat()} (meeting "
                f"{referral.first_meeting_id}, {days} days after the referral)",
            )
        )
    story += _section(9, screening)
    return story


def render_referral_pdf(referral: ReferralRow, case: CaseDetail, area_name: str) -> bytes:
    """The referral form as a marked A4 PDF."""
    return render_report(
        build_story(referral, case, area_name),
        title=f"MAPPA A referral {referral.id}",
        subject=f"Referral to MAPPA Level {referral.level_sought}: {referral.case_name}",
        header=f"MAPPA A - referral to Level {referral.level_sought} - {referral.case_name}",
        footer=f"Referral {referral.id} - case {referral.case_id} - {area_name}",
    )
