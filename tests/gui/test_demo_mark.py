"""The window marks demo data while it is present, and removes it on request."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from leaddesk.services import settings as app_settings
from leaddesk.store.change_feed import Change


def test_demo_data_is_marked_and_removed_from_the_window(qtbot, window, demo_app) -> None:
    mark = window.demo_mark
    qtbot.waitUntil(lambda: mark.is_demo is True)
    assert mark.widget.isVisibleTo(window) and mark.button.isVisibleTo(window)
    file_menu = window.menuBar().actions()[0].menu()
    assert mark.remove_action in file_menu.actions() and mark.remove_action.isVisible()

    box = mark.ask_to_remove()
    assert "Remove all demo data" in box.text()
    assert demo_app.leads.count() > 0  # nothing removed before the confirmation
    destructive = next(b for b in box.buttons()
                       if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    destructive.click()
    qtbot.waitUntil(lambda: mark.is_demo is False and window.lead_count == 0, timeout=20_000)
    assert not mark.widget.isVisibleTo(window) and not mark.remove_action.isVisible()
    assert "Demo data removed" in window.statusBar().currentMessage()
    assert demo_app.leads.count() == 0 and not demo_app.credits.is_demo_database()


def test_the_mark_follows_the_setting_on_changes(qtbot, window, demo_app) -> None:
    mark = window.demo_mark
    qtbot.waitUntil(lambda: mark.is_demo is True)
    app_settings.put(demo_app.store, app_settings.DEMO_DATABASE, False)
    mark.on_changes(Change(frozenset({"leads"}), False))  # not the settings: no reread
    qtbot.wait(50)
    assert mark.is_demo is True
    mark.on_changes(Change(frozenset({"app_settings"}), False))
    qtbot.waitUntil(lambda: mark.is_demo is False)
    assert not mark.widget.isVisibleTo(window)
