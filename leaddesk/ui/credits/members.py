"""Choosing a team member in the admin's credit dialogs, and showing what they have."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.credits.records import Balance, SpendCap
from leaddesk.services.team.users import UserRecord, UserService
from leaddesk.ui import formatting
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import elided_combo, muted


@dataclass(frozen=True, slots=True)
class MemberCredits:
    """A member's balance and spend cap, read together off the GUI thread."""

    user_id: uuid.UUID
    balance: Balance
    cap: SpendCap


def display_name(user: UserRecord) -> str:
    return user.name or user.username


def cap_text(cap: SpendCap) -> str:
    """``"no spend cap"`` or ``"cap 500 credits a week, 120 used"`` (lower case, for a line)."""
    if cap.credits is None:
        return QCoreApplication.translate("credits", "no spend cap")
    return (
        QCoreApplication.translate("credits", "cap %1 a %2, %3 used")
        .replace("%1", formatting.credits(cap.credits))
        .replace("%2", str(cap.period))
        .replace("%3", formatting.number(cap.spent))
    )


class MemberPicker(QWidget):
    """A combo of the team's active members and, under it, what the chosen one has.

    ``loaded`` fires when the member list arrived; ``figuresChanged`` when the chosen member's
    balance and cap arrived (``figures`` holds them).
    """

    loaded = Signal()
    figuresChanged = Signal()

    def __init__(
        self,
        credits: CreditService,
        users: UserService,
        include_self: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._credits = credits
        self._users = users
        self._include_self = include_self
        self._generation = 0
        self._pending = 0
        self.members: list[UserRecord] = []
        self.figures: MemberCredits | None = None
        self.combo = elided_combo()
        self.combo.setMinimumWidth(260)
        self.combo.addItem(self.tr("Loading the team…"), None)
        self.combo.setEnabled(False)
        self.status = muted()
        self.status.setWordWrap(False)  # one line: a wrapped label overlaps in a form row
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.combo)
        layout.addWidget(self.status)
        self.combo.currentIndexChanged.connect(self._chosen)
        self._pending += 1
        (
            op(lambda: users.list(include_inactive=False), parent=self)
            .success(self._fill)
            .failure(lambda exc: self.status.setText(str(exc)))
            .finished(self._done)
            .run()
        )

    def _done(self) -> None:
        self._pending -= 1

    def is_loaded(self) -> bool:
        """The member list and the chosen member's figures are on screen."""
        return self._pending == 0

    def _fill(self, records: list[UserRecord]) -> None:
        me = self._credits.actor.id
        self.members = [r for r in records if self._include_self or r.id != me]
        self.combo.blockSignals(True)
        self.combo.clear()
        if not self.members:
            self.combo.addItem(self.tr("No other active members"), None)
        for record in self.members:
            text = f"{display_name(record)} ({record.username})"
            if record.id == me:
                text += self.tr(" — you")
            self.combo.addItem(text, str(record.id))
        self.combo.blockSignals(False)
        self.combo.setEnabled(bool(self.members))
        self.loaded.emit()
        self._chosen()

    def member_id(self) -> uuid.UUID | None:
        data = self.combo.currentData()
        return uuid.UUID(data) if data else None

    def member(self) -> UserRecord | None:
        chosen = self.member_id()
        return next((r for r in self.members if r.id == chosen), None)

    def member_name(self) -> str:
        record = self.member()
        return display_name(record) if record is not None else ""

    def select(self, user_id: uuid.UUID) -> None:
        index = self.combo.findData(str(user_id))
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def reload_figures(self) -> None:
        self._chosen()

    def _chosen(self) -> None:
        self._generation += 1
        self.figures = None
        user_id = self.member_id()
        if user_id is None:
            self.status.setText("")
            return
        self.status.setText(self.tr("Reading their balance…"))
        credits, generation = self._credits, self._generation

        def read() -> MemberCredits:
            return MemberCredits(user_id, credits.balance(user_id), credits.spend_cap(user_id))

        self._pending += 1
        (
            op(read, parent=self)
            .success(lambda figures: self._show(generation, figures))
            .failure(lambda exc: self._failed(generation, exc))
            .finished(self._done)
            .run()
        )

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.status.setText(str(exc))

    def _show(self, generation: int, figures: MemberCredits) -> None:
        if generation != self._generation:
            return
        self.figures = figures
        bal = figures.balance
        if bal.unlimited:
            has = self.tr("Unlimited plan")
        else:
            has = self.tr("Has %1 available").replace("%1", formatting.credits(bal.available))
            if bal.reserved:
                has += self.tr(" (%1 reserved)").replace("%1", formatting.number(bal.reserved))
        self.status.setText(f"{has} · {cap_text(figures.cap)}")
        self.figuresChanged.emit()
