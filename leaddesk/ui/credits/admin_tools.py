"""The credits view's admin tools: buttons for allocating credits to members, their spend
caps, the price list and the low-balance warning level, and the dialogs they open
(``allocate.py``, ``caps.py``, ``price_list.py``, ``warning.py``)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.credits.pricing import PriceList
from leaddesk.services.credits.records import TransactionRecord
from leaddesk.services.team.users import UserService
from leaddesk.store.change_feed import Change
from leaddesk.ui import formatting
from leaddesk.ui.credits.allocate import AllocateDialog
from leaddesk.ui.credits.caps import SpendCapDialog
from leaddesk.ui.credits.members import cap_text
from leaddesk.ui.credits.price_list import PriceListDialog
from leaddesk.ui.credits.warning import LowBalanceDialog


class CreditAdminTools(QObject):
    """The buttons show for an admin (allocations and caps only with ``users``, the team).
    Emits ``notice(text)`` after a change, ``creditsChanged`` when balances or the warning
    level changed, and ``pricesPublished(PriceList)``. Dialogs open over ``parent``."""

    notice = Signal(str)
    creditsChanged = Signal()
    pricesPublished = Signal(object)

    def __init__(
        self, credits: CreditService, users: UserService | None, admin: bool, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self._credits = credits
        self._users = users
        self._parent = parent
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
        self.allocate_dialog: AllocateDialog | None = None
        team = admin and users is not None
        self.buttons = (self.allocate_button, self.caps_button, self.prices_button,
                        self.warning_button)
        for button, shown in zip(self.buttons, (team, team, admin, admin), strict=True):
            button.setVisible(shown)

    def open_allocate(self, take_back: bool = False) -> AllocateDialog | None:
        if self._users is None:
            return None
        dialog = AllocateDialog(self._credits, self._users, take_back=take_back,
                                parent=self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.allocated.connect(self._allocated)
        dialog.destroyed.connect(lambda *_: setattr(self, "allocate_dialog", None))
        dialog.open()
        self.allocate_dialog = dialog
        return dialog

    def on_changes(self, change: Change) -> None:
        """An open allocation dialog shows balances as they are now."""
        if self.allocate_dialog is not None:
            self.allocate_dialog.on_changes(change)

    def _allocated(self, tx: TransactionRecord, name: str) -> None:
        amount = formatting.credits(abs(tx.amount))
        done = self.tr("Gave %1 to %2.") if tx.amount > 0 else self.tr("Took %1 back from %2.")
        self.notice.emit(done.replace("%1", amount).replace("%2", name))
        self.creditsChanged.emit()

    def open_spend_caps(self) -> SpendCapDialog | None:
        if self._users is None:
            return None
        dialog = SpendCapDialog(self._credits, self._users, parent=self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.capChanged.connect(
            lambda cap, name: self.notice.emit(
                self.tr("%1: %2.").replace("%1", name).replace("%2", cap_text(cap))
            )
        )
        dialog.open()
        return dialog

    def open_price_list(self) -> PriceListDialog:
        dialog = PriceListDialog(self._credits, parent=self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.published.connect(self._prices_published)
        dialog.open()
        return dialog

    def _prices_published(self, prices: PriceList) -> None:
        self.pricesPublished.emit(prices)
        self.notice.emit(
            self.tr("Price list version %1 published: charges from now on use it.").replace(
                "%1", str(prices.version)
            )
        )

    def open_low_balance(self) -> LowBalanceDialog:
        dialog = LowBalanceDialog(self._credits, parent=self._parent)
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
        self.notice.emit(text)
        self.creditsChanged.emit()  # the status bar reads the threshold again
