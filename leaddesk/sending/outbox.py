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
from typing import Any

from sqlalchemy import ColumnElement, bindparam, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from leaddesk.services import activity, group_commit, suppression
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


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claimed message; :meth:`Outbox.finish` writes a batch of them."""

    msg: Claimed
    action: str  # the audit action: send, retry, requeue, fail, cancel, hold, unknown
    values: dict[str, object]
    summary: str
    contacted: bool = False  # the lead was contacted: update it too


@dataclass(frozen=True, slots=True)
class ClaimBatch:
    messages: list[Claimed]
    #: Integrations (``None``: messages without one) that reached a cap, and until when.
    capped: dict[uuid.UUID | None, dt.datetime]


_COLUMNS = (Message.id, Message.channel, Message.lead_id, Message.integration_id,
            Message.to_address, Message.subject, Message.body, Message.attempts, Message.cost)
_TABLE = Message.__table__


class Outbox:
    def __init__(self, ctx: ServiceContext, worker: str | None = None) -> None:
        self._ctx = ctx
        self.worker = worker or worker_identity()
        # Writes from many worker threads share transactions (and the credit service's).
        self._combiner = group_commit.for_store(ctx.store)

    def _write(self, work: Callable[[Session], Any]) -> Any:
        return self._combiner.run(self._ctx.store, work)

    # -- claiming --------------------------------------------------------------------------
    def claim(
        self,
        now: dt.datetime,
        limit: int = 1,
        *,
        exclude_integrations: Collection[uuid.UUID] = (),
        caps_for: Callable[[uuid.UUID | None, str], Sequence[Cap]] | None = None,
    ) -> ClaimBatch:
        """Take up to ``limit`` due queued messages in one transaction. A message whose
        integration has used up a cap is left queued and the cap reported."""
        capped: dict[uuid.UUID | None, dt.datetime] = {}

        def work(session: Session) -> list[Any]:
            capped.clear()  # a retried batch starts over
            stmt = (
                select(Message.id, Message.integration_id, Message.channel)
                .where(Message.state == MessageState.QUEUED,
                       or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now))
                .order_by(Message.next_attempt_at)
                .limit(limit)
            )
            if exclude_integrations:
                stmt = stmt.where(_usable(exclude_integrations))
            if session.bind is not None and session.bind.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            chosen = []
            for message_id, integration_id, channel in session.execute(stmt).all():
                if integration_id in capped:
                    continue
                for cap in caps_for(integration_id, channel.value) if caps_for else ():
                    if not _count(session, cap, now):
                        capped[integration_id] = cap.resets_at(now)
                        break
                else:
                    chosen.append(message_id)
            if not chosen:
                return []
            return session.execute(
                update(Message)
                .where(Message.id.in_(chosen), Message.state == MessageState.QUEUED)
                .values(state=MessageState.SENDING, attempts=Message.attempts + 1,
                        claimed_by=self.worker, claimed_at=now, updated_at=now)
                .returning(*_COLUMNS),
                execution_options=_NO_SYNC,
            ).all()

        rows = self._write(work)
        claimed = []
        for row in rows:
            values = row._asdict()
            values["channel"] = str(getattr(values["channel"], "value", values["channel"]))
            claimed.append(Claimed(**values))
        return ClaimBatch(claimed, capped)

    def blocked(self, messages: Sequence[Claimed]) -> dict[uuid.UUID, str]:
        """Why some of ``messages`` must not go out (do-not-contact), by message id."""
        if not messages:
            return {}
        with self._ctx.store.read() as session:
            reasons = suppression.blocked_reasons(session, [m.lead_id for m in messages])
        return {m.id: reasons[m.lead_id] for m in messages if m.lead_id in reasons}

    def reserved(self, msg: Claimed, reservation_id: uuid.UUID) -> None:
        """Record the attempt's reservation before sending: from here on a crash may have sent
        it (and the credits' own crash recovery leaves a hold an in-flight message names)."""
        stmt = (_TABLE.update()  # a Core statement: no ORM compile on the hot path
                .where(_TABLE.c.id == msg.id, _TABLE.c.state == MessageState.SENDING.value)
                .values(reservation_id=reservation_id))
        self._write(lambda session: session.execute(stmt))

    # -- outcomes (written in batches by finish) -----------------------------------------------
    @staticmethod
    def sent(msg: Claimed, provider_id: str, reservation_id: uuid.UUID | None,
             state: MessageState = MessageState.SENT, now: dt.datetime | None = None) -> Outcome:
        now = now or utcnow()
        return Outcome(msg, "send", {
            "state": state, "provider_id": provider_id[:200], "reservation_id": reservation_id,
            "sent_at": now, "error": "", "claimed_by": "",
            "delivered_at": now if state is MessageState.DELIVERED else None,
        }, f"sent {msg.channel} to {msg.to_address}", contacted=True)

    @staticmethod
    def retry(msg: Claimed, error: str, at: dt.datetime) -> Outcome:
        """Back to the queue for another attempt at ``at`` (nothing was sent)."""
        return Outcome(msg, "retry", {"state": MessageState.QUEUED, "error": error[:2000],
                                      "next_attempt_at": at, "claimed_by": "",
                                      "reservation_id": None},
                       f"attempt {msg.attempts} failed, retrying: {error}"[:500])

    @staticmethod
    def requeue(msg: Claimed, error: str = "") -> Outcome:
        """Give the message back untouched (paused, stopped, channel unusable): the attempt
        does not count against it."""
        return Outcome(msg, "requeue", {"state": MessageState.QUEUED, "error": error[:2000],
                                        "attempts": msg.attempts - 1, "claimed_by": "",
                                        "reservation_id": None},
                       f"back to the queue{': ' + error if error else ''}"[:500])

    @staticmethod
    def failed(msg: Claimed, error: str) -> Outcome:
        return Outcome(msg, "fail", {"state": MessageState.FAILED, "error": error[:2000],
                                     "claimed_by": "", "reservation_id": None},
                       f"failed: {error}"[:500])

    @staticmethod
    def cancelled(msg: Claimed, reason: str) -> Outcome:
        return Outcome(msg, "cancel", {"state": MessageState.CANCELLED, "error": reason[:2000],
                                       "claimed_by": "", "reservation_id": None},
                       f"cancelled: {reason}"[:500])

    @staticmethod
    def held(msg: Claimed, reason: str) -> Outcome:
        return Outcome(msg, "hold", {"state": MessageState.HELD, "hold_reason": reason[:500],
                                     "attempts": msg.attempts - 1, "claimed_by": "",
                                     "reservation_id": None},
                       f"held: {reason}"[:500])

    @staticmethod
    def unknown(msg: Claimed, error: str, reservation_id: uuid.UUID | None,
                provider_id: str = "") -> Outcome:
        """The provider may have it: never sent again without a person's (or provider's) word."""
        values: dict[str, object] = {"state": MessageState.UNKNOWN, "error": error[:2000],
                                     "provider_id": provider_id[:200]}
        if reservation_id is not None:  # else keep the one recorded before sending
            values["reservation_id"] = reservation_id
        return Outcome(msg, "unknown", values, f"unknown — check: {error}"[:500])

    def finish(self, outcomes: Sequence[Outcome]) -> None:
        """Write a batch of outcomes in one transaction (one UPDATE per kind of outcome)."""
        if not outcomes:
            return
        now = utcnow()
        groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
        for o in outcomes:
            values = {**o.values, "updated_at": now}
            row = {"m_id": o.msg.id} | {f"v_{k}": v for k, v in values.items()}
            groups.setdefault(tuple(sorted(values)), []).append(row)
        def work(session: Session) -> None:
            for keys, rows in groups.items():
                stmt = (
                    _TABLE.update()
                    .where(_TABLE.c.id == bindparam("m_id"),
                           _TABLE.c.state == MessageState.SENDING.value)
                    .values({k: bindparam(f"v_{k}") for k in keys})
                )
                session.execute(stmt, rows)
            contacted = [o.msg.lead_id for o in outcomes if o.contacted]
            if contacted:
                session.execute(
                    update(Lead).where(Lead.id.in_(contacted)).values(
                        last_contacted_at=now,
                        status=case((Lead.status == LeadStatus.NEW, LeadStatus.CONTACTED.value),
                                    else_=Lead.status)),
                    execution_options=_NO_SYNC)
            for o in outcomes:
                activity.record(session, self._ctx.actor.id, o.action, "message", o.msg.id,
                                lead_id=o.msg.lead_id, summary=o.summary)

        self._write(work)

    # -- reading ---------------------------------------------------------------------------
    def next_due(self, exclude_integrations: Collection[uuid.UUID] = ()) -> dt.datetime | None:
        """When the earliest queued message (of the usable integrations) falls due."""
        stmt = select(func.count(), func.min(Message.next_attempt_at)).where(
            Message.state == MessageState.QUEUED)
        if exclude_integrations:
            stmt = stmt.where(_usable(exclude_integrations))
        with self._ctx.store.read() as session:
            count, earliest = session.execute(stmt).one()
        if count and earliest is None:  # queued by other code without a due time: due now
            return utcnow()
        return earliest

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
    """Count one send against ``cap``; ``False`` (nothing counted) when it is used up.

    The period's row is created with ``ON CONFLICT DO NOTHING``, so two processes starting the
    day at once do not collide; the conditional UPDATE then counts under the row lock.
    """
    period = cap.key(now)
    counted = update(SendCounter).where(
        SendCounter.scope == cap.scope, SendCounter.period == period,
        SendCounter.count < cap.limit,
    ).values(count=SendCounter.count + 1, updated_at=now)
    if session.execute(counted, execution_options=_NO_SYNC).rowcount:
        return True
    if cap.limit < 1:
        return False
    dialect = session.get_bind().dialect.name
    make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    created = session.execute(
        make_insert(SendCounter)
        .values(scope=cap.scope, period=period, count=1, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["scope", "period"])
    )
    if created.rowcount:
        return True
    # Another process created the row meanwhile (or it is full): count against it.
    return bool(session.execute(counted, execution_options=_NO_SYNC).rowcount)
