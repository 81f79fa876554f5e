"""Message selected leads… (Ctrl+M, the table's context menu, the Leads menu, the detail panel's
Message… button): the composer opens with those leads as recipients and previews the first."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence

from leaddesk.ui.composer.lead_picker import describe
from leaddesk.ui.leads.view import LeadsView
from leaddesk.ui.main_window import MainWindow


def _select(view: LeadsView, rows: list[int]) -> list:
    selection = view.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.clearSelection()
    for row in rows:
        selection.select(view.model.index(row, 0), flags)
    return [view.model.record(row).id for row in sorted(rows)]


def _composer_ready(qtbot, window: MainWindow, first) -> None:
    composer = window.composer_view
    qtbot.waitUntil(lambda: composer.is_loaded() and composer.lead is not None
                    and composer.lead.id == first, timeout=10_000)


def test_message_selected_leads_opens_the_composer_on_them(qtbot, window, demo_app) -> None:
    view, composer = window.leads_view, window.composer_view
    action = view.message_action
    assert action.shortcut() == QKeySequence("Ctrl+M")
    assert not action.isEnabled()  # nothing selected yet
    ids = _select(view, [4, 1, 2])  # picked out of order: recipients follow the table
    assert action.isEnabled()
    action.trigger()
    assert window.current_view() == "composer"
    _composer_ready(qtbot, window, ids[0])
    assert composer.recipient_ids() == ids
    assert composer.form.audience.currentText() == "The 3 selected leads"
    assert not composer.picker.isEnabled()
    first = demo_app.leads.get(ids[0])
    composer.set_channel("email")
    composer.form.body.setPlainText("Hi {{ first_name | default('there') }} at {{ company }}")
    preview = composer.render_preview()
    assert preview.rendered and not preview.error
    assert preview.body == f"Hi {first.first_name or 'there'} at {first.company}"
    assert composer.form.to_line.text() == f"To: {describe(first)}"
    qtbot.waitUntil(composer.is_loaded)  # the quote of the whole send
    assert "(3 messages" in composer.form.cost.text()


def test_ctrl_m_in_the_table_and_the_menus_carry_the_action(qtbot, window) -> None:
    view = window.leads_view
    ids = _select(view, [0, 3])
    view.table.setFocus()
    window.activateWindow()
    qtbot.keyClick(view.table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view() == "composer"
    _composer_ready(qtbot, window, ids[0])
    assert window.composer_view.recipient_ids() == ids
    assert view.message_action in view.table_menu.actions()  # the table's context menu
    assert view.bulk_actions.delete_action in view.table_menu.actions()
    leads_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Leads")
    assert view.message_action in leads_menu.actions()
    assert view.message_button.defaultAction() is view.message_action


def test_the_detail_panel_messages_its_one_lead(qtbot, window) -> None:
    view = window.leads_view
    view.select_row(2)
    lead = view.model.record(2)
    assert view.detail.lead == lead and view.detail.message_button.isVisible()
    view.detail.message_button.click()
    assert window.current_view() == "composer"
    _composer_ready(qtbot, window, lead.id)
    composer = window.composer_view
    assert composer.recipient_ids() == [lead.id]
    assert composer.form.audience.currentText() == "The selected lead"
    assert "(" not in composer.form.cost.text()  # one message


def test_without_a_composer_the_message_actions_are_hidden(qtbot, demo_app) -> None:
    view = LeadsView(demo_app.leads, demo_app.messages, demo_app.activity)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(view.is_loaded)
    view.select_row(0)
    assert not view.message_action.isVisible()
    assert not view.message_button.isVisible()
    assert not view.detail.message_button.isVisible()


def test_select_all_messages_rows_never_fetched_too(qtbot, window, demo_app) -> None:
    view = window.leads_view
    assert view.model.cached_pages() == [0]  # 200 of the 5,000 rows fetched
    view.table.selectAll()
    assert len(view.selected_ids()) == view.model.page_size
    view.message_action.trigger()
    expected = [r.id for r in demo_app.leads.page(
        view.model.query, view.model.lead_sort, limit=5_000).rows]
    _composer_ready(qtbot, window, expected[0])
    assert window.composer_view.recipient_ids() == expected
    assert window.composer_view.form.audience.currentText() == "The 5,000 selected leads"
