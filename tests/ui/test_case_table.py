"""The 100,000-row case list model: Qt model contract, filtering, quick filters, sorting."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from tests.ui.case_rows import make_rows
from ui.models.case_table import ROW_ROLE, CaseFilter, CaseTableModel

pytestmark = pytest.mark.gui


def names(model: CaseTableModel) -> list[str]:
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def test_model_passes_qt_model_tester(qtmodeltester: ModelTester) -> None:
    model = CaseTableModel()
    model.set_rows(make_rows(50))
    qtmodeltester.check(model)
    model.set_filter(CaseFilter(text="smith"))
    qtmodeltester.check(model)


def test_names_display_exactly_as_typed_in_every_script() -> None:
    model = CaseTableModel()
    model.set_rows(make_rows(8))
    shown = set(names(model))
    for expected in (
        "Wiśniewski, Łukasz",
        "Иванов, Дмитрий",
        "Παπαδόπουλος, Γιώργος",
        "Nguyễn, Thị Hồng",
        "العلي, محمد",
        "O'Brien, Seán",
        "Smith & <Jones>, Ann",
    ):
        assert expected in shown


def test_filter_matches_names_aliases_and_identifiers_case_insensitively() -> None:
    model = CaseTableModel()
    model.set_rows(make_rows(40))
    model.set_filter(CaseFilter(text="дмитрий"))
    assert names(model) and all("Дмитрий" in n for n in names(model))
    model.set_filter(CaseFilter(text="alias10"))
    assert [model.data(model.index(r, 0), ROW_ROLE).id for r in range(model.rowCount())] == [11]
    model.set_filter(CaseFilter(text="2019/0000007"))
    assert model.rowCount() == 1 and model.row_at(0).id == 8
    model.set_filter(CaseFilter(text="big & tall o'brien"))  # every token must match
    assert [model.row_at(r).id for r in range(model.rowCount())] == [6]


def test_narrowing_and_widening_filter_give_the_same_rows_as_a_fresh_filter() -> None:
    model = CaseTableModel()
    model.set_rows(make_rows(500))
    for text in ("w", "wi", "wiś", "wi", ""):
        model.set_filter(CaseFilter(text=text))
        fresh = CaseTableModel()
        fresh.set_rows(make_rows(500))
        fresh.set_filter(CaseFilter(text=text))
        assert names(model) == names(fresh)


def test_quick_filters_combine() -> None:
    model = CaseTableModel()
    rows = make_rows(300)
    model.set_rows(rows)
    model.set_filter(CaseFilter(level=2, category=1, lead_agency="Police", overdue_only=True))
    shown = [model.row_at(r) for r in range(model.rowCount())]
    expected = [
        r
        for r in rows
        if r.level == 2 and r.category == 1 and r.lead_agency == "Police" and r.review_overdue
    ]
    assert shown and {r.id for r in shown} == {r.id for r in expected}


def test_sort_by_each_column_orders_rows_and_keeps_the_filter() -> None:
    model = CaseTableModel()
    model.set_rows(make_rows(200))
    model.set_filter(CaseFilter(text="2019"))
    model.sort(CaseTableModel.REVIEW, Qt.SortOrder.AscendingOrder)
    dates = [model.row_at(r).next_review_due for r in range(model.rowCount())]
    assert dates == sorted(dates)
    model.sort(CaseTableModel.ROSH, Qt.SortOrder.DescendingOrder)
    ranks = [model.data(model.index(r, CaseTableModel.ROSH)) for r in range(model.rowCount())]
    assert ranks[0] == "Very High" and ranks[-1] == ""
    model.sort(CaseTableModel.ACTIONS, Qt.SortOrder.DescendingOrder)
    counts = [model.row_at(r).open_actions for r in range(model.rowCount())]
    assert counts == sorted(counts, reverse=True)
    assert model.rowCount() == 200


def test_overdue_review_is_shown_by_text_and_icon_not_colour_alone() -> None:
    model = CaseTableModel()
    model.set_rows(make_rows(20))
    overdue = next(r for r in range(model.rowCount()) if model.row_at(r).review_overdue)
    index = model.index(overdue, CaseTableModel.REVIEW)
    assert "(overdue)" in model.data(index)
    assert model.data(index, Qt.ItemDataRole.DecorationRole) is not None
    assert "passed" in model.data(index, Qt.ItemDataRole.ToolTipRole)


def test_aliases_show_on_hover() -> None:
    model = CaseTableModel()
    model.set_rows(make_rows(6))
    row = next(r for r in range(model.rowCount()) if model.row_at(r).aliases)
    assert "Big & Tall" in model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
