"""Shown above an empty case list: load demo data or start with an empty register."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.context import AppContext


class WelcomePanel(QFrame):
    demo_requested = Signal()
    fresh_chosen = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.dismissed = False
        title = QLabel("<h2>This database has no cases yet</h2>")
        body = QLabel(
            f"You are working on: {ctx.database_label}.<br>"
            "Load realistic demonstration data (synthetic people, not real records) to explore "
            "the app, or start with an empty register and add or import your own cases."
        )
        body.setWordWrap(True)
        self.demo_button = QPushButton("Load &demo data")
        self.demo_button.setAccessibleName("Load demonstration data")
        self.fresh_button = QPushButton("Start with an &empty register")
        buttons = QHBoxLayout()
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.fresh_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addLayout(buttons)
        self.setVisible(False)
        self.demo_button.clicked.connect(self.demo_requested.emit)
        self.fresh_button.clicked.connect(self._on_fresh)

    def _on_fresh(self) -> None:
        self.dismissed = True
        self.fresh_chosen.emit()
