"""The credit ledger: append-only transactions and the cached balance per account."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.store.base import Base, IdMixin, TimestampMixin
from leaddesk.store.enums import Plan, TransactionKind
from leaddesk.store.models.columns import enum_type
from leaddesk.store.types import utcnow


class CreditAccount(IdMixin, TimestampMixin, Base):
    """The cached balance of one user's credits; always equal to the sum of its ledger.

    ``balance`` is what can still be spent (reservations already taken out); ``reserved`` is
    what is held for actions in flight.
    """

    __tablename__ = "credit_accounts"

    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id"), unique=True, default=None
    )
    plan: Mapped[Plan] = mapped_column(enum_type(Plan, "account_plan"), default=Plan.NONE)
    unlimited: Mapped[bool] = mapped_column(default=False)
    balance: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)


class CreditTransaction(IdMixin, Base):
    """One ledger line. Never updated or deleted."""

    __tablename__ = "credit_transactions"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_accounts.id"))
    kind: Mapped[TransactionKind] = mapped_column(enum_type(TransactionKind, "transaction_kind"))
    amount: Mapped[int]
    balance_after: Mapped[int]
    action: Mapped[str] = mapped_column(String(50), default="")
    reference_type: Mapped[str] = mapped_column(String(50), default="")
    reference_id: Mapped[str] = mapped_column(String(64), default="")
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("credit_transactions.id"), default=None
    )
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    price_version: Mapped[int | None] = mapped_column(default=None)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_credit_transactions_account_id_created_at", "account_id", "created_at"),
        Index("ix_credit_transactions_kind_created_at", "kind", "created_at"),
        Index("ix_credit_transactions_reservation_id", "reservation_id"),
    )
