"""The credits' plain records and idempotency keys, shared by the ledger's parts and its callers.

Frozen values only (no database access beyond turning a row into a record), so the UI, the
outbox and the ledger's modules can pass them around without importing the ledger itself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row

from leaddesk.services.errors import InsufficientCreditsError
from leaddesk.store.enums import TransactionKind


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's cached balance, what it holds for actions in flight, and its plan."""

    available: int
    reserved: int
    plan: str
    unlimited: bool


@dataclass(frozen=True, slots=True)
class SpendCap:
    """A member's cap (``credits`` None: no cap) and what counts against it this window."""

    period: str | None
    credits: int | None
    spent: int
    window_start: dt.datetime | None

    @property
    def remaining(self) -> int | None:
        return None if self.credits is None else max(self.credits - self.spent, 0)


@dataclass(frozen=True, slots=True)
class Quote:
    """What an action will cost before it runs, at the current price list."""

    action: str
    label: str
    quantity: int
    cost: int
    price_version: int


@dataclass(frozen=True, slots=True)
class Preflight:
    """Whether an action can run now, said before it runs (cost, what is left, why not)."""

    quote: Quote
    available: int | None  # None: unlimited
    ok: bool
    message: str


@dataclass(frozen=True, slots=True)
class ReserveItem:
    """One reservation of a batch (see :meth:`CreditService.batch_reserver`)."""

    cost: int
    action: str
    reference_type: str = ""
    reference_id: str = ""
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class BatchReserved:
    """What became of one :class:`ReserveItem`: its reservation, or why it was refused."""

    item: ReserveItem
    reservation_id: uuid.UUID | None
    refused: InsufficientCreditsError | None = None


@dataclass(frozen=True, slots=True)
class SettleItem:
    """One settlement of a batch: consume (the action succeeded) or release."""

    reservation_id: uuid.UUID
    kind: TransactionKind  # CONSUMPTION or RELEASE
    reason: str = ""


@dataclass(frozen=True, slots=True)
class LedgerAudit:
    """The result of checking every account's cached balance against its ledger."""

    accounts: int
    transactions: int
    mismatches: list[tuple[uuid.UUID, int, int]]  # (account, cached balance, ledger sum)

    @property
    def ok(self) -> bool:
        return not self.mismatches


@dataclass(frozen=True, slots=True)
class TransactionRecord:
    """One ledger line (``credit_transactions``), as callers see it."""

    id: uuid.UUID
    kind: str
    amount: int
    balance_after: int
    action: str
    reference_type: str
    reference_id: str
    reservation_id: uuid.UUID | None
    idempotency_key: str | None
    actor_id: uuid.UUID | None
    created_at: dt.datetime
    meta: dict[str, Any]
    account_id: uuid.UUID | None = None
    price_version: int | None = None


def record_from_row(row: Row[Any]) -> TransactionRecord:
    """A record from a Core row of ``credit_transactions``."""
    m = row._mapping
    return TransactionRecord(
        id=m["id"],
        kind=TransactionKind(m["kind"]).value,
        amount=m["amount"],
        balance_after=m["balance_after"],
        action=m["action"],
        reference_type=m["reference_type"],
        reference_id=m["reference_id"],
        reservation_id=m["reservation_id"],
        idempotency_key=m["idempotency_key"],
        actor_id=m["actor_id"],
        created_at=m["created_at"],
        meta=dict(m["metadata"] or {}),
        account_id=m["account_id"],
        price_version=m["price_version"],
    )


#: Idempotency keys only the ledger itself writes (settlements, refunds, redeemed codes): a
#: reservation may not take one (``postgres_ledger`` refuses them too).
RESERVED_KEY_PREFIXES = ("settle:", "refund:", "topup:")


def settle_key(reservation_id: uuid.UUID) -> str:
    """Consume and release share one key per reservation: the unique index settles it once."""
    return f"settle:{reservation_id}"


def refund_key(reservation_id: uuid.UUID) -> str:
    """One refund per reservation, whoever asks and however often."""
    return f"refund:{reservation_id}"
