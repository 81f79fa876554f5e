"""Delivery status polled back from providers that can say (Twilio), and "unknown" messages
settled by the provider's word where a provider id was stored."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update

from leaddesk.channels.base import ChannelError, DeliveryState
from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.credits.ledger import CreditService
from leaddesk.store.enums import Channel, MessageState
from leaddesk.store.models import Message
from leaddesk.store.types import utcnow

log = logging.getLogger(__name__)

#: Channels whose provider answers status queries (SMTP does not: bounces come over IMAP).
POLLED = (Channel.SMS, Channel.WHATSAPP, Channel.VOICE)


@dataclass(frozen=True, slots=True)
class PollReport:
    checked: int = 0
    delivered: int = 0
    failed: int = 0
    settled_unknown: int = 0


def poll_statuses(
    ctx: ServiceContext,
    credits: CreditService,
    fetch_status: Callable[[Message], str | None],
    limit: int = 500,
) -> PollReport:
    """Ask the provider about sent (not yet delivered) and unknown messages with a provider id.

    ``fetch_status(message)`` returns a :class:`DeliveryState` value or ``None``.
    """
    stmt = (
        select(Message)
        .where(Message.state.in_([MessageState.SENT, MessageState.UNKNOWN]),
               Message.channel.in_(POLLED), Message.provider_id != "")
        .order_by(Message.updated_at)
        .limit(limit)
    )
    with ctx.store.read() as session:
        messages = list(session.scalars(stmt))
    counts = {"checked": 0, "delivered": 0, "failed": 0, "settled_unknown": 0}
    for msg in messages:
        try:
            answer = fetch_status(msg)
        except ChannelError as exc:
            log.warning("status of %s unavailable: %s", msg.id, exc)
            continue
        counts["checked"] += 1
        if answer is None or answer == DeliveryState.QUEUED:
            continue
        if msg.state is MessageState.UNKNOWN and msg.reservation_id is not None:
            counts["settled_unknown"] += 1
            if answer == DeliveryState.FAILED:
                credits.release(msg.reservation_id, "the provider reports it failed")
            else:
                credits.consume(msg.reservation_id)
        if answer == DeliveryState.DELIVERED:
            counts["delivered"] += 1
            _set(ctx, msg, MessageState.DELIVERED, "delivered", delivered_at=utcnow())
        elif answer == DeliveryState.FAILED:
            counts["failed"] += 1
            _set(ctx, msg, MessageState.FAILED, "the provider reports it undelivered",
                 error="the provider reports it undelivered")
        elif msg.state is MessageState.UNKNOWN:
            _set(ctx, msg, MessageState.SENT, "the provider has it", sent_at=utcnow(), error="")
    return PollReport(**counts)


def _set(ctx: ServiceContext, msg: Message, state: MessageState, summary: str,
         **values: object) -> None:
    with ctx.store.write() as session:
        result = session.execute(
            update(Message).where(Message.id == msg.id, Message.state == msg.state)
            .values(state=state, updated_at=utcnow(), **values),
            execution_options={"synchronize_session": False})
        if result.rowcount:
            activity.record(session, ctx.actor.id, "status", "message", msg.id,
                            lead_id=msg.lead_id, summary=summary)
