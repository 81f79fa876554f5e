"""WAL checkpoints off the committing thread (SQLite).

SQLite's automatic checkpoint runs inside the COMMIT that takes the log past 1,000 pages, so a
big write (a bulk edit of 100,000 leads dirties ~100,000 pages) also pays for copying every page
back into the database file before it returns. The app turns automatic checkpoints off and,
after each commit, asks this daemon thread for a PASSIVE checkpoint on a connection of its own:
it never blocks readers or writers, and a crash in between only leaves a longer log, which the
next open replays as usual.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger("leaddesk.store")
#: Commits arriving this close together share one checkpoint (a steady stream of small
#: commits, such as the outbox's, is checkpointed twice a second, not after each).
SETTLE_SECONDS = 0.5
#: A checkpoint that could not copy the whole log (a commit still writing, a reader on an older
#: snapshot) is tried again, at most this many times in a row.
RETRIES = 20
#: The thread ends after this long without a request (the next request starts it again).
IDLE_SECONDS = 10.0


class Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on ``path`` soon after each ``request()``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closing = threading.Event()  # set once: the store closes (wakes the settling wait)
        self.checkpoints = 0

    def request(self) -> None:
        with self._lock:
            if self._closing.is_set():
                return
            self._wanted.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="leaddesk-checkpoint", daemon=True
                )
                self._thread.start()

    def close(self, timeout: float | None = None) -> None:
        """Stop the thread after any checkpoint in progress (none is started afterwards).

        Waits for that checkpoint by default: cut short by the process exiting, it would leave
        its connection open, so the store's last connection could not fold the log into the
        database as it closes, and the next start would read through a long log.
        """
        with self._lock:
            self._closing.set()
            thread = self._thread
            self._wanted.set()
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        incomplete = 0
        try:
            while True:
                if not self._wanted.wait(IDLE_SECONDS):
                    with self._lock:
                        if not self._wanted.is_set():
                            self._thread = None
                            return
                if self._closing.is_set():
                    return
                if self._closing.wait(SETTLE_SECONDS):  # meanwhile commits share this one
                    return
                self._wanted.clear()
                if self._closing.is_set():
                    return
                if conn is None:
                    conn = self._connect()
                if conn is None or self._checkpoint(conn):
                    incomplete = 0
                elif (incomplete := incomplete + 1) < RETRIES:
                    self._wanted.set()  # frames still held by a commit or a reader: again
        finally:
            if conn is not None:
                conn.close()

    def _connect(self) -> sqlite3.Connection | None:
        try:
            return sqlite3.connect(self.path, timeout=1.0, check_same_thread=False)
        except sqlite3.Error as exc:  # a vanished file: the next request retries
            log.debug("WAL checkpoint skipped: %s", exc)
            return None

    def _checkpoint(self, conn: sqlite3.Connection) -> bool:
        """One PASSIVE checkpoint; True when it copied the whole log (or cannot try now)."""
        try:
            _busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:  # locked or gone: the next request retries
            log.debug("WAL checkpoint skipped: %s", exc)
            return True
        self.checkpoints += 1
        return copied >= frames
