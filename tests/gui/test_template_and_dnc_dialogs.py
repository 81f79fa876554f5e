"""The template editor (create, edit, delete, live preview) and the do-not-contact list (add,
remove, reason and date shown), on a real database; their models pass qtmodeltester."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from leaddesk.services.app_services import AppServices
from leaddesk.ui.suppression.dialog import SuppressionDialog
from leaddesk.ui.templates.actions import MessageListActions
from leaddesk.ui.templates.dialog import TemplatesDialog


@pytest.fixture
def lead(app: AppServices):
    return app.leads.create({"first_name": "Ada", "last_name": "Lovelace",
                             "email": "ada@example.com", "company": "Engines Ltd"})


def _templates_dialog(qtbot, app: AppServices, lead) -> TemplatesDialog:
    dialog = TemplatesDialog(app.templates, lambda: lead)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.settled):  # the list read
        dialog.show()
    qtbot.waitUntil(lambda: dialog.lead is not None)
    return dialog


def test_template_create_edit_delete_with_live_preview(qtbot, qtmodeltester, app, lead) -> None:
    dialog = _templates_dialog(qtbot, app, lead)
    dialog.new_template()
    dialog.name.setText("Intro")
    dialog.channel.setCurrentIndex(dialog.channel.findData("email"))
    dialog.subject.setText("Hello {{ company }}")
    dialog.body.setPlainText("Hi {{ first_name | default('there') }}, quick question.")
    preview = dialog.render_preview()
    assert preview.rendered
    assert dialog.preview_subject.text() == "Hello Engines Ltd"
    assert dialog.preview_body.toPlainText().startswith("Hi Ada, quick question.")

    with qtbot.waitSignal(dialog.settled):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    (created,) = [t for t in app.templates.list() if t.name == "Intro"]
    assert dialog.model.rowCount() == len(app.templates.list())
    qtmodeltester.check(dialog.model)
    assert dialog.current.id == created.id

    dialog.body.setPlainText("Hi {{ first_name | default('there') }}, still keen?")
    with qtbot.waitSignal(dialog.settled):
        dialog.save()
    assert app.templates.get(created.id).body.endswith("still keen?")

    with qtbot.waitSignal(dialog.settled):
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert all(t.id != created.id for t in app.templates.list())
    assert dialog.model.row_of(created.id) == -1
    assert dialog.current is None


def test_template_errors_show_beside_the_field(qtbot, app, lead) -> None:
    dialog = _templates_dialog(qtbot, app, lead)
    dialog.new_template()
    dialog.name.setText("Broken")
    dialog.body.setPlainText("Hi {{ first_name ")
    assert dialog.render_preview().error
    with qtbot.waitSignal(dialog.settled):
        dialog.save()
    assert "body" in dialog.errors.shown()
    dialog.name.setText("")
    dialog.body.setPlainText("Hi")
    with qtbot.waitSignal(dialog.settled):
        dialog.save()
    assert dialog.errors.shown() == {"name": "is required"}
    assert not [t for t in app.templates.list() if t.name == "Broken"]


def test_dnc_list_add_and_remove(qtbot, qtmodeltester, app) -> None:
    dialog = SuppressionDialog(app.suppression)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.settled):
        dialog.show()
    assert dialog.model.rowCount() == 0
    assert "Nobody is on the list" in dialog.count.text()

    dialog.address.setText("Ada@Example.com")
    dialog.reason.setCurrentIndex(dialog.reason.findData("complaint"))
    dialog.note.setText("asked on the phone")
    with qtbot.waitSignal(dialog.settled):
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert app.suppression.is_suppressed("ada@example.com")
    assert dialog.model.rowCount() == 1
    qtmodeltester.check(dialog.model)
    shown = [dialog.model.data(dialog.model.index(0, c)) for c in range(5)]
    assert shown[0] == "ada@example.com"
    assert shown[1:3] == ["Email", "Complaint"]
    assert shown[3] and shown[4] == "asked on the phone"

    dialog.address.setText("not a number")
    with qtbot.waitSignal(dialog.settled):
        dialog.add()
    assert "not a valid phone number" in dialog.general_error.text()

    dialog.table.selectRow(0)
    assert dialog.remove_button.isEnabled()
    with qtbot.waitSignal(dialog.settled):
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert not app.suppression.is_suppressed("ada@example.com")
    assert dialog.model.rowCount() == 0


def test_menu_entries_open_the_dialogs(qtbot, app, lead) -> None:
    from PySide6.QtWidgets import QWidget

    app.templates.create({"name": "Short note", "channel": "sms", "body": "Hi"})
    window = QWidget()
    qtbot.addWidget(window)
    actions = MessageListActions(app, window)
    actions.templates_action.trigger()
    assert isinstance(actions.templates_dialog, TemplatesDialog)
    qtbot.waitUntil(lambda: actions.templates_dialog.model.rowCount() == 1
                    and actions.templates_dialog.preview_for.text() == "For Ada Lovelace")
    actions.suppression_action.trigger()
    assert isinstance(actions.suppression_dialog, SuppressionDialog)
    qtbot.waitUntil(lambda: actions.suppression_dialog.count.text() != "")
    actions.templates_dialog.close()
    actions.suppression_dialog.close()
