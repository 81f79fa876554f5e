"""The Settings dialog: a list of pages on the left, the chosen page on the right.

Each page is its own module over ``services.preferences``; the dialog only lays them out and
passes on change notifications (``on_changes``) to the pages that show data.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.context import ServiceContext
from leaddesk.store.change_feed import Change
from leaddesk.ui.settings.appearance_page import AppearancePage
from leaddesk.ui.settings.caps_page import CapsPage
from leaddesk.ui.settings.channels_page import ChannelsPage
from leaddesk.ui.settings.data_page import DataPage
from leaddesk.ui.settings.identity_page import IdentityPage
from leaddesk.ui.settings.master_password import SecretAccess
from leaddesk.ui.settings.region_page import RegionPage
from leaddesk.ui.settings.sign_in_page import SignInPage

PAGES = ("channels", "sender", "region", "caps", "sign_in", "appearance", "data")
ShowDialog = Callable[[QDialog], object]


def _exec(dialog: QDialog) -> object:
    return dialog.exec()


class SettingsDialog(QDialog):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None,
                 show: ShowDialog = _exec) -> None:
        """``show`` runs the dialogs a page opens (modal here; a driver in tests)."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.resize(860, 580)
        self.secrets = SecretAccess(self, show)
        labels = (self.tr("Channels"), self.tr("Sender"), self.tr("Phone region"),
                  self.tr("Sending caps"), self.tr("Sign-in"), self.tr("Appearance"),
                  self.tr("Data and backups"))
        self.pages: dict[str, QWidget] = {
            "channels": ChannelsPage(ctx, self.secrets, show),
            "sender": IdentityPage(ctx),
            "region": RegionPage(ctx),
            "caps": CapsPage(ctx),
            "sign_in": SignInPage(ctx),
            "appearance": AppearancePage(),
            "data": DataPage(ctx.store),
        }
        self.list = QListWidget()
        self.list.setObjectName("SettingsPages")
        self.list.setFixedWidth(180)
        self.stack = QStackedWidget()
        for name, label in zip(PAGES, labels, strict=True):
            item = QListWidgetItem(label)
            item.setSizeHint(QSize(0, 34))  # room to click; the style sheet rounds it
            self.list.addItem(item)
            self.stack.addWidget(self.pages[name])
        self.list.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.list.setCurrentRow(0)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.list)
        row.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(close)

    def show_page(self, name: str) -> QWidget:
        self.list.setCurrentRow(PAGES.index(name))
        return self.pages[name]

    def on_changes(self, change: Change) -> None:
        """Reload what a write (here or elsewhere) changed on every page that shows it."""
        for page in self.pages.values():
            handler = getattr(page, "on_changes", None)
            if handler is not None:
                handler(change)
