"""The one place that moves credits.

Every paid action reserves its cost first, then consumes the reservation when it succeeds or
releases it when it fails. The ledger is append-only; the cached balance on the account changes
in the same transaction, by a conditional UPDATE that refuses to go below zero (and past the
member's spend cap), so the guard holds across threads and processes on SQLite and PostgreSQL.

Amounts: purchase, release, refund and incoming allocation add; a reservation and outgoing
allocation subtract; a consumption is zero (it turns a reservation into spend); an adjustment is
whatever the admin set. So ``balance == sum(amount)`` per account at every commit.

Each reservation also gets a row in ``credit_holds`` until it settles: settling deletes it (once),
and crash recovery reads that small table instead of the whole ledger.

The hot path (reserve, consume, release) is a few prepared Core statements in one write
transaction, the idempotency key looked up inside it; on SQLite, concurrent threads share that
transaction and its commit (``group_commit``), the one writer being the bottleneck there.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import (
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from leaddesk.services import activity, settings
from leaddesk.services.context import Actor, ServiceContext
from leaddesk.services.credits import caps as credit_caps
from leaddesk.services.credits import movements, reserving, settling
from leaddesk.services.credits.book import (
    LedgerBook,
    require_positive,
)
from leaddesk.services.credits.pricing import PriceList
from leaddesk.services.credits.records import (
    Balance,
    LedgerAudit,
    Preflight,
    Quote,
    ReserveItem,
    SpendCap,
    TransactionRecord,
    record_from_row,
)
from leaddesk.services.credits.statements import (
    ACCOUNTS,
    HOLDS,
    TRANSACTIONS,
)
from leaddesk.services.errors import (
    ValidationError,
)
from leaddesk.store.database import Store
from leaddesk.store.enums import Plan, TransactionKind
from leaddesk.store.models.credit import CapPeriod

LOW_BALANCE_SETTING = "credits_low_balance_threshold"
DEFAULT_LOW_BALANCE = 50


class CreditService:
    def __init__(self, ctx: ServiceContext, prices: PriceList | None = None) -> None:
        self._book = LedgerBook(ctx, prices)

    @property
    def store(self) -> Store:
        return self._book.store

    @property
    def actor(self) -> Actor:
        return self._book.actor

    @property
    def now(self) -> Callable[[], dt.datetime]:
        """The clock ledger lines are dated by (replaceable for back-dated demo history)."""
        return self._book.now

    @now.setter
    def now(self, clock: Callable[[], dt.datetime]) -> None:
        self._book.now = clock

    # -- prices --------------------------------------------------------------------------------
    @property
    def prices(self) -> PriceList:
        """The current price list, read again now and then (see ``pricing.CurrentPrices``)."""
        return self._book.prices.get()

    def reload_prices(self) -> PriceList:
        return self._book.prices.reload()

    def publish_prices(self, costs: dict[str, int], note: str = "") -> PriceList:
        """Admin: a new price-list version with these action costs; later charges use it."""
        return self._book.prices.publish(self.actor, costs, note)

    def quote(self, action: str, quantity: int = 1) -> Quote:
        """The cost of an action before it runs."""
        require_positive(quantity, "quantity")
        prices = self.prices
        return Quote(
            action,
            prices.labels.get(action, action),
            quantity,
            prices.cost(action, quantity),
            prices.version,
        )

    def preflight(self, action: str, quantity: int = 1) -> Preflight:
        """The cost of ``quantity`` times ``action`` and whether balance and cap allow it now."""
        quote = self.quote(action, quantity)
        bal, cap = self.balance(), self.spend_cap()
        limits = [] if bal.unlimited else [(bal.available, "you have")]
        if cap.remaining is not None:
            limits.append((cap.remaining, f"your {cap.period}ly spend cap leaves"))
        for have, says in sorted(limits, key=lambda limit: limit[0]):
            if have < quote.cost:
                message = f"this needs {quote.cost:,} credits; {says} {have:,}"
                return Preflight(quote, min(h for h, _ in limits), False, message)
        available = min((h for h, _ in limits), default=None)
        return Preflight(quote, available, True, f"costs {quote.cost:,} credits")

    def low_balance_threshold(self) -> int:
        """Warn below this many credits (0: never); database-wide, on by default."""
        value = settings.get(self.store, LOW_BALANCE_SETTING, DEFAULT_LOW_BALANCE)
        return int(value)

    def set_low_balance_threshold(self, credits: int) -> None:
        self.require_admin("change the low-balance warning")
        if isinstance(credits, bool) or not isinstance(credits, int) or credits < 0:
            raise ValidationError("threshold", f"{credits!r} must be a whole number, 0 or more")
        settings.put(self.store, LOW_BALANCE_SETTING, credits)

    def low_balance_warning(
        self, bal: Balance | None = None, threshold: int | None = None
    ) -> str | None:
        """A line for the status bar when the balance is below the threshold, else None.

        Given both (read off the GUI thread), it reads nothing from the database.
        """
        bal = bal or self.balance()
        threshold = self.low_balance_threshold() if threshold is None else threshold
        if bal.unlimited or threshold <= 0 or bal.available >= threshold:
            return None
        return (
            f"Low balance: {bal.available:,} credits left (warning below {threshold:,}). "
            "Redeem a top-up code or ask your admin for credits."
        )


    # -- accounts and people -------------------------------------------------------------------
    def account_id(self) -> uuid.UUID:
        """The acting user's account, created on first use."""
        return self._book.account_id()

    def account_of(self, user: uuid.UUID | str | None) -> uuid.UUID:
        """The account of ``user``, if the actor may see it (see ``LedgerBook.account_of``)."""
        return self._book.account_of(user)

    def require_admin(self, what: str) -> None:
        """Refuse ``what`` unless the actor is an admin, as stored now."""
        self._book.require_admin(what)

    def balance(self, user: uuid.UUID | str | None = None) -> Balance:
        acc_id = self.account_of(user)
        with self.store.read() as session:
            acc = session.execute(select(ACCOUNTS).where(ACCOUNTS.c.id == acc_id)).one()
            return Balance(acc.balance, acc.reserved, Plan(acc.plan).value, acc.unlimited)


    # -- buying and redeeming (``movements``) ---------------------------------------------------
    def purchase(self, package: str, idempotency_key: str | None = None) -> TransactionRecord:
        """Add a package to the actor's account. The primitive behind demo data, tests and
        :meth:`buy_package`; users get credits by :meth:`redeem` and allocations."""
        return movements.purchase(self._book, package, idempotency_key)

    def is_demo_database(self) -> bool:
        return movements.is_demo_database(self.store)

    def buy_package(self, package: str) -> TransactionRecord:
        """Buy a package without paying: only on demo databases (made by ``leaddesk demo``)."""
        return movements.buy_package(self._book, package)

    def redeem(self, code: str, *, public_key: Ed25519PublicKey | None = None) -> TransactionRecord:
        """Redeem a signed top-up code into the actor's account, once (or raise the
        ``topup_codes.TopupCodeError`` saying why not)."""
        return movements.redeem(self._book, code, public_key)

    # -- reserving and settling (``reserving``, ``settling``) ----------------------------------
    def reserve(
        self,
        cost: int,
        action: str,
        reference_type: str = "",
        reference_id: str = "",
        idempotency_key: str | None = None,
        price_version: int | None = None,
    ) -> TransactionRecord:
        """Hold ``cost`` credits for an action, or raise InsufficientCreditsError (or its
        SpendCapExceededError) before anything runs."""
        item = ReserveItem(cost, action, reference_type, reference_id, idempotency_key)
        return reserving.reserve(self._book, item, price_version)

    def reserve_action(
        self,
        action: str,
        quantity: int = 1,
        reference_type: str = "",
        reference_id: str = "",
        idempotency_key: str | None = None,
    ) -> TransactionRecord:
        """Reserve the current price of ``quantity`` times ``action``."""
        quote = self.quote(action, quantity)
        return self.reserve(
            quote.cost,
            action,
            reference_type,
            reference_id,
            idempotency_key,
            price_version=quote.price_version,
        )

    def consume(self, reservation_id: uuid.UUID) -> TransactionRecord:
        """The action succeeded: the held credits are spent (once, whatever the retries)."""
        return settling.settle(self._book, reservation_id, TransactionKind.CONSUMPTION)

    def release(self, reservation_id: uuid.UUID, reason: str = "") -> TransactionRecord:
        """The action failed: the held credits come back (once)."""
        return settling.settle(self._book, reservation_id, TransactionKind.RELEASE, reason)

    def batch_reserver(self) -> reserving.BatchReserver:
        """Reserve for many actions inside the caller's write transaction (the outbox's claims)."""
        return reserving.batch_reserver(self._book)

    def batch_settler(self) -> settling.BatchSettler:
        """Settle many reservations inside the caller's write transaction (the outbox's
        outcomes); returns ``{reservation: kind}`` of those settled now."""
        return settling.batch_settler(self._book)

    def release_stale_reservations(self, older_than: dt.timedelta) -> list[TransactionRecord]:
        """Release the reservations a crash left, on every account (see ``settling``)."""
        return settling.release_stale(self._book, older_than)

    # -- the admin's refunds, adjustments and allocations (``movements``) -----------------------
    def refund(self, reservation_id: uuid.UUID, reason: str = "") -> TransactionRecord:
        """Admin: give back the cost of a consumed action (once per reservation)."""
        return movements.refund(self._book, reservation_id, reason)

    def adjust(
        self,
        amount: int,
        reason: str,
        user: uuid.UUID | str | None = None,
        idempotency_key: str | None = None,
    ) -> TransactionRecord:
        """Admin: correct a balance by ``amount`` (a reduction never goes below zero)."""
        return movements.adjust(self._book, amount, reason, user, idempotency_key)

    def allocate(
        self, user: uuid.UUID | str, amount: int, idempotency_key: str | None = None
    ) -> TransactionRecord:
        """Admin: move ``amount`` credits from the admin's balance to a member's (a negative
        amount takes unspent credits back). Returns the member's ledger line."""
        return movements.allocate(self._book, user, amount, idempotency_key)

    # -- caps ----------------------------------------------------------------------------------
    def set_spend_cap(
        self,
        user: uuid.UUID | str,
        credits: int | None,
        period: CapPeriod | str = CapPeriod.MONTH,
    ) -> SpendCap:
        """Admin: cap what a member may reserve per calendar week or month (None: no cap).

        What the member already spent in the current window counts at once.
        """
        self.require_admin("cap a member's spend")
        if credits is not None:
            require_positive(credits, "credits")
        try:
            period = CapPeriod(period)
        except ValueError:
            raise ValidationError("period", f"{period!r} is not week or month") from None
        user_id = self._book.user_id(user)
        acc_id = self._book.account_for(user_id)
        now = self.now()
        start = credit_caps.window_start(period, now)
        with self.store.write() as session:
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
            activity.record(
                session,
                self.actor.id,
                "spend_cap",
                "credits",
                acc_id,
                summary=f"{what} for user {user_id}",
            )
        return self.spend_cap(user_id)

    def spend_cap(self, user: uuid.UUID | str | None = None) -> SpendCap:
        acc_id = self.account_of(user)
        now = self.now()
        with self.store.read() as session:
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

    # -- reading the ledger --------------------------------------------------------------------
    def history(
        self,
        limit: int = 100,
        since: dt.datetime | None = None,
        user: uuid.UUID | str | None = None,
    ) -> list[TransactionRecord]:
        stmt = (
            select(TRANSACTIONS)
            .where(TRANSACTIONS.c.account_id == self.account_of(user))
            .order_by(TRANSACTIONS.c.created_at.desc(), TRANSACTIONS.c.id.desc())
            .limit(limit)
        )
        if since is not None:
            stmt = stmt.where(TRANSACTIONS.c.created_at >= since)
        with self.store.read() as session:
            return [record_from_row(row) for row in session.execute(stmt)]

    def ledger_sum(self, user: uuid.UUID | str | None = None) -> int:
        stmt = select(func.coalesce(func.sum(TRANSACTIONS.c.amount), 0)).where(
            TRANSACTIONS.c.account_id == self.account_of(user)
        )
        with self.store.read() as session:
            return int(session.scalar(stmt) or 0)

    def held(self, user: uuid.UUID | str | None = None) -> list[uuid.UUID]:
        """Ids of the reservations still in flight on an account."""
        stmt = select(HOLDS.c.reservation_id).where(HOLDS.c.account_id == self.account_of(user))
        with self.store.read() as session:
            return list(session.scalars(stmt))

    def spent_since(self, since: dt.datetime, user: uuid.UUID | str | None = None) -> int:
        """Credits consumed since ``since``: the held cost of each consumption."""
        consumption = TRANSACTIONS.alias("consumption")
        stmt = (
            select(func.coalesce(func.sum(-TRANSACTIONS.c.amount), 0))
            .join(consumption, consumption.c.reservation_id == TRANSACTIONS.c.id)
            .where(
                consumption.c.account_id == self.account_of(user),
                consumption.c.kind == TransactionKind.CONSUMPTION,
                consumption.c.created_at >= since,
            )
        )
        with self.store.read() as session:
            return int(session.scalar(stmt) or 0)

    def audit(self) -> LedgerAudit:
        """Admin: check every account's cached balance against the sum of its ledger, and its
        reserved credits against its holds, in one consistent read."""
        self.require_admin("audit the ledger")
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
        with self.store.read() as session:
            for acc_id, balance, reserved, total, n, held in session.execute(stmt):
                accounts += 1
                transactions += int(n)
                if balance != total or reserved != held:
                    mismatches.append((acc_id, int(balance), int(total)))
        return LedgerAudit(accounts, transactions, mismatches)


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
