"""One rule every service that touches a meeting's content must follow.

Nothing in a signed-off meeting's record can change (a correction is an addendum), and any
change while the minutes await sign-off returns them to draft: the chair's approval lapses.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from mappa_desktop.db.models import Meeting
from mappa_desktop.domain.enums import MeetingStatus
from mappa_desktop.domain.errors import StateError
from mappa_desktop.domain.rules import FROZEN_STATUSES
from mappa_desktop.services import audit
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.common import get_or_404


def note_content_change(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    """Call before changing anything recorded for ``meeting_id``; returns the meeting."""
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    if meeting.status in FROZEN_STATUSES:
        raise StateError(
            f"The minutes of meeting {meeting.id} ({meeting.meeting_date.isoformat()}) are signed "
            "off and cannot change; record a correction as an addendum instead."
        )
    if meeting.status is MeetingStatus.AWAITING_SIGN_OFF:
        meeting.status = MeetingStatus.DRAFT
        audit.record(
            session,
            actor,
            "meeting",
            meeting.id,
            "approval_lapsed",
            {"status": [MeetingStatus.AWAITING_SIGN_OFF.value, MeetingStatus.DRAFT.value]},
            meeting_id=meeting.id,
        )
    return meeting
