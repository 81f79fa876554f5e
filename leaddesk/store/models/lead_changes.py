"""Undoable lead changes: imports, bulk edits and merges, each one change set.

A change set keeps, per lead it touched, the values the lead had before (``before``); a lead the
change set created has ``before = NULL``. Undo writes the old values back (or soft-deletes what
was created) for the leads nobody has edited since.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.store.base import Base, IdMixin
from leaddesk.store.types import utcnow


class LeadChangeSet(IdMixin, Base):
    __tablename__ = "lead_change_sets"

    #: import, bulk_edit or merge
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    summary: Mapped[str] = mapped_column(String(500), default="")
    #: what was done: the import's file and counts, the bulk edit's values, the merge's choices
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (Index("ix_lead_change_sets_kind_created_at", "kind", "created_at"),)


class LeadSnapshot(Base):
    """A lead's fields before a change set touched it; NULL when the change set created it."""

    __tablename__ = "lead_snapshots"

    change_set_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("lead_change_sets.id", ondelete="CASCADE"), primary_key=True
    )
    lead_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql"), default=None, nullable=True
    )
