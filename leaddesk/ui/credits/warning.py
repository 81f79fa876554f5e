"""The admin's low-balance warning level: below how many credits everyone is warned (in the
status bar and on the credits view); 0 turns the warning off."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.credits.ledger import CreditService
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import FieldErrors, dialog_buttons, error_label, muted

MAX_THRESHOLD = 10_000_000


class LowBalanceDialog(QDialog):
    """``saved(threshold)`` after the level was changed."""

    saved = Signal(int)

    def __init__(self, credits: CreditService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Low-balance warning"))
        self.setMinimumWidth(420)
        self._credits = credits
        self._loading = True
        self._saving = False
        self.threshold = QSpinBox()
        self.threshold.setRange(0, MAX_THRESHOLD)
        self.threshold.setSingleStep(10)
        self.threshold.setGroupSeparatorShown(True)
        self.threshold.setSuffix(self.tr(" credits"))
        self.threshold.setSpecialValueText(self.tr("Off"))
        self.threshold.setMinimumWidth(160)
        label = error_label()
        general = error_label()
        self.errors = FieldErrors({"threshold": label}, general)
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.threshold)
        row.addStretch(1)
        form.addRow(self.tr("Warn below"), row)
        form.addRow("", label)
        self.buttons = dialog_buttons(self, self.save)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addWidget(
            muted(
                self.tr(
                    "Everyone whose balance falls below this sees a warning in the status bar "
                    "and on the credits page. 0 turns the warning off."
                )
            )
        )
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(self.buttons)
        self._update()
        (
            op(credits.low_balance_threshold, parent=self)
            .success(self.threshold.setValue)
            .failure(lambda exc: self.errors.show("", str(exc)))
            .finished(self._loaded)
            .run()
        )

    def _loaded(self) -> None:
        self._loading = False
        self._update()

    def _update(self) -> None:
        self.save_button.setEnabled(not self._loading and not self._saving)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not self._saving)

    def is_loaded(self) -> bool:
        return not self._loading and not self._saving

    def reject(self) -> None:
        """Not while saving: the outcome must reach the view."""
        if not self._saving:
            super().reject()

    def save(self) -> None:
        self.errors.clear()
        value, credits = self.threshold.value(), self._credits
        self._saving = True
        self._update()
        (
            op(lambda: credits.set_low_balance_threshold(value), parent=self)
            .success(lambda _none: self._saved(value))
            .failure(self._refused)
            .finished(self._saved_or_not)
            .run()
        )

    def _saved_or_not(self) -> None:
        self._saving = False
        self._update()

    def _saved(self, value: int) -> None:
        self.saved.emit(value)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.errors.show_error(exc)
