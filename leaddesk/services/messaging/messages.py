"""Messages: drafts written in the composer and the per-lead message history."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.messaging import suppression
from leaddesk.services.records import to_record
from leaddesk.services.validation import limit_text, parse_choice
from leaddesk.store.enums import Channel, LeadStatus, MessageState, TaskKind
from leaddesk.store.models import Lead, Message, Task
from leaddesk.store.types import utcnow

#: States a person may cancel from: nothing has gone out yet.
CANCELLABLE = (MessageState.DRAFT, MessageState.HELD, MessageState.QUEUED)


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
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    integration_id: uuid.UUID | None = None


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
                channel=chan,
                lead_id=lead_id,
                template_id=template_id,
                campaign_id=campaign_id,
                to_address=address_for(chan, lead),
                subject=limit_text(subject, "subject", 500),
                body=body,
                state=MessageState.DRAFT,
                owner_id=self._ctx.actor.id,
            )
            session.add(message)
            session.flush()
            activity.record(
                session,
                self._ctx.actor.id,
                "draft",
                "message",
                message.id,
                lead_id=lead_id,
                summary=f"drafted {chan.value} message",
            )
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

    def failures(self, limit: int = 50) -> list[MessageRecord]:
        """Failed, unknown and held messages, newest first, with their reasons."""
        stmt = (
            select(Message)
            .where(Message.state.in_(
                [MessageState.FAILED, MessageState.UNKNOWN, MessageState.HELD]))
            .order_by(Message.updated_at.desc(), Message.id.desc())
            .limit(limit)
        )
        with self._ctx.store.read() as session:
            return [to_record(MessageRecord, m) for m in session.scalars(stmt)]

    def get(self, message_id: uuid.UUID) -> MessageRecord:
        with self._ctx.store.read() as session:
            message = session.get(Message, message_id)
            if message is None:
                raise NotFoundError("message", message_id)
            return to_record(MessageRecord, message)

    def cancel(self, message_ids: Iterable[uuid.UUID] | None = None) -> int:
        """Cancel the given messages, or every queued one, that have not gone out."""
        stmt = update(Message).where(Message.state.in_(CANCELLABLE))
        if message_ids is not None:
            stmt = stmt.where(Message.id.in_(list(message_ids)))
        else:
            stmt = stmt.where(Message.state == MessageState.QUEUED)
        with self._ctx.store.write() as session:
            result = session.execute(
                stmt.values(state=MessageState.CANCELLED, updated_at=utcnow()),
                execution_options={"synchronize_session": False})
            count = int(result.rowcount or 0)
            activity.record(session, self._ctx.actor.id, "cancel", "message", "",
                            summary=f"cancelled {count} messages")
        return count

    def mark_manual_sent(self, message_id: uuid.UUID, credits: Any) -> MessageRecord:
        """A person sent a manual (LinkedIn) message: charge it now and close its task.

        Do-not-contact is checked here too: a manual send is still a send.
        """
        with self._ctx.store.read() as session:
            message = session.get(Message, message_id)
            if message is None:
                raise NotFoundError("message", message_id)
            if message.state is not MessageState.HELD or message.channel is not Channel.LINKEDIN:
                raise ValidationError("state", "only a waiting LinkedIn task is marked sent")
            lead = session.get(Lead, message.lead_id)
            reason = suppression.blocked_reason(session, lead) if lead else "lead deleted"
            cost = message.cost
        if reason:
            raise ValidationError("lead", reason)
        reservation_id = None
        if cost > 0:
            reservation = credits.reserve(cost, message.channel.value, "message", str(message_id),
                                          f"send:{message_id}:manual")
            credits.consume(reservation.id)
            reservation_id = reservation.id
        now = utcnow()
        with self._ctx.store.write() as session:
            message = session.get(Message, message_id)
            assert message is not None
            message.state = MessageState.SENT
            message.sent_at = now
            message.hold_reason = ""
            message.reservation_id = reservation_id
            lead = session.get(Lead, message.lead_id)
            if lead is not None:
                lead.last_contacted_at = now
                if lead.status is LeadStatus.NEW:
                    lead.status = LeadStatus.CONTACTED
            for task in session.scalars(select(Task).where(Task.message_id == message_id)):
                task.done_at = now
            activity.record(session, self._ctx.actor.id, "send", "message", message_id,
                            lead_id=message.lead_id, summary="LinkedIn message marked sent")
            session.flush()
            return to_record(MessageRecord, message)


def create_linkedin_task(ctx: ServiceContext, message_id: uuid.UUID, lead_id: uuid.UUID,
                         details: dict[str, Any]) -> uuid.UUID:
    """The manual step for a LinkedIn message: open the profile, paste the text, mark sent."""
    with ctx.store.write() as session:
        task = Task(kind=TaskKind.LINKEDIN, lead_id=lead_id, message_id=message_id,
                    title="Send LinkedIn message",
                    notes=f"{details.get('profile_url', '')}\n\n{details.get('text', '')}",
                    due_at=utcnow(), owner_id=ctx.actor.id)
        session.add(task)
        session.flush()
        activity.record(session, ctx.actor.id, "create", "task", task.id, lead_id=lead_id,
                        summary="LinkedIn message to send by hand")
        return task.id
