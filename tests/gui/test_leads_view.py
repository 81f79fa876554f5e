"""The leads view: filter bar, detail panel, inline edit errors and the new-lead dialog."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from leaddesk.services.leads.query import LeadQuery
from leaddesk.store.enums import TaskKind
from leaddesk.store.models import Task
from leaddesk.ui.leads.model import LeadTableModel
from leaddesk.ui.leads.new_lead_dialog import NewLeadDialog
from leaddesk.ui.leads.view import LeadsView


@pytest.fixture
def view(qtbot, demo_app) -> LeadsView:
    widget = LeadsView(demo_app.leads, demo_app.messages, demo_app.activity)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(widget.is_loaded)
    return widget


def test_shows_real_leads_and_their_count(view, demo_app) -> None:
    assert view.model.rowCount() == 5_000
    assert view.filters.count.text() == "5,000 leads"
    first = demo_app.leads.page(limit=1).rows[0]
    assert view.model.data(view.model.index(0, LeadTableModel.COL_EMAIL)) == first.email
    assert view.stack.currentWidget() is view.table


def test_status_filter_and_debounced_search(qtbot, view, demo_app) -> None:
    won = demo_app.leads.count(LeadQuery(statuses=("won",)))
    with qtbot.waitSignal(view.model.totalChanged):
        view.filters.set_status("won")
    assert view.model.rowCount() == won
    assert view.filters.count.text() == f"{won:,} matching leads"

    lead = view.model.record(0)
    assert lead is not None
    with qtbot.waitSignal(view.model.totalChanged):
        qtbot.keyClicks(view.filters.search, lead.email)
        assert view.model.query.search == ""  # not yet: the search waits for typing to pause
    assert view.model.query == LeadQuery(search=lead.email, statuses=("won",))
    assert view.model.rowCount() == 1


def test_no_match_shows_an_empty_state(qtbot, view) -> None:
    with qtbot.waitSignal(view.model.totalChanged):
        view.filters.search.setText("zzz-no-such-lead")
        view.filters.search.returnPressed.emit()
    assert view.stack.currentWidget() is view.empty
    assert "No leads match" in view.empty.text()


def test_selecting_a_lead_fills_the_detail_panel(qtbot, view, demo_app) -> None:
    view.select_row(0)
    lead = view.model.record(0)
    assert view.detail.lead == lead
    assert view.detail.name.text() == lead.full_name
    assert view.detail.fields.inputs["email"].text() == lead.email
    qtbot.waitUntil(view.detail_loader.history_loaded)
    messages = demo_app.messages.for_lead(lead.id)
    shown = view.detail.messages.count()
    assert shown == max(1, len(messages))


def test_detail_shows_the_activity_timeline(qtbot, view, demo_app) -> None:
    lead = view.model.record(2)
    demo_app.leads.update(lead.id, {"city": "Lisbon"})
    with qtbot.waitSignal(view.model.totalChanged):
        view.refresh()
    row = next(r for r in range(200) if view.model.record(r).id == lead.id)
    view.select_row(row)
    qtbot.waitUntil(view.detail_loader.history_loaded)
    assert any("Edited city" in line for line in view.detail.activity_lines())


def test_a_refused_edit_shows_the_field_and_message(qtbot, view) -> None:
    index = view.model.index(0, LeadTableModel.COL_EMAIL)
    with qtbot.waitSignal(view.model.editFailed):
        view.model.setData(index, "nope")
    assert view.message_bar.isVisible()
    assert "Email" in view.message_bar.text.text()
    assert "not a valid email" in view.message_bar.text.text()


def test_editing_in_the_table_with_the_keyboard(qtbot, view, demo_app) -> None:
    index = view.model.index(1, LeadTableModel.COL_COMPANY)
    lead = view.model.record(1)
    view.table.setCurrentIndex(index)
    view.table.edit(index)
    editor = view.table.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "Northwind")
    with qtbot.waitSignal(view.leadsChanged):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert demo_app.leads.get(lead.id).company == "Northwind"


def test_new_lead_dialog_shows_errors_beside_the_field(qtbot, view, demo_app) -> None:
    dialog = view.new_lead()
    assert isinstance(dialog, NewLeadDialog)
    dialog.inputs["first_name"].setText("Grace")
    dialog.inputs["email"].setText("grace@")
    dialog.save()
    qtbot.waitUntil(lambda: bool(dialog.errors.shown()))
    assert list(dialog.errors.shown()) == ["email"]
    assert dialog.isVisible()

    dialog.inputs["email"].setText("grace@example.com")
    with qtbot.waitSignal(dialog.created) as blocker:
        dialog.save()
    assert blocker.args[0].email == "grace@example.com"
    qtbot.waitUntil(lambda: view.model.total == 5_001)
    assert demo_app.leads.count(LeadQuery(search="grace@example.com")) == 1


def test_header_click_sorts_in_the_database(qtbot, view) -> None:
    header = view.table.horizontalHeader()
    with qtbot.waitSignal(view.model.totalChanged):
        header.setSortIndicator(LeadTableModel.COL_SCORE, Qt.SortOrder.DescendingOrder)
    scores = [view.model.record(r).score for r in range(50)]
    assert scores == sorted(scores, reverse=True)
    assert view.model.lead_sort.field == "score"


def test_detail_lists_the_leads_tasks(qtbot, demo_app) -> None:
    lead = demo_app.leads.create({"first_name": "Tess", "email": "tess@example.org"})
    now = dt.datetime.now(dt.UTC)
    with demo_app.store.write() as session:
        for kind, title, due, done in (
            (TaskKind.CALL, "Call about pricing", now + dt.timedelta(days=1), None),
            (TaskKind.FOLLOW_UP, "Send the proposal", now - dt.timedelta(hours=2), None),
            (TaskKind.LINKEDIN, "Send LinkedIn message", now - dt.timedelta(days=3), now),
        ):
            session.add(Task(kind=kind, title=title, lead_id=lead.id, due_at=due, done_at=done,
                             owner_id=demo_app.ctx.actor.id))
    widget = LeadsView(demo_app.leads, demo_app.messages, demo_app.activity, tasks=demo_app.tasks)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(widget.is_loaded)
    assert widget.model.record(0).id == lead.id  # the newest lead comes first
    widget.select_row(0)
    qtbot.waitUntil(widget.detail_loader.history_loaded)
    assert widget.detail.tasks_section.isVisibleTo(widget)
    lines = widget.detail.task_lines()
    assert [line.split()[0] for line in lines] == ["Follow-up", "Call", "LinkedIn"]
    assert "Overdue" in lines[0] and "Send the proposal" in lines[0]
    assert "due " in lines[1] and "Overdue" not in lines[1]
    assert "Done" in lines[2]


def test_a_view_without_tasks_hides_the_section(qtbot, view) -> None:
    view.select_row(0)
    qtbot.waitUntil(view.detail_loader.history_loaded)
    assert not view.detail.tasks_section.isVisibleTo(view)


def test_ctrl_f_goes_to_the_search_and_down_back_to_the_table(qtbot, view) -> None:
    view.activateWindow()
    view.table.setFocus()
    qtbot.waitUntil(view.table.hasFocus)
    view.filters.search.setText("old words")
    qtbot.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.filters.search.hasFocus()
    assert view.filters.search.selectedText() == "old words", "ready to type over"
    qtbot.keyClick(view.filters.search, Qt.Key.Key_Down)
    assert view.table.hasFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view.filters.search, Qt.Key.Key_Escape)
    assert view.table.hasFocus()
