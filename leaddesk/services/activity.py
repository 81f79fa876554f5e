"""The audit trail: every mutation writes who/what/when in the same transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.services.context import ServiceContext
from leaddesk.store.models import Activity

#: The timeline entries that link a merged lead to the lead it was merged into, and back.
MERGE_ACTION, UNMERGE_ACTION = "merge", "unmerge"
#: The key of those entries' ``changes`` naming the merged lead.
MERGED_LEAD = "merged_lead"

#: Field names whose values never reach the audit log.
SECRET_FIELDS = frozenset({"password", "password_hash", "token", "api_key", "auth_token", "secret"})


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    id: uuid.UUID
    actor_id: uuid.UUID | None
    action: str
    entity_type: str
    entity_id: str
    lead_id: uuid.UUID | None
    summary: str
    changes: dict[str, Any]
    created_at: dt.datetime


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID | dt.datetime | dt.date):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields that changed, secrets masked."""
    changed = {}
    for key, new in after.items():
        old = before.get(key)
        if old != new:
            masked = key in SECRET_FIELDS
            changed[key] = ["***", "***"] if masked else [_jsonable(old), _jsonable(new)]
    return changed


def record(
    session: Session,
    actor_id: uuid.UUID | None,
    action: str,
    entity_type: str,
    entity_id: object = "",
    *,
    lead_id: uuid.UUID | None = None,
    summary: str = "",
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Add an audit entry to the caller's transaction."""
    session.add(
        Activity(
            actor_id=actor_id,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            lead_id=lead_id,
            summary=summary[:500],
            changes={k: v for k, v in (changes or {}).items() if k not in SECRET_FIELDS},
        )
    )


def _to_record(row: Activity) -> ActivityRecord:
    return ActivityRecord(
        id=row.id,
        actor_id=row.actor_id,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        lead_id=row.lead_id,
        summary=row.summary,
        changes=dict(row.changes or {}),
        created_at=row.created_at,
    )


class ActivityService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def for_lead(self, lead_id: uuid.UUID, limit: int = 100) -> list[ActivityRecord]:
        """The lead's timeline, newest first, with the history of leads merged into it."""
        with self._ctx.store.read() as session:
            stmt = (
                select(Activity)
                .where(Activity.lead_id.in_(timeline_leads(session, lead_id)))
                .order_by(Activity.created_at.desc(), Activity.id.desc())
                .limit(limit)
            )
            return [_to_record(a) for a in session.scalars(stmt)]

    def recent(self, limit: int = 100, entity_type: str | None = None) -> list[ActivityRecord]:
        stmt = select(Activity).order_by(Activity.created_at.desc(), Activity.id.desc())
        if entity_type:
            stmt = stmt.where(Activity.entity_type == entity_type)
        with self._ctx.store.read() as session:
            return [_to_record(a) for a in session.scalars(stmt.limit(limit))]


def timeline_leads(session: Session, lead_id: uuid.UUID) -> list[uuid.UUID]:
    """``lead_id`` and every lead merged into it (through chains of merges), undone ones not."""
    found = [lead_id]
    frontier = [lead_id]
    while frontier:
        rows = session.execute(
            select(Activity.action, Activity.changes)
            .where(
                Activity.lead_id.in_(frontier),
                Activity.action.in_((MERGE_ACTION, UNMERGE_ACTION)),
            )
            .order_by(Activity.created_at, Activity.id)
        ).all()
        merged: dict[str, bool] = {}
        for action, changes in rows:
            other = (changes or {}).get(MERGED_LEAD)
            if isinstance(other, str):
                merged[other] = action == MERGE_ACTION
        frontier = []
        for text, active in merged.items():
            other_id = uuid.UUID(text)
            if active and other_id not in found:
                found.append(other_id)
                frontier.append(other_id)
    return found
