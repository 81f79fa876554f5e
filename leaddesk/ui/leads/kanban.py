"""The pipeline board: a column per lead status with its count and its first cards, more cards
as a column scrolls (``fetchMore``), and dragging a card to another column changes its status.

Each column is a ``KanbanColumnModel`` (``kanban_columns``: a list of plain ``LeadRecord``s and
the next keyset cursor); the board does every read and write off the GUI thread through ``op()``.
It shows the leads of the lead table's current view and filters (``current_query``).

Live refresh: the window's change hub calls ``on_changes`` for every commit that touched leads
(here, in the table, in another process), and the window calls ``schedule_refresh`` when the table
changed leads; bursts are coalesced, a hidden board only notes that it is stale and reloads when
shown again, and the board's own moves (already shown) are not reloaded. A reload keeps as many
cards per column as were loaded, and each column's scroll position.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from leaddesk.services.leads.query import Cursor, LeadPage, LeadQuery, LeadSort
from leaddesk.services.leads.service import LeadRecord, LeadService
from leaddesk.store.change_feed import Change
from leaddesk.store.enums import LeadStatus
from leaddesk.ui import formatting, widgets
from leaddesk.ui.leads.kanban_columns import KanbanColumn, KanbanColumnModel
from leaddesk.ui.operations import op

__all__ = ["PAGE", "KanbanColumn", "KanbanColumnModel", "KanbanView"]

PAGE = 50
RELOAD_LIMIT = 500  # a live refresh reloads the cards a column showed, up to this many
REFRESH_DELAY_MS = 250
SORT = LeadSort("updated_at", descending=True)
#: What moving a card writes (the lead, its timeline entry).
MOVE_TABLES = frozenset({"leads", "activities"})


class KanbanView(QWidget):
    """The pipeline board over every status."""

    leadsChanged = Signal()
    loaded = Signal()
    moveFailed = Signal(str)

    def __init__(
        self,
        leads: LeadService,
        statuses: Sequence[str] = tuple(s.value for s in LeadStatus),
        query: LeadQuery | None = None,
        parent: QWidget | None = None,
        current_query: Callable[[], LeadQuery] | None = None,
    ) -> None:
        """``current_query``: the lead table's filter (a saved view, search, filters), which
        the board follows (see :meth:`follow_query`); without it, ``query`` stays."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Pipeline"))
        self._leads = leads
        self._current_query = current_query
        self.query = current_query() if current_query else query or LeadQuery()
        self.models: dict[str, KanbanColumnModel] = {}
        self.columns: dict[str, KanbanColumn] = {}
        self._pending = 0
        self._generation = 0
        self._stale = False
        self._emitting = False  # our own change is being announced: not news to us
        self._moves_shown = 0  # own moves shown whose commit the change hub has not brought
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        outer = QVBoxLayout(self)
        self.filter_note = widgets.muted()
        outer.addWidget(self.filter_note)
        self.message = widgets.muted()
        outer.addWidget(self.message)
        host = QWidget()
        row = QHBoxLayout(host)
        row.setContentsMargins(0, 0, 0, 0)
        for status in statuses:
            model = KanbanColumnModel(status, self)
            model.moreWanted.connect(lambda cursor, m=model: self._load_more(m, cursor))
            model.moveRequested.connect(self.move)
            column = KanbanColumn(model)
            self.models[status] = model
            self.columns[status] = column
            row.addWidget(column)
        row.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(host)
        outer.addWidget(scroll, 1)
        self.resize(1100, 640)

    def _query(self, status: str) -> LeadQuery:
        from dataclasses import replace

        return replace(self.query, statuses=(status,))

    def follow_query(self) -> None:
        """The lead table shows another filter or view: the board shows the same leads."""
        if self._current_query is not None and self._current_query() != self.query:
            self.schedule_refresh()

    def on_changes(self, change: Change) -> None:
        """Leads changed (here, in the table, in another process): the columns and their
        totals reload (a hidden board when shown again)."""
        if not change.touches("leads", "lead_tags"):
            return
        own_move = self._moves_shown and not change.external and change.tables <= MOVE_TABLES
        self._moves_shown = 0
        if not own_move:  # the board's own moves are shown already
            self.schedule_refresh()

    def _show_query(self) -> None:
        """Columns outside a status filter are hidden; a filtered board says so."""
        for status, column in self.columns.items():
            column.setVisible(not self.query.statuses or status in self.query.statuses)
        filtered = self.query != LeadQuery()
        self.filter_note.setText(
            self.tr("Showing the leads of the lead table's current view and filters.")
            if filtered else "")
        self.filter_note.setVisible(filtered)

    def refresh(self) -> None:
        """Reload every column: its count and as many first cards as it shows now."""
        if self._current_query is not None:
            self.query = self._current_query()
        self._show_query()
        self._refresh_timer.stop()
        self._stale = False
        self._generation += 1
        generation, leads = self._generation, self._leads
        self._pending = len(self.models)
        for status, model in self.models.items():
            query = self._query(status)
            limit = min(max(PAGE, len(model.rows)), RELOAD_LIMIT)
            model.loading = True
            op(lambda q=query, n=limit: (leads.page(q, SORT, limit=n), leads.count(q)),
               parent=self) \
                .success(lambda result, m=model: self._arrived(generation, m, *result)) \
                .failure(lambda exc: self._failed(generation, exc)) \
                .run()

    def schedule_refresh(self) -> None:
        """Leads changed elsewhere: reload soon (now if hidden: when shown again)."""
        if self._emitting:
            return
        if self.isVisible():
            self._refresh_timer.start()
        else:
            self._refresh_timer.stop()
            self._stale = True

    def _arrived(
        self, generation: int, model: KanbanColumnModel, page: LeadPage, total: int
    ) -> None:
        if generation != self._generation:
            return  # a newer reload is on its way
        model.set_page(page, total)
        self._pending -= 1
        if self._pending == 0:
            self.loaded.emit()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.message.setText(str(exc))

    def is_loaded(self) -> bool:
        return (self._pending == 0 and not self._refresh_timer.isActive()
                and all(not m.loading for m in self.models.values()))

    def _load_more(self, model: KanbanColumnModel, cursor: Cursor) -> None:
        if not self.isVisible():  # a hidden list's scroll bar is always "at the bottom"
            model.loading = False
            return
        leads, query, generation = self._leads, self._query(model.status), self._generation
        op(lambda: leads.page(query, SORT, after=cursor, limit=PAGE), parent=self) \
            .success(lambda page: model.append_page(page)
                     if generation == self._generation else None) \
            .failure(lambda exc: self.message.setText(str(exc))) \
            .run()

    def move(self, lead_id: uuid.UUID, status: str) -> None:
        """Change a lead's status (a card dropped on another column)."""
        leads = self._leads
        source = next((m for m in self.models.values() if any(r.id == lead_id for r in m.rows)),
                      None)
        expected = None
        if source is not None:
            expected = next(r.version for r in source.rows if r.id == lead_id)
        self.message.setText(self.tr("Moving…"))
        op(lambda: leads.update(lead_id, {"status": status}, expected_version=expected),
           parent=self) \
            .success(lambda record: self._moved(record, source)) \
            .failure(self._move_failed) \
            .run()

    def _moved(self, record: LeadRecord, source: KanbanColumnModel | None) -> None:
        if source is not None:
            source.take(record.id)
        target = self.models.get(record.status)
        if target is not None:
            target.put_first(record)
        self.message.setText(
            self.tr("%1 is now %2.").replace("%1", record.full_name or record.email)
            .replace("%2", formatting.label(record.status))
        )
        self._moves_shown += 1
        self._emitting = True
        try:
            self.leadsChanged.emit()
        finally:
            self._emitting = False

    def _move_failed(self, exc: BaseException) -> None:
        self.message.setText(str(exc))
        self.moveFailed.emit(str(exc))

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._stale or not any(m.rows or m.loading for m in self.models.values()):
            self.refresh()
