"""The credits view: balance tiles, package purchase, usage per day, transaction history."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.credits import Balance, CreditService, TransactionRecord
from leaddesk.services.pricing import Package
from leaddesk.ui import formatting
from leaddesk.ui.credits.model import TransactionTableModel
from leaddesk.ui.credits.usage import usage_by_day
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import BadgeDelegate, Card, MessageBar, StatTile, muted, section, title

if TYPE_CHECKING:
    from leaddesk.ui.credits.chart import UsageChart

USAGE_DAYS = 30


def month_start(now: dt.datetime | None = None) -> dt.datetime:
    """The first instant of the user's current month, as an aware datetime."""
    now = (now or dt.datetime.now().astimezone()).astimezone()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class CreditsView(QWidget):
    """Emits ``creditsChanged`` after a purchase (the status bar shows the new balance)."""

    creditsChanged = Signal()

    def __init__(self, credits: CreditService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._credits = credits
        self._loaded = False
        self._loading = 0
        self.balance: Balance | None = None

        self.available = StatTile(self.tr("Available"))
        self.reserved = StatTile(self.tr("Reserved"))
        self.used = StatTile(self.tr("Used this month"))
        self.plan = StatTile(self.tr("Plan"))
        tiles = QHBoxLayout()
        tiles.setSpacing(12)
        for tile in (self.available, self.reserved, self.used, self.plan):
            tiles.addWidget(tile, 1)

        self.buy_buttons: dict[str, QPushButton] = {}
        packages = Card()
        grid = QGridLayout(packages)
        grid.setContentsMargins(16, 12, 16, 12)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(2)
        grid.addWidget(section(self.tr("Buy credits")), 0, 0, 1, 3)
        for column, package in enumerate(credits.prices.packages.values()):
            name = QLabel(package.label)
            name.setProperty("role", "strong")
            amount = muted(self._package_text(package))
            button = QPushButton(self.tr("Buy %1").replace("%1", package.label))
            button.clicked.connect(lambda _checked=False, p=package: self.confirm_purchase(p))
            self.buy_buttons[package.name] = button
            grid.addWidget(name, 1, column)
            grid.addWidget(amount, 2, column)
            grid.addWidget(button, 3, column)
        prices = ", ".join(
            f"{credits.prices.labels[action]} {cost}"
            for action, cost in credits.prices.actions.items()
            if not action.startswith("lead_")
        )
        grid.addWidget(muted(self.tr("Credits per action: ") + prices), 4, 0, 1, 3)
        grid.setRowMinimumHeight(1, 28)
        grid.setRowStretch(5, 1)

        self.chart: UsageChart | None = None  # built with the first figures (see chart.py)
        chart_card = Card()
        self._chart_layout = QVBoxLayout(chart_card)
        self._chart_layout.setContentsMargins(16, 12, 16, 12)
        self._chart_layout.addWidget(section(self.tr("Credits used per day, last 30 days")))
        self._chart_layout.addStretch(1)

        self.model = TransactionTableModel(
            lambda limit: credits.history(limit), dict(credits.prices.labels), self
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        for column, width in enumerate((150, 130, 160, 110, 120)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setItemDelegateForColumn(
            TransactionTableModel.COL_KIND, BadgeDelegate(TransactionTableModel.KindRole,
                                                          self.table)
        )

        self.message_bar = MessageBar()
        middle = QHBoxLayout()
        middle.setSpacing(12)
        middle.addWidget(packages, 2)
        middle.addWidget(chart_card, 3)
        packages.setFixedHeight(210)
        chart_card.setFixedHeight(210)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(12)
        layout.addWidget(title(self.tr("Credits")))
        layout.addWidget(self.message_bar)
        layout.addLayout(tiles)
        layout.addLayout(middle)
        layout.addWidget(section(self.tr("Transactions")))
        layout.addWidget(self.table, 1)
        self.model.loaded.connect(self._table_loaded)

    def _package_text(self, package: Package) -> str:
        if package.unlimited:
            return self.tr("Unlimited credits")
        return formatting.credits(package.credits or 0)

    # -- loading -------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded and not self._loading:
            self.refresh()

    def is_loaded(self) -> bool:
        return self._loaded and self._loading == 0 and not self.model.is_fetching()

    def refresh(self) -> None:
        """Balance, month usage and the chart in one background call; the table in another."""
        credits = self._credits
        since = month_start()
        window = dt.datetime.now(dt.UTC) - dt.timedelta(days=USAGE_DAYS + 1)

        def load() -> tuple[Balance, int, list[TransactionRecord]]:
            return (credits.balance(), credits.spent_since(since),
                    credits.history(limit=100_000, since=window))

        self._loading += 1
        (
            op(load, parent=self)
            .success(lambda result: self._figures(*result))
            .failure(lambda exc: self.message_bar.show_message(str(exc)))
            .finished(self._load_done)
            .run()
        )
        self.model.refresh()

    def _load_done(self) -> None:
        self._loading -= 1

    def _table_loaded(self) -> None:
        self.table.resizeColumnToContents(TransactionTableModel.COL_REFERENCE)

    def _figures(self, balance: Balance, used: int, recent: list[TransactionRecord]) -> None:
        self._loaded = True
        self.balance = balance
        if balance.unlimited:
            self.available.set("∞", self.tr("Unlimited plan"))
        else:
            low = balance.available < 50
            self.available.set(formatting.number(balance.available),
                               self.tr("Low balance — top up before sending") if low
                               else self.tr("credits"))
        self.reserved.set(formatting.number(balance.reserved), self.tr("held for pending sends"))
        self.used.set(formatting.number(used), month_start().strftime("%B %Y"))
        plan = self._credits.prices.packages.get(balance.plan)
        if plan is None:
            self.plan.set(self.tr("No package"), self.tr("buy one to start sending"))
        else:
            self.plan.set(plan.label, self.tr("current package"))
        if self.chart is None:
            from leaddesk.ui.credits.chart import UsageChart

            self.chart = UsageChart()
            self._chart_layout.insertWidget(1, self.chart, 1)
        self.chart.set_usage(usage_by_day(recent, USAGE_DAYS))

    # -- buying --------------------------------------------------------------------------------
    def confirm_purchase(self, package: Package) -> QMessageBox:
        """Ask before buying; the purchase runs when the user confirms."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Buy credits"),
            self.tr("Buy the %1 package (%2)?").replace("%1", package.label)
            .replace("%2", self._package_text(package).lower()),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        confirm = box.button(QMessageBox.StandardButton.Yes)
        confirm.setText(self.tr("Buy"))
        confirm.clicked.connect(lambda: self.purchase(package.name))
        box.open()
        return box

    def purchase(self, package: str) -> None:
        credits = self._credits
        for button in self.buy_buttons.values():
            button.setEnabled(False)
        (
            op(lambda: credits.purchase(package), parent=self)
            .success(self._purchased)
            .failure(lambda exc: self.message_bar.show_message(str(exc)))
            .finished(lambda: [b.setEnabled(True) for b in self.buy_buttons.values()])
            .run()
        )

    def _purchased(self, tx: TransactionRecord) -> None:
        label = tx.meta.get("package", tx.reference_id)
        self.message_bar.show_message(
            self.tr("Bought %1.").replace("%1", str(label)), kind="info", timeout_ms=4000
        )
        self.refresh()
        self.creditsChanged.emit()
