"""How a filtered, sorted page of leads is fetched fast on SQLite.

SQLite plans ``WHERE status IN (...) ORDER BY updated_at DESC LIMIT 100`` by the status index
and then sorts every matching row: 400 ms when a filter matches half a million leads. When a
filter matches many rows, walking the sort index and testing each row stops after the first
hundred matches, a few milliseconds. So a page first counts the matches among the first
``SAMPLE`` rows in sort order (a bounded walk of the sort index): with at least ``MIN_HITS`` the
filter is dense and is written so that no index but the sort's can drive it (``+column`` on
SQLite; a correlated search and tag test); a sparse filter is left to the filter indexes.
PostgreSQL's planner weighs LIMIT itself; there the wrapping is a no-op.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

SAMPLE = 1000
#: 1% of the sample: a page of 100 is then found within about 10,000 rows of the sort index.
MIN_HITS = 10


class Unindexed(ColumnElement[Any]):
    """A column that SQLite must not use an index for (``+column``), as itself elsewhere."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = column.type


@compiles(Unindexed, "sqlite")
def _sqlite(element: Unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + compiler.process(element.column, **kw)


@compiles(Unindexed)
def _default(element: Unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))

