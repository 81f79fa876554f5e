"""The credit ledger: balance == sum of the ledger, never negative, never charged twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.errors import (
    InsufficientCreditsError,
    ReservationSettledError,
    ValidationError,
)


def _check_invariants(app: AppServices) -> None:
    bal = app.credits.balance()
    assert bal.available == app.credits.ledger_sum()
    assert bal.available >= 0
    assert bal.reserved >= 0


def test_purchase_reserve_consume_release(app: AppServices) -> None:
    credits = app.credits
    credits.purchase("starter")
    assert credits.balance().available == 500
    r1 = credits.reserve(3, "whatsapp", "message", "m1")
    assert credits.balance().available == 497 and credits.balance().reserved == 3
    credits.consume(r1.id)
    assert credits.balance().available == 497 and credits.balance().reserved == 0
    r2 = credits.reserve(5, "voice", "message", "m2")
    credits.release(r2.id)
    assert credits.balance().available == 497 and credits.balance().reserved == 0
    assert credits.spent_since(r1.created_at) == 3
    kinds = [t.kind for t in credits.history()]
    assert kinds.count("reservation") == 2 and "consumption" in kinds and "release" in kinds
    _check_invariants(app)


def test_insufficient_credits_says_need_and_have(app: AppServices) -> None:
    with pytest.raises(InsufficientCreditsError, match="need 5, have 0"):
        app.credits.reserve(5, "voice")
    assert app.credits.history() == []


def test_settles_exactly_once(app: AppServices) -> None:
    credits = app.credits
    credits.purchase("starter")
    res = credits.reserve(2, "sms")
    first = credits.consume(res.id)
    assert credits.consume(res.id).id == first.id, "a repeated consume returns the first result"
    with pytest.raises(ReservationSettledError, match="consumption"):
        credits.release(res.id)
    assert credits.balance().available == 498
    _check_invariants(app)


def test_idempotency_key_never_charges_twice(app: AppServices) -> None:
    credits = app.credits
    credits.purchase("starter", idempotency_key="order-1")
    credits.purchase("starter", idempotency_key="order-1")
    assert credits.balance().available == 500
    a = credits.reserve(1, "email", idempotency_key="send-m1")
    b = credits.reserve(1, "email", idempotency_key="send-m1")
    assert a.id == b.id
    assert credits.balance().available == 499


def test_enterprise_is_recorded_but_never_blocked(app: AppServices) -> None:
    app.credits.purchase("enterprise")
    res = app.credits.reserve(5, "voice")
    app.credits.consume(res.id)
    bal = app.credits.balance()
    assert bal.unlimited and bal.available == -5 == app.credits.ledger_sum()


def test_bad_cost_and_package(app: AppServices) -> None:
    with pytest.raises(ValidationError, match="cost"):
        app.credits.reserve(0, "email")
    with pytest.raises(ValidationError, match="package"):
        app.credits.purchase("platinum")


def test_eight_threads_buying_and_spending_keep_the_ledger_exact(app: AppServices) -> None:
    credits = app.credits
    credits.purchase("starter")
    refused = 0
    lock = threading.Lock()

    def worker(n: int) -> None:
        nonlocal refused
        for i in range(40):
            if n == 0 and i % 10 == 0:
                credits.purchase("starter", idempotency_key=f"buy-{i}")
            try:
                res = credits.reserve(7, "voice", "test", f"{n}-{i}", idempotency_key=f"r{n}-{i}")
            except InsufficientCreditsError:
                with lock:
                    refused += 1
                continue
            if i % 3 == 0:
                credits.release(res.id)
            else:
                credits.consume(res.id)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(worker, range(8)))
    _check_invariants(app)
    bal = credits.balance()
    assert bal.reserved == 0
    history = credits.history(limit=100_000)
    reservations = [t for t in history if t.kind == "reservation"]
    settlements = [t for t in history if t.kind in ("consumption", "release")]
    assert len(reservations) == len(settlements) == 8 * 40 - refused
    purchases = sum(t.amount for t in history if t.kind == "purchase")
    consumed = 7 * sum(1 for t in history if t.kind == "consumption")
    assert bal.available == purchases - consumed
