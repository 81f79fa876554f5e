"""A dialog to add one lead; the service validates and the error shows beside its field. A lead
that matches an existing one by the duplicate rules is not added silently: the rep is shown
the existing lead and chooses to open it, add the details to it, or add the new one anyway."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
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
from leaddesk.services.leads.duplicate_keys import DuplicateLeadError
from leaddesk.services.leads.service import LeadRecord, LeadService
from leaddesk.store.enums import LeadStatus
from leaddesk.ui import formatting
from leaddesk.ui.leads.duplicate_prompt import ANYWAY, MERGE, OPEN, DuplicateWarning
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import FieldErrors, dialog_buttons, error_label


class NewLeadDialog(QDialog):
    """Emits ``created(LeadRecord)`` and closes when the service accepted the lead.

    ``create(data, check_duplicates=...)`` adds the lead; ``leads`` (optional) reads and
    updates the existing lead a duplicate matched — without it a duplicate is only refused.
    Emits ``openRequested(LeadRecord)`` when the rep chose to open the existing lead."""

    created = Signal(object)
    openRequested = Signal(object)
    TEXT_FIELDS = ("first_name", "last_name", "email", "phone", "company", "title")

    def __init__(
        self,
        create: Callable[..., LeadRecord],
        parent: QWidget | None = None,
        leads: LeadService | None = None,
        phone_placeholder: str = "",
    ) -> None:
        super().__init__(parent)
        self._leads = leads
        self.warning: DuplicateWarning | None = None
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
        self.inputs["phone"].setPlaceholderText(phone_placeholder or "+44 20 7946 0018")
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

    def save(self, check_duplicates: bool = True) -> None:
        self.errors.clear()
        self.buttons.setEnabled(False)
        data, create = self.values(), self._create
        check = check_duplicates and self._leads is not None
        (
            op(lambda: create(data, check_duplicates=check), parent=self)
            .success(self._saved).failure(self._refused).run()
        )

    def _saved(self, record: LeadRecord) -> None:
        self.buttons.setEnabled(True)
        self.created.emit(record)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, DuplicateLeadError) and self._leads is not None:
            self._warn(exc)
            return
        self.errors.show_error(exc)
        widget = self.inputs.get(exc.field) if isinstance(exc, ValidationError) else None
        if widget is not None:
            widget.setFocus()
        self.adjustSize()  # room for the message

    def _warn(self, exc: DuplicateLeadError) -> None:
        """Show the existing lead and what the rep can do about it."""
        leads = self._leads
        assert leads is not None
        (
            op(lambda: leads.get(exc.duplicate_ids[0]), parent=self)
            .success(lambda existing: self._show_warning(existing, exc.field))
            .failure(self._refused_plainly)
            .run()
        )

    def _refused_plainly(self, exc: BaseException) -> None:
        self.errors.show_error(exc)

    def _show_warning(self, existing: LeadRecord, field: str) -> None:
        self.errors.show(field if field in self.inputs else "", self.tr(
            "matches %1, who already exists").replace(
                "%1", existing.full_name or existing.email or self.tr("a lead")))
        self.warning = DuplicateWarning(existing, field, creating=True, parent=self)
        self.warning.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.warning.chosen.connect(lambda choice: self._duplicate_choice(existing, choice))
        self.warning.open()

    def _duplicate_choice(self, existing: LeadRecord, choice: str) -> None:
        if choice == ANYWAY:
            self.save(check_duplicates=False)
        elif choice == OPEN:
            self.openRequested.emit(existing)
            self.reject()
        elif choice == MERGE and self._leads is not None:
            leads = self._leads
            typed = {k: v for k, v in self.values().items() if k != "status"}
            filled = {k: v for k, v in typed.items() if not getattr(existing, k)}
            self.buttons.setEnabled(False)
            (
                op(lambda: leads.update(existing.id, filled, expected_version=existing.version),
                   parent=self)
                .success(self._merged).failure(self._refused).run()
            )

    def _merged(self, record: LeadRecord) -> None:
        self.buttons.setEnabled(True)
        self.openRequested.emit(record)
        self.accept()
