"""The self-audit in the sign-off window: every finding, and a reason field for each one that
needs the chair's reasoning (``services.self_audit``).

A must-fix finding blocks sign-off until it is fixed in the meeting; a needs-reason finding
needs a reason typed here, which sign-off freezes in the minutes. Activating a finding (Enter or
a double-click) emits ``activated(case_id, field)`` (``Finding.field``) so the meeting screen
can show the place to fix it. The sign-off checklist's own problems are listed by the window's
checklist, not again here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.services.self_audit import Finding, Grade, SelfAudit
from ui.forms import style
from ui.forms.style import Tone

KEY_ROLE = Qt.ItemDataRole.UserRole
MUST_FIX_TAG = "Must fix"
REASON_TAG = "Needs your reason"
NONE_FOUND = "The self-audit found nothing to fix or explain."
PREDATES = "Signed off before the self-audit existed: the record stands as signed."


class FindingsPanel(QGroupBox):
    """The findings (a list to read and activate) and the chair's reasons (one field each)."""

    activated = Signal(object, str)  # (case id or None for the whole meeting, field)
    reasons_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Self-audit", parent)
        self.setObjectName("selfAuditPanel")
        self.audit: SelfAudit | None = None
        self.signed = False
        self.list = QListWidget()
        self.list.setObjectName("selfAuditFindings")
        self.list.setAccessibleName("Self-audit findings (Enter: go to the place to fix it)")
        self.list.setWordWrap(True)
        self.list.setMaximumHeight(150)
        self.hint = QLabel(
            "Enter or double-click a finding to go to it in the meeting. A reason you give is "
            "frozen and printed in the signed minutes."
        )
        self.hint.setWordWrap(True)
        style.set_tone(self.hint, Tone.MUTED)
        self.reason_area = QWidget()  # the reason fields (the window's side scrolls)
        QVBoxLayout(self.reason_area).setContentsMargins(0, 0, 0, 0)
        self._host: QWidget | None = None
        self.edits: dict[str, QPlainTextEdit] = {}  # needs-reason finding id -> its reason
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(self.hint)
        layout.addWidget(self.reason_area)
        self.list.itemActivated.connect(self._on_activated)

    # ----- content -----------------------------------------------------------------------------
    def set_audit(self, audit: SelfAudit | None, *, signed: bool) -> None:
        """Show ``audit``; reasons already typed for findings still there are kept."""
        typed = {key: edit.toPlainText() for key, edit in self.edits.items()}
        self.audit, self.signed = audit, signed
        self.list.clear()
        for finding in self.shown():
            item = QListWidgetItem(self._item_text(finding))
            item.setData(KEY_ROLE, (finding.case_id, finding.field))
            item.setToolTip(finding.message)
            if finding.grade is Grade.MUST_FIX:
                item.setForeground(style.brush(Tone.ERROR))
            self.list.addItem(item)
        if self.list.count() == 0:
            empty = QListWidgetItem(PREDATES if audit and audit.predates_audit else NONE_FOUND)
            empty.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(empty)
        self.list.setCurrentRow(0)
        self._build_reasons(typed)

    def shown(self) -> list[Finding]:
        """The findings listed, what must be fixed first: every one but the checklist's (the
        window lists those)."""
        if self.audit is None:
            return []
        listed = [f for f in self.audit.findings if f.criterion != "checklist"]
        return sorted(listed, key=lambda f: f.grade is not Grade.MUST_FIX)

    def _item_text(self, finding: Finding) -> str:
        if self.signed:
            return f"{finding.message} Chair's reason: {finding.reason}"
        if finding.grade is Grade.MUST_FIX:
            return f"{MUST_FIX_TAG}: {finding.message}"
        number = list(self.edits_order()).index(finding.id) + 1
        return f"{REASON_TAG} ({number}): {finding.message}"

    def edits_order(self) -> list[str]:
        """The needs-reason findings asking for a reason now, in order (ids)."""
        if self.signed or self.audit is None:
            return []
        return [f.id for f in self.audit.needs_reason]

    def _build_reasons(self, typed: dict[str, str]) -> None:
        """A new set of fields (the old ones go with their host widget)."""
        host = QWidget()
        form = QFormLayout(host)
        form.setContentsMargins(0, 0, 0, 0)
        self.edits = {}
        findings = {f.id: f for f in self.audit.needs_reason} if self.audit else {}
        for number, key in enumerate(self.edits_order(), start=1):
            finding = findings[key]
            edit = QPlainTextEdit()
            edit.setObjectName(f"reason:{key}")
            edit.setTabChangesFocus(True)
            edit.setAccessibleName(f"Reason {number}: {finding.message}")
            edit.setPlaceholderText("Why you sign off with this finding")
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + 12)
            edit.setPlainText(typed.get(key, ""))
            edit.textChanged.connect(self.reasons_changed.emit)
            what = QLabel(finding.message)
            what.setTextFormat(Qt.TextFormat.PlainText)  # names and text as typed
            what.setWordWrap(True)
            caption = QLabel(f"Reason {number}:")
            caption.setBuddy(edit)
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(what)
            column.addWidget(edit)
            form.addRow(caption, cell)
            self.edits[key] = edit
        area = self.reason_area.layout()
        assert area is not None
        if self._host is not None:
            area.removeWidget(self._host)
            self._host.setParent(None)  # gone from the panel now, deleted later
            self._host.deleteLater()
        area.addWidget(host)
        host.show()  # now, not when the event loop next runs: Tab must reach the fields
        self._host = host
        self.reason_area.setVisible(bool(self.edits))

    # ----- state -------------------------------------------------------------------------------
    def reasons(self) -> dict[str, str]:
        """Each needs-reason finding's reason as typed (trimmed; "" when none yet)."""
        return {key: edit.toPlainText().strip() for key, edit in self.edits.items()}

    def missing(self) -> list[str]:
        return [key for key, text in self.reasons().items() if not text]

    def must_fix(self) -> list[Finding]:
        return [f for f in self.shown() if f.grade is Grade.MUST_FIX]

    def focus_chain(self) -> list[QWidget]:
        """The panel's controls in Tab order."""
        return [self.list, *self.edits.values()]

    def set_read_only(self, read_only: bool) -> None:
        for edit in self.edits.values():
            edit.setReadOnly(read_only)

    def _on_activated(self, item: QListWidgetItem) -> None:
        key = item.data(KEY_ROLE)
        if isinstance(key, tuple):
            case_id, field = key
            self.activated.emit(case_id, field)
