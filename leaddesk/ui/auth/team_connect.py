"""Connect to a team database: server details in QSettings, the password in the OS keyring."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL

from leaddesk.channels.secrets import SecretStore, SecretStoreError
from leaddesk.services.team.team_mode import TeamSession, connect
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import error_label, muted, title

SETTINGS_GROUP = "team_database"
KEYRING_SERVICE = "team-database"
TLS_MODES = ("verify-full", "require", "prefer", "disable")


def database_url(host: str, port: int, database: str, tls: str) -> str:
    """The team database's URL without a user or password (``team.connect`` adds those)."""
    return URL.create("postgresql+psycopg", host=host, port=port, database=database,
                      query={"sslmode": tls}).render_as_string()


class TeamConnectDialog(QDialog):
    """Tests the connection; on success remembers everything but the password, which goes to
    the keyring, and emits ``connected(TeamSession)`` (the receiver owns its store)."""

    connected = Signal(object)

    def __init__(self, settings: QSettings, secrets: SecretStore | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Connect to team database"))
        self.setMinimumWidth(440)
        self._settings = settings
        self._secrets = secrets or SecretStore()

        def value(key: str, default: object) -> object:
            return settings.value(f"{SETTINGS_GROUP}/{key}", default)

        self.host = QLineEdit(str(value("host", "")))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(int(str(value("port", 5432))))
        self.database = QLineEdit(str(value("database", "leaddesk")))
        self.user = QLineEdit(str(value("user", "")))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.tls = QComboBox()
        for mode in TLS_MODES:
            self.tls.addItem(mode, mode)
        self.tls.setCurrentIndex(max(self.tls.findData(str(value("tls", "verify-full"))), 0))
        self.status = error_label()
        self.test_button = QPushButton(self.tr("Test and connect"))
        self.test_button.setProperty("primary", True)
        self.test_button.clicked.connect(self.test)
        form = QFormLayout()
        form.addRow(self.tr("Server"), self.host)
        form.addRow(self.tr("Port"), self.port)
        form.addRow(self.tr("Database"), self.database)
        form.addRow(self.tr("User name"), self.user)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("TLS"), self.tls)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title(self.tr("Team database")))
        layout.addWidget(muted(self.tr("Ask your admin for these details.")))
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        if self.user.text() and not self.password.text():
            self.password.setText(self._stored_password() or "")

    def _key(self) -> str:
        return f"{self.user.text().strip()}@{self.host.text().strip()}:{self.port.value()}/" \
               f"{self.database.text().strip()}"

    def _stored_password(self) -> str | None:
        try:
            return self._secrets.get(KEYRING_SERVICE, self._key())
        except SecretStoreError:
            return None

    def url(self) -> str:
        return database_url(self.host.text().strip(), self.port.value(),
                            self.database.text().strip(), str(self.tls.currentData()))

    def test(self) -> None:
        self.status.hide()
        url, user, secret = self.url(), self.user.text().strip(), self.password.text()
        self.test_button.setEnabled(False)
        op(lambda: connect(url, user, secret), parent=self).success(self._ok).failure(
            self._failed).run()

    def _ok(self, member: TeamSession) -> None:
        self.test_button.setEnabled(True)
        for key, value in (("host", self.host.text().strip()), ("port", self.port.value()),
                           ("database", self.database.text().strip()),
                           ("user", self.user.text().strip()), ("tls", self.tls.currentData())):
            self._settings.setValue(f"{SETTINGS_GROUP}/{key}", value)
        try:
            self._secrets.set(KEYRING_SERVICE, self._key(), self.password.text())
        except SecretStoreError as exc:
            self.status.setText(self.tr("Connected, but the password was not saved: {0}")
                                .format(exc))
            self.status.show()
        self.password.clear()
        self.connected.emit(member)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        self.status.setText(str(exc))
        self.status.show()
