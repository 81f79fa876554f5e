"""The admin's allocation dialog: give a member credits from the admin's balance, or take
unspent credits back. The move runs after a confirmation that shows both balances before and
after; the ledger service decides whether it may happen."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.credits.records import Balance, TransactionRecord
from leaddesk.services.errors import (
    InsufficientCreditsError,
    SpendCapExceededError,
)
from leaddesk.services.team.users import UserService
from leaddesk.store.change_feed import CREDIT_TABLES, Change
from leaddesk.ui import formatting
from leaddesk.ui.credits.members import MemberPicker
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import FieldErrors, error_label, muted

MAX_AMOUNT = 100_000_000


class AllocateDialog(QDialog):
    """``allocated(record, member name)`` after a move, with the member's ledger line."""

    allocated = Signal(object, str)

    def __init__(
        self,
        credits: CreditService,
        users: UserService,
        take_back: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Allocate credits"))
        self.setMinimumWidth(520)
        self._credits = credits
        self._keys: dict[tuple[uuid.UUID, int], str] = {}
        self._running = False
        self.own: Balance | None = None
        self.confirmation: QMessageBox | None = None

        self.picker = MemberPicker(credits, users, include_self=False)
        self.give = QRadioButton(self.tr("Give credits from my balance"))
        self.take = QRadioButton(self.tr("Take unspent credits back"))
        direction = QButtonGroup(self)
        for button in (self.give, self.take):
            direction.addButton(button)
        (self.take if take_back else self.give).setChecked(True)
        self.amount = QSpinBox()
        self.amount.setRange(0, MAX_AMOUNT)
        self.amount.setSingleStep(100)
        self.amount.setGroupSeparatorShown(True)
        self.amount.setSuffix(self.tr(" credits"))
        self.amount.setMinimumWidth(160)
        self.own_label = muted(self.tr("Your balance: …"))

        labels = {"user": error_label(), "amount": error_label()}
        general = error_label()
        self.errors = FieldErrors(labels, general)
        form = QFormLayout()
        form.setVerticalSpacing(6)
        form.addRow(self.tr("Member"), self.picker)
        form.addRow("", labels["user"])
        directions = QVBoxLayout()
        directions.setSpacing(2)
        directions.addWidget(self.give)
        directions.addWidget(self.take)
        form.addRow(self.tr("Move"), directions)
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount)
        amount_row.addStretch(1)
        form.addRow(self.tr("Amount"), amount_row)
        form.addRow("", labels["amount"])
        form.addRow("", self.own_label)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.submit_button = QPushButton()
        self.submit_button.setProperty("primary", True)
        self.submit_button.setDefault(True)
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.give.toggled.connect(self._update)
        self.amount.valueChanged.connect(self._update)
        self.picker.figuresChanged.connect(self._update)
        self.picker.combo.currentIndexChanged.connect(self._update)
        self._update()
        self._load_own()

    # -- state -------------------------------------------------------------------------------
    def _load_own(self) -> None:
        credits = self._credits
        op(credits.balance, parent=self).success(self._own_arrived).failure(
            lambda exc: self.errors.show("", str(exc))
        ).run()

    def _own_arrived(self, balance: Balance) -> None:
        self.own = balance
        self._update()

    def on_changes(self, change: Change) -> None:
        """Credits moved elsewhere: the own and the member's balances are read again (not
        while this dialog's own change runs: its outcome reloads them)."""
        if change.touches(*CREDIT_TABLES) and not self._running:
            self._load_own()
            self.picker.reload_figures()

    def reject(self) -> None:
        """Not while the change runs: its outcome must reach the view (Esc and Cancel wait)."""
        if not self._running:
            super().reject()

    def is_loaded(self) -> bool:
        return self.own is not None and self.picker.is_loaded()

    def signed_amount(self) -> int:
        """What the member's balance changes by: positive gives, negative takes back."""
        return self.amount.value() if self.give.isChecked() else -self.amount.value()

    def _update(self) -> None:
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setEnabled(not self._running)
        giving = self.give.isChecked()
        self.submit_button.setText(self.tr("Give…") if giving else self.tr("Take back…"))
        self.submit_button.setEnabled(not self._running and self.picker.member_id() is not None)
        own = self.own
        if own is None:
            self.own_label.setText(self.tr("Your balance: …"))
        elif own.unlimited:
            self.own_label.setText(self.tr("Your plan is unlimited."))
        else:
            self.own_label.setText(
                self.tr("Your balance: %1 available").replace(
                    "%1", formatting.credits(own.available)
                )
            )

    # -- confirming and moving -----------------------------------------------------------------
    def confirm(self) -> QMessageBox | None:
        """Check the form, then ask before moving credits; the move runs on "Give"/"Take"."""
        self.errors.clear()
        member, name = self.picker.member_id(), self.picker.member_name()
        amount = self.signed_amount()
        if member is None:
            self.errors.show("user", self.tr("Choose a member."))
            return None
        if amount == 0:
            self.errors.show("amount", self.tr("Enter how many credits, 1 or more."))
            return None
        giving = amount > 0
        n = formatting.credits(abs(amount))
        question = (
            (self.tr("Give %1 to %2?") if giving else self.tr("Take %1 back from %2?"))
            .replace("%1", n)
            .replace("%2", name)
        )
        details = []
        figures = self.picker.figures
        if figures is not None and figures.user_id == member and not figures.balance.unlimited:
            have = figures.balance.available
            details.append(
                self.tr("%1: %2 → %3 credits")
                .replace("%1", name)
                .replace("%2", formatting.number(have))
                .replace("%3", formatting.number(have + amount))
            )
        if self.own is not None and not self.own.unlimited:
            have = self.own.available
            details.append(
                self.tr("You: %1 → %2 credits")
                .replace("%1", formatting.number(have))
                .replace("%2", formatting.number(have - amount))
            )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Allocate credits"),
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText("\n".join(details))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText(self.tr("Give") if giving else self.tr("Take back"))
        yes.clicked.connect(lambda: self.move(member, amount, name))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.open()
        self.confirmation = box
        return box

    def move(self, member: uuid.UUID, amount: int, name: str) -> None:
        """Run the allocation. The same member and amount reuse one idempotency key, so a
        retry after an unclear failure never moves the credits twice."""
        key = self._keys.setdefault((member, amount), f"ui-allocate:{uuid.uuid4()}")
        credits = self._credits
        self._running = True
        self._update()
        (
            op(lambda: credits.allocate(member, amount, idempotency_key=key), parent=self)
            .success(lambda tx: self._moved(tx, name))
            .failure(lambda exc: self._refused(exc, amount, name))
            .finished(self._finished)
            .run()
        )

    def _finished(self) -> None:
        self._running = False
        self._update()

    def _moved(self, tx: TransactionRecord, name: str) -> None:
        self.allocated.emit(tx, name)
        self.accept()

    def _refused(self, exc: BaseException, amount: int, name: str) -> None:
        if isinstance(exc, InsufficientCreditsError) and not isinstance(exc, SpendCapExceededError):
            if amount > 0:
                text = self.tr("You have %1 to give.").replace("%1", formatting.credits(exc.have))
            else:
                text = (
                    self.tr("%1 has %2 that are not spent or reserved.")
                    .replace("%1", name)
                    .replace("%2", formatting.credits(exc.have))
                )
            self.errors.show("amount", text)
        else:
            self.errors.show_error(exc)
        self.picker.reload_figures()
        self._load_own()
