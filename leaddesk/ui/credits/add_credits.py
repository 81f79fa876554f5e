"""The credits view's "Add credits" card: redeeming a top-up code (everywhere), buying a
package (free, on demo databases only) and what each action costs."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.credits.pricing import Package, PriceList
from leaddesk.services.credits.records import TransactionRecord
from leaddesk.ui import formatting
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import Card, muted, section


class AddCreditsCard(Card):
    """Emits ``added(text)`` once credits were redeemed or bought (the text says what) and
    ``failed(text)`` when there is nothing to redeem or the service refused."""

    added = Signal(str)
    failed = Signal(str)

    def __init__(self, credits: CreditService) -> None:
        super().__init__()
        self._credits = credits
        grid = QGridLayout(self)
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
        self.show_packages(False)  # until the database says it is a demo
        self.prices_label = muted()
        self.show_prices(credits.prices)
        grid.addWidget(self.prices_label, 6, 0, 1, 3)
        grid.setRowStretch(7, 1)

    def show_packages(self, shown: bool) -> None:
        """Packages (and the note that they are free) show on demo databases only."""
        for widget in self._demo_widgets:
            widget.setVisible(shown)

    def show_prices(self, prices: PriceList) -> None:
        listed = ", ".join(
            f"{prices.labels.get(action, action)} {cost}"
            for action, cost in prices.actions.items()
            if not action.startswith("lead_")
        )
        self.prices_label.setText(self.tr("Credits per action: ") + listed)
        self.prices_label.setToolTip(
            self.tr("Price list version %1").replace("%1", str(prices.version))
        )

    def _package_text(self, package: Package) -> str:
        if package.unlimited:
            return self.tr("Unlimited credits")
        return formatting.credits(package.credits or 0)

    # -- redeeming a code --------------------------------------------------------------------
    def redeem(self) -> None:
        """Redeem the code in the field; each refusal says why (malformed, forged, expired,
        already used)."""
        code = self.code_edit.text().strip()
        if not code:
            self.failed.emit(self.tr("Paste a top-up code first."))
            return
        credits = self._credits
        self.redeem_button.setEnabled(False)
        (
            op(lambda: credits.redeem(code), parent=self)
            .success(self._redeemed)
            .failure(lambda exc: self.failed.emit(str(exc)))
            .finished(lambda: self.redeem_button.setEnabled(True))
            .run()
        )

    def _redeemed(self, tx: TransactionRecord) -> None:
        self.code_edit.clear()
        label = tx.meta.get("package", f"{tx.amount:,} credits")
        self.added.emit(self.tr("Redeemed %1.").replace("%1", str(label)))

    # -- buying a package --------------------------------------------------------------------
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
            .failure(lambda exc: self.failed.emit(str(exc)))
            .finished(lambda: [b.setEnabled(True) for b in self.buy_buttons.values()])
            .run()
        )

    def _purchased(self, tx: TransactionRecord) -> None:
        label = tx.meta.get("package", tx.reference_id)
        self.added.emit(self.tr("Bought %1.").replace("%1", str(label)))
