"""One offender's record of a meeting, read back with pypdf and poppler (pdftotext, pdffonts)."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pypdf
import pytest
from reportlab.platypus import Paragraph

from mappa_desktop.services.minutes_content import MinutesContent, MinutesDocument
from reports import minutes_pdf
from reports.layout import MARKING
from reports.offender_record_meeting import RMP_NOTE
from reports.offender_record_pdf import (
    REDACTED_NOTE,
    record_story,
    render_record,
    render_record_body,
)
from reports.offender_record_sections import WITHHELD_MARK, offence_points
from reports.stamp import read_stamp
from tests.reports import sample_record as sr

# The record's sections, in MAPPA B/C order (issue 10 §1).
HEADINGS = (
    "Meeting details",
    "1. Category and level",
    "2. Offender details",
    "3. Conviction or caution",
    "4. Relevant dates",
    "5. Detention in hospital",
    "6. Reason for referral",
    "Attendance for this case",
    "Confidentiality statement",
    "Information shared by agency",
    "Victim and potential-victim issues",
    "Diversity issues",
    "Risk assessment",
    "Discussion and chair's summary",
    "Risk management plan",
    "Previous actions",
    "New actions",
    "Decisions",
    "Self-audit: the chair's reasons",
    "Sign-off",
    "Addenda",
)
ALL_CASES = (sr.COMMUNITY, sr.CUSTODY, sr.HOSPITAL, sr.EMPTY)


def norm(text: str) -> str:
    """NFKC, without format characters (pdftotext wraps RTL runs in embedding marks)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def spaced(text: str) -> str:
    return " ".join(norm(text).split())


def squashed(text: str) -> str:
    return "".join(norm(text).split())


@dataclass(frozen=True)
class Read:
    pdf: bytes
    pages: tuple[str, ...]  # pypdf, one per page
    layout: tuple[str, ...]  # pdftotext -layout, one per page
    raw: tuple[str, ...]  # pdftotext -raw (content-stream order: the watermark comes last)

    @property
    def flow(self) -> str:
        """pypdf's text without the page furniture (markings, running header and footer, page
        numbers), spaces collapsed: a section that runs over a page break reads as one."""
        return spaced(" ".join(_body(page) for page in self.pages))

    @property
    def texts(self) -> tuple[str, str]:
        """Both extractions, spaces collapsed."""
        return self.flow, spaced(" ".join(_body(page) for page in self.layout))


_FURNITURE = re.compile(
    rf"{MARKING}|Page \d+ of \d+|(Redacted copy - )?MAPPA minutes for .*? - Thames Valley - "
    r"4 March 2025|Meeting \d+ - (signed off - SHA-256 [0-9a-f]{16}|DRAFT - not signed off)"
)


def _body(page: str) -> str:
    """A page's text, spaces collapsed, without its markings, running header, footer and page
    number."""
    return spaced(_FURNITURE.sub(" ", spaced(page)))


def _pdftotext(path: Path, option: str) -> tuple[str, ...]:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", option, str(path), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    pages = out.split("\f")
    return tuple(pages[:-1] if pages and not pages[-1].strip() else pages)


def read(pdf: bytes, tmp_path: Path) -> Read:
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return Read(
        pdf=pdf,
        pages=tuple(page.extract_text() for page in reader.pages),
        layout=_pdftotext(path, "-layout"),
        raw=_pdftotext(path, "-raw"),
    )


@cache
def _rendered(case_id: int, variant: str = "full", signed: bool = True) -> bytes:
    return render_record(sr.document(case_id, variant=variant, signed=signed))


def rendered(
    tmp_path: Path, case_id: int = sr.COMMUNITY, variant: str = "full", signed: bool = True
) -> Read:
    return read(_rendered(case_id, variant, signed), tmp_path)


def rendered_doc(doc: MinutesDocument, tmp_path: Path) -> Read:
    return read(render_record(doc), tmp_path)


def section_text(flow: str, heading: str, next_heading: str) -> str:
    start = flow.index(heading) + len(heading)
    return flow[start : flow.index(next_heading, start)].strip()


# --------------------------------------------------------------------------------------------
# Only this offender


@pytest.mark.parametrize("case_id", ALL_CASES)
def test_record_names_its_offender_and_no_other(case_id: int, tmp_path: Path) -> None:
    out = rendered(tmp_path, case_id)
    for text in out.texts:
        for marker in sr.MARKERS[case_id]:
            assert spaced(marker) in text, marker
        for other, markers in sr.MARKERS.items():
            if other == case_id:
                continue
            for marker in markers:
                assert spaced(marker) not in text, (other, marker)
    reader = pypdf.PdfReader(io.BytesIO(out.pdf))
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    assert f"case={case_id}" in metadata or f"case {case_id}" in metadata
    for other, markers in sr.MARKERS.items():
        for marker in markers:
            assert marker not in metadata, (other, marker)
    assert reader.outline == []  # no bookmarks that could name anyone


def test_record_holds_only_its_own_addenda_and_self_audit_reasons(tmp_path: Path) -> None:
    flow = rendered(tmp_path).flow
    assert sr.ADDENDA_TEXT[sr.COMMUNITY] in flow
    assert sr.ADDENDA_TEXT[sr.CUSTODY] not in flow
    assert sr.ADDENDA_TEXT[None] not in flow  # meeting-wide: not this offender's record
    assert "Purpose added before sign-off." in flow
    assert "A new OASys is booked for April" not in flow  # the custody case's reason
    assert "Meeting-wide reason" not in flow


def test_record_of_a_case_the_meeting_did_not_discuss_is_refused() -> None:
    for case_id in (None, 9999):
        doc = sr.document(case_id)
        with pytest.raises(ValueError, match=r"minutes|record"):
            render_record(doc)
        with pytest.raises(ValueError):
            render_record_body(doc)


# --------------------------------------------------------------------------------------------
# Order and content


def test_every_section_heading_is_printed_in_order(tmp_path: Path) -> None:
    for text in rendered(tmp_path).texts:
        at = 0
        for heading in HEADINGS:
            found = text.find(heading, at)
            assert found >= 0, f"{heading!r} missing or out of order"
            at = found + len(heading)


def test_the_story_has_exactly_these_sections() -> None:
    story = record_story(sr.document())
    titles = [
        f.getPlainText() for f in story if isinstance(f, Paragraph) and f.style.name == "mappa-h1"
    ]
    assert titles == list(HEADINGS)


def test_meeting_details_name_the_meeting_and_this_offenders_sequence(tmp_path: Path) -> None:
    flow = rendered(tmp_path).flow
    for expected in (
        "MAPPA area Thames Valley",
        "Date 4 March 2025",
        "Level Level 2",
        "Meeting type Review",
        "This offender's meeting 4th MAPPA meeting on this offender",
        "Previous meeting 10 December 2024",
        "Venue Kidlington Police HQ, Room 4",
        f"Chair {sr.GREEK}, Detective Superintendent, Thames Valley Police",
        f"Minute-taker {sr.VIETNAMESE}, MAPPA Co-ordination Unit",
        "Meeting reference Meeting 31, case 2001",
    ):
        assert expected in flow, expected
    first = rendered(tmp_path, sr.HOSPITAL).flow
    assert "1st (the first MAPPA meeting on this offender)" in first
    assert "Previous meeting None" in first


def test_category_and_level_before_and_as_decided(tmp_path: Path) -> None:
    community = rendered(tmp_path).flow
    assert "Category Category 1 (registered sexual offender) No change" in community
    assert "Management level Level 2 Level 2 (no change)" in community
    custody = rendered(tmp_path, sr.CUSTODY).flow
    assert "Management level Level 3 Level 2 (reduced from 3)" in custody
    hospital = rendered(tmp_path, sr.HOSPITAL).flow
    assert "Management level Level 2 Exit from MAPPA (see Decisions)" in hospital
    assert "Exit from MAPPA" in section_text(hospital, "Decisions", "Self-audit")


def test_conviction_offence_summary_is_bulleted(tmp_path: Path) -> None:
    flow = rendered(tmp_path).flow
    assert "Index offence or caution Sexual assault of a child under 13" in flow
    assert "Sentence (type and length) 40 months' imprisonment" in flow
    bullets = section_text(flow, "Offence summary", "Previous relevant offences")
    assert bullets.count("\u2022") == 3
    assert "2008: exposure" in flow


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("One. Two three. Four", ["One.", "Two three.", "Four"]),
        (
            "Wounded him (s. 18 OAPA) with approx. 3 blows.",
            ["Wounded him (s. 18 OAPA) with approx. 3 blows."],
        ),
        ("- first\n* second\n\n3) third", ["first", "second", "third"]),
        ("在停车场袭击。Victim injured.", ["在停车场袭击。", "Victim injured."]),
        ("", []),
    ],
)
def test_offence_points(text: str, points: list[str]) -> None:
    assert offence_points(text) == points


def test_relevant_dates_with_registration_and_the_next_review_once(tmp_path: Path) -> None:
    flow = rendered(tmp_path).flow
    assert "MAPPA registration from 12 June 2023" in flow
    assert "SHPO expiry: 2030-02-13" in flow
    assert flow.count("Next MAPPA review 29 April 2025") == 1
    decisions = section_text(flow, "Decisions", "Self-audit")
    assert "Review in 8 weeks." in decisions
    assert "29 April 2025" not in decisions  # the date is printed once, in section 4


def test_hospital_section_only_for_a_hospital_case(tmp_path: Path) -> None:
    hospital = rendered(tmp_path, sr.HOSPITAL).flow
    assert (
        "5. Detention in hospital Detained in hospital at Littlemore Mental Health Centre, "
        "Oxford. 6. Reason" in hospital
    )
    community = rendered(tmp_path).flow
    assert "5. Detention in hospital Not applicable (custody status: community). 6." in community


def test_attendance_for_this_case(tmp_path: Path) -> None:
    flow = rendered(tmp_path).flow
    assert (
        "Present: 4. Not present for this case: 1. Invited but absent: 1. "
        "Written reports received: 1." in flow
    )
    table = section_text(flow, "Attendance for this case", "Confidentiality statement")
    assert "Oxford Health NHS FT No one named Invited Invited but absent" in table
    assert 'Smith & <Jones> "Q" Team Manager Invited Present' in table
    assert "Written report received" in table
    assert sr.YOS not in table  # agencies not involved in this case are not listed
    other = rendered(tmp_path, sr.EMPTY).flow
    assert "Other contributor Written report received" in other


# The fields schema 3 added: minutes signed before it hold none of them.
SCHEMA_3_CASE_FIELDS = (
    "meeting_seq",
    "previous_meeting_date",
    "offence_details",
    "previous_offences",
    "relevant_dates",
    "registered_on",
    "discussion",
    "victim_issues",
    "diversity_issues",
    "risk_trend",
    "attendance",
    "invited_agencies",
)


def test_minutes_signed_before_schema_3_still_give_a_record(tmp_path: Path) -> None:
    data = sr.content().to_dict()
    data["schema"] = 2
    for key in ("chair_role", "minute_taker_agency"):
        del data["meeting"][key]
    for case in data["cases"]:
        for key in SCHEMA_3_CASE_FIELDS:
            del case[key]
        for item in case["information"]:
            for key in ("given_by", "as_at", "declined"):
                del item[key]
    old = replace(sr.document(), content=MinutesContent.from_dict(data))
    flow = rendered_doc(old, tmp_path).flow
    attendance = section_text(flow, "Attendance for this case", "Confidentiality statement")
    assert attendance.startswith("Attendance was not recorded for each case")
    assert f"{sr.PRISON} {sr.RUSSIAN} Head of Offender Management Present" in attendance
    assert "This offender's meeting Not recorded" in flow
    for marker in sr.MARKERS[sr.CUSTODY]:
        assert marker not in flow


def test_no_case_attendance_in_schema_3_says_so(tmp_path: Path) -> None:
    doc = sr.with_case(sr.document(), sr.COMMUNITY, attendance=())
    flow = rendered_doc(doc, tmp_path).flow
    assert section_text(flow, "Attendance for this case", "Confidentiality") == "None recorded."


def test_statement_confirmed_with_the_recorded_time(tmp_path: Path) -> None:
    flow = rendered(tmp_path).flow
    assert "public safety outweighs the offender's rights of confidentiality" in flow
    assert f"Read and confirmed by {sr.GREEK} at 09:35 UTC on the meeting day." in flow


def test_statement_without_a_recorded_time_prints_no_time(tmp_path: Path) -> None:
    doc = sr.document()
    doc = replace(doc, content=replace(doc.content, statement_confirmed_at=""))
    flow = rendered_doc(doc, tmp_path).flow
    statement = section_text(flow, "Confidentiality statement", "Information shared")
    assert f"Read and confirmed at the meeting by {sr.GREEK}." in statement
    assert not re.search(r"\d\d:\d\d", statement)
    later = replace(doc.content, statement_confirmed_at="2025-03-05T08:10:00+00:00")
    flow = rendered_doc(replace(doc, content=later), tmp_path).flow
    assert "confirmation recorded 5 March 2025 08:10 UTC" in flow


def test_information_with_who_gave_it_when_and_declined(tmp_path: Path) -> None:
    flow = rendered(tmp_path).flow
    info = section_text(flow, "Information shared by agency", "Victim and potential-victim")
    assert "Given by DS Amira Haddad As at 1 March 2025" in info
    assert f"Given by {sr.ARABIC}" in info
    assert "As at 3 March 2025 Declined to share. Reason: The GP practice would not share" in info


def test_victim_diversity_and_discussion(tmp_path: Path) -> None:
    flow = rendered(tmp_path).flow
    assert "On the case record The victim and her family moved out" in flow
    assert "Raised at this meeting The victim's mother asked" in flow
    assert "Diversity issues Polish is his first language" in flow
    assert "Discussion The panel discussed how the partner" in flow
    assert "Chair's summary Risk to children is very high" in flow


def test_risk_assessment_grid_tool_and_trend(tmp_path: Path) -> None:
    community = rendered(tmp_path).flow
    for expected in (
        "Tool OASys (version 3)",
        "Assessed on 20 February 2025",
        f"Assessor {sr.SWEDISH}",
        "Overall RoSH High",
        "Risk trend Increasing",
        "Risk of serious harm to Community Children Very High",
        "Who is at risk Girls aged 8-12",
    ):
        assert expected in community, expected
    assert "older than" not in community


def test_community_case_has_no_custody_column(tmp_path: Path) -> None:
    community = rendered(tmp_path).flow
    risk = section_text(community, "Risk assessment", "Discussion and chair's summary")
    assert "Custody" not in risk
    assert "Prisoners" not in risk
    custody = rendered(tmp_path, sr.CUSTODY).flow
    assert "Risk of serious harm to Community Custody" in custody
    assert "Prisoners Not applicable High" in custody


def test_an_old_assessment_is_flagged_with_the_configured_age(tmp_path: Path) -> None:
    custody = rendered(tmp_path, sr.CUSTODY).flow
    assert "This assessment is older than 12 months: it was made 516 days before" in custody
    doc = replace(sr.document(sr.CUSTODY), extra={"max_assessment_age_days": "730"})
    assert "older than" not in rendered_doc(doc, tmp_path).flow
    doc = replace(sr.document(), extra={"max_assessment_age_days": "7"})
    assert "older than 7 days: it was made 12 days before" in rendered_doc(doc, tmp_path).flow
    with pytest.raises(ValueError, match="max_assessment_age_days"):
        render_record(replace(sr.document(), extra={"max_assessment_age_days": "a year"}))


def test_rmp_by_pillar_with_changes_and_contingency(tmp_path: Path) -> None:
    flow = rendered(tmp_path).flow
    plan = section_text(flow, "Risk management plan", "Previous actions")
    assert f"Changes made at this meeting: 3. {RMP_NOTE}" in plan
    assert flow.count(RMP_NOTE) == 1
    at = 0
    for pillar in (
        "Supervision",
        "Monitoring and control",
        "Interventions and treatment",
        "Victim safety planning",
        "Contingency plans",
        "Licence conditions",
    ):
        at = plan.index(pillar, at)
    assert re.search(r"CHANGED SHPO: no unsupervised contact.*Rationale: Extended", plan)
    assert re.search(r"NEW Exclusion zone around the victim's new school", plan)
    assert "Contingency plans No change On any contact with children" in plan
    assert plan.endswith("Licence conditions None recorded.")


def test_actions_previous_with_outcome_and_new_with_purpose(tmp_path: Path) -> None:
    flow = rendered(tmp_path).flow
    assert "Police to visit the new partner's address." in flow
    assert "Done" in section_text(flow, "Previous actions", "New actions")
    new = section_text(flow, "New actions", "Decisions")
    assert new.startswith("Action Purpose Owner Agency Due")
    assert "So she can protect her daughters." in new
    assert "11 March 2025" in new
    custody = rendered(tmp_path, sr.CUSTODY).flow
    assert "Not done: Not done by the agency" in custody


def test_decisions_with_rationale_dissent_and_s327a(tmp_path: Path) -> None:
    flow = rendered(tmp_path).flow
    decisions = section_text(flow, "Decisions", "Self-audit")
    for expected in (
        "Decision Level Outcome Remain at Level 2.",
        "Disclose Yes",
        "s.327A considered Yes",
        f"Dissent {sr.RUSSIAN} (HM Prison Bullingdon): Would wait for the OASys review.",
        "Rationale Default Level 2 interval.",
    ):
        assert expected in decisions, expected
    # level first, then disclosure, then next review (MAPPA's order), whatever order entered
    assert decisions.index("Remain at Level 2") < decisions.index("Disclose Yes")
    assert decisions.index("Disclose Yes") < decisions.index("Review in 8 weeks")
    custody = section_text(rendered(tmp_path, sr.CUSTODY).flow, "Decisions", "Self-audit")
    assert f"Dissent {sr.GREEK}: Would stay at Level 3 until after release." in custody


def test_sign_off_with_days_after_the_meeting(tmp_path: Path) -> None:
    flow = rendered(tmp_path).flow
    assert f"Signed off by the Chair {sr.GREEK}" in flow
    assert "Date and time 7 March 2025 16:20 UTC (3 days after the meeting)" in flow


# --------------------------------------------------------------------------------------------
# Less noise


def test_empty_sections_say_so_once_briefly(tmp_path: Path) -> None:
    flow = rendered(tmp_path, sr.EMPTY).flow
    empty = (
        ("Information shared by agency", "Victim and potential-victim issues"),
        ("Victim and potential-victim issues", "Diversity issues"),
        ("Diversity issues", "Risk assessment"),
        ("Discussion and chair's summary", "Risk management plan"),
        ("Risk management plan", "Previous actions"),
        ("Previous actions", "New actions"),
        ("New actions", "Decisions"),
        ("Decisions", "Self-audit"),
        ("Self-audit: the chair's reasons", "Sign-off"),
    )
    for heading, following in empty:
        assert section_text(flow, heading, following) == "None recorded.", heading
    assert flow.count("None recorded.") == len(empty)
    assert section_text(flow, "Risk assessment", "Discussion") == "No risk assessment is recorded."
    # one mark per missing mandatory fact (sentence, offence summary, registration, next
    # review), none per empty section
    assert flow.count("Not recorded") == 4
    assert "Addenda" not in flow  # a draft or an uncorrected record has none to show


# --------------------------------------------------------------------------------------------
# Redacted and full copies


def test_redacted_copy_shows_each_withheld_mark_and_none_of_the_withheld_text(
    tmp_path: Path,
) -> None:
    redacted = rendered(tmp_path, variant="redacted")
    full = rendered(tmp_path)
    for text in redacted.texts:
        for withheld in sr.RESTRICTED:
            assert squashed(withheld) not in squashed(text), withheld
        assert "[Restricted]" not in text
        for kind in ("Information", "Plan item", "Decision"):
            assert f"{kind} {WITHHELD_MARK}" in text, kind
        assert text.count(WITHHELD_MARK) == 3 + 1  # three items, and the note explaining it
        assert spaced(REDACTED_NOTE) in text
        # what is not restricted stays
        assert "Disclose to the new partner." in text
        assert "He told his partner he has a conviction" in text
    for withheld in sr.RESTRICTED:
        assert spaced(withheld) in full.flow, withheld  # pypdf reads cell by cell
    for text in full.texts:
        assert text.count("[Restricted]") == 3 + 1  # three items, and the note explaining it
        assert WITHHELD_MARK not in text
    for page in redacted.layout:
        assert "Redacted copy - MAPPA minutes for" in norm(page)
    assert "Changes made at this meeting: 2." in redacted.flow  # the withheld change uncounted


def test_redacted_copy_withholds_a_restricted_level_decision_everywhere(tmp_path: Path) -> None:
    doc = sr.document(variant="redacted")
    level = sr.community_case().decisions[2]
    assert level.kind == "level"
    decisions = tuple(
        replace(d, restricted=True) if d.kind in ("level", "next_review") else d
        for d in sr.community_case().decisions
    )
    doc = sr.with_case(doc, sr.COMMUNITY, decisions=decisions, next_review_date="")
    flow = rendered_doc(doc, tmp_path).flow
    assert f"Management level Level 2 Decision {WITHHELD_MARK}" in flow
    assert "Remain at Level 2" not in flow
    assert "Risk manageable with co-ordination" not in flow
    assert "Next MAPPA review Not recorded" in flow  # the date came only from a withheld one


# --------------------------------------------------------------------------------------------
# Scripts, pages, determinism


@pytest.mark.parametrize(
    ("case_id", "names", "free_text"),
    [
        (
            sr.CUSTODY,
            sr.CHINESE,
            ("在停车场用刀袭击前雇主。", "释放计划已讨论。", "前雇主及其家人。"),
        ),
        (sr.HOSPITAL, sr.JAPANESE, ("退院後の支援について話し合った。", "家族。")),
        (sr.EMPTY, sr.KOREAN, ("피해자 근처로 이사했습니다.",)),
    ],
)
def test_cjk_names_and_text_read_back_exactly(
    case_id: int, names: tuple[str, str], free_text: tuple[str, ...], tmp_path: Path
) -> None:
    out = rendered(tmp_path, case_id)
    given, family = names
    for text in out.texts:
        assert f"MAPPA meeting minutes: {given} {family}" in text
        assert f"Family name {family}" in text and f"Given names {given}" in text
        for line in free_text:
            assert squashed(line) in squashed(text), line
        for name in (sr.GREEK, sr.RUSSIAN, sr.SWEDISH, sr.VIETNAMESE):
            assert name in text, name
        assert "\ufffd" not in text
    for page in out.layout:
        assert f"MAPPA minutes for {given} {family}" in spaced(page)


def test_every_page_is_marked_numbered_and_names_the_offender(tmp_path: Path) -> None:
    long = " ".join(f"point{n:04d}" for n in range(1500))
    doc = sr.with_case(sr.document(), sr.COMMUNITY, discussion=long)
    out = rendered_doc(doc, tmp_path)
    total = len(out.layout)
    assert total >= 6
    for number, page in enumerate(out.layout, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[0] == MARKING and lines[-1] == MARKING
        assert f"MAPPA minutes for {sr.MARKERS[sr.COMMUNITY][0]}" in norm(lines[1])
        assert f"Page {number} of {total}" in page
    assert squashed(long) in squashed(out.flow)


def test_draft_has_the_watermark_and_a_signed_record_not(tmp_path: Path) -> None:
    draft = rendered(tmp_path, signed=False)
    for page in draft.raw:
        assert "DRAFT" in page
    assert "Draft - not signed off. This is not the approved record" in draft.flow
    assert "Draft content SHA-256" in draft.flow
    for page in rendered(tmp_path).raw:
        assert "DRAFT" not in page


def test_rendering_is_deterministic_byte_for_byte() -> None:
    for case_id in ALL_CASES:
        for variant in ("full", "redacted"):
            doc = sr.document(case_id, variant=variant)
            assert render_record(doc) == render_record(doc), (case_id, variant)
    draft = sr.document(signed=False)
    assert render_record(draft) == render_record(draft)


def test_numbered_copies_are_stamped_on_one_body(tmp_path: Path) -> None:
    doc = sr.document(variant="redacted")
    body = render_record_body(doc)
    first = minutes_pdf.personalise(body, sr.SWEDISH, 4)
    assert first == render_record(replace(doc, recipient=sr.SWEDISH, copy_number=4))
    assert first == minutes_pdf.personalise(render_record_body(doc), sr.SWEDISH, 4)
    out = read(first, tmp_path)
    for page in out.layout:
        assert f"Copy 4 issued to {sr.SWEDISH}" in norm(page)
    assert f"Copy 4 issued to {sr.SWEDISH}" in spaced(out.pages[0])
    stamp = read_stamp(first)
    assert stamp is not None
    assert (stamp.meeting_id, stamp.variant, stamp.copy_number, stamp.recipient) == (
        sr.MEETING_ID,
        "redacted",
        4,
        sr.SWEDISH,
    )
    second = minutes_pdf.personalise(body, sr.ARABIC, 5)
    assert "Copy 5" in read(second, tmp_path).pages[0]


def test_fonts_are_embedded_subsets_and_qpdf_accepts_the_file(tmp_path: Path) -> None:
    path = tmp_path / "record.pdf"
    path.write_bytes(_rendered(sr.CUSTODY))
    fonts_out = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout
    rows = fonts_out.splitlines()[2:]
    assert any("WenQuanYi" in row for row in rows)
    for row in rows:
        cols = row.split()
        assert re.match(r"[A-Z]{6}\+", cols[0]), row
        assert cols[-5] == "yes", row  # embedded
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
