"""The one place that moves credits.

Every paid action reserves its cost first, then consumes the reservation when it succeeds or
releases it when it fails. The ledger is append-only; the cached balance on the account changes
in the same transaction, by a conditional UPDATE that refuses to go below zero, so the guard holds
across threads and processes on SQLite and PostgreSQL alike.

Amounts: purchase and release add, a reservation subtracts, a consumption is zero (it turns a
reservation into spend). So ``balance == sum(amount)`` at every commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import (
    InsufficientCreditsError,
    NotFoundError,
    ReservationSettledError,
    ValidationError,
)
from leaddesk.services.pricing import PriceList
from leaddesk.store.enums import Plan, TransactionKind
from leaddesk.store.models import CreditAccount, CreditTransaction
from leaddesk.store.types import utcnow

T = TypeVar("T")
_NO_NEW_ROWS = {"synchronize_session": False}


@dataclass(frozen=True, slots=True)
class Balance:
    available: int
    reserved: int
    plan: str
    unlimited: bool


@dataclass(frozen=True, slots=True)
class TransactionRecord:
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


def _record(tx: CreditTransaction) -> TransactionRecord:
    return TransactionRecord(
        id=tx.id,
        kind=tx.kind.value,
        amount=tx.amount,
        balance_after=tx.balance_after,
        action=tx.action,
        reference_type=tx.reference_type,
        reference_id=tx.reference_id,
        reservation_id=tx.reservation_id,
        idempotency_key=tx.idempotency_key,
        actor_id=tx.actor_id,
        created_at=tx.created_at,
        meta=dict(tx.meta or {}),
    )


def settle_key(reservation_id: uuid.UUID) -> str:
    """Consume and release share one key per reservation: the unique index settles it once."""
    return f"settle:{reservation_id}"


class CreditService:
    def __init__(self, ctx: ServiceContext, prices: PriceList | None = None) -> None:
        self._ctx = ctx
        self.prices = prices or PriceList.load()
        self._account_id: uuid.UUID | None = None
        #: The clock ledger lines are dated by (replaceable for back-dated demo history).
        self.now: Callable[[], dt.datetime] = utcnow

    # -- accounts ----------------------------------------------------------------------------
    def account_id(self) -> uuid.UUID:
        """The acting user's account, created on first use."""
        if self._account_id is None:
            self._account_id = self._ensure_account(self._ctx.actor.id)
        return self._account_id

    def _ensure_account(self, user_id: uuid.UUID) -> uuid.UUID:
        stmt = select(CreditAccount.id).where(CreditAccount.user_id == user_id)
        with self._ctx.store.read() as session:
            found = session.scalar(stmt)
        if found is not None:
            return found
        try:
            with self._ctx.store.write() as session:
                account = CreditAccount(user_id=user_id)
                session.add(account)
                session.flush()
                return account.id
        except IntegrityError:  # another thread created it first
            with self._ctx.store.read() as session:
                return session.scalars(stmt).one()

    def balance(self) -> Balance:
        with self._ctx.store.read() as session:
            acc = session.get(CreditAccount, self.account_id())
            assert acc is not None
            return Balance(acc.balance, acc.reserved, acc.plan.value, acc.unlimited)

    # -- the ledger ----------------------------------------------------------------------------
    def _idempotent(self, key: str | None, work: Callable[[Session], T]) -> T | TransactionRecord:
        """Run ``work`` in a write transaction unless ``key`` was used: then return that result."""
        if key is not None:
            existing = self._by_key(key)
            if existing is not None:
                return existing
        try:
            with self._ctx.store.write() as session:
                return work(session)
        except IntegrityError:
            if key is None:
                raise
            existing = self._by_key(key)
            if existing is None:
                raise
            return existing

    def _by_key(self, key: str) -> TransactionRecord | None:
        with self._ctx.store.read() as session:
            tx = session.scalar(
                select(CreditTransaction).where(CreditTransaction.idempotency_key == key)
            )
            return _record(tx) if tx is not None else None

    def _append(self, session: Session, balance_after: int, **values: Any) -> TransactionRecord:
        tx = CreditTransaction(
            account_id=self.account_id(),
            balance_after=balance_after,
            actor_id=self._ctx.actor.id,
            created_at=self.now(),
            **values,
        )
        session.add(tx)
        session.flush()
        return _record(tx)

    def purchase(self, package: str, idempotency_key: str | None = None) -> TransactionRecord:
        pkg = self.prices.package(package)

        def work(session: Session) -> TransactionRecord:
            amount = pkg.credits or 0
            values: dict[str, Any] = {
                "balance": CreditAccount.balance + amount,
                "plan": Plan(pkg.name),
                "updated_at": self.now(),
            }
            if pkg.unlimited:
                values["unlimited"] = True
            new_balance = session.execute(
                update(CreditAccount)
                .where(CreditAccount.id == self.account_id())
                .values(**values)
                .returning(CreditAccount.balance),
                execution_options=_NO_NEW_ROWS,
            ).scalar_one()
            tx = self._append(
                session, new_balance, kind=TransactionKind.PURCHASE, amount=amount,
                reference_type="package", reference_id=pkg.name, idempotency_key=idempotency_key,
                meta={"package": pkg.label},
            )
            activity.record(session, self._ctx.actor.id, "purchase", "credits", tx.id,
                            summary=f"bought {pkg.label} ({amount or 'unlimited'} credits)")
            return tx

        return self._idempotent(idempotency_key, work)

    def reserve(
        self,
        cost: int,
        action: str,
        reference_type: str = "",
        reference_id: str = "",
        idempotency_key: str | None = None,
    ) -> TransactionRecord:
        """Hold ``cost`` credits for an action, or raise InsufficientCreditsError."""
        if cost <= 0:
            raise ValidationError("cost", f"{cost} must be positive")

        def work(session: Session) -> TransactionRecord:
            acc_id = self.account_id()
            new_balance = session.execute(
                update(CreditAccount)
                .where(
                    CreditAccount.id == acc_id,
                    or_(CreditAccount.unlimited, CreditAccount.balance >= cost),
                )
                .values(
                    balance=CreditAccount.balance - cost,
                    reserved=CreditAccount.reserved + cost,
                    updated_at=self.now(),
                )
                .returning(CreditAccount.balance),
                execution_options=_NO_NEW_ROWS,
            ).scalar_one_or_none()
            if new_balance is None:
                have = session.scalar(
                    select(CreditAccount.balance).where(CreditAccount.id == acc_id)
                )
                raise InsufficientCreditsError(cost, int(have or 0))
            return self._append(
                session, new_balance, kind=TransactionKind.RESERVATION, amount=-cost,
                action=action, reference_type=reference_type, reference_id=reference_id,
                idempotency_key=idempotency_key, price_version=self.prices.version,
            )

        return self._idempotent(idempotency_key, work)

    def _settle(self, reservation_id: uuid.UUID, kind: TransactionKind) -> TransactionRecord:
        key = settle_key(reservation_id)

        def work(session: Session) -> TransactionRecord:
            res = session.get(CreditTransaction, reservation_id)
            if res is None or res.kind is not TransactionKind.RESERVATION:
                raise NotFoundError("reservation", reservation_id)
            if res.account_id != self.account_id():
                raise NotFoundError("reservation", reservation_id)
            held = -res.amount
            refund = held if kind is TransactionKind.RELEASE else 0
            new_balance = session.execute(
                update(CreditAccount)
                .where(CreditAccount.id == res.account_id)
                .values(
                    balance=CreditAccount.balance + refund,
                    reserved=CreditAccount.reserved - held,
                    updated_at=self.now(),
                )
                .returning(CreditAccount.balance),
                execution_options=_NO_NEW_ROWS,
            ).scalar_one()
            return self._append(
                session, new_balance, kind=kind, amount=refund, action=res.action,
                reference_type=res.reference_type, reference_id=res.reference_id,
                reservation_id=res.id, idempotency_key=key, price_version=res.price_version,
                meta={"cost": held},
            )

        result = self._idempotent(key, work)
        if result.kind != kind.value:
            raise ReservationSettledError(
                f"reservation {reservation_id} was already settled as {result.kind}"
            )
        return result

    def consume(self, reservation_id: uuid.UUID) -> TransactionRecord:
        """The action succeeded: the held credits are spent (once, whatever the retries)."""
        return self._settle(reservation_id, TransactionKind.CONSUMPTION)

    def release(self, reservation_id: uuid.UUID) -> TransactionRecord:
        """The action failed: the held credits come back (once)."""
        return self._settle(reservation_id, TransactionKind.RELEASE)

    # -- reading the ledger --------------------------------------------------------------------
    def history(
        self, limit: int = 100, since: dt.datetime | None = None
    ) -> list[TransactionRecord]:
        stmt = (
            select(CreditTransaction)
            .where(CreditTransaction.account_id == self.account_id())
            .order_by(CreditTransaction.created_at.desc(), CreditTransaction.id.desc())
            .limit(limit)
        )
        if since is not None:
            stmt = stmt.where(CreditTransaction.created_at >= since)
        with self._ctx.store.read() as session:
            return [_record(tx) for tx in session.scalars(stmt)]

    def ledger_sum(self) -> int:
        stmt = select(func.coalesce(func.sum(CreditTransaction.amount), 0)).where(
            CreditTransaction.account_id == self.account_id()
        )
        with self._ctx.store.read() as session:
            return int(session.scalar(stmt) or 0)

    def spent_since(self, since: dt.datetime) -> int:
        """Credits consumed since ``since``: the held cost of each consumed reservation."""
        consumption = aliased(CreditTransaction)
        stmt = (
            select(func.coalesce(func.sum(-CreditTransaction.amount), 0))
            .join(consumption, consumption.reservation_id == CreditTransaction.id)
            .where(
                consumption.account_id == self.account_id(),
                consumption.kind == TransactionKind.CONSUMPTION,
                consumption.created_at >= since,
            )
        )
        with self._ctx.store.read() as session:
            return int(session.scalar(stmt) or 0)
