"""The ledger book: the accounts and the write path every credit movement shares.

One :class:`LedgerBook` serves one :class:`~leaddesk.services.credits.ledger.CreditService`: it
knows the acting user and their accounts, who may touch whose account, the clock ledger lines
are dated by and the current price list; it runs each movement in one write transaction
(answering a reused idempotency key with its first result) and writes ledger lines and balance
changes. Reserving, settling and the other movements are functions over it, each in its module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leaddesk.services import activity
from leaddesk.services.context import Actor, ServiceContext
from leaddesk.services.credits import group_commit, postgres_calls
from leaddesk.services.credits.pricing import CurrentPrices, PriceList
from leaddesk.services.credits.records import TransactionRecord, record_from_row
from leaddesk.services.credits.statements import ACCOUNTS, INSERT_TRANSACTION, SELECT_BY_KEY
from leaddesk.services.errors import (
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    ValidationError,
)
from leaddesk.store import postgres_security
from leaddesk.store.database import Store
from leaddesk.store.enums import Role, TransactionKind
from leaddesk.store.ids import new_id
from leaddesk.store.models import CreditAccount, User
from leaddesk.store.types import utcnow

T = TypeVar("T")


class LedgerBook:
    """The actor's accounts, their permissions and the write path, shared by every movement."""

    def __init__(self, ctx: ServiceContext, prices: PriceList | None = None) -> None:
        self._ctx = ctx
        #: The current price list (reserving records its version; packages come from it).
        self.prices = CurrentPrices(ctx.store, prices)
        self._accounts: dict[uuid.UUID, uuid.UUID] = {}
        self._member_login: bool | None = None
        #: The clock ledger lines are dated by (replaceable for back-dated demo history).
        self.now: Callable[[], dt.datetime] = utcnow

    @property
    def store(self) -> Store:
        return self._ctx.store

    @property
    def actor(self) -> Actor:
        return self._ctx.actor

    # -- accounts and people -------------------------------------------------------------------
    def account_id(self) -> uuid.UUID:
        """The acting user's account, created on first use."""
        return self.account_for(self.actor.id)

    def account_for(self, user_id: uuid.UUID) -> uuid.UUID:
        """``user_id``'s account, created on first use (no permission check: callers check)."""
        found = self._accounts.get(user_id)
        if found is None:
            found = self._accounts[user_id] = self._ensure_account(user_id)
        return found

    @property
    def through_functions(self) -> bool:
        """Signed in to a team database as a member's own role: credits then move only through
        the database's ledger functions (``postgres_ledger``); a plain PostgreSQL database
        and SQLite keep the Python path."""
        if self._member_login is None:
            with self.store.read() as session:
                self._member_login = postgres_security.member_login(session.connection())
        return self._member_login

    def _ensure_account(self, user_id: uuid.UUID) -> uuid.UUID:
        if self.through_functions and user_id == self.actor.id:
            with self.store.write() as session:
                return postgres_calls.own_account(session.connection())
        stmt = select(ACCOUNTS.c.id).where(ACCOUNTS.c.user_id == user_id)
        with self.store.read() as session:
            found = session.scalar(stmt)
        if found is not None:
            return found
        try:
            with self.store.write() as session:
                account = CreditAccount(user_id=user_id)
                session.add(account)
                session.flush()
                return account.id
        except IntegrityError:  # another thread or process created it first
            with self.store.read() as session:
                return session.execute(stmt).scalar_one()

    def user_id(self, user: uuid.UUID | str | None) -> uuid.UUID:
        """A user by id, username or email (None: the actor)."""
        if user is None:
            return self.actor.id
        if isinstance(user, uuid.UUID):
            cond = User.id == user
        else:
            text = user.strip()
            try:
                cond = User.id == uuid.UUID(text)
            except ValueError:
                cond = or_(User.username == text, func.lower(User.email) == text.lower())
        with self.store.read() as session:
            rows = session.execute(select(User.id, User.is_active).where(cond)).all()
        if len(rows) != 1:
            raise NotFoundError("user", user)
        if not rows[0].is_active:
            raise ValidationError("user", f"{user} is not active")
        return rows[0].id

    def _stored_role(self) -> Role | None:
        """The actor's role as stored now (a demoted or deactivated admin's session loses the
        right at once, like the store's scope)."""
        with self.store.read() as session:
            row = session.execute(
                select(User.role, User.is_active).where(User.id == self.actor.id)
            ).one_or_none()
        return row.role if row is not None and row.is_active else None

    def require_admin(self, what: str) -> None:
        """Refuse ``what`` unless the actor is an admin, as stored now."""
        if self._stored_role() is not Role.ADMIN:
            raise PermissionDeniedError(f"only an admin can {what}")

    def account_of(self, user: uuid.UUID | str | None) -> uuid.UUID:
        """The account of ``user``: anyone may read their own, a manager their reps', an admin
        anyone's (the scope of ``leaddesk.store.scoping``)."""
        user_id = self.user_id(user)
        if user_id != self.actor.id:
            role = self._stored_role()
            if role is Role.MANAGER:
                with self.store.read() as session:
                    manager = session.scalar(select(User.manager_id).where(User.id == user_id))
                if manager != self.actor.id:
                    raise PermissionDeniedError(
                        "a manager sees the credits of their own reps only")
            elif role is not Role.ADMIN:
                raise PermissionDeniedError("only an admin can see another member's credits")
        return self.account_for(user_id)

    # -- the write path ------------------------------------------------------------------------
    def write(
        self,
        key: str | None,
        work: Callable[[Session], T],
        precheck: bool = True,
        hot: bool = False,
    ) -> T | TransactionRecord:
        """Run ``work`` in one write transaction unless ``key`` was used: then its first result.

        ``precheck=False`` when ``work`` itself finds out cheaper that the key was used.
        ``hot`` (reserve and settle) on SQLite shares the transaction with other threads' hot
        calls (see ``group_commit``): one writer at a time, so commits are what is saved.
        """

        def attempt(session: Session) -> T | TransactionRecord:
            if key is not None and precheck:
                existing = tx_by_key(session, key)
                if existing is not None:
                    return existing
            return work(session)

        try:
            if hot and self.store.dialect == "sqlite":
                combiner = group_commit.for_store(self.store)
                return combiner.run(self.store, attempt, (ServiceError,))
            with self.store.write() as session:
                return attempt(session)
        except IntegrityError:  # a concurrent call with the same key committed first
            if key is None:
                raise
            existing = self._by_key(key)
            if existing is None:
                raise
            return existing

    def _by_key(self, key: str) -> TransactionRecord | None:
        with self.store.read() as session:
            return tx_by_key(session, key)

    def new_line(
        self,
        account_id: uuid.UUID,
        balance_after: int,
        kind: TransactionKind,
        amount: int,
        *,
        action: str = "",
        reference_type: str = "",
        reference_id: str = "",
        reservation_id: uuid.UUID | None = None,
        idempotency_key: str | None = None,
        price_version: int | None = None,
        meta: dict[str, Any] | None = None,
        created_at: dt.datetime | None = None,
    ) -> TransactionRecord:
        """A new ledger line by the actor, not yet written."""
        return TransactionRecord(
            id=new_id(),
            kind=kind.value,
            amount=amount,
            balance_after=balance_after,
            action=action,
            reference_type=reference_type,
            reference_id=reference_id,
            reservation_id=reservation_id,
            idempotency_key=idempotency_key,
            actor_id=self.actor.id,
            created_at=created_at or self.now(),
            meta=dict(meta or {}),
            account_id=account_id,
            price_version=price_version,
        )

    def append_line(
        self,
        db: Session | Connection,
        account_id: uuid.UUID,
        balance_after: int,
        kind: TransactionKind,
        amount: int,
        **fields: Any,
    ) -> TransactionRecord:
        """Write a new ledger line (see :meth:`new_line` for the fields)."""
        rec = self.new_line(account_id, balance_after, kind, amount, **fields)
        values = {f.name: getattr(rec, f.name) for f in dataclasses.fields(rec)}
        values["metadata"] = values.pop("meta")
        db.execute(INSERT_TRANSACTION, values)
        return rec

    def log_activity(self, session: Session, action: str, entity_id: object, summary: str) -> None:
        """An audit-log entry about credits by the actor, in the movement's transaction."""
        activity.record(session, self.actor.id, action, "credits", entity_id, summary=summary)

    def credit(self, session: Session, account_id: uuid.UUID, amount: int, **values: Any) -> int:
        """Add ``amount`` (may be negative only when guarded by the caller) and return the new
        balance."""
        return session.execute(
            update(ACCOUNTS)
            .where(ACCOUNTS.c.id == account_id)
            .values(balance=ACCOUNTS.c.balance + amount, updated_at=self.now(), **values)
            .returning(ACCOUNTS.c.balance)
        ).scalar_one()

    def debit(self, session: Session, account_id: uuid.UUID, amount: int) -> int:
        """Take ``amount`` unless the balance would go negative (Enterprise: never refused)."""
        new_balance = session.execute(
            update(ACCOUNTS)
            .where(
                ACCOUNTS.c.id == account_id,
                or_(ACCOUNTS.c.unlimited, ACCOUNTS.c.balance >= amount),
            )
            .values(balance=ACCOUNTS.c.balance - amount, updated_at=self.now())
            .returning(ACCOUNTS.c.balance)
        ).scalar_one_or_none()
        if new_balance is None:
            have = session.scalar(select(ACCOUNTS.c.balance).where(ACCOUNTS.c.id == account_id))
            raise InsufficientCreditsError(amount, int(have or 0))
        return new_balance


def tx_by_key(db: Session | Connection, key: str) -> TransactionRecord | None:
    """The ledger line written under idempotency ``key``, inside the caller's transaction."""
    row = db.execute(SELECT_BY_KEY, {"key": key}).first()
    return None if row is None else record_from_row(row)


def require_positive(value: object, field: str) -> int:
    """``value`` if it is a whole number above zero (a bool is not a number of credits)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError(field, f"{value!r} must be a positive whole number")
    return value


def require_nonzero(value: object, field: str) -> int:
    """``value`` if it is a whole number other than zero (an amount that moves something)."""
    if isinstance(value, bool) or not isinstance(value, int) or value == 0:
        raise ValidationError(field, f"{value!r} must be a non-zero whole number")
    return value
