"""The window's one source of "the data changed": the store's change feed, on the GUI thread.

Commits happen on worker threads (operations, the outbox's senders) and, through the watchers
of ``leaddesk.store.change_watchers``, in other processes. The hub gathers what arrives, and
about 150 ms after the first change of a burst emits one merged :class:`Change` on the GUI
thread: 500 sends make a handful of reloads, not 500. Views and dialogs that show data connect
to :attr:`ChangeHub.changed` (the main window forwards it to each built view's ``on_changes``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from leaddesk.store.change_feed import Change
from leaddesk.store.change_watchers import Watcher, start_watching
from leaddesk.store.database import Store

COALESCE_MS = 150


class ChangeHub(QObject):
    """Re-emits ``store``'s changes, coalesced, on the thread the hub lives on."""

    #: A merged :class:`Change`, on the GUI thread.
    changed = Signal(object)
    _arrived = Signal()  # from any thread; queued to the hub's own

    def __init__(
        self,
        store: Store,
        parent: QObject | None = None,
        *,
        watch: bool = True,
        delay_ms: int = COALESCE_MS,
    ) -> None:
        """``watch``: also hear other processes' commits (a watcher thread, see ``stop``)."""
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: Change | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        self._arrived.connect(self._schedule, Qt.ConnectionType.QueuedConnection)
        unsubscribe = store.changes.subscribe(self._on_change)
        watcher = start_watching(store) if watch else None
        self._unsubscribe: Callable[[], None] | None = unsubscribe
        self._watcher: Watcher | None = watcher
        # deleted without stop(): the closure holds no reference to the hub
        self.destroyed.connect(lambda *_: _release(unsubscribe, watcher))

    def _on_change(self, change: Change) -> None:
        """On the committing thread: remember it; the first of a burst wakes the hub."""
        with self._lock:
            pending = self._pending
            self._pending = change if pending is None else pending.merged(change)
        if pending is None:
            with contextlib.suppress(RuntimeError):  # the hub was deleted meanwhile
                self._arrived.emit()

    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> Change | None:
        """Emit what arrived so far now (the timer does it otherwise); returns it."""
        self._timer.stop()
        with self._lock:
            change, self._pending = self._pending, None
        if change is not None:
            self.changed.emit(change)
        return change

    def stop(self) -> None:
        """Hear nothing more: unsubscribe and stop the watcher thread (the window's close)."""
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        watcher, self._watcher = self._watcher, None
        _release(unsubscribe, watcher)
        self._timer.stop()


def _release(unsubscribe: Callable[[], None] | None, watcher: Watcher | None) -> None:
    if unsubscribe is not None:
        unsubscribe()
    if watcher is not None:
        watcher.stop()
