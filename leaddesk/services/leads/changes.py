"""Change sets: an import, a bulk edit or a merge, recorded so it can be undone as one.

Each change set keeps, per lead, the fields before the change and the version it left the lead
at (``before["version"] + 1``). Undo restores those fields and that version (so undoing several
change sets newest first works), or soft-deletes the leads the change set created, but only on
leads nobody changed since (their version is still the one it left): the rest are counted and
left alone rather than overwritten. Undoing a merge also moves the rows it moved (messages
and tasks: ``details["moved"]``) back to the merged-away lead, when that lead is restored, and
unlinks that lead's history from the kept lead's timeline (``lead_links``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.leads import links as lead_links
from leaddesk.services.leads import snapshot_restore
from leaddesk.store.enums import LeadStatus
from leaddesk.store.models import Lead, LeadChangeSet, LeadSnapshot, LeadTag
from leaddesk.store.types import utcnow

CHUNK = 5000


@dataclass(frozen=True, slots=True)
class ChangeSetRecord:
    id: uuid.UUID
    kind: str
    summary: str
    details: dict[str, Any]
    created_at: dt.datetime
    undone_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class UndoReport:
    restored: int
    removed: int
    #: leads edited after the change set, left as they are
    kept: int
    #: a merge's messages, tasks and timeline entries moved back to the merged-away lead
    moved_back: int = 0


def start(session: Session, actor_id: uuid.UUID | None, kind: str, summary: str) -> LeadChangeSet:
    """A new change set in the caller's transaction (flushed, so it has its id)."""
    change_set = LeadChangeSet(kind=kind, actor_id=actor_id, summary=summary[:500], details={})
    session.add(change_set)
    session.flush()
    return change_set


def json_value(value: Any) -> Any:
    """A lead value as JSON stores it (ids and times as text, enums as their value)."""
    if isinstance(value, uuid.UUID | dt.datetime):
        return str(value)
    if isinstance(value, LeadStatus):
        return value.value
    return value


def snapshot_json(before: dict[str, Any]) -> str:
    return json.dumps({k: json_value(v) for k, v in before.items()})


def add_snapshots(
    conn: Connection,
    change_set_id: uuid.UUID,
    rows: Iterable[tuple[uuid.UUID | str, str | None]],
) -> None:
    """Driver-level insert of ``(lead id, before JSON or None for created)`` rows."""
    key = _uuid_param(conn, change_set_id)
    params = [(key, _uuid_param(conn, lead_id), before) for lead_id, before in rows]
    if params:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        conn.exec_driver_sql(
            f"INSERT INTO lead_snapshots (change_set_id, lead_id, before) "
            f"VALUES ({mark}, {mark}, {mark})",
            params,
        )


def _uuid_param(conn: Connection, value: uuid.UUID | str) -> Any:
    """A key in the driver's form; on SQLite a key may come as stored (hex text) already."""
    if conn.dialect.name != "sqlite" or isinstance(value, str):
        return value
    return value.hex


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start_at in range(0, len(items), size):
        yield items[start_at : start_at + size]


class _Steps:
    """Counts the leads an undo went through and reports them to ``progress(done, total)``."""

    def __init__(self, total: int, progress: Callable[[int, int], object] | None) -> None:
        self._done, self._total, self._progress = 0, total, progress
        if progress is not None:
            progress(0, total)

    def __call__(self, count: int) -> None:
        self._done += count
        if self._progress is not None:
            self._progress(self._done, self._total)


def _restore_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    column = Lead.__table__.columns[name]
    python_type = getattr(column.type, "python_type", None)
    if name in ("campaign_id", "owner_id"):
        return uuid.UUID(value)
    if name in ("deleted_at", "last_contacted_at", "updated_at"):
        return dt.datetime.fromisoformat(value)
    if name == "status":
        return LeadStatus(value)
    return python_type(value) if python_type in (int, bool) else value


def _to_record(row: LeadChangeSet) -> ChangeSetRecord:
    return ChangeSetRecord(
        row.id, row.kind, row.summary, dict(row.details or {}), row.created_at, row.undone_at
    )


class ChangeSetService:
    """List and undo change sets."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def recent(self, kind: str | None = None, limit: int = 50) -> list[ChangeSetRecord]:
        stmt = select(LeadChangeSet).order_by(LeadChangeSet.created_at.desc()).limit(limit)
        if kind:
            stmt = stmt.where(LeadChangeSet.kind == kind)
        with self._ctx.store.read() as session:
            return [_to_record(r) for r in session.scalars(stmt)]

    def get(self, change_set_id: uuid.UUID) -> ChangeSetRecord:
        with self._ctx.store.read() as session:
            row = session.get(LeadChangeSet, change_set_id)
            if row is None:
                raise NotFoundError("change set", change_set_id)
            return _to_record(row)

    def undo(
        self, change_set_id: uuid.UUID, progress: Callable[[int, int], object] | None = None
    ) -> UndoReport:
        """Undo a change set as one transaction, audited as one entry.

        ``progress(done, total)`` is called as its leads are restored (first with 0)."""
        with self._ctx.store.write() as session:
            change_set = session.get(LeadChangeSet, change_set_id)
            if change_set is None:
                raise NotFoundError("change set", change_set_id)
            if change_set.undone_at is not None:
                raise ValidationError("change_set", "was already undone")
            if change_set.kind == "bulk_edit":
                report = self._undo_bulk_edit(session, change_set_id, progress)
            else:
                report = self._undo_each(session, change_set, progress)
            change_set.undone_at = utcnow()
            activity.record(
                session,
                self._ctx.actor.id,
                "undo",
                "lead_change_set",
                change_set.id,
                summary=f"undid {change_set.kind}: {change_set.summary}"[:500],
                changes={
                    "restored": report.restored,
                    "removed": report.removed,
                    "kept": report.kept,
                    "moved_back": report.moved_back,
                },
            )
            return report

    @staticmethod
    def _undo_bulk_edit(
        session: Session,
        change_set_id: uuid.UUID,
        progress: Callable[[int, int], object] | None,
    ) -> UndoReport:
        """In SQL from the snapshots, a key range at a time: every snapshot has the same fields."""
        count = snapshot_restore.snapshot_count(session.connection(), change_set_id)
        restored = snapshot_restore.restore_bulk_edit(
            session, change_set_id, count, _Steps(count, progress)
        )
        return UndoReport(restored, 0, count - restored)

    def _undo_each(
        self,
        session: Session,
        change_set: LeadChangeSet,
        progress: Callable[[int, int], object] | None,
    ) -> UndoReport:
        """Lead by lead: an import's or a merge's snapshots differ from lead to lead."""
        snapshots = session.execute(
            select(LeadSnapshot.lead_id, LeadSnapshot.before).where(
                LeadSnapshot.change_set_id == change_set.id
            )
        ).all()
        created = [lead_id for lead_id, before in snapshots if before is None]
        changed = {lead_id: before for lead_id, before in snapshots if before is not None}
        step = _Steps(len(snapshots), progress)
        removed, kept_created = self._remove_created(session, created, step)
        restored_ids, kept_changed = self._restore(session, changed, step)
        moved_back = self._unmerge(session, self._ctx.actor.id, change_set, restored_ids)
        return UndoReport(len(restored_ids), removed, kept_created + kept_changed, moved_back)

    @staticmethod
    def _remove_created(
        session: Session, created: list[uuid.UUID], step: _Steps
    ) -> tuple[int, int]:
        now = utcnow()
        removed = 0
        for chunk in _chunks(created):
            result = session.execute(
                Lead.__table__.update()
                .where(Lead.id.in_(chunk), Lead.deleted_at.is_(None), Lead.version == 1)
                .values(deleted_at=now, version=Lead.version + 1)
            )
            removed += result.rowcount
            step(len(chunk))
        return removed, len(created) - removed

    @staticmethod
    def _unmerge(
        session: Session,
        actor_id: uuid.UUID | None,
        change_set: LeadChangeSet,
        restored: set[uuid.UUID],
    ) -> int:
        """Unlink a merged lead's timeline and move its rows back, if it came back."""
        details = change_set.details or {}
        if change_set.kind != "merge" or "other_id" not in details:
            return 0
        keep_id, other_id = uuid.UUID(details["keep_id"]), uuid.UUID(details["other_id"])
        activity.record(
            session,
            actor_id,
            activity.UNMERGE_ACTION,
            "lead",
            keep_id,
            lead_id=keep_id,
            summary=f"undid the merge of lead {other_id}",
            changes={activity.MERGED_LEAD: str(other_id)},
        )
        if other_id not in restored or not details.get("moved"):
            return 0
        return lead_links.move_back(session, details["moved"], keep_id, other_id)

    @staticmethod
    def _restore(
        session: Session, changed: dict[uuid.UUID, dict[str, Any]], step: _Steps
    ) -> tuple[set[uuid.UUID], int]:
        """Restore the leads nobody changed since: ``(their ids, how many were left alone)``."""
        restored: set[uuid.UUID] = set()
        ids = list(changed)
        for chunk in _chunks(ids):
            current = dict(
                session.execute(
                    select(Lead.id, Lead.version)
                    .where(Lead.id.in_(chunk))
                    .execution_options(include_deleted=True)
                ).all()
            )
            for lead_id in chunk:
                step(1)
                before = dict(changed[lead_id])
                version = before.pop("version", None)
                if version is None or current.get(lead_id) != version + 1:
                    continue
                tags = before.pop("tags", None)
                values = {k: _restore_value(k, v) for k, v in before.items()}
                values.update(version=version, updated_at=utcnow())
                session.execute(Lead.__table__.update().where(Lead.id == lead_id).values(**values))
                if tags is not None:
                    session.execute(LeadTag.__table__.delete().where(LeadTag.lead_id == lead_id))
                    if tags:
                        session.execute(
                            LeadTag.__table__.insert(),
                            [{"lead_id": lead_id, "tag": t} for t in tags],
                        )
                restored.add(lead_id)
        return restored, len(ids) - len(restored)
