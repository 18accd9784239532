"""The agenda pack for a planned meeting: an ``AgendaPack`` in, PDF bytes out.

What the co-ordinator sends before the meeting (DOMAIN.md §3.2): the meeting's identity, the
joining instructions, the agencies invited to every case (the Responsible Authority), then the
cases in agenda order with their time slots, why each is on the agenda, the lead agency, the
agencies invited for that case and what has happened since it was last discussed.
"""

from __future__ import annotations

from datetime import time

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from mappa_desktop.services.agenda_pack import AgendaPack, AgendaPackItem
from reports.labels import NOT_RECORDED, label
from reports.layout import CONTENT_WIDTH, header_row, heading, render_report, styles, table
from reports.text import Para, para_text, user_paragraph

SECTIONS = ("Meeting", "Joining instructions", "Agencies invited to every case", "Cases")
CASE_COLUMNS = ("#", "Time", "Case", "Why on the agenda", "Agencies invited for this case")


def _hhmm(value: time | None) -> str:
    return value.strftime("%H:%M") if value is not None else ""


def _slot(item: AgendaPackItem) -> str:
    if item.slot_start is None:
        return f"Item {item.order}"
    return f"{_hhmm(item.slot_start)}-{_hhmm(item.slot_end)}"


def _fields(pairs: list[tuple[str, str]]) -> Flowable:
    s = styles()
    width = 42 * mm
    rows: list[list[object]] = [
        [
            Para(name, s.cell_bold),
            user_paragraph(value, s.cell) if value.strip() else Para(NOT_RECORDED, s.cell),
        ]
        for name, value in pairs
    ]
    return table(rows, [width, CONTENT_WIDTH - width], header=False, label_column=True)


def _case_cell(item: AgendaPackItem) -> list[Flowable]:
    s = styles()
    placement = []
    if item.category is not None:
        placement.append(f"Category {item.category}")
    if item.level is not None:
        placement.append(f"Level {item.level}")
    cell: list[Flowable] = [
        Para(f"<b>{para_text(item.case_name)}</b> (case {item.case_id})", s.cell),
        Para(", ".join(placement) or "No current registration", s.cell),
        Para(f"Lead agency: {para_text(item.lead_agency)}", s.cell),
    ]
    last = item.last_discussed.isoformat() if item.last_discussed else "not discussed before"
    cell.append(Para(f"Last discussed: {last}", s.cell))
    if item.events_since:
        cell.append(Para("<b>Since then:</b>", s.cell))
        cell += [user_paragraph(f"• {line}", s.cell) for line in item.events_since]
    return cell


def _cases(pack: AgendaPack) -> Flowable:
    s = styles()
    rows: list[list[object]] = [header_row(CASE_COLUMNS)]
    for item in pack.items:
        invited = ", ".join(item.invited_agencies) or "Responsible Authority only"
        rows.append(
            [
                Para(str(item.order), s.cell),
                Para(_slot(item), s.cell),
                _case_cell(item),
                Para(para_text(item.reason_label).capitalize(), s.cell),
                user_paragraph(invited, s.cell),
            ]
        )
    widths = [8 * mm, 22 * mm, 68 * mm, 30 * mm]
    return table(rows, [*widths, CONTENT_WIDTH - sum(widths)])


def build_story(pack: AgendaPack) -> list[Flowable]:
    s = styles()
    when = pack.meeting_date.isoformat()
    if pack.start_time is not None:
        when += f", {_hhmm(pack.start_time)}"
        if pack.end_time is not None:
            when += f" to {_hhmm(pack.end_time)}"
    story: list[Flowable] = [
        Para(
            f"Agenda: MAPPA Level {pack.level} {label(pack.meeting_type).lower()} meeting", s.title
        ),
        Para(f"{para_text(pack.area_name)} - {when}", s.subtitle),
        Spacer(1, 3 * mm),
        *heading(SECTIONS[0], s.h1),
        _fields(
            [
                ("Date and time", when),
                ("Venue", pack.venue),
                ("Chair", pack.chair),
                ("MAPPA co-ordinator", pack.coordinator),
                ("Minute-taker", pack.minute_taker),
                ("Meeting reference", str(pack.meeting_id)),
                ("Time per case", f"{pack.slot_minutes} minutes"),
            ]
        ),
        *heading(SECTIONS[1], s.h1),
    ]
    if pack.joining_instructions.strip():
        story += [
            user_paragraph(block, s.body)
            for block in pack.joining_instructions.replace("\r\n", "\n").split("\n\n")
            if block.strip()
        ]
    else:
        story.append(Para("No joining instructions are set: ask the MAPPA co-ordinator.", s.body))
    story += heading(SECTIONS[2], s.h1)
    core = ", ".join(pack.core_agencies) or NOT_RECORDED
    story.append(user_paragraph(core, s.body))
    story += heading(SECTIONS[3], s.h1)
    if pack.items:
        story.append(_cases(pack))
    else:
        story.append(Para("No cases are on the agenda yet.", s.body))
    story.append(
        Para(
            "This agenda and the information discussed at the meeting are confidential: share "
            "them only with those who need them for the management of these cases.",
            s.note,
        )
    )
    return story


def render_agenda_pdf(pack: AgendaPack) -> bytes:
    """The agenda pack as a marked A4 PDF."""
    title = f"MAPPA Level {pack.level} meeting {pack.meeting_date.isoformat()}"
    return render_report(
        build_story(pack),
        title=f"Agenda - {title}",
        subject=f"Agenda for meeting {pack.meeting_id} ({pack.area_name})",
        header=f"Agenda - {title} - {pack.area_name}",
        footer=f"Meeting {pack.meeting_id} - agenda pack",
    )
