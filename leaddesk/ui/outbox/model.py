"""``OutboxModel``: the outbox's messages as table rows (status, when, to whom, why, the fix)."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from leaddesk.services.messaging.outbox_items import OutboxItem
from leaddesk.ui import formatting

AnyIndex = QModelIndex | QPersistentModelIndex


class OutboxModel(QAbstractTableModel):
    """Rows are :class:`OutboxItem`s, set whole by :meth:`set_items` (filtered by status)."""

    HEADERS = ("Status", "When", "Lead", "Why / what to do", "To", "Channel", "Subject")
    COL_STATUS, COL_WHEN, COL_LEAD, COL_REASON, COL_TO, COL_CHANNEL, COL_SUBJECT = range(7)
    #: The item itself, and the status key the badge delegate colours by.
    ItemRole = Qt.ItemDataRole.UserRole + 1
    StatusRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[OutboxItem] = []
        self._rows: list[OutboxItem] = []
        self._statuses: frozenset[str] | None = None

    def set_items(self, items: list[OutboxItem]) -> None:
        self.beginResetModel()
        self._all = list(items)
        self._rows = self._filtered()
        self.endResetModel()

    def set_statuses(self, statuses: frozenset[str] | None) -> None:
        """Show only these statuses (None: all)."""
        self.beginResetModel()
        self._statuses = statuses
        self._rows = self._filtered()
        self.endResetModel()

    def _filtered(self) -> list[OutboxItem]:
        wanted = self._statuses
        return [i for i in self._all if wanted is None or i.status in wanted]

    def item(self, row: int) -> OutboxItem:
        return self._rows[row]

    def ids(self, rows: list[int]) -> list[uuid.UUID]:
        return [self._rows[r].id for r in rows if 0 <= r < len(self._rows)]

    # -- the Qt model ------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == self.ItemRole:
            return item
        if role == self.StatusRole:
            return item.status if column == self.COL_STATUS else None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_REASON:
            return self._text(item, column) or None
        return None

    @staticmethod
    def _text(item: OutboxItem, column: int) -> str:
        if column == OutboxModel.COL_STATUS:
            return formatting.label(item.status)
        if column == OutboxModel.COL_WHEN:
            if item.status == "queued" and not item.reason:
                return "Due now"
            return formatting.date_time(item.when)
        if column == OutboxModel.COL_LEAD:
            return item.lead_name
        if column == OutboxModel.COL_TO:
            return item.to_address
        if column == OutboxModel.COL_CHANNEL:
            return formatting.channel_label(item.channel)
        if column == OutboxModel.COL_SUBJECT:
            return item.subject
        if column == OutboxModel.COL_REASON:
            return " — ".join(part for part in (item.reason, item.fix) if part)
        return ""
