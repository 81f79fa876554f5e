"""Saved views of the lead table: filters, sort and columns under a name, per user."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.store.base import Base, IdMixin, TimestampMixin


class SavedView(IdMixin, TimestampMixin, Base):
    """Deleted for real: a view is a preference, not a record anyone audits or syncs."""

    __tablename__ = "saved_views"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    #: LeadQuery fields, LeadSort and visible columns, as JSON
    query: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sort: Mapped[dict[str, Any]] = mapped_column(default=dict)
    columns: Mapped[list[Any]] = mapped_column(default=list)

    __table_args__ = (UniqueConstraint("user_id", "name"),)
