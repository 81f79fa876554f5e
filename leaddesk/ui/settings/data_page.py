"""Settings ▸ Data: which database this window works on, and its backups (list, make one now,
open their folder)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QWidget

from leaddesk.services.preferences import data_location
from leaddesk.store.database import Store
from leaddesk.ui import formatting
from leaddesk.ui.operations import op
from leaddesk.ui.settings.page_base import SettingsPage


class DataPage(SettingsPage):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Data and backups"),
            self.tr("Where your leads, messages and credits are stored. LeadDesk backs the "
                    "database up before every upgrade; make a copy here before big changes."),
            parent)
        self._store = store
        self.where = data_location.location(store)
        self.url = QLabel(self.where.url)
        self.url.setWordWrap(True)
        self.url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder = QLabel(str(self.where.backups_folder))
        self.folder.setWordWrap(True)
        self.form.addRow(self.tr("Database"), self.url)
        self.form.addRow(self.tr("Backups folder"), self.folder)
        self.list = QListWidget()
        self.extra.addWidget(self.list, 1)
        self.save_button.setText(self.tr("Back up now"))
        self.open_button = QPushButton(self.tr("Open folder"))
        self.open_button.clicked.connect(self.open_folder)
        self.buttons.insertWidget(1, self.open_button)
        self.save_button.setEnabled(self.where.can_back_up)
        self.load()

    def load(self) -> None:
        self.backups = data_location.backups(self.where)
        self.list.clear()
        for backup in self.backups:
            self.list.addItem(f"{formatting.date_time(backup.made_at)}   "
                              f"{backup.size / 1_048_576:,.1f} MB   {backup.path.name}")
        if not self.where.can_back_up:
            self.list.addItem(self.tr("A team database is backed up by its server."))
        elif not self.backups:
            self.list.addItem(self.tr("No backups yet."))

    def save(self) -> None:
        """Runs off the GUI thread (a large database takes a while to copy)."""
        store, where = self._store, self.where
        self.save_button.setEnabled(False)
        op(lambda: data_location.back_up_now(store, where), parent=self).success(
            lambda made: self.message.show_message(
                self.tr("Backed up to %1.").replace("%1", made.path.name), "info")).failure(
            lambda exc: self.message.show_message(str(exc))).finished(self._backed_up).run()

    def _backed_up(self) -> None:
        self.save_button.setEnabled(True)
        self.load()

    def run(self, action: object, done: str) -> bool:  # type: ignore[override]
        self.save()  # reports on its own when the copy is done
        return True

    def open_folder(self) -> bool:
        self.where.backups_folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.where.backups_folder)))
