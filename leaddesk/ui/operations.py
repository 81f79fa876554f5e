"""One way to run work off the GUI thread and get its outcome back on it.

    op(lambda: leads.count(query)).success(show_count).failure(show_error).run()

The function runs on a private ``QThreadPool``; its result, its exception or its progress reports
reach the callbacks on the GUI thread through queued signals, so callbacks may touch widgets and
the worker never does. A function that wants progress or cancellation takes an ``OpContext``
(``op(fn, context=True)``): ``ctx.progress(done, total)`` and ``ctx.check()`` (raises
``Cancelled`` after ``cancel()``). An operation whose ``parent`` QObject was deleted meanwhile
delivers nothing. Errors without a failure callback go to one default handler (the app shows a
dialog; tests and the screenshot tool log).

Services open a short session per call, so calling them from the pool's threads is safe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal, Slot

log = logging.getLogger("leaddesk.ui.operations")

T = TypeVar("T")
_PROGRESS_INTERVAL = 0.05  # seconds between two progress reports reaching the GUI


class Cancelled(Exception):
    """Raised by ``OpContext.check()`` in a worker whose operation was cancelled."""


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int | None = None
    text: str = ""


class OpContext:
    """Handed to a worker function: report progress, notice cancellation. Thread-safe."""

    def __init__(self, report: Callable[[Progress], None], cancel_event: threading.Event) -> None:
        self._report = report
        self._cancel = cancel_event
        self._last = 0.0

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Stop the work here when the user cancelled it."""
        if self._cancel.is_set():
            raise Cancelled

    def progress(self, done: int, total: int | None = None, text: str = "") -> None:
        """Report progress; reports closer than 50 ms apart are dropped, except the last."""
        now = time.monotonic()
        if now - self._last < _PROGRESS_INTERVAL and (total is None or done < total):
            return
        self._last = now
        self._report(Progress(done, total, text))


class _Relay(QObject):
    """Lives on the GUI thread: the worker emits, and the queued slots (run on the GUI thread
    because the receiver lives there) hand the outcome to the operation."""

    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    progressed = Signal(object)

    def __init__(self, operation: Operation[Any]) -> None:
        super().__init__()
        self._operation: Operation[Any] | None = operation
        queued = Qt.ConnectionType.QueuedConnection
        self.succeeded.connect(self._on_succeeded, queued)
        self.failed.connect(self._on_failed, queued)
        self.cancelled.connect(self._on_cancelled, queued)
        self.progressed.connect(self._on_progressed, queued)

    def detach(self) -> None:
        self._operation = None
        self.deleteLater()  # deleted on its own (GUI) thread, whoever drops it last

    @Slot(object)
    def _on_succeeded(self, result: object) -> None:
        if self._operation is not None:
            self._operation._deliver_success(result)

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        if self._operation is not None:
            self._operation._deliver_failure(exc)  # type: ignore[arg-type]

    @Slot()
    def _on_cancelled(self) -> None:
        if self._operation is not None:
            self._operation._deliver_cancel()

    @Slot(object)
    def _on_progressed(self, value: object) -> None:
        if self._operation is not None:
            self._operation._deliver_progress(value)  # type: ignore[arg-type]


class _Worker(QRunnable):
    def __init__(self, operation: Operation[Any]) -> None:
        super().__init__()
        self._operation = operation

    def run(self) -> None:
        self._operation._work()
        self._operation = None  # type: ignore[assignment]


FailureHandler = Callable[[BaseException], None]


def _log_failure(exc: BaseException) -> None:
    log.error("background operation failed", exc_info=(type(exc), exc, exc.__traceback__))


class _Runner:
    """The pool and the operations not yet delivered (what ``wait_idle`` waits for)."""

    def __init__(self) -> None:
        self._pool: QThreadPool | None = None
        self.live: set[Operation[Any]] = set()
        self.default_failure: FailureHandler = _log_failure

    @property
    def pool(self) -> QThreadPool:
        if self._pool is None:
            self._pool = QThreadPool()
            self._pool.setObjectName("leaddesk-operations")
            ideal = QThreadPool.globalInstance().maxThreadCount()
            self._pool.setMaxThreadCount(max(2, min(4, ideal)))
        return self._pool


_runner = _Runner()


class Operation(Generic[T]):
    """A function to run in the background, with callbacks for its outcome (see module doc)."""

    def __init__(
        self, fn: Callable[..., T], *, parent: QObject | None = None, context: bool = False
    ) -> None:
        self._fn = fn
        self._parent = parent
        self._wants_context = context
        self._on_success: list[Callable[[T], Any]] = []
        self._on_failure: list[FailureHandler] = []
        self._on_progress: list[Callable[[Progress], Any]] = []
        self._on_finished: list[Callable[[], Any]] = []
        self._cancel = threading.Event()
        self._relay: _Relay | None = None
        self._started = False
        self._done = False

    # -- building ----------------------------------------------------------------------------
    def success(self, callback: Callable[[T], Any]) -> Operation[T]:
        self._on_success.append(callback)
        return self

    def failure(self, callback: FailureHandler) -> Operation[T]:
        self._on_failure.append(callback)
        return self

    def progress(self, callback: Callable[[Progress], Any]) -> Operation[T]:
        self._on_progress.append(callback)
        return self

    def finished(self, callback: Callable[[], Any]) -> Operation[T]:
        """Called last, after success, failure or cancellation."""
        self._on_finished.append(callback)
        return self

    # -- running -----------------------------------------------------------------------------
    def run(self) -> Operation[T]:
        if self._started:
            raise RuntimeError("an operation runs once")
        self._started = True
        self._relay = _Relay(self)
        _runner.live.add(self)
        _runner.pool.start(_Worker(self))
        return self

    def cancel(self) -> None:
        """Ask the work to stop; no success or failure is delivered after this."""
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def is_done(self) -> bool:
        return self._done

    def _work(self) -> None:  # on a pool thread
        relay = self._relay
        assert relay is not None
        if self._cancel.is_set():
            relay.cancelled.emit()
            return
        try:
            if self._wants_context:
                result = self._fn(OpContext(relay.progressed.emit, self._cancel))
            else:
                result = self._fn()
        except Cancelled:
            relay.cancelled.emit()
        except Exception as exc:  # delivered to the GUI thread, never lost
            relay.failed.emit(exc)
        else:
            if self._cancel.is_set():
                relay.cancelled.emit()
            else:
                relay.succeeded.emit(result)

    # -- delivery, on the GUI thread ------------------------------------------------------------
    def _alive(self) -> bool:
        return self._parent is None or shiboken6.isValid(self._parent)

    def _deliver_progress(self, value: Progress) -> None:
        if not self._done and not self._cancel.is_set() and self._alive():
            for callback in self._on_progress:
                callback(value)

    def _deliver_success(self, result: Any) -> None:
        self._settle(lambda: [cb(result) for cb in self._on_success])

    def _deliver_failure(self, exc: BaseException) -> None:
        if self._cancel.is_set():
            self._settle(None)
            return
        handlers = self._on_failure or [_runner.default_failure]
        self._settle(lambda: [handler(exc) for handler in handlers])

    def _deliver_cancel(self) -> None:
        self._settle(None)

    def _settle(self, deliver: Callable[[], Any] | None) -> None:
        if self._done:
            return
        self._done = True
        _runner.live.discard(self)
        relay, self._relay = self._relay, None
        if relay is not None:
            relay.detach()
        try:
            if self._alive():
                if deliver is not None and not self._cancel.is_set():
                    deliver()
                for callback in self._on_finished:
                    callback()
        finally:
            # Drop the callbacks and what they capture (widgets, models): no cycle through a
            # delivered operation keeps Qt objects for the garbage collector to find.
            self._fn = None  # type: ignore[assignment]
            self._parent = None
            self._on_success.clear()
            self._on_failure.clear()
            self._on_progress.clear()
            self._on_finished.clear()


def op(
    fn: Callable[..., T], *, parent: QObject | None = None, context: bool = False
) -> Operation[T]:
    """Build a background operation; call ``.run()`` to start it."""
    return Operation(fn, parent=parent, context=context)


def set_default_failure_handler(handler: FailureHandler | None) -> None:
    """Where errors go when an operation has no failure callback (``None``: log them)."""
    _runner.default_failure = handler or _log_failure


def pending() -> int:
    """Operations started and not yet delivered."""
    return len(_runner.live)


def cancel_all() -> None:
    for operation in list(_runner.live):
        operation.cancel()


def wait_idle(timeout_ms: int = 10_000) -> bool:
    """Process events until every operation (and any it started) was delivered."""
    deadline = time.monotonic() + timeout_ms / 1000
    app = QCoreApplication.instance()
    while True:
        if app is not None:
            app.processEvents()
        if not _runner.live:
            return True
        if time.monotonic() > deadline:
            return False
        _runner.pool.waitForDone(5)


def shutdown(timeout_ms: int = 10_000) -> bool:
    """Cancel everything, wait for the threads, deliver what is queued (app exit, test teardown)."""
    cancel_all()
    done = _runner.pool.waitForDone(timeout_ms)
    return wait_idle(timeout_ms) and done
