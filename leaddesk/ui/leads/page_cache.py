"""A bounded LRU cache of fixed-size row pages, with the keyset cursor after each page.

The cursors outlive their pages (they are tiny), so scrolling back down to an evicted page still
continues by keyset from the page before it instead of an OFFSET scan.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from leaddesk.services.leads.query import Cursor

R = TypeVar("R")


class PageCache(Generic[R]):
    def __init__(self, page_size: int = 200, max_pages: int = 50) -> None:
        if page_size < 1 or max_pages < 1:
            raise ValueError("page_size and max_pages must be positive")
        self.page_size = page_size
        self.max_pages = max_pages
        self._pages: OrderedDict[int, list[R]] = OrderedDict()
        self._next: dict[int, Cursor | None] = {}

    def page_of(self, row: int) -> int:
        return row // self.page_size

    def get(self, page: int) -> list[R] | None:
        rows = self._pages.get(page)
        if rows is not None:
            self._pages.move_to_end(page)
        return rows

    def row(self, row: int) -> R | None:
        rows = self.get(row // self.page_size)
        if rows is None:
            return None
        offset = row % self.page_size
        return rows[offset] if offset < len(rows) else None

    def put(self, page: int, rows: list[R], next_cursor: Cursor | None) -> None:
        self._pages[page] = rows
        self._pages.move_to_end(page)
        self._next[page] = next_cursor
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    def cursor_before(self, page: int) -> Cursor | None:
        """The keyset cursor that starts ``page``, when the page before it was ever fetched."""
        return self._next.get(page - 1)

    def replace(self, predicate: Callable[[R], bool], record: R) -> list[int]:
        """Put ``record`` in place of cached rows matching ``predicate``; their row numbers."""
        changed = []
        for page, rows in self._pages.items():
            for offset, old in enumerate(rows):
                if predicate(old):
                    rows[offset] = record
                    changed.append(page * self.page_size + offset)
        return changed

    def cached_pages(self) -> list[int]:
        return list(self._pages)

    def __contains__(self, page: int) -> bool:
        return page in self._pages

    def __iter__(self) -> Iterator[tuple[int, list[R]]]:
        return iter(list(self._pages.items()))

    def clear(self) -> None:
        self._pages.clear()
        self._next.clear()
