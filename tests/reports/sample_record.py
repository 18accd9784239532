"""Schema-3 minutes content for the offender's record tests: four cases that differ in every way
a record must handle.

- ``COMMUNITY`` (Łukasz Wiśniewski): a community case with restricted information, plan item and
  decision (one with a dissent), a declined request, a disclosure with s.327A considered;
- ``CUSTODY`` (小明 王): a custody case whose level is reduced over a dissent, with an old
  assessment and Chinese free text;
- ``HOSPITAL`` (はなこ 山田): detained in hospital, exits MAPPA, Japanese free text;
- ``EMPTY`` (민준 김): nothing recorded at this meeting beyond attendance.

Each case's own strings (``MARKERS``) are unique to it, so a record can be checked for holding
its own offender's and no other's. ``RESTRICTED`` holds the text only restricted items carry.
"""

from __future__ import annotations

from dataclasses import replace

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
from tests.reports.sample_minutes import (
    ARABIC,
    GREEK,
    IRISH,
    RUSSIAN,
    STATEMENT,
    SWEDISH,
    VIETNAMESE,
)

COMMUNITY, CUSTODY, HOSPITAL, EMPTY = 2001, 2002, 2003, 2004
MEETING_ID = 31
MEETING_DATE = "2025-03-04"

CHINESE = ("小明", "王")
JAPANESE = ("はなこ", "山田")
KOREAN = ("민준", "김")

POLICE = "Thames Valley Police"
PROBATION = "Probation Service"
PRISON = "HM Prison Bullingdon"
CSC = "Children's Social Care"
HOUSING = "Housing Services"
HEALTH = "Oxford Health NHS FT"
YOS = "Youth Justice Service"
COORD = "MAPPA Co-ordination Unit"
MARKUP_NAME = 'Smith & <Jones> "Q"'

# Text that only restricted items of the community case carry.
RESTRICTED = (
    "Covert source places him at the Cowley allotments with the co-defendant",
    "DC Felix Marchetti",
    "Covert observation of the allotments by the Force Intelligence Bureau",
    "Source protection: the observation must not be disclosed",
    "Share the source intelligence with the prison security department only",
    "The risk to the source outweighs a wider disclosure",
    "Probation would share the intelligence with the approved premises",
)

# Strings unique to each case: its name, identifiers and details.
MARKERS: dict[int, tuple[str, ...]] = {
    COMMUNITY: (
        "Łukasz Wiśniewski",
        "Wiśniewski",
        "2009/0451234K",
        "V20010417",
        "X201001",
        "Sexual assault of a child under 13",
        "church youth group",
        "Luke Wisniewski",
    ),
    CUSTODY: (
        "小明 王",
        "2014/0987612Q",
        "A7741CZ",
        "Wounding with intent",
        "在停车场用刀袭击前雇主",
        "Ming Wang",
    ),
    HOSPITAL: (
        "はなこ 山田",
        "2017/0311876M",
        "V20030981",
        "Manslaughter by reason of diminished responsibility",
        "Littlemore Mental Health Centre",
        "Hana Yamada",
    ),
    EMPTY: (
        "민준 김",
        "2021/0005521T",
        "X204417",
        "Arson with intent to endanger life",
        "Min-jun Kim",
    ),
}


def meeting() -> MeetingIdentity:
    return MeetingIdentity(
        meeting_id=MEETING_ID,
        area="Thames Valley",
        level=2,
        meeting_type="review",
        date=MEETING_DATE,
        start_time="09:30",
        venue="Kidlington Police HQ, Room 4",
        chair=GREEK,
        chair_agency=POLICE,
        minute_taker=VIETNAMESE,
        coordinator=IRISH,
        template_version="MAPPA C 2022 v1",
        chair_role="Detective Superintendent",
        minute_taker_agency=COORD,
    )


def _core(prison_status: str = "present") -> tuple[CaseAttendeeEntry, ...]:
    return (
        CaseAttendeeEntry(IRISH, COORD, "MAPPA Co-ordinator", "present", "core"),
        CaseAttendeeEntry(RUSSIAN, PRISON, "Head of Offender Management", prison_status, "core"),
        CaseAttendeeEntry(SWEDISH, PROBATION, "Senior Probation Officer", "present", "core"),
        CaseAttendeeEntry(GREEK, POLICE, "Detective Superintendent", "present", "core"),
    )


def _rosh(setting: str, levels: tuple[str, str, str, str]) -> tuple[RoshCell, ...]:
    groups = ("children", "public", "known_adult", "staff")
    return tuple(RoshCell(setting, g, lv) for g, lv in zip(groups, levels, strict=True))


def _rmp_item(
    item_id: int, pillar: str, text: str, change: str = "", rationale: str = "", **kw: object
) -> RmpEntry:
    return RmpEntry(
        item_id=item_id,
        pillar=pillar,
        text=text,
        responsible_agency=str(kw.get("agency", PROBATION)),
        start_date=str(kw.get("start", "2024-12-10")),
        review_date=str(kw.get("review", "2025-04-29")),
        end_date="",
        status="active",
        change=change,
        rationale=rationale,
        restricted=bool(kw.get("restricted", False)),
    )


def community_case() -> CaseEntry:
    return CaseEntry(
        agenda_order=1,
        case_id=COMMUNITY,
        agenda_reason="review_due",
        family_name="Wiśniewski",
        given_names="Łukasz",
        aliases=("Luke Wisniewski",),
        date_of_birth="1979-11-02",
        gender="Male",
        ethnicity="White - Polish",
        identifiers=(("pnc", "2009/0451234K"), ("visor", "V20010417"), ("crn", "X201001")),
        category=1,
        level=2,
        lead_agency=PROBATION,
        offender_manager=SWEDISH,
        custody_status="community",
        address_area="Oxford OX4",
        no_fixed_abode=False,
        index_offence="Sexual assault of a child under 13 (s.7 Sexual Offences Act 2003)",
        sentence="40 months' imprisonment; Sexual Harm Prevention Order for 10 years",
        reason_for_referral=(
            "New relationship with a woman who has two daughters aged 9 and 11; "
            "disclosure to be considered."
        ),
        victim_notes="The victim and her family moved out of the area; the VLO is in contact.",
        risk=RiskEntry(
            version_no=3,
            assessed_on="2025-02-20",
            assessor=SWEDISH,
            tool="oasys",
            tool_score="OSP/C medium",
            overall="high",
            ratings=_rosh("community", ("very_high", "medium", "medium", "low")),
            who_at_risk="Girls aged 8-12 he can reach through a partner or a community group.",
            nature_of_risk="Contact sexual abuse after grooming the family.",
            imminence="Greatest while the new relationship develops.",
            increasing_factors="Unsupervised contact with children; alcohol; isolation.",
            protective_factors="Engagement with Horizon; stable work; honest supervision.",
        ),
        risk_summary="Risk to children is very high and increasing with the new relationship.",
        information=(
            InformationEntry(
                POLICE,
                "He told his partner he has a conviction but not that it involved a child.",
                given_by="DS Amira Haddad",
                as_at="2025-03-01",
            ),
            InformationEntry(
                HOUSING, "Tenancy conditions met; no visitors reported.", given_by=ARABIC
            ),
            InformationEntry(
                HEALTH,
                "The GP practice would not share records without his consent; the Caldicott "
                "Guardian will review on request.",
                declined=True,
                as_at="2025-03-03",
            ),
            InformationEntry(POLICE, RESTRICTED[0] + ".", restricted=True, given_by=RESTRICTED[1]),
        ),
        rmp=(
            _rmp_item(20011, "supervision", "Weekly office appointments with the OM."),
            _rmp_item(
                20012,
                "monitoring_control",
                "SHPO: no unsupervised contact with girls under 16.",
                "changed",
                "Extended to the partner's home after the new relationship.",
                agency=POLICE,
            ),
            _rmp_item(20013, "interventions_treatment", "Horizon programme, sessions 1-20."),
            _rmp_item(
                20014,
                "victim_safety",
                "Exclusion zone around the victim's new school.",
                "added",
                "The victim's mother asked for it.",
            ),
            _rmp_item(
                20015, "contingency", "On any contact with children: police visit the same day."
            ),
            _rmp_item(
                20016,
                "monitoring_control",
                RESTRICTED[2] + ".",
                "added",
                RESTRICTED[3] + ".",
                agency=POLICE,
                restricted=True,
            ),
        ),
        previous_actions=(
            ActionEntry(
                20011,
                "Police to visit the new partner's address.",
                GREEK,
                POLICE,
                "2025-02-15",
                "done",
            ),
        ),
        new_actions=(
            ActionEntry(
                20012,
                "Disclose the conviction to the new partner.",
                SWEDISH,
                PROBATION,
                "2025-03-11",
                "open",
                purpose="So she can protect her daughters.",
            ),
        ),
        decisions=(
            DecisionEntry(
                "next_review",
                "Review in 8 weeks.",
                "Default Level 2 interval.",
                next_review_date="2025-04-29",
            ),
            DecisionEntry(
                "disclosure",
                "Disclose to the new partner.",
                "She has two daughters living with her.",
                disclose=True,
                disclosure_to="New partner",
                disclosure_by="Offender manager with police",
                disclosure_method="In person, with a written record",
                disclosure_date="2025-03-06",
                s327a_considered=True,
                dissents=(
                    DissentEntry(f"{RUSSIAN} ({PRISON})", "Would wait for the OASys review."),
                ),
            ),
            DecisionEntry("level", "Remain at Level 2.", "Risk manageable with co-ordination.", 2),
            DecisionEntry(
                "other",
                RESTRICTED[4] + ".",
                RESTRICTED[5] + ".",
                restricted=True,
                dissents=(DissentEntry(SWEDISH, RESTRICTED[6] + "."),),
            ),
        ),
        next_review_date="2025-04-29",
        meeting_seq=4,
        previous_meeting_date="2024-12-10",
        offence_details=(
            "Befriended the family of an 11-year-old girl through a church youth group. "
            "Assaulted her three times while babysitting in 2019. Pleaded guilty at Oxford "
            "Crown Court."
        ),
        previous_offences="2008: exposure (s.66 Sexual Offences Act 2003), community order.",
        relevant_dates="Licence expiry: 2024-09-30\nSHPO expiry: 2030-02-13",
        registered_on="2023-06-12",
        discussion="The panel discussed how the partner came to know him through church.",
        victim_issues="The victim's mother asked to be told of any approach to the new school.",
        diversity_issues="Polish is his first language; an interpreter attends supervision.",
        risk_trend="increasing",
        attendance=(
            *_core(prison_status="absent"),
            CaseAttendeeEntry(MARKUP_NAME, CSC, "Team Manager", "present", "invited"),
            CaseAttendeeEntry("", HEALTH, "", "absent", "invited"),
            CaseAttendeeEntry(ARABIC, HOUSING, "Housing Officer", "report_submitted", "invited"),
        ),
        invited_agencies=(CSC, HEALTH, HOUSING),
    )


def custody_case() -> CaseEntry:
    given, family = CHINESE
    return CaseEntry(
        agenda_order=2,
        case_id=CUSTODY,
        agenda_reason="review_due",
        family_name=family,
        given_names=given,
        aliases=("Ming Wang",),
        date_of_birth="1988-05-14",
        gender="Male",
        ethnicity="Chinese",
        identifiers=(("pnc", "2014/0987612Q"), ("nomis", "A7741CZ")),
        category=2,
        level=3,
        lead_agency=PRISON,
        offender_manager=RUSSIAN,
        custody_status="custody",
        address_area="",
        no_fixed_abode=True,
        index_offence="Wounding with intent (s.18 Offences Against the Person Act 1861)",
        sentence="Extended sentence: 6 years' custody and 3 years' extended licence",
        reason_for_referral="Release planning: the victim lives near the proposed address.",
        victim_notes="",
        risk=RiskEntry(
            version_no=1,
            assessed_on="2023-10-05",
            assessor=RUSSIAN,
            tool="oasys",
            tool_score="",
            overall="high",
            ratings=(
                *_rosh("community", ("low", "medium", "high", "low")),
                *_rosh("custody", ("low", "low", "medium", "medium")),
                RoshCell("custody", "prisoners", "high"),
            ),
            who_at_risk="前雇主及其家人。",
            nature_of_risk="Serious violence with a weapon when he feels humiliated.",
            imminence="On release.",
            increasing_factors="",
            protective_factors="",
        ),
        risk_summary="风险在释放后最高。",
        information=(InformationEntry(PRISON, "No adjudications in the last 12 months."),),
        rmp=(
            _rmp_item(
                20021,
                "licence_condition",
                "Not to enter the Headington exclusion zone.",
                "added",
                "Protects the victim.",
                agency=PRISON,
            ),
        ),
        previous_actions=(
            ActionEntry(
                20021,
                "Prison to complete a psychology report.",
                RUSSIAN,
                PRISON,
                "2025-02-01",
                "carried_over",
                "not_done_by_agency",
                "Psychologist on leave.",
            ),
        ),
        new_actions=(
            ActionEntry(
                20022, "Approve the release address.", SWEDISH, PROBATION, "2025-05-01", "open"
            ),
        ),
        decisions=(
            DecisionEntry(
                "level",
                "Reduce to Level 2.",
                "Release plan agreed; Level 3 resources no longer needed.",
                new_level=2,
                dissents=(DissentEntry(GREEK, "Would stay at Level 3 until after release."),),
            ),
            DecisionEntry(
                "disclosure", "No disclosure.", "No third party at risk.", disclose=False
            ),
        ),
        next_review_date="2025-05-27",
        meeting_seq=2,
        previous_meeting_date="2024-11-19",
        offence_details="在停车场用刀袭击前雇主。The victim suffered life-changing injuries.",
        relevant_dates="Conditional release date: 2025-06-30\nSentence expiry: 2032-06-29",
        registered_on="2024-11-19",
        discussion="释放计划已讨论。",
        attendance=(
            *_core(),
            CaseAttendeeEntry(MARKUP_NAME, CSC, "Team Manager", "apologies", "invited"),
        ),
        invited_agencies=(CSC,),
    )


def hospital_case() -> CaseEntry:
    given, family = JAPANESE
    return CaseEntry(
        agenda_order=3,
        case_id=HOSPITAL,
        agenda_reason="added",
        family_name=family,
        given_names=given,
        aliases=("Hana Yamada",),
        date_of_birth="1991-01-23",
        gender="Female",
        ethnicity="Japanese",
        identifiers=(("pnc", "2017/0311876M"), ("visor", "V20030981")),
        category=2,
        level=2,
        lead_agency=HEALTH,
        offender_manager="",
        custody_status="hospital",
        address_area="Littlemore Mental Health Centre, Oxford",
        no_fixed_abode=False,
        index_offence="Manslaughter by reason of diminished responsibility",
        sentence="Hospital order with restrictions (ss.37/41 Mental Health Act 1983)",
        reason_for_referral="The tribunal granted an absolute discharge.",
        victim_notes="The victim's family asked to be told of any discharge.",
        risk=RiskEntry(
            version_no=2,
            assessed_on="2025-01-15",
            assessor="Dr A. Khan",
            tool="other",
            tool_score="HCR-20 low",
            overall="low",
            ratings=(
                *_rosh("community", ("low", "low", "low", "low")),
                *_rosh("custody", ("low", "low", "low", "low")),
            ),
            who_at_risk="家族。",
            nature_of_risk="",
            imminence="",
            increasing_factors="",
            protective_factors="",
        ),
        risk_summary="",
        information=(),
        rmp=(),
        previous_actions=(),
        new_actions=(),
        decisions=(
            DecisionEntry(
                "exit",
                "Exit from MAPPA.",
                "Absolute discharge: the restriction order has ended, so Category 2 ends.",
            ),
        ),
        next_review_date="",
        meeting_seq=1,
        previous_meeting_date="",
        offence_details="- Killed her father during a psychotic episode.\n- Admitted at once.",
        relevant_dates="Absolute discharge: 2025-02-20",
        registered_on="2021-03-02",
        discussion="退院後の支援について話し合った。",
        attendance=(*_core(), CaseAttendeeEntry("Dr A. Khan", HEALTH, "RC", "present", "invited")),
        invited_agencies=(HEALTH,),
    )


def empty_case() -> CaseEntry:
    given, family = KOREAN
    return CaseEntry(
        agenda_order=4,
        case_id=EMPTY,
        agenda_reason="new_referral",
        family_name=family,
        given_names=given,
        aliases=("Min-jun Kim",),
        date_of_birth="2001-08-30",
        gender="Male",
        ethnicity="Korean",
        identifiers=(("pnc", "2021/0005521T"), ("crn", "X204417")),
        category=3,
        level=2,
        lead_agency=PROBATION,
        offender_manager=SWEDISH,
        custody_status="community",
        address_area="Banbury OX16",
        no_fixed_abode=False,
        index_offence="Arson with intent to endanger life",
        sentence="",
        reason_for_referral="피해자 근처로 이사했습니다.",
        victim_notes="",
        risk=None,
        risk_summary="",
        information=(),
        rmp=(),
        previous_actions=(),
        new_actions=(),
        decisions=(),
        next_review_date="",
        meeting_seq=1,
        attendance=(
            *_core(),
            CaseAttendeeEntry(ARABIC, HOUSING, "Housing Officer", "report_submitted", "other"),
        ),
    )


def cases() -> tuple[CaseEntry, ...]:
    return (community_case(), custody_case(), hospital_case(), empty_case())


def content() -> MinutesContent:
    return MinutesContent(
        meeting=meeting(),
        statement=STATEMENT,
        statement_confirmed_by=GREEK,
        statement_confirmed_at="2025-03-04T09:35:00+00:00",
        attendance=(
            AttendeeEntry(GREEK, POLICE, "Detective Superintendent", "present"),
            AttendeeEntry(SWEDISH, PROBATION, "Senior Probation Officer", "present"),
            AttendeeEntry(RUSSIAN, PRISON, "Head of Offender Management", "present"),
            AttendeeEntry(IRISH, COORD, "MAPPA Co-ordinator", "present"),
        ),
        cases=cases(),
        self_audit=(
            AuditReason(
                "assessment-age-2002",
                CUSTODY,
                "Risk assessment current",
                "The OASys assessment for case 2002 is 17 months old.",
                "A new OASys is booked for April; release is not before June.",
            ),
            AuditReason(
                "purpose-2001",
                COMMUNITY,
                "Actions have a purpose",
                "An action for case 2001 had no purpose when first drafted.",
                "Purpose added before sign-off.",
            ),
            AuditReason(
                "sign-off-late",
                None,
                "Timely sign-off",
                "Meeting-wide finding about the sign-off date.",
                "Meeting-wide reason: the chair was on leave.",
            ),
        ),
    )


SIGNED_AT = "2025-03-07T16:20:00+00:00"

ADDENDA_TEXT = {
    COMMUNITY: "The SHPO expiry is 13 February 2030, not 2031.",
    CUSTODY: "The conditional release date was confirmed by the prison.",
    None: "Meeting-wide: the venue was Room 5.",
}


def document(
    case_id: int | None = COMMUNITY,
    *,
    signed: bool = True,
    variant: str = "full",
    recipient: str = "",
    copy_number: int | None = None,
) -> MinutesDocument:
    c = content()
    digest = content_hash(canonical_json(c))
    addenda = tuple(
        AddendumEntry(
            seq, f"Correction {seq}", text, GREEK, f"2025-03-1{seq}T10:00:00+00:00", "ab" * 32, cid
        )
        for seq, (cid, text) in enumerate(ADDENDA_TEXT.items(), start=1)
    )
    return MinutesDocument(
        content=c,
        sign_off=SignOffBlock(GREEK, SIGNED_AT, digest) if signed else None,
        addenda=addenda if signed else (),
        recipient=recipient,
        copy_number=copy_number,
        variant=variant,
        case_id=case_id,
        generated_at="2025-03-11T08:00:00+00:00",
        extra={"version_sha256": "cd" * 32},
    )


def with_case(doc: MinutesDocument, case_id: int, **changes: object) -> MinutesDocument:
    """``doc`` with fields of case ``case_id`` replaced."""
    new = tuple(
        replace(c, **changes) if c.case_id == case_id else c  # type: ignore[arg-type]
        for c in doc.content.cases
    )
    return replace(doc, content=replace(doc.content, cases=new))
