"""What changed in the database, announced after each commit: one path for every view to stay fresh.

Every write that goes through SQLAlchemy is seen here: the tables a transaction wrote are noted
as its statements run and published when it commits (a rollback forgets them). Writes made on
the raw driver connection call :func:`note_write` themselves. Subscribers are called on the
committing thread, just before the database's own COMMIT returns: they must not read the
database synchronously; the window's change hub (``leaddesk.ui.change_hub``) re-emits on the GUI
thread after a short coalescing delay.

Changes made by another process (the CLI while the window runs, a team-mate on PostgreSQL)
arrive as :class:`Change` with ``external=True`` from the watchers in
``leaddesk.store.change_watchers``.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event

#: The table a write statement targets (INSERT, INSERT OR …, REPLACE, UPDATE, DELETE).
_WRITE = re.compile(
    r'^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)'
    r'\s+(?:"?\w+"?\.)?"?(\w+)"?',
    re.IGNORECASE,
)
_TOUCHED = "leaddesk_touched"

#: What balances, usage and the credit history are read from: the ledger, the price list (plan
#: and action names) and the settings (the low-balance threshold). A change to any of them
#: reloads what shows credits.
CREDIT_TABLES = frozenset({
    "credit_accounts", "credit_transactions", "credit_holds", "redeemed_topup_codes",
    "price_list_versions", "app_settings",
})


@dataclass(frozen=True, slots=True)
class Change:
    """The tables one commit (or a batch of commits) wrote. ``external``: made by another
    process; an external change with no ``tables`` may have touched any table."""

    tables: frozenset[str]
    external: bool = False

    def touches(self, *tables: str) -> bool:
        """Whether this change may have written any of ``tables``."""
        if self.external and not self.tables:
            return True
        return not self.tables.isdisjoint(tables)

    def merged(self, other: Change) -> Change:
        """Both changes as one (for coalescing); unknown tables stay unknown."""
        if (self.external and not self.tables) or (other.external and not other.tables):
            return Change(frozenset(), external=True)
        return Change(self.tables | other.tables, self.external or other.external)


Subscriber = Callable[[Change], None]


class ChangeFeed:
    """One database's change announcements (see :func:`feed_for`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []
        #: Commits this process published so far (the SQLite watcher tells its own from others').
        self.commits = 0
        #: PostgreSQL: the server processes of this engine's connections (the listener ignores
        #: their notifications: those commits were published here already).
        self.own_backends: set[int] = set()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(change)`` after every commit; returns the function that stops it."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, change: Change) -> None:
        with self._lock:
            if not change.external:
                self.commits += 1
            subscribers = list(self._subscribers)
        for callback in subscribers:
            callback(change)


_FEEDS: weakref.WeakKeyDictionary[Engine, ChangeFeed] = weakref.WeakKeyDictionary()
_FEEDS_LOCK = threading.Lock()


def feed_for(engine: Engine) -> ChangeFeed:
    """The change feed of ``engine``'s database, its listeners installed on first use."""
    with _FEEDS_LOCK:
        feed = _FEEDS.get(engine)
        if feed is None:
            feed = _FEEDS[engine] = ChangeFeed()
            _install(engine, feed)
        return feed


def tables_written(statement: str) -> str | None:
    """The table a write statement targets, or None for anything else."""
    match = _WRITE.match(statement)
    return match.group(1).lower() if match else None


def note_write(connection: Any, tables: Iterable[str]) -> None:
    """Record writes made on the raw driver connection behind SQLAlchemy ``connection`` (a
    ``Connection``), to be published with its transaction's commit."""
    connection.info.setdefault(_TOUCHED, set()).update(tables)


def _install(engine: Engine, feed: ChangeFeed) -> None:
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            feed.own_backends.add(dbapi_conn.info.backend_pid)

    @event.listens_for(engine, "after_cursor_execute")
    def _after_execute(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        table = tables_written(statement)
        if table is not None:
            conn.info.setdefault(_TOUCHED, set()).add(table)

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Any) -> None:
        touched = conn.info.pop(_TOUCHED, None)
        if touched:
            feed.publish(Change(frozenset(touched)))

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Any) -> None:
        conn.info.pop(_TOUCHED, None)
