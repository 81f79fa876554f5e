"""Changes made by another process, published on this process's change feed.

The feed (``leaddesk.store.change_feed``) hears only this process's commits. A window must also
see what the CLI, a second window or a team-mate wrote:

- SQLite: a dedicated connection polls ``PRAGMA data_version``, which moves when any *other*
  connection committed. A move while this process published no commit of its own since the last
  look is another process's: published as ``Change(frozenset(), external=True)`` (which tables,
  SQLite cannot say). A move that coincides with an own commit is taken as that commit (the next
  look catches the next foreign write).
- PostgreSQL: migration 0008 installs statement-level triggers that ``pg_notify`` the table name
  on channel :data:`CHANNEL`; a listener thread ``LISTEN``s on its own connection and publishes
  ``Change(frozenset({table}), external=True)`` for every notification not sent by one of this
  engine's own connections (:attr:`ChangeFeed.own_backends`).

:func:`start_watching` returns a watcher whose ``stop()`` ends its thread and closes its
connection; the window stops it when it closes.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from typing import Any, Protocol

from leaddesk.store.change_feed import Change, ChangeFeed, feed_for
from leaddesk.store.database import Store

log = logging.getLogger("leaddesk.store.changes")

#: The PostgreSQL notification channel the triggers of migration 0008 notify on.
CHANNEL = "leaddesk_changes"
POLL_SECONDS = 0.5


class Watcher(Protocol):
    def stop(self) -> None: ...


class _Idle:
    """An in-memory database: no other process can write to it."""

    def stop(self) -> None:
        return None


def start_watching(store: Store, interval: float = POLL_SECONDS) -> Watcher:
    """Start watching ``store``'s database for other processes' commits."""
    if store.dialect == "sqlite":
        path = store.engine.url.database or ""
        if not path or path == ":memory:" or path.startswith("file:"):
            return _Idle()
        return SqliteWatcher(path, feed_for(store.engine), interval)
    if store.dialect == "postgresql":
        return PostgresListener(store, interval)
    return _Idle()


class _Thread:
    """A daemon thread running ``self._run`` until :meth:`stop`."""

    name = "leaddesk-changes"

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._guarded, name=self.name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopped.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _guarded(self) -> None:
        try:
            self._run()
        except Exception:  # a watcher that dies must not take the window down
            log.exception("change watcher stopped")

    def _run(self) -> None:
        raise NotImplementedError


class SqliteWatcher(_Thread):
    """Polls ``PRAGMA data_version`` of a SQLite file (see the module docstring)."""

    name = "leaddesk-sqlite-watcher"

    def __init__(self, path: str, feed: ChangeFeed, interval: float = POLL_SECONDS) -> None:
        super().__init__(interval)
        self._path = path
        self._feed = feed
        self.start()

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, timeout=1.0, isolation_level=None,
                               check_same_thread=False)
        try:
            version = _data_version(conn)
            commits = self._feed.commits
            while not self._stopped.wait(self._interval):
                now = _data_version(conn)
                own = self._feed.commits
                if now is not None and now != version and own == commits:
                    self._feed.publish(Change(frozenset(), external=True))
                version = now if now is not None else version
                commits = own
        finally:
            conn.close()


def _data_version(conn: sqlite3.Connection) -> int | None:
    """The file's data version, or None while it cannot be read (locked, being replaced)."""
    try:
        return int(conn.execute("PRAGMA data_version").fetchone()[0])
    except sqlite3.Error as err:
        log.debug("PRAGMA data_version failed: %s", err)
        return None


class PostgresListener(_Thread):
    """``LISTEN leaddesk_changes`` on a connection of its own, taken from the store's engine
    (so it signs in exactly as the store does, a member's restricted role included)."""

    name = "leaddesk-postgres-listener"

    def __init__(self, store: Store, interval: float = POLL_SECONDS) -> None:
        super().__init__(interval)
        self._engine = store.engine
        self._feed = feed_for(store.engine)
        self.listening = threading.Event()
        self.start()

    def _connect(self) -> Any:
        pooled = self._engine.raw_connection()
        conn = pooled.driver_connection
        pooled.detach()  # ours until closed; the pool neither counts nor reuses it
        conn.rollback()
        conn.autocommit = True
        # its notifications would be its own anyway; it never writes
        self._feed.own_backends.discard(conn.info.backend_pid)
        conn.execute(f"LISTEN {CHANNEL}")
        return conn

    def _run(self) -> None:
        conn = None
        try:
            while not self._stopped.is_set():
                if conn is None or conn.closed:
                    conn = self._reconnect(conn)
                    if conn is None:
                        continue
                try:
                    self._deliver(conn)
                except Exception as err:  # the server went away: connect again
                    log.warning("change listener lost its connection: %s", err)
                    self.listening.clear()
                    with contextlib.suppress(Exception):
                        conn.close()
                    conn = None
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()

    def _reconnect(self, old: Any) -> Any:
        try:
            conn = self._connect()
        except Exception as err:
            log.warning("change listener cannot connect: %s", err)
            self._stopped.wait(self._interval * 10)
            return None
        if old is not None:  # what happened while it was away is unknown
            self._feed.publish(Change(frozenset(), external=True))
        self.listening.set()
        return conn

    def _deliver(self, conn: Any) -> None:
        """Wait up to one interval for notifications; publish the foreign ones."""
        tables: set[str] = set()
        own = self._feed.own_backends
        for note in conn.notifies(timeout=self._interval):
            if note.pid not in own:
                tables.add(note.payload)
        if tables:
            self._feed.publish(Change(frozenset(tables), external=True))
