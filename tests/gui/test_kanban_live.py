"""The pipeline board follows changes made elsewhere without being reopened: a table edit, a
bulk action and its undo, an import and its undo. Its own moves are not reloaded, and a hidden
board reloads when shown again."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex

from leaddesk.services.leads.query import LeadQuery
from leaddesk.ui.leads.kanban import KanbanView
from leaddesk.ui.leads.model import LeadTableModel


@pytest.fixture
def board(qtbot, window) -> KanbanView:
    board = window.file_actions.open_pipeline()
    qtbot.waitUntil(board.is_loaded, timeout=20_000)
    yield board
    board.close()


def _totals(board: KanbanView) -> dict[str, int]:
    return {status: model.total for status, model in board.models.items()}


def _counts(board: KanbanView, demo_app) -> dict[str, int]:
    """What the database holds per status (what the board must show)."""
    return {s: demo_app.leads.count(LeadQuery(statuses=(s,))) for s in board.models}


def _settled(qtbot, board: KanbanView, demo_app) -> None:
    qtbot.waitUntil(lambda: board.is_loaded() and _totals(board) == _counts(board, demo_app),
                    timeout=10_000)


def test_a_bulk_action_and_its_undo_refresh_the_board(qtbot, window, board, demo_app) -> None:
    view = window.leads_view
    before = _totals(board)
    selection = view.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in range(0, 30):
        selection.select(view.model.index(row, 0), flags)
    view.bulk_actions.confirm = lambda _q: True
    with qtbot.waitSignal(view.bulk_actions.changed, timeout=10_000):
        view.bulk_actions.set_status("lost")
    _settled(qtbot, board, demo_app)
    assert _totals(board) != before
    lost_ids = {r.id for r in board.models["lost"].rows}
    assert {view.model.record(row).id for row in range(30)} <= lost_ids  # newest first
    with qtbot.waitSignal(view.bulk_actions.changed, timeout=10_000):
        view.undo_stack.undo()
    _settled(qtbot, board, demo_app)
    assert _totals(board) == before
    qtbot.waitUntil(view.is_loaded)


def test_a_table_edit_and_its_undo_show_on_the_card(qtbot, window, board, demo_app) -> None:
    view = window.leads_view
    lead = view.model.record(0)
    column = board.models[lead.status]
    assert any(r.id == lead.id for r in column.rows)

    def card_name():
        return next(r.first_name for r in column.rows if r.id == lead.id)

    with qtbot.waitSignal(view.model.editSaved):
        view.model.setData(view.model.index(0, LeadTableModel.COL_FIRST_NAME), "Kanbanella")
    qtbot.waitUntil(lambda: board.is_loaded() and card_name() == "Kanbanella", timeout=10_000)
    with qtbot.waitSignal(view.model.leadUpdated):
        window.undo_action.trigger()
    qtbot.waitUntil(lambda: board.is_loaded() and card_name() == lead.first_name,
                    timeout=10_000)


def test_an_import_and_its_undo_refresh_the_board(
        qtbot, window, board, demo_app, tmp_path: Path) -> None:
    path = tmp_path / "fresh.csv"
    path.write_text("First Name,Last Name,Email\nKira,Board,kira.board@example.org\n"
                    "Lev,Board,lev.board@example.org\n", encoding="utf-8")
    before = board.models["new"].total
    dialog = window.file_actions.open_import(path)
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.import_button.isEnabled())
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        dialog.start(dry_run=False)
    _settled(qtbot, board, demo_app)
    assert board.models["new"].total == before + 2
    assert {"Kira", "Lev"} <= {r.first_name for r in board.models["new"].rows[:2]}
    qtbot.waitUntil(dialog.undo_button.isEnabled)
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        dialog.undo_import()
    _settled(qtbot, board, demo_app)
    assert board.models["new"].total == before
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled() and window.leads_view.is_loaded())
    dialog.close()


def test_the_boards_own_move_is_not_reloaded(qtbot, window, board, demo_app) -> None:
    source, target = board.models["new"], board.models["won"]
    mime = source.mimeData([source.index(0)])
    reloads: list[int] = []
    board.loaded.connect(lambda: reloads.append(1))
    with qtbot.waitSignal(board.leadsChanged):
        target.dropMimeData(mime, 1, -1, -1, QModelIndex())
    assert not board._refresh_timer.isActive()  # the table reloads; the board already shows it
    qtbot.waitUntil(window.leads_view.is_loaded)
    qtbot.wait(400)
    assert reloads == [] and _totals(board) == _counts(board, demo_app)


def test_a_hidden_board_reloads_when_shown_again(qtbot, window, board, demo_app) -> None:
    board.hide()
    lead = demo_app.leads.page(LeadQuery(statuses=("new",)), limit=1).rows[0]
    demo_app.leads.update(lead.id, {"status": "qualified"})
    window.file_actions.leadsChanged.emit()  # what the duplicates dialog and imports emit
    assert not board._refresh_timer.isActive() and board.is_loaded()  # nothing while hidden
    qtbot.waitUntil(window.leads_view.is_loaded)
    with qtbot.waitSignal(board.loaded, timeout=10_000):
        board.show()
    assert _totals(board) == _counts(board, demo_app)
