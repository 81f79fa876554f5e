"""``TransactionTableModel``: the credit ledger, newest first, fetched a page at a time."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from leaddesk.services.credits.records import TransactionRecord
from leaddesk.ui import formatting
from leaddesk.ui.operations import op

AnyIndex = QModelIndex | QPersistentModelIndex
Key = tuple[dt.datetime, uuid.UUID]
#: ``page(after, limit)``: up to ``limit`` lines older than the ``(created_at, id)`` key.
Page = Callable[[Key | None, int], list[TransactionRecord]]


class TransactionTableModel(QAbstractTableModel):
    """Rows come from ``page(after, limit)`` (keyset paging, see ``credit_history``); scrolling
    to the end asks for ``page_size`` more after the last row's key. ``set_page`` swaps the
    source (new filters) and reloads."""

    COL_DATE = 0
    COL_KIND = 1
    COL_ACTION = 2
    COL_AMOUNT = 3
    COL_BALANCE = 4
    COL_REFERENCE = 5
    COLUMN_COUNT = 6

    RecordRole = Qt.ItemDataRole.UserRole + 1
    SortKeyRole = Qt.ItemDataRole.UserRole + 2
    KindRole = Qt.ItemDataRole.UserRole + 3  # the entry kind, for the badge delegate

    loaded = Signal()

    def __init__(
        self,
        page: Page,
        labels: dict[str, str] | None = None,
        parent: QObject | None = None,
        page_size: int = 100,
    ) -> None:
        super().__init__(parent)
        self._page = page
        self._labels = labels or {}
        self._names: dict[str, str] = {}
        self._rows: list[TransactionRecord] = []
        self._page_size = page_size
        self._exhausted = False
        self._fetching = False
        self._generation = 0

    def set_names(self, names: dict[str, str]) -> None:
        """People's names by user id (text), for the reference of allocations."""
        self._names = names
        if self._rows:
            col = self.COL_REFERENCE
            self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col))

    def set_page(self, page: Page) -> None:
        """Show another selection of the ledger (filters changed): reload from the newest."""
        self._page = page
        self.refresh()

    def refresh(self) -> None:
        """Reload from the newest entry."""
        self._generation += 1
        generation, page, size = self._generation, self._page, self._page_size
        self._fetching = True
        op(lambda: page(None, size), parent=self).success(
            lambda rows: self._reset(generation, rows)
        ).failure(lambda _exc: self._failed(generation)).run()

    def _reset(self, generation: int, rows: list[TransactionRecord]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._rows = rows
        self._exhausted = len(rows) < self._page_size
        self._fetching = False
        self.endResetModel()
        self.loaded.emit()

    def _failed(self, generation: int) -> None:
        if generation == self._generation:
            self._fetching = False
            self._exhausted = True

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._fetching

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation, page, size = self._generation, self._page, self._page_size
        last = self._rows[-1] if self._rows else None
        after = (last.created_at, last.id) if last is not None else None
        op(lambda: page(after, size), parent=self).success(
            lambda rows: self._append(generation, rows)
        ).failure(lambda _exc: self._failed(generation)).run()

    def _append(self, generation: int, rows: list[TransactionRecord]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if len(rows) < self._page_size:
            self._exhausted = True
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self.loaded.emit()

    def is_fetching(self) -> bool:
        return self._fetching

    def record(self, row: int) -> TransactionRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- Qt model API ----------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < self.COLUMN_COUNT:
            if role == Qt.ItemDataRole.DisplayRole:
                return (
                    self.tr("Date"), self.tr("Type"), self.tr("Action"), self.tr("Amount"),
                    self.tr("Balance after"), self.tr("Reference"),
                )[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                right = section in (self.COL_AMOUNT, self.COL_BALANCE)
                horizontal = Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft
                return horizontal | Qt.AlignmentFlag.AlignVCenter
        return super().headerData(section, orientation, role)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        tx = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(tx, col)
        if role == self.RecordRole:
            return tx
        if role == self.KindRole:
            return tx.kind if col == self.COL_KIND else None
        if role == self.SortKeyRole:
            return (tx.created_at, tx.kind, tx.action, tx.amount, tx.balance_after,
                    tx.reference_id)[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.COL_AMOUNT,
                                                                 self.COL_BALANCE):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ForegroundRole and col == self.COL_AMOUNT:
            if tx.amount > 0:
                return QColor(formatting.POSITIVE)
            if tx.amount < 0:
                return QColor(formatting.NEGATIVE)
            return QColor(formatting.MUTED)
        if role == Qt.ItemDataRole.ToolTipRole and col == self.COL_AMOUNT and tx.amount == 0:
            cost = tx.meta.get("cost")
            if cost:
                return self.tr("Spends the %1 credits reserved for this action").replace(
                    "%1", str(cost))
        return None

    def _display(self, tx: TransactionRecord, col: int) -> str:
        if col == self.COL_DATE:
            return formatting.date_time(tx.created_at)
        if col == self.COL_KIND:
            return formatting.label(tx.kind)
        if col == self.COL_ACTION:
            return self._labels.get(tx.action, formatting.label(tx.action)) if tx.action else ""
        if col == self.COL_AMOUNT:
            if tx.amount:
                return f"{tx.amount:+,}"
            cost = tx.meta.get("cost")  # a consumption spends what its reservation held
            return self.tr("%1 spent").replace("%1", str(cost)) if cost else "0"
        if col == self.COL_BALANCE:
            return formatting.number(tx.balance_after)
        if col == self.COL_REFERENCE:
            package = tx.meta.get("package")
            if package:
                return str(package)
            if tx.kind == "adjustment" and tx.meta.get("reason"):
                return str(tx.meta["reason"])
            if tx.reference_type == "user":
                return self._names.get(tx.reference_id, self.tr("Team member"))
            return formatting.label(tx.reference_type) if tx.reference_type else ""
        return ""
