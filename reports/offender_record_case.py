"""Which offender an offender's record is for, and how the record names them on every page.

An offender's record (``reports.offender_record_pdf``) is a ``MinutesDocument`` whose ``case_id``
names one case of the meeting. It is kept apart from the record's layout so that
``reports.minutes_pdf``, which draws the running header of every personal copy, can name the
offender without importing the record's sections.
"""

from __future__ import annotations

from mappa_desktop.domain.enums import DistributionVariant
from mappa_desktop.domain.text import contain_bidi
from mappa_desktop.services.minutes_content import CaseEntry, MinutesDocument
from reports.labels import date_text

UNNAMED = "offender not named"


def record_case(doc: MinutesDocument) -> CaseEntry:
    """The case ``doc`` is the record of.

    Raises ValueError when ``doc`` is the meeting-wide record (no ``case_id``) or names a case
    the meeting did not discuss: an offender's record is never made of the wrong offender."""
    if doc.case_id is None:
        raise ValueError(
            "This document is the meeting-wide minutes (it names no case), so it cannot be "
            "printed as an offender's record."
        )
    for case in doc.content.cases:
        if case.case_id == doc.case_id:
            return case
    raise ValueError(
        f"Case {doc.case_id} was not discussed at meeting {doc.content.meeting.meeting_id}, so "
        "the meeting's minutes hold no record of that offender."
    )


def offender_name(case: CaseEntry) -> str:
    """Given names then family name (user text, each part a bidi isolate), "" when neither."""
    return f"{contain_bidi(case.given_names)} {contain_bidi(case.family_name)}".strip()


def record_page_header(doc: MinutesDocument) -> str:
    """The left running header of every page of the record (user text, not yet shaped): the
    offender, the area and the date, so a page separated from the rest still says whose it is
    and whether it is the redacted copy."""
    m = doc.content.meeting
    name = offender_name(record_case(doc)) or UNNAMED
    left = f"MAPPA minutes for {name} - {contain_bidi(m.area)} - {date_text(m.date)}".strip(" -")
    if doc.variant == DistributionVariant.REDACTED:
        left = "Redacted copy - " + left
    return left
