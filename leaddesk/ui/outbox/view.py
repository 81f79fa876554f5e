"""The Outbox view: what is queued, scheduled, capped (and when it will go), held (why, and the
fix), failed and sent; pause and resume sending for everyone, retry and cancel.

It reads :class:`~leaddesk.services.messaging.outbox_items.OutboxService` off the GUI thread and
reloads when a write touches the messages, the send counters or the settings (``on_changes``).
Pause and resume set the database-wide switch every sender reads, and pause or start this
window's own sender (the ``OutboxRunner`` the composer shares).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.messaging.outbox_items import CapUsage, OutboxItem, OutboxService
from leaddesk.store.change_feed import Change
from leaddesk.ui import formatting
from leaddesk.ui.composer.outbox_panel import OutboxRunner
from leaddesk.ui.operations import op
from leaddesk.ui.outbox.model import OutboxModel
from leaddesk.ui.widgets import BadgeDelegate, MessageBar, muted, title

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices

#: The filter's choices: a label and the statuses it shows (None: all).
FILTERS: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("Everything", None),
    ("Waiting (queued, scheduled, capped)", frozenset({"queued", "scheduled", "capped",
                                                        "sending"})),
    ("Capped (waiting for a cap to reset)", frozenset({"capped"})),
    ("Needs you (held, failed, unknown)", frozenset({"held", "failed", "unknown"})),
    ("Sent", frozenset({"sent", "delivered", "replied", "bounced"})),
    ("Cancelled", frozenset({"cancelled"})),
)
RETRYABLE = frozenset({"held", "failed"})
CANCELLABLE = frozenset({"queued", "scheduled", "capped", "held"})


class OutboxView(QWidget):
    def __init__(self, outbox: OutboxService, runner: OutboxRunner | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._outbox = outbox
        self._runner = runner
        self._loaded = False
        self._busy = 0
        self.paused = False
        self.items: list[OutboxItem] = []

        self.message_bar = MessageBar()
        self.counts = QLabel()
        self.counts.setObjectName("OutboxCounts")
        self.counts.setWordWrap(True)
        self.next_capped = muted()
        self.next_capped.setWordWrap(True)
        #: Each channel's sending caps and how much of them is used.
        self.caps = muted()
        self.caps.setWordWrap(True)
        self.filter = QComboBox()
        for label, _statuses in FILTERS:
            self.filter.addItem(self.tr(label))
        self.pause_button = QPushButton(self.tr("Pause sending"))
        self.pause_button.setToolTip(self.tr("Stop every sender on this database after the "
                                             "message in hand; queued messages stay queued"))
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.setToolTip(self.tr("Queue the selected held or failed messages again"))
        self.cancel_button = QPushButton(self.tr("Cancel messages"))
        self.cancel_button.setToolTip(self.tr("Cancel the selected messages that have not "
                                              "gone out"))
        self.model = OutboxModel(self)
        self.table = QTableView()
        self.table.setObjectName("OutboxTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setItemDelegateForColumn(OutboxModel.COL_STATUS,
                                            BadgeDelegate(OutboxModel.StatusRole, self.table))
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((0, 100), (1, 145), (2, 135), (3, 275), (4, 180), (5, 80)):
            self.table.setColumnWidth(column, width)

        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Show")))
        bar.addWidget(self.filter)
        bar.addStretch(1)
        bar.addWidget(self.retry_button)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.pause_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(10)
        layout.addWidget(title(self.tr("Outbox")))
        layout.addWidget(self.message_bar)
        layout.addWidget(self.counts)
        layout.addWidget(self.next_capped)
        layout.addWidget(self.caps)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

        self.filter.currentIndexChanged.connect(self._on_filter)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.retry_button.clicked.connect(self.retry_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    # -- loading ---------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded and not self._busy:
            self.refresh()

    def is_loaded(self) -> bool:
        return self._loaded and self._busy == 0

    def refresh(self) -> None:
        outbox = self._outbox
        self._busy += 1
        (
            op(lambda: (outbox.items(), outbox.paused(), outbox.cap_usage()), parent=self)
            .success(lambda result: self._arrived(*result))
            .failure(lambda exc: self.message_bar.show_message(str(exc)))
            .finished(self._done)
            .run()
        )

    def _done(self) -> None:
        self._busy -= 1

    def on_changes(self, change: Change) -> None:
        """Reload when messages, the caps' counters or the pause switch changed."""
        if self._loaded and change.touches("messages", "send_counters", "app_settings",
                                           "integrations"):
            self.refresh()

    def _arrived(self, items: list[OutboxItem], paused: bool, caps: list[CapUsage]) -> None:
        self._loaded = True
        self.items = items
        self.paused = paused
        self.model.set_items(items)
        counts = self._outbox.counts(items)
        text = " · ".join(f"{n:,} {formatting.label(s).lower()}" for s, n in counts.items())
        if paused:
            text = self.tr("Sending is paused. ") + text
        self.counts.setText(text or self.tr("The outbox is empty."))
        capped = [i for i in items if i.status == "capped" and i.when is not None]
        if capped:
            first = min(capped, key=lambda i: i.when)  # type: ignore[arg-type, return-value]
            self.next_capped.setText(self.tr("%1 capped: %2; the next go at %3.").replace(
                "%1", f"{len(capped):,}").replace("%2", first.reason).replace(
                "%3", formatting.date_time(first.when)))
        self.next_capped.setVisible(bool(capped))
        self.caps.setText(" · ".join(
            self.tr("%1: %2 of %3 used, starts again %4").replace("%1", cap.label[:1].upper()
                                                                  + cap.label[1:])
            .replace("%2", f"{cap.used:,}").replace("%3", f"{cap.limit:,}")
            .replace("%4", formatting.date_time(cap.resets_at)) for cap in caps))
        self.caps.setVisible(bool(caps))
        self.pause_button.setText(self.tr("Resume sending") if paused
                                  else self.tr("Pause sending"))
        self._update_buttons()

    # -- selection and actions --------------------------------------------------------------
    def _on_filter(self) -> None:
        self.model.set_statuses(FILTERS[self.filter.currentIndex()][1])
        self._update_buttons()

    def selected(self) -> list[OutboxItem]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.item(r) for r in rows]

    def _update_buttons(self, *_: object) -> None:
        chosen = self.selected()
        self.retry_button.setEnabled(bool(chosen) and all(i.status in RETRYABLE
                                                          for i in chosen))
        self.cancel_button.setEnabled(bool(chosen) and all(i.status in CANCELLABLE
                                                           for i in chosen))

    def toggle_pause(self) -> None:
        """Pause or resume every sender on this database, and this window's own."""
        outbox, paused = self._outbox, not self.paused
        self._act(lambda: outbox.set_paused(paused),
                  self.tr("Sending paused: nothing goes out until you resume.") if paused
                  else self.tr("Sending resumed."), then=lambda: self._runner_paused(paused))

    def _runner_paused(self, paused: bool) -> None:
        if self._runner is None:
            return
        if paused:
            self._runner.pause()
        else:
            self._runner.resume()
            self._runner.start()

    def retry_selected(self) -> None:
        ids, outbox = [i.id for i in self.selected()], self._outbox
        if ids:
            self._act(lambda: outbox.retry(ids), self.tr("%1 queued again."),
                      then=self._start_runner)

    def _start_runner(self) -> None:
        if self._runner is not None and not self.paused:
            self._runner.start()

    def cancel_selected(self) -> None:
        ids, outbox = [i.id for i in self.selected()], self._outbox
        if ids:
            self._act(lambda: outbox.cancel(ids), self.tr("%1 cancelled."))

    def _act(self, work: Callable[[], object], done: str,
             then: Callable[[], None] | None = None) -> None:
        """Run ``work`` off the GUI thread, say ``done`` (``%1``: its count), reload."""
        self._busy += 1

        def succeeded(result: object) -> None:
            self.message_bar.show_message(done.replace("%1", f"{result:,}" if isinstance(
                result, int) else ""), kind="info", timeout_ms=5000)
            if then is not None:
                then()
            self.refresh()

        (
            op(work, parent=self)
            .success(succeeded)
            .failure(lambda exc: self.message_bar.show_message(
                getattr(exc, "message", None) or str(exc)))
            .finished(self._done)
            .run()
        )



def outbox_view(services: AppServices, runner: OutboxRunner | None) -> OutboxView:
    """The view on the app's services (what the main window builds)."""
    return OutboxView(OutboxService(services.ctx, services.integrations, services.compose),
                      runner)
