"""The lazy lead table model: Qt's model contract, lazy paging, sort, filter, inline edit."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from leaddesk.services import demo
from leaddesk.services.leads.query import LeadQuery, LeadSort
from leaddesk.ui.leads.model import PLACEHOLDER, LeadTableModel


class CountingLeads:
    """The lead service, counting the calls the model makes and the rows it gets back."""

    def __init__(self, leads: Any) -> None:
        self._leads = leads
        self._lock = threading.Lock()
        self.calls: list[str] = []
        self.rows_returned = 0

    def _note(self, call: str, rows: int = 0) -> None:
        with self._lock:
            self.calls.append(call)
            self.rows_returned += rows

    def count(self, query=None):
        self._note("count")
        return self._leads.count(query)

    def page(self, query=None, sort=None, after=None, limit=200):
        result = self._leads.page(query, sort, after=after, limit=limit)
        self._note("page" if after is None else "page-after", len(result.rows))
        return result

    def rows_at(self, query=None, sort=None, offset=0, limit=200):
        rows = self._leads.rows_at(query, sort, offset=offset, limit=limit)
        self._note(f"rows_at:{offset}", len(rows))
        return rows

    def update(self, lead_id, changes, expected_version=None, **options):
        self._note("update")
        return self._leads.update(lead_id, changes, expected_version=expected_version, **options)


def loaded_model(qtbot, leads: Any, **kwargs: Any) -> LeadTableModel:
    model = LeadTableModel(leads, **kwargs)
    with qtbot.waitSignal(model.totalChanged, timeout=10_000):
        model.refresh()
    return model


def shown_table(qtbot, model: LeadTableModel) -> QTableView:
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_model_contract_on_a_few_pages(qtbot, qtmodeltester, app) -> None:
    demo.populate(app, 450)
    model = loaded_model(qtbot, app.leads, page_size=200)
    assert model.rowCount() == 450
    qtmodeltester.check(model)
    # Rows of later pages arrive through dataChanged, which the tester checks as they come.
    model.data(model.index(449, 0))
    qtbot.waitUntil(lambda: model.is_row_loaded(449))
    qtmodeltester.check(model)


def test_model_contract_while_empty_and_after_reset(qtbot, qtmodeltester, app) -> None:
    model = loaded_model(qtbot, app.leads)
    assert model.rowCount() == 0
    qtmodeltester.check(model)
    app.leads.create({"first_name": "Ada", "last_name": "Quill", "email": "ada@example.com"})
    with qtbot.waitSignal(model.totalChanged):
        model.refresh()
    assert model.rowCount() == 1
    assert model.data(model.index(0, LeadTableModel.COL_LAST_NAME)) == "Quill"


def test_only_visible_pages_are_fetched(qtbot, demo_app) -> None:
    spy = CountingLeads(demo_app.leads)
    model = loaded_model(qtbot, spy, page_size=200)
    assert model.rowCount() == 5_000
    assert spy.calls == ["count", "page"]
    assert spy.rows_returned == 200

    view = shown_table(qtbot, model)
    qtbot.waitUntil(lambda: model.cached_pages() == [0])
    assert spy.rows_returned == 200  # the first screen is within the first page

    # A jump to the end fetches the last page by offset, not the 24 pages in between.
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.is_row_loaded(4_999))
    assert spy.calls[2:] == ["rows_at:4800"]
    assert spy.rows_returned == 400

    # Scrolling down from a fetched page continues by keyset cursor.
    view.scrollToTop()
    view.scrollTo(model.index(205, 0))
    qtbot.waitUntil(lambda: model.is_row_loaded(205))
    assert spy.calls[-1] == "page-after"
    assert len(model.cached_pages()) == 3
    assert spy.rows_returned == 600


def test_placeholder_then_row(qtbot, demo_app) -> None:
    model = loaded_model(qtbot, demo_app.leads, page_size=100)
    index = model.index(1_000, LeadTableModel.COL_FIRST_NAME)
    assert model.data(index) == PLACEHOLDER
    assert model.data(index, LeadTableModel.RecordRole) is None
    with qtbot.waitSignal(model.dataChanged):
        pass
    record = model.data(index, LeadTableModel.RecordRole)
    assert record is not None and model.data(index) == record.first_name


def test_cache_is_bounded(qtbot, demo_app) -> None:
    model = loaded_model(qtbot, demo_app.leads, page_size=50, max_pages=3)
    for row in (500, 1_500, 2_500, 3_500):
        model.data(model.index(row, 0))
        qtbot.waitUntil(lambda r=row: model.is_row_loaded(r))
    assert len(model.cached_pages()) == 3
    assert not model.is_row_loaded(0)


@pytest.mark.parametrize(
    ("column", "order", "field"),
    [
        (LeadTableModel.COL_SCORE, Qt.SortOrder.DescendingOrder, "score"),
        (LeadTableModel.COL_LAST_NAME, Qt.SortOrder.AscendingOrder, "last_name"),
        (LeadTableModel.COL_UPDATED, Qt.SortOrder.AscendingOrder, "updated_at"),
    ],
)
def test_sort_is_done_by_the_service(qtbot, demo_app, column, order, field) -> None:
    model = loaded_model(qtbot, demo_app.leads)
    with qtbot.waitSignal(model.totalChanged):
        model.sort(column, order)
    descending = order == Qt.SortOrder.DescendingOrder
    assert model.lead_sort == LeadSort(field, descending)
    keys = [model.data(model.index(r, column), LeadTableModel.SortKeyRole) for r in range(200)]
    assert keys == sorted(keys, reverse=descending)
    expected = demo_app.leads.page(LeadQuery(), LeadSort(field, descending), limit=5).rows
    got = [model.data(model.index(r, 0), LeadTableModel.RecordRole).id for r in range(5)]
    assert got == [lead.id for lead in expected]


def test_filter_changes_row_count(qtbot, demo_app) -> None:
    model = loaded_model(qtbot, demo_app.leads)
    won = demo_app.leads.count(LeadQuery(statuses=("won",)))
    assert 0 < won < 5_000
    with qtbot.waitSignal(model.totalChanged) as blocker:
        model.set_query(LeadQuery(statuses=("won",)))
    assert blocker.args == [won]
    assert model.rowCount() == won
    statuses = {model.data(model.index(r, 0), LeadTableModel.RecordRole).status
                for r in range(min(won, 200))}
    assert statuses == {"won"}

    first = model.data(model.index(0, 0), LeadTableModel.RecordRole)
    with qtbot.waitSignal(model.totalChanged):
        model.set_query(LeadQuery(search=first.email))
    assert model.rowCount() == 1


def test_inline_edit_saves_through_the_service(qtbot, demo_app) -> None:
    model = loaded_model(qtbot, demo_app.leads)
    index = model.index(3, LeadTableModel.COL_COMPANY)
    lead = model.data(index, LeadTableModel.RecordRole)
    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(3, LeadTableModel.COL_STATUS)) & Qt.ItemFlag.ItemIsEditable
    with qtbot.waitSignal(model.leadUpdated) as blocker:
        assert model.setData(index, "Acme Rockets")
        assert model.data(index) == "Acme Rockets"  # shown at once, saved in the background
    assert blocker.args[0].company == "Acme Rockets"
    assert demo_app.leads.get(lead.id).company == "Acme Rockets"
    assert model.data(index, LeadTableModel.RecordRole).version == lead.version + 1


def test_inline_edit_error_names_the_field_and_reverts(qtbot, demo_app) -> None:
    model = loaded_model(qtbot, demo_app.leads)
    index = model.index(0, LeadTableModel.COL_EMAIL)
    before = model.data(index)
    with qtbot.waitSignal(model.editFailed) as blocker:
        model.setData(index, "not an address")
    field, message = blocker.args
    assert field == "email" and "not a valid email" in message
    assert model.data(index) == before


def test_two_quick_edits_to_one_lead_both_save(qtbot, demo_app) -> None:
    model = loaded_model(qtbot, demo_app.leads)
    lead = model.data(model.index(0, 0), LeadTableModel.RecordRole)
    model.setData(model.index(0, LeadTableModel.COL_FIRST_NAME), "Wren")
    model.setData(model.index(0, LeadTableModel.COL_LAST_NAME), "Marlow")
    qtbot.waitUntil(lambda: demo_app.leads.get(lead.id).last_name == "Marlow")
    saved = demo_app.leads.get(lead.id)
    assert (saved.first_name, saved.last_name) == ("Wren", "Marlow")
