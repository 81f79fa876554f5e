"""The outbox's state changes, each one short write transaction, safe across threads and processes.

A message moves ``queued -> sending`` only through :meth:`Outbox.claim_next`: a conditional
``UPDATE ... WHERE state = 'queued'`` inside a write transaction (SQLite: ``BEGIN IMMEDIATE``, so
one writer at a time; PostgreSQL: the candidate row is taken with ``FOR UPDATE SKIP LOCKED``, so
several desktops and ``leaddesk send`` workers share one team outbox without waiting on each
other or taking the same row). Daily and hourly caps are counted in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.store.enums import LeadStatus, MessageState
from leaddesk.store.models import Lead, Message, SendCounter
from leaddesk.store.types import utcnow

_NO_SYNC = {"synchronize_session": False}


def worker_identity() -> str:
    """``host:pid:token``: recovery tells a crashed process on this machine from a live one."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class Cap:
    """At most ``limit`` claims per ``period`` ("hour" or "day", UTC) in ``scope``."""

    scope: str
    period: str
    limit: int

    def key(self, now: dt.datetime) -> str:
        return now.strftime("h%Y-%m-%dT%H" if self.period == "hour" else "d%Y-%m-%d")

    def resets_at(self, now: dt.datetime) -> dt.datetime:
        if self.period == "hour":
            return now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        return now.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A message this worker now owns (state ``sending``)."""

    id: uuid.UUID
    channel: str
    lead_id: uuid.UUID
    integration_id: uuid.UUID | None
    to_address: str
    subject: str
    body: str
    attempts: int
    cost: int

    @property
    def idempotency_key(self) -> str:
        return f"send:{self.id}:{self.attempts}"


class CapReached(Exception):
    def __init__(self, integration_id: uuid.UUID | None, cap: Cap, until: dt.datetime) -> None:
        super().__init__(f"{cap.scope} reached its {cap.period}ly cap of {cap.limit}")
        self.integration_id = integration_id
        self.cap = cap
        self.until = until


_COLUMNS = (Message.id, Message.channel, Message.lead_id, Message.integration_id,
            Message.to_address, Message.subject, Message.body, Message.attempts, Message.cost)


class Outbox:
    def __init__(self, ctx: ServiceContext, worker: str | None = None) -> None:
        self._ctx = ctx
        self.worker = worker or worker_identity()

    # -- claiming --------------------------------------------------------------------------
    def claim_next(
        self,
        now: dt.datetime,
        *,
        exclude_integrations: Collection[uuid.UUID] = (),
        caps_for: Callable[[uuid.UUID | None, str], Sequence[Cap]] | None = None,
    ) -> Claimed | None:
        """Take one due queued message, or ``None``. Raises :class:`CapReached` (nothing
        claimed) when the candidate's integration has used up a cap."""
        with self._ctx.store.write() as session:
            stmt = (
                select(Message.id, Message.integration_id, Message.channel)
                .where(Message.state == MessageState.QUEUED, Message.next_attempt_at <= now)
                .order_by(Message.next_attempt_at)
                .limit(1)
            )
            if exclude_integrations:
                stmt = stmt.where(_usable(exclude_integrations))
            if session.bind is not None and session.bind.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            row = session.execute(stmt).first()
            if row is None:
                return None
            message_id, integration_id, channel = row
            for cap in caps_for(integration_id, channel.value) if caps_for else ():
                if not _count(session, cap, now):  # raising rolls back earlier counts
                    raise CapReached(integration_id, cap, cap.resets_at(now))
            claimed = session.execute(
                update(Message)
                .where(Message.id == message_id, Message.state == MessageState.QUEUED)
                .values(state=MessageState.SENDING, attempts=Message.attempts + 1,
                        claimed_by=self.worker, claimed_at=now, updated_at=now)
                .returning(*_COLUMNS),
                execution_options=_NO_SYNC,
            ).first()
            if claimed is None:  # taken between select and update (PostgreSQL read committed)
                return None
            values = claimed._asdict()
            values["channel"] = str(getattr(values["channel"], "value", values["channel"]))
            return Claimed(**values)

    # -- outcomes --------------------------------------------------------------------------
    def _finish(self, session: Session, message_id: uuid.UUID, **values: object) -> int:
        result = session.execute(
            update(Message)
            .where(Message.id == message_id, Message.state == MessageState.SENDING)
            .values(updated_at=utcnow(), **values),
            execution_options=_NO_SYNC,
        )
        return int(result.rowcount or 0)

    def reserved(self, msg: Claimed, reservation_id: uuid.UUID) -> None:
        """Record the attempt's reservation before sending: from here on a crash may have sent
        it (and the credits' own crash recovery leaves a hold an in-flight message names)."""
        with self._ctx.store.write() as session:
            self._finish(session, msg.id, reservation_id=reservation_id)

    def sent(self, msg: Claimed, provider_id: str, reservation_id: uuid.UUID | None,
             state: MessageState = MessageState.SENT, now: dt.datetime | None = None) -> None:
        now = now or utcnow()
        with self._ctx.store.write() as session:
            self._finish(session, msg.id, state=state, provider_id=provider_id[:200],
                         reservation_id=reservation_id, sent_at=now, error="",
                         delivered_at=now if state is MessageState.DELIVERED else None)
            session.execute(
                update(Lead).where(Lead.id == msg.lead_id).values(
                    last_contacted_at=now,
                    status=case((Lead.status == LeadStatus.NEW, LeadStatus.CONTACTED.value),
                                else_=Lead.status)),
                execution_options=_NO_SYNC)
            activity.record(session, self._ctx.actor.id, "send", "message", msg.id,
                            lead_id=msg.lead_id, summary=f"sent {msg.channel} to {msg.to_address}")

    def retry(self, msg: Claimed, error: str, at: dt.datetime) -> None:
        """Back to the queue for another attempt at ``at`` (nothing was sent)."""
        with self._ctx.store.write() as session:
            self._finish(session, msg.id, state=MessageState.QUEUED, error=error[:2000],
                         next_attempt_at=at, claimed_by="")

    def requeue(self, msg: Claimed, error: str = "") -> None:
        """Give the message back untouched (paused channel, cap reached): the attempt is not
        counted against it."""
        with self._ctx.store.write() as session:
            self._finish(session, msg.id, state=MessageState.QUEUED, error=error[:2000],
                         attempts=Message.attempts - 1, claimed_by="")

    def failed(self, msg: Claimed, error: str) -> None:
        self._final(msg, MessageState.FAILED, error, "fail")

    def cancelled(self, msg: Claimed, reason: str) -> None:
        self._final(msg, MessageState.CANCELLED, reason, "cancel")

    def held(self, msg: Claimed, reason: str) -> None:
        with self._ctx.store.write() as session:
            self._finish(session, msg.id, state=MessageState.HELD, hold_reason=reason[:500],
                         attempts=Message.attempts - 1, claimed_by="")
            activity.record(session, self._ctx.actor.id, "hold", "message", msg.id,
                            lead_id=msg.lead_id, summary=f"held: {reason}")

    def unknown(self, msg: Claimed, error: str, reservation_id: uuid.UUID | None,
                provider_id: str = "") -> None:
        """The provider may have it: never sent again without a person's (or provider's) word."""
        with self._ctx.store.write() as session:
            self._finish(session, msg.id, state=MessageState.UNKNOWN, error=error[:2000],
                         reservation_id=reservation_id, provider_id=provider_id[:200])
            activity.record(session, self._ctx.actor.id, "unknown", "message", msg.id,
                            lead_id=msg.lead_id, summary=f"unknown — check: {error}"[:500])

    def _final(self, msg: Claimed, state: MessageState, error: str, action: str) -> None:
        with self._ctx.store.write() as session:
            self._finish(session, msg.id, state=state, error=error[:2000], claimed_by="")
            activity.record(session, self._ctx.actor.id, action, "message", msg.id,
                            lead_id=msg.lead_id, summary=f"{state.value}: {error}"[:500])

    # -- reading ---------------------------------------------------------------------------
    def next_due(self, exclude_integrations: Collection[uuid.UUID] = ()) -> dt.datetime | None:
        """When the earliest queued message (of the usable integrations) falls due."""
        stmt = select(func.min(Message.next_attempt_at)).where(
            Message.state == MessageState.QUEUED)
        if exclude_integrations:
            stmt = stmt.where(_usable(exclude_integrations))
        with self._ctx.store.read() as session:
            return session.scalar(stmt)

    def queued_retries_due_before(
        self, when: dt.datetime, exclude_integrations: Collection[uuid.UUID] = ()
    ) -> dt.datetime | None:
        """The earliest retry (a message already tried) due before ``when``, if any."""
        stmt = select(func.min(Message.next_attempt_at)).where(
            Message.state == MessageState.QUEUED, Message.attempts > 0,
            Message.next_attempt_at <= when)
        if exclude_integrations:
            stmt = stmt.where(_usable(exclude_integrations))
        with self._ctx.store.read() as session:
            return session.scalar(stmt)


def _usable(exclude: Collection[uuid.UUID]) -> ColumnElement[bool]:
    return or_(Message.integration_id.is_(None), Message.integration_id.not_in(list(exclude)))


def _count(session: Session, cap: Cap, now: dt.datetime) -> bool:
    """Count one send against ``cap``; ``False`` (nothing counted) when it is used up."""
    period = cap.key(now)
    result = session.execute(
        update(SendCounter)
        .where(SendCounter.scope == cap.scope, SendCounter.period == period,
               SendCounter.count < cap.limit)
        .values(count=SendCounter.count + 1, updated_at=now),
        execution_options=_NO_SYNC,
    )
    if result.rowcount:
        return True
    exists = session.scalar(select(SendCounter.count).where(
        SendCounter.scope == cap.scope, SendCounter.period == period))
    if exists is not None or cap.limit < 1:
        return False
    session.execute(insert(SendCounter).values(scope=cap.scope, period=period, count=1,
                                               created_at=now, updated_at=now))
    return True
