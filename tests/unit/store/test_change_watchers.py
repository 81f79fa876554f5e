"""The SQLite watcher tells another connection's commits (another process's, as far as
``PRAGMA data_version`` knows) from this process's own, and stops when asked."""

from __future__ import annotations

import queue
import sqlite3
import time

from sqlalchemy import text

from leaddesk.store.change_feed import Change
from leaddesk.store.change_watchers import SqliteWatcher, start_watching
from leaddesk.store.database import Store


def test_foreign_commits_are_published_as_external_and_own_ones_are_not(tmp_path) -> None:
    path = tmp_path / "watched.db"
    store = Store.open(f"sqlite:///{path}")
    with store.engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER)"))
    external: queue.Queue[Change] = queue.Queue()
    store.changes.subscribe(lambda change: external.put(change) if change.external else None)
    watcher = start_watching(store, interval=0.05)
    assert isinstance(watcher, SqliteWatcher)
    try:
        time.sleep(0.2)  # the watcher has read the version it starts from
        with store.engine.begin() as conn:
            conn.execute(text("INSERT INTO notes VALUES (1)"))
        time.sleep(0.3)
        assert external.empty(), "this process's commit was published already"

        other = sqlite3.connect(path, isolation_level=None)
        other.execute("INSERT INTO notes VALUES (2)")
        other.close()
        assert external.get(timeout=5) == Change(frozenset(), external=True)
    finally:
        watcher.stop()
        store.dispose()
    assert not watcher.running


def test_an_in_memory_database_needs_no_watcher() -> None:
    store = Store.open("sqlite://")
    watcher = start_watching(store)
    assert not isinstance(watcher, SqliteWatcher)
    watcher.stop()
