"""The lead table's page fetching, off the GUI thread.

A reload counts the query and fetches its first page; after that, pages are fetched as the view
paints their rows. A page right after a fetched one continues by keyset cursor (an index seek);
a jump into the middle asks ``rows_at(offset)`` once the scrollbar rests. Only the most recently
painted pages are fetched, so dragging the scrollbar across the table does not queue thousands
of queries; results of an older reload are dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from leaddesk.services.leads.query import Cursor, LeadPage, LeadQuery, LeadSort
from leaddesk.services.leads.service import LeadRecord
from leaddesk.ui.leads.page_cache import PageCache
from leaddesk.ui.operations import Operation, op


class LeadPages(Protocol):
    """What paging needs of ``LeadService``."""

    def count(self, query: LeadQuery | None = None) -> int: ...

    def page(
        self,
        query: LeadQuery | None = None,
        sort: LeadSort | None = None,
        after: Cursor | None = None,
        limit: int = 200,
    ) -> LeadPage: ...

    def rows_at(
        self,
        query: LeadQuery | None = None,
        sort: LeadSort | None = None,
        offset: int = 0,
        limit: int = 200,
    ) -> list[LeadRecord]: ...


class LeadPageLoader(QObject):
    """Fetches into the table model's ``cache``; the model resets its rows on ``reloaded``
    and repaints a page's rows on ``pageArrived``."""

    MAX_WANTED = 2  # a viewport spans at most two pages; older wishes are rows scrolled past
    MAX_IN_FLIGHT = 2
    JUMP_DELAY_MS = 120

    #: A reload arrived: the number of leads matching the query and its first page.
    reloaded = Signal(int, object)
    reloadFailed = Signal(str)
    #: The page numbered is in the cache now.
    pageArrived = Signal(int)
    pageFailed = Signal(str)

    def __init__(
        self, leads: LeadPages, cache: PageCache[LeadRecord], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._leads = leads
        self._cache = cache
        self._query = LeadQuery()
        self._sort = LeadSort()
        self._generation = 0
        self._reset_op: Operation[Any] | None = None
        self._in_flight: dict[int, Operation[Any]] = {}
        self._wanted: OrderedDict[int, None] = OrderedDict()
        self._failed: set[int] = set()  # pages not retried until the next reload
        self._pump_timer = QTimer(self)
        self._pump_timer.setSingleShot(True)
        self._pump_timer.setInterval(0)
        self._pump_timer.timeout.connect(self._pump)

    def reload(self, query: LeadQuery, sort: LeadSort) -> None:
        """Count ``query`` and fetch its first page in ``sort`` order; whatever is still being
        fetched for the previous reload is cancelled or, once arrived, dropped."""
        self._generation += 1
        generation = self._generation
        self._query, self._sort = query, sort
        size, leads = self._cache.page_size, self._leads
        if self._reset_op is not None:
            self._reset_op.cancel()
        for pending in self._in_flight.values():
            pending.cancel()
        self._in_flight.clear()
        self._wanted.clear()
        self._failed.clear()

        def load() -> tuple[int, LeadPage]:
            return leads.count(query), leads.page(query, sort, limit=size)

        self._reset_op = (
            op(load, parent=self)
            .success(lambda result: self._reset_arrived(generation, *result))
            .failure(lambda exc: self._reset_failed(generation, exc))
            .run()
        )

    def _reset_arrived(self, generation: int, total: int, first: LeadPage) -> None:
        if generation != self._generation:
            return
        self._reset_op = None
        self.reloaded.emit(total, first)

    def _reset_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._reset_op = None
        self.reloadFailed.emit(str(exc))

    def want(self, page: int, total: int) -> None:
        """The view paints rows of ``page`` (of a table of ``total`` rows) that are not cached."""
        if page in self._in_flight or page in self._failed:
            return
        if page * self._cache.page_size >= total:
            return
        self._wanted[page] = None
        self._wanted.move_to_end(page)
        while len(self._wanted) > self.MAX_WANTED:
            self._wanted.popitem(last=False)
        if page == 0 or self._cache.cursor_before(page) is not None:
            if not self._pump_timer.isActive():  # a keyset continuation: an index seek, go
                self._pump_timer.start(0)
        else:
            # A jump needs an OFFSET scan; while the scrollbar is being dragged, wait until
            # it rests so the positions merely passed over are not fetched.
            self._pump_timer.start(self.JUMP_DELAY_MS)

    def _pump(self) -> None:
        while self._wanted and len(self._in_flight) < self.MAX_IN_FLIGHT:
            page, _ = self._wanted.popitem(last=True)  # the most recently painted first
            if page not in self._cache and page not in self._in_flight:
                self._fetch(page)

    def _fetch(self, page: int) -> None:
        generation = self._generation
        query, sort, size = self._query, self._sort, self._cache.page_size
        leads = self._leads
        cursor = self._cache.cursor_before(page)

        def load() -> tuple[list[LeadRecord], Cursor | None]:
            if page == 0 or cursor is not None:
                result = leads.page(query, sort, after=cursor, limit=size)
                return result.rows, result.next_cursor
            rows = leads.rows_at(query, sort, offset=page * size, limit=size)
            last = rows[-1] if len(rows) == size else None
            return rows, Cursor(getattr(last, sort.field), last.id) if last else None

        self._in_flight[page] = (
            op(load, parent=self)
            .success(lambda result: self._page_arrived(generation, page, *result))
            .failure(lambda exc: self._page_failed(generation, page, exc))
            .run()
        )

    def _page_arrived(
        self, generation: int, page: int, rows: list[LeadRecord], cursor: Cursor | None
    ) -> None:
        if generation != self._generation:
            return
        self._in_flight.pop(page, None)
        self._cache.put(page, rows, cursor)
        self.pageArrived.emit(page)
        self._pump()

    def _page_failed(self, generation: int, page: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._in_flight.pop(page, None)
        self._failed.add(page)
        self.pageFailed.emit(str(exc))
