"""The one place that moves credits: :class:`CreditService`, the entry the rest of LeadDesk calls.

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

The service quotes prices and delegates the rest, by responsibility, to functions over one
:class:`~leaddesk.services.credits.book.LedgerBook` (the accounts and the write path):
``reserving`` and ``settling``; ``movements`` (buying, top-up codes, the admin's refunds,
adjustments and allocations); ``limits`` (spend caps, the low-balance warning); ``queries``
(reading an account, the audit). Their values are in ``records``, their SQL in ``statements``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from leaddesk.services.context import Actor, ServiceContext
from leaddesk.services.credits import limits, movements, queries, reserving, settling
from leaddesk.services.credits.book import LedgerBook, require_positive
from leaddesk.services.credits.pricing import PriceList
from leaddesk.services.credits.records import (
    Balance,
    LedgerAudit,
    Preflight,
    Quote,
    ReserveItem,
    SpendCap,
    TransactionRecord,
)
from leaddesk.store.database import Store
from leaddesk.store.enums import TransactionKind
from leaddesk.store.models.credit import CapPeriod

if TYPE_CHECKING:  # cryptography loads when a code is redeemed, not at start
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class CreditService:
    """Credits for one acting user: their balance and prices, reserving and settling what their
    actions cost, and (for an admin) moving, capping and auditing everyone's."""

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
        bounds = [] if bal.unlimited else [(bal.available, "you have")]
        if cap.remaining is not None:
            bounds.append((cap.remaining, f"your {cap.period}ly spend cap leaves"))
        for have, says in sorted(bounds, key=lambda bound: bound[0]):
            if have < quote.cost:
                message = f"this needs {quote.cost:,} credits; {says} {have:,}"
                return Preflight(quote, min(h for h, _ in bounds), False, message)
        available = min((h for h, _ in bounds), default=None)
        return Preflight(quote, available, True, f"costs {quote.cost:,} credits")

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
        """The cached balance of ``user``'s account (None: the actor's)."""
        return queries.balance(self.store, self.account_of(user))

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

    # -- spend caps and the low-balance warning (``limits``) -----------------------------------
    def set_spend_cap(
        self,
        user: uuid.UUID | str,
        credits: int | None,
        period: CapPeriod | str = CapPeriod.MONTH,
    ) -> SpendCap:
        """Admin: cap what a member may reserve per calendar week or month (None: no cap).

        What the member already spent in the current window counts at once.
        """
        return self.spend_cap(limits.set_spend_cap(self._book, user, credits, period))

    def spend_cap(self, user: uuid.UUID | str | None = None) -> SpendCap:
        """``user``'s cap (None: the actor's) and what is left of it in the current window."""
        return limits.spend_cap(self.store, self.account_of(user), self.now())

    def low_balance_threshold(self) -> int:
        """Warn below this many credits (0: never); database-wide, on by default."""
        return limits.low_balance_threshold(self.store)

    def set_low_balance_threshold(self, credits: int) -> None:
        limits.set_low_balance_threshold(self._book, credits)

    def low_balance_warning(
        self, bal: Balance | None = None, threshold: int | None = None
    ) -> str | None:
        """A line for the status bar when the balance is below the threshold, else None.

        Given both (read off the GUI thread), it reads nothing from the database.
        """
        bal = bal or self.balance()
        threshold = self.low_balance_threshold() if threshold is None else threshold
        return limits.low_balance_warning(bal, threshold)

    # -- reading the ledger (``queries``) ------------------------------------------------------
    def history(
        self,
        limit: int = 100,
        since: dt.datetime | None = None,
        user: uuid.UUID | str | None = None,
    ) -> list[TransactionRecord]:
        """Up to ``limit`` of an account's ledger lines, newest first (``history`` filters)."""
        return queries.newest_lines(self.store, self.account_of(user), limit, since)

    def ledger_sum(self, user: uuid.UUID | str | None = None) -> int:
        """The sum of an account's ledger lines, which its balance must equal."""
        return queries.ledger_sum(self.store, self.account_of(user))

    def held(self, user: uuid.UUID | str | None = None) -> list[uuid.UUID]:
        """Ids of the reservations still in flight on an account."""
        return queries.held(self.store, self.account_of(user))

    def spent_since(self, since: dt.datetime, user: uuid.UUID | str | None = None) -> int:
        """Credits consumed since ``since``: the held cost of each consumption."""
        return queries.spent_since(self.store, self.account_of(user), since)

    def audit(self) -> LedgerAudit:
        """Admin: check every account's cached balance against the sum of its ledger, and its
        reserved credits against its holds, in one consistent read."""
        self.require_admin("audit the ledger")
        return queries.audit(self.store)
