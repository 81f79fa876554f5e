"""The row above the lead table: search (debounced), status filter, match count."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from leaddesk.services.lead_query import LeadQuery
from leaddesk.store.enums import LeadStatus
from leaddesk.ui import formatting


class LeadFilterBar(QWidget):
    """Emits ``queryChanged(LeadQuery)`` once typing pauses for ``debounce_ms``."""

    queryChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None, debounce_ms: int = 300) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search name, email or company"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(280)
        self.status = QComboBox()
        self.status.addItem(self.tr("All statuses"), "")
        for status in LeadStatus:
            self.status.addItem(formatting.label(status.value), status.value)
        self.count = QLabel()
        self.count.setProperty("role", "muted")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.search, 2)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.count)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._emit)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._emit)
        self.status.currentIndexChanged.connect(self._emit)

    def query(self) -> LeadQuery:
        status = self.status.currentData()
        return LeadQuery(search=self.search.text().strip(), statuses=(status,) if status else ())

    def is_filtered(self) -> bool:
        return self.query() != LeadQuery()

    def set_status(self, status: str) -> None:
        self.status.setCurrentIndex(max(0, self.status.findData(status)))

    def _emit(self) -> None:
        self._debounce.stop()
        self.queryChanged.emit(self.query())

    def show_count(self, total: int) -> None:
        if self.is_filtered():
            text = self.tr("1 matching lead") if total == 1 else self.tr("%1 matching leads")
        else:
            text = self.tr("1 lead") if total == 1 else self.tr("%1 leads")
        self.count.setText(text.replace("%1", formatting.number(total)))

    def show_loading(self) -> None:
        self.count.setText(self.tr("Loading…"))
