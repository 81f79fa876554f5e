"""Do-not-contact list and the durable send counters behind per-mailbox daily caps."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.store.base import Base, SyncedMixin, TimestampMixin


class Suppression(SyncedMixin, Base):
    """One person who must not be contacted, by one address (email, phone or LinkedIn URL).

    Team-wide on purpose: it has no ``owner_id`` (a rep must not re-contact someone who
    unsubscribed from a colleague), only who added it. Removal is a soft delete, kept for audit.
    """

    __tablename__ = "suppressions"

    kind: Mapped[str] = mapped_column(String(20))  # email | phone | linkedin
    value: Mapped[str] = mapped_column(String(320))  # normalized address
    reason: Mapped[str] = mapped_column(String(20))  # unsubscribe | bounce | manual | complaint
    note: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("messages.id"), default=None)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    __table_args__ = (Index("ix_suppressions_kind_value", "kind", "value"),)


class SendCounter(TimestampMixin, Base):
    """How many sends one scope (``integration:<id>`` or ``channel:<kind>``) claimed in one
    UTC hour or day (``period`` like ``d2026-11-25`` / ``h2026-11-25T10``). Shared by every
    process sending from the database, so caps hold across desktops and workers."""

    __tablename__ = "send_counters"

    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    period: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
