"""Sample minutes documents built from the DTOs: three rich cases with names in many scripts.

``document()`` is used by the report tests and by ``benchmarks/bench_minutes_pdf.py``.
"""

from __future__ import annotations

from dataclasses import replace

from mappa_desktop.services.minutes_content import (
    ActionEntry,
    AddendumEntry,
    AttendeeEntry,
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

POLISH = "Łukasz Wiśniewski"
SWEDISH = "Zoë Ångström"
RUSSIAN = "Дмитрий Иванов"
GREEK = "Γιώργος Παπαδόπουλος"
VIETNAMESE = "Nguyễn Thị Hồng"
ARABIC = "محمد العلي"
IRISH = "O'Brien"
MARKUP = 'Smith & <Jones> "Q"'

ALL_NAMES = (POLISH, SWEDISH, RUSSIAN, GREEK, VIETNAMESE, ARABIC, IRISH, MARKUP)

# Text only restricted items carry: a disclosure summary must never contain it.
RESTRICTED_MARKERS = (
    "Covert source reports contact with the co-defendant",
    "Restricted RMP item: covert monitoring of the address",
    "Restricted decision: share intelligence with the prison only",
)

STATEMENT = """Confidentiality and Diversity Statement

The information shared at this meeting is shared on the understanding that the risk is so great
that public safety outweighs the offender's rights of confidentiality.

All documentation will be marked OFFICIAL-SENSITIVE."""

SECTION_HEADINGS = (
    "Meeting details",
    "Confidentiality and diversity statement",
    "Attendance",
    "Offender details",
    "Risk summary",
    "Information shared by agencies",
    "Risk management plan",
    "Supervision",
    "Monitoring and control",
    "Interventions and treatment",
    "Victim safety planning",
    "Contingency plans",
    "Licence conditions",
    "Previous actions",
    "New actions",
    "Decisions",
    "Disclosure decision",
    "Level decision",
    "Next review",
    "Sign-off",
)


def meeting(meeting_id: int = 12) -> MeetingIdentity:
    return MeetingIdentity(
        meeting_id=meeting_id,
        area="Thames Valley",
        level=2,
        meeting_type="review",
        date="2025-03-04",
        start_time="09:30",
        venue="Kidlington Police HQ, Room 4",
        chair=GREEK,
        chair_agency="Thames Valley Police",
        minute_taker=VIETNAMESE,
        coordinator=IRISH,
        template_version="MAPPA C 2022 v1",
    )


def attendance() -> tuple[AttendeeEntry, ...]:
    return (
        AttendeeEntry(GREEK, "Thames Valley Police", "Detective Inspector", "present"),
        AttendeeEntry(
            SWEDISH, "Probation Service", "Senior Probation Officer", "present", "", "09:30"
        ),
        AttendeeEntry(MARKUP, "Adult Social Care", "Team Manager", "deputy", "J. Patel"),
        AttendeeEntry(RUSSIAN, "HM Prison Bullingdon", "Offender Management Unit", "apologies"),
        AttendeeEntry(
            VIETNAMESE, "Thames Valley Police", "MAPPA minute-taker", "present", "", "", "11:15"
        ),
        AttendeeEntry(IRISH, "MAPPA Co-ordination Unit", "MAPPA Co-ordinator", "present"),
        AttendeeEntry("Dr A. Khan", "Oxford Health NHS FT", "Forensic psychiatrist", "absent"),
        AttendeeEntry(ARABIC, "Housing Services", "Housing Officer", "report_submitted"),
    )


def _risk(version: int, overall: str) -> RiskEntry:
    return RiskEntry(
        version_no=version,
        assessed_on="2025-02-20",
        assessor=SWEDISH,
        tool="oasys",
        tool_score="OGRS 62%",
        overall=overall,
        ratings=(
            RoshCell("community", "children", "very_high"),
            RoshCell("community", "public", "medium"),
            RoshCell("community", "known_adult", "high"),
            RoshCell("community", "staff", "low"),
            RoshCell("custody", "children", "high"),
            RoshCell("custody", "public", "low"),
            RoshCell("custody", "known_adult", "medium"),
            RoshCell("custody", "staff", "low"),
            RoshCell("custody", "prisoners", "medium"),
        ),
        who_at_risk="Female children aged 8-12 known to the offender; ex-partner.",
        nature_of_risk="Sexual and physical harm; grooming through online contact.",
        imminence="Greatest on release and at times of relationship breakdown.",
        increasing_factors="Alcohol misuse; loss of accommodation; contact with the co-defendant.",
        protective_factors="Stable accommodation; engagement with the treatment programme.",
    )


def _rmp(case_id: int, restricted: bool) -> tuple[RmpEntry, ...]:
    base = case_id * 100
    items = [
        RmpEntry(
            base + 1,
            "supervision",
            "Weekly office appointments with the OM.",
            "Probation Service",
            "2025-01-10",
            "2025-04-01",
            "",
            "active",
            "",
        ),
        RmpEntry(
            base + 2,
            "supervision",
            "Home visits fortnightly, unannounced.",
            "Thames Valley Police",
            "2025-03-04",
            "2025-04-01",
            "",
            "active",
            "added",
            "Concerns about visitors to the address reported by Housing.",
        ),
        RmpEntry(
            base + 3,
            "monitoring_control",
            "GPS electronic monitoring with exclusion zone.",
            "Probation Service",
            "2025-01-10",
            "2025-06-01",
            "",
            "active",
            "changed",
            "Exclusion zone widened to include the victim's new school.",
        ),
        RmpEntry(
            base + 4,
            "interventions_treatment",
            "Horizon programme, sessions 1-12.",
            "Probation Service",
            "2024-11-01",
            "",
            "2025-03-04",
            "ended",
            "ended",
            "Programme completed; report received.",
        ),
        RmpEntry(
            base + 5,
            "victim_safety",
            "Victim liaison officer to update the victim.",
            "Probation Service",
            "2025-01-10",
            "2025-04-01",
            "",
            "active",
            "",
        ),
        RmpEntry(
            base + 6,
            "contingency",
            "On breach: recall request the same day; police to attend the address.",
            "Probation Service",
            "2025-01-10",
            "",
            "",
            "active",
            "",
        ),
        RmpEntry(
            base + 7,
            "licence_condition",
            "Not to approach or communicate with the victim, directly or indirectly.",
            "Probation Service",
            "2025-01-10",
            "",
            "",
            "active",
            "",
        ),
    ]
    if restricted:
        items.append(
            RmpEntry(
                base + 8,
                "monitoring_control",
                RESTRICTED_MARKERS[1],
                "Thames Valley Police",
                "2025-03-04",
                "2025-04-01",
                "",
                "active",
                "added",
                "Intelligence-led.",
                restricted=True,
            )
        )
    return tuple(items)


def _case(order: int, case_id: int, given: str, family: str, restricted: bool) -> CaseEntry:
    return CaseEntry(
        agenda_order=order,
        case_id=case_id,
        agenda_reason="review_due",
        family_name=family,
        given_names=given,
        aliases=(f"{given[:3]} {family}", "The Teacher"),
        date_of_birth="1984-07-19",
        gender="Male",
        ethnicity="White - Other",
        identifiers=(("pnc", "2003/0123456X"), ("visor", f"V{case_id:07d}"), ("crn", "X123456")),
        category=2,
        level=2,
        lead_agency="Probation Service",
        offender_manager=SWEDISH,
        custody_status="community",
        address_area="Oxford OX4",
        no_fixed_abode=order == 2,
        index_offence="Wounding with intent (s.18 OAPA 1861)",
        sentence="8 years' imprisonment; licence expiry 2027-05-01",
        reason_for_referral="Escalating risk to known children; new partner with two daughters.",
        victim_notes="Victim (ex-partner) has moved; VLO in contact. Victim's new address "
        "must not be disclosed.",
        risk=_risk(order, "high"),
        risk_summary=f"Risk to children remains very high in the community ({family}).",
        information=(
            InformationEntry(
                "Thames Valley Police",
                "Two intelligence reports of contact with a 10-year-old girl at a park.",
            ),
            InformationEntry("Housing Services", f"Tenancy warning issued; {MARKUP} visited."),
            InformationEntry("Thames Valley Police", RESTRICTED_MARKERS[0], restricted=restricted),
        ),
        rmp=_rmp(case_id, restricted),
        previous_actions=(
            ActionEntry(
                case_id * 10 + 1,
                "Police to complete a home visit.",
                GREEK,
                "Thames Valley Police",
                "2025-02-15",
                "done",
            ),
            ActionEntry(
                case_id * 10 + 2,
                "Housing to review the tenancy.",
                ARABIC,
                "Housing Services",
                "2025-02-15",
                "cancelled",
                "circumstances_changed",
                "Offender moved to Approved Premises.",
            ),
            ActionEntry(
                case_id * 10 + 3,
                "Children's services to check the new partner.",
                MARKUP,
                "Children's Social Care",
                "2025-02-20",
                "carried_over",
                "not_done_by_agency",
                "Worker on leave; to be completed by 14 March.",
            ),
        ),
        new_actions=(
            ActionEntry(
                case_id * 10 + 4,
                "Refer the new partner to children's services.",
                SWEDISH,
                "Probation Service",
                "2025-03-11",
                "open",
            ),
            ActionEntry(
                case_id * 10 + 5,
                "Update the ViSOR record with the exclusion zone.",
                GREEK,
                "Thames Valley Police",
                "2025-03-07",
                "open",
            ),
        ),
        decisions=(
            DecisionEntry(
                "other",
                "Request an early OASys review.",
                "Significant change in circumstances (new partner).",
                dissents=(DissentEntry(RUSSIAN, "Prison OMU considers the review premature."),),
            ),
            DecisionEntry(
                "disclosure",
                "Disclose to the new partner.",
                "She has two daughters aged 9 and 11 living with her.",
                disclose=True,
                disclosure_to="New partner (mother of two girls)",
                disclosure_by="Probation Service with police",
                disclosure_method="In person, with a written record",
                disclosure_date="2025-03-06",
                s327a_considered=True,
            ),
            DecisionEntry(
                "level",
                "Remain at Level 2.",
                "Risk manageable with multi-agency co-ordination.",
                new_level=2,
            ),
            DecisionEntry(
                "other", RESTRICTED_MARKERS[2], "Source protection.", restricted=restricted
            ),
            DecisionEntry(
                "next_review",
                "Review in 8 weeks.",
                "Default Level 2 interval.",
                next_review_date="2025-04-29",
            ),
        ),
        next_review_date="2025-04-29",
    )


def cases(count: int = 3) -> tuple[CaseEntry, ...]:
    people = ((POLISH.split()), RUSSIAN.split(), ARABIC.split())
    out = []
    for i in range(count):
        given, family = people[i % 3]
        out.append(_case(i + 1, 1000 + i, given, family, restricted=True))
    return tuple(out)


def content(case_count: int = 3, meeting_id: int = 12) -> MinutesContent:
    return MinutesContent(
        meeting=meeting(meeting_id),
        statement=STATEMENT,
        statement_confirmed_by=GREEK,
        statement_confirmed_at="2025-03-04T09:35:00+00:00",
        attendance=attendance(),
        cases=cases(case_count),
    )


def document(
    *,
    signed: bool = True,
    case_count: int = 3,
    recipient: str = SWEDISH,
    copy_number: int | None = 3,
    variant: str = "full",
    meeting_id: int = 12,
) -> MinutesDocument:
    c = content(case_count, meeting_id)
    digest = content_hash(canonical_json(c))
    sign_off = SignOffBlock(GREEK, "2025-03-05T14:05:00+00:00", digest) if signed else None
    addenda = (
        (
            AddendumEntry(
                1,
                "Correction of a date",
                "The home visit was on 14 February, not 15 February.",
                GREEK,
                "2025-03-10T10:00:00+00:00",
                "ab" * 32,
            ),
        )
        if signed
        else ()
    )
    return MinutesDocument(
        content=c,
        sign_off=sign_off,
        addenda=addenda,
        recipient=recipient,
        copy_number=copy_number,
        variant=variant,
        generated_at="2025-03-11T08:00:00+00:00",
        extra={"version_sha256": "cd" * 32},
    )


def with_case_field(doc: MinutesDocument, index: int, **changes: object) -> MinutesDocument:
    """``doc`` with fields of case ``index`` replaced."""
    new_cases = list(doc.content.cases)
    new_cases[index] = replace(new_cases[index], **changes)  # type: ignore[arg-type]
    return replace(doc, content=replace(doc.content, cases=tuple(new_cases)))
