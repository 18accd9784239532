"""The minutes PDF, read back with pypdf and poppler (pdftotext, pdffonts) and checked by qpdf."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate

from mappa_desktop.services.minutes_content import (
    AddendumEntry,
    InformationEntry,
    MeetingIdentity,
    MinutesContent,
    MinutesDocument,
    canonical_json,
    content_hash,
)
from reports import fonts
from reports.labels import category_label, date_text, datetime_text, label
from reports.minutes_pdf import MARKING, build_story, render_copies, render_minutes
from reports.stamp import Stamp, parse_keywords, read_stamp, stamp_keywords
from tests.reports import sample_minutes as sm

PAGE_OF = re.compile(r"Page (\d+) of (\d+)")


def norm(text: str) -> str:
    """NFKC, without format characters (pdftotext wraps RTL runs in embedding marks)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def spaced(text: str) -> str:
    return " ".join(norm(text).split())


def squashed(text: str) -> str:
    return "".join(norm(text).split())


@dataclass
class Rendered:
    pdf: bytes
    path: Path
    layout: list[str]  # pdftotext -layout, one string per page
    raw: list[str]  # pdftotext -raw (content-stream order: the watermark comes last)
    pypdf: list[str]

    @property
    def all_layout(self) -> str:
        return "\n".join(self.layout)

    @property
    def flow(self) -> str:
        """pypdf's text (cell by cell, so wrapped labels do not interleave), spaces collapsed."""
        return spaced("\n".join(self.pypdf))


def _pdftotext(path: Path, *options: str) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *options, str(path), "-"],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def render(doc: MinutesDocument, tmp_path: Path, name: str = "minutes") -> Rendered:
    pdf = render_minutes(doc)
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return Rendered(
        pdf=pdf,
        path=path,
        layout=_pdftotext(path, "-layout"),
        raw=_pdftotext(path, "-raw"),
        pypdf=[page.extract_text() for page in reader.pages],
    )


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render(sm.document(), tmp_path_factory.mktemp("signed"))


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render(sm.document(signed=False), tmp_path_factory.mktemp("draft"))


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    doc = sm.document(variant="disclosure_summary")
    return render(doc, tmp_path_factory.mktemp("summary"))


def nonblank_lines(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------
# Every page


def test_marking_top_and_bottom_on_every_page(signed: Rendered) -> None:
    assert len(signed.layout) > 3
    for page in signed.layout:
        lines = nonblank_lines(page)
        assert lines[0] == MARKING
        assert lines[-1] == MARKING


def test_marking_on_every_page_of_a_draft(draft: Rendered) -> None:
    for page in draft.raw:
        assert page.count(MARKING) >= 2


def test_page_x_of_y_on_every_page(signed: Rendered) -> None:
    total = len(signed.pypdf)
    for number, (layout, text) in enumerate(zip(signed.layout, signed.pypdf, strict=True), 1):
        assert PAGE_OF.findall(layout) == [(str(number), str(total))]
        assert f"Page {number} of {total}" in text


def test_recipient_and_copy_number_on_every_page(signed: Rendered) -> None:
    for page in signed.layout:
        assert f"Copy 3 issued to {sm.SWEDISH}" in norm(page)


def test_header_names_no_recipient_when_unset(tmp_path: Path) -> None:
    out = render(sm.document(recipient="", copy_number=None), tmp_path)
    assert "issued to" not in out.all_layout
    assert "Copy 3" not in out.all_layout
    assert all(nonblank_lines(p)[0] == MARKING for p in out.layout)


def test_long_recipient_name_prints_whole_on_every_page(tmp_path: Path) -> None:
    who = "Chief Superintendent Ana-María Fernández-Ølstad, Public Protection Unit, Thames Valley"
    out = render(sm.document(recipient=who, copy_number=11), tmp_path)
    for page in out.layout:
        assert f"Copy 11 issued to {who}" in spaced(page)


def test_recipient_with_arabic_name_prints_in_the_header(tmp_path: Path) -> None:
    out = render(sm.document(recipient=sm.ARABIC, copy_number=7), tmp_path)
    for page in out.pypdf:
        assert "Copy 7" in page
        assert sm.ARABIC in norm(page)


# --------------------------------------------------------------------------------------------
# Content


def test_every_section_heading_is_printed(signed: Rendered) -> None:
    text = signed.all_layout
    for heading in sm.SECTION_HEADINGS:
        assert heading in text, heading
    assert "Addenda" in text
    for number, name in enumerate(("Łukasz Wiśniewski", sm.RUSSIAN), start=1):
        assert f"Case {number} of 3: {name}" in norm(text)


def test_every_name_reads_back_in_its_script(signed: Rendered) -> None:
    layout = spaced(signed.all_layout)
    extracted = spaced("\n".join(signed.pypdf))
    for name in sm.ALL_NAMES:
        assert name in layout, name
        assert name in extracted, name


def test_arabic_name_reads_back_in_logical_order_in_the_case_heading(signed: Rendered) -> None:
    assert f"Case 3 of 3: {sm.ARABIC}" in spaced("\n".join(signed.pypdf))


def test_markup_characters_print_literally(signed: Rendered) -> None:
    text = norm(signed.all_layout)
    assert 'Tenancy warning issued; Smith & <Jones> "Q" visited.' in text
    assert "&amp;" not in text
    assert "&lt;" not in text


def test_meeting_identity_is_printed(signed: Rendered) -> None:
    text = spaced(signed.pypdf[0])
    for expected in (
        "MAPPA area Thames Valley",
        "Level Level 2",
        "Meeting type Review",
        "Date 4 March 2025",
        "Start time 09:30",
        "Venue Kidlington Police HQ, Room 4",
        f"Chair {sm.GREEK} (Thames Valley Police)",
        f"Minute-taker {sm.VIETNAMESE}",
        f"MAPPA co-ordinator {sm.IRISH}",
        "Template version MAPPA C 2022 v1",
        "Meeting reference 12",
        "Status Signed off",
    ):
        assert expected in text, expected


def test_statement_with_who_confirmed_it_and_when(signed: Rendered) -> None:
    text = signed.flow
    assert "public safety outweighs the offender's rights of confidentiality" in text
    assert f"Read and confirmed at the meeting: {sm.GREEK} on 4 March 2025 09:35 UTC" in text


def test_unconfirmed_statement_is_flagged(tmp_path: Path) -> None:
    doc = sm.document()
    doc = replace(doc, content=replace(doc.content, statement_confirmed_by=""))
    out = render(doc, tmp_path)
    assert "The statement was not recorded as read and confirmed." in out.all_layout


def test_attendance_table_groups_by_agency_with_status_and_times(signed: Rendered) -> None:
    text = spaced(signed.all_layout)
    assert "Agency Name Role Attendance Deputy for Arrived Left" in text
    assert "Written report" in text
    assert "J. Patel" in text
    assert "09:30" in text and "11:15" in text
    table = signed.layout[0].split("Deputy for")[1]
    starts = re.findall(
        r"^(Adult Social|HM Prison|Housing|MAPPA|Oxford|Probation|Thames)", table, re.M
    )
    order = [a for i, a in enumerate(starts) if a not in starts[:i]]
    assert order == sorted(order)
    assert len(order) == 7


def test_case_offender_details_and_risk_grid(signed: Rendered) -> None:
    text = signed.flow
    for expected in (
        "Category 2 (violent offender) - Level 2 - on the agenda: Review due",
        "Date of birth 19 July 1984",
        "PNC: 2003/0123456X",
        "ViSOR: V0001000",
        "Lead agency Probation Service",
        f"Offender manager {sm.SWEDISH}",
        "Custody status Community",
        "No fixed abode (area: Oxford OX4)",
        "Index offence Wounding with intent",
        "Reason for referral Escalating risk to known children",
        "Risk of serious harm to Community Custody",
        "Children Very High High",
        "Known adult High Medium",
        "Prisoners Not applicable Medium",
        "Overall risk of serious harm High",
        "Who is at risk Female children aged 8-12",
    ):
        assert expected in text, expected


def test_rmp_changes_are_tagged_with_rationale(signed: Rendered) -> None:
    text = signed.flow
    assert re.search(r"NEW Home visits fortnightly, unannounced\. .*Rationale: Concerns", text)
    assert re.search(r"CHANGED GPS electronic monitoring", text)
    assert re.search(r"ENDED Horizon programme", text)
    assert "No change Weekly office appointments with the OM." in text


def test_previous_action_outcomes_and_not_done_reasons(signed: Rendered) -> None:
    text = signed.flow
    assert "Not done: Not done by the" in text
    assert "Not done: Circumstances" in text
    assert "Carried over" in text and "Cancelled" in text and "Done" in text


def test_decisions_disclosure_level_and_next_review(signed: Rendered) -> None:
    text = signed.flow
    for expected in (
        "Outcome Request an early OASys review.",
        f"Dissent {sm.RUSSIAN}: Prison OMU considers the review premature.",
        "Disclose Yes",
        "To whom New partner (mother of two girls)",
        "By whom Probation Service with police",
        "How In person, with a written record",
        "When 6 March 2025",
        "s.327A considered Yes",
        "Outcome Remain at Level 2.",
        "New level Level 2",
        "Next review date: 29 April 2025",
    ):
        assert expected in text, expected


def test_missing_decisions_are_flagged(tmp_path: Path) -> None:
    doc = sm.with_case_field(sm.document(case_count=1), 0, decisions=(), next_review_date="")
    text = render(doc, tmp_path).all_layout
    assert "No disclosure decision is recorded." in text
    assert "No level decision is recorded." in text
    assert "No next review date is recorded." in text


def test_sign_off_block_shows_chair_time_and_hash(signed: Rendered) -> None:
    doc = sm.document()
    assert doc.sign_off is not None
    text = signed.flow
    assert f"Signed off by the Chair {sm.GREEK}" in text
    assert "Date and time 5 March 2025 14:05 UTC" in text
    assert f"ContentSHA-256{doc.sign_off.content_sha256}" in squashed(text)
    assert "Draft - not signed off" not in text


def test_addenda_are_printed(signed: Rendered) -> None:
    text = signed.flow
    assert "Addendum 1" in text
    assert "Reason Correction of a date" in text
    assert "The home visit was on 14 February, not 15 February." in text
    assert f"Signed by {sm.GREEK}" in text
    assert "10 March 2025 10:00 UTC" in text


def test_empty_minutes_still_render_with_flags(tmp_path: Path) -> None:
    meeting = MeetingIdentity(7, "", 2, "", "", "", "", "", "", "", "", "")
    doc = MinutesDocument(content=MinutesContent(meeting, "", "", "", (), ()), sign_off=None)
    text = render(doc, tmp_path).all_layout
    assert "No cases were discussed at this meeting." in text
    assert "No attendance was recorded." in text
    assert "No statement text was recorded." in text


# --------------------------------------------------------------------------------------------
# Draft, summary, stamp


def test_draft_watermark_on_every_page_of_a_draft_only(draft: Rendered, signed: Rendered) -> None:
    for page in draft.raw:
        assert "DRAFT" in page
    assert "Draft - not signed off" in draft.all_layout
    for page in signed.raw:
        assert "DRAFT" not in page


def test_draft_sign_off_block_carries_the_draft_content_hash(draft: Rendered) -> None:
    digest = content_hash(canonical_json(sm.document(signed=False).content))
    assert "Draft - not signed off." in draft.flow
    assert digest in squashed(draft.flow)


def test_disclosure_summary_omits_restricted_items(summary: Rendered, signed: Rendered) -> None:
    full = signed.flow
    short = summary.flow
    for marker in sm.RESTRICTED_MARKERS:
        assert marker in full
        assert marker not in short
    assert "[Restricted]" in full
    assert "[Restricted]" not in short
    assert "Restricted items in this section are not shown in this disclosure summary." in short
    assert "Disclosure summary: items marked restricted" in short
    # unrestricted items stay
    assert "Two intelligence reports of contact with a 10-year-old girl" in short
    assert "Disclose Yes" in short


def test_disclosure_summary_is_marked_in_the_header_of_every_page(summary: Rendered) -> None:
    for page in summary.layout:
        assert nonblank_lines(page)[1].startswith("Disclosure summary - MAPPA minutes")


def test_stamp_reads_back_from_a_signed_copy(signed: Rendered) -> None:
    doc = sm.document()
    assert doc.sign_off is not None
    assert read_stamp(signed.pdf) == Stamp(
        meeting_id=12,
        content_sha256=doc.sign_off.content_sha256,
        status="signed",
        variant="full",
        copy_number=3,
        recipient=sm.SWEDISH,
        version_sha256="cd" * 32,
        schema=doc.content.schema,
    )


def test_stamp_of_a_draft_carries_the_draft_hash(draft: Rendered) -> None:
    stamp = read_stamp(draft.pdf)
    assert stamp is not None
    assert stamp.status == "draft"
    assert stamp.content_sha256 == content_hash(canonical_json(sm.document().content))


def test_document_info_title_and_keywords(signed: Rendered) -> None:
    meta = pypdf.PdfReader(io.BytesIO(signed.pdf)).metadata
    assert meta is not None
    assert meta.title == "MAPPA minutes - meeting 12"
    assert meta.subject is not None and sm.SWEDISH in meta.subject
    assert str(meta["/Keywords"]).startswith("mappa-minutes; meeting=12; sha256=")


def test_stamp_keywords_round_trip_awkward_recipient() -> None:
    stamp = Stamp(5, "0" * 64, "signed", "full", 2, "A; b=c %20 محمد", "")
    assert parse_keywords(stamp_keywords(stamp)) == stamp


@pytest.mark.parametrize(
    "keywords",
    [
        "",
        "something else",
        "mappa-minutes; meeting=x; sha256=" + "0" * 64,
        "mappa-minutes; meeting=1; sha256=xyz",
        "mappa-minutes; meeting=1",
        "mappa-minutes; meeting=1; meeting=2; sha256=" + "0" * 64,
    ],
)
def test_parse_keywords_rejects_malformed_stamps(keywords: str) -> None:
    assert parse_keywords(keywords) is None


def test_render_copies_personalises_each_copy_in_order() -> None:
    doc = sm.document(case_count=1)
    copies = [(sm.ARABIC, 1), (sm.MARKUP, 2), (sm.RUSSIAN, 3)]
    pdfs = render_copies(doc, copies)
    assert len(pdfs) == 3
    for (who, number), pdf in zip(copies, pdfs, strict=True):
        stamp = read_stamp(pdf)
        assert stamp is not None
        assert (stamp.recipient, stamp.copy_number) == (who, number)
        first_page = norm(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
        assert f"Copy {number}" in first_page
        assert who in first_page


def test_read_stamp_returns_none_for_foreign_files() -> None:
    assert read_stamp(b"not a pdf at all") is None
    buffer = io.BytesIO()
    fonts.register_fonts()
    SimpleDocTemplate(buffer).build([Paragraph("hello")])
    assert read_stamp(buffer.getvalue()) is None


# --------------------------------------------------------------------------------------------
# PDF quality


def test_all_fonts_are_embedded_dejavu(signed: Rendered) -> None:
    out = subprocess.run(
        ["pdffonts", str(signed.path)], check=True, capture_output=True, text=True
    ).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        cols = row.split()
        assert "DejaVuSans" in cols[0]
        assert cols[-5] == "yes"  # emb


def test_qpdf_check_passes(signed: Rendered, draft: Rendered, summary: Rendered) -> None:
    for rendered in (signed, draft, summary):
        result = subprocess.run(
            ["qpdf", "--check", str(rendered.path)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No syntax or stream encoding errors found" in result.stdout


def test_headings_are_kept_with_their_content() -> None:
    story = build_story(sm.document())
    headings = [
        i
        for i, f in enumerate(story)
        if isinstance(f, Paragraph) and f.style.name in ("mappa-h1", "mappa-h2", "mappa-h3")
    ]
    assert len(headings) > 30
    for i in headings:
        assert isinstance(story[i - 1], CondPageBreak)


# --------------------------------------------------------------------------------------------
# Long and arbitrary text


LONG = " ".join(f"word{n:05d}" for n in range(2222))[:20_000]


def test_long_free_text_field_splits_across_pages(tmp_path: Path) -> None:
    assert len(LONG) == 20_000
    doc = sm.with_case_field(sm.document(case_count=1), 0, reason_for_referral=LONG)
    out = render(doc, tmp_path)
    pages_with_words = [i for i, p in enumerate(out.layout) if "word01" in p]
    assert len(pages_with_words) >= 2
    text = squashed("\n".join(out.pypdf))
    assert squashed(LONG[:300]) in text
    assert squashed(LONG[-300:]) in text
    for page in out.layout:
        lines = nonblank_lines(page)
        assert lines[0] == MARKING and lines[-1] == MARKING


def test_long_text_in_table_cells_and_unbroken_words_render(tmp_path: Path) -> None:
    unbroken = "x" * 20_000
    doc = sm.with_case_field(
        sm.document(case_count=1),
        0,
        information=(InformationEntry("Police", LONG), InformationEntry("Police", unbroken)),
        victim_notes=unbroken,
    )
    doc = replace(
        doc,
        addenda=(AddendumEntry(1, LONG, LONG, sm.GREEK, "2025-03-10T10:00:00+00:00", ""),),
    )
    out = render(doc, tmp_path)
    assert len(out.layout) > 10
    assert squashed(LONG[-200:]) in squashed("\n".join(out.pypdf))
    assert squashed("\n".join(out.pypdf)).count("x" * 1000) >= 2


def test_long_arabic_text_wraps_in_reading_order(tmp_path: Path) -> None:
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    words = [f"كلمة{letters[n % 28]}{letters[(n // 28) % 28]}" for n in range(600)]
    source = " ".join(words)
    doc = sm.with_case_field(sm.document(case_count=1), 0, victim_notes=source)
    out = render(doc, tmp_path)
    lines = [
        spaced(line) for page in out.pypdf for line in page.splitlines() if "كلمة" in norm(line)
    ]
    assert len(lines) > 10
    position = 0
    for line in lines:
        found = source.find(line, position)
        assert found >= position, line
        position = found + len(line)


SAFE_ALPHABET = st.characters(
    codec="utf-8",
    categories=("Lu", "Ll", "Nd", "Po", "Sm", "Zs"),
    exclude_characters="\u00a0\u2007\u202f",
    max_codepoint=0x04FF,
).filter(lambda ch: ord(ch) in fonts.covered(fonts.REGULAR))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.text(max_size=300), st.text(max_size=80))
def test_any_text_in_free_text_fields_builds(tmp_path: Path, text: str, name: str) -> None:
    doc = sm.with_case_field(
        sm.document(case_count=1),
        0,
        reason_for_referral=text,
        family_name=name,
        information=(InformationEntry(name, text),),
    )
    pdf = render_minutes(doc)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.text(SAFE_ALPHABET, min_size=1, max_size=400))
def test_printable_text_reads_back(tmp_path: Path, text: str) -> None:
    doc = sm.with_case_field(sm.document(case_count=1), 0, victim_notes=text)
    pdf = render_minutes(doc)
    extracted = squashed(
        "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    )
    assert squashed(text) in extracted


# --------------------------------------------------------------------------------------------
# Labels


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("known_adult", "Known adult"),
        ("very_high", "Very High"),
        ("not_done_by_agency", "Not done by the agency"),
        ("circumstances_changed", "Circumstances changed"),
        ("report_submitted", "Written report submitted"),
        ("monitoring_control", "Monitoring and control"),
        ("victim_safety", "Victim safety planning"),
        ("oasys", "OASys"),
        ("something_new", "Something new"),
        ("", ""),
    ],
)
def test_label_makes_enum_values_readable(value: str, expected: str) -> None:
    assert label(value) == expected


def test_category_and_date_labels() -> None:
    assert category_label(1) == "Category 1 (registered sexual offender)"
    assert category_label(9) == "Category 9"
    assert date_text("2025-03-04") == "4 March 2025"
    assert date_text("not a date") == "not a date"
    assert datetime_text("2025-03-05T14:05:00+00:00") == "5 March 2025 14:05 UTC"
    assert datetime_text("2025-03-05T14:05:00+01:00") == "5 March 2025 14:05 UTC+0100"


def test_personal_copies_mark_every_page_and_only_their_own_recipient(tmp_path: Path) -> None:
    doc = sm.document(recipient="", copy_number=None)
    copies = [("Αλφα Recipient (Police)", 1), ("Получатель Бета (Housing)", 2)]
    plain = render_minutes(doc)
    for (who, number), pdf in zip(copies, render_copies(doc, copies), strict=True):
        path = tmp_path / f"copy{number}.pdf"
        path.write_bytes(pdf)
        pages = _pdftotext(path, "-layout")
        assert len(pages) == len(pypdf.PdfReader(io.BytesIO(plain)).pages)
        for page in pages:
            assert f"Copy {number} issued to {who}" in norm(page)
            assert nonblank_lines(page)[0] == MARKING and nonblank_lines(page)[-1] == MARKING
        others = [w for w, n in copies if n != number]
        assert not any(other in norm("\n".join(pages)) for other in others)
        first = spaced(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
        assert "MAPPA meeting minutes" in first and f"Copy {number} issued to {who}" in first
        assert pdf.count(b"%%EOF") == 1  # rewritten whole: no unmarked earlier revision inside
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_render_minutes_with_a_recipient_equals_the_fast_copy_path() -> None:
    doc = sm.document(case_count=1)
    one = render_minutes(doc)
    fast = render_copies(replace(doc, recipient="", copy_number=None), [(doc.recipient, 3)])[0]
    assert read_stamp(one) == read_stamp(fast)
    texts = [
        [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages] for pdf in (one, fast)
    ]
    assert texts[0] == texts[1]
