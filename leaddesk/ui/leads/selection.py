"""The leads a table selection means, including rows never fetched.

The lazy table holds only the pages it painted, so "select all" over 100,000 leads covers rows
whose ids the GUI has never seen. ``SelectionResolver`` reads the selection as row ranges (never
one index per row), takes the ids of cached rows as they are, and fetches the others off the
GUI thread with the table's own query and sort: one positioned read per range, then keyset
pages. The ids come back in table order. A selection of every row (Select All) can instead be
handed on as the table's query (``resolve_target``): no id is read at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QObject, Signal

from leaddesk.services.leads.bulk_edit import Target
from leaddesk.services.leads.query import Cursor, LeadQuery, LeadSort
from leaddesk.ui.leads.model import LeadSource, LeadTableModel
from leaddesk.ui.operations import OpContext, op

Ranges = list[tuple[int, int]]  # [start, stop) row ranges, sorted and merged
CHUNK = 5000


def selected_ranges(selection: QItemSelectionModel) -> Ranges:
    """The selected rows as merged ``[start, stop)`` ranges."""
    spans = sorted((r.top(), r.bottom() + 1) for r in selection.selection() if r.isValid())
    merged: Ranges = []
    for start, stop in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def _fetch_ids(
    leads: LeadSource, query: LeadQuery, sort: LeadSort, ranges: Ranges, ctx: OpContext
) -> dict[int, uuid.UUID]:
    found: dict[int, uuid.UUID] = {}
    total = sum(stop - start for start, stop in ranges)
    done = 0
    for start, stop in ranges:
        cursor: Cursor | None = None
        row = start
        while row < stop:
            ctx.check()
            limit = min(CHUNK, stop - row)
            if cursor is None:
                records = leads.rows_at(query, sort, offset=row, limit=limit)
            else:
                records = leads.page(query, sort, after=cursor, limit=limit).rows
            if not records:
                break  # the table shrank since it was counted
            for offset, record in enumerate(records):
                found[row + offset] = record.id
            last = records[-1]
            cursor = Cursor(getattr(last, sort.field), last.id)
            row += len(records)
            done += len(records)
            ctx.progress(done, total)
    return found


class SelectionResolver(QObject):
    """``resolve(deliver, failed)``: the selected leads' ids, in table order, to ``deliver``.

    While rows are being read: ``reading(count)`` first, ``progressed(done, total)``, then
    ``done``."""

    reading = Signal(int)
    progressed = Signal(int, int)
    done = Signal()

    def __init__(
        self, leads: LeadSource, model: LeadTableModel, selection: QItemSelectionModel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._leads, self._model, self._selection = leads, model, selection

    def cached(self) -> tuple[dict[int, uuid.UUID], Ranges]:
        """The ids of selected rows already fetched by row, and the ranges still to fetch.

        Steps page by page, so a selection of a million rows costs a few thousand looks."""
        model, size = self._model, self._model.page_size
        known: dict[int, uuid.UUID] = {}
        missing: Ranges = []
        for start, stop in selected_ranges(self._selection):
            row = start
            while row < stop:
                end = min(stop, (row // size + 1) * size)  # the end of this page's part
                if model.record(row) is not None:
                    for r in range(row, end):
                        record = model.record(r)
                        if record is not None:
                            known[r] = record.id
                elif missing and missing[-1][1] == row:
                    missing[-1] = (missing[-1][0], end)
                else:
                    missing.append((row, end))
                row = end
        return known, missing

    def resolve(
        self,
        deliver: Callable[[list[uuid.UUID]], object],
        failed: Callable[[BaseException], object],
    ) -> None:
        """At once when every selected row is cached, else after fetching the others."""
        known, missing = self.cached()
        if not missing:
            deliver([known[row] for row in sorted(known)])
            return
        leads, query, sort = self._leads, self._model.query, self._model.lead_sort

        def arrived(fetched: dict[int, uuid.UUID]) -> None:
            fetched.update(known)
            deliver([fetched[row] for row in sorted(fetched)])

        self.reading.emit(sum(stop - start for start, stop in missing) + len(known))
        (
            op(lambda ctx: _fetch_ids(leads, query, sort, missing, ctx), parent=self,
               context=True)
            .progress(lambda p: self.progressed.emit(p.done + len(known),
                                                     (p.total or 0) + len(known)))
            .finished(self.done.emit)
            .success(arrived)
            .failure(failed)
            .run()
        )

    def selects_all(self) -> bool:
        """True when every row of the table's query is selected (Select All); never while a
        new query loads (the rows selected are then the last query's)."""
        total = self._model.total
        if self._model.is_loading or total == 0:
            return False
        return selected_ranges(self._selection) == [(0, total)]

    def resolve_target(
        self,
        deliver: Callable[[Target, int], object],
        failed: Callable[[BaseException], object],
    ) -> None:
        """``deliver(target, selected)``: the table's query when every row is selected (the
        leads matching it, selected in SQL), else the selected ids as ``resolve`` reads them."""
        if self.selects_all():
            deliver(self._model.query, self._model.total)
            return
        self.resolve(lambda ids: deliver(tuple(ids), len(ids)), failed)
