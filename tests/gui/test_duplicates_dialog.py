"""Find duplicates: scan, side-by-side merge choosing each field, undo of the merge."""

from __future__ import annotations

from leaddesk.services.app_services import AppServices
from leaddesk.store.change_feed import Change
from leaddesk.ui.leads.duplicates_dialog import DuplicatesDialog


def _twins(services: AppServices):
    leads = services.leads
    a = leads.create({"first_name": "Dana", "last_name": "Twin", "email": "dana@example.org",
                      "company": "Old Co", "title": "CTO"})
    b = leads.create({"first_name": "Dana", "last_name": "Twin", "email": "DANA@example.org",
                      "company": "New Co", "title": ""})
    return a, b


def _dialog(qtbot, services: AppServices) -> DuplicatesDialog:
    dialog = DuplicatesDialog(services.duplicates, services.leads, services.lead_changes)
    qtbot.addWidget(dialog)
    return dialog


def _scan(qtbot, dialog: DuplicatesDialog) -> None:
    dialog.scan()
    qtbot.waitUntil(lambda: dialog.result is not None and dialog.scan_button.isEnabled())


def _group_of(dialog: DuplicatesDialog, email: str):
    for i in range(dialog.tree.topLevelItemCount()):
        top = dialog.tree.topLevelItem(i)
        if email in top.text(0):
            return top
    raise AssertionError(email)


def test_scan_merge_choose_fields_and_undo(qtbot, demo_app: AppServices) -> None:
    a, b = _twins(demo_app)
    before = demo_app.leads.count()
    dialog = _dialog(qtbot, demo_app)
    for rule, box in dialog.rule_boxes.items():
        box.setChecked(rule == "email")
    _scan(qtbot, dialog)
    top = _group_of(dialog, "dana@example.org")
    assert top.childCount() == 2
    dialog.tree.setCurrentItem(top.child(1))
    assert dialog.merge_button.isEnabled()

    merge = dialog.merge_dialog()
    qtbot.addWidget(merge)
    assert merge.keep.id == a.id and merge.other.id == b.id
    assert {"company", "email", "title"} <= set(merge.groups)
    assert merge.choices()["company"] == "keep" and merge.choices()["title"] == "keep"
    merge.choose("company", "other")

    with qtbot.waitSignal(dialog.leadsChanged):
        dialog.merge(merge.keep, merge.other, merge.choices())
    qtbot.waitUntil(lambda: dialog.undo_button.isEnabled())
    kept = demo_app.leads.get(a.id)
    assert kept.company == "New Co" and kept.title == "CTO"
    assert demo_app.leads.count() == before - 1

    with qtbot.waitSignal(dialog.leadsChanged):
        dialog.undo_merge()
    qtbot.waitUntil(lambda: dialog.scan_button.isEnabled() and not dialog.undo_button.isEnabled())
    assert demo_app.leads.get(a.id).company == "Old Co"
    assert demo_app.leads.count() == before


def test_no_rule_chosen_says_so(qtbot, demo_app: AppServices) -> None:
    dialog = _dialog(qtbot, demo_app)
    for box in dialog.rule_boxes.values():
        box.setChecked(False)
    assert dialog.scan() is None
    assert "rule" in dialog.status_label.text()


def test_leads_menu_opens_find_duplicates(qtbot, demo_app: AppServices, settings) -> None:
    from leaddesk.ui.main_window import MainWindow

    window = MainWindow(demo_app, settings)
    qtbot.addWidget(window)
    window.file_actions.duplicates_action.trigger()
    dialog = window.file_actions.duplicates_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.close()


def test_reopening_or_a_change_elsewhere_scans_again(qtbot, demo_app: AppServices) -> None:
    dialog = _dialog(qtbot, demo_app)
    for rule, box in dialog.rule_boxes.items():
        box.setChecked(rule == "email")
    dialog.show()
    _scan(qtbot, dialog)
    first = dialog.result
    groups = first.total
    _kept, b = _twins(demo_app)  # written while the dialog shows the old results
    dialog.on_changes(Change(frozenset({"leads"})))
    qtbot.waitUntil(lambda: dialog.result is not first and dialog.scan_button.isEnabled())
    assert dialog.result.total == groups + 1
    _group_of(dialog, "dana@example.org")

    dialog.hide()
    demo_app.leads.delete(b.id)
    dialog.on_changes(Change(frozenset({"leads"})))
    assert dialog.result.total == groups + 1, "a hidden dialog waits to be reopened"
    shown = dialog.result
    dialog.show()
    qtbot.waitUntil(lambda: dialog.result is not shown and dialog.scan_button.isEnabled())
    assert dialog.result.total == groups
