"""The credits view: balance tiles, adding credits, usage per day by action, the transaction
history with filters and CSV export; for admins, allocations, spend caps, the price list and
the low-balance warning level (dialogs in ``allocate.py``, ``caps.py``, ``price_list.py``,
``warning.py``)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.credits.history import CreditHistory, DailyUsage, LedgerFilter, write_csv
from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.credits.pricing import Package, PriceList
from leaddesk.services.credits.records import Balance, SpendCap, TransactionRecord
from leaddesk.services.team.users import UserService
from leaddesk.store.enums import Role
from leaddesk.ui import formatting
from leaddesk.ui.credits.allocate import AllocateDialog
from leaddesk.ui.credits.caps import SpendCapDialog
from leaddesk.ui.credits.members import cap_text
from leaddesk.ui.credits.model import Page, TransactionTableModel
from leaddesk.ui.credits.price_list import PriceListDialog
from leaddesk.ui.credits.usage import RANGES, legend_html
from leaddesk.ui.credits.warning import LowBalanceDialog
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import BadgeDelegate, Card, MessageBar, StatTile, muted, section, title

if TYPE_CHECKING:
    from leaddesk.ui.credits.chart import UsageChart

USAGE_DAYS = 30
NO_DATE = QDate(2000, 1, 1)  # a date edit at its minimum means "no limit"
EVERYONE = "*"


def month_start(now: dt.datetime | None = None) -> dt.datetime:
    """The first instant of the user's current month, as an aware datetime."""
    now = (now or dt.datetime.now().astimezone()).astimezone()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _local_midnight(day: QDate) -> dt.datetime:
    return dt.datetime(day.year(), day.month(), day.day()).astimezone()


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
        self._users = users
        self._history = CreditHistory(credits)
        self._admin = credits.actor.role is Role.ADMIN
        self._loaded = False
        self._loading = 0
        self.usage_days = USAGE_DAYS
        self.balance: Balance | None = None
        self.low_balance: str | None = None
        labels = dict(credits.prices.labels)
        self._labels = labels

        self.available = StatTile(self.tr("Available"))
        self.reserved = StatTile(self.tr("Reserved"))
        self.used = StatTile(self.tr("Used this month"))
        self.plan = StatTile(self.tr("Plan"))
        tiles = QHBoxLayout()
        tiles.setSpacing(12)
        for tile in (self.available, self.reserved, self.used, self.plan):
            tiles.addWidget(tile, 1)

        packages = self._add_credits_card(credits)
        chart_card = self._chart_card()
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

        self.message_bar = MessageBar()
        middle = QHBoxLayout()
        middle.setSpacing(12)
        middle.addWidget(packages, 2)
        middle.addWidget(chart_card, 3)
        packages.setFixedHeight(230)
        chart_card.setFixedHeight(230)
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
        self.allocate_button = QPushButton(self.tr("Allocate credits…"))
        self.allocate_button.setToolTip(
            self.tr("Give a member credits from your balance, or take unspent credits back")
        )
        self.allocate_button.clicked.connect(self.open_allocate)
        self.caps_button = QPushButton(self.tr("Spend caps…"))
        self.caps_button.setToolTip(self.tr("Cap what a member may spend per week or month"))
        self.caps_button.clicked.connect(self.open_spend_caps)
        self.prices_button = QPushButton(self.tr("Price list…"))
        self.prices_button.setToolTip(self.tr("Change what each action costs"))
        self.prices_button.clicked.connect(self.open_price_list)
        self.warning_button = QPushButton(self.tr("Low-balance warning…"))
        self.warning_button.setToolTip(self.tr("Below how many credits everyone is warned"))
        self.warning_button.clicked.connect(self.open_low_balance)
        team = self._admin and self._users is not None
        for button, shown in (
            (self.allocate_button, team),
            (self.caps_button, team),
            (self.prices_button, self._admin),
            (self.warning_button, self._admin),
        ):
            button.setVisible(shown)
            head.addWidget(button)
        return head

    def _add_credits_card(self, credits: CreditService) -> Card:
        """Redeeming a top-up code (everywhere) and free packages (demo databases only)."""
        card = Card()
        grid = QGridLayout(card)
        grid.setContentsMargins(16, 12, 16, 12)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(2)
        grid.addWidget(section(self.tr("Add credits")), 0, 0, 1, 3)
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText(self.tr("Top-up code, e.g. LD1-XXXXX-XXXXX-…"))
        self.code_edit.returnPressed.connect(self.redeem)
        self.redeem_button = QPushButton(self.tr("Redeem"))
        self.redeem_button.clicked.connect(self.redeem)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code_edit, 1)
        code_row.addWidget(self.redeem_button)
        grid.addLayout(code_row, 1, 0, 1, 3)

        self.buy_buttons: dict[str, QPushButton] = {}
        self.demo_note = muted(self.tr("Demo database: packages are free here."))
        grid.addWidget(self.demo_note, 2, 0, 1, 3)
        self._demo_widgets: list[QWidget] = [self.demo_note]
        for column, package in enumerate(credits.prices.packages.values()):
            name = QLabel(package.label)
            name.setProperty("role", "strong")
            amount = muted(self._package_text(package))
            button = QPushButton(self.tr("Buy"))
            button.setToolTip(self.tr("Buy the %1 package").replace("%1", package.label))
            button.clicked.connect(lambda _checked=False, p=package: self.confirm_purchase(p))
            self.buy_buttons[package.name] = button
            grid.addWidget(name, 3, column)
            grid.addWidget(amount, 4, column)
            grid.addWidget(button, 5, column)
            self._demo_widgets += [name, amount, button]
        for widget in self._demo_widgets:
            widget.hide()  # until the database says it is a demo
        self.prices_label = muted()
        self._show_prices(credits.prices)
        grid.addWidget(self.prices_label, 6, 0, 1, 3)
        grid.setRowStretch(7, 1)
        return card

    def _show_prices(self, prices: PriceList) -> None:
        listed = ", ".join(
            f"{prices.labels.get(action, action)} {cost}"
            for action, cost in prices.actions.items()
            if not action.startswith("lead_")
        )
        self.prices_label.setText(self.tr("Credits per action: ") + listed)
        self.prices_label.setToolTip(
            self.tr("Price list version %1").replace("%1", str(prices.version))
        )

    def _chart_card(self) -> Card:
        self.chart: UsageChart | None = None  # built with the first figures (see chart.py)
        card = Card()
        layout = self._chart_layout = QVBoxLayout(card)
        layout.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        self.chart_title = section(self._chart_title(USAGE_DAYS))
        self.chart_title.setToolTip(self.tr("Credits used per day, stacked by action"))
        head.addWidget(self.chart_title, 1)
        self.legend = muted()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.range_buttons: dict[int, QPushButton] = {}
        group = QButtonGroup(self)
        for days in RANGES:
            button = QPushButton(self.tr("%1 d").replace("%1", str(days)))
            button.setToolTip(self.tr("The last %1 days").replace("%1", str(days)))
            button.setCheckable(True)
            button.setChecked(days == USAGE_DAYS)
            button.clicked.connect(lambda _checked=False, d=days: self.set_usage_range(d))
            group.addButton(button)
            head.addWidget(button)
            self.range_buttons[days] = button
        layout.addLayout(head)
        layout.addWidget(self.legend)
        layout.addStretch(1)
        card.setStyleSheet(  # the theme has no checked buttons: mark the range shown
            "QPushButton:checked { background: #dbeafe; border-color: #3b82f6; color: #1d4ed8; }"
        )
        return card

    def _chart_title(self, days: int) -> str:
        return self.tr("Daily use, last %1 days").replace("%1", str(days))

    def _show_usage(self, usage: DailyUsage) -> None:
        if self.chart is None:
            from leaddesk.ui.credits.chart import UsageChart

            self.chart = UsageChart()
            self._chart_layout.takeAt(2)  # the stretch that kept the heading up without a chart
            self._chart_layout.insertWidget(2, self.chart, 1)
        self.chart.set_usage(usage)
        self.legend.setText(legend_html(usage, self._labels) or self.tr("No use in this period"))

    def _filter_bar(self) -> QVBoxLayout:
        """The "Transactions" heading with the filters beside it, or under it when the view is
        too narrow for one line (see ``resizeEvent``)."""
        self.filters = QWidget()
        bar = QHBoxLayout(self.filters)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(8)
        self.since_edit, self.until_edit = self._date_edit(), self._date_edit()
        bar.addWidget(QLabel(self.tr("From")))
        bar.addWidget(self.since_edit)
        bar.addWidget(QLabel(self.tr("to")))
        bar.addWidget(self.until_edit)
        self.action_combo = QComboBox()
        self.action_combo.addItem(self.tr("All actions"), "")
        bar.addWidget(self.action_combo)
        self.user_combo = QComboBox()
        self.user_combo.addItem(self.tr("My credits"), "")
        if self._admin:
            self.user_combo.addItem(self.tr("Everyone"), EVERYONE)
        self.user_combo.setVisible(self._admin)
        bar.addWidget(self.user_combo)
        self.refunds_check = QCheckBox(self.tr("Show refunds"))
        self.refunds_check.setChecked(True)
        bar.addWidget(self.refunds_check)
        bar.addStretch(1)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.clicked.connect(self.choose_export_file)
        for combo in (self.action_combo, self.user_combo):
            combo.currentIndexChanged.connect(self.apply_filters)
        for edit in (self.since_edit, self.until_edit):
            edit.dateChanged.connect(self.apply_filters)
        self.refunds_check.toggled.connect(self.apply_filters)
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

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText(self.tr("any day"))
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setDate(NO_DATE)
        return edit

    def _package_text(self, package: Package) -> str:
        if package.unlimited:
            return self.tr("Unlimited credits")
        return formatting.credits(package.credits or 0)

    # -- filters ---------------------------------------------------------------------------------
    def ledger_filter(self) -> LedgerFilter:
        """The filter the controls describe (the table, the chart and the export use it)."""
        since, until = self.since_edit.date(), self.until_edit.date()
        user = self.user_combo.currentData() or None
        action = self.action_combo.currentData()
        return LedgerFilter(
            since=None if since == NO_DATE else _local_midnight(since),
            until=None if until == NO_DATE else _local_midnight(until.addDays(1)),
            actions=(action,) if action else (),
            user=None if user in (None, EVERYONE) else uuid.UUID(user),
            all_users=user == EVERYONE,
            show_refunds=self.refunds_check.isChecked(),
        )

    def _page_for(self, filt: LedgerFilter) -> Page:
        history = self._history
        return lambda after, limit: history.page(filt, after, limit)

    def apply_filters(self) -> None:
        filt = self.ledger_filter()
        self.model.set_page(self._page_for(filt))
        self._load_usage()

    def set_usage_range(self, days: int) -> None:
        self.usage_days = days
        self.range_buttons[days].setChecked(True)
        self.chart_title.setText(self._chart_title(days))
        self._load_usage()

    def _load_usage(self) -> None:
        history, days, filt = self._history, self.usage_days, self.ledger_filter()
        self._loading += 1
        (
            op(lambda: history.usage_by_day(days, filt.user, filt.all_users), parent=self)
            .success(self._show_usage)
            .failure(lambda exc: self.message_bar.show_message(str(exc)))
            .finished(self._load_done)
            .run()
        )

    # -- export ----------------------------------------------------------------------------------
    def choose_export_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export transactions"),
            "credit-transactions.csv",
            self.tr("CSV files (*.csv)"),
        )
        if path:
            self.export_csv(Path(path))

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
                    self.tr("Exported %1 transactions to %2")
                    .replace("%1", f"{n:,}")
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

    def _load_done(self) -> None:
        self._loading -= 1

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
        self._show_usage(figures.usage)
        for widget in self._demo_widgets:
            widget.setVisible(figures.demo)
        self._fill_choices(figures.actions, figures.members)
        self.model.set_names({str(user_id): name for user_id, name in figures.members})
        self._show_prices(figures.prices)

    def _fill_choices(self, actions: list[str], members: list[tuple[uuid.UUID, str]]) -> None:
        """Offer the actions and members the ledger has, keeping the current choices."""
        me = str(self._credits.actor.id)
        for combo, fixed, items in (
            (
                self.action_combo,
                1,
                [(self._labels.get(a, formatting.label(a)), a) for a in actions],
            ),
            (
                self.user_combo,
                2 if self._admin else 1,
                [(name, str(user_id)) for user_id, name in members if str(user_id) != me],
            ),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > fixed:
                combo.removeItem(fixed)
            for text, data in items:
                combo.addItem(text, data)
            index = combo.findData(current)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    # -- adding credits --------------------------------------------------------------------------
    def redeem(self) -> None:
        """Redeem the code in the field; each refusal says why (malformed, forged, expired,
        already used)."""
        code = self.code_edit.text().strip()
        if not code:
            self.message_bar.show_message(self.tr("Paste a top-up code first."))
            return
        credits = self._credits
        self.redeem_button.setEnabled(False)
        (
            op(lambda: credits.redeem(code), parent=self)
            .success(self._redeemed)
            .failure(lambda exc: self.message_bar.show_message(str(exc)))
            .finished(lambda: self.redeem_button.setEnabled(True))
            .run()
        )

    def _redeemed(self, tx: TransactionRecord) -> None:
        self.code_edit.clear()
        label = tx.meta.get("package", f"{tx.amount:,} credits")
        self.message_bar.show_message(
            self.tr("Redeemed %1.").replace("%1", str(label)), kind="info", timeout_ms=4000
        )
        self.refresh()
        self.creditsChanged.emit()

    def confirm_purchase(self, package: Package) -> QMessageBox:
        """Ask before buying; the purchase runs when the user confirms."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Buy credits"),
            self.tr("Buy the %1 package (%2)?")
            .replace("%1", package.label)
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
        """Buy a package: the service refuses it outside demo databases."""
        credits = self._credits
        for button in self.buy_buttons.values():
            button.setEnabled(False)
        (
            op(lambda: credits.buy_package(package), parent=self)
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

    # -- admin: allocations, spend caps, prices ---------------------------------------------------
    def open_allocate(self, take_back: bool = False) -> AllocateDialog | None:
        if self._users is None:
            return None
        dialog = AllocateDialog(self._credits, self._users, take_back=take_back, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.allocated.connect(self._allocated)
        dialog.open()
        return dialog

    def _allocated(self, tx: TransactionRecord, name: str) -> None:
        amount = formatting.credits(abs(tx.amount))
        done = self.tr("Gave %1 to %2.") if tx.amount > 0 else self.tr("Took %1 back from %2.")
        self.message_bar.show_message(
            done.replace("%1", amount).replace("%2", name), kind="info", timeout_ms=6000
        )
        self.refresh()
        self.creditsChanged.emit()

    def open_spend_caps(self) -> SpendCapDialog | None:
        if self._users is None:
            return None
        dialog = SpendCapDialog(self._credits, self._users, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.capChanged.connect(
            lambda cap, name: self.message_bar.show_message(
                self.tr("%1: %2.").replace("%1", name).replace("%2", cap_text(cap)),
                kind="info",
                timeout_ms=6000,
            )
        )
        dialog.open()
        return dialog

    def open_price_list(self) -> PriceListDialog:
        dialog = PriceListDialog(self._credits, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.published.connect(self._prices_published)
        dialog.open()
        return dialog

    def _prices_published(self, prices: PriceList) -> None:
        self._show_prices(prices)
        self._labels.update(prices.labels)
        self.message_bar.show_message(
            self.tr("Price list version %1 published: charges from now on use it.").replace(
                "%1", str(prices.version)
            ),
            kind="info",
            timeout_ms=6000,
        )

    def open_low_balance(self) -> LowBalanceDialog:
        dialog = LowBalanceDialog(self._credits, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._threshold_saved)
        dialog.open()
        return dialog

    def _threshold_saved(self, threshold: int) -> None:
        text = (
            self.tr("The low-balance warning is off.")
            if threshold == 0
            else self.tr("Everyone is warned below %1.").replace(
                "%1", formatting.credits(threshold)
            )
        )
        self.message_bar.show_message(text, kind="info", timeout_ms=6000)
        self.refresh()
        self.creditsChanged.emit()  # the status bar reads the threshold again
