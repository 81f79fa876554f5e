"""Edit ▸ Settings… and File ▸ Sign out / switch user…: back to the sign-in dialog in the same
process, and the services of whoever signs in next."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox

from leaddesk.services.app_services import AppServices
from leaddesk.services.context import ServiceContext
from leaddesk.services.team import auth, passwords
from leaddesk.services.team.users import UserService
from leaddesk.store import migrate
from leaddesk.store.database import Store
from leaddesk.ui.auth.login_dialog import LoginDialog
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.settings.actions import SessionActions
from leaddesk.ui.settings.dialog import SettingsDialog


@pytest.fixture(autouse=True)
def _cheap_hashes() -> Any:
    with passwords.hashing_parameters():
        yield


def _password_db(url: str) -> None:
    store = Store.open(url)
    try:
        migrate.upgrade(store.engine)
        admin = auth.create_first_admin(store, "boss", "Ann Admin", "first-admin-pw")
        UserService(ServiceContext(store, admin)).add("ray", "Ray Rep", "rep", "rep-password-1")
    finally:
        store.dispose()


def _window(qtbot: Any, services: AppServices, settings: QSettings) -> MainWindow:
    window = MainWindow(services, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.lead_count is not None and window.balance is not None,
                    timeout=20_000)
    return window


def test_settings_is_in_the_edit_menu_with_the_preferences_shortcuts(
        qtbot: Any, app: AppServices, settings: QSettings) -> None:
    window = _window(qtbot, app, settings)
    action = window.session.settings_action
    assert action in window.menuBar().actions()[1].menu().actions()
    assert QKeySequence("Ctrl+,") in action.shortcuts()
    action.trigger()
    dialog = window.session.dialog
    assert isinstance(dialog, SettingsDialog) and dialog.isVisible()
    action.trigger()
    assert window.session.dialog is dialog  # one at a time
    dialog.close()


def test_sign_out_signs_another_user_in(qtbot: Any, db_url: str, settings: QSettings) -> None:
    _password_db(db_url)
    admin = AppServices.open(db_url, sign_in=lambda store: auth.LoginService(store).login(
        "boss", "first-admin-pw"))
    shown: list[QDialog] = []

    def as_ray(dialog: QDialog) -> object:
        assert isinstance(dialog, LoginDialog)
        shown.append(dialog)
        assert not window.isVisible()  # the window hides while the dialog asks
        dialog.show()
        dialog.username.setText("ray")
        dialog.password.setText("rep-password-1")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)
        return dialog.result()

    try:
        window = _window(qtbot, admin, settings)
        assert window.session.sign_out_action in window.menuBar().actions()[0].menu().actions()
        session = SessionActions(admin, window, settings, show=as_ray)
        with qtbot.waitSignal(session.switched, timeout=20_000) as switched:
            assert session.sign_out()
        ray: AppServices = switched.args[0]
        try:
            assert ray.ctx.actor.name == "Ray Rep"
            assert len(shown) == 1
        finally:
            ray.close()
    finally:
        admin.close()


def test_cancelling_the_sign_in_closes_the_window(qtbot: Any, db_url: str,
                                                  settings: QSettings) -> None:
    _password_db(db_url)
    admin = AppServices.open(db_url, sign_in=lambda store: auth.LoginService(store).login(
        "boss", "first-admin-pw"))
    try:
        window = _window(qtbot, admin, settings)
        session = SessionActions(admin, window, settings, show=lambda dialog: dialog.reject())
        with qtbot.assertNotEmitted(session.switched):
            assert not session.sign_out()
        assert not window.isVisible()
    finally:
        admin.close()


def test_without_a_login_there_is_nobody_to_sign_out(qtbot: Any, app: AppServices,
                                                     settings: QSettings) -> None:
    window = _window(qtbot, app, settings)
    said: list[str] = []

    def read(box: QDialog) -> object:
        assert isinstance(box, QMessageBox)
        said.append(box.text())
        return QMessageBox.StandardButton.Ok

    session = SessionActions(app, window, settings, show=read)
    assert not session.sign_out()
    assert window.isVisible()
    assert said and said[0].startswith("This computer has no login")
