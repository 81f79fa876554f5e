"""Bulk actions on the selected leads: preview how many change, confirm, apply off the GUI
thread with progress and a Cancel, and push an undo command (whose undo and redo show progress
the same way, without a Cancel).

A selection of every row of the table (Select All) reaches the service as the table's query, so
the leads are selected in SQL; any other selection as its ids.

The service applies a change in one transaction and calls back as it writes; a cancel makes
that callback raise, so the transaction rolls back and no lead is left half-changed. A cancel
that comes after the last lead was written is too late: the change is kept (and undoable).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox, QWidget

from leaddesk.services.leads.bulk_edit import BulkChange, BulkEditService, BulkResult, Target
from leaddesk.services.leads.changes import ChangeSetService
from leaddesk.store.enums import LeadStatus
from leaddesk.ui import formatting
from leaddesk.ui.leads.undo import BulkCommand
from leaddesk.ui.operations import Cancelled, OpContext, op

Confirm = Callable[[str], bool]
#: ``resolve(deliver, failed)``: hands the selection to ``deliver(target, selected)``, as the
#: table's query or the leads' ids (maybe later: rows the table never fetched are read first).
Resolve = Callable[[Callable[[Target, int], object], Callable[[BaseException], object]], None]
AskText = Callable[[str], str]


class LeadBulkActions(QObject):
    """``busy(text)`` while a bulk change, its undo or its redo runs (empty text: done; only a
    change can be cancelled: ``cancellable``), ``progressed(done, total)`` as its leads are
    written, ``cancelled`` when ``cancel()`` stopped it with nothing changed, ``changed`` after
    one was applied, undone or redone, ``failed(text)`` on an error."""

    busy = Signal(str)
    progressed = Signal(int, int)
    cancelled = Signal()
    changed = Signal()
    failed = Signal(str)

    def __init__(
        self,
        bulk: BulkEditService,
        changes: ChangeSetService,
        undo_stack: QUndoStack,
        selected: Resolve,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._bulk, self._changes, self._stack = bulk, changes, undo_stack
        self._selected = selected
        self._widget = parent
        self.confirm: Confirm = self._confirm_dialog
        self.ask_text: AskText = self._ask_dialog
        self.running = False
        #: Whether the work ``busy`` announced last can be cancelled (an undo or redo cannot).
        self.cancellable = False
        self._cancel = threading.Event()

        self.menu = QMenu(self.tr("Bulk actions"), parent)
        status_menu = self.menu.addMenu(self.tr("Set status"))
        for status in LeadStatus:
            action = status_menu.addAction(formatting.label(status.value))
            action.triggered.connect(lambda _=False, s=status.value: self.set_status(s))
        self.add_tag_action = self.menu.addAction(self.tr("Add tag…"))
        self.add_tag_action.triggered.connect(lambda: self._tag(add=True))
        self.remove_tag_action = self.menu.addAction(self.tr("Remove tag…"))
        self.remove_tag_action.triggered.connect(lambda: self._tag(add=False))
        self.owner_menu = self.menu.addMenu(self.tr("Set owner"))
        self.campaign_menu = self.menu.addMenu(self.tr("Set campaign"))
        self.owner_menu.setEnabled(False)
        self.campaign_menu.setEnabled(False)
        self.menu.addSeparator()
        self.delete_action = QAction(self.tr("Delete…"), self)
        self.delete_action.triggered.connect(self.delete)
        self.menu.addAction(self.delete_action)

    # -- choices for owner and campaign --------------------------------------------------------
    def set_owner_choices(self, choices: list[tuple[uuid.UUID, str]]) -> None:
        self._fill(self.owner_menu, "owner_id", choices)

    def set_campaign_choices(self, choices: list[tuple[uuid.UUID, str]]) -> None:
        self._fill(self.campaign_menu, "campaign_id", choices)

    def _fill(self, menu: QMenu, field: str, choices: list[tuple[uuid.UUID, str]]) -> None:
        menu.clear()
        for value, name in choices:
            action = menu.addAction(name)
            action.triggered.connect(
                lambda _=False, v=value, n=name: self.run(
                    BulkChange(values={field: v}),
                    self.tr("Set %1 to %2").replace("%1", formatting.label(field[:-3]))
                    .replace("%2", n),
                )
            )
        menu.setEnabled(bool(choices))

    # -- the actions ---------------------------------------------------------------------------
    def set_status(self, status: str) -> None:
        self.run(
            BulkChange(values={"status": status}),
            self.tr("Set status to %1").replace("%1", formatting.label(status)),
        )

    def add_tag(self, tag: str) -> None:
        self.run(BulkChange(add_tags=(tag,)), self.tr("Add tag %1").replace("%1", tag))

    def remove_tag(self, tag: str) -> None:
        self.run(BulkChange(remove_tags=(tag,)), self.tr("Remove tag %1").replace("%1", tag))

    def delete(self) -> None:
        self.run(BulkChange(delete=True), self.tr("Delete leads"))

    def _tag(self, add: bool) -> None:
        tag = self.ask_text(self.tr("Tag to add:") if add else self.tr("Tag to remove:")).strip()
        if tag:
            (self.add_tag if add else self.remove_tag)(tag)

    def run(self, change: BulkChange, text: str) -> None:
        """Preview, confirm, apply: each step off the GUI thread but the question."""
        if self.running:
            return
        self.running = True
        self._selected(
            lambda target, selected: self._resolved(target, selected, change, text), self._failed
        )

    def _resolved(self, target: Target, selected: int, change: BulkChange, text: str) -> None:
        if not selected:
            self.running = False
            return
        bulk = self._bulk
        (
            op(lambda: bulk.preview(target, change), parent=self)
            .success(lambda count: self._previewed(target, selected, change, text, count))
            .failure(self._failed)
            .run()
        )

    def _previewed(
        self, target: Target, selected: int, change: BulkChange, text: str, count: int
    ) -> None:
        if count == 0:
            self.running = False
            self.failed.emit(self.tr("%1: no selected lead would change.").replace("%1", text))
            return
        question = self.tr("%1 — this changes %2 of the %3 selected leads. Continue?")
        question = (question.replace("%1", text).replace("%2", formatting.number(count))
                    .replace("%3", formatting.number(selected)))
        if not self.confirm(question):
            self.running = False
            return
        self.cancellable = True
        self.busy.emit(self.tr("%1 on %2 leads…").replace("%1", text)
                       .replace("%2", formatting.number(count)))
        bulk, stop = self._bulk, threading.Event()
        self._cancel = stop

        def work(ctx: OpContext) -> BulkResult:
            def progress(done: int, total: int) -> None:
                if stop.is_set():
                    raise Cancelled  # the service's transaction rolls back
                ctx.progress(done, total)

            return bulk.apply(target, change, progress=progress)

        (
            op(work, parent=self, context=True)
            .progress(lambda p: self.progressed.emit(p.done, p.total or 0))
            .success(lambda result: self._applied(change, text, result))
            .failure(self._failed)
            .finished(self._apply_finished)
            .run()
        )

    def cancel(self) -> None:
        """Stop the bulk change being applied; nothing of it is kept."""
        if self.running and self.cancellable:
            self._cancel.set()

    def _apply_finished(self) -> None:
        if self.running:  # neither applied nor failed: cancelled
            self.running = False
            self.busy.emit("")
            self.cancelled.emit()

    def _applied(self, change: BulkChange, text: str, result: BulkResult) -> None:
        self.running = False
        self.busy.emit("")
        command = BulkCommand(
            self.tr("%1 (%2 leads)").replace("%1", text)
            .replace("%2", formatting.number(result.changed)),
            self._bulk, self._changes, change, result, self,
        )
        self._stack.push(command)
        self.changed.emit()

    # -- undo and redo of a bulk change (BulkCommand runs them) ---------------------------------
    def command_started(self, text: str) -> None:
        """An undo or redo began: shown like a change, but it cannot be cancelled."""
        self.running = True
        self.cancellable = False
        self.busy.emit(text)

    def command_progressed(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)

    def command_finished(self, exc: BaseException | None) -> None:
        self.running = False
        self.busy.emit("")
        if exc is not None:
            self.failed.emit(str(exc))
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.busy.emit("")
        self.failed.emit(str(exc))

    # -- default dialogs -----------------------------------------------------------------------
    def _confirm_dialog(self, question: str) -> bool:
        answer = QMessageBox.question(self._widget, self.tr("Bulk change"), question)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_dialog(self, label: str) -> str:
        text, ok = QInputDialog.getText(self._widget, self.tr("Tags"), label)
        return text if ok else ""
