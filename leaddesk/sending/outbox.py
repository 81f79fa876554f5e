"""The outbox's state changes, each one short write transaction, safe across threads and processes.

A message moves ``queued -> sending`` only through :meth:`Outbox.claim_next`: a conditional
``UPDATE ... WHERE state = 'queued'`` inside a write transaction (SQLite: ``BEGIN IMMEDIATE``, so
one writer at a time; PostgreSQL: the candidate row is taken with ``FOR UPDATE SKIP LOCKED``, so
several desktops and ``leaddesk send`` workers share one team outbox without waiting on each
other or taking the same row). Daily and hourly caps are counted in the same transaction.

Each message of a claimed batch is then handed to its provider under a durable marker
(:meth:`Outbox.hand_over`, committed just before the provider call): ``handoff`` says whether
this attempt is not yet handed over, being handed over, accepted or refused, so that recovery
after a crash re-queues what never went out and leaves in doubt only the message in flight.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Integer, bindparam, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from leaddesk.services.context import ServiceContext
from leaddesk.services.credits import group_commit
from leaddesk.services.credits.records import BatchReserved, ReserveItem, SettleItem
from leaddesk.services.messaging import suppression
from leaddesk.store.enums import Channel, Handoff, LeadStatus, MessageState, TransactionKind
from leaddesk.store.ids import new_id
from leaddesk.store.models import Activity, CreditTransaction, Lead, Message, SendCounter
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
    #: A WhatsApp content template (``HX...``, "" for none) and its rendered variables.
    content_sid: str = ""
    content_variables: dict[str, str] | None = None
    #: Reserved in the claim's transaction (``None``: free, refused, or blocked).
    reservation_id: uuid.UUID | None = None
    #: Why the credits were refused (the message is held, not sent).
    refused: str = ""
    #: Why it must not go out (do-not-contact), checked in the claim's transaction.
    blocked: str = ""

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

    @property
    def settlement(self) -> SettleItem | None:
        """What the outcome does with the claim's reservation: a sent message consumes it, an
        unknown one keeps it held (a person or the provider decides), a lost one is no longer
        ours to settle, any other releases it."""
        rid = self.msg.reservation_id
        if rid is None or self.action in ("unknown", "lost"):
            return None
        if self.action == "send":
            return SettleItem(rid, TransactionKind.CONSUMPTION)
        return SettleItem(rid, TransactionKind.RELEASE, self.summary[:200])


@dataclass(frozen=True, slots=True)
class HandoffNote:
    """How one handoff ended (written with the next :meth:`Outbox.hand_over`): ``ACCEPTED``
    with the provider's id, or ``REFUSED`` (nothing went out). An ambiguous end stays
    ``HANDING``: no note."""

    message_id: uuid.UUID
    handoff: Handoff
    provider_id: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimBatch:
    messages: list[Claimed]
    #: Integrations (``None``: messages without one) that reached a cap, and until when.
    capped: dict[uuid.UUID | None, dt.datetime]


_COLUMNS = (Message.id, Message.channel, Message.lead_id, Message.integration_id,
            Message.to_address, Message.subject, Message.body, Message.attempts, Message.cost,
            Message.content_sid, Message.content_variables)
_TABLE = Message.__table__
_CLAIM = (
    _TABLE.update()
    .where(_TABLE.c.id.in_(bindparam("ids", expanding=True)),
           _TABLE.c.state == MessageState.QUEUED.value)
    .values(state=MessageState.SENDING.value, attempts=_TABLE.c.attempts + 1,
            claimed_by=bindparam("c_worker"), claimed_at=bindparam("c_now"),
            updated_at=bindparam("c_now"), handoff=Handoff.NOT_HANDED.value, handed_at=None,
            provider_id="")
    .returning(*(_TABLE.c[c.key] for c in _COLUMNS))
)


def _claimable(exclude: bool, postgres: bool) -> Any:
    """Due queued messages, oldest due first (built once per variant: binds only per call).

    A Core select on the table, run through the session: the user's scope still applies
    (``store.scoping`` scopes Core statements too) without the ORM's per-call compile work;
    soft-deleted rows are left out here, as the ORM would."""
    t = _TABLE.c
    now = bindparam("c_now", type_=t.next_attempt_at.type)
    stmt = (
        select(t.id, t.integration_id, t.channel)
        .where(t.state == MessageState.QUEUED.value, t.deleted_at.is_(None),
               or_(t.next_attempt_at.is_(None), t.next_attempt_at <= now))
        .order_by(t.next_attempt_at)
        .limit(bindparam("c_limit", type_=Integer))
    )
    if exclude:
        stmt = stmt.where(or_(t.integration_id.is_(None), t.integration_id.not_in(
            bindparam("c_exclude", expanding=True))))
    return stmt.with_for_update(skip_locked=True) if postgres else stmt


def _due_count(exclude: bool) -> Any:
    """How many claimable rows are due, up to ``c_limit``: counted in the database, so that a
    worker taking its share reads only the rows it takes. (It only sizes the share: a row
    counted here and taken meanwhile by another worker is simply not claimed.)"""
    due = _claimable(exclude, postgres=False).with_only_columns(_TABLE.c.id).subquery()
    return select(func.count()).select_from(due)


_CLAIMABLE = {(e, p): _claimable(e, p) for e in (False, True) for p in (False, True)}
_DUE_COUNT = {e: _due_count(e) for e in (False, True)}
_TX = CreditTransaction.__table__
_USED_KEYS = select(_TX.c.idempotency_key).where(
    _TX.c.idempotency_key.in_(bindparam("keys", expanding=True)))
_SET_RESERVATION = (_TABLE.update()
                    .where(_TABLE.c.id == bindparam("m_id"))
                    .values(reservation_id=bindparam("m_rid")))
# The handoff marker (see ``Outbox.hand_over``): Core for PostgreSQL, plain SQL for SQLite.
_OURS = (_TABLE.c.id == bindparam("h_id"), _TABLE.c.state == MessageState.SENDING.value,
         _TABLE.c.claimed_by == bindparam("h_worker"))
_MARK = _TABLE.update().where(*_OURS).values(handoff=Handoff.HANDING.value,
                                             handed_at=bindparam("h_at"))
_NOTE = _TABLE.update().where(*_OURS).values(
    handoff=bindparam("h_handoff"),
    provider_id=func.coalesce(bindparam("h_pid", type_=_TABLE.c.provider_id.type),
                              _TABLE.c.provider_id))
_MARK_SQL = ("UPDATE messages SET handoff = 'handing', handed_at = ? "
             "WHERE id = ? AND state = 'sending' AND claimed_by = ?")
_NOTE_SQL = ("UPDATE messages SET handoff = ?, provider_id = coalesce(?, provider_id) "
             "WHERE id = ? AND state = 'sending' AND claimed_by = ?")
# The usual case, one note and one mark, in one statement: one call into SQLite, one commit.
_NOTE_AND_MARK_SQL = (
    "UPDATE messages SET "
    "handoff = CASE WHEN id = :mark THEN 'handing' ELSE :handoff END, "
    "handed_at = CASE WHEN id = :mark THEN :at ELSE handed_at END, "
    "provider_id = CASE WHEN id = :mark THEN provider_id "
    "ELSE coalesce(:pid, provider_id) END "
    "WHERE id IN (:mark, :note) AND state = 'sending' AND claimed_by = :worker "
    "RETURNING id")
Reserver = Callable[[Session, Sequence[ReserveItem]], list[BatchReserved]]
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
            return bool(self._combiner.run_raw(store, self._sqlite_hand_over(msg, notes, now)))

        def work(session: Session) -> bool:
            conn = session.connection()
            if notes:
                conn.execute(_NOTE, [{"h_id": n.message_id, "h_worker": self.worker,
                                      "h_handoff": n.handoff.value, "h_pid": n.provider_id}
                                     for n in notes])
            marked = conn.execute(_MARK, {"h_id": msg.id, "h_worker": self.worker, "h_at": now})
            return marked.rowcount == 1

        return bool(self._write(work))

    def _sqlite_hand_over(self, msg: Claimed, notes: Sequence[HandoffNote],
                          now: dt.datetime) -> Callable[[Any], bool]:
        uid, at = _sqlite_binds()
        worker = self.worker
        note_rows = [(n.handoff.value, None if n.provider_id is None else n.provider_id[:200],
                      uid(n.message_id), worker) for n in notes]
        mark_row = (at(now), uid(msg.id), worker)
        if len(note_rows) == 1:
            handoff, pid, note, _ = note_rows[0]
            both = {"mark": mark_row[1], "note": note, "handoff": handoff, "pid": pid,
                    "at": mark_row[0], "worker": worker}

            def both_work(conn: Any) -> bool:
                return any(row[0] == both["mark"]
                           for row in conn.execute(_NOTE_AND_MARK_SQL, both).fetchall())

            return both_work

        def work(conn: Any) -> bool:
            if note_rows:
                conn.executemany(_NOTE_SQL, note_rows)
            return conn.execute(_MARK_SQL, mark_row).rowcount == 1

        return work

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

        def work(session: Session) -> list[Any]:
            capped.clear()  # a retried batch starts over
            postgres = session.bind is not None and session.bind.dialect.name == "postgresql"
            stmt = _CLAIMABLE[(bool(exclude_integrations), postgres)]
            params: dict[str, Any] = {"c_now": now, "c_limit": limit * max(1, share)}
            if exclude_integrations:
                params["c_exclude"] = list(exclude_integrations)
            if share > 1:  # this worker's share of what is due
                waiting = session.execute(_DUE_COUNT[bool(exclude_integrations)], params).scalar()
                params["c_limit"] = max(1, min(limit, -(-int(waiting or 0) // share)))
            chosen = []
            sources: dict[tuple[uuid.UUID | None, str], list[uuid.UUID]] = {}
            due = session.execute(stmt, params).all()
            for message_id, integration_id, channel in due:
                sources.setdefault((integration_id, channel.value), []).append(message_id)
            for (integration_id, channel), ids in sources.items():
                caps = caps_for(integration_id, channel) if caps_for else ()
                if integration_id in capped:
                    continue
                if _count_all(session, caps, now, len(ids)):  # the usual case: room for all
                    chosen.extend(ids)
                    continue
                for message_id in ids:  # near a cap: one at a time
                    for cap in caps:
                        if not _count(session, cap, now):
                            capped[integration_id] = cap.resets_at(now)
                            break
                    else:
                        chosen.append(message_id)
                    if integration_id in capped:
                        break
            if not chosen:
                return []
            # Core on the ids the scoped query chose
            rows = session.connection().execute(
                _CLAIM, {"ids": chosen, "c_worker": self.worker, "c_now": now}).all()
            claimed = [Claimed(row.id, str(getattr(row.channel, "value", row.channel)),
                               *row[2:]) for row in rows]
            if reserve is None or not claimed:
                return claimed
            return _reserve_claimed(session, claimed, reserve)

        return ClaimBatch(self._write(work), capped)

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


def _reserve_claimed(session: Session, claimed: list[Claimed], reserve: Reserver) -> list[Claimed]:
    """Do-not-contact and the credits of a claimed batch, in the claim's transaction."""
    blocked = suppression.blocked_reasons(session, [m.lead_id for m in claimed], scoped=False)
    # LinkedIn is a manual task, charged when a person marks it sent.
    paying = [m for m in claimed
              if m.cost > 0 and m.lead_id not in blocked and m.channel != "linkedin"]
    out = {m.id: replace(m, blocked=blocked.get(m.lead_id, "")) for m in claimed}
    if paying:
        conn = session.connection()
        # A requeued attempt (paused, stopped) was released under its key: name the new one.
        used = set(conn.execute(_USED_KEYS, {"keys": [m.idempotency_key for m in paying]})
                   .scalars())
        items = [ReserveItem(m.cost, m.channel, "message", str(m.id),
                             m.idempotency_key if m.idempotency_key not in used
                             else f"{m.idempotency_key}:{uuid.uuid4().hex[:8]}")
                 for m in paying]
        results = reserve(session, items)
        for m, result in zip(paying, results, strict=True):
            if result.reservation_id is not None:
                out[m.id] = replace(out[m.id], reservation_id=result.reservation_id)
            else:
                out[m.id] = replace(out[m.id], refused=str(result.refused))
        recorded = [{"m_id": m.id, "m_rid": r.reservation_id}
                    for m, r in zip(paying, results, strict=True) if r.reservation_id]
        if recorded:
            conn.execute(_SET_RESERVATION, recorded)
    return [out[m.id] for m in claimed]


_SQLITE_BINDS: tuple[Callable[[Any], Any], Callable[[Any], Any]] | None = None


def _sqlite_binds() -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """How SQLite stores a message id and a timestamp (the columns' own bind processors)."""
    global _SQLITE_BINDS
    if _SQLITE_BINDS is None:
        dialect = sqlite.dialect()

        def processor(column: Any) -> Callable[[Any], Any]:
            process = column.type.bind_processor(dialect)
            return process if process is not None else (lambda value: value)

        _SQLITE_BINDS = (processor(_TABLE.c.id), processor(_TABLE.c.handed_at))
    return _SQLITE_BINDS


def _usable(exclude: Collection[uuid.UUID]) -> ColumnElement[bool]:
    return or_(Message.integration_id.is_(None), Message.integration_id.not_in(list(exclude)))


_COUNTERS = SendCounter.__table__
_COUNT_N = _COUNTERS.update().where(
    _COUNTERS.c.scope == bindparam("c_scope"), _COUNTERS.c.period == bindparam("c_period"),
    _COUNTERS.c.count + bindparam("n", type_=Integer) <= bindparam("limit", type_=Integer),
).values(count=_COUNTERS.c.count + bindparam("n", type_=Integer), updated_at=bindparam("c_now"))
_UNCOUNT_N = _COUNTERS.update().where(
    _COUNTERS.c.scope == bindparam("c_scope"), _COUNTERS.c.period == bindparam("c_period"),
).values(count=_COUNTERS.c.count - bindparam("n", type_=Integer))
_LEADS = Lead.__table__
_CONTACTED = _LEADS.update().where(_LEADS.c.id.in_(bindparam("ids", expanding=True))).values(
    last_contacted_at=bindparam("now"),
    status=case((_LEADS.c.status == LeadStatus.NEW, LeadStatus.CONTACTED.value),
                else_=_LEADS.c.status))
_INSERT_ACTIVITY = Activity.__table__.insert()


def _count_all(session: Session, caps: Sequence[Cap], now: dt.datetime, n: int) -> bool:
    """Count ``n`` sends against every cap at once, or nothing (``False``) when one of them
    has less room: the caller then counts one by one. The period's row must exist already
    (a new period starts one by one)."""
    conn = session.connection()
    done: list[Cap] = []
    for cap in caps:
        params = {"c_scope": cap.scope, "c_period": cap.key(now), "n": n, "limit": cap.limit,
                  "c_now": now}
        if not conn.execute(_COUNT_N, params).rowcount:
            for counted in done:
                conn.execute(_UNCOUNT_N, {"c_scope": counted.scope,
                                          "c_period": counted.key(now), "n": n})
            return False
        done.append(cap)
    return True


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
