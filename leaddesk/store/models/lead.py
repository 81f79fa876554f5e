"""Leads: the people a rep works, and their tags."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leaddesk.store.base import Base, SyncedMixin
from leaddesk.store.enums import LeadStatus
from leaddesk.store.models.columns import enum_type, owner_column, text_column

_live_rows = {
    "sqlite_where": text("deleted_at IS NULL"),
    "postgresql_where": text("deleted_at IS NULL"),
}


class Lead(SyncedMixin, Base):
    __tablename__ = "leads"

    first_name: Mapped[str] = text_column(100)
    last_name: Mapped[str] = text_column(100)
    email: Mapped[str] = text_column(320)
    phone: Mapped[str] = text_column(32)
    linkedin_url: Mapped[str] = text_column(300)
    title: Mapped[str] = text_column(200)
    company: Mapped[str] = text_column(200)
    industry: Mapped[str] = text_column(100)
    company_size: Mapped[str] = text_column(20)
    website: Mapped[str] = text_column(300)
    city: Mapped[str] = text_column(100)
    country: Mapped[str] = text_column(2)
    timezone: Mapped[str] = text_column(64)
    status: Mapped[LeadStatus] = mapped_column(
        enum_type(LeadStatus, "lead_status"), default=LeadStatus.NEW, server_default="new"
    )
    score: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_reasons: Mapped[list[Any]] = mapped_column(default=list)
    source: Mapped[str] = text_column(100)
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    consent: Mapped[str] = text_column(100)
    do_not_contact: Mapped[bool] = mapped_column(default=False, server_default="0")
    enrichment: Mapped[dict[str, Any]] = mapped_column(default=dict)
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("campaigns.id"), default=None
    )
    owner_id: Mapped[uuid.UUID | None] = owner_column(index=False)
    last_contacted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    tags: Mapped[list[LeadTag]] = relationship(
        back_populates="lead", cascade="all, delete-orphan", lazy="selectin"
    )

    # Sort indexes end in id so keyset pages (ORDER BY col, id) walk the index alone, and are
    # partial (live rows only) so the planner never prefers a bare deleted_at index to them.
    __table_args__ = (
        *(
            Index(f"ix_leads_{column}_id_live", column, "id", **_live_rows)
            for column in (
                "status", "score", "owner_id", "campaign_id", "updated_at", "created_at",
                "last_name", "company",
            )
        ),
        Index("ix_leads_email", "email"),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class LeadTag(Base):
    __tablename__ = "lead_tags"

    lead_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)

    lead: Mapped[Lead] = relationship(back_populates="tags")

    __table_args__ = (Index("ix_lead_tags_tag_lead_id", "tag", "lead_id"),)
