"""A lead's tasks (calls, LinkedIn steps, follow-ups): listed, created, completed and snoozed
from the detail panel; each write is on the lead's timeline."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.records import to_record
from leaddesk.services.validation import parse_choice, require_text
from leaddesk.store.enums import TaskKind
from leaddesk.store.models import Lead, Task
from leaddesk.store.types import utcnow


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

    def create(
        self,
        lead_id: uuid.UUID,
        kind: str,
        title: str,
        due_at: dt.datetime | None = None,
        notes: str = "",
    ) -> TaskRecord:
        """A new open task on the lead, owned by whoever adds it."""
        task_kind = parse_choice(TaskKind, kind, "kind")
        text = require_text(title, "title", 300)
        with self._ctx.store.write() as session:
            if session.get(Lead, lead_id) is None:
                raise NotFoundError("lead", lead_id)
            task = Task(kind=task_kind, title=text, notes=notes.strip(), lead_id=lead_id,
                        due_at=_utc(due_at), owner_id=self._ctx.actor.id)
            session.add(task)
            session.flush()
            activity.record(session, self._ctx.actor.id, "create", "task", task.id,
                            lead_id=lead_id, summary=f"added task: {text}")
            return to_record(TaskRecord, task)

    def complete(self, task_id: uuid.UUID) -> TaskRecord:
        """Mark the task done (again: no change)."""
        with self._ctx.store.write() as session:
            task = _task(session, task_id)
            if task.done_at is None:
                task.done_at = utcnow()
                activity.record(session, self._ctx.actor.id, "complete", "task", task.id,
                                lead_id=task.lead_id, summary=f"completed task: {task.title}")
            session.flush()
            return to_record(TaskRecord, task)

    def snooze(self, task_id: uuid.UUID, until: dt.datetime) -> TaskRecord:
        """Move an open task's due time to ``until`` (a done task cannot be snoozed)."""
        until_utc = _utc(until)
        with self._ctx.store.write() as session:
            task = _task(session, task_id)
            if task.done_at is not None:
                raise ValidationError("task", f"{task.title!r} is done; it cannot be snoozed")
            task.due_at = until_utc
            activity.record(session, self._ctx.actor.id, "snooze", "task", task.id,
                            lead_id=task.lead_id,
                            summary=f"snoozed task {task.title} to {until_utc:%Y-%m-%d %H:%M} UTC")
            session.flush()
            return to_record(TaskRecord, task)


def _task(session: Session, task_id: uuid.UUID) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFoundError("task", task_id)
    return task


def _utc(when: dt.datetime | None) -> dt.datetime | None:
    """A naive time is taken as UTC."""
    if when is None:
        return None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
