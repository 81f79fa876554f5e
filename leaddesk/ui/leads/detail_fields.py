"""The detail panel's fields, each edited in place: text fields save when the rep leaves them
(Enter or Tab), choices save when picked. The save goes through the table's model, so the
same input rules apply and the table shows the change; a refusal shows beside the field."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QWidget,
)

from leaddesk.services.leads.service import LeadRecord
from leaddesk.store.enums import LeadStatus
from leaddesk.ui import formatting
from leaddesk.ui.widgets import Card, error_label

Choice = tuple[uuid.UUID, str]


def _tr(text: str) -> str:
    return QCoreApplication.translate("LeadDetailPanel", text)


#: The text fields in the order shown, with their captions.
TEXT_FIELDS = (
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("title", "Title"),
    ("company", "Company"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("linkedin_url", "LinkedIn"),
    ("website", "Website"),
    ("industry", "Industry"),
    ("city", "City"),
    ("country", "Country"),
    ("timezone", "Timezone"),
    ("source", "Source"),
    ("consent", "Consent"),
    ("score", "Score"),
    ("tags", "Tags"),
)
CHOICE_FIELDS = ("status", "owner_id", "campaign_id")


def _text_of(lead: LeadRecord, field: str) -> str:
    if field == "tags":
        return ", ".join(lead.tags)
    value = getattr(lead, field)
    return "" if value is None else str(value)


def _caption(text: str) -> QLabel:
    label = QLabel(_tr(text))
    label.setProperty("role", "muted")
    return label


class LeadFieldsForm(Card):
    """Emits ``fieldEdited(field, text)`` when a value was changed by the rep."""

    fieldEdited = Signal(str, str)
    #: The captions moved above the fields or back: the form's height changed.
    wrapChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LeadFields")
        form = QFormLayout(self)
        form.setContentsMargins(12, 10, 12, 10)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(4)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.lead: LeadRecord | None = None
        self.inputs: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.status = QComboBox()
        for status in LeadStatus:
            self.status.addItem(formatting.label(status.value), status.value)
        self.owner = QComboBox()
        self.campaign = QComboBox()
        self.choices: dict[str, QComboBox] = {
            "status": self.status, "owner_id": self.owner, "campaign_id": self.campaign}
        for field, caption in (("status", "Status"), ("owner_id", "Owner"),
                               ("campaign_id", "Campaign")):
            combo = self.choices[field]
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
            combo.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            combo.activated.connect(lambda _i, f=field: self._choice_picked(f))
            self._add_row(form, field, caption, combo)
        for field, caption in TEXT_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"field_{field}")
            edit.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            edit.setMinimumWidth(80)
            edit.editingFinished.connect(lambda f=field: self._text_finished(f))
            self.inputs[field] = edit
            self._add_row(form, field, caption, edit)
        self.inputs["tags"].setPlaceholderText(_tr("comma-separated"))
        self.inputs["country"].setPlaceholderText(_tr("two letters, e.g. GB"))
        self.do_not_contact = QCheckBox(_tr("Do not contact"))
        self.do_not_contact.clicked.connect(
            lambda on: self._emit("do_not_contact", "yes" if on else "no"))
        self._add_row(form, "do_not_contact", "", self.do_not_contact)
        self.added = QLabel()
        self.last_contacted = QLabel()
        form.addRow(_caption("Added"), self.added)
        form.addRow(_caption("Last contacted"), self.last_contacted)

    def _add_row(self, form: QFormLayout, field: str, caption: str, widget: QWidget) -> None:
        form.addRow(_caption(caption) if caption else QLabel(), widget)
        self.errors[field] = error_label()
        self.errors[field].setSizePolicy(QSizePolicy.Policy.Ignored,
                                         QSizePolicy.Policy.Preferred)
        form.addRow(self.errors[field])

    #: Narrower than this, each caption goes above its field so the field gets the full width.
    WRAP_BELOW = 380

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        form = self.layout()
        assert isinstance(form, QFormLayout)
        wrap = (QFormLayout.RowWrapPolicy.WrapAllRows if event.size().width() < self.WRAP_BELOW
                else QFormLayout.RowWrapPolicy.DontWrapRows)
        if form.rowWrapPolicy() != wrap:
            form.setRowWrapPolicy(wrap)
            form.invalidate()
            self.updateGeometry()
            self.wrapChanged.emit()

    def set_phone_placeholder(self, text: str) -> None:
        self.inputs["phone"].setPlaceholderText(text)
        self.inputs["phone"].setToolTip(text)

    def set_choices(self, owners: Sequence[Choice], campaigns: Sequence[Choice]) -> None:
        """The owners and campaigns a lead can be given."""
        for combo, items, none in ((self.owner, owners, _tr("Nobody")),
                                   (self.campaign, campaigns, _tr("No campaign"))):
            combo.clear()
            combo.addItem(none, "")
            for ident, name in items:
                combo.addItem(name, str(ident))
        if self.lead is not None:
            self._show_choices(self.lead)

    def show_lead(self, lead: LeadRecord) -> None:
        """Fill the fields; one the rep is typing in keeps its text."""
        same = self.lead is not None and self.lead.id == lead.id
        self.lead = lead
        if not same:
            self.clear_errors()
        for field, edit in self.inputs.items():
            if same and edit.hasFocus() and edit.isModified():
                continue
            edit.setText(_text_of(lead, field))
            edit.setToolTip(edit.text())
            edit.setModified(False)
            edit.setCursorPosition(0)
        self.do_not_contact.setChecked(lead.do_not_contact)
        self._show_choices(lead)
        self.added.setText(formatting.date_time(lead.created_at))
        self.last_contacted.setText(
            formatting.date_time(lead.last_contacted_at) or _tr("Never"))

    def _show_choices(self, lead: LeadRecord) -> None:
        for field, combo in self.choices.items():
            value = _text_of(lead, field)
            index = combo.findData(value)
            if index < 0 and value:
                combo.addItem(_tr("Someone else") if field == "owner_id" else value, value)
                index = combo.count() - 1
            combo.setCurrentIndex(max(index, 0))

    def show_error(self, field: str, message: str) -> bool:
        """Show a refusal beside ``field``; False when the form has no such field."""
        label = self.errors.get(field)
        if label is None:
            return False
        label.setText(message)
        label.show()
        if self.lead is not None:
            self.show_lead(self.lead)  # the stored value again
        return True

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()

    def shown_errors(self) -> dict[str, str]:
        return {f: label.text() for f, label in self.errors.items() if not label.isHidden()}

    def _text_finished(self, field: str) -> None:
        edit = self.inputs[field]
        if not edit.isModified() or self.lead is None:
            return
        edit.setModified(False)
        if edit.text().strip() != _text_of(self.lead, field):
            self._emit(field, edit.text().strip())

    def _choice_picked(self, field: str) -> None:
        combo = self.choices[field]
        value = str(combo.currentData() or "")
        if self.lead is not None and value != _text_of(self.lead, field):
            self._emit(field, value)

    def _emit(self, field: str, text: str) -> None:
        self.errors[field].hide()
        self.fieldEdited.emit(field, text)
