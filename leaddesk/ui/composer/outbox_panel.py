"""The outbox from the GUI: send in the background, show progress, pause, resume, cancel.

:class:`OutboxRunner` wraps :class:`~leaddesk.sending.dispatcher.Dispatcher` in one background
operation (``op``): the dispatcher's worker threads send, its progress callback reports through
the operation's ``OpContext`` (throttled, delivered on the GUI thread), and pause/resume/cancel
call the dispatcher's thread-safe controls. The GUI thread never touches the database or a socket.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from leaddesk.ui.formatting import plural
from leaddesk.ui.operations import OpContext, Operation, op
from leaddesk.ui.operations import Progress as OpProgress

if TYPE_CHECKING:
    from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig, Progress


class OutboxRunner(QObject):
    """Emits ``progressed(Progress)`` while sending and ``finished(Progress)`` at the end
    (``None`` when sending failed; ``failed(str)`` says why); ``autoStarted(int)`` when the
    always-on timer (:meth:`start_timer`) found that many messages due and started sending."""

    progressed = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    autoStarted = Signal(int)

    def __init__(self, make_dispatcher: Callable[[], Dispatcher],
                 parent: QObject | None = None,
                 due_count: Callable[[], int] | None = None) -> None:
        super().__init__(parent)
        self._make = make_dispatcher
        self._due_count = due_count
        self._dispatcher: Dispatcher | None = None
        self._operation: Operation[Progress] | None = None
        self._checking = False
        self.last: Progress | None = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check_due)

    @classmethod
    def for_services(cls, services: Any, config: DispatcherConfig | None = None,
                     parent: QObject | None = None) -> OutboxRunner:
        """A runner on the app's services. The sending machinery (the dispatcher, the channels)
        is imported at the first look for due messages, not when the window opens."""

        def dispatcher() -> Dispatcher:
            from leaddesk.sending.dispatcher import Dispatcher

            return Dispatcher(services.ctx, services.credits, services.integrations, config)

        def due_count() -> int:
            from leaddesk.sending.outbox import Outbox

            return Outbox(services.ctx).due_count()

        return cls(dispatcher, parent, due_count=due_count)

    # -- the always-on outbox ----------------------------------------------------------------
    def start_timer(self, interval_ms: int = 30_000) -> None:
        """While the app is open, look for due messages (scheduled ones whose time came, retries)
        every ``interval_ms`` and send them. :meth:`stop` ends it."""
        self.timer.start(interval_ms)

    def check_due(self) -> None:
        """One look (off the GUI thread); sends when something is due and nothing is sending."""
        if self._due_count is None or self._checking or self.running:
            return
        self._checking = True
        due_count = self._due_count
        (
            op(due_count, parent=self)
            .success(self._due_counted)
            .finished(self._checked)
            .run()
        )

    def _checked(self) -> None:
        self._checking = False

    def _due_counted(self, count: int) -> None:
        if count > 0 and not self.running and self.timer.isActive():
            self.start()
            self.autoStarted.emit(count)

    def stop(self) -> None:
        """The app is closing: no more looks, and the messages in hand finish, the rest stays
        queued for next time."""
        self.timer.stop()
        self.cancel()

    @property
    def running(self) -> bool:
        return self._operation is not None and not self._operation.is_done

    def start(self) -> None:
        """Send what is due; a second call while sending does nothing (the run picks up new
        messages by itself)."""
        if self.running:
            return
        dispatcher = self._dispatcher = self._make()

        def work(ctx: OpContext) -> Progress:
            def report(p: Progress) -> None:
                if ctx.cancelled:
                    dispatcher.cancel()
                ctx.progress(p.done, None, "")

            dispatcher.on_progress = report
            dispatcher.poll_opt_outs()  # "STOP" texts first: those numbers are spared
            return dispatcher.run_until_empty()

        self._operation = (
            op(work, parent=self, context=True)
            .progress(self._on_progress)
            .success(self._on_done)
            .failure(lambda exc: (self.failed.emit(str(exc)), self.finished.emit(None)))
            .run()
        )

    def pause(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.pause()
            self._on_progress(None)

    def resume(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.resume()
            self._on_progress(None)

    def cancel(self) -> None:
        """Stop after the messages in hand; the rest stays queued."""
        if self._dispatcher is not None:
            self._dispatcher.cancel()

    def _on_progress(self, _report: OpProgress | None) -> None:
        if self._dispatcher is not None:
            self.last = self._dispatcher.progress
            self.progressed.emit(self.last)

    def _on_done(self, progress: Progress) -> None:
        self.last = progress
        self.finished.emit(progress)


class OutboxPanel(QWidget):
    """A one-line progress strip: what was sent, a bar, Pause/Resume and Cancel."""

    def __init__(self, runner: OutboxRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.total = 0
        self.status = QLabel()
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.pause_button = QPushButton(self.tr("Pause"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.pause_button)
        layout.addWidget(self.cancel_button)
        self.pause_button.clicked.connect(self._toggle_pause)
        self.cancel_button.clicked.connect(runner.cancel)
        runner.progressed.connect(self.show_progress)
        runner.autoStarted.connect(self._auto_started)
        runner.finished.connect(self._finished)
        runner.failed.connect(lambda text: self.status.setText(self.tr("Sending stopped: ") + text))
        self.setVisible(False)

    def begin(self, total: int) -> None:
        self.total = total
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(0)
        self.pause_button.setText(self.tr("Pause"))
        self.pause_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.status.setText(self.tr("Sending…"))
        self.setVisible(True)

    def _auto_started(self, count: int) -> None:
        self.begin(count)
        self.status.setText(self.tr("Sending %1…").replace("%1", plural(count, "due message")))

    def show_progress(self, p: Progress) -> None:
        self.bar.setValue(min(p.done, self.bar.maximum()))
        text = self.tr("%1 of %2 sent").replace("%1", str(p.sent)).replace("%2", str(self.total))
        extra = [(p.failed, self.tr("failed")), (p.retried, self.tr("retrying")),
                 (p.unknown, self.tr("to check")), (p.held + p.cancelled, self.tr("not sent"))]
        text += "".join(f" · {n} {label}" for n, label in extra if n)
        if p.paused:
            text += self.tr(" · paused")
        self.status.setText(text)
        self.pause_button.setText(self.tr("Resume") if p.paused else self.tr("Pause"))

    def _toggle_pause(self) -> None:
        last = self.runner.last
        if last is not None and last.paused:
            self.runner.resume()
        else:
            self.runner.pause()

    def _finished(self, p: Progress | None) -> None:
        if p is not None:
            self.show_progress(p)
            self.status.setText(self.status.text() + self.tr(" · done"))
        self.pause_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
