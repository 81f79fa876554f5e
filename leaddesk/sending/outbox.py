"""The outbox's state changes, each one short write transaction, safe across threads and processes.

A message moves ``queued -> sending`` only through :meth:`Outbox.claim`: a conditional
``UPDATE ... WHERE state = 'queued'`` inside a write transaction (SQLite: ``BEGIN IMMEDIATE``, so
one writer at a time; PostgreSQL: the candidate row is taken with ``FOR UPDATE SKIP LOCKED``, so
several desktops and ``leaddesk send`` workers share one team outbox without waiting on each
other or taking the same row). Daily and hourly caps are counted in the same transaction.

Each message of a claimed batch is then handed to its provider under a durable marker
(:meth:`Outbox.hand_over`, committed just before the provider call): ``handoff`` says whether
this attempt is not yet handed over, being handed over, accepted or refused, so that recovery
after a crash re-queues what never went out and leaves in doubt only the message in flight.

The claim transaction is in ``claiming``, the handoff marker's writes in ``handoff``, and what
they hand out and take back (claims, caps, outcomes) in ``claims``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from leaddesk.sending.claiming import Reserver, claim_due
from leaddesk.sending.claims import Cap, ClaimBatch, Claimed, HandoffNote, Outcome, worker_identity
from leaddesk.sending.handoff import session_hand_over, sqlite_hand_over
from leaddesk.services.context import ServiceContext
from leaddesk.services.credits import group_commit
from leaddesk.services.credits.records import SettleItem
from leaddesk.services.messaging import suppression
from leaddesk.store.enums import Channel, LeadStatus, MessageState
from leaddesk.store.ids import new_id
from leaddesk.store.models import Activity, Lead, Message
from leaddesk.store.types import utcnow

_TABLE = Message.__table__
_LEADS = Lead.__table__
_CONTACTED = _LEADS.update().where(_LEADS.c.id.in_(bindparam("ids", expanding=True))).values(
    last_contacted_at=bindparam("now"),
    status=case((_LEADS.c.status == LeadStatus.NEW, LeadStatus.CONTACTED.value),
                else_=_LEADS.c.status))
_INSERT_ACTIVITY = Activity.__table__.insert()
Settler = Callable[[Session, Sequence[SettleItem]], Any]


class Outbox:
    def __init__(self, ctx: ServiceContext, worker: str | None = None) -> None:
        self._ctx = ctx
        self.worker = worker or worker_identity()
        # Writes from many worker threads share transactions (and the credit service's).
        self._combiner = group_commit.for_store(ctx.store)

    def _write(self, work: Callable[[Session], Any]) -> Any:
        return self._combiner.run(self._ctx.store, work)

    # -- the handoff marker ------------------------------------------------------------------
    def hand_over(self, msg: Claimed, notes: Sequence[HandoffNote] = ()) -> bool:
        """Commit, just before ``msg`` goes to its provider, that it is being handed over, with
        how this worker's previous handoffs ended (``notes``). ``False``: the row is no longer
        this worker's (recovered meanwhile as a crashed claim): do not send it.

        One tiny write per message; on SQLite a raw group-commit operation (no Session), so it
        costs a few tens of microseconds and shares its commit with the other workers'."""
        store = self._ctx.store
        now = utcnow()
        if store.dialect == "sqlite":
            work = sqlite_hand_over(self.worker, msg, notes, now)
            return bool(self._combiner.run_raw(store, work, ("messages",)))
        return bool(self._write(session_hand_over(self.worker, msg, notes, now)))

    # -- claiming --------------------------------------------------------------------------
    def claim(
        self,
        now: dt.datetime,
        limit: int = 1,
        *,
        exclude_integrations: Collection[uuid.UUID] = (),
        caps_for: Callable[[uuid.UUID | None, str], Sequence[Cap]] | None = None,
        reserve: Reserver | None = None,
        share: int = 1,
    ) -> ClaimBatch:
        """Take up to ``limit`` due queued messages in one transaction. A message whose
        integration has used up a cap is left queued and the cap reported. With ``share``
        (the number of workers), take no more than a ``1/share`` share of what is due (up to
        ``limit * share`` looked at), so that when little is due every worker gets some.

        With ``reserve`` (:meth:`CreditService.batch_reserver`) the same transaction checks
        do-not-contact and reserves the credits of each message that may go out, recording the
        reservation on its row (key ``send:<id>:<attempt>``): a message is never in
        ``sending`` with credits held that its row does not name, whenever a crash comes."""
        capped: dict[uuid.UUID | None, dt.datetime] = {}
        claimed = self._write(lambda session: claim_due(
            session, self.worker, now, limit, exclude_integrations=exclude_integrations,
            caps_for=caps_for, reserve=reserve, share=share, capped=capped))
        return ClaimBatch(claimed, capped)

    def blocked(self, messages: Sequence[Claimed]) -> dict[uuid.UUID, str]:
        """Why some of ``messages`` must not go out (do-not-contact), by message id."""
        if not messages:
            return {}
        with self._ctx.store.read() as session:
            reasons = suppression.blocked_reasons(session, [m.lead_id for m in messages])
        return {m.id: reasons[m.lead_id] for m in messages if m.lead_id in reasons}

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
    def lost(msg: Claimed) -> Outcome:
        """The row stopped being ours before it was handed over (recovered as a crashed claim
        by another dispatcher): nothing is written and its reservation is not ours to settle."""
        return Outcome(msg, "lost", {}, "no longer claimed by this worker")

    @staticmethod
    def unknown(msg: Claimed, error: str, reservation_id: uuid.UUID | None,
                provider_id: str = "") -> Outcome:
        """The provider may have it: never sent again without a person's (or provider's) word."""
        values: dict[str, object] = {"state": MessageState.UNKNOWN, "error": error[:2000],
                                     "provider_id": provider_id[:200]}
        if reservation_id is not None:  # else keep the one recorded before sending
            values["reservation_id"] = reservation_id
        return Outcome(msg, "unknown", values, f"unknown — check: {error}"[:500])

    def finish(self, outcomes: Sequence[Outcome], settle: Settler | None = None) -> None:
        """Write a batch of outcomes in one transaction (one UPDATE per kind of outcome), with
        their charges: ``settle`` (:meth:`CreditService.batch_settler`) consumes or releases
        each outcome's reservation in the same commit."""
        outcomes = [o for o in outcomes if o.action != "lost"]
        if not outcomes:
            return
        now = utcnow()
        groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
        for o in outcomes:
            values = {**o.values, "updated_at": now}
            row = {"m_id": o.msg.id} | {f"v_{k}": v for k, v in values.items()}
            groups.setdefault(tuple(sorted(values)), []).append(row)
        settling = [item for o in outcomes if (item := o.settlement) is not None]

        def work(session: Session) -> None:
            conn = session.connection()
            if settling:
                if settle is None:
                    raise ValueError("outcomes with reservations need a settler")
                settle(session, settling)
            for keys, rows in groups.items():
                stmt = (
                    _TABLE.update()
                    .where(_TABLE.c.id == bindparam("m_id"),
                           _TABLE.c.state == MessageState.SENDING.value)
                    .values({k: bindparam(f"v_{k}") for k in keys})
                )
                conn.execute(stmt, rows)
            # Core on the rows this worker claimed (the claim's query was scoped)
            contacted = [o.msg.lead_id for o in outcomes if o.contacted]
            if contacted:
                conn.execute(_CONTACTED, {"ids": contacted, "now": now})
            conn.execute(_INSERT_ACTIVITY, [
                {"id": new_id(), "actor_id": self._ctx.actor.id, "action": o.action,
                 "entity_type": "message", "entity_id": str(o.msg.id), "lead_id": o.msg.lead_id,
                 "summary": o.summary[:500], "changes": {}, "created_at": now}
                for o in outcomes])

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

    def due_count(self, now: dt.datetime | None = None, channel: str | None = None) -> int:
        """How many queued messages (of ``channel``, or all) are due now (scheduled ones whose
        time came included)."""
        now = now or utcnow()
        stmt = select(func.count()).where(
            Message.state == MessageState.QUEUED,
            or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now))
        if channel is not None:
            stmt = stmt.where(Message.channel == Channel(channel))
        with self._ctx.store.read() as session:
            return int(session.scalar(stmt) or 0)

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
