"""Tasks and reminders: calls, LinkedIn steps and follow-ups with due times."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.store.base import Base, SyncedMixin
from leaddesk.store.enums import TaskKind
from leaddesk.store.models.columns import enum_type, owner_column


class Task(SyncedMixin, Base):
    __tablename__ = "tasks"

    kind: Mapped[TaskKind] = mapped_column(enum_type(TaskKind, "task_kind"))
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    lead_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("leads.id"), default=None)
    message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("messages.id"), default=None)
    due_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    done_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    owner_id: Mapped[uuid.UUID | None] = owner_column(index=False)

    __table_args__ = (
        Index("ix_tasks_owner_id_due_at", "owner_id", "due_at"),
        Index("ix_tasks_lead_id", "lead_id"),
    )
