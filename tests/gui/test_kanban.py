"""The pipeline board: counts per status, first cards, more on demand, drag to change status."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex

from leaddesk.services.app_services import AppServices
from leaddesk.services.leads.query import LeadQuery
from leaddesk.ui.leads.kanban import PAGE, KanbanColumnModel, KanbanView


def _board(qtbot, services: AppServices) -> KanbanView:
    board = KanbanView(services.leads)
    qtbot.addWidget(board)
    with qtbot.waitSignal(board.loaded, timeout=20_000):
        board.refresh()
    return board


def test_columns_show_counts_and_first_cards(qtbot, qtmodeltester, demo_app) -> None:
    board = _board(qtbot, demo_app)
    for status, model in board.models.items():
        assert model.total == demo_app.leads.count(LeadQuery(statuses=(status,)))
        assert len(model.rows) == min(PAGE, model.total)
        assert all(r.status == status for r in model.rows)
        qtmodeltester.check(model)
    assert "New" in board.columns["new"].header.text()


def test_more_cards_load_lazily(qtbot, demo_app) -> None:
    board = _board(qtbot, demo_app)
    board.show()
    qtbot.waitExposed(board)
    model = max(board.models.values(), key=lambda m: m.total)
    assert model.total > PAGE and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: len(model.rows) >= 2 * PAGE and not model.loading)
    assert len(model.rows) < model.total
    assert len({r.id for r in model.rows}) == len(model.rows)


def test_dropping_a_card_changes_its_status(qtbot, demo_app) -> None:
    board = _board(qtbot, demo_app)
    source, target = board.models["new"], board.models["qualified"]
    lead = source.rows[0]
    before = (source.total, target.total)
    mime = source.mimeData([source.index(0)])
    assert target.canDropMimeData(mime, mime.property("x") or 1, -1, -1, QModelIndex())
    with qtbot.waitSignal(board.leadsChanged):
        target.dropMimeData(mime, 1, -1, -1, QModelIndex())
    assert demo_app.leads.get(lead.id).status == "qualified"
    assert target.rows[0].id == lead.id and all(r.id != lead.id for r in source.rows)
    assert (source.total, target.total) == (before[0] - 1, before[1] + 1)


def test_drop_on_own_column_does_nothing(qtbot, demo_app) -> None:
    model = KanbanColumnModel("new")
    from leaddesk.services.leads.query import LeadPage

    page = demo_app.leads.page(LeadQuery(statuses=("new",)), limit=3)
    model.set_page(LeadPage(rows=page.rows, next_cursor=None), 3)
    mime = model.mimeData([model.index(0)])
    with qtbot.assertNotEmitted(model.moveRequested):
        model.dropMimeData(mime, 1, -1, -1, QModelIndex())


def test_view_menu_opens_the_board(qtbot, demo_app, settings) -> None:
    from leaddesk.ui.main_window import MainWindow

    window = MainWindow(demo_app, settings)
    qtbot.addWidget(window)
    window.file_actions.pipeline_action.trigger()
    board = window.file_actions.pipeline
    assert board is not None and board.isVisible()
    qtbot.waitUntil(board.is_loaded, timeout=20_000)
    board.close()
