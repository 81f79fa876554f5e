"""Settings ▸ Sender: the name, signature and postal address every email carries."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from leaddesk.services import settings
from leaddesk.services.context import ServiceContext
from leaddesk.services.preferences import values
from leaddesk.store.change_feed import Change
from leaddesk.ui.settings.page_base import SettingsPage


class IdentityPage(SettingsPage):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Sender"),
            self.tr("Who your emails come from. The postal address goes into every email's "
                    "footer, as anti-spam laws (CAN-SPAM, PECR) require."), parent)
        self._ctx = ctx
        self.admins_only(ctx)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Ann Example, Example Ltd"))
        self.signature = QPlainTextEdit()
        self.signature.setPlaceholderText(self.tr("Best regards,\nAnn"))
        self.signature.setFixedHeight(110)
        self.address = QPlainTextEdit()
        self.address.setPlaceholderText(self.tr("Example Ltd, 1 Example Street, Town, Country"))
        self.address.setFixedHeight(80)
        self.form.addRow(self.tr("Sender name"), self.name)
        self.form.addRow(self.tr("Signature"), self.signature)
        self.form.addRow(self.tr("Postal address"), self.address)
        self.extra.addStretch(1)
        self.load()

    def load(self) -> None:
        shown = values.show(self._ctx)
        self.name.setText(shown[settings.SENDER_NAME])
        self.signature.setPlainText(shown[settings.SENDER_SIGNATURE])
        self.address.setPlainText(shown[settings.SENDER_POSTAL_ADDRESS])

    def save(self) -> None:
        values.put(self._ctx, settings.SENDER_NAME, self.name.text())
        values.put(self._ctx, settings.SENDER_SIGNATURE, self.signature.toPlainText())
        values.put(self._ctx, settings.SENDER_POSTAL_ADDRESS, self.address.toPlainText())

    def on_changes(self, change: Change) -> None:
        if change.touches("app_settings"):
            self.load()
