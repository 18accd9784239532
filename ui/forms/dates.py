"""How the screens write dates and times: one place for the case record and the meeting.

ISO dates ("2025-03-04") on screen, as the date fields take them, and times to the minute in the
computer's local zone. The printed reports spell dates out (``reports.labels.date_text``); the
screens keep the form a person types back into a field.
"""

from __future__ import annotations

from datetime import date, datetime, time


def fmt_date(value: date | datetime | None) -> str:
    """A date as ``2025-03-04``; a date-time as ``fmt_when`` writes it; None as blank."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return fmt_when(value)
    return value.isoformat()


def fmt_time(value: time | None) -> str:
    """A time of day as ``09:30``; None as blank."""
    return value.strftime("%H:%M") if value is not None else ""


def fmt_when(value: datetime | None) -> str:
    """A moment as ``2025-03-04 14:05`` in local time (a naive value is taken as local)."""
    if value is None:
        return ""
    local = value.astimezone() if value.tzinfo is not None else value
    return local.strftime("%Y-%m-%d %H:%M")
