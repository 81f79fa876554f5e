"""A dialog to add one lead; the service validates and the error shows beside its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.errors import ValidationError
from leaddesk.services.leads.service import LeadRecord
from leaddesk.store.enums import LeadStatus
from leaddesk.ui import formatting
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import FieldErrors, dialog_buttons, error_label


class NewLeadDialog(QDialog):
    """Emits ``created(LeadRecord)`` and closes when the service accepted the lead."""

    created = Signal(object)
    TEXT_FIELDS = ("first_name", "last_name", "email", "phone", "company", "title")

    def __init__(
        self, create: Callable[[dict[str, Any]], LeadRecord], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New lead"))
        self.setMinimumWidth(420)
        self._create = create
        captions = {
            "first_name": self.tr("First name"),
            "last_name": self.tr("Last name"),
            "email": self.tr("Email"),
            "phone": self.tr("Phone"),
            "company": self.tr("Company"),
            "title": self.tr("Title"),
        }
        form = QFormLayout()
        form.setVerticalSpacing(4)
        self.inputs: dict[str, QLineEdit] = {}
        errors: dict[str, QLabel] = {}
        for name in self.TEXT_FIELDS:
            self.inputs[name] = QLineEdit()
            errors[name] = error_label()
            form.addRow(captions[name], self.inputs[name])
            form.addRow("", errors[name])
        self.inputs["phone"].setPlaceholderText("+44 7700 900123")
        self.status = QComboBox()
        for status in LeadStatus:
            self.status.addItem(formatting.label(status.value), status.value)
        errors["status"] = error_label()
        form.addRow(self.tr("Status"), self.status)
        form.addRow("", errors["status"])
        general = error_label()
        self.errors = FieldErrors(errors, general)

        self.buttons = dialog_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(self.buttons)

    def values(self) -> dict[str, Any]:
        data: dict[str, Any] = {k: w.text().strip() for k, w in self.inputs.items()}
        data["status"] = self.status.currentData()
        return {k: v for k, v in data.items() if v}

    def save(self) -> None:
        self.errors.clear()
        self.buttons.setEnabled(False)
        data, create = self.values(), self._create
        op(lambda: create(data), parent=self).success(self._saved).failure(self._refused).run()

    def _saved(self, record: LeadRecord) -> None:
        self.buttons.setEnabled(True)
        self.created.emit(record)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.errors.show_error(exc)
        widget = self.inputs.get(exc.field) if isinstance(exc, ValidationError) else None
        if widget is not None:
            widget.setFocus()
        self.adjustSize()  # room for the message
