"""The GUI's one place where the core's workflows (``mappa_desktop.operations``) meet the
renderer (``reports.export.PdfRenderer``): the screens call these, the same workflows the
command line runs, with the rendering bound in."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop.domain.enums import DistributionVariant
from mappa_desktop.operations import distributing, signing_off
from mappa_desktop.operations.rendering import Renderer, SigningKey
from mappa_desktop.services import minutes as minutes_service
from mappa_desktop.services.actor import Actor
from reports.export import PdfRenderer
from reports.minutes_pdf import MinutesBody


def renderer() -> Renderer[MinutesBody]:
    return PdfRenderer()


def load_sign_off(
    session: Session, actor: Actor, meeting_id: int, *, reasons: Mapping[str, str] | None = None
) -> signing_off.SignOffData:
    """``signing_off.load_sign_off``: the preview is the PDF as it will be issued."""
    return signing_off.load_sign_off(session, renderer(), actor, meeting_id, reasons=reasons)


def sign_off_now(
    sessions: sessionmaker[Session],
    actor: Actor,
    meeting_id: int,
    previewed: signing_off.SignOffData,
    key: SigningKey | None,
) -> minutes_service.MinutesRecord:
    """``signing_off.sign_off_now``: signs off exactly the previewed content."""
    return signing_off.sign_off_now(sessions, renderer(), actor, meeting_id, previewed, key)


def distribute(
    sessions: sessionmaker[Session],
    actor: Actor,
    meeting_id: int,
    copies: Sequence[distributing.PlannedCopy],
    variant: DistributionVariant,
    folder: Path,
    key: SigningKey | None,
    cancel: threading.Event,
    progress: Callable[[int, int], None],
) -> distributing.DistributionRun:
    """Issue ``copies`` in ``folder`` (``distributing.distribute_meeting``: each logged and
    committed on its own, so a cancel or a failure keeps every copy already written)."""
    return distributing.distribute_meeting(
        sessions,
        renderer(),
        actor,
        meeting_id,
        folder,
        variant=variant,
        copies=copies,
        signing=key,
        channel="personal PDF",
        progress=progress,
        cancel=cancel,
    )
