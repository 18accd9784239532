"""Distributing signed-off minutes as each offender's record, on need to know (MAPPA D).

Everyone on the meeting's distribution list (attendees, people recorded for a case, the chair,
co-ordinator and minute-taker) is listed with the records they will receive: the cases their
agency is core for, was invited to or was involved in (``services.need_to_know``); those with
records still to receive are ticked. Someone else is added by picking a known person (an outside
recipient is added as a person first) and the records to send them; a record they have no need
to know asks for the reason, the chair's permission, which is logged with the copy. Copies are
made in the background with a progress bar; Cancel stops between copies, and every copy already
written stays, with its entry in the distribution log.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
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
from mappa_desktop.operations.distributing import PlannedCopy
from mappa_desktop.services.need_to_know import recipient_label
from reports.labels import date_text
from ui import messages, operations
from ui.context import AppContext
from ui.forms.fit import resize_within_screen, scrolled
from ui.tasks import Progress
from ui.user_text import shown
from ui.views.meeting.common import fill_people
from ui.views.record.common import assign_mnemonics, mnemonic_widgets
from ui.views.signoff import data
from ui.views.signoff.certificate import CertificateBox

RECIPIENT_ROLE = Qt.ItemDataRole.UserRole
CASE_ROLE = Qt.ItemDataRole.UserRole
ISSUE_REASON = "Issued as a personal copy of the signed-off minutes"
NO_PERSON = "(choose a person)"


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one}" if n == 1 else f"{n} {many or one + 's'}"


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
        self.setObjectName("distributionDialog")
        self.setWindowTitle(f"Distribute minutes - meeting {meeting_id}")
        self._build()
        resize_within_screen(self, 760, 760)
        QTimer.singleShot(0, self.reload)

    # ----- construction ------------------------------------------------------------------------
    def _build(self) -> None:
        self.heading = QLabel("Loading…")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)

        recipients_box = self._build_recipients()
        add_box = self._build_add()
        options = self._build_options()

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

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.heading)
        body_layout.addWidget(recipients_box, 1)
        body_layout.addWidget(add_box)
        body_layout.addWidget(options)
        body_layout.addWidget(self.progress)
        body_layout.addWidget(self.status)
        body_layout.addWidget(self.why)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolled(body), 1)  # scrolls on a small screen; buttons stay in view
        layout.addLayout(buttons)

        self.generate.clicked.connect(self.make_copies)
        self.cancel.clicked.connect(self.cancel_copies)
        self.close_button.clicked.connect(self.reject)
        self.folder.textChanged.connect(lambda _t: self._update())
        self.certificate.changed.connect(self._update)
        assign_mnemonics(mnemonic_widgets(self), "")
        self._update()

    def _build_recipients(self) -> QGroupBox:
        self.recipients = QListWidget()
        self.recipients.setObjectName("recipientList")
        self.recipients.setAccessibleName("Recipients and the records each will receive")
        self.recipients.setMinimumHeight(160)
        label = QLabel("Recipients:")
        label.setBuddy(self.recipients)
        self.plan_text = QLabel("")
        self.plan_text.setObjectName("distributionPlan")
        self.plan_text.setWordWrap(True)
        box = QGroupBox("Each offender's record goes only to those who need to know it")
        layout = QVBoxLayout(box)
        layout.addWidget(label)
        layout.addWidget(self.recipients, 1)
        layout.addWidget(self.plan_text)
        self.recipients.itemChanged.connect(lambda _i: self._update())
        return box

    def _build_add(self) -> QGroupBox:
        self.add_person = QComboBox()
        self.add_person.setObjectName("addRecipientPerson")
        self.add_person.setAccessibleName("Person to add")
        self.add_person.addItem(NO_PERSON, None)
        self.add_cases = QListWidget()
        self.add_cases.setObjectName("addRecipientRecords")
        self.add_cases.setAccessibleName("Records to send them")
        self.add_reason = QLineEdit()
        self.add_reason.setObjectName("addRecipientReason")
        self.add_reason.setAccessibleName("Reason: the chair's permission")
        self.add_reason.setPlaceholderText(
            "Needed for a record they have no need to know, e.g. Chair agreed on 3 March: …"
        )
        self.add_button = QPushButton("Add recipient")
        self.add_button.setObjectName("addRecipientButton")
        self.add_note = QLabel("")
        self.add_note.setObjectName("addRecipientNote")
        self.add_note.setWordWrap(True)
        box = QGroupBox("Someone else: a known person (add an outside recipient as a person first)")
        form = QFormLayout(box)
        form.addRow("Person:", self.add_person)
        form.addRow("Records:", self.add_cases)
        form.addRow("Reason (chair's permission):", self.add_reason)
        form.addRow("", self.add_note)
        form.addRow("", self.add_button)
        self.add_button.clicked.connect(self.add_recipient)
        self.add_reason.returnPressed.connect(self.add_recipient)
        self.add_person.currentIndexChanged.connect(lambda _i: self._explain_addition())
        self.add_cases.itemChanged.connect(lambda _i: self._explain_addition())
        return box

    def _build_options(self) -> QGroupBox:
        self.full = QRadioButton("Full records")
        self.full.setObjectName("variantFull")
        self.full.setChecked(True)
        self.redacted = QRadioButton(
            "Redacted records (each restricted item replaced by a visible 'withheld' mark)"
        )
        self.redacted.setObjectName("variantRedacted")
        self._variants = QButtonGroup(self)
        self._variants.addButton(self.full)
        self._variants.addButton(self.redacted)
        self.folder = QLineEdit(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        )
        self.folder.setObjectName("outputFolder")
        self.folder.setAccessibleName("Output folder")
        self.browse = QPushButton("Choose…")
        self.browse.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        self.certificate = CertificateBox("each copy")
        options = QGroupBox("Copies")
        form = QFormLayout(options)
        variant_row = QVBoxLayout()
        variant_row.addWidget(self.full)
        variant_row.addWidget(self.redacted)
        form.addRow("Content:", variant_row)
        form.addRow("Save in folder:", folder_row)
        form.addRow(self.certificate)
        return options

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

    def planned(self) -> list[PlannedCopy]:
        """The copies the ticked recipients will get, in the order they will be made."""
        if self.data is None:
            return []
        return data.planned_copies(self.chosen(), self.data.needs)

    def blocked_because(self) -> str:
        if self.data is None:
            return "Loading…"
        if not self.data.signed:
            return "These minutes are not signed off yet: the chair signs them off first."
        if self.running:
            return ""
        if not self.chosen():
            return "Tick at least one recipient."
        if not self.planned():
            return "Everyone ticked already holds a copy of each of their records."
        if not self.folder.text().strip():
            return "Choose the folder to save the copies in."
        return self.certificate.problem()

    def _update(self) -> None:
        reason = self.blocked_because()
        self.generate.setEnabled(not reason and not self.running)
        self.cancel.setEnabled(self.running)
        self.close_button.setEnabled(not self.running)
        for widget in (
            self.recipients,
            self.add_person,
            self.add_cases,
            self.add_reason,
            self.add_button,
            self.full,
            self.redacted,
            self.folder,
        ):
            widget.setEnabled(not self.running)
        self.certificate.setEnabled(not self.running)
        self.why.setText("" if self.running else reason)
        copies = self.planned()
        people = len({c.person_id for c in copies})
        records = len({c.case_id for c in copies})
        self.plan_text.setText(
            f"To make: {_count(len(copies), 'copy', 'copies')} of {_count(records, 'record')} "
            f"for {_count(people, 'person', 'people')}."
        )

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
            f" (chair {m.chair_name}): the records of "
            f"{_count(len(result.needs.cases), 'offender')}.{already}"
        )
        self.recipients.blockSignals(True)
        if not self._filled:  # later reloads keep the ticks as the user left them
            self._filled = True
            for recipient in result.recipients:
                self._add_item(recipient, checked=bool(recipient.to_issue))
            self._fill_add_cases()
        else:
            self._refresh_issued(result)
        self.recipients.blockSignals(False)
        self._fill_people()
        self._update()
        self.loaded.emit()

    def _failed(self, exc: Exception) -> None:
        messages.show_error(self, "Distribution", exc)

    def _item_text(self, recipient: data.Recipient) -> str:
        assert self.data is not None
        names = ", ".join(shown(self.data.case_name(c)) for c in recipient.case_ids)
        count = len(recipient.case_ids)
        if not count:
            text = f"{shown(recipient.name)}: no record (needs to know no case of this meeting)"
        else:
            text = f"{shown(recipient.name)}: {_count(count, 'record')} ({names})"
        if recipient.without_need:
            text += " - with the chair's permission"
        held = len(recipient.issued)
        if held:
            text += f"  (all {held} issued)" if held == count else f"  ({held} of {count} issued)"
        return text

    def _tooltip(self, recipient: data.Recipient) -> str:
        assert self.data is not None
        listed = ", ".join(recipient.on_list_as) or "added by hand"
        lines = [f"On the list as: {listed}."]
        for case_id in recipient.case_ids:
            why = self.data.needs.why(recipient.person_id, recipient.agency_id, case_id)
            because = ", ".join(why) if why else f"the chair's permission: {recipient.reason}"
            lines.append(f"{self.data.case_name(case_id)}: {because}.")
        return "\n".join(lines)

    def _add_item(self, recipient: data.Recipient, *, checked: bool) -> QListWidgetItem:
        item = QListWidgetItem(self._item_text(recipient))
        item.setData(RECIPIENT_ROLE, recipient)
        item.setToolTip(self._tooltip(recipient))
        if recipient.case_ids:
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        else:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
        self.recipients.addItem(item)
        return item

    def _refresh_issued(self, result: data.DistributionData) -> None:
        """What each recipient listed now holds (after copies were made), as the log says; those
        who now hold all their records are unticked (never a second copy by accident)."""
        for row in range(self.recipients.count()):
            item = self.recipients.item(row)
            old: data.Recipient = item.data(RECIPIENT_ROLE)
            recipient = replace(old, issued=result.held_by(old.person_id, old.case_ids))
            item.setData(RECIPIENT_ROLE, recipient)
            item.setText(self._item_text(recipient))
            if recipient.case_ids and not recipient.to_issue:
                item.setCheckState(Qt.CheckState.Unchecked)

    # ----- adding someone outside the list -----------------------------------------------------
    def _listed_people(self) -> set[int]:
        return {
            self.recipients.item(row).data(RECIPIENT_ROLE).person_id
            for row in range(self.recipients.count())
        }

    def _fill_people(self) -> None:
        assert self.data is not None
        listed = self._listed_people()
        others = [p for p in self.data.people if p.id not in listed]
        fill_people(self.add_person, others, blank=NO_PERSON)

    def _fill_add_cases(self) -> None:
        assert self.data is not None
        self.add_cases.blockSignals(True)
        self.add_cases.clear()
        for need in self.data.needs.cases:
            item = QListWidgetItem(shown(need.case_name))
            item.setData(CASE_ROLE, need.case_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.add_cases.addItem(item)
        self.add_cases.blockSignals(False)
        rows = min(max(self.add_cases.count(), 1), 4)  # show up to four records, then scroll
        frame = 2 * self.add_cases.frameWidth()
        self.add_cases.setFixedHeight(self.add_cases.sizeHintForRow(0) * rows + frame)

    def _addition(self) -> tuple[data.Recipient | None, str]:
        """The recipient the add fields describe, or why not (a sentence)."""
        if self.data is None:
            return None, "Loading…"
        person_id = self.add_person.currentData()
        person = next((p for p in self.data.people if p.id == person_id), None)
        if person is None:
            return None, "Choose the person to add from the list of people."
        cases = tuple(
            self.add_cases.item(row).data(CASE_ROLE)
            for row in range(self.add_cases.count())
            if self.add_cases.item(row).checkState() == Qt.CheckState.Checked
        )
        if not cases:
            return None, f"Tick the records to send to {person.display_name}."
        needs = self.data.needs
        without = tuple(c for c in cases if not needs.why(person.id, person.agency_id, c))
        reason = " ".join(self.add_reason.text().split())
        recipient = data.Recipient(
            name=recipient_label(person.display_name, person.agency_short_name),
            person_id=person.id,
            agency_id=person.agency_id,
            case_ids=cases,
            without_need=without,
            reason=reason if without else "",
        )
        if without and not reason:
            names = ", ".join(self.data.case_name(c) for c in without)
            return recipient, (
                f"{recipient.name} has no need to know the record of {names}: sending it needs "
                "the chair's permission (MAPPA D). Type it as the reason; it is logged with "
                "each copy."
            )
        return recipient, ""

    def _explain_addition(self) -> None:
        recipient, problem = self._addition()
        if recipient is None or problem:
            self.add_note.setText(problem if recipient is not None else "")
        elif recipient.without_need:
            self.add_note.setText("The reason will be logged with each copy it covers.")
        else:
            self.add_note.setText(f"{recipient.name} needs to know every record ticked.")

    def add_recipient(self) -> None:
        recipient, problem = self._addition()
        if recipient is None or problem:
            self.add_note.setText(problem)
            self.why.setText(problem)
            return
        self.recipients.blockSignals(True)
        self._add_item(recipient, checked=True)
        self.recipients.blockSignals(False)
        self._fill_people()
        self.add_reason.clear()
        for row in range(self.add_cases.count()):
            self.add_cases.item(row).setCheckState(Qt.CheckState.Unchecked)
        self.add_note.setText(f"Added {recipient.name}.")
        self.add_person.setFocus()
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
        copies = self.planned()
        variant = (
            DistributionVariant.REDACTED if self.redacted.isChecked() else DistributionVariant.FULL
        )
        folder = Path(self.folder.text().strip())
        cancel = threading.Event()
        ctx, meeting_id, actor = self.ctx, self.meeting_id, self.ctx.actor

        def work(progress: Progress) -> data.DistributionResult:
            return operations.distribute(
                ctx.sessions, actor, meeting_id, copies, variant, folder, key, cancel, progress
            )

        self._cancel = cancel
        self.progress.setRange(0, len(copies))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.status.setText("Laying out the records…")
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
        self.ctx.bus.meetings_changed.emit({self.meeting_id})
        self._update()
        self.reload()
        self.finished_copies.emit(result)

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
