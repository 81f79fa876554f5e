"""Reserving credits before an action runs: one reservation, or a batch in the caller's commit.

A reservation takes its cost off the balance by the one guarded UPDATE (``statements.RESERVE``:
never below zero unless the account is unlimited, never past the member's spend cap), writes
its ledger line (a negative amount) and a hold naming the process that took it, all in one
transaction. Settling (``settling``) turns the hold into spend or gives it back.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.services.credits import caps as credit_caps
from leaddesk.services.credits import holders as credit_holders
from leaddesk.services.credits import postgres_calls
from leaddesk.services.credits.book import LedgerBook, require_positive
from leaddesk.services.credits.records import (
    RESERVED_KEY_PREFIXES,
    BatchReserved,
    ReserveItem,
    TransactionRecord,
    record_from_row,
)
from leaddesk.services.credits.statements import (
    ACCOUNTS,
    INSERT_HOLD,
    INSERT_TRANSACTION,
    RESERVE,
)
from leaddesk.services.errors import (
    InsufficientCreditsError,
    SpendCapExceededError,
    ValidationError,
)
from leaddesk.store.enums import TransactionKind
from leaddesk.store.ids import new_id
from leaddesk.store.models.credit import CapPeriod

#: The longest text each column of a reservation takes.
_LIMITS = {"action": 50, "reference_type": 50, "reference_id": 64}

#: Reserves a batch inside the caller's write transaction (see :func:`batch_reserver`).
BatchReserver = Callable[[Session, Sequence[ReserveItem]], list[BatchReserved]]


def reserve(
    book: LedgerBook, item: ReserveItem, price_version: int | None = None
) -> TransactionRecord:
    """Hold ``item.cost`` credits for an action, or raise InsufficientCreditsError (or its
    SpendCapExceededError) before anything runs. Priced at the current list's version unless
    ``price_version`` says which; a reused idempotency key returns its first reservation."""
    _check_item(item)
    for field, value in (
        ("action", item.action),
        ("reference_type", item.reference_type),
        ("reference_id", item.reference_id),
    ):
        if len(value) > _LIMITS[field]:
            raise ValidationError(field, f"is longer than {_LIMITS[field]} characters")
    acc_id = book.account_id()
    version = book.prices.get().version if price_version is None else price_version
    if book.through_functions:
        return _reserve_through_function(book, acc_id, item, version)

    def work(session: Session) -> TransactionRecord:
        now = book.now()
        conn = session.connection()
        row = conn.execute(RESERVE, {**_reserve_params(acc_id, now), "cost": item.cost}).first()
        if row is None:
            raise _refusal(session, acc_id, item.cost, now)
        tx = book.append_line(
            conn,
            acc_id,
            row.balance,
            TransactionKind.RESERVATION,
            -item.cost,
            action=item.action,
            reference_type=item.reference_type,
            reference_id=item.reference_id,
            idempotency_key=item.idempotency_key,
            price_version=version,
            created_at=now,
        )
        conn.execute(
            INSERT_HOLD,
            {
                "reservation_id": tx.id,
                "account_id": acc_id,
                "amount": item.cost,
                "cap_window": row.cap_window,
                "holder": credit_holders.this_process(),
                "created_at": now,
            },
        )
        return tx

    return book.write(item.idempotency_key, work, hot=True)


def _reserve_through_function(
    book: LedgerBook, acc_id: uuid.UUID, item: ReserveItem, version: int | None
) -> TransactionRecord:
    """:func:`reserve` by ``leaddesk_reserve`` (``postgres_ledger``: the same rules in SQL)."""
    holder = credit_holders.this_process()

    def work(session: Session) -> TransactionRecord:
        return record_from_row(postgres_calls.reserve(
            session.connection(), item.cost, item.action, item.reference_type,
            item.reference_id, item.idempotency_key, version, holder))

    try:
        return book.write(item.idempotency_key, work, precheck=False)
    except postgres_calls.Refused:
        with book.store.read() as session:
            raise _refusal(session, acc_id, item.cost, book.now()) from None


def batch_reserver(book: LedgerBook) -> BatchReserver:
    """Reserve for many actions inside the caller's write transaction (the outbox claims a
    batch and reserves for it in one commit). The account and price version are read now,
    outside that transaction. See :func:`_reserve_many`."""
    acc_id = book.account_id()
    version = book.prices.get().version
    return lambda session, items: _reserve_many(book, session, acc_id, version, items)


def _reserve_many(
    book: LedgerBook,
    session: Session,
    acc_id: uuid.UUID,
    version: int,
    items: Sequence[ReserveItem],
) -> list[BatchReserved]:
    """One guarded UPDATE for the sum of the costs (balance and spend cap, as in
    :func:`reserve`) and one ledger line and hold per item. When the sum is refused, each
    item is tried alone (still guarded): a refused item gets its error, nothing written for
    it. Raises nothing before or after writing, so it is safe in a shared group commit.
    Each item's idempotency key must be unused (the caller's keys name an attempt)."""
    for item in items:
        _check_item(item)
    if not items:
        return []
    conn = session.connection()
    now = book.now()
    if book.through_functions:  # leaddesk_reserve_many: item by item, each guarded
        granted_ids = postgres_calls.reserve_many(conn, [
            {"cost": item.cost, "action": item.action, "reference_type": item.reference_type,
             "reference_id": item.reference_id, "key": item.idempotency_key}
            for item in items], version, credit_holders.this_process())
        return [BatchReserved(item, rid, None if rid else _refusal(session, acc_id, item.cost,
                                                                   now))
                for item, (rid, _balance) in zip(items, granted_ids, strict=True)]
    params = _reserve_params(acc_id, now)
    total = sum(item.cost for item in items)
    row = conn.execute(RESERVE, {**params, "cost": total}).first()
    granted: list[tuple[ReserveItem, int, int]] = []  # item, balance after, cap window
    refused: dict[int, InsufficientCreditsError] = {}
    if row is not None:
        balance = row.balance + total
        for item in items:
            balance -= item.cost
            granted.append((item, balance, row.cap_window))
    else:
        for i, item in enumerate(items):
            alone = conn.execute(RESERVE, {**params, "cost": item.cost}).first()
            if alone is None:
                refused[i] = _refusal(session, acc_id, item.cost, now)
            else:
                granted.append((item, alone.balance, alone.cap_window))
    actor, holder = book.actor.id, credit_holders.this_process()
    lines, holds, ids = [], [], {}
    for item, balance_after, window in granted:
        tx_id = new_id()
        ids[id(item)] = tx_id
        lines.append({
            "id": tx_id, "kind": TransactionKind.RESERVATION.value, "amount": -item.cost,
            "balance_after": balance_after, "action": item.action,
            "reference_type": item.reference_type, "reference_id": item.reference_id,
            "reservation_id": None, "idempotency_key": item.idempotency_key,
            "actor_id": actor, "created_at": now, "metadata": {},
            "account_id": acc_id, "price_version": version,
        })
        holds.append({"reservation_id": tx_id, "account_id": acc_id, "amount": item.cost,
                      "cap_window": window, "holder": holder, "created_at": now})
    if lines:
        conn.execute(INSERT_TRANSACTION, lines)
        conn.execute(INSERT_HOLD, holds)
    return [BatchReserved(item, ids.get(id(item)), refused.get(i))
            for i, item in enumerate(items)]


def _check_item(item: ReserveItem) -> None:
    """A positive cost, and no key the ledger keeps for itself (taken first, it would block
    the settlement, refund or code it names)."""
    require_positive(item.cost, "cost")
    if item.idempotency_key and item.idempotency_key.startswith(RESERVED_KEY_PREFIXES):
        raise ValidationError("idempotency_key", f"{item.idempotency_key!r} is reserved")


def _reserve_params(acc_id: uuid.UUID, now: dt.datetime) -> dict[str, Any]:
    """``RESERVE``'s parameters but the cost: the account, the cap windows of ``now``, ``now``."""
    return {
        "acc": acc_id,
        "week": credit_caps.week_key(now),
        "month": credit_caps.month_key(now),
        "now": now,
    }


def _refusal(
    session: Session, acc_id: uuid.UUID, cost: int, now: dt.datetime
) -> InsufficientCreditsError:
    """Why ``RESERVE`` refused ``cost``: too little balance, else the spend cap."""
    acc = session.execute(select(ACCOUNTS).where(ACCOUNTS.c.id == acc_id)).one()
    if not acc.unlimited and acc.balance < cost:
        return InsufficientCreditsError(cost, acc.balance)
    period = CapPeriod(acc.spend_cap_period or CapPeriod.MONTH)
    spent = acc.cap_spent if acc.cap_window == credit_caps.window_key(period, now) else 0
    return SpendCapExceededError(cost, period.value, int(acc.spend_cap or 0), spent)
