"""Undo commands of the lead table: an inline edit, and a bulk change (status, owner, tags,
campaign, delete) undone as its change set and redone by applying it again."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand

from leaddesk.services.bulk_edit import BulkChange, BulkEditService, BulkResult
from leaddesk.services.lead_changes import ChangeSetService
from leaddesk.ui.leads.model import LeadTableModel
from leaddesk.ui.operations import op


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


class BulkCommand(QUndoCommand):
    """A bulk change already applied as ``result``; ``finished(error)`` after each undo/redo."""

    def __init__(
        self,
        text: str,
        bulk: BulkEditService,
        changes: ChangeSetService,
        ids: Sequence[uuid.UUID],
        change: BulkChange,
        result: BulkResult,
        finished: Callable[[BaseException | None], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(text)
        self._bulk, self._changes = bulk, changes
        self._ids, self._change = tuple(ids), change
        self._change_set = result.change_set_id
        self._finished = finished
        self._parent = parent
        self._done = True

    def redo(self) -> None:
        if self._done:
            return
        self._done = True
        bulk, ids, change = self._bulk, self._ids, self._change
        (
            op(lambda: bulk.apply(ids, change), parent=self._parent)
            .success(self._redone)
            .failure(self._finished)
            .run()
        )

    def _redone(self, result: BulkResult) -> None:
        self._change_set = result.change_set_id
        self._finished(None)

    def undo(self) -> None:
        self._done = False
        change_set, changes = self._change_set, self._changes
        if change_set is None:
            self._finished(None)
            return
        (
            op(lambda: changes.undo(change_set), parent=self._parent)
            .success(lambda _report: self._finished(None))
            .failure(self._finished)
            .run()
        )
