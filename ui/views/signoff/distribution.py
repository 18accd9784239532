"""Distributing signed-off minutes: one personal, numbered, logged PDF per recipient.

Attendees are listed (those who attended ticked); anyone else can be added by name and agency.
Copies are made in the background with a progress bar; Cancel stops between copies, and every
copy already written stays, with its entry in the distribution log.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import DistributionVariant
from reports.labels import date_text
from ui import messages
from ui.context import AppContext
from ui.tasks import Progress
from ui.views.signoff import data
from ui.views.signoff.certificate import CertificateBox

RECIPIENT_ROLE = Qt.ItemDataRole.UserRole
ISSUE_REASON = "Issued as a personal copy of the signed-off minutes"


class DistributionDialog(QDialog):
    """Choose recipients, variant and folder; make the copies. Emits ``finished_copies`` with
    the ``DistributionResult`` when a run ends (done, cancelled or stopped by an error)."""

    finished_copies = Signal(object)
    loaded = Signal()

    def __init__(self, ctx: AppContext, meeting_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.data: data.DistributionData | None = None
        self._cancel: threading.Event | None = None
        self._folder_dialog: QFileDialog | None = None
        self._filled = False
        self._running_items: list[QListWidgetItem] = []
        self.setObjectName("distributionDialog")
        self.setWindowTitle(f"Distribute minutes - meeting {meeting_id}")
        self._build()
        self.resize(720, 680)
        QTimer.singleShot(0, self.reload)

    # ----- construction ------------------------------------------------------------------------
    def _build(self) -> None:
        self.heading = QLabel("Loading…")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)

        self.recipients = QListWidget()
        self.recipients.setObjectName("recipientList")
        self.recipients.setAccessibleName("Recipients")
        self.add_name = QLineEdit()
        self.add_name.setObjectName("addRecipientName")
        self.add_name.setPlaceholderText("Name, e.g. Sam Jones")
        self.add_agency = QLineEdit()
        self.add_agency.setObjectName("addRecipientAgency")
        self.add_agency.setPlaceholderText("Agency, e.g. Housing")
        self.add_button = QPushButton("Add recipient")
        self.add_button.setObjectName("addRecipientButton")
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_name, 2)
        add_row.addWidget(self.add_agency, 2)
        add_row.addWidget(self.add_button)
        recipients_box = QGroupBox("Recipients (one personal copy each)")
        rl = QVBoxLayout(recipients_box)
        rl.addWidget(self.recipients, 1)
        rl.addLayout(add_row)

        self.full = QRadioButton("Full minutes")
        self.full.setObjectName("variantFull")
        self.full.setChecked(True)
        self.summary = QRadioButton("Disclosure summary (leaves out items marked restricted)")
        self.summary.setObjectName("variantSummary")
        self._variants = QButtonGroup(self)
        self._variants.addButton(self.full)
        self._variants.addButton(self.summary)
        self.folder = QLineEdit(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        )
        self.folder.setObjectName("outputFolder")
        self.folder.setAccessibleName("Output folder")
        self.browse = QPushButton("Choose…")
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        self.certificate = CertificateBox("each copy")
        options = QGroupBox("Copies")
        form = QFormLayout(options)
        variant_row = QVBoxLayout()
        variant_row.addWidget(self.full)
        variant_row.addWidget(self.summary)
        form.addRow("Content:", variant_row)
        form.addRow("Save in folder:", folder_row)
        form.addRow(self.certificate)

        self.progress = QProgressBar()
        self.progress.setObjectName("distributionProgress")
        self.progress.setFormat("%v of %m copies")
        self.progress.setVisible(False)  # shown once copies are being made
        self.status = QLabel("")
        self.status.setObjectName("distributionStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.why = QLabel("")
        self.why.setObjectName("distributionReason")
        self.why.setWordWrap(True)
        self.generate = QPushButton("Make copies")
        self.generate.setObjectName("generateCopies")
        self.generate.setDefault(True)
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancelCopies")
        self.close_button = QPushButton("Close")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.generate)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(recipients_box, 1)
        layout.addWidget(options)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.why)
        layout.addLayout(buttons)

        self.add_button.clicked.connect(self.add_recipient)
        self.add_name.returnPressed.connect(self.add_recipient)
        self.browse.clicked.connect(self._choose_folder)
        self.generate.clicked.connect(self.make_copies)
        self.cancel.clicked.connect(self.cancel_copies)
        self.close_button.clicked.connect(self.reject)
        self.recipients.itemChanged.connect(lambda _i: self._update())
        self.folder.textChanged.connect(lambda _t: self._update())
        self.certificate.changed.connect(self._update)
        self._update()

    # ----- state -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._cancel is not None

    def chosen(self) -> list[data.Recipient]:
        out = []
        for row in range(self.recipients.count()):
            item = self.recipients.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(RECIPIENT_ROLE))
        return out

    def blocked_because(self) -> str:
        if self.data is None:
            return "Loading…"
        if not self.data.signed:
            return "These minutes are not signed off yet: the chair signs them off first."
        if self.running:
            return ""
        if not self.chosen():
            return "Tick at least one recipient."
        if not self.folder.text().strip():
            return "Choose the folder to save the copies in."
        return self.certificate.problem()

    def _update(self) -> None:
        reason = self.blocked_because()
        self.generate.setEnabled(not reason and not self.running)
        self.cancel.setEnabled(self.running)
        self.close_button.setEnabled(not self.running)
        for widget in (self.recipients, self.add_button, self.full, self.summary, self.folder):
            widget.setEnabled(not self.running)
        self.certificate.setEnabled(not self.running)
        self.why.setText("" if self.running else reason)
        self.generate.setText(f"Make {len(self.chosen())} copies" if self.data else "Make copies")

    # ----- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        ctx, meeting_id = self.ctx, self.meeting_id

        def load(_progress: Progress) -> data.DistributionData:
            with ctx.read_sessions() as session:
                return data.load_distribution(session, meeting_id)

        self.ctx.runner.submit(load, self._loaded, self._failed)

    def _loaded(self, result: Any) -> None:
        assert isinstance(result, data.DistributionData)
        self.data = result
        m = result.meeting
        issued = len(result.issued)
        already = f" {issued} copies issued so far." if issued else " No copies issued yet."
        self.heading.setText(
            f"Minutes of the Level {m.level} meeting of {date_text(m.meeting_date.isoformat())}"
            f" (chair {m.chair_name}).{already}"
        )
        if not self._filled:  # later reloads keep the list as the user left it
            self._filled = True
            earlier = {d.recipient_name: d.copy_number for d in result.issued}
            self.recipients.blockSignals(True)
            for recipient in result.recipients:
                item = self._add_item(recipient, checked=recipient.attended)
                if recipient.name in earlier:  # never issue a second copy by accident
                    self._mark_issued(item, earlier[recipient.name], "earlier")
            self.recipients.blockSignals(False)
        self._update()
        self.loaded.emit()

    def _mark_issued(self, item: QListWidgetItem, copy_number: int, when: str = "") -> None:
        recipient: data.Recipient = item.data(RECIPIENT_ROLE)
        suffix = f"copy {copy_number} issued{' ' + when if when else ''}"
        item.setText(f"{recipient.name}  ({suffix})")
        item.setCheckState(Qt.CheckState.Unchecked)

    def _failed(self, exc: Exception) -> None:
        messages.show_error(self, "Distribution", exc)

    def _add_item(self, recipient: data.Recipient, *, checked: bool) -> QListWidgetItem:
        text = recipient.name
        if recipient.from_attendance and not recipient.attended:
            text += "  (did not attend)"
        item = QListWidgetItem(text)
        item.setData(RECIPIENT_ROLE, recipient)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.recipients.addItem(item)
        return item

    def add_recipient(self) -> None:
        name = " ".join(self.add_name.text().split())
        agency = " ".join(self.add_agency.text().split())
        if not name and not agency:
            self.why.setText("Type the recipient's name, agency, or both.")
            return
        shown = f"{name} ({agency})" if name and agency else name or agency
        self._add_item(data.Recipient(name=shown), checked=True)
        self.add_name.clear()
        self.add_agency.clear()
        self.add_name.setFocus()
        self._update()

    def _choose_folder(self) -> None:
        dialog = QFileDialog(self, "Save the copies in", self.folder.text())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.folder.setText)
        self._folder_dialog = dialog
        dialog.open()

    # ----- making the copies -------------------------------------------------------------------
    def make_copies(self) -> None:
        if self.blocked_because() or self.running:
            return
        try:
            key = self.certificate.signing_key(self.ctx.actor.display_name, ISSUE_REASON)
        except Exception as exc:
            messages.show_error(self, "Certificate", exc)
            return
        recipients = self.chosen()
        variant = (
            DistributionVariant.DISCLOSURE_SUMMARY
            if self.summary.isChecked()
            else DistributionVariant.FULL
        )
        folder = Path(self.folder.text().strip())
        cancel = threading.Event()
        ctx, meeting_id, actor = self.ctx, self.meeting_id, self.ctx.actor

        def work(progress: Progress) -> data.DistributionResult:
            return data.distribute(
                ctx.sessions, actor, meeting_id, recipients, variant, folder, key, cancel, progress
            )

        self._cancel = cancel
        self._running_items = [
            self.recipients.item(row)
            for row in range(self.recipients.count())
            if self.recipients.item(row).checkState() == Qt.CheckState.Checked
        ]
        self.progress.setRange(0, len(recipients))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.status.setText("Laying out the minutes…")
        self._update()
        self.ctx.runner.submit(work, self._done, self._run_failed, self._progressed)

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        if self._cancel is not None and self._cancel.is_set():
            self.status.setText(f"Stopping after copy {done}…")
        else:
            self.status.setText(f"Made {done} of {total} copies…")

    def cancel_copies(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.status.setText("Stopping after the copy being made…")

    def _done(self, result: Any) -> None:
        assert isinstance(result, data.DistributionResult)
        self._cancel = None
        self.certificate.forget_password()
        made = len(result.written)
        folder = result.written[0].path.parent if result.written else self.folder.text()
        text = f"Made {made} of {result.total} copies in {folder}; each is in the distribution log."
        if result.cancelled:
            text = (
                f"Cancelled: {made} of {result.total} copies were made in {folder} and logged; "
                "the rest were not made."
            )
        if result.error:
            text += f" Stopped: {result.error}"
        self.status.setText(text)
        self.recipients.blockSignals(True)
        for item, copy in zip(self._running_items, result.written, strict=False):
            self._mark_issued(item, copy.copy_number or 0)
        self.recipients.blockSignals(False)
        self._running_items = []
        self.ctx.bus.meetings_changed.emit({self.meeting_id})
        self._update()
        self.finished_copies.emit(result)
        self.reload()

    def _run_failed(self, exc: Exception) -> None:
        self._cancel = None
        self.status.setText("No more copies were made.")
        self._update()
        messages.show_error(self, "Distribution", exc)
        self.reload()

    def reject(self) -> None:
        if self.running:  # never close while copies are being written
            return
        super().reject()
