"""The leads view follows writes made elsewhere: table and count reload, the rep keeps their
place (selection, current row, scroll)."""

from __future__ import annotations

from leaddesk.services.leads.service import LeadService
from leaddesk.store.change_feed import Change
from leaddesk.ui.leads.view import LeadsView


def test_a_write_elsewhere_reloads_and_keeps_the_place(qtbot, demo_app) -> None:
    view = LeadsView(demo_app.leads, demo_app.messages, demo_app.activity)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitUntil(view.is_loaded)
    view.table.scrollTo(view.model.index(300, 0))
    view.table.selectRow(300)
    scroll = view.table.verticalScrollBar().value()
    assert scroll > 0
    before = view.model.total

    LeadService(demo_app.ctx).create({"email": "late.arrival@example.com", "first_name": "Late"})
    with qtbot.waitSignal(view.model.totalChanged, timeout=10_000):
        view.on_changes(Change(frozenset({"leads"})))

    assert view.model.total == before + 1
    assert view.filters.count.text() == f"{before + 1:,} leads"
    qtbot.waitUntil(lambda: view.table.verticalScrollBar().value() == scroll)
    assert view.table.currentIndex().row() == 300
    assert [r.row() for r in view.table.selectionModel().selectedRows()] == [300]


def test_changes_to_other_tables_do_not_reload(qtbot, demo_app) -> None:
    view = LeadsView(demo_app.leads, demo_app.messages, demo_app.activity)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(view.is_loaded)
    view.on_changes(Change(frozenset({"messages"})))
    assert not view.model.is_loading


def test_changes_during_a_reload_make_one_more_reload(qtbot, demo_app) -> None:
    view = LeadsView(demo_app.leads, demo_app.messages, demo_app.activity)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(view.is_loaded)
    reloads: list[int] = []
    view.model.totalChanged.connect(reloads.append)
    view.refresh()
    LeadService(demo_app.ctx).create({"email": "burst@example.com"})
    for _ in range(5):  # a burst of sends while the table loads
        view.on_changes(Change(frozenset({"leads"})))
    qtbot.waitUntil(lambda: len(reloads) == 2 and view.is_loaded(), timeout=10_000)
    qtbot.wait(300)
    assert len(reloads) == 2 and reloads[-1] == demo_app.leads.count()
