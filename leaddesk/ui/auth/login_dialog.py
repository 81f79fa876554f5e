"""The sign-in dialog: remembers the user name (in QSettings), never the password."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.context import Actor
from leaddesk.services.team.auth import LoginLockedError
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import dialog_buttons, error_label, muted, title

LAST_USER_KEY = "auth/last_username"


class LoginDialog(QDialog):
    """Emits ``signed_in(Actor)`` and closes when ``login(name, password)`` accepts."""

    signed_in = Signal(object)

    def __init__(
        self,
        login: Callable[[str, str], Actor],
        settings: QSettings,
        where: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign in to LeadDesk"))
        self.setMinimumWidth(380)
        self._login = login
        self._settings = settings
        self.username = QLineEdit(str(settings.value(LAST_USER_KEY, "") or ""))
        self.username.setPlaceholderText(self.tr("user name"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = error_label()
        form = QFormLayout()
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Password"), self.password)
        self.buttons = dialog_buttons(
            self, self.sign_in, QDialogButtonBox.StandardButton.Ok, self.tr("Sign in")
        )
        layout = QVBoxLayout(self)
        layout.addWidget(title(self.tr("Sign in")))
        if where:
            layout.addWidget(muted(where))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        (self.password if self.username.text() else self.username).setFocus()

    def sign_in(self) -> None:
        self.error.hide()
        name, secret = self.username.text().strip(), self.password.text()
        if not name or not secret:
            self._show(self.tr("Enter your user name and password."))
            return
        self.buttons.setEnabled(False)
        login = self._login
        op(lambda: login(name, secret), parent=self).success(self._accepted).failure(
            self._refused
        ).run()

    def _accepted(self, actor: Actor) -> None:
        self._settings.setValue(LAST_USER_KEY, self.username.text().strip())
        self.password.clear()
        self.buttons.setEnabled(True)
        self.signed_in.emit(actor)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.password.clear()
        self.password.setFocus()
        if isinstance(exc, LoginLockedError):
            self._show(self.tr("Too many failed attempts. Try again after {0} UTC.").format(
                f"{exc.retry_at:%H:%M:%S}"))
        else:
            self._show(str(exc))

    def _show(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
