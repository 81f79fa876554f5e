"""A lead's tasks (calls, LinkedIn steps, follow-ups), as the detail panel lists them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from leaddesk.services.context import ServiceContext
from leaddesk.services.records import to_record
from leaddesk.store.models import Task


@dataclass(frozen=True, slots=True)
class TaskRecord:
    id: uuid.UUID
    kind: str
    title: str
    notes: str
    lead_id: uuid.UUID | None
    message_id: uuid.UUID | None
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    created_at: dt.datetime

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def overdue(self, now: dt.datetime) -> bool:
        """Open and past its due time."""
        return self.done_at is None and self.due_at is not None and self.due_at < now


class TaskService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def for_lead(self, lead_id: uuid.UUID, limit: int = 20) -> list[TaskRecord]:
        """The lead's open tasks, soonest due first (undated last), then the done ones, most
        recently done first; ``limit`` in all."""
        open_first = (
            select(Task)
            .where(Task.lead_id == lead_id, Task.done_at.is_(None))
            .order_by(Task.due_at.is_(None), Task.due_at, Task.created_at)
            .limit(limit)
        )
        done = (
            select(Task)
            .where(Task.lead_id == lead_id, Task.done_at.is_not(None))
            .order_by(Task.done_at.desc())
        )
        with self._ctx.store.read() as session:
            tasks = list(session.scalars(open_first))
            if len(tasks) < limit:
                tasks += session.scalars(done.limit(limit - len(tasks)))
            return [to_record(TaskRecord, task) for task in tasks]
