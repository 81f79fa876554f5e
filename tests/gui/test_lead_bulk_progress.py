"""Bulk actions show their progress and can be cancelled: a cancel mid-way rolls the service's
one transaction back, so no lead is left half-changed."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QItemSelectionModel

from leaddesk.services.leads import bulk_edit
from leaddesk.services.leads.bulk_edit import BulkEditService
from leaddesk.services.leads.query import LeadQuery
from leaddesk.ui.leads.model import LeadTableModel
from leaddesk.ui.leads.view import LeadsView


class GatedBulk(BulkEditService):
    """Holds the worker after the first progress report, until the test lets it go on: the
    leads are being written, the transaction is open, and the GUI gets to act."""

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.gate = threading.Event()
        self.reports: list[tuple[int, int]] = []

    def apply(self, target, change, progress=None):
        def hook(done: int, total: int) -> None:
            self.reports.append((done, total))
            if progress is not None:
                progress(done, total)
            if len(self.reports) == 1:
                assert self.gate.wait(10), "the test never let the worker go on"

        return super().apply(target, change, progress=hook)


@pytest.fixture
def gated(demo_app) -> GatedBulk:
    return GatedBulk(demo_app.ctx)


@pytest.fixture
def view(qtbot, demo_app, gated) -> LeadsView:
    widget = LeadsView(demo_app.leads, demo_app.messages, demo_app.activity,
                       bulk=gated, lead_changes=demo_app.lead_changes)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(widget.is_loaded)
    widget.bulk_actions.confirm = lambda _question: True
    return widget


def _select(view: LeadsView, rows: range) -> list:
    selection = view.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        selection.select(view.model.index(row, 0), flags)
    return [view.model.record(row).id for row in rows]


def test_cancel_mid_way_leaves_every_lead_unchanged(
        qtbot, view, demo_app, gated, monkeypatch) -> None:
    monkeypatch.setattr(bulk_edit, "ID_CHUNK", 50)  # several writes in the one transaction
    ids = _select(view, range(0, 180))
    before = {i: demo_app.leads.get(i) for i in ids}
    changing = sum(1 for lead in before.values() if lead.status != "lost")
    actions = view.bulk_actions
    with qtbot.waitSignal(actions.progressed) as first:
        actions.set_status("lost")
    assert first.args == [0, changing]
    assert view.progress.isVisible() and view.progress.cancel_button.isEnabled()
    assert "Set status to Lost" in view.progress.text.text()

    view.progress.cancel_button.click()  # what the user does
    assert not view.progress.cancel_button.isEnabled()
    with qtbot.waitSignal(actions.cancelled, timeout=10_000):
        gated.gate.set()  # the worker writes the next chunk, then sees the cancel
    assert len(gated.reports) >= 2, "the cancel came while leads were being written"
    assert {i: demo_app.leads.get(i) for i in ids} == before
    assert not [a for a in demo_app.activity.recent() if a.action == "bulk_edit"]
    assert view.undo_stack.count() == 0
    assert not actions.running and not view.progress.isVisible()
    assert "Cancelled; no lead was changed." in view.message_bar.text.text()


def test_progress_reaches_the_total_and_the_change_is_kept(
        qtbot, view, demo_app, gated) -> None:
    gated.gate.set()
    ids = _select(view, range(0, 40))
    changing = sum(1 for i in ids if demo_app.leads.get(i).status != "won")
    actions = view.bulk_actions
    progress: list[tuple[int, int]] = []
    actions.progressed.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(actions.changed, timeout=10_000):
        actions.set_status("won")
    assert progress and progress[-1] == (changing, changing)
    assert view.progress.bar.maximum() == changing
    assert not view.progress.isVisible()
    assert {demo_app.leads.get(i).status for i in ids} == {"won"}
    assert view.undo_stack.count() == 1
    qtbot.waitUntil(view.is_loaded)
    assert demo_app.leads.count(LeadQuery(statuses=("won",))) >= len(ids)


def test_select_all_changes_rows_the_table_never_fetched(qtbot, view, demo_app, gated) -> None:
    gated.gate.set()
    view.table.selectAll()  # one page of 200 fetched
    questions: list[str] = []
    view.bulk_actions.confirm = lambda q: questions.append(q) or True
    with qtbot.waitSignal(view.bulk_actions.changed, timeout=20_000):
        view.bulk_actions.add_tag("everyone")
    assert questions == [
        "Add tag everyone — this changes 5,000 of the 5,000 selected leads. Continue?"]
    assert demo_app.leads.count(LeadQuery(tags=("everyone",))) == 5_000
    qtbot.waitUntil(view.is_loaded)


def test_undo_and_redo_wait_while_a_bulk_change_is_written(
        qtbot, demo_app, gated, settings) -> None:
    from leaddesk.ui.main_window import MainWindow

    demo_app.bulk_edit = gated  # the window's lead view writes through the gated service
    win = MainWindow(demo_app, settings)
    qtbot.addWidget(win)
    win.show()
    view = win.leads_view
    qtbot.waitUntil(lambda: view.is_loaded() and win.lead_count is not None)
    view.bulk_actions.confirm = lambda _question: True
    with qtbot.waitSignal(view.model.editSaved):  # something to undo
        view.model.setData(view.model.index(0, LeadTableModel.COL_TITLE), "Chief Waiter")
    assert win.undo_action.isEnabled()

    _select(view, range(1, 30))
    with qtbot.waitSignal(view.bulk_actions.progressed):
        view.bulk_actions.set_status("won")
    assert not win.undo_action.isEnabled() and not win.redo_action.isEnabled()
    win.undo_action.trigger()  # a shortcut pressed anyway does nothing
    assert view.undo_stack.index() == 1

    with qtbot.waitSignal(view.bulk_actions.changed, timeout=10_000):
        gated.gate.set()
    assert win.undo_action.isEnabled() and "Set status" in win.undo_action.text()
    qtbot.waitUntil(lambda: win.balance is not None)
