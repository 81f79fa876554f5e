"""The do-not-contact list as a Qt table: address, kind, reason, date added, note."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from leaddesk.services.messaging.suppression import SuppressionRecord
from leaddesk.ui import formatting

AnyIndex = QModelIndex | QPersistentModelIndex


class SuppressionTableModel(QAbstractTableModel):
    HEADERS = ("Address", "Kind", "Reason", "Added", "Note")
    RecordRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[SuppressionRecord] = []

    def set_rows(self, rows: Sequence[SuppressionRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == self.RecordRole:
            return row
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (row.value, formatting.channel_label(row.kind), formatting.label(row.reason),
                      formatting.date_time(row.created_at), row.note)
            return values[index.column()] if 0 <= index.column() < len(values) else None
        return None

    def record(self, row: int) -> SuppressionRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None
