"""The pipeline board's totals move with a drag, it follows the lead table's filter or saved
view, and changes from the change hub reload it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex

from leaddesk.services.leads.query import LeadQuery
from leaddesk.store.change_feed import Change


def _header_total(board, status: str) -> str:
    return board.columns[status].header.text()


def test_a_drag_moves_both_column_totals(qtbot, window) -> None:
    board = window.file_actions.open_pipeline()
    qtbot.waitUntil(board.is_loaded, timeout=20_000)
    source, target = board.models["new"], board.models["won"]
    before = (source.total, target.total)
    mime = source.mimeData([source.index(0)])
    with qtbot.waitSignal(board.leadsChanged):
        target.dropMimeData(mime, 1, -1, -1, QModelIndex())
    assert f"{before[0] - 1:,}</span>" in _header_total(board, "new")
    assert f"{before[1] + 1:,}</span>" in _header_total(board, "won")
    board.close()


def test_the_board_follows_the_table_filter(qtbot, window, demo_app) -> None:
    board = window.file_actions.open_pipeline()
    qtbot.waitUntil(board.is_loaded, timeout=20_000)
    assert board.filter_note.text() == ""
    query = LeadQuery(statuses=("new", "won"), countries=("DE",))
    with qtbot.waitSignal(window.leads_view.model.totalChanged, timeout=10_000):
        window.leads_view.model.set_query(query)
    qtbot.waitUntil(lambda: board.query == query and board.is_loaded(), timeout=10_000)
    for status in ("new", "won"):
        expected = demo_app.leads.count(LeadQuery(statuses=(status,), countries=("DE",)))
        assert board.models[status].total == expected
        assert board.columns[status].isVisibleTo(board)
    assert not board.columns["lost"].isVisibleTo(board), "outside the status filter"
    assert "current view and filters" in board.filter_note.text()
    board.close()


def test_a_change_from_elsewhere_reloads_the_board(qtbot, window, demo_app) -> None:
    board = window.file_actions.open_pipeline()
    qtbot.waitUntil(board.is_loaded, timeout=20_000)
    lead = demo_app.leads.page(LeadQuery(statuses=("new",)), limit=1).rows[0]
    before = board.models["lost"].total
    demo_app.leads.update(lead.id, {"status": "lost"})
    with qtbot.waitSignal(board.loaded, timeout=10_000):
        board.on_changes(Change(frozenset(), external=True))
    assert board.models["lost"].total == before + 1
    board.close()
