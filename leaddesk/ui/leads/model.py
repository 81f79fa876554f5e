"""``LeadTableModel``: a million leads in a table without loading them.

``rowCount`` comes from ``count(query)``; rows arrive in pages of ``page_size`` on the operation
pool (``page_loader``) and sit in a bounded LRU cache (``page_cache``). Rows not fetched yet show
a placeholder and are requested when the view paints them. Sorting is done by the database
(``LeadSort``); edits go through ``LeadService.update``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from leaddesk.services.errors import ValidationError
from leaddesk.services.leads.duplicate_keys import DuplicateLeadError
from leaddesk.services.leads.query import LeadPage, LeadQuery, LeadSort
from leaddesk.services.leads.service import LeadRecord
from leaddesk.ui import formatting
from leaddesk.ui.leads.page_cache import PageCache
from leaddesk.ui.leads.page_loader import LeadPageLoader, LeadPages
from leaddesk.ui.operations import op

AnyIndex = QModelIndex | QPersistentModelIndex
PLACEHOLDER = "…"


class LeadSource(LeadPages, Protocol):
    """What the model needs of ``LeadService`` (tests pass a counting wrapper)."""

    def update(
        self, lead_id: uuid.UUID, changes: dict[str, Any], expected_version: int | None = None,
        check_duplicates: bool = False,
    ) -> LeadRecord: ...


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    editable: bool = False
    numeric: bool = False


class LeadTableModel(QAbstractTableModel):
    COL_FIRST_NAME = 0
    COL_LAST_NAME = 1
    COL_COMPANY = 2
    COL_STATUS = 3
    COL_SCORE = 4
    COL_EMAIL = 5
    COL_TITLE = 6
    COL_COUNTRY = 7
    COL_UPDATED = 8
    COLUMNS: tuple[Column, ...] = (
        Column("first_name", editable=True),
        Column("last_name", editable=True),
        Column("company", editable=True),
        Column("status"),
        Column("score", numeric=True),
        Column("email", editable=True),
        Column("title", editable=True),
        Column("country"),
        Column("updated_at"),
    )

    RecordRole = Qt.ItemDataRole.UserRole + 1  # the LeadRecord of the row (None until fetched)
    SortKeyRole = Qt.ItemDataRole.UserRole + 2  # the raw value the column sorts by
    IdRole = Qt.ItemDataRole.UserRole + 3
    StatusRole = Qt.ItemDataRole.UserRole + 4  # the status value, for the badge delegate

    #: True while a new query/sort is being counted and its first page fetched.
    loadingChanged = Signal(bool)
    #: The number of leads matching the query, after each (re)load.
    totalChanged = Signal(int)
    loadFailed = Signal(str)
    #: An inline edit was refused: field name and the service's message.
    editFailed = Signal(str, str)
    #: An inline edit was saved: the updated LeadRecord.
    leadUpdated = Signal(object)
    #: ``(lead_id, field, old, new)`` after a table edit was saved (for undo)
    editSaved = Signal(object, str, str, str)
    #: An inline edit would make a duplicate: ``(lead_id, [ids of the leads it matches])``.
    duplicateFound = Signal(object, object)

    def __init__(
        self,
        leads: LeadSource,
        parent: QObject | None = None,
        page_size: int = 200,
        max_pages: int = 50,
    ) -> None:
        super().__init__(parent)
        self._leads = leads
        self._query = LeadQuery()
        self._sort = LeadSort()
        self._cache: PageCache[LeadRecord] = PageCache(page_size, max_pages)
        self._total = 0
        self._loading = False
        self._loaded_once = False
        self._pending_edits: dict[tuple[uuid.UUID, str], str] = {}
        self._edit_queue: dict[uuid.UUID, list[tuple[str, str, str | None]]] = {}
        self._loader = LeadPageLoader(leads, self._cache, self)
        self._loader.reloaded.connect(self._reset_arrived)
        self._loader.reloadFailed.connect(self._load_failed)
        self._loader.pageArrived.connect(self._page_arrived)
        self._loader.pageFailed.connect(self.loadFailed)

    # -- state ---------------------------------------------------------------------------------
    @property
    def query(self) -> LeadQuery:
        return self._query

    @property
    def lead_sort(self) -> LeadSort:
        return self._sort

    @property
    def total(self) -> int:
        return self._total

    @property
    def is_loading(self) -> bool:
        return self._loading

    @property
    def has_loaded(self) -> bool:
        """True once a first query was counted and its first page shown."""
        return self._loaded_once

    @property
    def page_size(self) -> int:
        return self._cache.page_size

    def cached_pages(self) -> list[int]:
        return self._cache.cached_pages()

    def record(self, row: int) -> LeadRecord | None:
        """The lead at ``row`` when its page is cached."""
        return self._cache.row(row) if 0 <= row < self._total else None

    def is_row_loaded(self, row: int) -> bool:
        return self.record(row) is not None

    def set_query(self, query: LeadQuery) -> None:
        if query != self._query:
            self._query = query
            self.refresh()

    def set_sort(self, sort: LeadSort) -> None:
        if sort != self._sort:
            self._sort = sort
            self.refresh()

    def column_for_field(self, field: str) -> int | None:
        for number, column in enumerate(self.COLUMNS):
            if column.field == field:
                return number
        return None

    # -- loading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Count the query and fetch its first page in the background, then reset the rows.

        The current rows stay on screen until the new ones arrive, so typing in the search box
        does not flash an empty table.
        """
        self._set_loading(True)
        self._loader.reload(self._query, self._sort)

    def _reset_arrived(self, total: int, first: LeadPage) -> None:
        self.beginResetModel()
        self._cache.clear()
        self._total = total
        self._cache.put(0, first.rows, first.next_cursor)
        self.endResetModel()
        self._loaded_once = True
        self._set_loading(False)
        self.totalChanged.emit(total)

    def _load_failed(self, error: str) -> None:
        self._set_loading(False)
        self.loadFailed.emit(error)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loadingChanged.emit(loading)

    def _page_arrived(self, page: int) -> None:
        first = page * self._cache.page_size
        last = min(self._total, first + self._cache.page_size) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.COLUMNS) - 1))

    # -- Qt model API ----------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._titles()[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                column = self.COLUMNS[section]
                horizontal = (
                    Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
                )
                return horizontal | Qt.AlignmentFlag.AlignVCenter
        return super().headerData(section, orientation, role)

    def _titles(self) -> tuple[str, ...]:
        return (
            self.tr("First name"),
            self.tr("Last name"),
            self.tr("Company"),
            self.tr("Status"),
            self.tr("Score"),
            self.tr("Email"),
            self.tr("Title"),
            self.tr("Country"),
            self.tr("Updated"),
        )

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.COLUMNS[index.column()].editable and self.record(index.row()) is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        page = self._cache.page_of(row)
        rows = self._cache.get(page)
        if rows is None:
            if role == Qt.ItemDataRole.DisplayRole:
                self._loader.want(page, self._total)
                return PLACEHOLDER if col == 0 else ""
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(formatting.MUTED)
            return None
        offset = row % self._cache.page_size
        if offset >= len(rows):  # the table shrank since it was counted
            return None
        lead = rows[offset]
        column = self.COLUMNS[col]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            pending = self._pending_edits.get((lead.id, column.field))
            if pending is not None:
                return pending
            return self._display(lead, column, role == Qt.ItemDataRole.EditRole)
        if role == self.RecordRole:
            return lead
        if role == self.IdRole:
            return lead.id
        if role == self.SortKeyRole:
            return getattr(lead, column.field)
        if role == self.StatusRole:
            return lead.status if col == self.COL_STATUS else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ForegroundRole and col == self.COL_SCORE:
            return QColor(_score_colour(lead.score))
        if role == Qt.ItemDataRole.FontRole and (lead.id, column.field) in self._pending_edits:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and col == self.COL_UPDATED:
            return formatting.date_time(lead.updated_at)
        return None

    @staticmethod
    def _display(lead: LeadRecord, column: Column, editing: bool) -> str:
        value = getattr(lead, column.field)
        if column.field == "status":
            return value if editing else formatting.label(value)
        if column.field == "updated_at":
            return formatting.date(value)
        return str(value)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in the database; the first page of the new order is fetched in the background."""
        if 0 <= column < len(self.COLUMNS):
            descending = order == Qt.SortOrder.DescendingOrder
            self.set_sort(LeadSort(self.COLUMNS[column].field, descending))

    # -- editing -------------------------------------------------------------------------------
    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Show the edit at once and save it in the background; a refusal reverts it and emits
        ``editFailed`` with the field the service named."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        column = self.COLUMNS[index.column()]
        lead = self.record(index.row())
        if lead is None or not column.editable:
            return False
        return self.write_field(lead.id, column.field, value, undoable=True)

    def write_field(
        self, lead_id: uuid.UUID, field: str, value: Any, undoable: bool = False
    ) -> bool:
        """Save one field of a cached lead in the background, shown at once; ``undoable``
        edits emit ``editSaved`` once saved."""
        lead = self._find(lead_id)
        if lead is None:
            return False
        text = str(value if value is not None else "").strip()
        key = (lead_id, field)
        old = self._pending_edits.get(key, str(getattr(lead, field) or ""))
        if text == old:
            return False
        self._pending_edits[key] = text
        column = self.column_for_field(field)
        for page, rows in list(self._cache):
            for offset, cached in enumerate(rows):
                row = page * self._cache.page_size + offset
                if cached.id == lead_id and column is not None and row < self._total:
                    self.dataChanged.emit(self.index(row, column), self.index(row, column))
        queue = self._edit_queue.setdefault(lead_id, [])
        queue.append((field, text, old if undoable else None))
        if len(queue) == 1:  # edits to one lead are saved one after another (versions chain)
            self._save_next(lead_id)
        return True

    def _save_next(self, lead_id: uuid.UUID) -> None:
        queue = self._edit_queue.get(lead_id)
        current = self._find(lead_id)
        if not queue or current is None:
            self._edit_queue.pop(lead_id, None)
            return
        field, text, old = queue[0]
        leads, version = self._leads, current.version
        (
            op(lambda: leads.update(lead_id, {field: text}, expected_version=version,
                                    check_duplicates=True), parent=self)
            .success(lambda record: self._edit_saved(record, field, old, text))
            .failure(lambda exc: self._edit_refused(lead_id, field, exc))
            .run()
        )

    def _edit_saved(self, record: LeadRecord, field: str, old: str | None, new: str) -> None:
        self._pending_edits.pop((record.id, field), None)
        self._replace(record)
        self.leadUpdated.emit(record)
        if old is not None:
            self.editSaved.emit(record.id, field, old, new)
        queue = self._edit_queue.get(record.id)
        if queue:
            queue.pop(0)
        self._save_next(record.id)

    def _edit_refused(self, lead_id: uuid.UUID, field: str, exc: BaseException) -> None:
        for _field, _text, _old in self._edit_queue.pop(lead_id, []):
            self._pending_edits.pop((lead_id, _field), None)
        self._pending_edits.pop((lead_id, field), None)
        current = self._find(lead_id)
        if current is not None:
            self._replace(current)  # repaint the old values
        if isinstance(exc, DuplicateLeadError):
            self.duplicateFound.emit(lead_id, exc.duplicate_ids)
        if isinstance(exc, ValidationError):
            self.editFailed.emit(exc.field, exc.message)
        else:
            self.editFailed.emit(field, str(exc))

    def _find(self, lead_id: uuid.UUID) -> LeadRecord | None:
        for _page, rows in self._cache:
            for lead in rows:
                if lead.id == lead_id:
                    return lead
        return None

    def _replace(self, record: LeadRecord) -> None:
        for row in self._cache.replace(lambda lead: lead.id == record.id, record):
            if row < self._total:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def update_record(self, record: LeadRecord) -> None:
        """Show a lead changed elsewhere (detail panel, dialogs) where it is cached."""
        self._replace(record)


def _score_colour(score: int) -> str:
    if score >= 70:
        return formatting.POSITIVE
    if score < 30:
        return formatting.MUTED
    return "#111827"
