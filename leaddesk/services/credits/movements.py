"""Credits moved outside an action's reserve and settle: buying a package, redeeming a top-up
code, and the admin's refunds, adjustments and allocations.

Each is one write transaction over the :class:`~leaddesk.services.credits.book.LedgerBook`:
the balance changes (a debit never below zero), its ledger line or lines and an audit-log entry
commit together, and an idempotency key makes a retry return the first result.
"""

from __future__ import annotations

import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import case, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leaddesk.services import settings
from leaddesk.services.credits import topup_codes
from leaddesk.services.credits.book import LedgerBook, require_nonzero, tx_by_key
from leaddesk.services.credits.pricing import Package
from leaddesk.services.credits.records import TransactionRecord, refund_key, settle_key
from leaddesk.services.credits.statements import ACCOUNTS
from leaddesk.services.errors import PermissionDeniedError, ValidationError
from leaddesk.store.database import Store
from leaddesk.store.enums import Plan, TransactionKind
from leaddesk.store.ids import demo_ids, new_id
from leaddesk.store.models.credit import RedeemedTopupCode


# -- purchases and top-up codes ----------------------------------------------------------------
def purchase(
    book: LedgerBook, package: str, idempotency_key: str | None = None
) -> TransactionRecord:
    """Add a package of the current price list to the actor's account (and its plan)."""
    pkg = book.prices.get().package(package)
    acc_id = book.account_id()

    def work(session: Session) -> TransactionRecord:
        tx = _add_package(
            book,
            session,
            acc_id,
            pkg,
            _plan_values(pkg),
            reference_type="package",
            reference_id=pkg.name,
            idempotency_key=idempotency_key,
            meta={"package": pkg.label},
        )
        book.log_activity(
            session, "purchase", tx.id, f"bought {pkg.label} ({tx.amount or 'unlimited'} credits)"
        )
        return tx

    return book.write(idempotency_key, work)


def _add_package(
    book: LedgerBook,
    session: Session,
    acc_id: uuid.UUID,
    pkg: Package,
    plan: dict[str, Any],
    **line: Any,
) -> TransactionRecord:
    """Credit ``pkg`` (and set ``plan``) on the account and write its purchase line."""
    amount = pkg.credits or 0
    new_balance = book.credit(session, acc_id, amount, **plan)
    return book.append_line(session, acc_id, new_balance, TransactionKind.PURCHASE, amount, **line)


def _plan_values(pkg: Package) -> dict[str, Any]:
    """The account's plan after taking ``pkg``."""
    if pkg.unlimited:
        return {"plan": Plan.ENTERPRISE, "unlimited": True}
    # An Enterprise account stays Enterprise when it also takes a smaller package.
    return {"plan": case((ACCOUNTS.c.unlimited, ACCOUNTS.c.plan), else_=literal(pkg.name))}


def is_demo_database(store: Store) -> bool:
    """Made by ``leaddesk demo``: the one kind of database where packages are free to buy."""
    return bool(settings.get(store, settings.DEMO_DATABASE, False))


def buy_package(book: LedgerBook, package: str) -> TransactionRecord:
    """:func:`purchase` without paying, refused unless the database is a local demo one holding
    demo data only (never on a team database, whatever its settings say)."""
    if book.store.dialect == "postgresql":
        raise PermissionDeniedError(
            "buying a package without a code is impossible on a team database; an admin "
            "redeems a top-up code and allocates credits"
        )
    if not is_demo_database(book.store):
        raise PermissionDeniedError(
            "buying a package works on demo databases only (made by `leaddesk demo`); "
            "to add credits, redeem a top-up code: `leaddesk credits redeem CODE`"
        )
    from leaddesk.services import demo_rows  # reads leads: only on this demo-only path

    with book.store.read() as session:
        if demo_rows.holds_real_data(session):
            raise PermissionDeniedError(
                "this demo database now holds real leads, campaigns or messages, so free "
                "packages are off; remove the demo data (`leaddesk demo --remove`) and redeem "
                "a top-up code: `leaddesk credits redeem CODE`"
            )
    with demo_ids():  # free credits are demo rows: removing the demo data takes them back
        return purchase(book, package)


def redeem(
    book: LedgerBook, code: str, public_key: Ed25519PublicKey | None = None
) -> TransactionRecord:
    """Verify ``code`` (by the shipped public key unless given), then add its credits or plan
    to the actor's account and mark the code redeemed, in one transaction.

    Raises the :class:`~leaddesk.services.credits.topup_codes.TopupCodeError` saying why a
    code is refused: malformed, tampered, expired, or :class:`CodeAlreadyRedeemed`.
    """
    if book.through_functions:
        # The database cannot check a code's signature, so it lets only admins add credits.
        book.require_admin("redeem a top-up code on a team database (then allocate credits)")
    key = public_key or topup_codes.load_shipped_public_key()
    topup = topup_codes.verify_code(code, key, book.now())
    if topup.plan is not None:
        pkg = book.prices.get().package(topup.plan.value)
    else:
        assert topup.credits is not None
        pkg = Package("credits", f"{topup.credits:,} credits", topup.credits)
    acc_id = book.account_id()

    def work(session: Session) -> TransactionRecord:
        _refuse_redeemed(session, topup.code_id)
        tx = _add_package(
            book,
            session,
            acc_id,
            pkg,
            _plan_values(pkg) if topup.plan is not None else {},
            reference_type="topup_code",
            reference_id=str(topup.code_id),
            idempotency_key=f"topup:{topup.code_id}",
            meta={"package": pkg.label, "expires_at": topup.expires_at.isoformat()},
        )
        session.execute(
            insert(RedeemedTopupCode.__table__).values(
                id=new_id(),
                code_id=topup.code_id,
                account_id=acc_id,
                transaction_id=tx.id,
                redeemed_by=book.actor.id,
                redeemed_at=tx.created_at,
            )
        )
        book.log_activity(session, "redeem", tx.id, f"redeemed a top-up code: {pkg.label}")
        return tx

    try:
        with book.store.write() as session:
            return work(session)
    except IntegrityError:  # redeemed at the same moment elsewhere
        with book.store.read() as session:
            _refuse_redeemed(session, topup.code_id)
        raise


def _refuse_redeemed(session: Session, code_id: uuid.UUID) -> None:
    stmt = select(RedeemedTopupCode.redeemed_at).where(RedeemedTopupCode.code_id == code_id)
    prior = session.execute(stmt).scalar_one_or_none()
    if prior is not None:
        raise topup_codes.CodeAlreadyRedeemed(code_id, prior)


# -- the admin's refunds, adjustments and allocations ------------------------------------------
def refund(book: LedgerBook, reservation_id: uuid.UUID, reason: str = "") -> TransactionRecord:
    """Credit back the held cost of a consumed reservation, to the account that spent it."""
    book.require_admin("refund credits")
    key = refund_key(reservation_id)

    def work(session: Session) -> TransactionRecord:
        settled = tx_by_key(session, settle_key(reservation_id))
        if settled is None or settled.kind != TransactionKind.CONSUMPTION.value:
            state = "not settled" if settled is None else f"{settled.kind}d"
            if settled is not None and settled.kind == "release":
                state = "released"
            raise ValidationError(
                "reservation", f"only a consumed action can be refunded; this one is {state}"
            )
        cost = int(settled.meta.get("cost", 0))
        assert settled.account_id is not None
        new_balance = book.credit(session, settled.account_id, cost)
        tx = book.append_line(
            session,
            settled.account_id,
            new_balance,
            TransactionKind.REFUND,
            cost,
            action=settled.action,
            reference_type=settled.reference_type,
            reference_id=settled.reference_id,
            reservation_id=reservation_id,
            idempotency_key=key,
            price_version=settled.price_version,
            meta={"cost": cost, "reason": reason},
        )
        book.log_activity(
            session, "refund", tx.id, f"refunded {cost} credits ({settled.action}) {reason}".strip()
        )
        return tx

    return book.write(key, work)


def adjust(
    book: LedgerBook,
    amount: int,
    reason: str,
    user: uuid.UUID | str | None = None,
    idempotency_key: str | None = None,
) -> TransactionRecord:
    """Credit or debit ``user``'s account by ``amount``, the reason kept on the line."""
    book.require_admin("adjust credits")
    require_nonzero(amount, "amount")
    if not reason.strip():
        raise ValidationError("reason", "an adjustment needs a reason")
    user_id = book.user_id(user)
    acc_id = book.account_for(user_id)

    def work(session: Session) -> TransactionRecord:
        if amount > 0:
            new_balance = book.credit(session, acc_id, amount)
        else:
            new_balance = book.debit(session, acc_id, -amount)
        tx = book.append_line(
            session,
            acc_id,
            new_balance,
            TransactionKind.ADJUSTMENT,
            amount,
            reference_type="user",
            reference_id=str(user_id),
            idempotency_key=idempotency_key,
            meta={"reason": reason.strip()[:500]},
        )
        book.log_activity(
            session, "adjust", tx.id, f"adjusted by {amount:+} credits: {reason.strip()}"
        )
        return tx

    return book.write(idempotency_key, work)


def allocate(
    book: LedgerBook, user: uuid.UUID | str, amount: int, idempotency_key: str | None = None
) -> TransactionRecord:
    """Debit one account and credit the other (the admin's and ``user``'s), a line on each;
    the idempotency key goes on the member's line, which is returned."""
    book.require_admin("allocate credits")
    require_nonzero(amount, "amount")
    member = book.user_id(user)
    if member == book.actor.id:
        raise ValidationError("user", "credits are allocated to another member")
    own, theirs = book.account_id(), book.account_for(member)
    source, target = (own, theirs) if amount > 0 else (theirs, own)
    people = {own: book.actor.id, theirs: member}
    n = abs(amount)

    def work(session: Session) -> TransactionRecord:
        balances = {}
        for acc in sorted((source, target)):  # one lock order: no deadlock on PostgreSQL
            if acc == source:
                balances[acc] = book.debit(session, acc, n)
            else:
                balances[acc] = book.credit(session, acc, n)
        lines = {}
        for acc, sign, other in ((source, -1, target), (target, 1, source)):
            lines[acc] = book.append_line(
                session,
                acc,
                balances[acc],
                TransactionKind.ALLOCATION,
                sign * n,
                reference_type="user",
                reference_id=str(people[other]),
                idempotency_key=idempotency_key if acc == theirs else None,
            )
        book.log_activity(
            session, "allocate", lines[theirs].id, f"allocated {amount:+} credits to user {member}"
        )
        return lines[theirs]

    return book.write(idempotency_key, work)
