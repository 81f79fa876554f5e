"""The acting user's tasks across leads, as a to-do list: open, due by a time, overdue or done.

The detail panel lists one lead's tasks (``tasks.TaskService.for_lead``); this is the list
``leaddesk tasks list`` prints, scoped like every query (a rep sees their own tasks).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select

from leaddesk.services.context import ServiceContext
from leaddesk.services.leads.tasks import TaskRecord
from leaddesk.services.records import to_record
from leaddesk.store.models import Lead, Task
from leaddesk.store.types import utcnow

TaskState = Literal["open", "overdue", "done", "all"]
TASK_STATES: tuple[TaskState, ...] = ("open", "overdue", "done", "all")


@dataclass(frozen=True, slots=True)
class TaskLine:
    """A task and the name of its lead (a name, else the email; empty for no lead)."""

    task: TaskRecord
    lead: str


def list_tasks(
    ctx: ServiceContext,
    state: TaskState = "open",
    due_before: dt.datetime | None = None,
    lead_id: uuid.UUID | None = None,
    limit: int = 100,
) -> list[TaskLine]:
    """Tasks in ``state``, open ones soonest due first (undated last), done ones latest first.

    ``due_before`` keeps tasks due before that time (undated ones drop out).
    """
    stmt = select(Task, Lead.first_name, Lead.last_name, Lead.email).outerjoin(
        Lead, Lead.id == Task.lead_id
    )
    if state == "done":
        stmt = stmt.where(Task.done_at.is_not(None)).order_by(Task.done_at.desc())
    else:
        if state in ("open", "overdue"):
            stmt = stmt.where(Task.done_at.is_(None))
        if state == "overdue":
            now = utcnow()
            due_before = min(due_before, now) if due_before else now
        stmt = stmt.order_by(Task.due_at.is_(None), Task.due_at, Task.created_at)
    if due_before is not None:
        stmt = stmt.where(Task.due_at < due_before)
    if lead_id is not None:
        stmt = stmt.where(Task.lead_id == lead_id)
    with ctx.store.read() as session:
        rows = session.execute(stmt.limit(limit)).all()
        return [
            TaskLine(to_record(TaskRecord, task),
                     f"{first or ''} {last or ''}".strip() or (email or ""))
            for task, first, last, email in rows
        ]
