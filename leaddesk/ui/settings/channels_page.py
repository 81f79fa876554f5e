"""Settings ▸ Channels: add, edit, test and remove email, SMS/WhatsApp/voice and LinkedIn.

Over ``IntegrationService`` (what ``leaddesk channel`` uses). "Test" connects for real (SMTP
login, IMAP login, the Twilio account fetch) off the GUI thread and says what happened.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import ServiceError
from leaddesk.services.messaging.integration_schemas import secret_names
from leaddesk.services.messaging.integrations import IntegrationRecord, IntegrationService
from leaddesk.store.change_feed import Change
from leaddesk.ui.operations import op
from leaddesk.ui.settings.channel_form import ChannelForm
from leaddesk.ui.settings.master_password import SecretAccess
from leaddesk.ui.widgets import MessageBar, muted, title

KIND_LABELS = {"email": "Email", "twilio": "SMS · WhatsApp · Voice", "linkedin": "LinkedIn"}
ShowDialog = Any


def _has_secrets(record: IntegrationRecord) -> bool:
    return bool(secret_names(record.kind, record.settings))


class ChannelsPage(QWidget):
    def __init__(self, ctx: ServiceContext, secrets: SecretAccess,
                 show: ShowDialog = lambda d: d.exec(), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._secrets = secrets
        self._show = show
        self.records: list[IntegrationRecord] = []
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("Kind"), self.tr("Status"), self.tr("Server")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.doubleClicked.connect(lambda _index: self.edit())
        self.add_button = QPushButton(self.tr("Add…"))
        self.add_button.setProperty("primary", True)
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.test_button = QPushButton(self.tr("Test"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setProperty("danger", True)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.test_button.clicked.connect(self.test)
        self.remove_button.clicked.connect(self.remove)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.test_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        self.message = MessageBar()
        layout = QVBoxLayout(self)
        layout.addWidget(title(self.tr("Channels")))
        layout.addWidget(muted(self.tr(
            "Where messages go out: email over SMTP (replies and bounces read over IMAP), SMS, "
            "WhatsApp and voice through a Twilio-compatible account, LinkedIn as tasks. "
            "Passwords and tokens are kept in the system keyring (or an encrypted file), never in "
            "the database.")))
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.reload()

    def _service(self, with_secrets: bool) -> IntegrationService:
        """Raises ServiceError when the secrets are needed and the file stays locked."""
        if not with_secrets:
            return IntegrationService(self._ctx)
        store = self._secrets.store()
        if store is None:
            raise ServiceError(self.tr("channel passwords and tokens need the credentials "
                                       "file's master password; nothing was changed"))
        return IntegrationService(self._ctx, store)

    def _service_or_say(self, with_secrets: bool) -> IntegrationService | None:
        try:
            return self._service(with_secrets)
        except ServiceError as exc:
            self.message.show_message(str(exc))
            return None

    def reload(self) -> None:
        self.records = IntegrationService(self._ctx).list()
        self.table.setRowCount(len(self.records))
        for row, record in enumerate(self.records):
            where = record.settings.get("host") or record.settings.get("base_url") or (
                "api.twilio.com" if record.kind == "twilio" else "")
            for column, text in enumerate((record.name, KIND_LABELS.get(record.kind, record.kind),
                                           record.status, str(where))):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, str(record.id))
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self._enable()

    def on_changes(self, change: Change) -> None:
        if change.touches("integrations"):
            self.reload()

    def selected(self) -> IntegrationRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.records[rows[0].row()] if rows else None

    def _enable(self) -> None:
        chosen = self.selected() is not None
        for button in (self.edit_button, self.test_button, self.remove_button):
            button.setEnabled(chosen)

    def add(self) -> None:
        def save(kind: str, name: str, settings: dict[str, Any], secrets: dict[str, str]) -> None:
            self._service(bool(secrets)).add(kind, name, settings, secrets)

        self._open(ChannelForm(save, parent=self), self.tr("Channel added."))

    def edit(self) -> None:
        record = self.selected()
        if record is None:
            return

        def save(_kind: str, _name: str, settings: dict[str, Any],
                 secrets: dict[str, str]) -> None:
            self._service(bool(secrets)).update(record.id, settings, secrets)

        self._open(ChannelForm(save, record, parent=self), self.tr("Channel saved."))

    def _open(self, form: QDialog, done: str) -> None:
        accepted = self._show(form) == QDialog.DialogCode.Accepted
        form.deleteLater()
        if accepted:
            self.reload()
            self.message.show_message(done, "info", 4000)

    def test(self) -> None:
        record = self.selected()
        service = self._service_or_say(_has_secrets(record)) if record is not None else None
        if record is None or service is None:
            return
        self.test_button.setEnabled(False)
        self.message.show_message(self.tr("Connecting to %1…").replace("%1", record.name), "info")
        op(lambda: service.test(record.id), parent=self).success(
            lambda status: self._tested(record.name, status)).failure(
            lambda exc: self._tested(record.name, f"error: {exc}")).finished(
            self._enable).run()

    def _tested(self, name: str, status: str) -> None:
        self.last_test = status
        if status == "ok":
            self.message.show_message(
                self.tr("%1: connected and signed in.").replace("%1", name), "info")
        else:
            self.message.show_message(f"{name}: {status.removeprefix('error: ')}")
        self.reload()

    def remove(self) -> None:
        record = self.selected()
        if record is None:
            return
        answer = self._show(QMessageBox(
            QMessageBox.Icon.Question, self.tr("Remove channel"),
            self.tr("Remove %1 and its stored secrets? Messages already sent stay in the "
                    "history.").replace("%1", record.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self))
        if answer != QMessageBox.StandardButton.Yes:
            return
        service = self._service_or_say(_has_secrets(record))
        if service is not None:
            service.remove(record.id)
            self.reload()
            self.message.show_message(self.tr("Removed %1.").replace("%1", record.name),
                                      "info", 4000)
