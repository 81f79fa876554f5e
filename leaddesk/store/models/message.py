"""Messages (the durable outbox) and the templates they are written from."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.store.base import Base, SyncedMixin
from leaddesk.store.enums import Channel, MessageState
from leaddesk.store.models.columns import enum_type, owner_column


class MessageTemplate(SyncedMixin, Base):
    __tablename__ = "message_templates"

    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "template_channel"))
    name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    variant_of_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("message_templates.id"), default=None
    )
    variant_label: Mapped[str] = mapped_column(String(20), default="")
    owner_id: Mapped[uuid.UUID | None] = owner_column()
    #: WhatsApp: the approved Twilio content template (``HX...``) sent instead of the body, and
    #: its numbered variables as template expressions (``{"1": "{{ first_name }}"}``).
    content_sid: Mapped[str] = mapped_column(String(34), default="", server_default="")
    content_variables: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")


class Message(SyncedMixin, Base):
    __tablename__ = "messages"

    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "message_channel"))
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leads.id"))
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("campaigns.id"), default=None)
    sequence_step_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sequence_steps.id"), default=None
    )
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("message_templates.id"), default=None
    )
    to_address: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[MessageState] = mapped_column(
        enum_type(MessageState, "message_state"), default=MessageState.DRAFT
    )
    hold_reason: Mapped[str] = mapped_column(String(500), default="")
    provider_id: Mapped[str] = mapped_column(String(200), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[int] = mapped_column(default=0)
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    scheduled_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    replied_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    owner_id: Mapped[uuid.UUID | None] = owner_column()
    #: The configured channel (mailbox, Twilio account) it goes out through.
    integration_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("integrations.id"), default=None
    )
    #: Which dispatcher took it ("host:pid:token") and when: a crashed sender is recognised.
    claimed_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    claimed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    #: How far this attempt got with the provider (a ``Handoff`` value; reset by each claim),
    #: and when it was handed over: after a crash, only a message caught mid-handoff is in doubt.
    handoff: Mapped[str] = mapped_column(String(10), default="", server_default="")
    handed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    #: WhatsApp content template (``HX...``) and its variables rendered for this lead
    #: (``{"1": "Ann"}``); ``None`` for a free-form message.
    content_sid: Mapped[str] = mapped_column(String(34), default="", server_default="")
    content_variables: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    __table_args__ = (
        Index("ix_messages_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_messages_lead_id_created_at", "lead_id", "created_at"),
        Index("ix_messages_provider_id", "provider_id"),
    )
