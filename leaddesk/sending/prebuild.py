"""Emails built on another process while the sending threads send.

Building an email (headers, MIME, the footer) is ~0.5 ms of pure Python. On the sending threads
it held the GIL the other threads waited for to read their server's reply or to commit a
handoff marker, and the second core stayed half idle: the dispatcher managed ~650 emails/s
where a bare loop does ~820 (``benchmarks/send.py``). Built ahead on a spawned process, a
batch's emails are ready when their turn comes (~950 emails/s).

A spawned process takes ~0.5 s to start, so the dispatcher starts one only for a big outbox;
until it has started, and for anything it could not build, the thread builds the email itself
(so a bad address fails with the thread's own error, as without this module).
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import Future

from leaddesk.channels.base import ChannelError, OutgoingMessage
from leaddesk.channels.email_mime import WireEmail, wire_email
from leaddesk.worker_processes import process_pool

log = logging.getLogger(__name__)


def _ready() -> bool:
    """Run once on the new process: the imports are done."""
    return True


def _build(msg: OutgoingMessage, message_id_domain: str) -> WireEmail | None:
    """On the build process; ``None`` when the message cannot be built (the sending thread
    then builds it again and reports the error)."""
    try:
        return wire_email(msg, message_id_domain)
    except ChannelError:
        return None


class EmailPrebuilder:
    """A pool of build processes; :meth:`submit` ahead, :meth:`take` when sending. Thread-safe."""

    def __init__(self, processes: int = 1) -> None:
        self._pool = process_pool(processes)
        self._started = self._pool.submit(_ready)
        self._futures: dict[uuid.UUID, Future[WireEmail | None]] = {}
        self._lock = threading.Lock()
        #: Emails handed out built by the pool (for tests and diagnostics).
        self.built = 0

    @property
    def ready(self) -> bool:
        return self._started.done() and self._started.exception() is None

    def wait_ready(self, timeout: float | None = None) -> bool:
        try:
            return bool(self._started.result(timeout))
        except Exception:  # a process that cannot start: the threads build
            log.warning("email build process did not start", exc_info=True)
            return False

    def submit(self, key: uuid.UUID, msg: OutgoingMessage, message_id_domain: str) -> None:
        """Start building ``msg`` (nothing happens before the pool has started)."""
        if not self.ready:
            return
        try:
            future = self._pool.submit(_build, msg, message_id_domain)
        except RuntimeError:  # shut down meanwhile
            return
        with self._lock:
            self._futures[key] = future

    def take(self, key: uuid.UUID) -> WireEmail | None:
        """The email built for ``key`` (waiting for it), or ``None``: build it yourself."""
        with self._lock:
            future = self._futures.pop(key, None)
        if future is None:
            return None
        try:
            built = future.result()
        except Exception:  # e.g. the process died: the thread builds
            log.warning("building an email on the build process failed", exc_info=True)
            return None
        if built is not None:
            with self._lock:
                self.built += 1
        return built

    def discard(self, keys: list[uuid.UUID]) -> None:
        """Forget what was submitted for ``keys`` and not taken (requeued, cancelled)."""
        with self._lock:
            futures = [self._futures.pop(k) for k in keys if k in self._futures]
        for future in futures:
            future.cancel()

    def close(self) -> None:
        with self._lock:
            self._futures.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
