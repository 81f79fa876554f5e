"""The audit log viewer's queries and the admin's export.

What a reader sees is decided by the central scope (a rep: their own entries and those about
their leads; a manager: their team's; an admin: all), so the filters here are only the viewer's.
Changes are stored with secrets already masked (``activity.record``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from leaddesk.services.activity import ActivityRecord, _to_record
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import PermissionDeniedError
from leaddesk.services.exporting.csv_writer import write_csv
from leaddesk.store.enums import Role
from leaddesk.store.models import Activity, User

EXPORT_COLUMNS = ("created_at", "actor", "action", "entity_type", "entity_id", "summary",
                  "changes")


@dataclass(frozen=True)
class AuditFilter:
    actions: tuple[str, ...] = ()
    entity_types: tuple[str, ...] = ()
    actor_id: uuid.UUID | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


class AuditLogService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def _statement(self, audit_filter: AuditFilter):  # type: ignore[no-untyped-def]
        stmt = select(Activity).order_by(Activity.created_at.desc(), Activity.id.desc())
        if audit_filter.actions:
            stmt = stmt.where(Activity.action.in_(audit_filter.actions))
        if audit_filter.entity_types:
            stmt = stmt.where(Activity.entity_type.in_(audit_filter.entity_types))
        if audit_filter.actor_id is not None:
            stmt = stmt.where(Activity.actor_id == audit_filter.actor_id)
        if audit_filter.since is not None:
            stmt = stmt.where(Activity.created_at >= audit_filter.since)
        if audit_filter.until is not None:
            stmt = stmt.where(Activity.created_at < audit_filter.until)
        return stmt

    def search(self, audit_filter: AuditFilter | None = None, limit: int = 200
               ) -> list[ActivityRecord]:
        stmt = self._statement(audit_filter or AuditFilter()).limit(limit)
        with self._ctx.store.read() as session:
            return [_to_record(a) for a in session.scalars(stmt)]

    def export_csv(self, path: Path, audit_filter: AuditFilter | None = None) -> int:
        """Write the whole (filtered) log as CSV (formula-guarded, atomic); admins only."""
        with self._ctx.store.read() as session:
            me = session.get(User, self._ctx.actor.id)
            if me is None or me.role is not Role.ADMIN:
                raise PermissionDeniedError("only an admin exports the audit log")
            names = dict(session.execute(select(User.id, User.username)).all())
            entries = session.scalars(
                self._statement(audit_filter or AuditFilter()).execution_options(yield_per=1000)
            )
            return write_csv(self._rows(entries, names), path, fields=EXPORT_COLUMNS).rows

    @staticmethod
    def _rows(entries: Iterable[Activity], names: dict[uuid.UUID, str]
              ) -> Iterator[dict[str, Any]]:
        for a in entries:
            yield {
                "created_at": a.created_at.isoformat(),
                "actor": names.get(a.actor_id, "") if a.actor_id else "",
                "action": a.action, "entity_type": a.entity_type, "entity_id": a.entity_id,
                "summary": a.summary,
                "changes": json.dumps(a.changes or {}, sort_keys=True, default=str),
            }
