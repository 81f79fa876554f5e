"""The lead filter bar: the Filters panel and its chips, saved views, the column chooser."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt

from leaddesk.services.leads.query import LeadQuery, LeadSort
from leaddesk.ui.leads.filter_bar import LeadFilterBar
from leaddesk.ui.leads.model import LeadTableModel
from leaddesk.ui.leads.view import LeadsView


@pytest.fixture
def view(qtbot, demo_app, settings) -> LeadsView:
    widget = LeadsView(
        demo_app.leads, demo_app.messages, demo_app.activity,
        saved_views=demo_app.saved_views, settings=settings,
    )
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(lambda: widget.is_loaded() and widget.saved_views.loaded())
    return widget


def test_panel_round_trips_every_filter(qtbot) -> None:
    bar = LeadFilterBar()
    qtbot.addWidget(bar)
    query = LeadQuery(
        statuses=("new", "won"), score_min=20, score_max=80, tags=("vip",),
        industries=("Retail",), countries=("DE", "FR"),
        created_from=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        created_to=dt.datetime(2025, 2, 1, tzinfo=dt.UTC),
        updated_from=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
    )
    bar.panel.set_query(query)
    assert bar.panel.query() == query


def test_applying_the_panel_filters_and_shows_chips(qtbot, view, demo_app) -> None:
    panel = view.filters.panel
    panel.statuses["won"].setChecked(True)
    panel.statuses["lost"].setChecked(True)
    panel.score_min.setValue(50)
    with qtbot.waitSignal(view.model.totalChanged):
        panel.apply_button.click()
    expected = LeadQuery(statuses=("won", "lost"), score_min=50)
    assert view.model.query == expected
    assert view.model.rowCount() == demo_app.leads.count(expected)
    assert view.filters.chips.isVisible()
    assert view.filters.chip_texts() == ["Won, Lost", "Score 50–100"]
    assert view.filters.filters_button.text() == "Filters (2) ▾"

    with qtbot.waitSignal(view.model.totalChanged):
        panel.clear_button.click()
    assert view.model.query == LeadQuery()
    assert not view.filters.chips.isVisible()


def test_created_date_range_filters(qtbot, view, demo_app) -> None:
    panel = view.filters.panel
    today = QDate.currentDate()
    panel.created.start.setDate(today.addDays(-30))
    with qtbot.waitSignal(view.model.totalChanged):
        panel.apply_button.click()
    assert view.model.query.created_from is not None
    assert view.model.rowCount() == demo_app.leads.count(view.model.query)


def test_search_keeps_the_panel_filters(qtbot, view) -> None:
    view.filters.set_status("won")
    qtbot.waitUntil(lambda: view.model.query.statuses == ("won",))
    with qtbot.waitSignal(view.model.totalChanged):
        view.filters.search.setText("a")
        view.filters.search.returnPressed.emit()
    assert view.model.query == LeadQuery(search="a", statuses=("won",))


def test_save_pick_and_delete_a_view(qtbot, view, demo_app) -> None:
    view.filters.set_status("won")
    header = view.table.horizontalHeader()
    with qtbot.waitSignal(view.model.totalChanged):
        header.setSortIndicator(LeadTableModel.COL_SCORE, Qt.SortOrder.DescendingOrder)
    view.table.set_visible_columns(("first_name", "last_name", "status", "score"))
    view.saved_views.save("Hot wins")
    qtbot.waitUntil(view.saved_views.loaded)
    saved = demo_app.saved_views.get("Hot wins")
    assert saved.query == LeadQuery(statuses=("won",))
    assert saved.sort == LeadSort("score", True)
    assert saved.columns == ("first_name", "last_name", "status", "score")
    assert view.filters.current_view() == "Hot wins"

    # Back to all leads, then pick the view again from the combo.
    view.filters.views.setCurrentIndex(0)
    with qtbot.waitSignal(view.model.totalChanged):
        view.filters.views.activated.emit(0)
    assert view.model.query == LeadQuery()
    assert len(view.table.visible_columns()) == len(LeadTableModel.COLUMNS)
    index = view.filters.views.findData("Hot wins")
    view.filters.views.setCurrentIndex(index)
    with qtbot.waitSignal(view.model.totalChanged):
        view.filters.views.activated.emit(index)
    assert view.model.query == LeadQuery(statuses=("won",))
    assert view.model.lead_sort == LeadSort("score", True)
    assert view.table.visible_columns() == ("first_name", "last_name", "status", "score")
    assert view.filters.chip_texts() == ["Won"]

    view.saved_views.delete("Hot wins")
    qtbot.waitUntil(view.saved_views.loaded)
    assert demo_app.saved_views.list() == []
    assert view.filters.views.count() == 1


def test_column_chooser_hides_columns_and_remembers(qtbot, view, demo_app, settings) -> None:
    menu = view.table.column_menu()
    actions = menu.actions()
    assert len(actions) == len(LeadTableModel.COLUMNS)
    actions[LeadTableModel.COL_TITLE].setChecked(False)
    assert view.table.horizontalHeader().isSectionHidden(LeadTableModel.COL_TITLE)
    assert "title" not in view.table.visible_columns()
    menu.deleteLater()

    again = LeadsView(demo_app.leads, demo_app.messages, demo_app.activity, settings=settings)
    qtbot.addWidget(again)
    assert again.table.visible_columns() == view.table.visible_columns()


def test_the_last_visible_column_cannot_be_hidden(qtbot, view) -> None:
    view.table.set_visible_columns(("email",))
    menu = view.table.column_menu()
    email = menu.actions()[LeadTableModel.COL_EMAIL]
    assert email.isChecked() and not email.isEnabled()
    menu.deleteLater()
