"""One offender's record of a meeting (MAPPA B/C, issue 10): a ``MinutesDocument`` whose
``case_id`` names one case of the meeting in, PDF bytes out.

The record holds that offender only: no other case's name, identifiers or details appear in its
text or metadata, because it goes to the agencies involved in that case alone (MAPPA D). Its
order is MAPPA's (DOMAIN §4.3): marking and header, meeting details, sections 1-6 on the
offender (``reports.offender_record_sections``), then what happened at this meeting
(``reports.offender_record_meeting``), the sign-off and the addenda that correct this record.

The pages are the meeting-wide minutes' (``reports.minutes_pdf.render_pages``): markings, running
header naming the offender, "Page X of Y", the DRAFT watermark, the identity stamp from
``minutes_pdf.stamp_for`` and the space kept for a digital signature. Numbered personal copies
are stamped onto one laid-out body with ``minutes_pdf.personalise(render_record_body(doc), ...)``.
Rendering is deterministic: the same document gives the same bytes, so ``verify`` can re-render.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer

from mappa_desktop.domain.enums import DistributionVariant
from mappa_desktop.services.minutes_content import (
    AddendumEntry,
    CaseEntry,
    MinutesDocument,
)
from reports import minutes_pdf
from reports.labels import NOT_RECORDED, date_text, datetime_text, label
from reports.layout import (
    Cell,
    fields_table,
    heading,
    or_not_recorded,
    pair_grid,
    styles,
)
from reports.minutes_pdf import (
    DRAFT_NOTICE,
    RESTRICTED_TAG,
    SIGNATURE_BAND_HEIGHT,
    MinutesBody,
    SignatureBand,
    content_sha256,
)
from reports.offender_record_case import UNNAMED, offender_name, record_case
from reports.offender_record_meeting import attendance, this_meeting
from reports.offender_record_sections import (
    WITHHELD_MARK,
    Redaction,
    offender_information,
    section,
)
from reports.text import Para, para_text, user_paragraph

RECORD_LAYOUT_VERSION = 1  # bump with any change to how an offender's record lays out a page
DEFAULT_MAX_ASSESSMENT_AGE_DAYS = 365

REDACTED_NOTE = (
    f"Redacted copy: each item flagged restricted (third-party or sensitive information) is "
    f"replaced by the mark {WITHHELD_MARK}, naming the kind of item left out. Onward sharing of "
    "the full record needs the Chair's agreement."
)
RESTRICTED_NOTE = (
    f"Items marked {RESTRICTED_TAG} hold third-party or sensitive information: they are "
    "withheld from redacted copies of this record."
)


# --------------------------------------------------------------------------------------------
# Header and meeting details


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _has_restricted(case: CaseEntry) -> bool:
    return any(
        item.restricted for items in (case.information, case.rmp, case.decisions) for item in items
    )


def _title(doc: MinutesDocument, case: CaseEntry, copy_slot: Flowable | None) -> list[Flowable]:
    s = styles()
    m = doc.content.meeting
    name = offender_name(case)
    title = "MAPPA meeting minutes: " + (para_text(name) if name else UNNAMED)
    if doc.variant == DistributionVariant.REDACTED:
        title += " (redacted copy)"
    out: list[Flowable] = [
        Para(title, s.title),
        Para(
            f"{para_text(m.area)} - Level {m.level} {label(m.meeting_type).lower()} meeting, "
            f"{date_text(m.date) or NOT_RECORDED}",
            s.subtitle,
        ),
    ]
    if copy_slot is not None:
        out.append(copy_slot)
    out.append(Spacer(1, 3 * mm))
    if doc.sign_off is None:
        out.append(
            Para(f"{DRAFT_NOTICE}. This is not the approved record of the meeting.", s.warning)
        )
    if doc.variant == DistributionVariant.REDACTED:
        out.append(Para(para_text(REDACTED_NOTE), s.note))
    elif _has_restricted(case):
        out.append(Para(para_text(RESTRICTED_NOTE), s.note))
    return out


def _sequence(case: CaseEntry) -> Para:
    c = styles().cell
    if case.meeting_seq <= 0:
        return Para(NOT_RECORDED, c)
    if case.meeting_seq == 1:
        return Para("1st (the first MAPPA meeting on this offender)", c)
    return Para(f"{_ordinal(case.meeting_seq)} MAPPA meeting on this offender", c)


def _previous(case: CaseEntry) -> Para:
    c = styles().cell
    if case.previous_meeting_date:
        return Para(date_text(case.previous_meeting_date), c)
    return Para("None" if case.meeting_seq == 1 else NOT_RECORDED, c)


def _chair(doc: MinutesDocument) -> Cell:
    m = doc.content.meeting
    if not m.chair.strip():
        return Para(f"<i>{NOT_RECORDED}</i>", styles().cell)
    parts = [para_text(m.chair)]
    if m.chair_role.strip():
        parts.append(para_text(m.chair_role))
    if m.chair_agency.strip():
        parts.append(para_text(m.chair_agency))
    return Para(", ".join(parts), styles().cell)


def _minute_taker(doc: MinutesDocument) -> Cell:
    m = doc.content.meeting
    c = styles().cell
    if m.minute_taker.strip() and m.minute_taker_agency.strip():
        return Para(f"{para_text(m.minute_taker)}, {para_text(m.minute_taker_agency)}", c)
    return or_not_recorded(m.minute_taker, c)


def _meeting_details(doc: MinutesDocument, case: CaseEntry) -> list[Flowable]:
    c = styles().cell
    m = doc.content.meeting
    pairs: list[tuple[str, Cell]] = [
        ("MAPPA area", or_not_recorded(m.area, c)),
        ("Date", Para(date_text(m.date) or NOT_RECORDED, c)),
        ("Level", Para(f"Level {m.level}", c)),
        ("Meeting type", Para(label(m.meeting_type) or NOT_RECORDED, c)),
        ("This offender's meeting", _sequence(case)),
        ("Previous meeting", _previous(case)),
        ("Venue", or_not_recorded(m.venue, c)),
        ("Start time", or_not_recorded(m.start_time, c)),
        ("Chair", _chair(doc)),
        ("Minute-taker", _minute_taker(doc)),
        ("MAPPA co-ordinator", or_not_recorded(m.coordinator, c)),
        ("Template version", or_not_recorded(m.template_version, c)),
        ("Meeting reference", Para(f"Meeting {m.meeting_id}, case {case.case_id}", c)),
        ("Status", Para("Signed off" if doc.sign_off else f"<b>{DRAFT_NOTICE}</b>", c)),
    ]
    if doc.generated_at:
        pairs.append(("Printed", Para(datetime_text(doc.generated_at), c)))
    return [*section("Meeting details"), pair_grid(pairs)]


# --------------------------------------------------------------------------------------------
# The statement, the sign-off and the addenda


def _confirmation(doc: MinutesDocument) -> Para:
    """Who confirmed the statement was read, with the time only when one was recorded."""
    s = styles()
    content = doc.content
    if not content.statement_confirmed_by.strip():
        return Para("The statement was not recorded as read and confirmed.", s.warning)
    who = para_text(content.statement_confirmed_by)
    try:
        at = datetime.fromisoformat(content.statement_confirmed_at)
    except ValueError:
        return Para(f"<b>Read and confirmed at the meeting by</b> {who}.", s.body)
    when = datetime_text(content.statement_confirmed_at)
    if at.date().isoformat() == content.meeting.date:
        hour = when[len(date_text(at.date().isoformat())) + 1 :]  # "09:35 UTC"
        return Para(f"<b>Read and confirmed by</b> {who} at {hour} on the meeting day.", s.body)
    return Para(f"<b>Read and confirmed by</b> {who}; confirmation recorded {when}.", s.body)


def _statement(doc: MinutesDocument) -> list[Flowable]:
    s = styles()
    out = section("Confidentiality statement")
    blocks = [b for b in doc.content.statement.replace("\r\n", "\n").split("\n\n") if b.strip()]
    if blocks and blocks[0].strip().casefold() == "confidentiality and diversity statement":
        blocks = blocks[1:]  # the statement's own title repeats the heading
    out += [user_paragraph(block, s.body) for block in blocks]
    if not blocks:
        out.append(Para("No statement text was recorded.", s.warning))
    out.append(_confirmation(doc))
    return out


def _days_after(signed_at: str, meeting_date: str) -> str:
    try:
        days = (datetime.fromisoformat(signed_at).date() - date.fromisoformat(meeting_date)).days
    except ValueError:
        return ""
    if days == 0:
        return "on the day of the meeting"
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} before the meeting"
    return f"{days} day{'s' if days != 1 else ''} after the meeting"


def _sign_off(doc: MinutesDocument) -> list[Flowable]:
    s = styles()
    c = s.cell
    out = section("Sign-off", keep=40 * mm)
    if doc.sign_off is None:
        out.append(
            Para(
                f"{DRAFT_NOTICE}: the Chair has not signed these minutes off, so they may still "
                "change and must not be relied on as the record of the meeting.",
                s.warning,
            )
        )
        out.append(fields_table([("Draft content SHA-256", Para(content_sha256(doc), c))]))
        return out
    so = doc.sign_off
    when = datetime_text(so.signed_at) or NOT_RECORDED
    after = _days_after(so.signed_at, doc.content.meeting.date)
    pairs: list[tuple[str, Cell]] = [
        ("Signed off by the Chair", or_not_recorded(so.chair, c)),
        ("Date and time", Para(f"{when} ({after})" if after else when, c)),
        ("Content SHA-256", Para(so.content_sha256, c)),
    ]
    out.append(fields_table(pairs))
    return out


def _addenda(addenda: Sequence[AddendumEntry], case_id: int) -> list[Flowable]:
    """The addenda correcting this offender's record (none of the meeting-wide ones)."""
    s = styles()
    c = s.cell
    mine = sorted((a for a in addenda if a.case_id == case_id), key=lambda a: a.seq)
    if not mine:
        return []
    out = section("Addenda")
    for a in mine:
        out += heading(f"Addendum {a.seq}", s.h3, keep=30 * mm)
        pairs: list[tuple[str, Cell]] = [
            ("Reason", or_not_recorded(a.reason, c)),
            ("Text", or_not_recorded(a.text, c)),
            ("Signed by", or_not_recorded(a.signed_by, c)),
            ("Date and time", Para(datetime_text(a.signed_at) or NOT_RECORDED, c)),
            ("Content SHA-256", Para(a.content_sha256 or NOT_RECORDED, c)),
        ]
        out.append(fields_table(pairs))
    return out


# --------------------------------------------------------------------------------------------
# The story and the pages


def max_assessment_age_days(doc: MinutesDocument) -> int:
    """``doc.extra["max_assessment_age_days"]`` (the area's setting), 365 when not given."""
    raw = doc.extra.get("max_assessment_age_days", "")
    if not raw:
        return DEFAULT_MAX_ASSESSMENT_AGE_DAYS
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if days < 1:
        raise ValueError(
            f"max_assessment_age_days must be a whole number of days above 0, not {raw!r}."
        )
    return days


def record_story(doc: MinutesDocument, *, copy_slot: Flowable | None = None) -> list[Flowable]:
    """The flowables of the offender's record, in MAPPA's order (a ``StoryBuilder``)."""
    case = record_case(doc)
    redaction = Redaction.of(doc)
    return [
        *_title(doc, case, copy_slot),
        *_meeting_details(doc, case),
        *offender_information(case, redaction),
        *attendance(case, doc.content),
        *_statement(doc),
        *this_meeting(
            case,
            redaction,
            meeting_date=doc.content.meeting.date,
            max_assessment_age_days=max_assessment_age_days(doc),
            audit=doc.content.self_audit,
        ),
        *_sign_off(doc),
        *_addenda(doc.addenda, case.case_id),
        CondPageBreak(SIGNATURE_BAND_HEIGHT),
        SignatureBand(),
    ]


def _pdf_title(doc: MinutesDocument) -> str:
    return f"MAPPA minutes - meeting {doc.content.meeting.meeting_id} - case {doc.case_id}"


def render_record_body(doc: MinutesDocument) -> MinutesBody:
    """Lay the record out once for any number of numbered copies
    (``minutes_pdf.personalise(body, recipient, copy_number)``)."""
    record_case(doc)  # refuse before laying anything out
    return minutes_pdf.render_body(doc, story=record_story, title=_pdf_title(doc))


def render_record(doc: MinutesDocument) -> bytes:
    """The offender's record as PDF bytes (A4); a personal copy when ``doc`` names a recipient
    or a copy number. Raises ValueError when ``doc`` names no case of the meeting."""
    if doc.recipient or doc.copy_number is not None:
        return minutes_pdf.personalise(render_record_body(doc), doc.recipient, doc.copy_number)
    record_case(doc)
    pdf, _ = minutes_pdf.render_pages(
        doc, personal=False, story=record_story, title=_pdf_title(doc)
    )
    return pdf
