"""A lead's tasks as the detail panel lists them: open ones by due time, then the done ones
(on SQLite and PostgreSQL, which sort a missing due time differently by default)."""

from __future__ import annotations

import datetime as dt
import uuid

from leaddesk.services.app_services import AppServices
from leaddesk.store.enums import TaskKind
from leaddesk.store.models import Task

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def _task(app: AppServices, lead_id: uuid.UUID, title: str, **values: object) -> None:
    with app.store.write() as session:
        session.add(Task(kind=values.pop("kind", TaskKind.CALL), title=title, lead_id=lead_id,
                         owner_id=app.ctx.actor.id, **values))


def test_open_tasks_by_due_time_then_done_ones_newest_first(app_any_db: AppServices) -> None:
    app = app_any_db
    lead = app.leads.create({"first_name": "Ada", "email": "ada@example.org"})
    other = app.leads.create({"first_name": "Bob", "email": "bob@example.org"})
    hour = dt.timedelta(hours=1)
    _task(app, lead.id, "undated")
    _task(app, lead.id, "later", due_at=NOW + 5 * hour)
    _task(app, lead.id, "overdue", due_at=NOW - hour, kind=TaskKind.FOLLOW_UP)
    _task(app, lead.id, "done long ago", due_at=NOW - 9 * hour, done_at=NOW - 8 * hour)
    _task(app, lead.id, "done just now", due_at=NOW - 2 * hour, done_at=NOW)
    _task(app, other.id, "someone else's")

    tasks = app.tasks.for_lead(lead.id)
    assert [t.title for t in tasks] == [
        "overdue", "later", "undated", "done just now", "done long ago",
    ]
    assert [t.overdue(NOW) for t in tasks] == [True, False, False, False, False]
    assert [t.done for t in tasks] == [False, False, False, True, True]
    assert tasks[0].kind == "follow_up"
    assert [t.title for t in app.tasks.for_lead(lead.id, limit=4)] == [
        "overdue", "later", "undated", "done just now",
    ]
    assert [t.title for t in app.tasks.for_lead(lead.id, limit=2)] == ["overdue", "later"]
    assert app.tasks.for_lead(uuid.uuid4()) == []
