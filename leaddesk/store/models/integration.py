"""Configured channels and providers. Secrets never live here: they are in the OS keyring."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.store.base import Base, SyncedMixin
from leaddesk.store.models.columns import owner_column


class Integration(SyncedMixin, Base):
    __tablename__ = "integrations"

    kind: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(50), default="unconfigured")
    owner_id: Mapped[uuid.UUID | None] = owner_column()
