"""Search-as-you-type recipient picker over the lead service (never loads the lead list)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from leaddesk.services.leads.query import LeadQuery
from leaddesk.services.leads.service import LeadRecord, LeadService
from leaddesk.ui.operations import op

AnyIndex = QModelIndex | QPersistentModelIndex


def describe(lead: LeadRecord) -> str:
    """One line naming a lead the way the picker lists it."""
    name = lead.full_name or lead.email or lead.phone
    extra = " · ".join(p for p in (lead.company, lead.email) if p and p != name)
    return f"{name} — {extra}" if extra else name


class LeadSuggestionModel(QAbstractListModel):
    RecordRole = Qt.ItemDataRole.UserRole + 1
    SortKeyRole = Qt.ItemDataRole.UserRole + 2  # the lead's name, case-folded

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[LeadRecord] = []

    def set_leads(self, leads: list[LeadRecord]) -> None:
        self.beginResetModel()
        self._rows = list(leads)
        self.endResetModel()

    def record(self, row: int) -> LeadRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        lead = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return describe(lead)
        if role == self.RecordRole:
            return lead
        if role == self.SortKeyRole:
            return lead.full_name.casefold()
        return None


class LeadPicker(QLineEdit):
    """Type part of a name, email or company; pick a lead from the suggestions.

    Emits ``leadChosen(LeadRecord)``.
    """

    leadChosen = Signal(object)
    LIMIT = 20

    def __init__(
        self, leads: LeadService, parent: QWidget | None = None, debounce_ms: int = 200
    ) -> None:
        super().__init__(parent)
        self._leads = leads
        self._asked = ""
        self._searching = 0
        self.lead: LeadRecord | None = None
        self.setPlaceholderText(self.tr("Search a lead by name, email or company"))
        self.setClearButtonEnabled(True)
        self.suggestions = LeadSuggestionModel(self)
        self.completer_ = QCompleter(self.suggestions, self)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_.setMaxVisibleItems(10)
        self.completer_.setWidget(self)
        self.completer_.activated[QModelIndex].connect(self._activated)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self.search)
        self.textEdited.connect(lambda _text: self._debounce.start())

    def is_searching(self) -> bool:
        return self._searching > 0 or self._debounce.isActive()

    def search(self) -> None:
        """Ask the service for leads matching the text (newest answer wins)."""
        self._debounce.stop()
        text = self.text().strip()
        self._asked = text
        if len(text) < 2:
            self.suggestions.set_leads([])
            return
        leads, limit = self._leads, self.LIMIT
        self._searching += 1
        (
            op(lambda: leads.page(LeadQuery(search=text), limit=limit).rows, parent=self)
            .success(lambda rows: self._found(text, rows))
            .finished(self._search_done)
            .run()
        )

    def _search_done(self) -> None:
        self._searching -= 1

    def _found(self, text: str, rows: list[LeadRecord]) -> None:
        if text != self._asked:
            return
        self.suggestions.set_leads(rows)
        if rows and self.hasFocus():
            self.completer_.complete()

    def _activated(self, index: QModelIndex) -> None:
        lead = index.data(LeadSuggestionModel.RecordRole)
        if lead is not None:
            self.set_lead(lead)

    def choose(self, row: int) -> None:
        """Pick the ``row``-th suggestion (keyboard-free selection, used by tests)."""
        lead = self.suggestions.record(row)
        if lead is not None:
            self.set_lead(lead)

    def set_lead(self, lead: LeadRecord) -> None:
        self.lead = lead
        self.setText(describe(lead))
        self.setCursorPosition(0)
        self.completer_.popup().hide()
        self.leadChosen.emit(lead)
