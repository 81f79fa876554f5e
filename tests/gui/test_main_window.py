"""The main window: views reachable by sidebar and shortcuts, status bar, remembered geometry,
the error dialog and the first-start demo offer."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox

from leaddesk.services.errors import ValidationError
from leaddesk.ui import app as gui_app
from leaddesk.ui import errors, operations
from leaddesk.ui.leads.new_lead_dialog import NewLeadDialog
from leaddesk.ui.main_window import VIEWS, MainWindow


def test_status_bar_shows_lead_count_and_balance(window, demo_app) -> None:
    assert window.count_label.text() == "Leads: 5,000"
    balance = demo_app.credits.balance()
    assert window.balance_label.text() == f"Credits: {balance.available:,}"


def test_sidebar_and_shortcuts_reach_every_view(qtbot, window) -> None:
    for number, name in enumerate(VIEWS, start=1):
        action = window.view_actions[name]
        assert action.shortcut() == QKeySequence(f"Ctrl+{number}")
        action.trigger()
        assert window.current_view() == name
        assert window.sidebar.list.currentRow() == number - 1
    window.sidebar.list.setCurrentRow(0)
    assert window.current_view() == "leads"
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view() == "composer"


def test_menus_have_the_standard_shortcuts(window) -> None:
    assert window.new_lead_action.shortcut() == QKeySequence("Ctrl+N")
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&View", "&Leads", "&Team", "&Help"]


def test_each_view_opens_with_real_data(qtbot, window, demo_app) -> None:
    window.show_view("leads")
    qtbot.waitUntil(window.leads_view.is_loaded)
    assert window.leads_view.model.rowCount() == 5_000
    window.show_view("campaigns")
    qtbot.waitUntil(window.campaigns_view.is_loaded)
    assert window.campaigns_view.model.rowCount() == len(demo_app.campaigns.list())
    window.show_view("composer")
    qtbot.waitUntil(window.composer_view.is_loaded)
    assert window.composer_view.form.template.count() > 1
    window.show_view("credits")
    qtbot.waitUntil(window.credits_view.is_loaded)
    assert window.credits_view.model.rowCount() > 0


def test_geometry_and_view_are_remembered(qtbot, demo_app, tmp_path) -> None:
    path = str(tmp_path / "remember.ini")
    first = MainWindow(demo_app, QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    first.show()
    first.resize(777, 707)  # within the offscreen screen (800 x 800), or Qt clamps it
    first.show_view("credits")
    qtbot.waitUntil(lambda: first.lead_count is not None)
    first.close()

    second = MainWindow(demo_app, QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (777, 707)
    assert second.current_view() == "credits"
    qtbot.waitUntil(lambda: second.lead_count is not None)


def test_new_lead_from_the_menu(qtbot, window, demo_app) -> None:
    window.new_lead_action.trigger()
    assert window.current_view() == "leads"
    dialog = window.leads_view.findChild(NewLeadDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.inputs["first_name"].setText("Ada")
    dialog.inputs["email"].setText("ada@example.com")
    with qtbot.waitSignal(window.leads_view.leadsChanged):
        dialog.save()
    qtbot.waitUntil(lambda: window.lead_count == 5_001)
    assert window.count_label.text() == "Leads: 5,001"


def test_uncaught_errors_are_logged_and_shown(qtbot, window, monkeypatch, caplog) -> None:
    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    previous = errors.install_excepthook(lambda: window)
    try:
        try:
            raise RuntimeError("kaboom")
        except RuntimeError as exc:
            with caplog.at_level(logging.ERROR, logger="leaddesk.ui"):
                sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = previous
    assert "kaboom" in caplog.text
    assert len(shown) == 1
    assert "kaboom" in shown[0].text() and "RuntimeError" in shown[0].detailedText()


def test_service_refusals_read_as_warnings(qtbot) -> None:
    box = errors.error_box(None, ValidationError("email", "is not valid"))
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.text() == "email: is not valid"
    box.deleteLater()


def test_empty_database_offers_demo_data(qtbot, app, settings, monkeypatch) -> None:
    monkeypatch.setattr(gui_app, "DEMO_LEADS", 120)
    win = MainWindow(app, settings)
    qtbot.addWidget(win)
    win.show()
    gui_app.offer_demo_data(win, app, settings)
    qtbot.waitUntil(lambda: getattr(win, "demo_prompt", None) is not None)
    prompt = win.demo_prompt
    with qtbot.waitSignal(win.leads_view.model.totalChanged, timeout=20_000):
        prompt.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: win.lead_count == gui_app.DEMO_LEADS, timeout=20_000)
    # the count moves with the first commit now; the demo's credits are written after it
    qtbot.waitUntil(lambda: operations.pending() == 0, timeout=20_000)
    assert settings.value("firstRun/demoOffered", type=bool)
    assert app.leads.count() == gui_app.DEMO_LEADS


def test_demo_is_offered_only_once(qtbot, app, settings) -> None:
    settings.setValue("firstRun/demoOffered", True)
    win = MainWindow(app, settings)
    qtbot.addWidget(win)
    gui_app.offer_demo_data(win, app, settings)
    qtbot.waitUntil(lambda: win.lead_count is not None)
    assert getattr(win, "demo_prompt", None) is None
