"""Add or edit one channel: the fields of its kind, its secrets typed here, never shown again.

Editing leaves a secret field empty to keep the stored one. What the form collects is checked
by ``IntegrationService`` (the same rules as ``leaddesk channel add``); its refusal is shown
under the form and the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesk.channels.secrets import SecretStoreError
from leaddesk.services.errors import ServiceError
from leaddesk.services.messaging.integrations import IntegrationRecord
from leaddesk.ui.widgets import dialog_buttons, error_label, muted

KINDS = (("email", "Email (SMTP, IMAP for replies)"),
         ("twilio", "SMS, WhatsApp and voice (Twilio-compatible)"),
         ("linkedin", "LinkedIn (manual tasks)"))
#: (setting, label, placeholder) of the text fields by kind; secrets end in password/token.
FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "email": (
        ("from_address", "From address", "you@company.example"),
        ("from_name", "From name", "shown to recipients"),
        ("host", "SMTP server", "smtp.company.example"),
        ("username", "SMTP user name", "empty for a relay without login"),
        ("smtp_password", "SMTP password", ""),
        ("imap_host", "IMAP server", "optional: reads replies and bounces"),
        ("imap_password", "IMAP password", "empty: the SMTP password"),
    ),
    "twilio": (
        ("account_sid", "Account SID", "AC…"),
        ("auth_token", "Auth token", ""),
        ("from_number", "SMS from number", "+14155550123"),
        ("whatsapp_from", "WhatsApp from", "whatsapp:+14155550123"),
        ("voice_from", "Voice from number", "+14155550123"),
        ("base_url", "API address", "https://api.twilio.com"),
    ),
    "linkedin": (),
}
SECRET_FIELDS = frozenset({"smtp_password", "imap_password", "auth_token"})
Save = Callable[[str, str, dict[str, Any], dict[str, str]], object]


def _label(text: str) -> QLabel:
    """Form labels of one width, so the kind's fields line up under Kind and Name."""
    label = QLabel(text)
    label.setMinimumWidth(130)
    return label


class ChannelForm(QDialog):
    """``save(kind, name, settings, secrets)`` stores the channel (raising when it refuses)."""

    def __init__(self, save: Save, record: IntegrationRecord | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._save = save
        self.record = record
        self.setWindowTitle(self.tr("Edit channel") if record else self.tr("Add channel"))
        self.setMinimumWidth(520)
        self.kind = QComboBox()
        for key, label in KINDS:
            self.kind.addItem(self.tr(label), key)
        self.name = QLineEdit(record.name if record else "")
        self.name.setPlaceholderText(self.tr("e.g. Work mail"))
        top = QFormLayout()
        top.addRow(_label(self.tr("Kind")), self.kind)
        top.addRow(_label(self.tr("Name")), self.name)
        self.fields: dict[str, dict[str, QLineEdit]] = {}
        self.ports: dict[str, QSpinBox] = {}
        self.security: dict[str, QComboBox] = {}
        #: A password over an unencrypted connection is refused unless this is ticked.
        self.plaintext_login = QCheckBox(
            self.tr("Send the password without encryption (a relay on this computer only)"))
        self.plaintext_login.setVisible(False)
        self.pages = QStackedWidget()
        for key, _kind_label in KINDS:
            self.pages.addWidget(self._page(key))
        self.kind.currentIndexChanged.connect(self.pages.setCurrentIndex)
        if record is not None:
            self.kind.setCurrentIndex([k for k, _ in KINDS].index(record.kind))
            self.kind.setEnabled(False)
            self.name.setReadOnly(True)  # other records refer to a channel by its name
            self.name.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self._fill(record)
        self.error = error_label()
        self.buttons = dialog_buttons(self, self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _page(self, kind: str) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        edits: dict[str, QLineEdit] = {}
        for key, label, hint in FIELDS[kind]:
            edit = QLineEdit()
            edit.setPlaceholderText(self.tr(hint))
            if key in SECRET_FIELDS:
                edit.setEchoMode(QLineEdit.EchoMode.Password)
                if self.record is not None:
                    edit.setPlaceholderText(self.tr("unchanged (type to replace)"))
            edits[key] = edit
            form.addRow(_label(self.tr(label)), edit)
            if key == "host":
                form.addRow(_label(self.tr("SMTP port")), self._port_row(kind, 587))
                form.addRow(_label(self.tr("Security")), self.security[kind])
                form.addRow("", self.plaintext_login)
            if key == "imap_host":
                form.addRow(_label(self.tr("IMAP port")), self._port_row("imap", 993))
        if kind == "linkedin":
            form.addRow(muted(self.tr("LinkedIn messages become tasks: open the profile, copy "
                                      "the message, mark it done. Nothing to connect.")))
        self.fields[kind] = edits
        return page

    def _port_row(self, key: str, default: int) -> QSpinBox:
        port = QSpinBox()
        port.setRange(1, 65535)
        port.setValue(default)
        port.setMaximumWidth(120)
        self.ports[key] = port
        if key != "imap":
            security = QComboBox()
            for value, label in (("starttls", "STARTTLS (usually port 587)"),
                                 ("ssl", "SSL/TLS (usually port 465)"),
                                 ("none", "None (a relay on this computer)")):
                security.addItem(self.tr(label), value)
            self.security[key] = security
            security.currentIndexChanged.connect(
                lambda _i: self.plaintext_login.setVisible(security.currentData() == "none"))
        return port

    def _fill(self, record: IntegrationRecord) -> None:
        settings = record.settings
        for key, edit in self.fields[record.kind].items():
            if key not in SECRET_FIELDS:
                edit.setText(str(settings.get(key) or ""))
        if record.kind == "email":
            self.ports["email"].setValue(int(settings.get("port", 587)))
            self.ports["imap"].setValue(int(settings.get("imap_port", 993)))
            combo = self.security["email"]
            combo.setCurrentIndex(max(0, combo.findData(settings.get("security", "starttls"))))
            self.plaintext_login.setChecked(
                str(settings.get("allow_plaintext_login", "")).lower() in {"true", "yes", "1"})

    def values(self) -> tuple[str, str, dict[str, Any], dict[str, str]]:
        """What the form says: kind, name, settings (empty ones left out on add), secrets."""
        kind = str(self.kind.currentData())
        settings: dict[str, Any] = {}
        secrets: dict[str, str] = {}
        for key, edit in self.fields[kind].items():
            text = edit.text() if key in SECRET_FIELDS else edit.text().strip()
            if key in SECRET_FIELDS:
                if text:
                    secrets[key] = text
            elif text or self.record is not None:
                settings[key] = text  # on edit, empty removes the setting
        if kind == "email":
            settings["port"] = self.ports["email"].value()
            settings["security"] = self.security["email"].currentData()
            if settings["security"] == "none" and self.plaintext_login.isChecked():
                settings["allow_plaintext_login"] = True
            elif self.record is not None:
                settings["allow_plaintext_login"] = False
            if settings.get("imap_host"):
                settings["imap_port"] = self.ports["imap"].value()
        return kind, self.name.text().strip(), settings, secrets

    def submit(self) -> None:
        self.error.hide()
        try:
            self._save(*self.values())
        except (ServiceError, SecretStoreError, ValueError) as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()
