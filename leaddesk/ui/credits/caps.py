"""The admin's spend-cap dialog: cap what a member may spend per calendar week or month, or
remove the cap. The member's current cap and what counts against it show as they are chosen."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.credits.records import SpendCap
from leaddesk.services.team.users import UserService
from leaddesk.store.models.credit import CapPeriod
from leaddesk.ui.credits.members import MemberPicker
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import FieldErrors, dialog_buttons, error_label, muted

MAX_CAP = 100_000_000


class SpendCapDialog(QDialog):
    """``capChanged(cap, member name)`` after a cap was set or removed."""

    capChanged = Signal(object, str)

    def __init__(
        self, credits: CreditService, users: UserService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Spend cap"))
        self.setMinimumWidth(520)
        self._credits = credits
        self._saving = False

        self.picker = MemberPicker(credits, users, include_self=True)
        self.no_cap = QRadioButton(self.tr("No cap"))
        self.capped = QRadioButton(self.tr("Cap at"))
        group = QButtonGroup(self)
        group.addButton(self.no_cap)
        group.addButton(self.capped)
        self.no_cap.setChecked(True)
        self.credits = QSpinBox()
        self.credits.setRange(0, MAX_CAP)
        self.credits.setSingleStep(100)
        self.credits.setGroupSeparatorShown(True)
        self.credits.setSuffix(self.tr(" credits"))
        self.credits.setMinimumWidth(150)
        self.period = QComboBox()
        self.period.addItem(self.tr("per week"), CapPeriod.WEEK.value)
        self.period.addItem(self.tr("per month"), CapPeriod.MONTH.value)
        self.period.setCurrentIndex(1)

        labels = {
            "user": error_label(),
            "credits": error_label(),
            "period": error_label(),
        }
        general = error_label()
        self.errors = FieldErrors(labels, general)
        cap_row = QHBoxLayout()
        cap_row.addWidget(self.capped)
        cap_row.addWidget(self.credits)
        cap_row.addWidget(self.period)
        cap_row.addStretch(1)
        choice = QVBoxLayout()
        choice.setSpacing(4)
        choice.addWidget(self.no_cap)
        choice.addLayout(cap_row)
        form = QFormLayout()
        form.setVerticalSpacing(6)
        form.addRow(self.tr("Member"), self.picker)
        form.addRow("", labels["user"])
        form.addRow(self.tr("Spend"), choice)
        form.addRow("", labels["credits"])
        form.addRow("", labels["period"])
        form.addRow(
            "",
            muted(
                self.tr(
                    "Weeks start on Monday, months on the 1st (UTC). What the member already "
                    "spent in the current week or month counts at once."
                )
            ),
        )

        self.buttons = dialog_buttons(self, self.save)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.capped.toggled.connect(self._update)
        self.credits.valueChanged.connect(lambda _v: self.capped.setChecked(True))
        self.picker.figuresChanged.connect(self._prefill)
        self.picker.combo.currentIndexChanged.connect(self._update)
        self._update()

    def reject(self) -> None:
        """Not while the change runs: its outcome must reach the view (Esc and Cancel wait)."""
        if not self._saving:
            super().reject()

    def is_loaded(self) -> bool:
        return self.picker.is_loaded()

    def _prefill(self) -> None:
        """Show the chosen member's current cap in the form."""
        figures = self.picker.figures
        if figures is None:
            return
        cap = figures.cap
        self.credits.blockSignals(True)
        self.credits.setValue(cap.credits or 0)
        self.credits.blockSignals(False)
        if cap.credits is None:
            self.no_cap.setChecked(True)
        else:
            self.capped.setChecked(True)
            self.period.setCurrentIndex(max(self.period.findData(cap.period), 0))
        self.errors.clear()
        self._update()

    def _update(self) -> None:
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setEnabled(not self._saving)
        capped = self.capped.isChecked()
        for widget in (self.credits, self.period):
            widget.setEnabled(capped)
        self.save_button.setEnabled(not self._saving and self.picker.member_id() is not None)

    def save(self) -> None:
        self.errors.clear()
        member, name = self.picker.member_id(), self.picker.member_name()
        if member is None:
            self.errors.show("user", self.tr("Choose a member."))
            return
        capped = self.capped.isChecked()
        limit = self.credits.value() if capped else None
        if capped and not limit:
            self.errors.show(
                "credits", self.tr("Enter a cap of 1 credit or more, or choose No cap.")
            )
            return
        period = self.period.currentData()
        credits = self._credits
        self._saving = True
        self._update()
        (
            op(lambda: credits.set_spend_cap(member, limit, period), parent=self)
            .success(lambda cap: self._saved(cap, name))
            .failure(self._refused)
            .finished(self._finished)
            .run()
        )

    def _finished(self) -> None:
        self._saving = False
        self._update()

    def _saved(self, cap: SpendCap, name: str) -> None:
        self.capChanged.emit(cap, name)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.errors.show_error(exc)
