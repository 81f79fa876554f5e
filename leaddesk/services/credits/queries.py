"""Reading one account's ledger, and the admin's check of every account against its ledger.

One account's balance, newest lines, ledger sum, open reservations and spend since a moment.
The caller resolves the account (``LedgerBook.account_of`` says who may read whose) and checks
that an audit is an admin's; nothing here writes. Filtered, keyset-paged reading for people is
``history``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from leaddesk.services.credits.records import (
    Balance,
    LedgerAudit,
    TransactionRecord,
    record_from_row,
)
from leaddesk.services.credits.statements import ACCOUNTS, HOLDS, TRANSACTIONS
from leaddesk.store.database import Store
from leaddesk.store.enums import Plan, TransactionKind


def balance(store: Store, acc_id: uuid.UUID) -> Balance:
    with store.read() as session:
        acc = session.execute(select(ACCOUNTS).where(ACCOUNTS.c.id == acc_id)).one()
        return Balance(acc.balance, acc.reserved, Plan(acc.plan).value, acc.unlimited)


def newest_lines(
    store: Store, acc_id: uuid.UUID, limit: int, since: dt.datetime | None
) -> list[TransactionRecord]:
    """Up to ``limit`` of the account's lines (from ``since`` on), newest first."""
    stmt = (
        select(TRANSACTIONS)
        .where(TRANSACTIONS.c.account_id == acc_id)
        .order_by(TRANSACTIONS.c.created_at.desc(), TRANSACTIONS.c.id.desc())
        .limit(limit)
    )
    if since is not None:
        stmt = stmt.where(TRANSACTIONS.c.created_at >= since)
    with store.read() as session:
        return [record_from_row(row) for row in session.execute(stmt)]


def ledger_sum(store: Store, acc_id: uuid.UUID) -> int:
    """The sum of the account's amounts: its balance, if the ledger is right."""
    stmt = select(func.coalesce(func.sum(TRANSACTIONS.c.amount), 0)).where(
        TRANSACTIONS.c.account_id == acc_id
    )
    with store.read() as session:
        return int(session.scalar(stmt) or 0)


def held(store: Store, acc_id: uuid.UUID) -> list[uuid.UUID]:
    """Ids of the reservations still in flight on the account."""
    stmt = select(HOLDS.c.reservation_id).where(HOLDS.c.account_id == acc_id)
    with store.read() as session:
        return list(session.scalars(stmt))


def spent_since(store: Store, acc_id: uuid.UUID, since: dt.datetime) -> int:
    """Credits consumed since ``since``: the held cost of each consumption."""
    consumption = TRANSACTIONS.alias("consumption")
    stmt = (
        select(func.coalesce(func.sum(-TRANSACTIONS.c.amount), 0))
        .join(consumption, consumption.c.reservation_id == TRANSACTIONS.c.id)
        .where(
            consumption.c.account_id == acc_id,
            consumption.c.kind == TransactionKind.CONSUMPTION,
            consumption.c.created_at >= since,
        )
    )
    with store.read() as session:
        return int(session.scalar(stmt) or 0)


def audit(store: Store) -> LedgerAudit:
    """Check every account's cached balance against the sum of its ledger, and its reserved
    credits against its holds, in one consistent read."""
    sums = (
        select(
            TRANSACTIONS.c.account_id,
            func.sum(TRANSACTIONS.c.amount).label("total"),
            func.count().label("n"),
        )
        .group_by(TRANSACTIONS.c.account_id)
        .subquery()
    )
    holds = (
        select(HOLDS.c.account_id, func.sum(HOLDS.c.amount).label("held"))
        .group_by(HOLDS.c.account_id)
        .subquery()
    )
    stmt = (
        select(
            ACCOUNTS.c.id,
            ACCOUNTS.c.balance,
            ACCOUNTS.c.reserved,
            func.coalesce(sums.c.total, 0),
            func.coalesce(sums.c.n, 0),
            func.coalesce(holds.c.held, 0),
        )
        .outerjoin(sums, sums.c.account_id == ACCOUNTS.c.id)
        .outerjoin(holds, holds.c.account_id == ACCOUNTS.c.id)
    )
    mismatches, accounts, transactions = [], 0, 0
    with store.read() as session:
        for acc_id, cached, reserved, total, n, in_holds in session.execute(stmt):
            accounts += 1
            transactions += int(n)
            if cached != total or reserved != in_holds:
                mismatches.append((acc_id, int(cached), int(total)))
    return LedgerAudit(accounts, transactions, mismatches)
