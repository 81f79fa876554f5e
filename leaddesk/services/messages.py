"""Messages: drafts written in the composer and the per-lead message history."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.records import to_record
from leaddesk.services.validation import limit_text, parse_choice
from leaddesk.store.enums import Channel, MessageState
from leaddesk.store.models import Lead, Message


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: uuid.UUID
    channel: str
    lead_id: uuid.UUID
    campaign_id: uuid.UUID | None
    template_id: uuid.UUID | None
    to_address: str
    subject: str
    body: str
    state: str
    hold_reason: str
    provider_id: str
    attempts: int
    error: str
    cost: int
    scheduled_at: dt.datetime | None
    sent_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


def address_for(channel: Channel, lead: Lead) -> str:
    """Where a message on ``channel`` goes for this lead ('' when the lead has none)."""
    if channel is Channel.EMAIL:
        return lead.email
    if channel is Channel.LINKEDIN:
        return lead.linkedin_url
    return lead.phone


class MessageService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def save_draft(
        self,
        lead_id: uuid.UUID,
        channel: str,
        subject: str,
        body: str,
        template_id: uuid.UUID | None = None,
        campaign_id: uuid.UUID | None = None,
    ) -> MessageRecord:
        chan = parse_choice(Channel, channel, "channel")
        body = limit_text(body, "body", 100_000)
        if not body:
            raise ValidationError("body", "is empty")
        with self._ctx.store.write() as session:
            lead = session.get(Lead, lead_id)
            if lead is None:
                raise NotFoundError("lead", lead_id)
            message = Message(
                channel=chan, lead_id=lead_id, template_id=template_id, campaign_id=campaign_id,
                to_address=address_for(chan, lead), subject=limit_text(subject, "subject", 500),
                body=body, state=MessageState.DRAFT, owner_id=self._ctx.actor.id,
            )
            session.add(message)
            session.flush()
            activity.record(session, self._ctx.actor.id, "draft", "message", message.id,
                            lead_id=lead_id, summary=f"drafted {chan.value} message")
            return to_record(MessageRecord, message)

    def for_lead(self, lead_id: uuid.UUID, limit: int = 100) -> list[MessageRecord]:
        stmt = (
            select(Message)
            .where(Message.lead_id == lead_id)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(limit)
        )
        with self._ctx.store.read() as session:
            return [to_record(MessageRecord, m) for m in session.scalars(stmt)]

    def recent(self, limit: int = 50) -> list[MessageRecord]:
        stmt = select(Message).order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)
        with self._ctx.store.read() as session:
            return [to_record(MessageRecord, m) for m in session.scalars(stmt)]

    def counts_by_state(self) -> dict[str, int]:
        stmt = select(Message.state, func.count()).group_by(Message.state)
        with self._ctx.store.read() as session:
            return {state.value: int(n) for state, n in session.execute(stmt)}
