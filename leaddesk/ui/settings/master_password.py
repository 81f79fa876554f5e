"""Unlocking the encrypted credentials file from the window, where no OS keyring exists.

A new file's master password is typed twice (a typo would otherwise lock the user out of every
channel secret); an existing one once, and kept for the dialog's lifetime only.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from leaddesk.channels.secrets import SecretStore, SecretStoreError
from leaddesk.services.errors import ValidationError
from leaddesk.services.preferences import credentials
from leaddesk.ui.widgets import dialog_buttons, error_label, muted, title


class MasterPasswordDialog(QDialog):
    """Asks for the master password (twice when ``new``); ``store`` is set once it opens."""

    def __init__(self, new: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.new = new
        self.store: SecretStore | None = None
        self.setWindowTitle(self.tr("Credentials file"))
        self.setMinimumWidth(440)
        intro = self.tr("This computer has no system keyring, so channel passwords and tokens "
                        "are kept in an encrypted file instead.")
        intro += " " + (self.tr("Choose a master password for it; you will need it to send.")
                        if new else self.tr("Enter its master password."))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(self.tr("Master password"), self.password)
        if new:
            form.addRow(self.tr("Again"), self.again)
        self.error = error_label()
        self.buttons = dialog_buttons(
            self, self.unlock, text=self.tr("Create") if new else self.tr("Unlock"))
        where = muted(str(credentials.credentials_path()))
        where.setToolTip(credentials.keyring_problem() or "")  # why no keyring, for support
        layout = QVBoxLayout(self)
        layout.addWidget(title(self.tr("New master password") if new
                               else self.tr("Master password")))
        layout.addWidget(muted(intro))
        layout.addWidget(where)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def unlock(self) -> None:
        self.error.hide()
        confirmation = self.again.text() if self.new else None
        try:
            self.store = credentials.open_secret_store(
                self.password.text(), confirmation, force_file=True)
        except (ValidationError, SecretStoreError, ValueError) as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()


AskPassword = Callable[[QDialog], object]


class SecretAccess:
    """The secret store for the Settings dialog: the keyring, or the file once unlocked."""

    def __init__(self, parent: QWidget, show: AskPassword = lambda d: d.exec()) -> None:
        self._parent = parent
        self._show = show
        self._store: SecretStore | None = None

    def store(self) -> SecretStore | None:
        """The store, asking for the master password if needed; None if the user gave up."""
        if self._store is not None:
            return self._store
        if not credentials.needs_master_password():
            self._store = credentials.open_secret_store()
            return self._store
        dialog = MasterPasswordDialog(credentials.master_password_is_new(), self._parent)
        self._show(dialog)
        self._store = dialog.store
        dialog.deleteLater()
        return self._store
