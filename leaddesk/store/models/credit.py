"""The credit ledger: append-only transactions, the cached balance per account, the holds of
reservations in flight, redeemed top-up codes and the versioned price list."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.store.base import Base, IdMixin, TimestampMixin
from leaddesk.store.enums import CapPeriod, Plan, TransactionKind
from leaddesk.store.models.columns import enum_type
from leaddesk.store.types import utcnow


class CreditAccount(IdMixin, TimestampMixin, Base):
    """The cached balance of one user's credits; always equal to the sum of its ledger.

    ``balance`` is what can still be spent (reservations already taken out); ``reserved`` is
    what is held for actions in flight. The spend cap lives on the same row so that the one
    conditional UPDATE that takes a reservation checks balance and cap together:
    ``cap_spent`` is what was reserved (and not released) in the window ``cap_window`` (a number
    naming the current week or month, see ``leaddesk.services.credits.caps``).
    """

    __tablename__ = "credit_accounts"

    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id"), unique=True, default=None
    )
    plan: Mapped[Plan] = mapped_column(enum_type(Plan, "account_plan"), default=Plan.NONE)
    unlimited: Mapped[bool] = mapped_column(default=False)
    balance: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    spend_cap: Mapped[int | None] = mapped_column(default=None)
    spend_cap_period: Mapped[CapPeriod | None] = mapped_column(
        enum_type(CapPeriod, "spend_cap_period"), default=None
    )
    cap_window: Mapped[int] = mapped_column(default=0, server_default="0")
    cap_spent: Mapped[int] = mapped_column(default=0, server_default="0")


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


class CreditHold(Base):
    """A reservation not yet consumed or released: inserted with it, deleted when it settles.

    The ledger stays append-only; this small table is the set of actions in flight, so that
    settling is a DELETE that succeeds once and crash recovery never scans the whole ledger.
    ``holder`` names the process that took it (host, boot, pid) to tell a crashed one.
    """

    __tablename__ = "credit_holds"

    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("credit_transactions.id"), primary_key=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_accounts.id"), index=True)
    amount: Mapped[int]
    cap_window: Mapped[int] = mapped_column(default=0)
    holder: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class RedeemedTopupCode(IdMixin, Base):
    """A top-up code id that was redeemed: the unique constraint makes each code work once."""

    __tablename__ = "redeemed_topup_codes"

    code_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_accounts.id"))
    transaction_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_transactions.id"))
    redeemed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    redeemed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PriceListVersion(Base):
    """One version of the price list (actions and packages as in ``resources/pricing.json``).

    Never edited: an admin's change adds the next version; the highest one is current, and each
    reservation records the version it was priced with.
    """

    __tablename__ = "price_list_versions"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
