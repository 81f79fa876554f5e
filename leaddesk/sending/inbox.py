"""Replies, bounces and out-of-office answers read over IMAP, applied to the outbox and leads.

- a reply marks the message ``replied`` and the lead ``replied``, and stops the lead's sequence
  (its campaign messages not sent yet are cancelled); a reply whose subject starts with
  "unsubscribe" (our List-Unsubscribe mailto), or whose first line says "unsubscribe",
  "remove me" or "stop", puts the address on the do-not-contact list;
- so does a fresh mail saying so (not threaded: no In-Reply-To or References we know), matched
  to the leads by its sender's address, and any mail to a dedicated List-Unsubscribe address;
- a permanent DSN bounce marks the message ``bounced``, the lead ``bounced``, and suppresses the
  address; a delayed (4.x.x) notice is only recorded;
- an out-of-office answer is recorded on the lead with its return date, not counted as a reply.

Where the sync stopped (UIDVALIDITY and last UID) is kept per channel in ``app_settings``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from leaddesk.channels.base import ChannelError
from leaddesk.channels.imap_inbox import (
    AutoReply,
    Bounce,
    Reply,
    SyncState,
    Unsubscribe,
    normalize_message_id,
)
from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import ValidationError
from leaddesk.services.messaging import suppression
from leaddesk.services.messaging.integrations import IntegrationRecord, IntegrationService
from leaddesk.store.enums import Channel, LeadStatus, MessageState
from leaddesk.store.models import AppSetting, Lead, Message
from leaddesk.store.types import utcnow

log = logging.getLogger(__name__)
_UNSUBSCRIBE = re.compile(r"^\s*(?:re:\s*)?unsubscribe\b", re.IGNORECASE)
_NOT_SENT_YET = (MessageState.DRAFT, MessageState.HELD, MessageState.QUEUED)


@dataclass(frozen=True, slots=True)
class InboxReport:
    fetched: int = 0
    replies: int = 0
    bounces: int = 0
    auto_replies: int = 0
    unsubscribes: int = 0
    unmatched: int = 0
    more: bool = False


class _SentIds:
    """``in`` asks the database whether we sent a message with that Message-ID."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and _by_provider_id(self._ctx, value) is not None


def _by_provider_id(ctx: ServiceContext, message_id: str | None) -> uuid.UUID | None:
    norm = normalize_message_id(message_id)
    if norm is None:
        return None
    local, _, domain = norm[1:-1].rpartition("@")
    candidates = {norm, f"<{local}@{domain}>"}
    with ctx.store.read() as session:
        return session.scalar(select(Message.id).where(
            Message.channel == Channel.EMAIL,
            or_(*(Message.provider_id.ilike(c) for c in candidates))).limit(1))


def _state_key(record: IntegrationRecord) -> str:
    return f"imap_sync:{record.id}"


def poll_inbox(ctx: ServiceContext, integrations: IntegrationService, channel: str,
               *, since: dt.date | None = None, limit: int = 500) -> InboxReport:
    """Fetch what arrived since the last poll on the email channel ``channel`` and apply it."""
    record = integrations.get(channel)
    inbox = integrations.inbox(record)
    with ctx.store.read() as session:
        saved = session.get(AppSetting, _state_key(record))
        state = SyncState(**saved.value) if saved and saved.value else None
    result = inbox.fetch_new(state, _SentIds(ctx), since=since, limit=limit,
                             unsubscribe_addresses=_unsubscribe_addresses(record))
    counts = {"replies": 0, "bounces": 0, "auto_replies": 0, "unsubscribes": 0, "unmatched": 0}
    for item in result.items:
        kind = _apply(ctx, item.classification, str(item.message.get("Subject", "")))
        counts[kind] = counts.get(kind, 0) + 1
    with ctx.store.write() as session:
        row = session.get(AppSetting, _state_key(record))
        value = {"uidvalidity": result.state.uidvalidity, "last_uid": result.state.last_uid}
        if row is None:
            session.add(AppSetting(key=_state_key(record), value=value))
        else:
            row.value = value
    counts.pop("none", None)
    return InboxReport(fetched=len(result.items), more=result.more, **counts)


def poll_mailboxes(ctx: ServiceContext, integrations: IntegrationService,
                   records: list[IntegrationRecord]) -> dict[str, InboxReport | str]:
    """:func:`poll_inbox` on every email channel with an inbox: its report, or the error that
    stopped it (one failing mailbox does not stop the others, nor the sending that follows)."""
    reports: dict[str, InboxReport | str] = {}
    for record in records:
        if record.kind != "email" or not record.settings.get("imap_host"):
            continue
        try:
            reports[record.name] = poll_inbox(ctx, integrations, record.name)
        except (ChannelError, ValidationError) as exc:
            log.warning("reading the inbox of %s failed: %s", record.name, exc)
            reports[record.name] = f"error: {exc}"
        except Exception as exc:  # e.g. a member who may not store the sync position
            log.exception("reading the inbox of %s failed", record.name)
            reports[record.name] = f"error: {type(exc).__name__}"
    return reports


def _unsubscribe_addresses(record: IntegrationRecord) -> frozenset[str]:
    """Our List-Unsubscribe mailto address when it is a dedicated one (the default is the
    sender's own mailbox, where ordinary replies arrive too)."""
    mailto = str(record.settings.get("unsubscribe_mailto") or "")
    address = mailto.removeprefix("mailto:").partition("?")[0].strip().lower()
    own = str(record.settings.get("from_address") or "").strip().lower()
    return frozenset({address}) if address and address != own else frozenset()


def _apply(ctx: ServiceContext, found: object, subject: str) -> str:
    if isinstance(found, Unsubscribe):
        return _fresh_unsubscribe(ctx, found)
    if isinstance(found, Reply):
        return _reply(ctx, found, subject)
    if isinstance(found, Bounce):
        return _bounce(ctx, found)
    if isinstance(found, AutoReply):
        return _auto_reply(ctx, found)
    return "unmatched"


def _reply(ctx: ServiceContext, reply: Reply, subject: str) -> str:
    message_id = _by_provider_id(ctx, reply.in_reply_to_message_id)
    if message_id is None:
        return "unmatched"
    now = utcnow()
    with ctx.store.write() as session:
        msg = session.get(Message, message_id)
        lead = session.get(Lead, msg.lead_id) if msg else None
        if msg is None or lead is None:
            return "unmatched"
        msg.state = MessageState.REPLIED
        msg.replied_at = now
        if reply.unsubscribe or _UNSUBSCRIBE.match(subject):
            _suppress(ctx, session, lead, msg, "unsubscribe", reply.from_addr)
            lead.status = LeadStatus.UNSUBSCRIBED
            kind = "unsubscribes"
        else:
            lead.status = LeadStatus.REPLIED
            kind = "replies"
        stopped = stop_sequence(session, lead.id)
        activity.record(session, ctx.actor.id, "reply", "message", msg.id, lead_id=lead.id,
                        summary=f"{reply.from_addr} replied"
                        + (" (unsubscribe)" if kind == "unsubscribes" else "")
                        + (f"; {stopped} follow-ups stopped" if stopped else ""))
    return kind


def _fresh_unsubscribe(ctx: ServiceContext, found: Unsubscribe) -> str:
    """Suppress the sender of a fresh unsubscribe mail and mark their leads unsubscribed; a
    stranger's "stop" is left alone unless it came to the List-Unsubscribe address."""
    try:
        address = suppression.normalize("email", found.from_addr)
    except Exception:  # an address we cannot read
        return "unmatched"
    with ctx.store.write() as session:
        leads = list(session.scalars(select(Lead).where(func.lower(Lead.email) == address)))
        if not leads and not found.to_unsubscribe_address:
            return "unmatched"
        first = leads[0].id if leads else None
        suppression.add_in(session, ctx.actor.id, "email", address, "unsubscribe",
                           note="unsubscribe mail", lead_id=first)
        for lead in leads:
            lead.status = LeadStatus.UNSUBSCRIBED
            stopped = stop_sequence(session, lead.id)
            activity.record(session, ctx.actor.id, "unsubscribe", "lead", lead.id,
                            lead_id=lead.id, summary=f"{address} asked to unsubscribe by mail"
                            + (f"; {stopped} follow-ups stopped" if stopped else ""))
    return "unsubscribes"


def _bounce(ctx: ServiceContext, bounce: Bounce) -> str:
    message_id = _by_provider_id(ctx, bounce.original_message_id)
    if message_id is None and bounce.envelope_id:
        try:
            message_id = uuid.UUID(bounce.envelope_id)
        except ValueError:
            message_id = None
    if message_id is None and bounce.recipient:
        with ctx.store.read() as session:
            message_id = session.scalar(
                select(Message.id).where(Message.channel == Channel.EMAIL,
                                         Message.to_address.ilike(bounce.recipient),
                                         Message.sent_at.is_not(None))
                .order_by(Message.sent_at.desc()).limit(1))
    if message_id is None:
        return "unmatched"
    with ctx.store.write() as session:
        msg = session.get(Message, message_id)
        lead = session.get(Lead, msg.lead_id) if msg else None
        if msg is None or lead is None:
            return "unmatched"
        detail = f"{bounce.status} {bounce.diagnostic or ''}".strip()
        if not bounce.permanent:
            activity.record(session, ctx.actor.id, "bounce_delayed", "message", msg.id,
                            lead_id=lead.id, summary=f"delivery delayed: {detail}"[:500])
            return "bounces"
        msg.state = MessageState.BOUNCED
        msg.error = f"bounced: {detail}"[:2000]
        lead.status = LeadStatus.BOUNCED
        _suppress(ctx, session, lead, msg, "bounce", bounce.recipient or msg.to_address)
        stop_sequence(session, lead.id)
        activity.record(session, ctx.actor.id, "bounce", "message", msg.id, lead_id=lead.id,
                        summary=f"bounced: {detail}"[:500])
    return "bounces"


def _auto_reply(ctx: ServiceContext, auto: AutoReply) -> str:
    message_id = _by_provider_id(ctx, auto.original_message_id)
    if message_id is None:
        return "unmatched"
    with ctx.store.write() as session:
        msg = session.get(Message, message_id)
        if msg is None:
            return "unmatched"
        back = f", back {auto.return_date:%Y-%m-%d}" if auto.return_date else ""
        activity.record(session, ctx.actor.id, "auto_reply", "message", msg.id,
                        lead_id=msg.lead_id, summary=f"out of office{back}",
                        changes={"return_date": [None, str(auto.return_date or "")]})
    return "auto_replies"


def _suppress(ctx: ServiceContext, session: Session, lead: Lead, msg: Message, reason: str,
              address: str) -> None:
    try:
        value = suppression.normalize("email", address or lead.email)
    except Exception:  # an address we cannot read: fall back to the lead's own
        value = suppression.normalize("email", lead.email)
    suppression.add_in(session, ctx.actor.id, "email", value, reason, message_id=msg.id,
                       lead_id=lead.id)


def stop_sequence(session: Session, lead_id: uuid.UUID) -> int:
    """Cancel the lead's campaign messages that have not gone out."""
    result = session.execute(
        update(Message)
        .where(Message.lead_id == lead_id, Message.state.in_(_NOT_SENT_YET),
               or_(Message.campaign_id.is_not(None), Message.sequence_step_id.is_not(None)))
        .values(state=MessageState.CANCELLED, error="stopped: the lead answered",
                updated_at=utcnow()),
        execution_options={"synchronize_session": False})
    return int(result.rowcount or 0)
