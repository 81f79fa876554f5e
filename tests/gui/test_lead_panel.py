"""The detail panel where the rep works: fields edited in place, notes, logged calls, tasks,
messages opened; the right-click menu; duplicate warnings; phone numbers in the default region."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from leaddesk.services import settings
from leaddesk.ui.leads.lead_work import LeadWorkServices
from leaddesk.ui.leads.new_lead_dialog import NewLeadDialog
from leaddesk.ui.leads.view import LeadsView


class _UrlCatcher(QObject):
    """Takes the links the app hands to the OS (a real URL handler, registered with Qt)."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def take(self, url: QUrl) -> None:
        self.opened.append(url.toString())


def _task_card(view: LeadsView, title: str) -> QWidget:
    layout = view.detail.tasks
    cards = [layout.itemAt(i).widget() for i in range(layout.count())]
    return next(c for c in cards if any(lbl.text() == title for lbl in c.findChildren(QLabel)))


@pytest.fixture
def view(qtbot, demo_app) -> LeadsView:
    widget = LeadsView(demo_app.leads, demo_app.messages, demo_app.activity,
                       tasks=demo_app.tasks, work=LeadWorkServices.of(demo_app))
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitUntil(widget.is_loaded)
    widget.select_row(0)
    qtbot.waitUntil(widget.detail_loader.history_loaded)
    return widget


def test_field_edited_in_place_is_saved_and_shown_in_the_table(qtbot, view, demo_app) -> None:
    lead = view.detail.lead
    edit = view.detail.fields.inputs["city"]
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "Porto")
    with qtbot.waitSignal(view.model.leadUpdated):
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert demo_app.leads.get(lead.id).city == "Porto"
    assert view.model.record(0).city == "Porto"


def test_field_refused_with_the_tables_rule_beside_the_field(qtbot, view, demo_app) -> None:
    lead = view.detail.lead
    edit = view.detail.fields.inputs["email"]
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "not-an-address")
    with qtbot.waitSignal(view.model.editFailed):
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert "is not a valid email address" in view.detail.fields.shown_errors()["email"]
    assert demo_app.leads.get(lead.id).email == lead.email
    assert edit.text() == lead.email


def test_add_note_and_log_a_call(qtbot, view, demo_app) -> None:
    lead = view.detail.lead
    view.detail.note_form.text.setPlainText("Asked for the price list")
    with qtbot.waitSignal(view.detail_loader.saved):
        qtbot.mouseClick(view.detail.note_form.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(view.detail_loader.history_loaded)
    assert "Asked for the price list" in view.detail.notes.text()
    assert view.detail.note_form.text.toPlainText() == ""
    assert any("Asked for the price list" in line for line in view.detail.activity_lines())

    form = view.detail.log_form
    form.kind.setCurrentIndex(form.kind.findData("call"))
    form.outcome.setCurrentIndex(form.outcome.findData("meeting booked"))
    form.notes.setText("Tuesday 10:00")
    with qtbot.waitSignal(view.detail_loader.saved):
        qtbot.mouseClick(form.log_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(view.detail_loader.history_loaded)
    assert view.detail.activity_lines()[0].endswith("Call logged — meeting booked: Tuesday 10:00")
    stored = demo_app.leads.get(lead.id)
    assert stored.last_contacted_at is not None
    assert view.detail.fields.last_contacted.text() != "Never"


def test_task_create_complete_snooze_from_the_panel(qtbot, view, demo_app) -> None:
    lead = view.detail.lead
    form = view.detail.task_form
    form.title.setText("Send the proposal")
    form.kind.setCurrentIndex(form.kind.findData("follow_up"))
    with qtbot.waitSignal(view.detail_loader.saved):
        qtbot.mouseClick(form.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(view.detail_loader.history_loaded)
    task = next(t for t in demo_app.tasks.for_lead(lead.id) if t.title == "Send the proposal")
    assert any("Send the proposal" in line for line in view.detail.task_lines())

    snooze = _task_card(view, "Send the proposal").findChild(QPushButton, "SnoozeTask")
    with qtbot.waitSignal(view.detail_loader.saved):
        snooze.menu().actions()[2].trigger()  # next week
    snoozed = next(t for t in demo_app.tasks.for_lead(lead.id) if t.id == task.id)
    assert snoozed.due_at > task.due_at
    qtbot.waitUntil(view.detail_loader.history_loaded)

    done = _task_card(view, "Send the proposal").findChild(QPushButton, "CompleteTask")
    with qtbot.waitSignal(view.detail_loader.saved):
        qtbot.mouseClick(done, Qt.MouseButton.LeftButton)
    assert next(t for t in demo_app.tasks.for_lead(lead.id) if t.id == task.id).done
    qtbot.waitUntil(view.detail_loader.history_loaded)
    assert any("Done" in line and "Send the proposal" in line
               for line in view.detail.task_lines())


def test_open_a_sent_message_with_its_timeline(qtbot, view, demo_app) -> None:
    row = next(r for r in range(200)
               if demo_app.messages.for_lead(view.model.record(r).id, 1))
    view.select_row(row)
    qtbot.waitUntil(view.detail_loader.history_loaded)
    message = demo_app.messages.for_lead(view.detail.lead.id, 1)[0]
    button = view.detail.findChild(QPushButton, "OpenMessage")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.detail_loader.message_dialog is not None)
    dialog = view.detail_loader.message_dialog
    assert dialog.message == message
    assert dialog.body.toPlainText() == message.body
    entries = [a for a in demo_app.activity.for_lead(message.lead_id, 500)
               if a.entity_id == str(message.id)]
    assert len(dialog.timeline) == len(entries)
    dialog.close()


def test_right_click_actions_act_on_the_lead(qtbot, view, demo_app) -> None:
    lead = view.detail.lead
    view.table_menu.aboutToShow.emit()
    context = view.work.context
    assert context.copy_email_action.isEnabled() == bool(lead.email)
    assert context.call_action.isEnabled() == bool(lead.phone)
    assert context.edit_action in view.table_menu.actions()
    context.copy_email_action.trigger()
    assert QApplication.clipboard().text() == lead.email
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("mailto", catcher, "take")
    try:
        context.mail_action.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("mailto")
    assert catcher.opened == [f"mailto:{lead.email}"]
    context.note_action.trigger()
    assert view.detail.note_form.text.hasFocus() or not view.isActiveWindow()


def test_new_lead_matching_an_existing_one_is_warned_about(qtbot, view, demo_app) -> None:
    existing = demo_app.leads.page(limit=1).rows[0]
    before = demo_app.leads.count()
    dialog = view.new_lead()
    dialog.inputs["first_name"].setText("Someone")
    dialog.inputs["email"].setText(existing.email.upper())
    dialog.save()
    qtbot.waitUntil(lambda: dialog.warning is not None and dialog.warning.isVisible())
    assert dialog.warning.existing.id == existing.id
    assert "same email" in dialog.warning.intro.text()
    assert demo_app.leads.count() == before
    with qtbot.waitSignal(dialog.openRequested) as opened:
        qtbot.mouseClick(dialog.warning.open_button, Qt.MouseButton.LeftButton)
    assert opened.args[0].id == existing.id
    assert view.detail.lead.id == existing.id


def test_new_lead_added_anyway_after_the_warning(qtbot, view, demo_app) -> None:
    existing = demo_app.leads.page(limit=1).rows[0]
    before = demo_app.leads.count()
    dialog = view.new_lead()
    dialog.inputs["email"].setText(existing.email)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.warning is not None and dialog.warning.isVisible())
    with qtbot.waitSignal(dialog.created):
        qtbot.mouseClick(dialog.warning.anyway_button, Qt.MouseButton.LeftButton)
    assert demo_app.leads.count() == before + 1


def test_new_lead_takes_a_national_phone_number(qtbot, demo_app) -> None:
    settings.put(demo_app.store, settings.PHONE_DEFAULT_REGION, "GB")
    widget = LeadsView(demo_app.leads, demo_app.messages, demo_app.activity,
                       work=LeadWorkServices.of(demo_app))
    qtbot.addWidget(widget)
    dialog = widget.new_lead()
    assert isinstance(dialog, NewLeadDialog)
    phone = dialog.inputs["phone"]
    assert phone.placeholderText().endswith("(GB) or +44…")
    phone.setText("020 7946 0018")
    dialog.inputs["first_name"].setText("Nat")
    with qtbot.waitSignal(dialog.created) as created:
        dialog.save()
    assert created.args[0].phone == "+442079460018"

    again = widget.new_lead()
    again.inputs["first_name"].setText("Short")
    again.inputs["phone"].setText("12345")
    again.save()
    qtbot.waitUntil(lambda: bool(again.errors.shown()))
    assert again.errors.shown() == {"phone": "'12345' is not a valid phone number for GB"}
    again.close()


def test_table_edit_making_a_duplicate_offers_open_or_merge(qtbot, view, demo_app) -> None:
    lead, other = view.model.record(0), view.model.record(1)
    column = view.model.column_for_field("email")
    with qtbot.waitSignal(view.model.duplicateFound) as found:
        view.model.setData(view.model.index(0, column), other.email)
    assert found.args == [lead.id, [other.id]]
    qtbot.waitUntil(lambda: view.work.warning is not None and view.work.warning.isVisible())
    assert view.work.warning.existing.id == other.id
    assert demo_app.leads.get(lead.id).email == lead.email
    qtbot.mouseClick(view.work.warning.merge_button, Qt.MouseButton.LeftButton)
    merge = view.work.merge_dialog
    assert merge is not None and merge.isVisible()
    assert (merge.keep.id, merge.other.id) == (other.id, lead.id)
    merge.reject()


def test_panel_reloads_the_timeline_on_changes(qtbot, view, demo_app) -> None:
    from leaddesk.store.change_feed import Change

    lead = view.detail.lead
    demo_app.tasks.create(lead.id, "call", "Written elsewhere")
    view.detail_loader.on_changes(Change(frozenset({"tasks", "activities"}), external=True))
    qtbot.waitUntil(view.detail_loader.history_loaded)
    assert any("Written elsewhere" in line for line in view.detail.task_lines())


def test_tags_edited_in_the_panel(qtbot, view, demo_app) -> None:
    lead = view.detail.lead
    edit = view.detail.fields.inputs["tags"]
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "VIP, renewal")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: demo_app.leads.get(lead.id).tags == ("renewal", "vip"))
    qtbot.waitUntil(lambda: view.detail.lead.tags == ("renewal", "vip"))
    assert edit.text() == "renewal, vip"


def test_panel_phone_field_names_the_default_region(qtbot, view, demo_app) -> None:
    settings.put(demo_app.store, settings.PHONE_DEFAULT_REGION, "GB")
    phone = view.detail.fields.inputs["phone"]
    view.activateWindow()
    phone.setFocus()
    qtbot.waitUntil(lambda: phone.placeholderText() != "")
    assert phone.placeholderText().endswith("(GB) or +44…")


def test_campaign_and_status_picked_in_the_panel(qtbot, view, demo_app) -> None:
    lead = view.detail.lead
    campaigns = [(c.id, c.name) for c in demo_app.campaigns.list()]
    view.detail.set_choices([(demo_app.ctx.actor.id, demo_app.ctx.actor.name)], campaigns)
    target = next(c for c in campaigns if c[0] != lead.campaign_id)
    combo = view.detail.fields.campaign
    combo.setCurrentIndex(combo.findData(str(target[0])))
    with qtbot.waitSignal(view.model.leadUpdated):
        combo.activated.emit(combo.currentIndex())
    assert demo_app.leads.get(lead.id).campaign_id == target[0]
    status = view.detail.fields.status
    status.setCurrentIndex(status.findData("qualified"))
    with qtbot.waitSignal(view.model.leadUpdated):
        status.activated.emit(status.currentIndex())
    assert demo_app.leads.get(lead.id).status == "qualified"


def test_notes_edited_in_place(qtbot, view, demo_app) -> None:
    lead = view.detail.lead
    notes = view.detail.notes_editor
    qtbot.mouseClick(notes.edit_button, Qt.MouseButton.LeftButton)
    assert notes.editor.isVisible() and not notes.label.isVisible()
    notes.editor.setPlainText("Budget approved for Q3")
    with qtbot.waitSignal(view.model.leadUpdated):
        qtbot.mouseClick(notes.save_button, Qt.MouseButton.LeftButton)
    assert demo_app.leads.get(lead.id).notes == "Budget approved for Q3"
    qtbot.waitUntil(lambda: notes.label.text() == "Budget approved for Q3")
