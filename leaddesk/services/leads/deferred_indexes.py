"""Indexes dropped for a big bulk insert and built once at its end (SQLite).

Sorting a million keys into a fresh B-tree is several times cheaper than a million random
inserts into each of a dozen indexes. Everything happens inside the caller's transaction: if the
load fails or is cancelled, the rollback brings the indexes back untouched.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator

from sqlalchemy import Connection


@contextlib.contextmanager
def deferred_indexes(
    conn: Connection, table: str, keep: Collection[str] = (), enabled: bool = True
) -> Iterator[None]:
    """Drop ``table``'s indexes except ``keep`` (and its primary key) while the block runs."""
    if not enabled or conn.dialect.name != "sqlite":
        yield
        return
    indexes = [
        (name, sql)
        for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        )
        if name not in keep
    ]
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.exec_driver_sql(sql)
    # Fresh statistics, or the planner guesses (and may scan a million rows per page).
    conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
    conn.exec_driver_sql(f'ANALYZE "{table}"')
