"""Batch reservations and settlements inside a caller's transaction (the outbox's claims and
outcomes): one guarded UPDATE for a batch, each item refused alone when the sum does not fit,
balance == sum(ledger) and settle-once as with single calls."""

from __future__ import annotations

from leaddesk.services.app_services import AppServices
from leaddesk.services.credits.records import ReserveItem, SettleItem
from leaddesk.services.errors import InsufficientCreditsError, SpendCapExceededError
from leaddesk.store.enums import TransactionKind


def _items(*costs: int) -> list[ReserveItem]:
    return [ReserveItem(c, "email", "message", f"m{i}", f"send:m{i}:1")
            for i, c in enumerate(costs)]


def _reserve(app: AppServices, items: list[ReserveItem]):
    run = app.credits.batch_reserver()
    with app.store.write() as session:
        return run(session, items)


def _settle(app: AppServices, items: list[SettleItem]) -> dict:
    run = app.credits.batch_settler()
    with app.store.write() as session:
        return run(session, items)


def test_a_batch_reserves_each_item_with_its_own_line_hold_and_key(app: AppServices) -> None:
    app.credits.purchase("starter")
    results = _reserve(app, _items(2, 3, 5))
    assert all(r.reservation_id is not None and r.refused is None for r in results)
    bal = app.credits.balance()
    assert (bal.available, bal.reserved) == (490, 10)
    assert sorted(app.credits.held()) == sorted(r.reservation_id for r in results)
    lines = [t for t in app.credits.history() if t.kind == "reservation"]
    assert sorted(t.idempotency_key for t in lines) == ["send:m0:1", "send:m1:1", "send:m2:1"]
    assert sorted(t.balance_after for t in lines) == [490, 495, 498]  # running balances
    assert app.credits.ledger_sum() == 490 and app.credits.audit().ok


def test_when_the_sum_does_not_fit_each_item_is_tried_alone(app: AppServices) -> None:
    app.credits.purchase("starter")
    app.credits.reserve(495, "voice")
    results = _reserve(app, _items(3, 4, 2))
    granted = [r.item.cost for r in results if r.reservation_id is not None]
    refused = [r for r in results if r.refused is not None]
    assert granted == [3, 2]
    assert len(refused) == 1 and isinstance(refused[0].refused, InsufficientCreditsError)
    assert app.credits.balance().available == 0 and app.credits.audit().ok


def test_a_spend_cap_refuses_in_a_batch_too(app: AppServices) -> None:
    app.credits.purchase("starter")
    app.credits.set_spend_cap(app.ctx.actor.id, 4)
    results = _reserve(app, _items(3, 3))
    assert [r.reservation_id is not None for r in results] == [True, False]
    assert isinstance(results[1].refused, SpendCapExceededError)
    assert app.credits.audit().ok


def test_a_batch_settles_once_consuming_and_releasing(app: AppServices) -> None:
    app.credits.purchase("starter")
    a, b, c = (r.reservation_id for r in _reserve(app, _items(2, 3, 5)))
    done = _settle(app, [SettleItem(a, TransactionKind.CONSUMPTION),
                         SettleItem(b, TransactionKind.RELEASE, "smtp said no"),
                         SettleItem(c, TransactionKind.CONSUMPTION)])
    assert done == {a: "consumption", b: "release", c: "consumption"}
    bal = app.credits.balance()
    assert (bal.available, bal.reserved) == (493, 0)
    assert app.credits.ledger_sum() == 493 and app.credits.audit().ok
    # Settled already: a second batch (or a single call) changes nothing.
    assert _settle(app, [SettleItem(b, TransactionKind.CONSUMPTION)]) == {}
    assert app.credits.release(b).kind == "release"
    assert app.credits.balance().available == 493
    consumed = [t for t in app.credits.history() if t.kind == "consumption"]
    assert {t.reference_id for t in consumed} == {"m0", "m2"}  # copied from the reservation
