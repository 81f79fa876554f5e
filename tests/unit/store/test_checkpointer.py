"""WAL checkpoints run on the checkpointer's thread after commits, not inside them."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import text

from leaddesk.store import database
from leaddesk.store.database import Store


def _wait_for(condition, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_commits_leave_checkpoints_to_the_background_thread(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    store = Store.open(f"sqlite:///{path}")
    checkpointer = database._CHECKPOINTERS[store.engine]
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        with store.write() as session:
            session.execute(text("CREATE TABLE t (x TEXT)"))
            session.execute(
                text("INSERT INTO t VALUES (:x)"), [{"x": "a" * 500} for _ in range(20_000)]
            )
        # Far past SQLite's 1,000-page automatic checkpoint, yet the commit copied nothing:
        # the log was copied back into the database by the checkpointer's thread.
        assert _wait_for(lambda: checkpointer.checkpoints >= 1)
        raw = sqlite3.connect(path)
        try:
            _busy, frames, copied = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            raw.close()
        assert frames > 1000 and copied == frames
    finally:
        store.dispose()
    assert store.engine not in database._CHECKPOINTERS


def test_a_memory_database_has_no_checkpointer() -> None:
    store = Store.open("sqlite://")
    try:
        assert store.engine not in database._CHECKPOINTERS
    finally:
        store.dispose()


def test_a_log_found_at_start_is_folded_in_without_a_commit(tmp_path: Path) -> None:
    path = tmp_path / "left.db"
    other = sqlite3.connect(path)  # another process's connection, still open: its log stays
    other.execute("PRAGMA journal_mode = WAL")
    other.execute("PRAGMA wal_autocheckpoint = 0")
    other.execute("CREATE TABLE t (x TEXT)")
    other.executemany("INSERT INTO t VALUES (?)", [("b" * 500,) for _ in range(5_000)])
    other.commit()
    store = Store.open(f"sqlite:///{path}")
    try:
        checkpointer = database._CHECKPOINTERS[store.engine]
        assert _wait_for(lambda: checkpointer.checkpoints >= 1)
        _busy, frames, copied = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert frames > 100 and copied == frames
    finally:
        store.dispose()
        other.close()
