"""Undo commands of the lead table: an inline edit, and a bulk change (status, owner, tags,
campaign, delete) undone as its change set and redone by applying it again to the leads that
change set changed, both off the GUI thread with progress."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QUndoCommand

from leaddesk.services.leads.bulk_edit import (
    BulkChange,
    BulkEditService,
    BulkResult,
    ChangeSetLeads,
)
from leaddesk.services.leads.changes import ChangeSetService
from leaddesk.ui.leads.model import LeadTableModel
from leaddesk.ui.operations import OpContext, op

T = TypeVar("T")


def _tr(text: str) -> str:
    return QCoreApplication.translate("BulkCommand", text)


class LeadEditCommand(QUndoCommand):
    """Pushed after the edit was saved, so its first ``redo`` does nothing."""

    def __init__(
        self, model: LeadTableModel, lead_id: uuid.UUID, field: str, old: str, new: str
    ) -> None:
        super().__init__(f"Edit {field.replace('_', ' ')}")
        self._model, self._lead_id, self._field = model, lead_id, field
        self._old, self._new = old, new
        self._done = True

    def redo(self) -> None:
        if self._done:
            return
        self._done = True
        self._model.write_field(self._lead_id, self._field, self._new)

    def undo(self) -> None:
        self._done = False
        self._model.write_field(self._lead_id, self._field, self._old)


class BulkRunner(Protocol):
    """Where a bulk command's undo and redo report (``LeadBulkActions``)."""

    def command_started(self, text: str) -> None: ...
    def command_progressed(self, done: int, total: int) -> None: ...
    def command_finished(self, exc: BaseException | None) -> None: ...


class BulkCommand(QUndoCommand):
    """A bulk change already applied as ``result``. Undo and redo run off the GUI thread and
    report to ``runner``: started, progress as the leads are written, finished (or failed)."""

    def __init__(
        self,
        text: str,
        bulk: BulkEditService,
        changes: ChangeSetService,
        change: BulkChange,
        result: BulkResult,
        runner: BulkRunner,
    ) -> None:
        super().__init__(text)
        self._bulk, self._changes = bulk, changes
        self._change = change
        self._change_set = result.change_set_id
        self._runner = runner
        self._done = True

    def redo(self) -> None:
        if self._done:
            return
        self._done = True
        if self._change_set is None:
            self._runner.command_finished(None)
            return
        # Exactly the leads the undone change set changed, not a filter's leads of now.
        bulk, target, change = self._bulk, ChangeSetLeads(self._change_set), self._change
        self._run(
            _tr("Redoing %1…").replace("%1", self.text()),
            lambda ctx: bulk.apply(target, change, progress=ctx.progress),
            self._redone,
        )

    def _redone(self, result: BulkResult) -> None:
        self._change_set = result.change_set_id
        self._runner.command_finished(None)

    def undo(self) -> None:
        self._done = False
        change_set, changes = self._change_set, self._changes
        if change_set is None:
            self._runner.command_finished(None)
            return
        self._run(
            _tr("Undoing %1…").replace("%1", self.text()),
            lambda ctx: changes.undo(change_set, progress=ctx.progress),
            lambda _report: self._runner.command_finished(None),
        )

    def _run(self, text: str, work: Callable[[OpContext], T], done: Callable[[T], object]) -> None:
        runner = self._runner
        runner.command_started(text)
        (
            op(work, parent=runner if isinstance(runner, QObject) else None, context=True)
            .progress(lambda p: runner.command_progressed(p.done, p.total or 0))
            .success(done)
            .failure(runner.command_finished)
            .run()
        )
