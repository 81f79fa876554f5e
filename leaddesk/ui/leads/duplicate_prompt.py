"""The warning a rep sees when a new lead or an edit matches a lead that exists (by the
duplicate rules): who the existing lead is, and what to do — open it, merge, or go on."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.leads.service import LeadRecord
from leaddesk.ui import formatting
from leaddesk.ui.widgets import Card, badge

OPEN, MERGE, ANYWAY = "open", "merge", "anyway"


class DuplicateWarning(QDialog):
    """``creating``: a new lead (Merge fills the existing lead's empty fields, Add anyway
    creates the new one); else an edit (Merge… opens the merge of the two leads).
    Emits ``chosen(OPEN | MERGE | ANYWAY)``; Cancel emits nothing."""

    chosen = Signal(str)

    def __init__(
        self, existing: LeadRecord, field: str, creating: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.existing = existing
        self.setObjectName("DuplicateWarning")
        self.setWindowTitle(self.tr("Possible duplicate"))
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        what = formatting.label(field.replace("_url", "").replace("_", " ")).lower()
        self.intro = QLabel(self.tr(
            "A lead with the same %1 already exists. Open it, merge the two, or go on?"
        ).replace("%1", what))
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        card = Card()
        form = QFormLayout(card)
        form.setContentsMargins(14, 10, 14, 10)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for caption, text in (
            (self.tr("Name"), existing.full_name),
            (self.tr("Email"), existing.email),
            (self.tr("Phone"), existing.phone),
            (self.tr("Company"), existing.company),
            (self.tr("Added"), formatting.date_time(existing.created_at)),
        ):
            value = QLabel(text or "—")
            value.setWordWrap(True)
            form.addRow(caption, value)
        form.addRow(self.tr("Status"), badge(existing.status))
        layout.addWidget(card)
        self.buttons = QDialogButtonBox()
        self.open_button = self._button(self.tr("Open existing"), OPEN, primary=True)
        if creating:
            self.merge_button = self._button(self.tr("Add details to it"), MERGE)
            self.merge_button.setToolTip(self.tr(
                "Fill the existing lead's empty fields with what you typed; no new lead"))
            self.anyway_button: QPushButton | None = self._button(self.tr("Add anyway"), ANYWAY)
        else:
            self.merge_button = self._button(self.tr("Merge…"), MERGE)
            self.merge_button.setToolTip(self.tr("Merge this lead and the existing one"))
            self.anyway_button = None
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _button(self, text: str, choice: str, primary: bool = False) -> QPushButton:
        button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        if primary:
            button.setProperty("primary", True)
        button.clicked.connect(lambda: self._choose(choice))
        return button

    def _choose(self, choice: str) -> None:
        self.accept()
        self.chosen.emit(choice)
