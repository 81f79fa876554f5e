"""Settings ▸ Phone region: the country national numbers (no +country code) are read in.

Until one is saved, the operating system's locale suggests it (``QLocale.system()``).
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QWidget

from leaddesk.services import settings
from leaddesk.services.context import ServiceContext
from leaddesk.services.preferences import values
from leaddesk.services.preferences.regions import region_from_locale, regions
from leaddesk.store.change_feed import Change
from leaddesk.ui.settings.page_base import SettingsPage
from leaddesk.ui.widgets import muted


def system_region() -> str | None:
    return region_from_locale(QLocale.system().name())


class RegionPage(SettingsPage):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Phone region"),
            self.tr("Phone numbers typed or imported without a country code (e.g. 020 7946 "
                    "0000) are read as numbers of this country."), parent)
        self._ctx = ctx
        self.admins_only(ctx)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search countries or codes"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.list = QListWidget()
        for code, name in regions():
            item = QListWidgetItem(f"{name} ({code})")
            item.setData(Qt.ItemDataRole.UserRole, code)
            self.list.addItem(item)
        self.current = muted()
        self.form.addRow(self.tr("Find"), self.search)
        self.extra.addWidget(self.list, 1)
        self.extra.addWidget(self.current)
        self.load()

    def _filter(self, text: str) -> None:
        wanted = text.strip().casefold()
        for row in range(self.list.count()):
            item = self.list.item(row)
            code = str(item.data(Qt.ItemDataRole.UserRole)).casefold()
            item.setHidden(bool(wanted) and wanted not in item.text().casefold()
                           and wanted != code)

    def select(self, code: str) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == code:
                self.list.setCurrentItem(item)
                self.list.scrollToItem(item)
                return

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def load(self) -> None:
        stored = values.show(self._ctx)[settings.PHONE_DEFAULT_REGION]
        suggestion = system_region()
        self.select(stored or suggestion or "")
        if stored:
            self.current.setText(self.tr("Saved: %1.").replace("%1", stored))
        else:
            self.current.setText(self.tr("Not saved yet: suggested from this computer's "
                                         "locale (%1).").replace("%1", suggestion or "none"))

    def save(self) -> None:
        values.put(self._ctx, settings.PHONE_DEFAULT_REGION, self.chosen() or "")

    def on_changes(self, change: Change) -> None:
        if change.touches("app_settings"):
            self.load()
