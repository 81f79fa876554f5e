"""The window's Settings… and Sign out / switch user… actions (File and Edit menus).

Kept light: the dialog's pages are imported when it first opens. Signing out shows the sign-in
dialog again in the same process; ``switched`` carries the services of whoever signed in, and
the application (``ui/app.py``) moves to a new window for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from leaddesk.services.team import auth
from leaddesk.store.enums import LoginMode
from leaddesk.ui.auth.start import ShowDialog, SignInCancelled, exec_dialog, sign_in_again

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices
    from leaddesk.ui.settings.dialog import SettingsDialog


class SessionActions(QObject):
    #: The ``AppServices`` of the user who signed in after a sign-out.
    switched = Signal(object)

    def __init__(self, services: AppServices, window: QWidget, settings: QSettings | None,
                 show: ShowDialog = exec_dialog) -> None:
        super().__init__(window)
        self._services = services
        self._window = window
        self._settings = settings
        self._show = show
        self.dialog: SettingsDialog | None = None
        self.settings_action = QAction(self.tr("&Settings…"), window)
        self.settings_action.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Preferences), QKeySequence("Ctrl+,")])
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        self.sign_out_action = QAction(self.tr("Sign &out / switch user…"), window)
        self.sign_out_action.triggered.connect(self.sign_out)

    def open_settings(self) -> SettingsDialog:
        """The Settings dialog (one per window, kept while open)."""
        if self.dialog is None:
            from leaddesk.ui.settings.dialog import SettingsDialog

            self.dialog = SettingsDialog(self._services.ctx, self._window)
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialog.destroyed.connect(self._forget_dialog)
            hub = getattr(self._window, "changes", None)  # the window's ChangeHub, if any
            if hub is not None:
                hub.changed.connect(self.dialog.on_changes)
        self.dialog.open()
        return self.dialog

    def _forget_dialog(self) -> None:
        self.dialog = None

    def sign_out(self) -> bool:
        """Back to the sign-in dialog; True when someone signed in (``switched`` emitted)."""
        store = self._services.store
        if store.engine.url.get_backend_name() == "sqlite" and (
                auth.login_mode(store) is not LoginMode.PASSWORD):
            self._show(QMessageBox(
                QMessageBox.Icon.Information, self.tr("Sign out"),
                self.tr("This computer has no login: there is nobody to sign out. Turn on "
                        "password sign-in in Settings ▸ Sign-in first."),
                QMessageBox.StandardButton.Ok, self._window))
            return False
        app = QApplication.instance()
        keep = isinstance(app, QApplication) and app.quitOnLastWindowClosed()
        if isinstance(app, QApplication):
            app.setQuitOnLastWindowClosed(False)  # the window hides while the dialog asks
        self._window.hide()
        try:
            services = sign_in_again(self._services, self._settings or QSettings(), self._show)
        except SignInCancelled:
            services = None
        except BaseException:
            self._window.show()
            raise
        finally:
            if isinstance(app, QApplication):
                app.setQuitOnLastWindowClosed(keep)
        if services is None:
            self._window.close()  # nobody signed in: the application ends, as at start-up
            return False
        self.switched.emit(services)
        return True


