"""The claim transaction: which due queued messages a worker takes (its share, oldest due
first, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), the daily and hourly caps counted for them,
and, in the same transaction, do-not-contact and the credits of each message that may go out."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from leaddesk.sending.claims import Cap, Claimed
from leaddesk.services.credits.records import BatchReserved, ReserveItem
from leaddesk.services.demo_rows import is_real_key
from leaddesk.services.messaging import suppression
from leaddesk.store import postgres_security
from leaddesk.store.enums import Handoff, MessageState
from leaddesk.store.models import CreditTransaction, Message, SendCounter

Reserver = Callable[[Session, Sequence[ReserveItem]], list[BatchReserved]]

_NO_SYNC = {"synchronize_session": False}
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
               or_(t.next_attempt_at.is_(None), t.next_attempt_at <= now),
               is_real_key(t.id))  # the demo's "queued" messages are never sent
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
_COUNTERS = SendCounter.__table__
_COUNT_N = _COUNTERS.update().where(
    _COUNTERS.c.scope == bindparam("c_scope"), _COUNTERS.c.period == bindparam("c_period"),
    _COUNTERS.c.count + bindparam("n", type_=Integer) <= bindparam("limit", type_=Integer),
).values(count=_COUNTERS.c.count + bindparam("n", type_=Integer), updated_at=bindparam("c_now"))
_UNCOUNT_N = _COUNTERS.update().where(
    _COUNTERS.c.scope == bindparam("c_scope"), _COUNTERS.c.period == bindparam("c_period"),
).values(count=_COUNTERS.c.count - bindparam("n", type_=Integer))


def claim_due(
    session: Session,
    worker: str,
    now: dt.datetime,
    limit: int,
    *,
    exclude_integrations: Collection[uuid.UUID],
    caps_for: Callable[[uuid.UUID | None, str], Sequence[Cap]] | None,
    reserve: Reserver | None,
    share: int,
    capped: dict[uuid.UUID | None, dt.datetime],
) -> list[Claimed]:
    """Claim for ``worker`` in ``session``'s transaction (see :meth:`Outbox.claim`); the
    integrations that reached a cap go into ``capped``, emptied first (a retried transaction
    starts over)."""
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
        _CLAIM, {"ids": chosen, "c_worker": worker, "c_now": now}).all()
    claimed = [Claimed(row.id, str(getattr(row.channel, "value", row.channel)),
                       *row[2:]) for row in rows]
    if reserve is None or not claimed:
        return claimed
    return _reserve_claimed(session, claimed, reserve)


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


def _count_all(session: Session, caps: Sequence[Cap], now: dt.datetime, n: int) -> bool:
    """Count ``n`` sends against every cap at once, or nothing (``False``) when one of them
    has less room: the caller then counts one by one. The period's row must exist already
    (a new period starts one by one)."""
    conn = session.connection()
    if postgres_security.member_login(conn):
        return _count_through_function(conn, caps, now, n)
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
    if postgres_security.member_login(session.connection()):
        return _count_through_function(session.connection(), [cap], now, 1)
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


_COUNT_SENDS = text("SELECT public.leaddesk_count_sends(:caps, :n)").bindparams(
    bindparam("caps", type_=postgresql.JSONB))


def _count_through_function(conn: Connection, caps: Sequence[Cap], now: dt.datetime,
                            n: int) -> bool:
    """On a team database: ``n`` sends against every cap at once, or none (the database's
    ``leaddesk_count_sends``, which a member's role needs: it holds no write on the counters)."""
    if not caps:
        return True
    wanted = [{"scope": cap.scope, "period": cap.key(now), "limit": cap.limit} for cap in caps]
    return bool(conn.execute(_COUNT_SENDS, {"caps": wanted, "n": n}).scalar())
