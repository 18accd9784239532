from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication


@pytest.fixture(autouse=True)
def _qt_app(qapp: QApplication) -> QApplication:
    """Every UI test runs with the one QApplication (models use its style and palette)."""
    return qapp
