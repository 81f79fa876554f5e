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
import time

log = logging.getLogger("leaddesk.store")
#: Commits arriving this close together share one checkpoint.
SETTLE_SECONDS = 0.05
#: A checkpoint that could not copy the whole log (a commit still writing, a reader on an older
#: snapshot) is tried again this many times, this far apart.
RETRIES = 20
RETRY_SECONDS = 0.1
#: The thread ends after this long without a request (the next request starts it again).
IDLE_SECONDS = 10.0


class Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on ``path`` soon after each ``request()``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.checkpoints = 0

    def request(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._wanted.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="leaddesk-checkpoint", daemon=True
                )
                self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread after any checkpoint in progress (none is started afterwards)."""
        with self._lock:
            self._closed = True
            thread = self._thread
            self._wanted.set()
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            if not self._wanted.wait(IDLE_SECONDS):
                with self._lock:
                    if not self._wanted.is_set():
                        self._thread = None
                        return
            if self._closed:
                return
            time.sleep(SETTLE_SECONDS)
            self._wanted.clear()
            if self._closed:
                return
            self._checkpoint()

    def _checkpoint(self) -> None:
        """Checkpoint until the log is copied, retrying while a commit or reader holds frames."""
        try:
            conn = sqlite3.connect(self.path, timeout=1.0)
            try:
                for _ in range(RETRIES):
                    _busy, frames, copied = conn.execute(
                        "PRAGMA wal_checkpoint(PASSIVE)"
                    ).fetchone()
                    self.checkpoints += 1
                    if copied >= frames or self._closed:
                        return
                    time.sleep(RETRY_SECONDS)
            finally:
                conn.close()
        except sqlite3.Error as exc:  # a vanished or locked file: the next request retries
            log.debug("WAL checkpoint skipped: %s", exc)
