"""The audit log: who did what to which record, when, with the fields before and after."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.store.base import Base, IdMixin
from leaddesk.store.types import utcnow


class Activity(IdMixin, Base):
    __tablename__ = "activities"

    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    action: Mapped[str] = mapped_column(String(50))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    lead_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    summary: Mapped[str] = mapped_column(String(500), default="")
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_activities_entity_type_entity_id", "entity_type", "entity_id"),
        Index("ix_activities_lead_id_created_at", "lead_id", "created_at"),
        Index("ix_activities_created_at", "created_at"),
    )
