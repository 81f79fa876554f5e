"""The credits view: balance tiles, adding credits, usage per day by action, the transaction
history with filters and CSV export; for admins, allocations, spend caps, the price list and
the low-balance warning level.

The cards are ``add_credits.py`` and ``usage_card.py``, the filters ``ledger_filters.py``, the
admin tools ``admin_tools.py`` (their dialogs in ``allocate.py``, ``caps.py``,
``price_list.py``, ``warning.py``)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.credits.history import CreditHistory, DailyUsage, LedgerFilter, write_csv
from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.credits.pricing import PriceList
from leaddesk.services.credits.records import Balance, SpendCap
from leaddesk.services.team.users import UserService
from leaddesk.store.change_feed import CREDIT_TABLES, Change
from leaddesk.store.enums import Role
from leaddesk.ui import file_dialogs, formatting
from leaddesk.ui.credits.add_credits import AddCreditsCard
from leaddesk.ui.credits.admin_tools import CreditAdminTools
from leaddesk.ui.credits.ledger_filters import LedgerFilters
from leaddesk.ui.credits.model import Page, TransactionTableModel
from leaddesk.ui.credits.usage_card import UsageCard
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import BadgeDelegate, MessageBar, StatTile, section, title

USAGE_DAYS = 30


def month_start(now: dt.datetime | None = None) -> dt.datetime:
    """The first instant of the user's current month, as an aware datetime."""
    now = (now or dt.datetime.now().astimezone()).astimezone()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class _Figures:
    """Everything the view shows besides the table, read in one background call."""

    balance: Balance
    used: int
    usage: DailyUsage
    threshold: int
    demo: bool
    actions: list[str]
    members: list[tuple[uuid.UUID, str]]
    prices: PriceList
    cap: SpendCap


class CreditsView(QWidget):
    """Emits ``creditsChanged`` after credits were added or allocated (the status bar shows the
    new balance). ``users`` lists the members an admin allocates to and caps; without it (or
    for a member) the admin buttons are not shown."""

    creditsChanged = Signal()

    def __init__(
        self,
        credits: CreditService,
        parent: QWidget | None = None,
        users: UserService | None = None,
    ) -> None:
        super().__init__(parent)
        self._credits = credits
        self._history = CreditHistory(credits)
        self._admin = credits.actor.role is Role.ADMIN
        self._loaded = False
        self._loading = 0
        self._stale = False  # data changed while loading: load again when done
        self.usage_days = USAGE_DAYS
        self.balance: Balance | None = None
        self.low_balance: str | None = None
        labels = dict(credits.prices.labels)
        self._labels = labels
        self.message_bar = MessageBar()

        self.available = StatTile(self.tr("Available"))
        self.reserved = StatTile(self.tr("Reserved"))
        self.used = StatTile(self.tr("Used this month"))
        self.plan = StatTile(self.tr("Plan"))
        tiles = QHBoxLayout()
        tiles.setSpacing(12)
        for tile in (self.available, self.reserved, self.used, self.plan):
            tiles.addWidget(tile, 1)

        self.admin = CreditAdminTools(credits, users, self._admin, self)
        self.admin.notice.connect(
            lambda text: self.message_bar.show_message(text, kind="info", timeout_ms=6000)
        )
        self.admin.creditsChanged.connect(self._credits_changed)
        self.admin.pricesPublished.connect(self._prices_published)
        self.add_credits = AddCreditsCard(credits)
        self.add_credits.added.connect(self._credits_added)
        self.add_credits.failed.connect(self.message_bar.show_message)
        self.usage_card = UsageCard(labels, USAGE_DAYS)
        self.usage_card.rangeChosen.connect(self.set_usage_range)
        filter_bar = self._filter_bar()

        self.model = TransactionTableModel(self._page_for(self.ledger_filter()), labels, self)
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
            TransactionTableModel.COL_KIND,
            BadgeDelegate(TransactionTableModel.KindRole, self.table),
        )

        middle = QHBoxLayout()
        middle.setSpacing(12)
        middle.addWidget(self.add_credits, 2)
        middle.addWidget(self.usage_card, 3)
        self.add_credits.setFixedHeight(230)
        self.usage_card.setFixedHeight(230)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(12)
        layout.addLayout(self._header())
        layout.addWidget(self.message_bar)
        layout.addLayout(tiles)
        layout.addLayout(middle)
        layout.addLayout(filter_bar)
        layout.addWidget(self.table, 1)
        self.model.loaded.connect(self._table_loaded)

    # -- layout pieces ---------------------------------------------------------------------------
    def _header(self) -> QHBoxLayout:
        """The title and, for admins, the team's credit tools."""
        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(title(self.tr("Credits")))
        head.addStretch(1)
        for button in self.admin.buttons:
            head.addWidget(button)
        return head

    def _filter_bar(self) -> QVBoxLayout:
        """The "Transactions" heading with the filters beside it, or under it when the view is
        too narrow for one line (see ``resizeEvent``)."""
        self.filters = LedgerFilters(self._admin, self._credits.actor.id, self._labels)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.clicked.connect(self.choose_export_file)
        self.filters.changed.connect(self.apply_filters)
        self.transactions_heading = section(self.tr("Transactions"))
        self._filters_top = QHBoxLayout()
        self._filters_top.setSpacing(8)
        self._filters_top.addWidget(self.transactions_heading)
        self._filters_top.addStretch(1)
        self._filters_top.addWidget(self.export_button)
        self._filters_below = QHBoxLayout()
        rows = QVBoxLayout()
        rows.setSpacing(6)
        rows.addLayout(self._filters_top)
        rows.addLayout(self._filters_below)
        self.filters_inline: bool | None = None
        self._place_filters(True)
        return rows

    def _place_filters(self, inline: bool) -> None:
        if inline == self.filters_inline:
            return
        self.filters_inline = inline
        for row in (self._filters_top, self._filters_below):
            row.removeWidget(self.filters)
        if inline:  # before the export button
            self._filters_top.insertWidget(self._filters_top.count() - 1, self.filters)
        else:
            self._filters_below.addWidget(self.filters, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        margins = self.layout().contentsMargins()
        room = event.size().width() - margins.left() - margins.right()
        needed = self.transactions_heading.sizeHint().width() + 24
        needed += self.filters.sizeHint().width() + self.export_button.sizeHint().width()
        self._place_filters(room >= needed)

    # -- filters ---------------------------------------------------------------------------------
    def ledger_filter(self) -> LedgerFilter:
        """The filter the controls describe (the table, the chart and the export use it)."""
        return self.filters.ledger_filter()

    def _page_for(self, filt: LedgerFilter) -> Page:
        history = self._history
        return lambda after, limit: history.page(filt, after, limit)

    def apply_filters(self) -> None:
        filt = self.ledger_filter()
        self.model.set_page(self._page_for(filt))
        self._load_usage()

    def set_usage_range(self, days: int) -> None:
        self.usage_days = days
        self.usage_card.show_range(days)
        self._load_usage()

    def _load_usage(self) -> None:
        history, days, filt = self._history, self.usage_days, self.ledger_filter()
        self._loading += 1
        (
            op(lambda: history.usage_by_day(days, filt.user, filt.all_users), parent=self)
            .success(self.usage_card.show_usage)
            .failure(lambda exc: self.message_bar.show_message(str(exc)))
            .finished(self._load_done)
            .run()
        )

    # -- export ----------------------------------------------------------------------------------
    def choose_export_file(self) -> None:
        path = file_dialogs.save_file(
            self,
            self.tr("Export transactions"),
            "credit-transactions.csv",
            self.tr("CSV files (*.csv)"),
        )
        if path:
            self.export_csv(path)

    def export_csv(self, path: Path) -> None:
        """Write every transaction the filters select (not just the loaded rows) to ``path``."""
        history, filt = self._history, self.ledger_filter()

        def export() -> int:
            with path.open("w", newline="", encoding="utf-8") as out:
                return write_csv(history.iter_all(filt), out)

        self.export_button.setEnabled(False)
        (
            op(export, parent=self)
            .success(
                lambda n: self.message_bar.show_message(
                    self.tr("Exported %1 to %2")
                    .replace("%1", formatting.plural(n, "transaction"))
                    .replace("%2", str(path)),
                    kind="info",
                    timeout_ms=6000,
                )
            )
            .failure(lambda exc: self.message_bar.show_message(str(exc)))
            .finished(lambda: self.export_button.setEnabled(True))
            .run()
        )

    # -- loading ---------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded and not self._loading:
            self.refresh()

    def is_loaded(self) -> bool:
        return self._loaded and self._loading == 0 and not self.model.is_fetching()

    def refresh(self) -> None:
        """Figures, chart and filter choices in one background call; the table in another."""
        credits, history, admin = self._credits, self._history, self._admin
        days, filt = self.usage_days, self.ledger_filter()
        since = month_start()

        def load() -> _Figures:
            return _Figures(
                balance=credits.balance(),
                used=credits.spent_since(since),
                usage=history.usage_by_day(days, filt.user, filt.all_users),
                threshold=credits.low_balance_threshold(),
                demo=credits.is_demo_database(),
                actions=history.actions(),
                members=history.members() if admin else [],
                prices=credits.prices,
                cap=credits.spend_cap(),
            )

        self._loading += 1
        (
            op(load, parent=self)
            .success(self._figures)
            .failure(lambda exc: self.message_bar.show_message(str(exc)))
            .finished(self._load_done)
            .run()
        )
        self.model.refresh()

    def on_changes(self, change: Change) -> None:
        """Sends, the CLI or a team-mate moved credits: figures, chart and history reload (one
        reload at a time; a view never loaded loads when shown). An open allocation dialog
        reads its balances again too."""
        if not change.touches(*CREDIT_TABLES):
            return
        self.admin.on_changes(change)
        if self._loading:
            self._stale = True
        elif self._loaded:
            self.refresh()

    def _load_done(self) -> None:
        self._loading -= 1
        if self._stale and not self._loading:
            self._stale = False
            self.refresh()

    def _table_loaded(self) -> None:
        self.table.resizeColumnToContents(TransactionTableModel.COL_REFERENCE)

    def _figures(self, figures: _Figures) -> None:
        self._loaded = True
        balance = figures.balance
        self.balance = balance
        self.low_balance = self._credits.low_balance_warning(balance, figures.threshold)
        if balance.unlimited:
            self.available.set("∞", self.tr("Unlimited plan"))
        else:
            self.available.set(
                formatting.number(balance.available),
                self.tr("Low balance — top up before sending")
                if self.low_balance
                else self.tr("credits"),
            )
        self.reserved.set(formatting.number(balance.reserved), self.tr("held for pending sends"))
        self.used.set(formatting.number(figures.used), month_start().strftime("%B %Y"))
        cap = figures.cap
        if cap.credits is not None and cap.remaining is not None:
            self.used.note.setText(
                self.tr("spend cap: %1 of %2 left this %3")
                .replace("%1", formatting.number(cap.remaining))
                .replace("%2", formatting.number(cap.credits))
                .replace("%3", str(cap.period))
            )
        plan = figures.prices.packages.get(balance.plan)
        if plan is None and not self._admin:
            self.plan.set(self.tr("Team credits"), self.tr("allocated by your admin"))
        elif plan is None:
            self.plan.set(self.tr("No package"), self.tr("redeem a top-up code to start"))
        else:
            self.plan.set(plan.label, self.tr("current package"))
        self.usage_card.show_usage(figures.usage)
        self.add_credits.show_packages(figures.demo)
        self.filters.fill_choices(figures.actions, figures.members)
        self.model.set_names({str(user_id): name for user_id, name in figures.members})
        self.add_credits.show_prices(figures.prices)

    # -- credits added, allocated or priced anew -------------------------------------------
    def _credits_added(self, text: str) -> None:
        self.message_bar.show_message(text, kind="info", timeout_ms=4000)
        self._credits_changed()

    def _credits_changed(self) -> None:
        self.refresh()
        self.creditsChanged.emit()

    def _prices_published(self, prices: PriceList) -> None:
        self.add_credits.show_prices(prices)
        self._labels.update(prices.labels)
