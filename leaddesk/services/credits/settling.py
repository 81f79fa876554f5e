"""Settling reservations: consume (the action succeeded) or release (it failed), each once.

Settling deletes the reservation's hold (whoever deletes it settles; a second attempt finds the
settlement by its key), moves the held credits out of ``reserved`` (back to the balance and off
the spend cap for a release) and writes the settlement line, copying the reservation's action,
reference and price version. One at a time, or a batch in the caller's commit (the outbox's
outcomes); and at start, the holds a crashed process left behind are released.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.services.credits import holders as credit_holders
from leaddesk.services.credits import postgres_calls
from leaddesk.services.credits.book import LedgerBook, tx_by_key
from leaddesk.services.credits.records import (
    SettleItem,
    TransactionRecord,
    record_from_row,
    settle_key,
)
from leaddesk.services.credits.statements import (
    HOLDS,
    INSERT_SETTLEMENT,
    INSERT_SETTLEMENTS,
    SETTLE,
    TAKE_HOLD,
    TAKE_HOLDS,
    TAKE_OWN_HOLD,
    TAKE_OWN_HOLDS,
)
from leaddesk.services.errors import NotFoundError, ReservationSettledError
from leaddesk.store.enums import MessageState, Role, TransactionKind
from leaddesk.store.ids import new_id
from leaddesk.store.models import Message

log = logging.getLogger("leaddesk.credits")

_MSG = Message.__table__

#: Messages in these states own their reservation: the outbox settles it (for ``unknown``, once
#: a person says whether it arrived), not crash recovery.
IN_FLIGHT_STATES = (MessageState.QUEUED, MessageState.SENDING, MessageState.UNKNOWN)
#: At start, a hold this old is stale even when its process cannot be proven dead (another
#: machine): no action holds credits this long (sends time out in minutes, and messages waiting
#: in the outbox are left to the outbox).
STALE_AFTER = dt.timedelta(hours=1)

#: Settles a batch inside the caller's write transaction (see :func:`batch_settler`).
BatchSettler = Callable[[Session, Sequence[SettleItem]], dict[uuid.UUID, str]]


def settle(
    book: LedgerBook,
    reservation_id: uuid.UUID,
    kind: TransactionKind,
    reason: str = "",
    any_account: bool = False,
) -> TransactionRecord:
    """Consume or release (``kind``) one reservation, once whatever the retries: a repeat gets
    the first settlement, or ReservationSettledError when that was of the other kind. A member
    settles their own reservations only, unless ``any_account`` (crash recovery)."""
    key = settle_key(reservation_id)
    if book.through_functions:  # leaddesk_settle: the caller's own holds (an admin's: any)
        settled = book.write(key, lambda session: record_from_row(postgres_calls.settle(
            session.connection(), reservation_id, kind.value, reason)), precheck=False)
        return _settled_as(settled, reservation_id, kind)
    own = None if any_account else _settler_account(book)

    def work(session: Session) -> TransactionRecord:
        conn = session.connection()
        if own is None:
            hold = conn.execute(TAKE_HOLD, {"rid": reservation_id}).first()
        else:
            hold = conn.execute(TAKE_OWN_HOLD, {"rid": reservation_id, "acc": own}).first()
        if hold is None:  # already settled (by us or a concurrent call), or unknown
            settled = tx_by_key(conn, key)
            if settled is not None:
                return settled
            raise NotFoundError("reservation", reservation_id)
        held = hold.amount
        release = kind is TransactionKind.RELEASE
        new_balance = conn.execute(
            SETTLE,
            {
                "acc": hold.account_id,
                "back": held if release else 0,
                "held": held,
                "hold_window": hold.cap_window,
                "cap_back": held if release else 0,  # the cap counts a release no more
                "now": book.now(),
            },
        ).scalar_one()
        meta: dict[str, Any] = {"cost": held}
        if reason:
            meta["reason"] = reason
        rec = book.new_line(
            hold.account_id,
            new_balance,
            kind,
            held if release else 0,
            reservation_id=reservation_id,
            idempotency_key=key,
            meta=meta,
        )
        # One statement copies action, reference and price version from the reservation.
        res = conn.execute(
            INSERT_SETTLEMENT,
            {
                "new_id": rec.id,
                "new_kind": kind,
                "new_amount": rec.amount,
                "new_balance": new_balance,
                "new_key": key,
                "new_meta": meta,
                "new_actor": rec.actor_id,
                "new_at": rec.created_at,
                "rid": reservation_id,
            },
        ).one()
        return dataclasses.replace(
            rec,
            action=res.action,
            reference_type=res.reference_type,
            reference_id=res.reference_id,
            price_version=res.price_version,
        )

    return _settled_as(book.write(key, work, precheck=False, hot=True), reservation_id, kind)


def _settled_as(
    result: TransactionRecord, reservation_id: uuid.UUID, kind: TransactionKind
) -> TransactionRecord:
    """``result``, unless it settled the reservation the other way: ReservationSettledError."""
    if result.kind != kind.value:
        raise ReservationSettledError(
            f"reservation {reservation_id} was already settled as {result.kind}"
        )
    return result


def batch_settler(book: LedgerBook) -> BatchSettler:
    """Consume or release many reservations inside the caller's write transaction (the
    outbox writes a batch's outcomes and their charges in one commit). Each settles once,
    as with :func:`settle`; returns ``{reservation: kind}`` of those settled now (one settled
    earlier is left as it is and not in the answer)."""
    own = _settler_account(book)
    return lambda session, items: _settle_many(book, session, own, items)


def _settle_many(
    book: LedgerBook, session: Session, own: uuid.UUID | None, items: Sequence[SettleItem]
) -> dict[uuid.UUID, str]:
    """One ``SETTLE`` per account and cap window, one settlement line per hold taken."""
    if not items:
        return {}
    conn = session.connection()
    now = book.now()
    wanted = {item.reservation_id: item for item in items}
    if book.through_functions:  # leaddesk_settle_many: the caller's own holds
        done = postgres_calls.settle_many(conn, [
            {"reservation_id": str(item.reservation_id), "kind": item.kind.value,
             "reason": item.reason} for item in items])
        _log_already_settled(set(wanted) - set(done))
        return done
    stmt = TAKE_HOLDS if own is None else TAKE_OWN_HOLDS
    holds = conn.execute(stmt, {"rids": list(wanted), "acc": own}).all()
    groups: dict[tuple[uuid.UUID, int | None], list[Any]] = {}
    for hold in holds:
        groups.setdefault((hold.account_id, hold.cap_window), []).append(hold)
    lines, done = [], {}
    for (acc_id, window), group in groups.items():
        back = sum(h.amount for h in group
                   if wanted[h.reservation_id].kind is TransactionKind.RELEASE)
        held = sum(h.amount for h in group)
        balance = conn.execute(SETTLE, {
            "acc": acc_id, "back": back, "held": held, "hold_window": window,
            "cap_back": back, "now": now}).scalar_one()
        balance -= back  # the balance before, then each line's balance after it
        for hold in group:
            item = wanted[hold.reservation_id]
            release = item.kind is TransactionKind.RELEASE
            balance += hold.amount if release else 0
            meta: dict[str, Any] = {"cost": hold.amount}
            if item.reason:
                meta["reason"] = item.reason[:200]
            lines.append({
                "new_id": new_id(), "new_kind": item.kind,
                "new_amount": hold.amount if release else 0, "new_balance": balance,
                "new_key": settle_key(hold.reservation_id), "new_meta": meta,
                "new_actor": book.actor.id, "new_at": now,
                "rid": hold.reservation_id,
            })
            done[hold.reservation_id] = item.kind.value
    if lines:
        conn.execute(INSERT_SETTLEMENTS, lines)
    _log_already_settled(set(wanted) - set(done))
    return done


def _log_already_settled(missing: set[uuid.UUID]) -> None:
    if missing:
        log.warning("%d reservation(s) were already settled: %s", len(missing),
                    ", ".join(sorted(map(str, missing))[:5]))


def _settler_account(book: LedgerBook) -> uuid.UUID | None:
    """The one account the actor may settle on: their own; None for an admin (any account)."""
    return book.account_id() if book.actor.role is not Role.ADMIN else None


def release_stale(book: LedgerBook, older_than: dt.timedelta) -> list[TransactionRecord]:
    """Release the reservations left by a crash, on every account.

    A hold is stale when no message in flight (queued, sending or unknown: the outbox
    settles those) refers to it, and either the process that took it is certainly dead (it
    ran on this machine, which rebooted since or has no such process now) or it is older than
    ``older_than``. Live processes elsewhere keep theirs until the age rule.
    """
    cutoff = book.now() - older_than
    in_flight = select(_MSG.c.reservation_id).where(
        _MSG.c.reservation_id.is_not(None), _MSG.c.state.in_(IN_FLIGHT_STATES)
    )
    stmt = select(HOLDS.c.reservation_id, HOLDS.c.holder, HOLDS.c.created_at).where(
        HOLDS.c.reservation_id.not_in(in_flight)
    )
    with book.store.read() as session:
        holds = session.execute(stmt).all()
    released = []
    for hold in holds:
        dead = credit_holders.is_certainly_dead(hold.holder)
        if not dead and hold.created_at >= cutoff:
            continue
        reason = "its process ended without settling it" if dead else "stale"
        try:
            released.append(
                settle(book, hold.reservation_id, TransactionKind.RELEASE, reason, any_account=True)
            )
        except (ReservationSettledError, NotFoundError):
            continue  # settled meanwhile by its owner
    if released:
        log.warning("released %d reservation(s) left unsettled by a crash", len(released))
    return released
