"""Settings ▸ Sending caps: per mailbox (channel), a daily and hourly cap and a rate, with
the providers' published limits as presets (see ``services/preferences/caps.py``)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from leaddesk.services.context import ServiceContext
from leaddesk.services.messaging.integrations import IntegrationService
from leaddesk.services.preferences import caps
from leaddesk.store.change_feed import Change
from leaddesk.ui.settings.page_base import SettingsPage
from leaddesk.ui.widgets import muted


class CapsPage(SettingsPage):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Sending caps"),
            self.tr("How much each mailbox or number may send. Messages over a cap wait for "
                    "the next hour or day. Pick your provider to use its published limit; a "
                    "new mailbox starts low and rises as it builds a reputation."), parent)
        self._integrations = IntegrationService(ctx)
        self.channel = QComboBox()
        self.channel.currentIndexChanged.connect(self._show_channel)
        self.preset = QComboBox()
        self.apply_button = QPushButton(self.tr("Use preset"))
        self.apply_button.clicked.connect(
            lambda: self.run(self.apply_preset, self.tr("Preset applied.")))
        self.daily = QSpinBox()
        self.hourly = QSpinBox()
        for box in (self.daily, self.hourly):
            box.setRange(0, 1_000_000)
            box.setGroupSeparatorShown(True)
        self.daily.setSpecialValueText(self.tr("default for its kind"))
        self.hourly.setSpecialValueText(self.tr("no hourly cap"))
        self.per_minute = QDoubleSpinBox()
        self.per_minute.setRange(0, 10_000)
        self.per_minute.setDecimals(1)
        self.per_minute.setSpecialValueText(self.tr("no rate limit"))
        self.effective = muted()
        preset_row = QHBoxLayout()
        preset_row.addWidget(self.preset, 1)
        preset_row.addWidget(self.apply_button)
        for box in (self.daily, self.hourly, self.per_minute):
            box.setMinimumWidth(220)
            box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.form.addRow(self.tr("Channel"), self.channel)
        self.form.addRow(self.tr("Provider preset"), preset_row)
        self.form.addRow(self.tr("Per day"), self.daily)
        self.form.addRow(self.tr("Per hour"), self.hourly)
        self.form.addRow(self.tr("Per minute"), self.per_minute)
        self.extra.addWidget(self.effective)
        self.extra.addStretch(1)
        self.load()

    def load(self) -> None:
        current = self.channel.currentData()
        self.records = {str(r.id): r for r in self._integrations.list()}
        self.channel.blockSignals(True)
        self.channel.clear()
        for key, record in self.records.items():
            self.channel.addItem(f"{record.name} ({record.kind})", key)
        index = self.channel.findData(current)
        self.channel.setCurrentIndex(max(index, 0))
        self.channel.blockSignals(False)
        empty = not self.records
        for widget in (self.preset, self.apply_button, self.daily, self.hourly, self.per_minute,
                       self.save_button):
            widget.setEnabled(not empty)
        if empty:
            self.effective.setText(self.tr("No channels yet: add one on the Channels page."))
            return
        self._show_channel()

    def _show_channel(self) -> None:
        record = self.records.get(str(self.channel.currentData()))
        if record is None:
            return
        self.preset.clear()
        limits = caps.caps_of(record)
        for preset in caps.presets_for(record.kind):
            self.preset.addItem(f"{preset.label}: {preset.daily:,} a day", preset.key)
            if not limits.daily_is_default and preset.daily == limits.daily:
                self.preset.setCurrentIndex(self.preset.count() - 1)  # the one in force
        self.daily.setValue(0 if limits.daily_is_default else int(limits.daily or 0))
        self.hourly.setValue(limits.hourly or 0)
        self.per_minute.setValue(limits.per_minute or 0)
        default = " " + self.tr("(the default for its kind)") if limits.daily_is_default else ""
        daily = f"{limits.daily:,}" if limits.daily else self.tr("no cap")
        self.effective.setText(
            self.tr("In force: %1 a day%2.").replace("%1", daily).replace("%2", default))

    def apply_preset(self) -> None:
        caps.apply_preset(self._integrations, str(self.channel.currentData()),
                          str(self.preset.currentData()))

    def save(self) -> None:
        caps.set_caps(self._integrations, str(self.channel.currentData()), self.daily.value(),
                      self.hourly.value(), self.per_minute.value())

    def on_changes(self, change: Change) -> None:
        if change.touches("integrations"):
            self.load()
