"""The sign-off checklist: what still stops the minutes being submitted, one sentence each."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ui.forms import style
from ui.forms.style import Tone
from ui.user_text import escaped as _esc


def _bullets(sentences: list[str] | tuple[str, ...]) -> str:
    items = "".join(f"<li style='margin-bottom:4px'>{_esc(s)}</li>" for s in sentences)
    return f"<ul>{items}</ul>"


class ChecklistPage(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checklistPage")
        self.setWidgetResizable(True)
        inner = QWidget()
        self.setWidget(inner)
        self.title = QLabel("<h2>Sign-off checklist</h2>")
        self.refusal = QLabel("")
        self.refusal.setObjectName("submitRefusal")
        self.refusal.setWordWrap(True)
        self.refusal.setTextFormat(Qt.TextFormat.RichText)
        style.set_box(self.refusal, Tone.ERROR)
        self.refusal.setVisible(False)
        self.problems = QLabel("")
        self.problems.setObjectName("checklistProblems")
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.RichText)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems.setAccessibleName("Sign-off checklist")
        self.submit_button = QPushButton("Submit for sign-off")
        self.submit_button.setObjectName("checklistSubmit")
        layout = QVBoxLayout(inner)
        layout.addWidget(self.title)
        layout.addWidget(self.refusal)
        layout.addWidget(self.problems)
        layout.addWidget(self.submit_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.sentences: list[str] = []

    def set_problems(self, problems: tuple[str, ...] | list[str]) -> None:
        self.sentences = list(problems)
        if not problems:
            ready = style.span(
                "<b>✔ Ready.</b> Nothing stops these minutes from being submitted to the chair "
                "for sign-off.",
                Tone.SUCCESS,
            )
            self.problems.setText(f"<p>{ready}</p>")
            self.refusal.setVisible(False)
            return
        n = len(problems)
        self.problems.setText(
            f"<p><b>{n} thing{'s' if n != 1 else ''} must be completed before the minutes can "
            f"be submitted for sign-off:</b></p>{_bullets(problems)}"
        )

    def show_refusal(self, sentences: list[str]) -> None:
        n = len(sentences)
        self.refusal.setText(
            "<b>Not submitted for sign-off.</b> "  # in the panel's colour (set_box)
            f"{n} thing{'s' if n != 1 else ''} must be completed first:"
            f"{_bullets(sentences)}"
        )
        self.refusal.setVisible(True)
        self.set_problems(sentences)

    def clear_refusal(self) -> None:
        self.refusal.setVisible(False)
