"""What a member may spend, and when to warn: spend caps and the low-balance threshold.

A cap limits what a member reserves per calendar week or month; ``statements.RESERVE`` enforces
it, here an admin sets it (counting at once what the member reserved in the current window) and
anyone reads what is left of it. The low-balance threshold is one database-wide setting.
Windows are numbered by ``caps``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from leaddesk.services import settings
from leaddesk.services.credits import caps as credit_caps
from leaddesk.services.credits.book import LedgerBook, require_positive
from leaddesk.services.credits.records import Balance, SpendCap
from leaddesk.services.credits.statements import ACCOUNTS, TRANSACTIONS
from leaddesk.services.errors import ValidationError
from leaddesk.store.database import Store
from leaddesk.store.enums import TransactionKind
from leaddesk.store.models.credit import CapPeriod

LOW_BALANCE_SETTING = "credits_low_balance_threshold"
DEFAULT_LOW_BALANCE = 50


# -- spend caps --------------------------------------------------------------------------------
def set_spend_cap(
    book: LedgerBook, user: uuid.UUID | str, credits: int | None, period: CapPeriod | str
) -> uuid.UUID:
    """Admin: set (``credits`` None: remove) ``user``'s cap; returns the member's user id."""
    book.require_admin("cap a member's spend")
    if credits is not None:
        require_positive(credits, "credits")
    try:
        period = CapPeriod(period)
    except ValueError:
        raise ValidationError("period", f"{period!r} is not week or month") from None
    user_id = book.user_id(user)
    acc_id = book.account_for(user_id)
    now = book.now()
    start = credit_caps.window_start(period, now)
    with book.store.write() as session:
        spent = _spent_in_window(session, acc_id, start)
        session.execute(
            update(ACCOUNTS)
            .where(ACCOUNTS.c.id == acc_id)
            .values(
                spend_cap=credits,
                spend_cap_period=period if credits else None,
                cap_window=credit_caps.window_key(period, now),
                cap_spent=spent,
                updated_at=now,
            )
        )
        what = (
            "removed the spend cap"
            if credits is None
            else (f"capped spend at {credits} per {period.value}")
        )
        book.log_activity(session, "spend_cap", acc_id, f"{what} for user {user_id}")
    return user_id


def spend_cap(store: Store, acc_id: uuid.UUID, now: dt.datetime) -> SpendCap:
    """The account's cap and what counts against it in the window holding ``now``."""
    with store.read() as session:
        acc = session.execute(select(ACCOUNTS).where(ACCOUNTS.c.id == acc_id)).one()
    if acc.spend_cap is None:
        return SpendCap(None, None, 0, None)
    period = CapPeriod(acc.spend_cap_period)
    current = acc.cap_window == credit_caps.window_key(period, now)
    return SpendCap(
        period.value,
        acc.spend_cap,
        acc.cap_spent if current else 0,
        credit_caps.window_start(period, now),
    )


def _spent_in_window(session: Session, acc_id: uuid.UUID, start: dt.datetime) -> int:
    """Reserved since ``start`` and not released: what a new cap counts from the ledger."""
    release = TRANSACTIONS.alias("release")
    released = select(release.c.id).where(
        release.c.reservation_id == TRANSACTIONS.c.id, release.c.kind == TransactionKind.RELEASE
    )
    stmt = select(func.coalesce(func.sum(-TRANSACTIONS.c.amount), 0)).where(
        TRANSACTIONS.c.account_id == acc_id,
        TRANSACTIONS.c.kind == TransactionKind.RESERVATION,
        TRANSACTIONS.c.created_at >= start,
        ~released.exists(),
    )
    return int(session.scalar(stmt) or 0)


# -- the low-balance warning -------------------------------------------------------------------
def low_balance_threshold(store: Store) -> int:
    """Warn below this many credits (0: never); database-wide, on by default."""
    value = settings.get(store, LOW_BALANCE_SETTING, DEFAULT_LOW_BALANCE)
    return int(value)


def set_low_balance_threshold(book: LedgerBook, credits: int) -> None:
    book.require_admin("change the low-balance warning")
    if isinstance(credits, bool) or not isinstance(credits, int) or credits < 0:
        raise ValidationError("threshold", f"{credits!r} must be a whole number, 0 or more")
    settings.put(book.store, LOW_BALANCE_SETTING, credits)


def low_balance_warning(bal: Balance, threshold: int) -> str | None:
    """A line for the status bar when ``bal`` is below ``threshold``, else None."""
    if bal.unlimited or threshold <= 0 or bal.available >= threshold:
        return None
    return (
        f"Low balance: {bal.available:,} credits left (warning below {threshold:,}). "
        "Redeem a top-up code or ask your admin for credits."
    )
