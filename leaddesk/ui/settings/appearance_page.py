"""Settings ▸ Appearance: light, dark, or follow the operating system (this computer only)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QButtonGroup, QRadioButton, QWidget

from leaddesk.services.preferences import local
from leaddesk.ui import theme
from leaddesk.ui.settings.page_base import SettingsPage


class AppearancePage(SettingsPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Appearance"),
            self.tr("The theme of this window on this computer; other people's computers keep "
                    "their own."), parent)
        self.choices = {
            theme.SYSTEM: QRadioButton(self.tr("Follow the operating system")),
            theme.LIGHT: QRadioButton(self.tr("Light")),
            theme.DARK: QRadioButton(self.tr("Dark")),
        }
        self.group = QButtonGroup(self)
        for button in self.choices.values():
            self.group.addButton(button)
            self.extra.addWidget(button)
        self.extra.addStretch(1)
        self.save_button.setText(self.tr("Apply"))
        self.load()

    def load(self) -> None:
        self.choices[local.theme()].setChecked(True)

    def chosen(self) -> str:
        return next(name for name, button in self.choices.items() if button.isChecked())

    def save(self) -> None:
        choice = local.set_theme(self.chosen())
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply(app, choice)
