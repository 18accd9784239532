"""The chair's sign-off window: the checklist, the self-audit (must-fix findings block sign-off;
each needs-reason finding takes the chair's reason), the exact PDF that will be issued, an
optional certificate, "Sign off", and afterwards addenda (signed off by the chair) and
distribution.

The preview is what gets signed, by content hash: it shows the reasons the chair has typed, so
when a reason changed since the preview was made, "Sign off" first brings the preview up to
date (the reasons included) and asks only then."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import MeetingStatus
from mappa_desktop.operations import signing_off
from reports.labels import date_text, datetime_text, label
from ui import messages, operations, ui_state
from ui.context import AppContext
from ui.forms import style
from ui.forms.style import Tone
from ui.tasks import Progress
from ui.views.record.common import assign_mnemonics, mnemonic_widgets
from ui.views.signoff.certificate import CertificateBox
from ui.views.signoff.preview import PdfPreview
from ui.views.signoff.reasons import FindingsPanel

STATUS_TEXT = {
    MeetingStatus.PLANNED: "Planned",
    MeetingStatus.IN_PROGRESS: "In progress",
    MeetingStatus.DRAFT: "Draft minutes",
    MeetingStatus.AWAITING_SIGN_OFF: "Awaiting sign-off",
    MeetingStatus.SIGNED_OFF: "Signed off",
    MeetingStatus.DISTRIBUTED: "Signed off and distributed",
}


def _bold(text: str) -> QLabel:
    widget = QLabel(text)
    font = widget.font()
    font.setBold(True)
    widget.setFont(font)
    widget.setWordWrap(True)
    return widget


def _grouped(digest: str) -> str:
    """A hex digest in groups of 16, so a label can wrap it."""
    return " ".join(digest[i : i + 16] for i in range(0, len(digest), 16))


class SignOffWindow(QWidget):
    """Sign off one meeting's minutes. Emits ``signed_off`` after a successful sign-off, and
    ``finding_activated(case_id, field)`` when the chair asks to go to a finding."""

    signed_off = Signal(int)
    loaded = Signal()
    finding_activated = Signal(object, str)  # (case id or None, the finding's field)

    def __init__(self, ctx: AppContext, meeting_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.data: signing_off.SignOffData | None = None
        self._busy = False
        self._sign_when_previewed = False  # "Sign off" asked for a preview with the reasons
        self._children: list[QWidget] = []
        self.setObjectName("signOffWindow")
        self.setWindowTitle(f"Sign off minutes - meeting {meeting_id}")
        self._build()
        self.resize(1200, 820)
        QTimer.singleShot(0, self.reload)

    # ----- construction ------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = _bold("Loading the meeting…")
        self.title.setObjectName("signOffTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title.setFont(font)
        self.status = QLabel("")
        self.status.setObjectName("meetingStatus")
        self.status.setWordWrap(True)

        self.checklist = QListWidget()
        self.checklist.setObjectName("signOffChecklist")
        self.checklist.setAccessibleName("What still stops sign-off")
        self.checklist.setWordWrap(True)
        self.checklist.setMaximumHeight(120)
        checklist_box = QGroupBox("Checklist")
        QVBoxLayout(checklist_box).addWidget(self.checklist)
        self.findings = FindingsPanel()

        self.certificate = CertificateBox("the minutes")
        self.sign_button = QPushButton("Sign off the minutes")
        self.sign_button.setObjectName("signOffButton")
        self.sign_button.setDefault(True)
        self.why = QLabel("")
        self.why.setObjectName("signOffReason")
        self.why.setWordWrap(True)
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_button = QPushButton("Update the preview")
        self.preview_button.setObjectName("updatePreview")
        self.preview_note = QLabel("")
        self.preview_note.setObjectName("previewNote")
        self.preview_note.setWordWrap(True)
        style.set_tone(self.preview_note, Tone.WARNING)
        sign_box = QGroupBox("Sign-off")
        sign_layout = QVBoxLayout(sign_box)
        sign_layout.addWidget(self.certificate)
        sign_layout.addWidget(self.sign_button)
        sign_layout.addWidget(self.why)
        sign_layout.addWidget(self.preview_button)
        sign_layout.addWidget(self.preview_note)

        self.addendum_reason = QLineEdit()
        self.addendum_reason.setObjectName("addendumReason")
        self.addendum_reason.setPlaceholderText("e.g. Wrong date of the home visit")
        self.addendum_text = QPlainTextEdit()
        self.addendum_text.setObjectName("addendumText")
        self.addendum_text.setPlaceholderText("The correction, as it should be read.")
        self.addendum_text.setTabChangesFocus(True)  # else Tab is typed in and traps the keyboard
        self.addendum_text.setMaximumHeight(90)
        self.addendum_button = QPushButton("Sign off the addendum")
        self.addendum_button.setObjectName("addendumButton")
        self.addendum_why = QLabel("")
        self.addendum_why.setObjectName("addendumReasonLabel")
        self.addendum_why.setWordWrap(True)
        self.addendum_box = QGroupBox("Addendum (a correction after sign-off)")
        form = QFormLayout(self.addendum_box)
        form.addRow("Reason:", self.addendum_reason)
        form.addRow("Correction:", self.addendum_text)
        form.addRow(self.addendum_button)
        form.addRow(self.addendum_why)

        self.distribute_button = QPushButton("Distribute personal copies…")
        self.distribute_button.setObjectName("distributeButton")

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.title)
        side_layout.addWidget(self.status)
        side_layout.addWidget(checklist_box)
        side_layout.addWidget(self.findings)
        side_layout.addWidget(sign_box)
        side_layout.addWidget(self.addendum_box)
        side_layout.addWidget(self.distribute_button)
        side_layout.addStretch(1)
        # The side scrolls as a whole (a long self-audit or the addendum form never squeezes
        # the other parts); a focused field is scrolled into view.
        side_scroll = QScrollArea()
        side_scroll.setObjectName("signOffSide")
        side_scroll.setWidgetResizable(True)
        side_scroll.setFrameShape(QFrame.Shape.NoFrame)
        side_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_scroll.setWidget(side)
        side_scroll.setMinimumWidth(380)
        side_scroll.setMaximumWidth(480)

        self.preview = PdfPreview()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(side_scroll)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(1, 1)
        ui_state.remember_splitter(splitter, "sign_off")
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)

        for keys in (QKeySequence(Qt.Key.Key_Escape), QKeySequence.StandardKey.Close):
            QShortcut(keys, self).activated.connect(self.close)  # Esc and Ctrl+W close it
        self.sign_button.clicked.connect(self.sign_off)
        self.preview_button.clicked.connect(self.refresh_preview)
        self.findings.activated.connect(self.finding_activated.emit)
        self.findings.reasons_changed.connect(self._update)
        self.addendum_button.clicked.connect(self.add_addendum)
        self.distribute_button.clicked.connect(self.open_distribution)
        self.certificate.changed.connect(self._update)
        self.preview.loaded.connect(self._preview_loaded)
        self.addendum_reason.textChanged.connect(lambda _t: self._update())
        self.addendum_text.textChanged.connect(self._update)
        self._update()

    # ----- state -------------------------------------------------------------------------------
    @property
    def is_chair(self) -> bool:
        return self.data is not None and self.ctx.actor.person_id == self.data.meeting.chair_id

    def sign_off_blocked_because(self) -> str:
        """Why "Sign off" is disabled ("" when it is enabled)."""
        d = self.data
        if d is None:
            return "Loading the minutes…"
        if self._busy:
            return "Working…"
        if not self.is_chair:
            return (
                f"Only the meeting's chair, {d.meeting.chair_name}, can sign off these "
                f"minutes; you are signed in as {self.ctx.actor.display_name}."
            )
        if d.signed:
            return ""
        if d.meeting.status not in signing_off.SIGNABLE:
            return (
                f"The meeting is {STATUS_TEXT[d.meeting.status].lower()}: the minute-taker "
                "closes it to draft minutes before it can be signed off."
            )
        if d.problems:
            return "Resolve the checklist first: each item says what to do."
        must = self.findings.must_fix()
        if must:
            return (
                f"Sign-off is blocked: {len(must)} self-audit finding(s) must be fixed in the "
                'meeting first (marked "Must fix"; Enter on one goes to it).'
            )
        missing = self.findings.missing()
        if missing:
            return (
                f'Give your reason for each finding marked "Needs your reason" '
                f"({len(missing)} still empty): it is frozen and printed in the minutes."
            )
        if not self.preview.ready:
            return "The preview is still loading."
        return self.certificate.problem()

    def preview_is_stale(self) -> bool:
        """The chair's reasons differ from those the preview shows (it is not what would be
        signed)."""
        d = self.data
        return d is not None and not d.signed and self.findings.reasons() != dict(d.reasons)

    def _update(self) -> None:
        d = self.data
        signed = d is not None and d.signed
        reason = self.sign_off_blocked_because()
        self.sign_button.setVisible(not signed)
        self.certificate.setVisible(not signed)
        self.sign_button.setEnabled(not reason and not signed)
        stale = self.preview_is_stale()
        self.preview_button.setVisible(bool(self.findings.edits) and not signed)
        self.preview_button.setEnabled(stale and not self._busy)
        self.preview_note.setText(
            "The preview does not show your latest reasons yet; it is brought up to date "
            "before you sign off (or press Update the preview)."
            if stale
            else ""
        )
        self.preview_note.setVisible(stale)
        self.findings.set_read_only(signed or not self.is_chair)
        if signed and d is not None and d.record is not None:
            rec = d.record
            extra = f", with {d.addenda} addenda" if d.addenda else ""
            sig = ", digitally signed" if rec.has_signature else ""
            self.why.setText(
                f"Signed off by {rec.signed_by} on {datetime_text(rec.signed_at.isoformat())}"
                f"{sig}{extra}. Content SHA-256: {_grouped(rec.content_sha256)}"
            )
        else:
            self.why.setText(reason)
        self.addendum_box.setVisible(signed)
        self.distribute_button.setVisible(signed)
        can_add = signed and self.is_chair and not self._busy
        self.addendum_box.setEnabled(can_add)
        if signed and not self.is_chair and d is not None:
            self.addendum_why.setText(
                f"Only the meeting's chair, {d.meeting.chair_name}, can add an addendum."
            )
        elif can_add and not (
            self.addendum_reason.text().strip() and self.addendum_text.toPlainText().strip()
        ):
            self.addendum_why.setText("Give the reason and the correction.")
        else:
            self.addendum_why.setText("")
        self.addendum_button.setEnabled(
            can_add
            and bool(self.addendum_reason.text().strip())
            and bool(self.addendum_text.toPlainText().strip())
        )
        self.distribute_button.setEnabled(signed and not self._busy)

    # ----- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        ctx, meeting_id, actor = self.ctx, self.meeting_id, self.ctx.actor
        reasons = self.findings.reasons()

        def load(_progress: Progress) -> signing_off.SignOffData:
            with ctx.read_sessions() as session:
                return operations.load_sign_off(session, actor, meeting_id, reasons=reasons)

        self._busy = True
        self._update()
        self.ctx.runner.submit(load, self._loaded, self._failed)

    def _loaded(self, result: Any) -> None:
        assert isinstance(result, signing_off.SignOffData)
        self.data = result
        self._busy = False
        m = result.meeting
        self.title.setText(
            f"Level {m.level} {label(m.meeting_type.value).lower()} meeting, "
            f"{date_text(m.meeting_date.isoformat())}"
        )
        self.status.setText(
            f"Status: {STATUS_TEXT[m.status]}. Chair: {m.chair_name}. Venue: {m.venue}."
        )
        self.checklist.clear()
        if result.signed:
            self.checklist.addItem("Signed off: the content is frozen.")
        elif result.problems:
            self.checklist.addItems(list(result.problems))
        else:
            self.checklist.addItem("Nothing outstanding: ready to sign off.")
        self.findings.set_audit(result.audit, signed=result.signed)
        self._order_tabs()
        if result.signed:
            caption = (
                "The signed-off minutes as issued (personal copies add the recipient and copy "
                "number at the top of each page)."
            )
        else:
            caption = (
                "Exactly what will be issued when you sign off (the sign-off time is filled in "
                "then; personal copies add the recipient and copy number)."
            )
        self.preview.show_pdf(result.pdf, caption)
        self._update()
        self.loaded.emit()

    def _failed(self, exc: Exception) -> None:
        self._busy = False
        self._sign_when_previewed = False
        self._update()
        messages.show_error(self, "Sign-off", exc)

    def _preview_loaded(self) -> None:
        self._update()
        if self._sign_when_previewed and not self._busy:
            self._sign_when_previewed = False
            self.sign_off()

    def _order_tabs(self) -> None:
        """Tab in reading order (the reason fields are rebuilt with each load), and a mnemonic
        of its own for each labelled field and button."""
        chain = [
            self.checklist,
            *self.findings.focus_chain(),
            self.certificate.enabled,
            self.certificate.path,
            self.certificate.browse,
            self.certificate.password,
            self.sign_button,
            self.preview_button,
            self.addendum_reason,
            self.addendum_text,
            self.addendum_button,
            self.distribute_button,
            self.preview.view,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        assign_mnemonics(mnemonic_widgets(self), "")

    def refresh_preview(self) -> None:
        """Render the preview again with the reasons as typed now."""
        if self.data is not None and not self.data.signed and not self._busy:
            self.reload()

    # ----- actions -----------------------------------------------------------------------------
    def sign_off(self) -> None:
        if self.data is None or self.sign_off_blocked_because():
            return
        if self.preview_is_stale():  # show what will be signed, the reasons included, first
            self._sign_when_previewed = True
            self.refresh_preview()
            return
        n = len(self.data.reasons)
        with_reasons = f", with your reasons for {n} self-audit finding(s)," if n else ""
        messages.confirm(
            self,
            "Sign off the minutes",
            f"Sign off these minutes as shown in the preview{with_reasons}? Signed-off minutes "
            "can never be changed: a correction afterwards is an addendum.",
            "&Sign off",
            self._sign_off_now,
        )

    def _sign_off_now(self) -> None:
        if self.data is None or self.sign_off_blocked_because():
            return
        if self.preview_is_stale():  # a reason changed after the question: preview, ask again
            self.sign_off()
            return
        try:
            key = self.certificate.signing_key(
                self.ctx.actor.display_name, signing_off.SIGN_OFF_REASON
            )
        except Exception as exc:
            messages.show_error(self, "Certificate", exc)
            return
        ctx, meeting_id, actor, previewed = self.ctx, self.meeting_id, self.ctx.actor, self.data

        def work(_progress: Progress) -> Any:
            return operations.sign_off_now(ctx.sessions, actor, meeting_id, previewed, key)

        self._busy = True
        self._update()
        self.ctx.runner.submit(work, self._signed, self._action_failed)

    def _signed(self, _record: Any) -> None:
        self._busy = False
        self.certificate.forget_password()
        self.ctx.bus.meetings_changed.emit({self.meeting_id})
        self.signed_off.emit(self.meeting_id)
        self.reload()

    def _action_failed(self, exc: Exception) -> None:
        self._busy = False
        self._update()
        messages.show_error(self, "Sign-off", exc)
        self.reload()  # show what is there now (e.g. the changed minutes)

    def add_addendum(self) -> None:
        reason = self.addendum_reason.text()
        text = self.addendum_text.toPlainText()
        ctx, meeting_id, actor = self.ctx, self.meeting_id, self.ctx.actor

        def work(_progress: Progress) -> Any:
            return signing_off.add_addendum(ctx.sessions, actor, meeting_id, reason, text)

        self._busy = True
        self._update()
        self.ctx.runner.submit(work, self._addendum_added, self._action_failed)

    def _addendum_added(self, _row: Any) -> None:
        self._busy = False
        self.addendum_reason.clear()
        self.addendum_text.clear()
        self.ctx.bus.meetings_changed.emit({self.meeting_id})
        self.reload()

    def open_distribution(self) -> None:
        from ui.views.signoff.distribution import DistributionDialog

        dialog = DistributionDialog(self.ctx, self.meeting_id, self)
        self._children.append(dialog)
        dialog.open()
