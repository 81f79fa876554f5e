"""Campaigns and the multi-channel sequences they run."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leaddesk.store.base import Base, SyncedMixin
from leaddesk.store.enums import CampaignStatus, Channel
from leaddesk.store.models.columns import enum_type, owner_column


class Sequence(SyncedMixin, Base):
    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[uuid.UUID | None] = owner_column()

    steps: Mapped[list[SequenceStep]] = relationship(
        back_populates="sequence",
        order_by="SequenceStep.position",
        cascade="all, delete-orphan",
    )


class SequenceStep(SyncedMixin, Base):
    __tablename__ = "sequence_steps"

    sequence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sequences.id"))
    position: Mapped[int] = mapped_column(default=0)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "step_channel"))
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("message_templates.id"), default=None
    )
    delay_minutes: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[str] = mapped_column(String(5), default="09:00")
    window_end: Mapped[str] = mapped_column(String(5), default="17:00")
    condition: Mapped[str] = mapped_column(String(50), default="always")

    sequence: Mapped[Sequence] = relationship(back_populates="steps")

    __table_args__ = (Index("ix_sequence_steps_sequence_id_position", "sequence_id", "position"),)


class Campaign(SyncedMixin, Base):
    __tablename__ = "campaigns"

    name: Mapped[str] = mapped_column(String(200))
    goal: Mapped[str] = mapped_column(Text, default="")
    icp: Mapped[dict[str, Any]] = mapped_column(default=dict)
    industry: Mapped[str] = mapped_column(String(100), default="")
    lead_source: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[CampaignStatus] = mapped_column(
        enum_type(CampaignStatus, "campaign_status"), default=CampaignStatus.DRAFT
    )
    budget_credits: Mapped[int] = mapped_column(default=0)
    sequence_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sequences.id"), default=None)
    owner_id: Mapped[uuid.UUID | None] = owner_column()
