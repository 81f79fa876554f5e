"""Lead table: keyboard editing, bulk actions with preview and confirmation, undo/redo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractItemView

from leaddesk.services.leads.query import LeadQuery
from leaddesk.ui.leads.filter_panel import index_of
from leaddesk.ui.leads.model import LeadTableModel
from leaddesk.ui.leads.view import LeadsView


@pytest.fixture
def view(qtbot, demo_app) -> LeadsView:
    widget = LeadsView(
        demo_app.leads, demo_app.messages, demo_app.activity,
        bulk=demo_app.bulk_edit, lead_changes=demo_app.lead_changes,
    )
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(widget.is_loaded)
    return widget


def _select(view: LeadsView, rows: range) -> list:
    selection = view.table.selectionModel()
    flags = (QItemSelectionModel.SelectionFlag.Select
             | QItemSelectionModel.SelectionFlag.Rows)
    selection.clearSelection()
    for row in rows:
        selection.select(view.model.index(row, 0), flags)
    return [view.model.record(row).id for row in rows]


def test_enter_edits_tab_moves_on_and_escape_cancels(qtbot, view, demo_app) -> None:
    lead = view.model.record(0)
    view.table.setCurrentIndex(view.model.index(0, LeadTableModel.COL_FIRST_NAME))
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert view.table.state() == QAbstractItemView.State.EditingState
    editor = view.table.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "Ada")
    with qtbot.waitSignal(view.leadsChanged):
        qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert demo_app.leads.get(lead.id).first_name == "Ada"
    # Tab saved the cell and opened the next one.
    assert view.table.currentIndex().column() == LeadTableModel.COL_LAST_NAME
    assert view.table.state() == QAbstractItemView.State.EditingState
    editor = view.table.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "Changed")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert view.table.state() != QAbstractItemView.State.EditingState
    assert view.model.record(0).last_name == lead.last_name
    assert demo_app.leads.get(lead.id).last_name == lead.last_name


def test_inline_edit_undo_and_redo(qtbot, view, demo_app) -> None:
    lead = view.model.record(3)
    index = view.model.index(3, LeadTableModel.COL_COMPANY)
    with qtbot.waitSignal(view.model.editSaved):
        view.model.setData(index, "Undo Works Ltd")
    assert view.undo_stack.count() == 1
    assert view.undo_stack.undoText() == "Edit company"
    with qtbot.waitSignal(view.model.leadUpdated):
        view.undo_stack.undo()
    assert demo_app.leads.get(lead.id).company == lead.company
    with qtbot.waitSignal(view.model.leadUpdated):
        view.undo_stack.redo()
    assert demo_app.leads.get(lead.id).company == "Undo Works Ltd"
    assert view.undo_stack.count() == 1


def test_bulk_status_previews_confirms_and_undoes(qtbot, view, demo_app) -> None:
    ids = _select(view, range(0, 10))
    before = {i: demo_app.leads.get(i).status for i in ids}
    would_change = sum(1 for status in before.values() if status != "lost")
    questions: list[str] = []
    view.bulk_actions.confirm = lambda q: questions.append(q) or True
    with qtbot.waitSignal(view.bulk_actions.changed):
        view.bulk_actions.set_status("lost")
    assert questions == [
        f"Set status to Lost — this changes {would_change} of the 10 selected leads. Continue?"
    ]
    assert {demo_app.leads.get(i).status for i in ids} == {"lost"}
    qtbot.waitUntil(view.is_loaded)
    assert view.undo_stack.undoText() == f"Set status to Lost ({would_change} leads)"

    with qtbot.waitSignal(view.bulk_actions.changed):
        view.undo_stack.undo()
    assert {i: demo_app.leads.get(i).status for i in ids} == before
    with qtbot.waitSignal(view.bulk_actions.changed):
        view.undo_stack.redo()
    assert {demo_app.leads.get(i).status for i in ids} == {"lost"}
    qtbot.waitUntil(view.is_loaded)


def test_declining_the_confirmation_changes_nothing(qtbot, view, demo_app) -> None:
    ids = _select(view, range(0, 3))
    asked: list[str] = []
    view.bulk_actions.confirm = lambda q: asked.append(q) and False
    view.bulk_actions.add_tag("gui-bulk")
    qtbot.waitUntil(lambda: bool(asked) and not view.bulk_actions.running)
    assert all("gui-bulk" not in demo_app.leads.get(i).tags for i in ids)
    assert view.undo_stack.count() == 0


def test_delete_key_deletes_the_selection_and_undo_restores(qtbot, view, demo_app) -> None:
    _select(view, range(5, 8))
    view.bulk_actions.confirm = lambda _q: True
    view.table.setFocus()
    with qtbot.waitSignal(view.bulk_actions.changed):
        qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: view.is_loaded() and view.model.total == 4_997)
    assert demo_app.leads.count(LeadQuery()) == 4_997
    with qtbot.waitSignal(view.bulk_actions.changed):
        view.undo_stack.undo()
    qtbot.waitUntil(lambda: view.is_loaded() and view.model.total == 5_000)


def test_a_change_that_changes_nothing_says_so(qtbot, view) -> None:
    _select(view, range(0, 2))
    view.bulk_actions.confirm = lambda _q: pytest.fail("nothing to confirm")
    view.bulk_actions.remove_tag("no-such-tag-anywhere")
    qtbot.waitUntil(lambda: not view.bulk_actions.running)
    assert "no selected lead would change" in view.message_bar.text.text()


def test_main_window_edit_menu_undoes_a_table_edit(qtbot, demo_app, settings) -> None:
    from leaddesk.ui.main_window import MainWindow

    win = MainWindow(demo_app, settings)
    qtbot.addWidget(win)
    win.show()
    view = win.leads_view
    qtbot.waitUntil(lambda: view.is_loaded() and win.lead_count is not None)
    assert win.undo_action.shortcut().toString() == "Ctrl+Z"
    assert win.redo_action.shortcut().toString() == "Ctrl+Shift+Z"
    assert not win.undo_action.isEnabled()
    lead = view.model.record(0)
    with qtbot.waitSignal(view.model.editSaved):
        view.model.setData(view.model.index(0, LeadTableModel.COL_TITLE), "Chief Undoer")
    assert win.undo_action.isEnabled()
    with qtbot.waitSignal(view.model.leadUpdated):
        win.undo_action.trigger()
    assert demo_app.leads.get(lead.id).title == lead.title
    assert win.redo_action.isEnabled()
    qtbot.waitUntil(lambda: win.balance is not None)


def test_owner_and_campaign_choices_filter_and_bulk_set(qtbot, demo_app) -> None:
    from leaddesk.ui.main_window import lead_choices

    view = LeadsView(
        demo_app.leads, demo_app.messages, demo_app.activity,
        bulk=demo_app.bulk_edit, lead_changes=demo_app.lead_changes,
        choices=lambda: lead_choices(demo_app),
    )
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.is_loaded() and view.filters.panel.campaign.count() > 1)
    campaign = demo_app.campaigns.list()[0]
    assert view.bulk_actions.campaign_menu.isEnabled()
    assert view.bulk_actions.owner_menu.isEnabled()

    ids = _select(view, range(0, 4))
    view.bulk_actions.confirm = lambda _q: True
    action = next(a for a in view.bulk_actions.campaign_menu.actions()
                  if a.text() == campaign.name)
    with qtbot.waitSignal(view.bulk_actions.changed):
        action.trigger()
    assert {demo_app.leads.get(i).campaign_id for i in ids} == {campaign.id}
    qtbot.waitUntil(view.is_loaded)

    panel = view.filters.panel
    panel.campaign.setCurrentIndex(index_of(panel.campaign, campaign.id))
    with qtbot.waitSignal(view.model.totalChanged):
        panel.apply_button.click()
    assert view.model.query == LeadQuery(campaign_ids=(campaign.id,))
    assert view.model.rowCount() == demo_app.leads.count(view.model.query)
    assert view.filters.chip_texts() == [f"Campaign: {campaign.name}"]
    panel.set_query(view.model.query)  # reopening the panel shows the campaign picked
    assert panel.campaign.currentData() == campaign.id
