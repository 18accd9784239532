"""The MAPPA L meeting audit and the case audit per offender as a PDF: a ``MeetingAudit`` in,
PDF bytes out (``services.meeting_audit``; DOMAIN §3.2, §4.2).

Each criterion is a row: its number, the question, the answer the record gives (Yes / No /
Partly) and the evidence. A criterion only an observer can judge is answered "For the auditor
to complete" with a line to write on; the form ends with the auditor's sign-off lines.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from mappa_desktop.services.meeting_audit import Answer, AuditItem, MeetingAudit
from reports.labels import date_text, label
from reports.layout import CONTENT_WIDTH, LABEL_FILL, header_row, heading, render_report, styles
from reports.layout import table as bordered_table
from reports.text import Para, para_text, user_paragraph

TITLE = "MAPPA meeting audit"
COLUMNS = ("No.", "Criterion", "Answer", "Evidence from the signed minutes")
_WIDTHS = (11 * mm, 58 * mm, 24 * mm, CONTENT_WIDTH - 93 * mm)
WRITE_HERE = "Auditor's answer and comments:"  # then room to write
HOW_TO_READ = (
    "Answered from the signed minutes: each criterion the record can answer says Yes, No or "
    "Partly, with the evidence the record holds. Criteria marked <b>For the auditor to "
    "complete</b> need someone who observed the meeting: write the answer on the line given. "
    "The signed minutes are not changed by this audit."
)
# "No" and "Partly" stand out in print, in colour and in greyscale (bold).
_ANSWER_COLOUR = {
    Answer.YES: "#1d5e20",
    Answer.NO: "#8a1c12",
    Answer.PARTLY: "#7a4a00",
    Answer.AUDITOR: "#333333",
}


def _answer_cell(answer: Answer) -> Para:
    s = styles()
    return Para(f'<font color="{_ANSWER_COLOUR[answer]}">{answer.value}</font>', s.cell_bold)


def _evidence_cell(item: AuditItem) -> list[Flowable]:
    s = styles()
    cell: list[Flowable] = [user_paragraph(item.evidence, s.cell)]
    if item.answer is Answer.AUDITOR:
        cell += [Spacer(1, 2 * mm), Para(f"<i>{WRITE_HERE}</i>", s.cell), Spacer(1, 9 * mm)]
    return cell


def criteria_table(items: tuple[AuditItem, ...]) -> Flowable:
    """The criteria of one part (the meeting or one offender), one row each."""
    s = styles()
    rows: list[list[object]] = [header_row(COLUMNS)]
    shading = []
    for n, item in enumerate(items, start=1):
        rows.append(
            [
                Para(item.number, s.cell_bold),
                Para(para_text(item.criterion), s.cell),
                _answer_cell(item.answer),
                _evidence_cell(item),
            ]
        )
        if item.answer is Answer.AUDITOR:
            shading.append(("BACKGROUND", (0, n), (-1, n), LABEL_FILL))
    return bordered_table(rows, _WIDTHS, extra=shading)


def _facts(audit: MeetingAudit) -> Flowable:
    s = styles()
    facts = (
        (
            "Meeting",
            f"Level {audit.level} {label(audit.meeting_type).lower()} meeting, "
            f"{date_text(audit.meeting_date.isoformat())}, {audit.venue or 'venue not recorded'}",
        ),
        ("Area", audit.area),
        ("Chair", audit.chair or "Not recorded"),
        ("Signed off", f"{audit.signed_by}, {audit.signed_at:%Y-%m-%d %H:%M} UTC"),
        ("Content SHA-256", audit.content_sha256),
        ("Audit produced", f"{audit.generated_at:%Y-%m-%d %H:%M} UTC"),
    )
    rows: list[list[object]] = [
        [Para(name, s.cell_bold), user_paragraph(value, s.cell)] for name, value in facts
    ]
    return bordered_table(rows, (38 * mm, CONTENT_WIDTH - 38 * mm), header=False, label_column=True)


def _tally(items: tuple[AuditItem, ...]) -> str:
    counts = {a: sum(1 for i in items if i.answer is a) for a in Answer}
    return ", ".join(f"{a.value}: {n}" for a, n in counts.items() if n)


def _sign_lines() -> list[Flowable]:
    s = styles()
    lines = [
        "Auditor's name and role: ________________________________________________",
        "Signature: ______________________________     Date: ____________________",
    ]
    return [
        *heading("Auditor's sign-off", s.h1, keep=40 * mm),
        *(Para(line, s.body) for line in lines),
    ]


def build_story(audit: MeetingAudit) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [
        Para(f"{TITLE} (MAPPA L) and case audits", s.title),
        user_paragraph(
            f"{audit.area} - meeting {audit.meeting_id} of "
            f"{date_text(audit.meeting_date.isoformat())}",
            s.subtitle,
        ),
        Spacer(1, 3 * mm),
        _facts(audit),
        Para(HOW_TO_READ, s.note),
    ]
    story += heading("Meeting audit (MAPPA L)", s.h1)
    story.append(
        Para(f"{len(audit.meeting_items)} criteria. {_tally(audit.meeting_items)}.", s.body)
    )
    story.append(criteria_table(audit.meeting_items))
    story += heading("Case audits (one per offender, in agenda order)", s.h1)
    if not audit.cases:
        story.append(Para("No case is recorded in these minutes.", s.body))
    for case in audit.cases:
        title = f"{case.agenda_order}. {para_text(case.name)} (case {case.case_id})"
        story.append(
            KeepTogether(
                [
                    *heading(title, s.h2),
                    Para(f"{_tally(case.items)}.", s.body),
                ]
            )
        )
        story.append(criteria_table(case.items))
    story += _sign_lines()
    return story


def render_meeting_audit_pdf(audit: MeetingAudit) -> bytes:
    """The audit as a marked A4 PDF (the same audit gives the same bytes)."""
    return render_report(
        build_story(audit),
        title=f"{TITLE} - meeting {audit.meeting_id}",
        subject=f"MAPPA L meeting audit and case audits of meeting {audit.meeting_id} "
        f"({audit.meeting_date.isoformat()})",
        header=f"{TITLE} - {audit.area} - meeting of {audit.meeting_date.isoformat()}",
        footer=f"From the signed minutes ({audit.content_sha256[:16]}) - not for publication "
        "or wider circulation without the approval of the MAPPA SMB",
    )
