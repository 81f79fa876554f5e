"""What a table selection means: cached rows as they are, rows never fetched read with the
table's own query and sort, all in table order; selections are read as ranges."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel

from leaddesk.services.leads.query import LeadQuery
from leaddesk.ui.leads import selection as selection_module
from leaddesk.ui.leads.selection import selected_ranges
from leaddesk.ui.leads.view import LeadsView


@pytest.fixture
def view(qtbot, demo_app) -> LeadsView:
    widget = LeadsView(demo_app.leads, demo_app.messages, demo_app.activity)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(widget.is_loaded)
    with qtbot.waitSignal(widget.model.totalChanged):
        widget.filters.set_status("new")  # a filtered table: its query must be followed
    return widget


def _select(view: LeadsView, spans: list[tuple[int, int]]) -> None:
    chosen = QItemSelection()
    for start, stop in spans:
        chosen.select(view.model.index(start, 0), view.model.index(stop - 1, 0))
    view.table.selectionModel().select(
        chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect
        | QItemSelectionModel.SelectionFlag.Rows)


def test_ranges_are_merged_and_sorted(view) -> None:
    _select(view, [(300, 310), (5, 7), (7, 9), (305, 320)])
    assert selected_ranges(view.table.selectionModel()) == [(5, 9), (300, 320)]


def test_a_selection_across_fetched_and_unfetched_pages(
        qtbot, view, demo_app, monkeypatch) -> None:
    monkeypatch.setattr(selection_module, "CHUNK", 7)  # a positioned read, then keyset pages
    total = view.model.total
    assert total > 700 and view.model.cached_pages() == [0]
    spans = [(3, 5), (190, 230), (600, 640), (total - 3, total)]
    _select(view, spans)
    known, missing = view.selection.cached()
    assert sorted(known) == [3, 4, *range(190, 200)]
    assert missing == [(200, 230), (600, 640), (total - 3, total)]
    every = [r.id for r in demo_app.leads.page(
        LeadQuery(statuses=("new",)), view.model.lead_sort, limit=total).rows]
    expected = [every[row] for start, stop in spans for row in range(start, stop)]
    got: list = []
    progress: list[tuple[int, int]] = []
    view.selection.progressed.connect(lambda done, of: progress.append((done, of)))
    with qtbot.waitSignal(view.selection.reading) as reading:
        view.selection.resolve(got.extend, pytest.fail)
    assert reading.args == [len(expected)]
    assert view.progress.isVisible() and "Reading the" in view.progress.text.text()
    assert not view.progress.cancel_button.isVisible()
    with qtbot.waitSignal(view.selection.done):
        pass
    assert got == expected
    assert progress[-1] == (len(expected), len(expected))
    assert not view.progress.isVisible()
    assert view.selected_ids() == [every[row] for row in sorted(known)]
