"""The Details tab: identity, aliases, identifiers, custody, offence, dates, lead agency, offender
manager and victim notes. Saves through ``cases.edit_case`` with the version it was read at."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import AliasKind, CustodyStatus, IdentifierScheme
from mappa_desktop.domain.errors import ConflictError
from mappa_desktop.services import audit, cases
from mappa_desktop.services.cases import IDENTIFIER_LABELS, CaseDetail
from ui import messages
from ui.context import AppContext
from ui.tasks import Progress
from ui.views.record.aliases import ALIAS_KIND_LABELS, AliasEditor
from ui.views.record.common import DateField, FormErrors, SaveBar, add_row, new_form, text_box
from ui.views.record.conflict_dialog import ConflictDialog, ConflictRow
from ui.views.record.data import RecordData
from ui.views.record.form_base import RecordForm

CUSTODY_LABELS = {
    CustodyStatus.COMMUNITY: "In the community",
    CustodyStatus.CUSTODY: "In custody",
    CustodyStatus.HOSPITAL: "Detained in hospital",
}

FIELD_LABELS: Mapping[str, str] = {
    "family_name": "Family name",
    "given_names": "Given names",
    "date_of_birth": "Date of birth",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "address_area": "Address area",
    "no_fixed_abode": "No fixed abode",
    "custody_status": "Custody status",
    "referral_date": "Referral date",
    "lead_agency_id": "Lead agency",
    "offender_manager_id": "Offender manager",
    "identifiers": "Identifiers",
    "aliases": "Aliases and nicknames",
    "index_offence": "Index offence",
    "sentence": "Sentence",
    "offence_details": "Brief offence details",
    "previous_offences": "Previous relevant offences",
    "relevant_dates": "Relevant dates",
    "reason_for_referral": "Reason for referral",
    "victim_notes": "Victim notes",
}
LINE_FIELDS = ("family_name", "given_names", "gender", "ethnicity", "address_area")
LINE_LIMITS = {"family_name": 100, "given_names": 100, "gender": 60}
TEXT_FIELDS = (
    "index_offence",
    "sentence",
    "offence_details",
    "previous_offences",
    "relevant_dates",
    "reason_for_referral",
    "victim_notes",
)


def case_values(case: CaseDetail) -> dict[str, Any]:
    """The case as the form holds it (same shape as ``DetailsTab.values()``)."""
    values: dict[str, Any] = {f: getattr(case, f) for f in (*LINE_FIELDS, *TEXT_FIELDS)}
    values.update(
        date_of_birth=case.date_of_birth,
        referral_date=case.referral_date,
        no_fixed_abode=case.no_fixed_abode,
        custody_status=str(case.custody_status.value),
        lead_agency_id=case.lead_agency_id,
        offender_manager_id=case.offender_manager_id,
        aliases=[(a.name, str(a.kind.value)) for a in case.aliases],
        identifiers={str(i.scheme.value): i.value for i in case.identifiers},
    )
    return values


class DetailsView(QWidget):
    """Layout only: the widgets, their labels, buddies and accessible names."""

    def __init__(self, errors: FormErrors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line_edits: dict[str, QLineEdit] = {}
        self.text_boxes: dict[str, QPlainTextEdit] = {}
        self.date_fields: dict[str, DateField] = {}
        self.identifier_edits: dict[str, QLineEdit] = {}

        # Identity
        identity = new_form()
        for field in ("family_name", "given_names"):
            edit = QLineEdit()
            edit.setMaxLength(LINE_LIMITS[field])
            self.line_edits[field] = edit
            add_row(identity, f"{FIELD_LABELS[field]}:", edit, errors, field)
        self.date_fields["date_of_birth"] = DateField("Date of birth")
        add_row(
            identity, "Date of birth:", self.date_fields["date_of_birth"], errors, "date_of_birth"
        )
        for field in ("gender", "ethnicity", "address_area"):
            edit = QLineEdit()
            edit.setMaxLength(LINE_LIMITS.get(field, 200))
            self.line_edits[field] = edit
            add_row(identity, f"{FIELD_LABELS[field]}:", edit, errors, field)
        self.line_edits["ethnicity"].setPlaceholderText("As the person states it, not a code")
        self.nfa_check = QCheckBox("No fixed abode")
        self.nfa_check.setAccessibleName("No fixed abode")
        identity.addRow("", self.nfa_check)
        identity_box = QGroupBox("Identity")
        identity_box.setLayout(identity)

        # Identifiers
        ident_form = new_form()
        for scheme in IdentifierScheme:
            edit = QLineEdit()
            edit.setMaxLength(60)
            edit.setAccessibleName(IDENTIFIER_LABELS[scheme])
            self.identifier_edits[scheme.value] = edit
            add_row(
                ident_form,
                f"{IDENTIFIER_LABELS[scheme]}:",
                edit,
                errors,
                f"identifiers.{scheme.value}",
            )
        ident_box = QGroupBox("Identifiers")
        ident_box.setLayout(ident_form)

        # Aliases
        self.alias_editor = AliasEditor()
        self.alias_editor.chain_after = self.identifier_edits[IdentifierScheme.NHS.value]
        alias_box = QGroupBox("Aliases and nicknames")
        alias_layout = QVBoxLayout(alias_box)
        alias_layout.addWidget(self.alias_editor)

        # Management
        manage = new_form()
        self.custody_combo = QComboBox()
        for status, text in CUSTODY_LABELS.items():
            self.custody_combo.addItem(text, status.value)
        add_row(manage, "Custody status:", self.custody_combo, errors, "custody_status")
        self.agency_combo = QComboBox()
        add_row(manage, "Lead agency:", self.agency_combo, errors, "lead_agency_id")
        self.manager_combo = QComboBox()
        add_row(manage, "Offender manager:", self.manager_combo, errors, "offender_manager_id")
        self.date_fields["referral_date"] = DateField("Referral date")
        add_row(
            manage, "Referral date:", self.date_fields["referral_date"], errors, "referral_date"
        )
        manage_box = QGroupBox("Status and management")
        manage_box.setLayout(manage)

        # Offence
        offence = new_form()
        for field, lines in (
            ("index_offence", 2),
            ("sentence", 2),
            ("offence_details", 4),
            ("previous_offences", 3),
            ("relevant_dates", 2),
        ):
            box = text_box(FIELD_LABELS[field], lines)
            self.text_boxes[field] = box
            add_row(offence, f"{FIELD_LABELS[field]}:", box, errors, field)
        self.text_boxes["offence_details"].setPlaceholderText(
            "Brief bullet points in your own words (not pasted from the pre-sentence report)"
        )
        offence_box = QGroupBox("Offence and sentence")
        offence_box.setLayout(offence)

        # Referral and victims
        notes = new_form()
        for field, lines in (("reason_for_referral", 3), ("victim_notes", 4)):
            box = text_box(FIELD_LABELS[field], lines)
            self.text_boxes[field] = box
            add_row(notes, f"{FIELD_LABELS[field]}:", box, errors, field)
        notes_box = QGroupBox("Referral and victims")
        notes_box.setLayout(notes)

        content = QWidget()
        grid = QGridLayout(content)
        grid.addWidget(identity_box, 0, 0)
        grid.addWidget(ident_box, 1, 0)
        grid.addWidget(alias_box, 2, 0)
        grid.addWidget(manage_box, 0, 1)
        grid.addWidget(offence_box, 1, 1, 2, 1)
        grid.addWidget(notes_box, 3, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(4, 1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(content)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes straight to a field

        self.revert_button = QPushButton("Undo my changes")
        self.revert_button.setAccessibleName("Undo my changes to the details")
        self.bar = SaveBar("Save details", "Save details")
        self.bar.save_button.setToolTip("Save (Ctrl+S)")
        self.bar.add_button(self.revert_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.bar)


class DetailsTab(RecordForm):
    """Controller: fills the form from the case, tracks edits, saves, resolves conflicts."""

    save_title = "Save details"

    def __init__(self, ctx: AppContext, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, parent)
        self.view = DetailsView(self.errors)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.case: CaseDetail | None = None  # the version the form was filled from
        self._baseline: dict[str, Any] = {}
        self.conflict_dialog: ConflictDialog | None = None
        self._connect_signals()
        self.view.alias_editor.register_errors(self.errors)
        if not self.writable:
            self._set_read_only()

    @property
    def save_bar(self) -> SaveBar:
        return self.view.bar

    def _connect_signals(self) -> None:
        v = self.view
        for edit in (*v.line_edits.values(), *v.date_fields.values(), *v.identifier_edits.values()):
            edit.textChanged.connect(self.changed)
        for box in v.text_boxes.values():
            box.textChanged.connect(self.changed)
        for combo in (v.custody_combo, v.agency_combo, v.manager_combo):
            combo.currentIndexChanged.connect(self.changed)
        v.nfa_check.toggled.connect(self.changed)
        v.alias_editor.changed.connect(self.changed)
        v.alias_editor.rows_changed.connect(lambda: v.alias_editor.register_errors(self.errors))
        for field, edit in v.date_fields.items():
            edit.editingFinished.connect(lambda f=field, e=edit: self._check_date(f, e))
        v.bar.save_clicked.connect(self.save)
        v.revert_button.clicked.connect(self._on_revert_clicked)

    def _set_read_only(self) -> None:
        v = self.view
        for edit in (*v.line_edits.values(), *v.date_fields.values(), *v.identifier_edits.values()):
            edit.setReadOnly(True)
        for box in v.text_boxes.values():
            box.setReadOnly(True)
        for widget in (v.custody_combo, v.agency_combo, v.manager_combo, v.nfa_check):
            widget.setEnabled(False)
        v.alias_editor.setEnabled(False)
        v.revert_button.setVisible(False)

    # ----- filling the form ----------------------------------------------------------------------
    def set_data(self, data: RecordData) -> None:
        """New data from the database. Edits in progress are kept (and so is the version they
        were started from, so a later save still detects someone else's change)."""
        self.data = data
        with self.filling():
            self._fill_combos(data)
            if not self._dirty or self.case is None:
                self._load_case(data.case)

    def _fill_combos(self, data: RecordData) -> None:
        v = self.view
        agency = v.agency_combo.currentData()
        manager = v.manager_combo.currentData()
        v.agency_combo.blockSignals(True)
        v.agency_combo.clear()
        for row in data.agencies:
            v.agency_combo.addItem(row.name, row.id)
        if data.case.lead_agency_id not in {a.id for a in data.agencies}:
            v.agency_combo.addItem(
                f"{data.case.lead_agency_name} (no longer active)", data.case.lead_agency_id
            )
        v.agency_combo.setCurrentIndex(max(v.agency_combo.findData(agency), 0))
        v.agency_combo.blockSignals(False)
        v.manager_combo.blockSignals(True)
        v.manager_combo.clear()
        v.manager_combo.addItem("Not assigned", None)
        for person in data.people:
            v.manager_combo.addItem(
                f"{person.display_name} ({person.agency_short_name})", person.id
            )
        known = {p.id for p in data.people}
        if data.case.offender_manager_id is not None and data.case.offender_manager_id not in known:
            v.manager_combo.addItem(
                f"{data.case.offender_manager_name} (no longer active)",
                data.case.offender_manager_id,
            )
        v.manager_combo.setCurrentIndex(max(v.manager_combo.findData(manager), 0))
        v.manager_combo.blockSignals(False)

    def _load_case(self, case: CaseDetail) -> None:
        self.case = case
        self._baseline = case_values(case)
        self.put_values(self._baseline)
        self.errors.clear()
        self.save_bar.error_label.clear_message()

    def put_values(self, values: Mapping[str, Any]) -> None:
        with self.filling():
            v = self.view
            for field, edit in v.line_edits.items():
                edit.setText(values[field])
            for field, box in v.text_boxes.items():
                if box.toPlainText() != values[field]:
                    box.setPlainText(values[field])
            for field, date_edit in v.date_fields.items():
                value = values[field]
                if isinstance(value, date) or value is None:
                    date_edit.set_date(value)
                else:
                    date_edit.setText(str(value))
            v.nfa_check.setChecked(bool(values["no_fixed_abode"]))
            v.custody_combo.setCurrentIndex(
                max(v.custody_combo.findData(values["custody_status"]), 0)
            )
            v.agency_combo.setCurrentIndex(
                max(v.agency_combo.findData(values["lead_agency_id"]), 0)
            )
            manager = v.manager_combo.findData(values["offender_manager_id"])
            v.manager_combo.setCurrentIndex(max(manager, 0))
            idents: Mapping[str, str] = values["identifiers"]
            for scheme, edit in v.identifier_edits.items():
                edit.setText(idents.get(scheme, ""))
            v.alias_editor.set_aliases(values["aliases"])

    # ----- reading the form ----------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        v = self.view
        out: dict[str, Any] = {f: e.text().strip() for f, e in v.line_edits.items()}
        out.update({f: b.toPlainText().strip() for f, b in v.text_boxes.items()})
        for field, date_edit in v.date_fields.items():
            out[field] = date_edit.date_value() if date_edit.is_valid() else date_edit.text()
        out["no_fixed_abode"] = v.nfa_check.isChecked()
        out["custody_status"] = v.custody_combo.currentData()
        out["lead_agency_id"] = v.agency_combo.currentData()
        out["offender_manager_id"] = v.manager_combo.currentData()
        out["identifiers"] = {
            scheme: edit.text().strip()
            for scheme, edit in v.identifier_edits.items()
            if edit.text().strip()
        }
        out["aliases"] = v.alias_editor.aliases()
        return out

    def changed_values(self) -> dict[str, Any]:
        return {k: v for k, v in self.values().items() if v != self._baseline.get(k)}

    def compute_dirty(self) -> bool:
        return bool(self._baseline) and bool(self.changed_values())

    def form_reasons(self) -> list[str]:
        reasons: list[str] = []
        if not self.view.line_edits["family_name"].text().strip():
            reasons.append("Enter the family name to save.")
        for field, date_edit in self.view.date_fields.items():
            if not date_edit.is_valid():
                reasons.append(
                    f"Correct the {FIELD_LABELS[field].lower()} (YYYY-MM-DD or DD/MM/YYYY) to save."
                )
        if self.view.agency_combo.currentData() is None:
            reasons.append("Choose the lead agency to save.")
        if not self._dirty:
            reasons.append("No changes to save.")
        return reasons

    def _check_date(self, field: str, edit: DateField) -> None:
        self.errors.set_one(field, edit.problem(FIELD_LABELS[field].lower()))

    # ----- saving --------------------------------------------------------------------------------
    def write_task(self) -> Callable[[Progress], Any]:
        assert self.case is not None
        self.view.alias_editor.register_errors(self.errors)  # aliases.<n> as sent now
        changes = self.changed_values()
        version = self.case.version
        ctx, case_id = self.ctx, self.case_id

        def work(_progress: Progress) -> CaseDetail:
            with ctx.sessions.begin() as s:
                return cases.edit_case(s, ctx.actor, case_id, expected_version=version, **changes)

        return work

    def after_write(self, result: Any) -> None:
        assert isinstance(result, CaseDetail)
        self._load_case(result)
        self.save_bar.show_status("Details saved.")

    def _on_revert_clicked(self) -> None:
        if self.case is not None:
            self._load_case(self.case)

    # ----- conflicts -----------------------------------------------------------------------------
    def on_conflict(self, exc: ConflictError) -> None:
        mine = self.values()
        ctx, case_id = self.ctx, self.case_id

        def fetch(_progress: Progress) -> tuple[CaseDetail, str]:
            with ctx.read_sessions() as s:
                theirs = cases.get_case(s, case_id)
                events = [
                    e
                    for e in audit.list_events(s, case_id=case_id)
                    if e.entity == "case" and e.action == "update"
                ]
            who = "someone else"
            if events:
                last = events[-1]
                when = last.occurred_at.strftime("%Y-%m-%d %H:%M")
                who = f"{last.user_login or 'someone else'} (at {when})"
            return theirs, who

        self.ctx.runner.submit(
            fetch,
            lambda result: self._show_conflict(result[0], result[1], mine),
            self._on_fetch_failed,
        )

    def _on_fetch_failed(self, exc: Exception) -> None:
        messages.show_error(self, "Save details", exc)

    def _show_conflict(self, theirs: CaseDetail, who: str, mine: dict[str, Any]) -> None:
        base = self._baseline
        their_values = case_values(theirs)
        rows = []
        for field, label in FIELD_LABELS.items():
            by_me = mine.get(field) != base.get(field)
            by_them = their_values.get(field) != base.get(field)
            if by_me or by_them:
                rows.append(
                    ConflictRow(
                        field=label,
                        theirs=self.display(field, their_values.get(field)),
                        mine=self.display(field, mine.get(field)),
                        changed_by_me=by_me,
                        changed_by_them=by_them,
                    )
                )
        dialog = ConflictDialog("Case details", who, rows, self)
        dialog.reload_theirs.connect(lambda: self._reload_theirs(theirs))
        dialog.keep_mine.connect(lambda: self._keep_mine(theirs, mine))
        self.conflict_dialog = dialog
        dialog.open()

    def _reload_theirs(self, theirs: CaseDetail) -> None:
        self._load_case(theirs)
        self.save_bar.show_status("Showing the version they saved; your edits were dropped.")
        self.saved.emit()  # the rest of the record reloads too

    def _keep_mine(self, theirs: CaseDetail, mine: dict[str, Any]) -> None:
        changed = {k: v for k, v in mine.items() if v != self._baseline.get(k)}
        self._load_case(theirs)
        self.put_values({**self._baseline, **changed})
        self.save_bar.error_label.clear_message()
        self.save_bar.show_status(
            "Your edits are back on top of their version. Check them, then save again."
        )

    def display(self, field: str, value: Any) -> str:
        """A field value as a person reads it (for the conflict dialog)."""
        if value is None or value == "" or value == [] or value == {}:
            return ""
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, date):
            return value.isoformat()
        data = self.data
        if field == "lead_agency_id" and data is not None:
            names = {a.id: a.name for a in data.agencies}
            return names.get(
                value,
                data.case.lead_agency_name if value == data.case.lead_agency_id else str(value),
            )
        if field == "offender_manager_id" and data is not None:
            people = {p.id: p.display_name for p in data.people}
            return people.get(value, str(value))
        if field == "custody_status":
            return CUSTODY_LABELS.get(CustodyStatus(value), str(value))
        if field == "aliases":
            return "; ".join(
                f"{name} ({ALIAS_KIND_LABELS[AliasKind(kind)]})" for name, kind in value
            )
        if field == "identifiers":
            return "; ".join(
                f"{IDENTIFIER_LABELS[IdentifierScheme(s)]} {v}" for s, v in sorted(value.items())
            )
        return str(value)
