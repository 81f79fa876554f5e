"""The create/edit/delete steps every named entity service shares, each audited in the caller's
transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from leaddesk.services import activity
from leaddesk.services.errors import NotFoundError
from leaddesk.store.types import utcnow

M = TypeVar("M")


def get_or_raise(session: Session, model: type[M], ident: uuid.UUID, entity: str) -> M:
    row = session.get(model, ident)
    if row is None:
        raise NotFoundError(entity, ident)
    return row


def add(session: Session, actor_id: uuid.UUID, row: Any, entity: str,
        values: Mapping[str, Any]) -> None:
    """Insert ``row`` and audit its creation with the given field values."""
    session.add(row)
    session.flush()
    activity.record(session, actor_id, "create", entity, row.id,
                    summary=f"created {entity} {row.name}", changes=activity.diff({}, values))


def apply_changes(session: Session, actor_id: uuid.UUID, row: Any, entity: str,
                  values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set ``values`` on ``row``; audit what really changed and return that diff."""
    before = {key: getattr(row, key) for key in values}
    for key, value in values.items():
        setattr(row, key, value)
    changed = activity.diff(before, values)
    if changed:
        activity.record(session, actor_id, "update", entity, row.id,
                        summary="edited " + ", ".join(sorted(changed)), changes=changed)
    session.flush()
    return changed


def soft_delete(session: Session, actor_id: uuid.UUID, row: Any, entity: str) -> None:
    row.deleted_at = utcnow()
    activity.record(session, actor_id, "delete", entity, row.id,
                    summary=f"deleted {entity} {row.name}")
