"""The outbox as a rep reads it: each message with where it stands (queued, scheduled, capped
until a cap resets, held with the fix, failed, sent) and the actions on it: retry, cancel, pause
and resume sending.

"Capped" is worked out with the caps the dispatcher counts (``send_caps``): the due messages of
an integration are spread over its caps in the order the dispatcher claims them, so the time
shown is when it will take them. Pausing is a database-wide setting the dispatcher reads before
each claim, so a pause from the window or from ``leaddesk outbox pause`` stops every sender.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from leaddesk.services import activity, settings
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import ValidationError
from leaddesk.services.messaging import send_caps
from leaddesk.services.messaging.compose import ComposeService
from leaddesk.services.messaging.integrations import IntegrationRecord, IntegrationService
from leaddesk.services.messaging.messages import MessageService
from leaddesk.store.enums import MessageState
from leaddesk.store.models import Lead, Message
from leaddesk.store.types import utcnow

#: What is listed: everything not yet settled, and the latest of what went out.
OPEN_STATES = (MessageState.QUEUED, MessageState.SENDING, MessageState.HELD,
               MessageState.FAILED, MessageState.UNKNOWN)
DONE_STATES = (MessageState.SENT, MessageState.DELIVERED, MessageState.REPLIED,
               MessageState.BOUNCED, MessageState.CANCELLED)
#: The order statuses are shown in.
STATUSES = ("queued", "scheduled", "capped", "sending", "held", "failed", "unknown", "sent",
            "delivered", "replied", "bounced", "cancelled")
_FIXES = {"held": "fix the lead or the template, then Retry",
          "failed": "check the address or the channel, then Retry",
          "unknown": "check whether it arrived: leaddesk outbox resolve",
          "capped": "nothing: it goes by itself when the cap resets"}


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: uuid.UUID
    channel: str
    lead_name: str
    to_address: str
    subject: str
    #: One of :data:`STATUSES`.
    status: str
    #: When it goes (queued, scheduled, capped) or went (sent...), None when unknown.
    when: dt.datetime | None
    #: Why it waits, is held or failed, and what fixes it ("" when nothing to say).
    reason: str
    fix: str


@dataclass(frozen=True, slots=True)
class CapUsage:
    """How much of one sending cap this window has used, and when it starts again."""

    label: str
    used: int
    limit: int
    resets_at: dt.datetime

    @property
    def full(self) -> bool:
        return self.used >= self.limit


class OutboxService:
    """The acting user's view of the outbox (the row scope decides whose messages)."""

    def __init__(self, ctx: ServiceContext, integrations: IntegrationService,
                 compose: ComposeService) -> None:
        self._ctx = ctx
        self._integrations = integrations
        self._compose = compose

    # -- reading ---------------------------------------------------------------------------
    def items(self, limit: int = 2000, done_limit: int = 200) -> list[OutboxItem]:
        """The open messages (up to ``limit``, the next to go first) and the ``done_limit``
        latest settled ones."""
        now = utcnow()
        name = (Lead.first_name + " " + Lead.last_name).label("name")
        base = select(Message, name).join(Lead, Lead.id == Message.lead_id, isouter=True)
        with self._ctx.store.read() as session:
            open_rows = list(session.execute(
                base.where(Message.state.in_(OPEN_STATES))
                .order_by(Message.next_attempt_at, Message.created_at, Message.id).limit(limit)))
            done_rows = list(session.execute(
                base.where(Message.state.in_(DONE_STATES))
                .order_by(Message.updated_at.desc(), Message.id.desc()).limit(done_limit)))
            capped = self._capped(session, [m for m, _ in open_rows], now)
        return [self._item(m, (n or "").strip(), now, capped) for m, n in open_rows + done_rows]

    def cap_usage(self) -> list[CapUsage]:
        """Every configured channel's caps with what they counted in this window."""
        now = utcnow()
        caps = [cap for record in self._integrations.list()
                for cap in send_caps.caps_for(record, "")]
        with self._ctx.store.read() as session:
            used = send_caps.used(session, caps, now)
        return [CapUsage(cap.label, used[cap], cap.limit, cap.resets_at(now)) for cap in caps]

    def counts(self, items: Sequence[OutboxItem]) -> dict[str, int]:
        """How many items have each status, in :data:`STATUSES` order."""
        found = {s: 0 for s in STATUSES}
        for item in items:
            found[item.status] += 1
        return {s: n for s, n in found.items() if n}

    def _capped(self, session: Session, messages: Sequence[Message],
                now: dt.datetime) -> dict[uuid.UUID, tuple[dt.datetime, str]]:
        """Due queued messages that a cap keeps back: when they go and which cap."""
        due: dict[uuid.UUID | None, list[Message]] = {}
        for m in messages:
            if m.state is MessageState.QUEUED and (m.next_attempt_at is None
                                                   or m.next_attempt_at <= now):
                due.setdefault(m.integration_id, []).append(m)
        records = {r.id: r for r in self._integrations.list()}
        out: dict[uuid.UUID, tuple[dt.datetime, str]] = {}
        for integration_id, group in due.items():
            record: IntegrationRecord | None = (
                records.get(integration_id) if integration_id is not None else None)
            caps = send_caps.caps_for(record, group[0].channel.value)
            windows = send_caps.spread(len(group), caps, send_caps.used(session, caps, now), now)
            position = 0
            for window in windows:
                for m in group[position:position + window.count]:
                    if window.cap is not None:
                        out[m.id] = (window.at, window.cap.label)
                position += window.count
        return out

    @staticmethod
    def _item(m: Message, lead_name: str, now: dt.datetime,
              capped: dict[uuid.UUID, tuple[dt.datetime, str]]) -> OutboxItem:
        status, when, reason = m.state.value, m.next_attempt_at, ""
        if m.id in capped:
            status, (when, cap) = "capped", capped[m.id]
            reason = f"{cap} is used up"
        elif m.state is MessageState.QUEUED and when is not None and when > now:
            status = "scheduled" if m.attempts == 0 else "queued"
            reason = "" if m.attempts == 0 else f"retry after: {m.error}"
        elif m.state is MessageState.HELD:
            when, reason = None, m.hold_reason
        elif m.state in (MessageState.FAILED, MessageState.UNKNOWN, MessageState.CANCELLED):
            when, reason = m.updated_at, m.error
        elif m.state in DONE_STATES:
            when = m.sent_at or m.updated_at
        return OutboxItem(m.id, m.channel.value, lead_name or m.to_address, m.to_address,
                          m.subject, status, when, reason, _FIXES.get(status, ""))

    # -- actions ---------------------------------------------------------------------------
    def retry(self, message_ids: Iterable[uuid.UUID]) -> int:
        """Queue again: failed messages as they are, held ones rendered again for their lead
        (``ComposeService.queue``, which refuses one still held, with the reason)."""
        ids = list(dict.fromkeys(message_ids))
        with self._ctx.store.read() as session:
            states = {row.id: row.state for row in session.execute(
                select(Message.id, Message.state).where(Message.id.in_(ids)))}
        unknown = [i for i in ids if i not in states]
        if unknown:
            raise ValidationError("message", f"{unknown[0]} is not in the outbox")
        wrong = [i for i in ids if states[i] not in (MessageState.FAILED, MessageState.HELD,
                                                     MessageState.DRAFT)]
        if wrong:
            raise ValidationError("message", f"{wrong[0]} is {states[wrong[0]].value}: only "
                                             "failed and held messages are retried")
        held = [i for i in ids if states[i] is not MessageState.FAILED]
        failed = [i for i in ids if states[i] is MessageState.FAILED]
        count = self._compose.queue(held) if held else 0
        if failed:
            now = utcnow()
            with self._ctx.store.write() as session:
                result = session.execute(
                    update(Message).where(Message.id.in_(failed),
                                          Message.state == MessageState.FAILED)
                    .values(state=MessageState.QUEUED, error="", attempts=0,
                            next_attempt_at=now, scheduled_at=None, updated_at=now),
                    execution_options={"synchronize_session": False})
                count += int(result.rowcount or 0)
                activity.record(session, self._ctx.actor.id, "retry", "message", failed[0],
                                summary=f"queued {len(failed)} failed message(s) again")
        return count

    def cancel(self, message_ids: Iterable[uuid.UUID]) -> int:
        """Cancel these messages, those that have not gone out (``MessageService.cancel``)."""
        return MessageService(self._ctx).cancel(list(message_ids))

    def paused(self) -> bool:
        return send_caps.is_paused(self._ctx)

    def set_paused(self, paused: bool) -> None:
        """Pause or resume every dispatcher on this database (they finish the message in hand)."""
        settings.put(self._ctx.store, send_caps.SENDING_PAUSED, bool(paused))

